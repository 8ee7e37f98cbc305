"""Exit interviews: shares answering yes by group, with small-number suppression."""

from __future__ import annotations

import pytest

from collate.measures.exit_interviews import (
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
