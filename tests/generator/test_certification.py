"""The sign-off on the Cover: who approved the return, their role, the date and the declaration
that it is accurate. Required for acceptance, unless round.yaml turns certification off."""

from __future__ import annotations

import random

import pytest

from collate.analysis.population import load_population
from collate.generator.build import workbook_bytes
from collate.intake.collation import ACCEPTED, MUST_RESUBMIT, status_of
from collate.intake.reader import read_return
from collate.samples.filler import fill_workbook
from collate.samples.returns import answers_for, load_sample_answers

SIGN_OFF = (
    "cover.signed_off_by",
    "cover.signed_off_role",
    "cover.signed_off_date",
    "cover.declaration",
)


@pytest.fixture(scope="module")
def essex_answers(settings, instrument):
    la = settings.la_by_name("Essex")
    population = load_population(settings.population_path, instrument.ethnicity)
    return answers_for(
        la,
        instrument,
        settings,
        load_sample_answers(),
        population[la.gss_code],
        random.Random("certification"),
    )


def fill(tmp_path, settings, instrument, answers, name="return.xlsx"):
    blank = tmp_path / f"blank-{name}"
    blank.write_bytes(workbook_bytes(instrument, settings, settings.la_by_name("Essex")))
    return fill_workbook(blank, tmp_path / name, answers)


def marker_beside(wb, instrument, field_id: str):
    ((sheet, ref),) = list(wb.defined_names[instrument.field(field_id).name].destinations)
    cell = wb[sheet][ref.replace("$", "")]
    return wb[sheet].cell(cell.row, 6).value  # the marker column, after the merged answer


def test_the_cover_asks_for_the_sign_off_and_marks_it_required(essex_wb, instrument):
    assert [instrument.field(f).certification for f in SIGN_OFF] == [True] * 4
    for field_id in SIGN_OFF:
        assert marker_beside(essex_wb, instrument, field_id) == "Required", field_id
    declaration = instrument.field("cover.declaration")
    assert "accurate" in declaration.label and "approved" in declaration.label
    assert declaration.choices == ("Yes, I confirm",)


def test_a_signed_off_return_is_accepted(tmp_path, settings, instrument, essex_answers):
    record = read_return(fill(tmp_path, settings, instrument, essex_answers), instrument, settings)
    assert status_of(record) == ACCEPTED, [f.message for f in record.findings]


def test_a_return_without_its_sign_off_must_be_resubmitted(
    tmp_path, settings, instrument, essex_answers
):
    unsigned = {k: v for k, v in essex_answers.items() if k not in SIGN_OFF}
    record = read_return(fill(tmp_path, settings, instrument, unsigned), instrument, settings)
    assert status_of(record) == MUST_RESUBMIT
    missing = {f.field_id for f in record.findings if f.code == "REQ01"}
    assert missing == set(SIGN_OFF)


def test_certification_can_be_switched_off_for_a_round(
    tmp_path, settings, instrument, essex_answers, open_xlsx
):
    relaxed = settings.model_copy(update={"certification_required": False})
    unsigned = {k: v for k, v in essex_answers.items() if k not in SIGN_OFF}
    path = fill(tmp_path, relaxed, instrument, unsigned)
    wb = open_xlsx(path)
    for field_id in SIGN_OFF:
        assert marker_beside(wb, instrument, field_id) == "Optional", field_id
    record = read_return(path, instrument, relaxed)
    assert status_of(record) == ACCEPTED, [f.message for f in record.findings]
