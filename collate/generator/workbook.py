"""Render a workbook layout to an .xlsx file with XlsxWriter, its structure locked.

XlsxWriter has no call to protect workbook structure, so its workbook writer is extended to
write <workbookProtection lockStructure="1"/> into workbook.xml as it writes the file (before
<bookViews>, where the schema puts it): the package is written once, never repacked. Everything
is written in memory with fixed timestamps so that the same inputs give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from collate.contract import IDENTITY_SHEET, property_name
from collate.generator.layout import WorkbookLayout, cell_ref, quote_sheet

INPUT_FILL = "#FFF2CC"
INPUT_BORDER = "#1F4E79"
REQUIRED_EMPTY_FILL = "#F8CBAD"
FIXED_DATE = dt.datetime(2026, 1, 1)

_BASE = {"font_name": "Arial", "font_size": 10, "valign": "top"}
STYLES: dict[str, dict[str, Any]] = {
    "text": {},
    "text_wrap": {"text_wrap": True},
    "title": {"bold": True, "font_size": 16},
    "subtitle": {"font_size": 11, "font_color": "#404040"},
    "banner": {
        "bold": True,
        "font_size": 12,
        "font_color": "#FFFFFF",
        "bg_color": "#C00000",
        "text_wrap": True,
    },
    "intro": {"text_wrap": True},
    "heading": {"bold": True, "font_size": 12, "bottom": 1},
    "label": {"text_wrap": True},
    "label_bold": {"bold": True, "text_wrap": True},
    "fact": {"bold": True},
    "help": {"italic": True, "font_color": "#404040", "text_wrap": True, "font_size": 9},
    "marker": {"bold": True, "align": "left", "indent": 1},
    "marker_note": {"bold": True, "text_wrap": True},
    "header": {"bold": True, "text_wrap": True, "bg_color": "#D9D9D9", "border": 1},
    "row_label": {"text_wrap": True, "border": 1},
    "total_label": {"bold": True, "border": 1},
    "total": {"bold": True, "border": 1, "num_format": "0", "bg_color": "#EDEDED"},
    "number": {"num_format": "0"},
    "status": {"bold": True, "align": "left", "indent": 1},
    "link": {"font_color": "#0563C1", "underline": 1, "text_wrap": True},
    "count": {"bold": True, "num_format": "0", "align": "left", "indent": 1},
    "count_centre": {"num_format": "0", "align": "center"},
    "verdict_label": {"bold": True, "font_size": 14, "valign": "vcenter", "border": 2},
    "verdict": {
        "bold": True,
        "font_size": 14,
        "text_wrap": True,
        "valign": "vcenter",
        "indent": 1,
        "border": 2,
    },
    "descriptor": {"text_wrap": True, "font_size": 9, "border": 1},
    "answer_example": {"bg_color": INPUT_FILL, "border": 4, "border_color": INPUT_BORDER},
    "required_example": {
        "bg_color": REQUIRED_EMPTY_FILL,
        "border": 4,
        "border_color": INPUT_BORDER,
    },
}
_INPUT = {"locked": False, "bg_color": INPUT_FILL, "border": 4, "border_color": INPUT_BORDER}
STYLES.update(
    {
        "input_text": {**_INPUT, "text_wrap": True},
        "input_long": {**_INPUT, "text_wrap": True},
        "input_whole": {**_INPUT, "num_format": "0"},
        "input_decimal": {**_INPUT, "num_format": "0.0"},
        "input_date": {**_INPUT, "num_format": "dd/mm/yyyy"},
    }
)


class _Worksheet(Worksheet):
    """XlsxWriter's worksheet, remembering how it rewrote each formula.

    XlsxWriter runs some seventy regular expressions over every formula and validation rule to
    add Excel's "_xlfn." prefixes. A round writes the same few thousand formulas into every
    council's workbook, so doing that once per distinct formula rather than once per cell is
    about a third of the time it takes to build a workbook.
    """

    _prepared: dict[tuple[str, bool, bool], str] = {}

    def _prepare_formula(self, formula, expand_future_functions=False):
        key = (formula, bool(expand_future_functions), bool(self.use_future_functions))
        done = self._prepared.get(key)
        if done is None:
            done = super()._prepare_formula(formula, expand_future_functions)
            self._prepared[key] = done
        return done


class _Workbook(xlsxwriter.Workbook):
    """XlsxWriter's workbook, writing structure protection (a legacy password hash) as well."""

    def __init__(self, filename, options=None, password_hash: str | None = None) -> None:
        super().__init__(filename, options)
        self._ie_password_hash = password_hash

    def _write_book_views(self) -> None:
        if self._ie_password_hash is not None:
            self._xml_empty_tag(
                "workbookProtection",
                [("workbookPassword", self._ie_password_hash), ("lockStructure", "1")],
            )
        super()._write_book_views()


