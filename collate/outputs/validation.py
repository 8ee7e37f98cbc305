"""validation.csv and validation.xlsx: one row per finding, for every file read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from collate.intake.collation import Collation
from collate.checks.findings import FINDING_COLUMNS
from collate.outputs.safe import safe_workbook, write_csv
from collate.outputs.sheets import SheetWriter

HEADERS = {
    "file": "File",
    "la": "Council",
    "severity": "Severity",
    "code": "Code",
    "title": "Problem",
    "sheet": "Sheet",
    "cell": "Cell",
    "field": "Field",
    "value": "Value found",
    "message": "Message",
    "explanation": "Council's explanation",
    "check_id": "Check",
    "field_id": "Field id",
}


def findings_frame(collation: Collation) -> pd.DataFrame:
    rows = [f.row() for f in collation.findings]
    order = {"error": 0, "query": 1}
    rows.sort(key=lambda r: (r["la"] or "~", r["file"], order.get(r["severity"], 2), r["code"]))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def write_validation(collation: Collation, out: Path) -> tuple[Path, Path]:
    df = findings_frame(collation)
    csv_path, xlsx_path = out / "validation.csv", out / "validation.xlsx"
    write_csv(df, csv_path)
    wb = safe_workbook(xlsx_path)
    banners = [
        "This list may quote figures about children and staff: keep it within the programme team."
    ]
    SheetWriter(wb).table(
        "Findings",
        df.rename(columns=HEADERS),
        banners=banners,
        title="Problems found in the returns",
        widths={"Message": 80, "Field": 40, "Council's explanation": 40},
        wrap=["Message", "Field", "Council's explanation", "Value found"],
    )
    wb.close()
    return csv_path, xlsx_path
