"""Exit interviews: shares answering yes by group, with small-number suppression."""

from __future__ import annotations

import pytest

from collate.measures.exit_interviews import (
    MORE_THAN_ASKED,
    NOBODY_ASKED,
    asked_if_parent,
    exit_interview_summary,
    regional_exit_interview_summary,
)
from collate.measures.suppression import SMALL_NUMBERS

INTERVIEWED = {"minority_ethnic": 20, "white": 50, "not_known": 4}
YES = {
    "EXIT_Q1_racism_experienced": {"minority_ethnic": 8, "white": 6, "not_known": 0},
    "EXIT_Q2_felt_able_to_raise": {"minority_ethnic": 10, "white": 40, "not_known": 2},
}


def test_shares_by_group_by_hand():
    result = exit_interview_summary(INTERVIEWED, YES)
    assert result.groups == ("minority_ethnic", "white", "not_known")
    q1 = result.question("EXIT_Q1_racism_experienced")
    assert q1.shares["minority_ethnic"].value == pytest.approx(0.4)
    assert q1.shares["minority_ethnic"].percent == pytest.approx(40.0)
    assert q1.shares["white"].value == pytest.approx(0.12)
    # 0 of 4: the base is small, so even a zero is not turned into a share.
    assert q1.shares["not_known"].value is None
    assert q1.shares["not_known"].reason == SMALL_NUMBERS
    q2 = result.question("EXIT_Q2_felt_able_to_raise")
    assert q2.shares["minority_ethnic"].value == pytest.approx(0.5)
    assert q2.shares["white"].value == pytest.approx(0.8)
    with pytest.raises(KeyError):
        result.question("EXIT_Q9")


def test_small_yes_counts_are_not_computable_and_zero_is_a_real_zero():
    result = exit_interview_summary(
        {"minority_ethnic": 20, "white": 50}, {"Q1": {"minority_ethnic": 3, "white": 0}}
    )
    assert result.question("Q1").shares["minority_ethnic"].reason == SMALL_NUMBERS
    assert result.question("Q1").shares["white"].value == 0.0


def test_suppress_false_and_custom_bounds():
    result = exit_interview_summary(INTERVIEWED, YES, suppress=False)
    assert result.question("EXIT_Q1_racism_experienced").shares["not_known"].value == 0.0
    result = exit_interview_summary(INTERVIEWED, YES, upper=9)
    assert (
        result.question("EXIT_Q1_racism_experienced").shares["minority_ethnic"].reason
        == SMALL_NUMBERS
    )


def test_answered_counts_are_the_base_when_given():
    answered = {"EXIT_Q2_felt_able_to_raise": {"minority_ethnic": 16, "white": 50, "not_known": 4}}
    result = exit_interview_summary(INTERVIEWED, YES, answered)
    q2 = result.question("EXIT_Q2_felt_able_to_raise")
    assert q2.base["minority_ethnic"] == 16
    assert q2.shares["minority_ethnic"].value == pytest.approx(10 / 16)
    # Questions without answered counts use everyone interviewed.
    assert result.question("EXIT_Q1_racism_experienced").base == INTERVIEWED


def test_zero_interviewed_is_not_computable():
    result = exit_interview_summary({"minority_ethnic": 0, "white": 30}, {"Q1": {"white": 9}})
    assert result.question("Q1").shares["minority_ethnic"].reason == "the base is zero"


def test_inconsistent_counts_are_refused():
    with pytest.raises(ValueError, match="answered yes of"):
        exit_interview_summary({"white": 10}, {"Q1": {"white": 11}})
    with pytest.raises(ValueError, match="no interview count"):
        exit_interview_summary({"white": 10}, {"Q1": {"bame": 1}})
    with pytest.raises(ValueError, match="more answered than interviewed"):
        exit_interview_summary({"white": 10}, {"Q1": {"white": 1}}, {"Q1": {"white": 12}})
    with pytest.raises(ValueError, match="not a count"):
        exit_interview_summary({"white": -1}, {})


def test_region_sums_counts_first():
    interviewed = {
        "Bedford": {"minority_ethnic": 4, "white": 10},
        "Luton": {"minority_ethnic": 16, "white": 10},
    }
    yes = {
        "Bedford": {"Q1": {"minority_ethnic": 4, "white": 1}},
        "Luton": {"Q1": {"minority_ethnic": 4, "white": 9}},
    }
    result = regional_exit_interview_summary(interviewed, yes)
    q1 = result.question("Q1")
    # Region: 8 of 20 minority ethnic leavers (40%), 10 of 20 white (50%). Averaging the LAs'
    # shares would give (100% + 25%) / 2 = 62.5% for minority ethnic leavers.
    assert result.interviewed == {"minority_ethnic": 20, "white": 20}
    assert q1.shares["minority_ethnic"].value == pytest.approx(0.4)
    assert q1.shares["white"].value == pytest.approx(0.5)


def test_region_with_answered_counts_and_las_missing_a_question():
    interviewed = {"Bedford": {"white": 10}, "Luton": {"white": 30}}
    yes = {"Bedford": {"Q1": {"white": 6}}, "Luton": {"Q1": {"white": 12}, "Q2": {"white": 9}}}
    answered = {"Luton": {"Q1": {"white": 20}}}
    result = regional_exit_interview_summary(interviewed, yes, answered)
    # Q1 base: Bedford's 10 interviewed (no answered figure) + Luton's 20 who answered.
    assert result.question("Q1").base == {"white": 30}
    assert result.question("Q1").shares["white"].value == pytest.approx(18 / 30)
    assert result.question("Q2").shares["white"].value == pytest.approx(9 / 40)
    with pytest.raises(ValueError, match="no interview counts"):
        regional_exit_interview_summary({}, {"Bedford": {"Q1": {"white": 1}}})


