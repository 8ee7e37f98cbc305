"""SC-WRES relative likelihoods with their 95% intervals (Katz log method), against hand-worked
values, and indicators 6 and 7 as relative likelihoods."""

from __future__ import annotations

import math

import pytest

from collate.measures.intervals import NO_EVENTS
from collate.measures.rounding import round_half_up
from collate.measures.suppression import SMALL_NUMBERS
from collate.measures.workforce import (
    CLEARLY_HIGHER,
    CLEARLY_LOWER,
    NO_RESPONDENTS,
    TOO_FEW_TO_BE_SURE,
    WITHIN_BAND,
    entered_formal_disciplinary,
    likelihood_finding,
    relative_likelihood,
    survey_difference,
    survey_likelihood,
)

Z = 1.959964  # the 97.5th percentile of the normal distribution


def katz(a: int, n: int, c: int, m: int) -> tuple[float, float, float]:
    """By hand: ratio, and ratio × exp(∓ 1.96 × sqrt(1/a − 1/n + 1/c − 1/m))."""
    ratio = (a / n) / (c / m)
    se = math.sqrt(1 / a - 1 / n + 1 / c - 1 / m)
    return ratio, ratio * math.exp(-Z * se), ratio * math.exp(Z * se)


def test_disciplinary_likelihood_interval_by_hand():
    # 30 of 1,710 minority ethnic staff and 77 of 9,407 white staff entered the formal
    # disciplinary process: (30/1710) ÷ (77/9407) = 2.1433;
    # se = sqrt(1/30 − 1/1710 + 1/77 − 1/9407) = 0.21361; × exp(∓1.96 × 0.21361) = ÷/× 1.51994,
    # so the interval is 1.4101 to 3.2577, shown as "2.14 (1.41 to 3.26)".
    rl = entered_formal_disciplinary(
        {"minority_ethnic": 30, "white": 77}, {"minority_ethnic": 1710, "white": 9407}
    )
    ratio, low, high = katz(30, 1710, 77, 9407)
    assert rl.value == pytest.approx(ratio)
    assert rl.low == pytest.approx(low, rel=1e-6)
    assert rl.high == pytest.approx(high, rel=1e-6)
    assert (round_half_up(rl.value, 2), round_half_up(rl.low, 2), round_half_up(rl.high, 2)) == (
        2.14,
        1.41,
        3.26,
    )
    assert rl.low == pytest.approx(1.4101, abs=1e-4) and rl.high == pytest.approx(3.2577, abs=1e-4)
    assert rl.finding == CLEARLY_HIGHER


def test_findings_clear_lower_too_few_and_within():
    # 37 of 188 against 158 of 543: 0.676 (0.49 to 0.93), wholly below 1: clearly lower.
    lower = relative_likelihood(37, 188, 158, 543)
    assert lower.value == pytest.approx(0.6764, abs=1e-4)
    assert lower.high < 1 and lower.finding == CLEARLY_LOWER
    # 12 of 69 against 18 of 75: 0.72, outside the band, but the interval (0.38 to 1.39)
    # includes 1: too few to be sure.
    unsure = relative_likelihood(12, 69, 18, 75)
    assert unsure.in_band is False
    assert unsure.low < 1 < unsure.high
    assert unsure.finding == TOO_FEW_TO_BE_SURE
    # 830 of 1,710 against 5,227 of 9,407: 0.87, within the band even though the interval
    # (0.83 to 0.92) excludes 1.
    within = relative_likelihood(830, 1710, 5227, 9407)
    assert within.high < 1 and within.finding == WITHIN_BAND


def test_finding_rules():
    assert likelihood_finding(None, None, None, None) is None
    assert likelihood_finding(1.1, True, 0.5, 2.0) == WITHIN_BAND
    assert likelihood_finding(1.5, False, 1.0, 2.0) == TOO_FEW_TO_BE_SURE  # low exactly 1
    assert likelihood_finding(1.5, False, 1.01, 2.0) == CLEARLY_HIGHER
    assert likelihood_finding(0.5, False, None, None) == TOO_FEW_TO_BE_SURE  # no interval
    assert likelihood_finding(0.5, False, 0.2, 0.99) == CLEARLY_LOWER


