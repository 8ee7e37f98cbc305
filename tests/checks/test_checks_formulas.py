"""The Checks sheet says what the collator will say: its formulas against `Check.evaluate`.

(a) A fresh workbook shows true results before anything is recalculated: every formula's cached
    value is what Python gives for an empty return.
(b) A filled workbook, recalculated by LibreOffice, shows for every check the status word and
    message that Python gives for the same answers read back by the collator's reader.
"""

from __future__ import annotations

import datetime as dt

import pytest

from collate.checks.catalogue import is_blank
from collate.intake.reader import read_return
from collate.samples.filler import fill_workbook
from collate.samples.libreoffice import resave_xlsx

HEADER = ["Code", "Status", "Where (click to go there)", "What it checks", "Problem"]
STATUS_COL, MESSAGE_COL = 2, 5


# ---------------------------------------------------------------------------------------------
# Reading the Checks sheet
# ---------------------------------------------------------------------------------------------


def status_word(check, verdict, words) -> str:
    if verdict.status == "ok":
        return words.ok
    if verdict.status == "waiting":
        return words.waiting
    if verdict.status == "not_needed":
        return words.not_needed
    return words.error if check.severity == "error" else words.query


def check_rows(ws, checks) -> dict[str, int]:
    """Check id → row on the Checks sheet; rows follow the header in catalogue order."""
    header = next(
        r for r in range(1, ws.max_row + 1) if [ws.cell(r, c).value for c in range(1, 6)] == HEADER
    )
    rows = {}
    for offset, check in enumerate(checks, start=1):
        row = header + offset
        assert ws.cell(row, 1).value == check.code, f"row {row}: expected {check.id}"
        rows[check.id] = row
    assert ws.cell(header + len(checks) + 1, 1).value is None  # no rows beyond the catalogue
    return rows


def completion_rows(ws, instrument) -> dict[str, tuple[int, int]]:
    """Sheet name → (required answers, still empty) from the table of sheets."""
    names = set(instrument.sheet_names)
    out = {}
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value in names and isinstance(ws.cell(r, 3).value, int):
            out[ws.cell(r, 1).value] = (ws.cell(r, 3).value, ws.cell(r, 4).value)
    return out


def summary_counts(ws, instrument) -> dict[str, int]:
    """The counts under the verdict, by their label."""
    v = instrument.checks.verdict
    labels = (v.must_fix_label, v.to_explain_label, v.explained_label, v.waiting_label)
    return {
        ws.cell(r, 1).value: ws.cell(r, 3).value
        for r in range(1, 40)
        if ws.cell(r, 1).value in labels
    }


def assert_checks_sheet_agrees(ws, instrument, values, raw) -> dict[str, str]:
    """Every check row, the completion table and the summary agree with Python. Returns the
    status word of each check, for the caller to make sure the case is not trivial."""
    words = instrument.checks.status_words
    checks = instrument.checks.workbook_checks()
    rows = check_rows(ws, checks)
    seen: dict[str, str] = {}
    problems = []
    for check in checks:
        verdict = check.evaluate(values)
        want_status = status_word(check, verdict, words)
        want_message = check.message(verdict) if verdict.status == "fail" else ""
        got_status = ws.cell(rows[check.id], STATUS_COL).value
        got_message = ws.cell(rows[check.id], MESSAGE_COL).value or ""
        if (got_status, got_message) != (want_status, want_message):
            problems.append(
                f"{check.id}: sheet says {got_status!r} / {got_message!r}, "
                f"Python says {want_status!r} / {want_message!r}"
            )
        seen[check.id] = want_status
    assert problems == []

    # Required answers still empty, by sheet.
    required_sections = [s for s in instrument.sections if any(f.required for f in s.fields())]
    completion = completion_rows(ws, instrument)
    assert [s for s in completion if completion[s][0]] == [s.sheet for s in required_sections]
    for s in required_sections:
        required = [f for f in s.fields() if f.required]
        empty = sum(1 for f in required if is_blank(raw.get(f.id)))
        assert completion[s.sheet] == (len(required), empty), s.sheet

    # The counts under the verdict.
    v = instrument.checks.verdict
    counts = summary_counts(ws, instrument)
    assert counts[v.waiting_label] == list(seen.values()).count(words.waiting)
    return seen


