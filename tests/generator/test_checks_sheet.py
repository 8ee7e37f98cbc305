"""The Checks sheet as a council uses it: a live verdict that agrees with the collator, the
problems listed first, and links that land on the cell they name.

The verdict is compared on every shipped flawed sample and a good one, each opened, recalculated
and saved by LibreOffice, against what the collator says of the same file (read for the round
the workbook was made for, since the sheet cannot know which round the programme is in).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from collate.checks.catalogue import verdict_text
from collate.contract import COUNT_NAMES, VERDICT_NAME
from collate.generator.layout import PROBLEM_ROWS
from collate.intake.collation import (
    ACCEPTED,
    ACCEPTED_WITH_QUERIES,
    MUST_RESUBMIT,
    status_of,
)
from collate.intake.reader import read_return
from collate.samples.libreoffice import resave_xlsx
from collate.settings import ROOT

SAMPLES = ROOT / "sample_returns"
FLAWED = sorted((SAMPLES / "flawed").glob("*.xlsx"))
GOOD = sorted(SAMPLES.glob("SAMPLE_Essex_*.xlsx"))
LINK = re.compile(r'^=HYPERLINK\("#(?P<target>[^"]+)",')


def named_value(wb, name: str):
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


def round_of(path: Path, open_xlsx) -> str:
    return named_value(open_xlsx(path), "ie_meta_round")


def collator_counts(record) -> tuple[int, int, int]:
    """Must-fix problems, queries not yet explained and queries explained, as the feedback says."""
    found = [f for f in record.findings if f.code != "QRY01"]
    queries = [f for f in found if f.severity == "query"]
    explained = sum(1 for f in queries if f.explanation)
    errors = sum(1 for f in found if f.severity == "error")
    return errors, len(queries) - explained, explained


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, libreoffice) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("recalculated")
    return {p.name: resave_xlsx(p, folder / p.stem) for p in FLAWED + GOOD}


def test_there_are_flawed_samples_to_compare():
    assert len(FLAWED) >= 3 and GOOD


@pytest.mark.libreoffice
@pytest.mark.parametrize("path", FLAWED + GOOD, ids=lambda p: p.name)
def test_verdict_in_libreoffice_equals_the_collators(
    path, recalculated, settings, instrument, open_xlsx
):
    made_for = settings.model_copy(update={"round": round_of(path, open_xlsx)})
    record = read_return(path, instrument, made_for)
    assert record.readable, [f.message for f in record.findings]
    must_fix, to_explain, explained = collator_counts(record)
    wb = open_xlsx(recalculated[path.name], data_only=True)
    sheet = tuple(named_value(wb, name) for name in COUNT_NAMES)
    assert sheet == (must_fix, to_explain, explained)
    words = instrument.checks.verdict
    verdict = named_value(wb, VERDICT_NAME)
    assert verdict == verdict_text(words, must_fix, to_explain, explained)
    status = status_of(record)
    if status == MUST_RESUBMIT:
        assert verdict.startswith(words.not_ready) and must_fix > 0
    elif status == ACCEPTED_WITH_QUERIES:
        assert must_fix == 0 and to_explain + explained > 0
    else:
        assert status == ACCEPTED and verdict == words.ready


@pytest.mark.libreoffice
def test_the_flawed_samples_cover_each_verdict(settings, instrument, open_xlsx):
    statuses = set()
    for path in FLAWED + GOOD:
        made_for = settings.model_copy(update={"round": round_of(path, open_xlsx)})
        statuses.add(status_of(read_return(path, instrument, made_for)))
    assert statuses == {MUST_RESUBMIT, ACCEPTED_WITH_QUERIES, ACCEPTED}


@pytest.mark.libreoffice
def test_problems_are_listed_first_must_fix_first(recalculated, instrument, open_xlsx):
    luton = next(p for p in FLAWED if p.name.startswith("Luton"))
    ws = open_xlsx(recalculated[luton.name], data_only=True)["Checks"]
    words = instrument.checks.status_words
    heading = instrument.checks.verdict.problems_heading
    top = next(r for r in range(1, 60) if ws.cell(r, 1).value == heading) + 3
    listed = [
        (ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 3).value, ws.cell(r, 4).value)
        for r in range(top, top + PROBLEM_ROWS)
        if ws.cell(r, 1).value
    ]
    # Luton's sheet-level problems: WF02 and CF01 fail (the text in a count and the empty
    # highlights are counted in the table of sheets, not listed as checks).
    assert [code for code, *_ in listed] == ["WF02", "CF01"]
    assert all(status == words.error for _, status, _, _ in listed)
    assert listed[1][2] == "Children and families, C40"
    assert "the rows add up to" in listed[1][3]


def test_every_link_lands_on_the_cell_it_names(essex_wb, instrument):
    ws = essex_wb["Checks"]
    targets = {}
    for row in ws.iter_rows():
        for cell in row:
            m = LINK.match(str(cell.value or ""))
            if m:
                targets[cell.coordinate] = m.group("target")
    assert len(targets) > len(instrument.checks.workbook_checks())
    for coordinate, target in targets.items():
        sheet, _, ref = target.rpartition("!")
        sheet = sheet.strip("'").replace("''", "'")
        assert sheet in essex_wb.sheetnames, coordinate
        essex_wb[sheet][ref]  # a real cell reference
    # Each check's link goes to the named cell of the answer it is about.
    header = next(r for r in range(1, ws.max_row) if ws.cell(r, 4).value == "What it checks")
    for offset, check in enumerate(instrument.checks.workbook_checks(), start=1):
        row = header + offset
        assert ws.cell(row, 1).value == check.code
        target = targets[f"C{row}"]
        name = instrument.field(check.primary_field).name
        ((sheet, ref),) = list(essex_wb.defined_names[name].destinations)
        assert target == f"'{sheet}'!{ref.replace('$', '')}", check.id
        # ... and the hidden copy the summary's links use is the same.
        assert ws.cell(row, 8).value == "#" + target


def test_every_check_says_what_it_checks_while_it_passes(essex_values_wb, instrument):
    ws = essex_values_wb["Checks"]
    header = next(r for r in range(1, ws.max_row) if ws.cell(r, 4).value == "What it checks")
    for offset, check in enumerate(instrument.checks.workbook_checks(), start=1):
        text = ws.cell(header + offset, 4).value
        assert text == check.description and len(text) > 20
        assert "{" not in text and "_" not in text, text


def test_the_checks_table_header_repeats_on_every_printed_page(essex_wb):
    ws = essex_wb["Checks"]
    header = next(r for r in range(1, ws.max_row) if ws.cell(r, 4).value == "What it checks")
    assert ws.print_title_rows == f"${header}:${header}"


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        ((0, 0, 0), "Ready to send"),
        ((0, 0, 2), "Ready to send: every query is explained"),
        ((1, 0, 0), "Not ready to send: 1 must-fix problem remains"),
        ((2, 0, 0), "Not ready to send: 2 must-fix problems remain"),
        ((0, 1, 0), "Not ready to send: 1 fix-or-explain problem remains"),
        ((1, 1, 0), "Not ready to send: 1 must-fix problem and 1 fix-or-explain problem remain"),
        ((3, 2, 1), "Not ready to send: 3 must-fix problems and 2 fix-or-explain problems remain"),
    ],
)
def test_verdict_wording(instrument, counts, text):
    assert verdict_text(instrument.checks.verdict, *counts) == text


INTERNAL = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b|\bie_|[{}]")


def visible_texts(wb):
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    yield ws.title, cell.coordinate, cell.value


def test_no_visible_cell_of_a_blank_workbook_holds_an_internal_id(essex_values_wb):
    found = [t for t in visible_texts(essex_values_wb) if INTERNAL.search(t[2])]
    assert found == []


@pytest.mark.libreoffice
def test_no_visible_cell_of_a_recalculated_return_holds_an_internal_id(recalculated, open_xlsx):
    for path in recalculated.values():
        wb = open_xlsx(path, data_only=True)
        found = [t for t in visible_texts(wb) if INTERNAL.search(t[2])]
        assert found == [], path.name


def test_follow_on_questions_say_when_they_are_asked_in_words(essex_values_wb):
    ws = essex_values_wb["Exit interviews"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    asked = [t for t in texts if t.startswith("Only if")]
    assert asked == [
        "Only if the answer to question 7 is 'Yes'",
        "Only if the answer to question 7 is 'Yes'",
        "Only if the answer to question 9 is 'Yes'",
    ]


def test_required_is_written_beside_every_level_on_the_diagnostic(essex_wb, instrument):
    ws = essex_wb["Diagnostic"]
    for criterion in instrument.criteria:
        ((_, ref),) = list(essex_wb.defined_names[criterion.level.name].destinations)
        cell = ws[ref.replace("$", "")]
        assert ws.cell(cell.row, cell.column + 1).value == "Required", criterion.ref
