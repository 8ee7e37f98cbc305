"""The report's work done once (each pledge's criteria split by council once, the wording file
parsed once while it is unchanged) gives the facts it gave done per council and per use."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

import collate.report.facts as facts
import collate.report.summary as summary
from collate.analysis.round import analyse_collation
from collate.errors import ReportError
from collate.intake.collation import collate_folder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def analysis(settings, instrument):
    collation = collate_folder(ROOT / "sample_returns", settings, instrument)
    return analyse_collation(collation, today=dt.date(2026, 11, 24))


def test_facts_are_what_filtering_for_each_council_gave(analysis, monkeypatch):
    new = facts.build_facts(analysis)
    monkeypatch.setattr(facts, "_rows_by_la", lambda frame: lambda la: frame[frame["la"] == la])
    monkeypatch.setattr(summary, "_parsed_wording", summary._parsed_wording.__wrapped__)
    old = facts.build_facts(analysis)
    assert repr(new) == repr(old)


def test_an_edited_wording_file_is_read_again(tmp_path):
    path = tmp_path / "wording.yaml"
    path.write_text("part:\n  hello: Hello {who}.\n", encoding="utf-8")
    assert summary.load_wording(path) == {"part": {"hello": "Hello {who}."}}
    summary.load_wording(path)["part"]["hello"] = "changed by a caller"
    assert summary.load_wording(path)["part"]["hello"] == "Hello {who}."
    path.write_text("part:\n  hello: Good morning {who}.\n", encoding="utf-8")
    later = path.stat().st_mtime + 5
    os.utime(path, (later, later))
    assert summary.load_wording(path)["part"]["hello"] == "Good morning {who}."
    path.write_text("part: [not, sentences]\n", encoding="utf-8")
    os.utime(path, (later + 5, later + 5))
    with pytest.raises(ReportError):
        summary.load_wording(path)
    path.unlink()
    with pytest.raises(ReportError):
        summary.load_wording(path)
