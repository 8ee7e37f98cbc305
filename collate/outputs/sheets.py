"""Writing plain tables to xlsx sheets with XlsxWriter: readable headers, wrapped text, filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

NOT_FOR_PUBLICATION = (
    "NOT FOR PUBLICATION: unsuppressed figures about children and staff, for the programme "
    "manager only. Do not share outside the programme team."
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
        for j, col in enumerate(df.columns):
            ws.write(row, j, str(col), self.header)
            width = (widths or {}).get(col)
            if width is None:
                lengths = [len(str(v)) for v in df[col].head(200)]
                typical = sorted(lengths)[int(len(lengths) * 0.9)] if lengths else 10
                width = min(60, max(10, len(str(col)) + 2, typical))
            ws.set_column(j, j, width, self.wrap if col in wrap else None)
        header_row = row
        for i, record in enumerate(df.itertuples(index=False), start=row + 1):
            for j, value in enumerate(record):
                ws.write(i, j, _cell(value))
        if len(df.columns):
            ws.autofilter(header_row, 0, header_row + max(len(df), 1), len(df.columns) - 1)
        ws.freeze_panes(header_row + 1, 0)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return value