# ---------------------------------------------------------------------------------------------
# (a) Cached values in a freshly generated workbook
# ---------------------------------------------------------------------------------------------


def test_fresh_workbook_caches_the_results_of_an_empty_return(instrument, essex_values_wb):
    seen = assert_checks_sheet_agrees(essex_values_wb["Checks"], instrument, {}, {})
    words = instrument.checks.status_words
    assert set(seen.values()) == {words.waiting, words.not_needed}
    # Only conditional checks (required_if) are "not needed" while their condition is empty.
    for check in instrument.checks.workbook_checks():
        expected = words.not_needed if check.rule.type == "required_if" else words.waiting
        assert seen[check.id] == expected, check.id
    assert len(seen) == len(instrument.checks.workbook_checks()) > 100


def test_fresh_workbook_caches_zero_for_every_table_total(instrument, essex_wb, essex_values_wb):
    # The Total rows and columns show 0 on first open, not an empty or stale value.
    totals = 0
    for name in instrument.sheet_names:
        for c in essex_wb[name]._cells.values():
            if isinstance(c.value, str) and c.value.startswith("=SUM("):
                totals += 1
                cached = essex_values_wb[name][c.coordinate].value
                assert cached == 0, f"{name}!{c.coordinate} caches {cached!r}"
    assert totals > 20


# ---------------------------------------------------------------------------------------------
# (b) A filled workbook recalculated by LibreOffice
# ---------------------------------------------------------------------------------------------

PAY_BANDS = ["band_1", "band_2", "band_3", "band_4", "band_5", "band_6"]
SENIORITY = ["practitioner", "first_line", "middle", "senior"]


def answers_with_passes_and_failures(instrument) -> dict:
    """A plausible part-filled return: some checks pass, some fail, most are still waiting."""
    a: dict = {
        "cover.respondent_name": "Test Respondent",
        "cover.respondent_role": "Anti-racist practice lead",
        "cover.respondent_email": "test.respondent@example.org",
        "cover.date_completed": dt.date(2027, 1, 10),
        "cover.signed_off_by": "Test Director",
        "cover.signed_off_role": "Director of Children's Services",
        "cover.signed_off_date": dt.date(2027, 1, 11),
        "cover.declaration": "Yes, I confirm",
        # FND01 fails (strategy but no name); FND02 passes.
        "foundations.edi_strategy": "Yes",
        "foundations.cs_strategy": "No",
        "foundations.pledge_adopted": "In development",
        # DIA01: Established with no evidence is a query; Developing with evidence passes;
        # Not yet in place needs no evidence.
        "diagnostic.p1.c1.level": "Established",
        "diagnostic.p1.c2.level": "Developing",
        "diagnostic.p1.c2.evidence": "A named senior champion since 2025.",
        "diagnostic.p1.c3.level": "Not yet in place",
        "diagnostic.p1.working": "The board meets monthly.",
        # WF02: more minority ethnic candidates appointed than shortlisted fails; white passes.
        "workforce.events.shortlisted.minority_ethnic": 3,
        "workforce.events.appointed.minority_ethnic": 5,
        "workforce.events.shortlisted.white": 10,
        "workforce.events.appointed.white": 4,
        # EX01 fails for the groups with no count; EX02 fails where answers exceed interviews.
        "exit_interviews.adoption": "Yes, all of the regional questions",
        "exit_interviews.results.interviewed.minority_ethnic": 2,
        "exit_interviews.results.experienced_racism.minority_ethnic": 3,
        "exit_interviews.results.able_to_report.minority_ethnic": 1,
        # SP01 fails (a name with no description); SP02 passes (a contact).
        "sharing_practice.entry1.title": "Reverse mentoring",
        "sharing_practice.entry1.contact_name": "Ann Example",
    }
    # WF01 for white: pay bands 0+1+...+5 = 15 = seniority 15 (passes).
    for i, band in enumerate(PAY_BANDS):
        a[f"workforce.pay_band.{band}.white"] = i
    for row, n in zip(SENIORITY, [12, 2, 1, 0], strict=True):
        a[f"workforce.seniority.{row}.white"] = n
    codes = [c.code.lower() for c in instrument.ethnicity.children_codes]
    for i, code in enumerate(codes):
        a[f"children_families.counts.{code}.referrals"] = i + 1  # sums to 210, total says 999
        a[f"children_families.counts.{code}.cin"] = 2  # 40 = total; refused + not obtained 4 = 10%
        a[f"children_families.counts.{code}.cla"] = 3 if code in ("refu", "nobt") else 1
    a["children_families.totals.all.referrals"] = 999  # CF01 fails
    a["children_families.totals.all.cin"] = 40  # CF01 passes; CF04 passes exactly at 10%
    a["children_families.totals.all.cla"] = 24  # CF01 passes; CF04 fails (6 of 24); CF03 passes
    return a


