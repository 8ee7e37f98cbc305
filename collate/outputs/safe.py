"""The one way outputs are written, so that nothing a council typed can run when opened.

A council's answer, explanation or file name reaches validation.xlsx, the feedback workbooks,
collated.xlsx and the CSV files. Spreadsheet programs treat text that starts with "=" (and, in a
CSV file, "+", "-", "@", a tab or a carriage return) as a formula, and text that looks like a web
address as a link. So:

- every workbook is written by `safe_workbook`, in which text is always text: never a formula,
  never a link, never turned into a number;
- every CSV field is passed through `csv_safe`, which puts a single quote (') before a field that
  starts with one of those characters, as the OWASP guidance on CSV injection advises. Nothing is
  removed: the council's words follow the quote unchanged, and a plain number such as -5 is left
  as it is (it cannot be a formula).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

# OWASP: "=", "+", "-", "@", tab (0x09) and carriage return (0x0D) can start a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def safe_workbook(target: Path | Any) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook in which `write()` always writes text as text."""
    return xlsxwriter.Workbook(target, dict(WORKBOOK_OPTIONS))


def csv_safe(value: Any) -> Any:
    """A CSV field that no spreadsheet program will run as a formula (see the module note)."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def is_csv_safe(value: str) -> bool:
    """True when a field read back from a CSV file cannot start a formula."""
    return not value.startswith(FORMULA_STARTS) or bool(_PLAIN_NUMBER.fullmatch(value))


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write `df` as UTF-8 CSV (with the byte-order mark Excel needs), every field made safe."""
    safe = df.copy()
    safe.columns = [csv_safe(str(c)) for c in safe.columns]
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(csv_safe)
    safe.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def export_table(df: pd.DataFrame, path: Path, sheet: str, fmt: str) -> Path:
    """Write one table as CSV (`fmt` "csv") or as a workbook with one sheet ("xlsx")."""
    from collate.outputs.sheets import SheetWriter

    if fmt == "csv":
        return write_csv(df, path)
    wb = safe_workbook(path)
    SheetWriter(wb).table(sheet, df)
    wb.close()
    return path
