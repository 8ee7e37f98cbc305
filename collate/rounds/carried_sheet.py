"""The Checks sheet's own query for a section carried forward and not reviewed (QRY02).

A pre-filled workbook gets, at the foot of its Checks sheet, one row per section whose answers
were carried forward. Its status is live: the query word while every answer in the section is
still exactly as carried forward, and the OK word as soon as any of them changes, as the
collator's QRY02 decides from the section's fingerprint (collate/rounds/carried.py). The sheet
compares each answer with a copy of the carried value kept in a hidden, locked column of the
Checks sheet. The copies are written as plain text, never as formulas, and only into the
council's own workbook, which already holds the same answers. The rows count towards the
verdict's "fix or explain" problems, so the verdict agrees with the collator's.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from collate.checks.catalogue import _excel_text
from collate.contract import CHECKS_SHEET, COUNT_NAMES
from collate.instrument.model import Field, Instrument

TO_EXPLAIN_NAME = COUNT_NAMES[1]  # the verdict's count of fix-or-explain problems
HEADER = ["Code", "Status", "Where (click to go there)", "What it checks", "Problem"]
#: Hidden columns for the carried copies and whether each answer is unchanged.
COPY_COL, SAME_COL = 30, 31
CODE = "QRY02"


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def add_carried_checks(
    wb,
    instrument: Instrument,
    carried: Mapping[str, list[Field]],
    filled: Mapping[str, Any],
    previous_round: str,
) -> None:
    """Add the live QRY02 rows for each section in `carried` (section → its carried fields,
    with `filled` the values carried) to the workbook's Checks sheet."""
    fc = instrument.checks.file_checks.get(CODE)
    if fc is None or CHECKS_SHEET not in wb.sheetnames or not carried:
        return
    ws: Worksheet = wb[CHECKS_SHEET]
    words = instrument.checks.status_words
    header = next(
        (
            r
            for r in range(1, ws.max_row + 1)
            if [ws.cell(r, c).value for c in range(1, 6)] == HEADER
        ),
        None,
    )
    if header is None:
        return
    # New rows look like the rows of 'Every check' (the first check row's styles).
    styles = [copy(ws.cell(header + 1, c)._style) for c in range(1, 6)]
    heading_style = copy(ws.cell(header - 1, 1)._style)
    top = ws.max_row + 2
    ws.cell(top, 1).value = f"Answers carried forward from round {previous_round}"
    ws.cell(top, 1)._style = heading_style
    for c, text in enumerate(HEADER, start=1):
        cell = ws.cell(top + 1, c, text)
        cell._style = copy(ws.cell(header, c)._style)
    first = row = top + 2
    copy_row = first
    query = _excel_text(words.query)
    for section in sorted(carried, key=lambda s: [x.id for x in instrument.sections].index(s)):
        fields = carried[section]
        sheet = instrument.section(section).sheet
        start = copy_row
        for f in fields:
            value = filled.get(f.id)
            cell = ws.cell(copy_row, COPY_COL)
            if value not in (None, ""):
                cell.value = str(value)
                cell.data_type = "s"  # an answer is text, never a live formula
            ws.cell(
                copy_row, SAME_COL
            ).value = (
                f"=IF(EXACT(TRIM({f.name}),TRIM({get_column_letter(COPY_COL)}{copy_row})),1,0)"
            )
            copy_row += 1
        same = (
            f"SUM({get_column_letter(SAME_COL)}{start}:{get_column_letter(SAME_COL)}"
            f"{copy_row - 1})={len(fields)}"
        )
        message = fc.text(sheet=sheet, found=previous_round)
        where = f"{sheet}, A1"
        values = [
            CODE,
            f"=IF({same},{query},{_excel_text(words.ok)})",
            f'=HYPERLINK("#{_quote(sheet)}!A1",{_excel_text(where)})',
            f"The answers carried forward to the '{sheet}' sheet have been checked "
            "(any change clears this).",
            f'=IF(B{row}={query},{_excel_text(message)},"")',
        ]
        for c, (value, style) in enumerate(zip(values, styles, strict=True), start=1):
            cell = ws.cell(row, c, value)
            cell._style = copy(style)
        # Tall enough for the message to wrap in the Problem column (about 45 characters a line).
        ws.row_dimensions[row].height = max(30, 12.75 * (len(message) // 45 + 2))
        row += 1
    # The same colours as the Status column of 'Every check'.
    status_cell = f"B{header + 1}"
    for cf in list(ws.conditional_formatting):
        if status_cell in cf.sqref:
            for rule in cf.rules:
                ws.conditional_formatting.add(f"B{first}:B{row - 1}", copy(rule))
    for col in (COPY_COL, SAME_COL):
        ws.column_dimensions[get_column_letter(col)].hidden = True
    if ws.print_area:  # print the new rows with the rest of the sheet
        ws.print_area = f"A1:F{row - 1}"
    # The verdict counts a section sent back unreviewed as a fix-or-explain problem, as the
    # collator does (QRY02 is a query).
    dn = wb.defined_names.get(TO_EXPLAIN_NAME)
    if dn is not None:
        ((count_sheet, ref),) = list(dn.destinations)
        count = wb[count_sheet][ref.replace("$", "")]
        if isinstance(count.value, str) and count.value.startswith("="):
            count.value += f"+COUNTIF($B${first}:$B${row - 1},{query})"
