"""Published exit-interview and SC-WRES figures on the sample returns, against hand-worked values.

The sample returns are synthetic; the figures below were worked out by hand from their counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from collate.analysis.exit_interviews import exit_follow_ons
from collate.analysis.model import REGION
from collate.analysis.round import analyse_collation
from collate.intake.collation import collate_folder
from collate.measures.exit_interviews import NOBODY_ASKED
from collate.measures.workforce import CLEARLY_HIGHER, TOO_FEW_TO_BE_SURE
from collate.report.builder import write_report

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def analysis(settings, instrument):
    return analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))


@pytest.fixture(scope="module")
def doc(analysis, tmp_path_factory):
    return Document(str(write_report(analysis, tmp_path_factory.mktemp("published"))))


def _text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def _table(doc, first_cell: str) -> list[list[str]]:
    for t in doc.tables:
        if t.rows[0].cells[0].text == first_cell:
            return [[c.text for c in row.cells] for row in t.rows]
    raise AssertionError(f"no table starting {first_cell!r}")


def _wres(frame, la, indicator, measure="relative likelihood"):
    row = frame[
        (frame["la"] == la) & (frame["indicator"] == indicator) & (frame["measure"] == measure)
    ]
    assert len(row) == 1
    return row.iloc[0]


def _exit(frame, la, question, group):
    row = frame[(frame["la"] == la) & (frame["question"] == question) & (frame["group"] == group)]
    assert len(row) == 1
    return row.iloc[0]


def test_follow_on_questions_come_from_the_question_set(instrument):
    assert exit_follow_ons(instrument) == {
        "able_to_report": "experienced_racism",
        "reported": "experienced_racism",
        "supported": "reported",
    }


def test_exit_follow_on_shares_are_of_those_asked(analysis):
    e = analysis.exit_published
    # Region, minority ethnic: 20 of the 34 who said they experienced racism felt able to report
    # it (58.8%), not 20 of the 116 interviewed (17.2%).
    r = _exit(e, REGION, "able_to_report", "minority_ethnic")
    assert (r["yes"], r["base"]) == ("20", "34")
    assert round(r["share"], 1) == 58.8
    # Hertfordshire, minority ethnic: 6 of the 12 who experienced racism reported it (50.0%),
    # not 6 of the 38 interviewed (15.8%).
    h = _exit(e, "Hertfordshire", "reported", "minority_ethnic")
    assert (h["yes"], h["base"], round(h["share"], 1)) == ("6", "12", 50.0)
    # 8 of the 12 felt able to report it: 66.7% of 12 would show that 4 did not, a count of 1 to
    # 5, so the share and the yes count are withheld (the unsuppressed figures keep them).
    h = _exit(e, "Hertfordshire", "able_to_report", "minority_ethnic")
    assert (h["yes"], h["base"], h["reason"]) == ("c", "12", "small numbers")
    assert h["share"] != h["share"]  # NaN: withheld
    u = _exit(analysis.exit, "Hertfordshire", "able_to_report", "minority_ethnic")
    assert (u["yes"], u["base"], round(u["share"], 1)) == (8, 12, 66.7)
    # Not a follow-on: of everyone interviewed, 34 of 116. The region's 116 is withheld: three
    # councils' counts of 1 to 5 are withheld, and Southend-on-Sea, knowing its own 3, would
    # narrow Peterborough's 5 to 4 or 5 from it (tests/test_exit_disclosure.py).
    r = _exit(e, REGION, "experienced_racism", "minority_ethnic")
    assert (r["yes"], r["base"]) == ("34", "c")
    u = _exit(analysis.exit, REGION, "experienced_racism", "minority_ethnic")
    assert (u["yes"], u["base"], round(u["share"], 1)) == (34, 116, 29.3)
    # Nobody in the group was asked: no share, with the reason, never 0.0.
    r = _exit(e, REGION, "able_to_report", "not_known")
    assert r["base"] == "0" and r["reason"] == NOBODY_ASKED
    assert r["share"] != r["share"]  # NaN: not computed
    # A base of 1 to 5 is withheld: Hertfordshire's white leavers who experienced racism.
    h = _exit(e, "Hertfordshire", "able_to_report", "white")
    assert h["base"] == "c" and h["reason"] == "small numbers"
    # The programme manager's unsuppressed figures use the same bases.
    u = _exit(analysis.exit, "Hertfordshire", "supported", "minority_ethnic")
    assert (u["yes"], u["base"]) == (3, 6)
    assert u["share"] == pytest.approx(50.0)


def test_exit_tables_in_the_report(doc):
    region = {r[0]: r for r in _table(doc, "Question")}
    able = region["Said they felt able to report racism"]
    assert able[2] == "20 of 34\n(58.8%)"  # minority ethnic
    assert able[3] == "0 of 0\n([x])"  # not known: nobody was asked
    text = _text(doc)
    assert "percentages are of the leavers asked, not of everyone interviewed" in text


def test_wres_likelihoods_carry_intervals(analysis, doc):
    w = analysis.wres_published
    # Region, indicator 3: 30 of 1,710 against 77 of 9,407 (see the measures tests).
    r = _wres(w, REGION, "3")
    assert (r["minority_ethnic"], r["white"]) == ("30 of 1710", "77 of 9407")
    assert round(r["low"], 2) == 1.41 and round(r["high"], 2) == 3.26
    assert r["finding"] == CLEARLY_HIGHER
    # A withheld likelihood has no interval in the published figures.
    r = _wres(w, REGION, "4")
    assert r["reason"] == "small numbers" and r["low"] != r["low"] and r["finding"] == ""
    # Outside the band with an interval that includes 1: too few to be sure.
    r = _wres(w, "Luton", "2")
    assert r["low"] < 1 < r["high"] and r["finding"] == TOO_FEW_TO_BE_SURE
    region = {row[0].split(".")[0]: row for row in _table(doc, "Indicator")[1:]}
    assert region["3"][2] == "2.14 (1.41 to 3.26)"
    assert region["3"][5] == "Outside band: clearly higher"
    assert region["4"][2] == "[c]"
    text = _text(doc)
    assert (
        "the relative likelihood of entering the formal disciplinary process is 2.14 "
        "(95% confidence interval 1.41 to 3.26): clearly higher for minority ethnic staff"
    ) in text
    assert "Katz log method" in text and "Biometrics 34" in text


def test_wres_indicators_6_and_7_as_likelihoods(analysis, doc):
    w = analysis.wres_published
    # Central Bedfordshire, indicator 6: 33.0% of minority ethnic and 15.5% of white staff:
    # 33.0 ÷ 15.5 = 2.13, beside the gap of 17.5 points.
    r = _wres(w, "Central Bedfordshire", "6")
    assert r["value"] == pytest.approx(33 / 15.5)
    assert (r["minority_ethnic"], r["white"], r["direction"]) == (
        "33.0%",
        "15.5%",
        "minority ethnic ÷ white",
    )
    gap = _wres(w, "Central Bedfordshire", "6", "percentage points")
    assert gap["value"] == pytest.approx(17.5)
    survey = next(
        t
        for t in doc.tables
        if t.rows[1].cells[1].text == "Relative likelihood"
        and t.rows[1].cells[2].text == "Gap (points)"
    )
    cb = next(row for row in survey.rows if row.cells[0].text == "Central Bedfordshire")
    assert cb.cells[1].text.split("\n")[:2] == ["2.13", "(1.21 to 3.74)"]
    assert cb.cells[2].text == "17.5"


def test_grouping_statement_names_the_grouping_used(doc):
    text = _text(doc)
    assert "grouped as the Department for Education groups them" not in text
    assert "Office for National Statistics (ONS) Census 2021 classification" in text
    assert "Chinese is counted under Asian or Asian British, as in the Census" in text
    assert "White British is shown apart from Other White" in text


def test_a_follow_on_needs_a_counted_yes_question(instrument):
    import dataclasses

    from collate.errors import InstrumentError
    from collate.instrument.model import QuestionSetBlock

    section = instrument.section("exit_interviews")

    def with_asked_if(value):
        blocks = tuple(
            dataclasses.replace(
                b,
                questions=tuple(
                    q.model_copy(update={"asked_if": value}) if q.id == "able_to_report" else q
                    for q in b.questions
                ),
            )
            if isinstance(b, QuestionSetBlock)
            else b
            for b in section.blocks
        )
        changed = dataclasses.replace(section, blocks=blocks)
        return dataclasses.replace(
            instrument,
            sections=tuple(changed if s.id == section.id else s for s in instrument.sections),
        )

    with pytest.raises(InstrumentError, match="experienced_racism = No"):
        exit_follow_ons(with_asked_if("experienced_racism = No"))
    with pytest.raises(InstrumentError, match="do not count 'Yes' answers"):
        exit_follow_ons(with_asked_if("q6 = Yes"))


def test_wres_chart_description_gives_intervals_and_says_why_a_value_is_missing(doc):
    from docx.oxml.ns import qn

    descriptions = [
        el.get("descr") or ""
        for el in doc.element.body.iter(qn("wp:docPr"))
        if "relative likelihoods (minority ethnic ÷ white)" in (el.get("descr") or "")
    ]
    assert len(descriptions) == 1
    desc = descriptions[0]
    # A withheld value names no band; a computed one gives its interval and finding.
    assert "x (outside the band)" not in desc and "c (outside the band)" not in desc
    assert "Central Bedfordshire withheld (small numbers)" in desc
    assert "All returning LAs 2.14 (95% interval 1.41 to 3.26), clearly higher" in desc
    assert "Luton 0.72 (95% interval 0.38 to 1.39), outside the band but too few to be sure" in desc