EXPECTED_FAILURES = {
    "FND01",
    "DIA01.p1.c1",
    "WF02.minority_ethnic",
    "CF01.referrals",
    "CF04.cla",
    "EX01.white",
    "EX01.not_known",
    "EX02.experienced_racism.minority_ethnic",
    "SP01.1",
}
EXPECTED_PASSES = {
    "FND02",
    "DIA01.p1.c2",
    "DIA01.p1.c3",
    "WF01.white",
    "WF02.white",
    "CF01.cin",
    "CF01.cla",
    "CF03",
    "CF04.cin",
    "CF04.referrals",
    "EX01.minority_ethnic",
    "EX02.able_to_report.minority_ethnic",
    "SP02.1",
}


@pytest.fixture(scope="module")
def filled(instrument, essex_path, tmp_path_factory, libreoffice):
    """Essex's workbook typed into, then opened and saved (recalculated) by LibreOffice."""
    folder = tmp_path_factory.mktemp("filled")
    typed = fill_workbook(
        essex_path, folder / essex_path.name, answers_with_passes_and_failures(instrument)
    )
    return typed, resave_xlsx(typed, folder / "libreoffice")


@pytest.mark.libreoffice
def test_recalculated_checks_sheet_matches_python_for_every_check(
    settings, instrument, filled, open_xlsx
):
    typed, resaved = filled
    record = read_return(typed, instrument, settings)
    assert record.readable and record.la.name == "Essex"
    # LibreOffice changed no answer on the way.
    assert read_return(resaved, instrument, settings).values == record.values
    ws = open_xlsx(resaved, data_only=True)["Checks"]
    seen = assert_checks_sheet_agrees(ws, instrument, record.values, record.raw)
    words = instrument.checks.status_words
    failing = {cid for cid, w in seen.items() if w in (words.error, words.query)}
    assert failing == EXPECTED_FAILURES
    assert {cid for cid, w in seen.items() if w == words.ok} >= EXPECTED_PASSES


@pytest.mark.libreoffice
def test_failing_rows_name_the_figures_in_their_message(filled, open_xlsx, instrument):
    # A spot check that the live message carries the values, as Python's does.
    ws = open_xlsx(filled[1], data_only=True)["Checks"]
    rows = check_rows(ws, instrument.checks.workbook_checks())
    assert ws.cell(rows["WF02.minority_ethnic"], MESSAGE_COL).value.startswith(
        "5 Minority ethnic candidates appointed is more than the 3 shortlisted."
    )
    assert (
        "add up to 210 but your total is 999" in ws.cell(rows["CF01.referrals"], MESSAGE_COL).value
    )
    assert "'Established'" in ws.cell(rows["DIA01.p1.c1"], MESSAGE_COL).value


# ---------------------------------------------------------------------------------------------
# Known disagreements between the sheet and the collator
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pasted(essex_path, tmp_path_factory, libreoffice):
    """Answers an LA can produce by pasting: spaces only in a required cell, a figure as text."""
    folder = tmp_path_factory.mktemp("pasted")
    typed = fill_workbook(
        essex_path,
        folder / essex_path.name,
        {
            "foundations.pledge_adopted": "   ",
            "workforce.events.shortlisted.white": 3,
            "workforce.events.appointed.white": "5",
        },
    )
    return typed, resave_xlsx(typed, folder / "libreoffice")


