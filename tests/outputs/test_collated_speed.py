"""collated.xlsx written cell by cell the short way is byte for byte what `ws.write` wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter.core

import collate.outputs.sheets as sheets
from collate.analysis.round import analyse_collation
from collate.intake.collation import collate_folder
from collate.outputs.collated import write_collated
from collate.outputs.safe import safe_workbook

ROOT = Path(__file__).resolve().parents[2]


class _FixedClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2026, 11, 24, 9, 30, tzinfo=tz)


@pytest.fixture(scope="module")
def collation(settings, instrument):
    return collate_folder(ROOT / "sample_returns", settings, instrument)


def test_collated_workbook_is_what_write_wrote(collation, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxwriter.core, "datetime", _FixedClock)
    an = analyse_collation(collation, today=dt.date(2026, 11, 24))
    (tmp_path / "new").mkdir()
    (tmp_path / "old").mkdir()
    new = write_collated(collation, tmp_path / "new", an)["collated.xlsx"].read_bytes()
    monkeypatch.setattr(sheets, "_cell_writer", lambda ws: ws.write)
    old = write_collated(collation, tmp_path / "old", an)["collated.xlsx"].read_bytes()
    assert new == old


def test_every_kind_of_value_is_written_as_write_writes_it(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.setattr(xlsxwriter.core, "datetime", _FixedClock)
    frame = pd.DataFrame(
        {
            "text": ["a", "", "=1+1", "http://example.org", "12", None, "x", "y"],
            "int": [1, 0, -5, 2**40, 7, 8, 9, 10],
            "float": [1.5, float("nan"), -0.0, 1e300, 2.0, 1e-300, 0.1, 3.0],
            "object": [True, None, 3, 2.5, dt.date(2026, 1, 2), "t", "", 1],
        }
    )
    frame["numpy"] = frame["int"].astype("int64")

    def written(folder: str) -> bytes:
        path = tmp_path / f"{folder}.xlsx"
        wb = safe_workbook(path)
        sheets.SheetWriter(wb).table("T", frame, banners=["b"], title="t", wrap=["text"])
        wb.close()
        return path.read_bytes()

    new = written("new")
    monkeypatch.setattr(sheets, "_cell_writer", lambda ws: ws.write)
    assert new == written("old")
