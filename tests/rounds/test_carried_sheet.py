"""The Checks sheet of a pre-filled workbook raises the carried-forward query (QRY02) itself: a
section whose answers are all still as carried forward is flagged, and changing any answer in it
clears the flag, agreeing with the collator, after LibreOffice recalculates the workbook."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import openpyxl
import pytest

from collate.checks.catalogue import verdict_text
from collate.contract import VERDICT_NAME
from collate.generator.build import workbook_bytes
from collate.intake.reader import read_return
from collate.rounds.carried import carry_forward
from collate.rounds.carried_sheet import COPY_COL
from collate.samples.libreoffice import convert_many

CARRIED = {
    "foundations.edi_strategy": "Yes",
    "foundations.edi_strategy_title": "Fairness for All",
    "diagnostic.p1.c1.level": "Developing",
    "diagnostic.p1.c1.evidence": "A named senior champion since 2025.",
}


def _open(source, data_only=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(source, data_only=data_only)


def _cell(wb, instrument, field_id):
    ((sheet, ref),) = list(wb.defined_names[instrument.field(field_id).name].destinations)
    return wb[sheet][ref.replace("$", "")]


def _carried_rows(wb, instrument) -> dict[str, tuple[str, str]]:
    """Sheet → (status, problem) from the Checks sheet's carried-forward rows."""
    ws = wb["Checks"]
    sheets = set(instrument.sheet_names)
    out = {}
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == "QRY02":
            where = str(ws.cell(r, 3).value).split(",")[0]
            assert where in sheets
            out[where] = (ws.cell(r, 2).value, ws.cell(r, 5).value or "")
    return out


@pytest.fixture(scope="module")
def returns(settings, instrument, libreoffice, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("carried-sheet")
    blank = workbook_bytes(instrument, settings, settings.la_by_name("Essex"))
    data, carried = carry_forward(blank, CARRIED, instrument, "2025-26")
    assert sorted(carried) == sorted(CARRIED)
    (root / "unedited.xlsx").write_bytes(data)
    wb = _open(io.BytesIO(data))
    # The council reviews its foundations (one answer changed) but not its self-assessment.
    _cell(wb, instrument, "foundations.edi_strategy_title").value = "Fairness for All 2025-2028"
    wb.save(root / "edited.xlsx")
    files = [root / "unedited.xlsx", root / "edited.xlsx"]
    convert_many(files, root / "recalculated")
    return {p.stem: root / "recalculated" / p.name for p in files} | {"prefilled": files[0]}


def test_carried_answers_and_their_copies_stay_text(settings, instrument):
    # Text that looks like a formula must stay text, in the answer cell and in its copy.
    looks_like = '=HYPERLINK("http://example.org","Fairness for All")'
    blank = workbook_bytes(instrument, settings, settings.la_by_name("Essex"))
    data, _ = carry_forward(
        blank, {"foundations.edi_strategy_title": looks_like}, instrument, "2025-26"
    )
    wb = _open(io.BytesIO(data))
    answer = _cell(wb, instrument, "foundations.edi_strategy_title")
    assert answer.data_type == "s" and answer.value == looks_like
    copies = [c for (c,) in wb["Checks"].iter_rows(min_col=COPY_COL, max_col=COPY_COL)]
    assert [(c.value, c.data_type) for c in copies if c.value] == [(looks_like, "s")]
    assert wb["Checks"].column_dimensions["AD"].hidden
    # The carried-forward rows' status is coloured like every other check's.
    ws = wb["Checks"]
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "QRY02"]
    assert any(f"B{row}" in cf.sqref and cf.rules for cf in ws.conditional_formatting)


@pytest.mark.parametrize(
    ("name", "flagged"), [("unedited", {"Foundations", "Diagnostic"}), ("edited", {"Diagnostic"})]
)
def test_the_sheet_and_the_collator_flag_the_same_sections(
    returns, name, flagged, settings, instrument
):
    words = instrument.checks.status_words
    wb = _open(returns[name], data_only=True)
    rows = _carried_rows(wb, instrument)
    assert set(rows) == {"Foundations", "Diagnostic"}
    on_sheet = {s for s, (status, _) in rows.items() if status == words.query}
    assert on_sheet == flagged
    for sheet, (status, problem) in rows.items():
        if sheet in flagged:
            assert "carried forward from round 2025-26" in problem and sheet in problem
        else:
            assert (status, problem) == (words.ok, "")

    record = read_return(returns[name], instrument, settings)
    qry02 = {f.sheet for f in record.findings if f.code == "QRY02"}
    assert qry02 == flagged
    # The verdict counts each as a fix-or-explain problem, as the collator's feedback does.
    found = [f for f in record.findings if f.code != "QRY01"]
    queries = [f for f in found if f.severity == "query"]
    errors = sum(1 for f in found if f.severity == "error")
    explained = sum(1 for f in queries if f.explanation)
    ((sheet, ref),) = list(wb.defined_names[VERDICT_NAME].destinations)
    verdict = wb[sheet][ref.replace("$", "")].value
    assert verdict == verdict_text(
        instrument.checks.verdict, errors, len(queries) - explained, explained
    )
