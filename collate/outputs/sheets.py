"""Writing plain tables to xlsx sheets with XlsxWriter: readable headers, wrapped text, filters."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

NOT_FOR_PUBLICATION = (
    "NOT FOR PUBLICATION: unsuppressed figures about children and staff, for the programme "
    "manager only. Do not share outside the programme team."
)
# For a collated workbook that holds answers but no figures (e.g. a self-assessment only).
NOT_FOR_PUBLICATION_ANSWERS = (
    "NOT FOR PUBLICATION: every council's own answers, for the programme team only. Do not share "
    "outside the programme team."
)
SAMPLE_NOTE = "SYNTHETIC SAMPLE DATA: made up for demonstration, not real returns."


class SheetWriter:
    """Keeps formats for one workbook and writes DataFrames as tidy, filterable sheets."""

    def __init__(self, workbook):
        self.wb = workbook
        self.header = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9D9D9", "border": 1}
        )
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.plain = workbook.add_format({"valign": "top"})
        self.banner = workbook.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": "#C00000"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})

    def table(
        self,
        name: str,
        df: pd.DataFrame,
        banners: Sequence[str] = (),
        title: str | None = None,
        widths: dict[str, float] | None = None,
        wrap: Sequence[str] = (),
    ) -> None:
        taken = {ws.name.lower() for ws in self.wb.worksheets()}
        name, n = name[:31], 2
        while name.lower() in taken:  # keep names unique: Excel ignores case
            name = f"{name[:28]} {n}"
            n += 1
        ws = self.wb.add_worksheet(name)
        row = 0
        if title:
            ws.write(row, 0, title, self.title)
            row += 1
        for text in banners:
            ws.write(row, 0, text, self.banner)
            row += 1
        if banners or title:
            row += 1
        col_widths: dict[int, float] = {}
        for j, col in enumerate(df.columns):
            ws.write(row, j, str(col), self.header)
            width = (widths or {}).get(col)
            if width is None:
                lengths = [len(str(v)) for v in df[col].head(200)]
                typical = sorted(lengths)[int(len(lengths) * 0.9)] if lengths else 10
                width = min(60, max(10, len(str(col)) + 2, typical))
            col_widths[j] = width
            ws.set_column(j, j, width, self.wrap if col in wrap else self.plain)
        header_row = row
        cell_formats = [self.wrap if col in wrap else self.plain for col in df.columns]
        wrapped = [j for j, col in enumerate(df.columns) if col in wrap]
        put = _cell_writer(ws)
        # Column by column into plain Python values (quicker than pandas row by row).
        columns = [df.iloc[:, j].tolist() for j in range(len(df.columns))]
        for i, record in enumerate(zip(*columns), start=row + 1):
            for j, value in enumerate(record):
                value = _cell(value)
                # An empty cell is left unwritten: its column's format is already the one it
                # would be given (set_column above), and a third of a national round's cells
                # are empty.
                if value.__class__ is not str or value:
                    put(i, j, value, cell_formats[j])
            # Neither Excel nor LibreOffice grows a row to fit wrapped text written by a
            # program, so give each row the height its longest wrapped cell needs.
            lines = max(
                (text_lines(str(_cell(record[j])), col_widths[j]) for j in wrapped), default=1
            )
            if lines > 1:
                ws.set_row(i, 15 * lines)
        if len(df.columns):
            ws.autofilter(header_row, 0, header_row + max(len(df), 1), len(df.columns) - 1)
        ws.freeze_panes(header_row + 1, 0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(header_row)


def _cell_writer(ws):
    """`ws.write` for a table's cells, the same cells by a shorter way where the workbook writes
    text as text (collate.outputs.safe): a plain str, int or float goes straight to the
    XlsxWriter method `write` would choose for it (a million cells in collated.xlsx), anything
    else through `write`'s own choice."""
    if ws.strings_to_formulas or ws.strings_to_urls or ws.strings_to_numbers or ws.write_handlers:
        return ws.write
    blank, string, number, other = ws._write_blank, ws._write_string, ws._write_number, ws._write

    def put(row: int, col: int, value: Any, fmt) -> Any:
        kind = value.__class__
        if kind is str:
            return string(row, col, value, fmt) if value else blank(row, col, value, fmt)
        if kind is int or kind is float:
            return number(row, col, value, fmt)
        return other(row, col, value, fmt)

    return put


def text_lines(text: str, width: float) -> int:
    """Roughly how many lines `text` wraps to in a column `width` characters wide."""
    per_line = max(1.0, width * 1.1)  # ordinary text is narrower than the width unit's "0"
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return value