# --- follow-on questions (asked_if in exit_question_set.yaml) ------------------------------
# Hand-worked: 30 minority ethnic and 60 white leavers interviewed; 12 and 6 said they
# experienced racism; of those, 9 and 0 felt able to report it and 8 and 0 reported it; of the
# 8 who reported it, 2 felt supported.
FOLLOW_INTERVIEWED = {"minority_ethnic": 30, "white": 60, "not_known": 0}
FOLLOW_YES = {
    "experienced_racism": {"minority_ethnic": 12, "white": 6, "not_known": 0},
    "able_to_report": {"minority_ethnic": 9, "white": 0, "not_known": 0},
    "reported": {"minority_ethnic": 8, "white": 0, "not_known": 0},
    "supported": {"minority_ethnic": 2, "white": 0, "not_known": 0},
}
ASKED_AFTER = {
    "able_to_report": "experienced_racism",
    "reported": "experienced_racism",
    "supported": "reported",
}


def test_asked_if_names_the_earlier_question():
    assert asked_if_parent("experienced_racism = Yes") == "experienced_racism"
    assert asked_if_parent("reported=yes") == "reported"
    for bad in ("experienced_racism", "experienced_racism = No", "= Yes"):
        with pytest.raises(ValueError, match="asked_if"):
            asked_if_parent(bad)


def test_follow_on_shares_are_of_those_asked_by_hand():
    result = exit_interview_summary(
        FOLLOW_INTERVIEWED, FOLLOW_YES, asked_after=ASKED_AFTER, suppress=False
    )
    # Not a follow-on: of everyone interviewed, 12 of 30 = 40%.
    assert result.question("experienced_racism").shares["minority_ethnic"].percent == (
        pytest.approx(40.0)
    )
    able = result.question("able_to_report")
    assert able.asked_after == "experienced_racism"
    # 9 of the 12 who said they experienced racism = 75% (not 9 of 30 = 30%).
    assert able.base == {"minority_ethnic": 12, "white": 6, "not_known": 0}
    assert able.shares["minority_ethnic"].percent == pytest.approx(75.0)
    # 0 of 6 white leavers asked: a real 0%.
    assert able.shares["white"].value == 0.0
    # Nobody in the group was asked: no share, and the reason says so (not 0%).
    assert able.shares["not_known"].value is None
    assert able.shares["not_known"].reason == NOBODY_ASKED
    # 8 of 12 = 66.7%.
    assert result.question("reported").shares["minority_ethnic"].percent == pytest.approx(200 / 3)
    supported = result.question("supported")
    # The base is those who reported it: 2 of 8 = 25%; no white leaver reported it.
    assert supported.base["minority_ethnic"] == 8
    assert supported.shares["minority_ethnic"].percent == pytest.approx(25.0)
    assert supported.shares["white"].reason == NOBODY_ASKED


def test_follow_on_small_bases_and_counts_are_withheld():
    result = exit_interview_summary(FOLLOW_INTERVIEWED, FOLLOW_YES, asked_after=ASKED_AFTER)
    # White: a base of 6 (just above the small range) with 0 yes is shown as 0%.
    assert result.question("able_to_report").shares["white"].value == 0.0
    # 2 of 8 felt supported: the yes count is small, so the share is withheld.
    assert result.question("supported").shares["minority_ethnic"].reason == SMALL_NUMBERS
    # A base of 1 to 5 is withheld even with 0 yes.
    small = exit_interview_summary(
        {"white": 40},
        {"experienced_racism": {"white": 5}, "able_to_report": {"white": 0}},
        asked_after={"able_to_report": "experienced_racism"},
    )
    assert small.question("able_to_report").shares["white"].reason == SMALL_NUMBERS
    # Still nobody asked when nothing is suppressed.
    none = exit_interview_summary(
        {"white": 40},
        {"experienced_racism": {"white": 0}, "able_to_report": {"white": 0}},
        asked_after={"able_to_report": "experienced_racism"},
    )
    assert none.question("able_to_report").shares["white"].reason == NOBODY_ASKED


def test_follow_on_with_more_yes_than_asked_is_reported_not_computed():
    result = exit_interview_summary(
        {"white": 40},
        {"experienced_racism": {"white": 7}, "able_to_report": {"white": 9}},
        asked_after={"able_to_report": "experienced_racism"},
    )
    assert result.question("able_to_report").shares["white"].reason == MORE_THAN_ASKED
    with pytest.raises(ValueError, match="no yes counts"):
        exit_interview_summary({"white": 4}, {"q": {"white": 1}}, asked_after={"q": "absent"})


def test_region_follow_on_base_sums_the_las_earlier_yes_answers():
    # Bedford: 4 of 10 minority ethnic leavers experienced racism, 1 felt able to report it;
    # Luton: 13 of 30, 9 felt able. Region: 10 of 17 = 58.8% (not 10 of 40 = 25%).
    interviewed = {"Bedford": {"minority_ethnic": 10}, "Luton": {"minority_ethnic": 30}}
    yes = {
        "Bedford": {
            "experienced_racism": {"minority_ethnic": 4},
            "able_to_report": {"minority_ethnic": 1},
        },
        "Luton": {
            "experienced_racism": {"minority_ethnic": 13},
            "able_to_report": {"minority_ethnic": 9},
        },
    }
    result = regional_exit_interview_summary(
        interviewed, yes, asked_after={"able_to_report": "experienced_racism"}
    )
    able = result.question("able_to_report")
    assert able.base == {"minority_ethnic": 17}
    assert able.yes == {"minority_ethnic": 10}
    assert able.shares["minority_ethnic"].percent == pytest.approx(1000 / 17)
    assert round(able.shares["minority_ethnic"].percent, 1) == 58.8
