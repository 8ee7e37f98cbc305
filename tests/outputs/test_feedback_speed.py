"""Work done once for every council's feedback (the feedback words read once, each email
template compiled once) writes the very files that doing it for each council wrote."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import xlsxwriter.core

import collate.emails as emails
import collate.outputs.feedback as feedback
from collate.intake.collation import collate_folder
from collate.settings import ROOT

SAMPLES = ROOT / "sample_returns"


class _FixedClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2026, 11, 24, 9, 30, tzinfo=tz)


@pytest.fixture(scope="module")
def collation(settings, instrument, tmp_path_factory):
    """The flawed samples (an old template among them, which gets a fresh workbook) and a
    good one."""
    folder = tmp_path_factory.mktemp("returns")
    for path in [*(SAMPLES / "flawed").glob("*.xlsx"), next(SAMPLES.glob("SAMPLE_Essex_*.xlsx"))]:
        shutil.copy2(path, folder / path.name)
    return collate_folder(folder, settings, instrument)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_feedback_is_byte_for_byte_what_it_was(collation, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxwriter.core, "datetime", _FixedClock)
    today = dt.date(2026, 11, 24)
    feedback.write_feedback(collation, tmp_path / "new", today)

    # The old way: a new jinja2 environment for every email, the words read for every council.
    monkeypatch.setattr(emails, "_environment", emails._environment.__wrapped__)
    one_by_one = feedback.write_feedback_workbook

    def write_feedback_workbook(path, collation, result, today, words=None):
        return one_by_one(path, collation, result, today)

    monkeypatch.setattr(feedback, "write_feedback_workbook", write_feedback_workbook)
    feedback.write_feedback(collation, tmp_path / "old", today)
    new, old = _files(tmp_path / "new" / "feedback"), _files(tmp_path / "old" / "feedback")
    assert any(name.endswith(".xlsx") for name in old)
    assert list(new) == list(old)
    for name in old:
        assert new[name] == old[name], name


def test_an_edited_template_is_compiled_again(tmp_path):
    """The environment is kept between emails, but a template changed since is read again."""
    import os

    path = tmp_path / "t.txt.j2"
    path.write_text("Subject: one\n\n{{ 1 | number_of('thing', 'things') }}\n", encoding="utf-8")
    assert emails.render_text(tmp_path, "t.txt.j2", {}) == ("one", "1 thing\n")
    path.write_text("Subject: two\n\n{{ 2 | number_of('thing', 'things') }}\n", encoding="utf-8")
    later = path.stat().st_mtime + 5
    os.utime(path, (later, later))
    assert emails.render_text(tmp_path, "t.txt.j2", {}) == ("two", "2 things\n")
