"""Published exit-interview and SC-WRES figures on the sample returns, against hand-worked values.

The sample returns are synthetic; the figures below were worked out by hand from their counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from collate.analysis import WRES_REGION, analyse_collation, exit_follow_ons
from collate.collation import collate_folder
from collate.measures.exit_interviews import NOBODY_ASKED

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def analysis(settings, instrument):
    return analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))


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
    r = _exit(e, WRES_REGION, "able_to_report", "minority_ethnic")
    assert (r["yes"], r["base"]) == ("20", "34")
    assert round(r["share"], 1) == 58.8
    # Hertfordshire, minority ethnic: 8 and 6 of the 12 who experienced racism (66.7%, 50.0%),
    # not of the 38 interviewed (21.1%, 15.8%).
    h = _exit(e, "Hertfordshire", "able_to_report", "minority_ethnic")
    assert (h["yes"], h["base"], round(h["share"], 1)) == ("8", "12", 66.7)
    h = _exit(e, "Hertfordshire", "reported", "minority_ethnic")
    assert (h["yes"], h["base"], round(h["share"], 1)) == ("6", "12", 50.0)
    # Not a follow-on: of everyone interviewed, 34 of 116.
    r = _exit(e, WRES_REGION, "experienced_racism", "minority_ethnic")
    assert (r["yes"], r["base"], round(r["share"], 1)) == ("34", "116", 29.3)
    # Nobody in the group was asked: no share, with the reason, never 0.0.
    r = _exit(e, WRES_REGION, "able_to_report", "not_known")
    assert r["base"] == "0" and r["reason"] == NOBODY_ASKED
    assert r["share"] != r["share"]  # NaN: not computed
    # A base of 1 to 5 is withheld: Hertfordshire's white leavers who experienced racism.
    h = _exit(e, "Hertfordshire", "able_to_report", "white")
    assert h["base"] == "c" and h["reason"] == "small numbers"
    # The programme manager's unsuppressed figures use the same bases.
    u = _exit(analysis.exit, "Hertfordshire", "supported", "minority_ethnic")
    assert (u["yes"], u["base"]) == (3, 6)
    assert u["share"] == pytest.approx(50.0)