@pytest.mark.libreoffice
def test_spaces_only_answer_counts_as_empty_on_the_sheet_too(
    settings, instrument, pasted, open_xlsx
):
    typed, resaved = pasted
    record = read_return(typed, instrument, settings)
    foundations = instrument.section("foundations")
    missing = sum(
        1 for f in record.findings if f.code == "REQ01" and f.field_id.startswith("foundations.")
    )
    assert missing == sum(f.required for f in foundations.fields())  # spaces are no answer
    ws = open_xlsx(resaved, data_only=True)["Checks"]
    assert completion_rows(ws, instrument)["Foundations"][1] == missing


@pytest.mark.libreoffice
def test_figure_pasted_as_text_is_checked_on_the_sheet_as_by_the_collator(
    settings, instrument, pasted, open_xlsx
):
    typed, resaved = pasted
    record = read_return(typed, instrument, settings)
    assert record.values["workforce.events.appointed.white"] == 5
    words = instrument.checks.status_words
    check = next(c for c in instrument.checks.checks if c.id == "WF02.white")
    assert status_word(check, check.evaluate(record.values), words) == words.error
    ws = open_xlsx(resaved, data_only=True)["Checks"]
    rows = check_rows(ws, instrument.checks.workbook_checks())
    assert ws.cell(rows["WF02.white"], STATUS_COL).value == words.error


# ---------------------------------------------------------------------------------------------
# The verdict's counts agree with the collator beyond the shipped samples
# ---------------------------------------------------------------------------------------------


def sheet_counts(path, open_xlsx) -> tuple[int, int, int]:
    from collate.contract import COUNT_NAMES

    wb = open_xlsx(path, data_only=True)
    out = []
    for name in COUNT_NAMES:
        ((sheet, ref),) = list(wb.defined_names[name].destinations)
        out.append(wb[sheet][ref.replace("$", "")].value)
    return tuple(out)


def collator_counts(record) -> tuple[int, int, int]:
    found = [f for f in record.findings if f.code != "QRY01"]
    queries = [f for f in found if f.severity == "query"]
    explained = sum(1 for f in queries if f.explanation)
    return sum(f.severity == "error" for f in found), len(queries) - explained, explained


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", ["filled", "pasted"])
def test_verdict_counts_agree_with_the_collator(case, request, settings, instrument, open_xlsx):
    typed, resaved = request.getfixturevalue(case)
    record = read_return(typed, instrument, settings)
    counts = collator_counts(record)
    assert counts[0] > 0
    if case == "pasted":
        assert counts[1] >= 1  # the figure typed as text is a query with no explanation
    assert sheet_counts(resaved, open_xlsx) == counts


@pytest.fixture(scope="module")
def mixed(essex_path, tmp_path_factory, libreoffice, instrument):
    """One of each kind of answer the collator refuses, pasted past the cells' validation, and
    an explained query."""
    folder = tmp_path_factory.mktemp("mixed")
    answers = answers_with_passes_and_failures(instrument)
    answers.update(
        {
            "workforce.staff_survey.harassment_public.white": 150,  # out of range (VAL02)
            "workforce.staff_survey.respondents.white": 12.5,  # not whole (VAL03)
            "foundations.pledge_adopted": "Maybe",  # not on the list (VAL04)
            "cover.respondent_name": "x" * 150,  # too long (VAL05)
            "cover.date_completed": "soon",  # not a date (VAL06)
            "workforce.staff_survey.respondents.minority_ethnic": "about 30",  # VAL01
        }
    )
    dia01 = next(c for c in instrument.checks.checks if c.id == "DIA01.p1.c1")
    typed = fill_workbook(
        essex_path,
        folder / essex_path.name,
        answers,
        {dia01.explanation_name: "Evidence is in our board papers."},
    )
    return typed, resave_xlsx(typed, folder / "libreoffice")


@pytest.mark.libreoffice
def test_verdict_counts_agree_for_every_kind_of_unusable_answer(
    mixed, settings, instrument, open_xlsx
):
    typed, resaved = mixed
    record = read_return(typed, instrument, settings)
    codes = {f.code for f in record.findings}
    assert {"VAL01", "VAL02", "VAL03", "VAL04", "VAL05", "VAL06"} <= codes
    counts = collator_counts(record)
    assert counts[2] == 1  # the explained query
    assert sheet_counts(resaved, open_xlsx) == counts