def test_no_interval_for_a_withheld_or_zero_likelihood():
    withheld = relative_likelihood(3, 40, 20, 200)
    assert withheld.value is None and withheld.reason == SMALL_NUMBERS
    assert withheld.low is None and withheld.high is None
    assert withheld.interval_reason == SMALL_NUMBERS
    assert withheld.finding is None
    # Unsuppressed (the programme manager's figures): computed, with its interval.
    shown = relative_likelihood(3, 40, 20, 200, suppress=False)
    ratio, low, high = katz(3, 40, 20, 200)
    assert shown.low == pytest.approx(low, rel=1e-6) and shown.high == pytest.approx(high)
    # None of the minority ethnic staff: a likelihood of 0 but no log interval.
    zero = relative_likelihood(0, 40, 20, 200)
    assert zero.value == 0 and zero.low is None and zero.interval_reason == NO_EVENTS
    # A white rate of zero: no likelihood, so no interval.
    none = relative_likelihood(10, 40, 0, 200)
    assert none.value is None and none.low is None


# --- indicators 6 and 7 as relative likelihoods ---------------------------------------------


def test_survey_likelihood_by_hand():
    # 33.0% of 36 minority ethnic respondents and 15.5% of 197 white respondents: 33.0 ÷ 15.5 =
    # 2.1290. Worked back: 33% of 36 = 11.88, so 12 people; 15.5% of 197 = 30.5, so 31. The
    # Katz interval for 12 of 36 against 31 of 197, set around 2.1290:
    # se = sqrt(1/12 − 1/36 + 1/31 − 1/197) = 0.28764; 2.1290 ÷/× exp(1.96 × 0.28764) = 1.7573,
    # so 1.21 to 3.74.
    rl = survey_likelihood(
        {"minority_ethnic": 33.0, "white": 15.5, "not_known": 20.9},
        {"minority_ethnic": 36, "white": 197, "not_known": 18},
        indicator="6",
    )
    se = math.sqrt(1 / 12 - 1 / 36 + 1 / 31 - 1 / 197)
    assert rl.value == pytest.approx(33 / 15.5)
    assert (rl.events_minority_ethnic, rl.events_white) == (12, 31)
    assert rl.low == pytest.approx(33 / 15.5 * math.exp(-Z * se), rel=1e-6)
    assert rl.high == pytest.approx(33 / 15.5 * math.exp(Z * se), rel=1e-6)
    assert (round_half_up(rl.low, 2), round_half_up(rl.high, 2)) == (1.21, 3.74)
    assert rl.finding == CLEARLY_HIGHER
    assert rl.direction == "minority ethnic ÷ white" and rl.indicator == "6"


def test_survey_likelihood_small_numbers_and_missing_figures():
    # 13.3% of 36 is about 5 people. The likelihood and the gap together give both percentages,
    # and a percentage with the number who answered gives the number of staff, so the
    # likelihood is withheld with its interval (a red-team attack recovered such counts).
    rl = survey_likelihood(
        {"minority_ethnic": 13.3, "white": 9.3}, {"minority_ethnic": 36, "white": 197}
    )
    assert rl.value is None and rl.reason == SMALL_NUMBERS and rl.low is None
    gap = survey_difference(
        {"minority_ethnic": 13.3, "white": 9.3}, {"minority_ethnic": 36, "white": 197}
    )
    assert gap.difference_points is None and gap.reason == SMALL_NUMBERS
    # A group answered by 1 to 5 people: nothing is computed.
    few = survey_likelihood(
        {"minority_ethnic": 20.0, "white": 10.0}, {"minority_ethnic": 4, "white": 90}
    )
    assert few.value is None and few.reason == SMALL_NUMBERS and few.low is None
    # Without the number who answered: the likelihood, but no interval.
    bare = survey_likelihood({"minority_ethnic": 20.0, "white": 16.0})
    assert bare.value == pytest.approx(1.25) and bare.in_band is True
    assert bare.low is None and bare.interval_reason == NO_RESPONDENTS
    # White percentage zero, or a percentage missing: no likelihood.
    assert survey_likelihood({"minority_ethnic": 5.0, "white": 0.0}).value is None
    assert (
        survey_likelihood({"white": 5.0}).reason == "no percentage given for minority ethnic staff"
    )
    with pytest.raises(ValueError):
        survey_likelihood({"minority_ethnic": 120.0, "white": 5.0})