def render(
    layout: WorkbookLayout,
    password: str,
    properties: dict[str, str],
    custom: dict[str, str] | None = None,
) -> bytes:
    """The finished workbook as bytes; `custom` adds document properties (the issue token)."""
    buffer = io.BytesIO()
    wb = _Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
        password_hash=_password_hash(password),
    )
    wb.set_properties({**properties, "created": FIXED_DATE})
    for key, value in layout.identity.items():
        wb.set_custom_property(property_name(key), value)
    for key, value in (custom or {}).items():
        wb.set_custom_property(key, value)
    # The workbook's default font sets the width of a column unit. Arial (Liberation Sans where
    # Arial is missing) has the same metrics everywhere; Calibri is often missing outside
    # Windows, and its stand-in is wider, which shrinks every printed page.
    wb.formats[0].set_font_name(_BASE["font_name"])
    wb.formats[0].set_font_size(_BASE["font_size"])
    formats = {name: wb.add_format({**_BASE, **spec}) for name, spec in STYLES.items()}
    required_format = wb.add_format({"bg_color": REQUIRED_EMPTY_FILL})
    colour_formats = {
        "error": wb.add_format({"bg_color": "#F4B6B6"}),
        "query": wb.add_format({"bg_color": "#FFE699"}),
        "ok": wb.add_format({"bg_color": "#C6EFCE"}),
    }
    # Keyed by the status words of checks.yaml, whatever they say.
    status_formats = {word: colour_formats[kind] for word, kind in layout.status_colours.items()}

    for sheet in layout.sheets:
        ws = wb.add_worksheet(sheet.name, worksheet_class=_Worksheet)
        for j, width in enumerate(sheet.widths):
            ws.set_column(j, j, width)
        for j, width in sheet.hidden_cols.items():
            ws.set_column(j, j, width, None, {"hidden": True})
        for row, height in sheet.heights.items():
            ws.set_row(row, height)
        for cell in sheet.cells:
            fmt = formats[cell.style]
            if cell.merge_to_col is not None and cell.merge_to_col > cell.col:
                value = "" if cell.value is None or cell.formula else cell.value
                ws.merge_range(cell.row, cell.col, cell.row, cell.merge_to_col, value, fmt)
                if cell.formula is not None:
                    ws.write_formula(cell.row, cell.col, "=" + cell.formula, fmt, cell.value)
            elif cell.formula is not None:
                ws.write_formula(cell.row, cell.col, "=" + cell.formula, fmt, cell.value)
            elif cell.value is None:
                ws.write_blank(cell.row, cell.col, None, fmt)
            else:
                ws.write(cell.row, cell.col, cell.value, fmt)
            if cell.name:
                wb.define_name(
                    cell.name, f"={quote_sheet(sheet.name)}!{cell_ref(cell.row, cell.col, True)}"
                )
        required: list[str] = []
        for inp in sheet.inputs:
            fmt = formats[inp.style]
            if inp.merge_to_col is not None:
                ws.merge_range(inp.row, inp.col, inp.row, inp.merge_to_col, "", fmt)
            else:
                ws.write_blank(inp.row, inp.col, None, fmt)
            if inp.validation:
                ws.data_validation(inp.row, inp.col, inp.row, inp.col, dict(inp.validation))
            wb.define_name(
                inp.name, f"={quote_sheet(sheet.name)}!{cell_ref(inp.row, inp.col, True)}"
            )
            if inp.required:
                last = inp.merge_to_col if inp.merge_to_col is not None else inp.col
                required.append(f"{cell_ref(inp.row, inp.col)}:{cell_ref(inp.row, last)}")
        if required:
            # One rule over all required cells keeps the file small.
            ws.conditional_format(
                required[0].split(":")[0],
                {"type": "blanks", "format": required_format, "multi_range": " ".join(required)},
            )
        # A number cell holding words (pasted past its validation) is shaded red: the collator
        # cannot use it, and the Checks sheet counts it under "Answers to correct".
        columns: dict[int, list[int]] = {}
        for inp in sheet.inputs:
            if inp.field is not None and inp.field.is_number:
                columns.setdefault(inp.col, []).append(inp.row)
        for col, rows in columns.items():
            rows.sort()
            start = prev = rows[0]
            for r in [*rows[1:], None]:
                if r is not None and r == prev + 1:
                    prev = r
                    continue
                top = cell_ref(start, col)
                ws.conditional_format(
                    start,
                    col,
                    prev,
                    col,
                    {
                        "type": "formula",
                        "criteria": f"=AND(LEN(TRIM({top}))>0,ISERROR(--TRIM({top})))",
                        "format": colour_formats["error"],
                    },
                )
                if r is not None:
                    start = prev = r
        for rng, kind in sheet.conditional:
            if kind == "status":
                for word, fmt in status_formats.items():
                    ws.conditional_format(
                        rng.replace("$", ""),
                        {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": fmt},
                    )
        for rng, text, colour in sheet.begins_with:
            ws.conditional_format(
                rng.replace("$", ""),
                {
                    "type": "text",
                    "criteria": "begins with",
                    "value": text,
                    "format": status_formats.get(colour, required_format),
                },
            )
        if sheet.autofilter:
            ws.autofilter(*sheet.autofilter)
        ws.protect(
            password,
            {
                "select_locked_cells": True,
                "select_unlocked_cells": True,
                "autofilter": bool(sheet.autofilter),
            },
        )
        if sheet.hidden == "very_hidden":
            ws.very_hidden()
        elif sheet.hidden == "hidden":
            ws.hide()
        if not sheet.hidden:
            ws.set_paper(9)  # A4
            if sheet.landscape:
                ws.set_landscape()
            ws.fit_to_pages(1, 0)
            ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
            last_row = max([c.row for c in sheet.cells] + [i.row for i in sheet.inputs])
            ws.print_area(0, 0, last_row, len(sheet.widths) - 1)
            ws.set_footer(f"&L{layout.identity['la_name']}: {sheet.name}&RPage &P of &N")
            if sheet.repeat_rows:
                ws.repeat_rows(*sheet.repeat_rows)
            if sheet.freeze_row:
                ws.freeze_panes(sheet.freeze_row, 0)
    for name, choices in layout.lists.items():
        col = sorted(layout.lists).index(name)
        ref = f"{cell_ref(1, col, True)}:{cell_ref(len(choices), col, True)}"
        wb.define_name(name, f"=Lists!{ref}")
    first_visible = next(i for i, s in enumerate(layout.sheets) if not s.hidden)
    wb.worksheets()[first_visible].activate()
    wb.close()
    return buffer.getvalue()


def _password_hash(password: str) -> str:
    """The legacy 16-bit hash Excel uses for sheet and workbook protection (ECMA-376 Part 4)."""
    digest = 0
    for char in password[::-1]:
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password)
    digest ^= 0xCE4B
    return f"{digest:X}"


def lock_structure(package: bytes, password: str) -> bytes:
    """Add workbook structure protection (no adding, deleting or renaming sheets) to a package
    written without it (render writes it itself; kept for packages made elsewhere)."""
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                element = (
                    f'<workbookProtection workbookPassword="{_password_hash(password)}" '
                    'lockStructure="1"/>'
                )
                text, n = re.subn(r"(<bookViews>)", element + r"\1", text, count=1)
                if n != 1:  # pragma: no cover - XlsxWriter always writes bookViews
                    raise RuntimeError("could not find <bookViews> in workbook.xml")
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


__all__ = ["render", "lock_structure", "IDENTITY_SHEET"]
