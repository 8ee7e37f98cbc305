"""SC-WRES indicators: hand-worked figures, small numbers, zeros and published figures."""

from __future__ import annotations

import pytest

from collate.measures.rounding import round_half_up
from collate.measures.suppression import SMALL_NUMBERS
from collate.measures.workforce import (
    BAND,
    DIRECTION,
    accessed_non_mandatory_cpd,
    appointed_from_shortlisting,
    entered_formal_disciplinary,
    leaving,
    pay_band_representation,
    referred_to_social_work_england,
    regional_relative_likelihood,
    relative_likelihood,
    senior_management_difference,
    sum_by_group,
    survey_difference,
    survey_difference_from_counts,
)


def groups(minority_ethnic: int, white: int, not_known: int = 0) -> dict[str, int]:
    return {"minority_ethnic": minority_ethnic, "white": white, "not_known": not_known}


# --- relative likelihood ---------------------------------------------------------------------


def test_relative_likelihood_by_hand():
    # 12 of 60 minority ethnic (0.2) against 40 of 100 white (0.4): 0.5, outside 0.80-1.25.
    result = relative_likelihood(12, 60, 40, 100)
    assert result.value == pytest.approx(0.5)
    assert result.rate_minority_ethnic == pytest.approx(0.2)
    assert result.rate_white == pytest.approx(0.4)
    assert result.reason is None
    assert result.in_band is False
    assert result.direction == "minority ethnic ÷ white" == DIRECTION
    assert result.band == BAND == (0.80, 1.25)
    assert result.white_over_minority_ethnic == pytest.approx(2.0)


def test_band_edges_are_inclusive_and_settable():
    # 10/100 against 8/100 = 1.25 exactly; 8/100 against 10/100 = 0.8 exactly.
    assert relative_likelihood(10, 100, 8, 100).in_band is True
    assert relative_likelihood(8, 100, 10, 100).in_band is True
    assert relative_likelihood(13, 100, 10, 100).in_band is False
    assert relative_likelihood(13, 100, 10, 100, band=(0.7, 1.3)).in_band is True
    with pytest.raises(ValueError, match="wrong way round"):
        relative_likelihood(13, 100, 10, 100, band=(1.3, 0.7))


def test_not_computable_cases():
    assert relative_likelihood(0, 0, 10, 100).reason == "no minority ethnic staff in the base"
    assert relative_likelihood(10, 100, 0, 0).reason == "no white staff in the base"
    zero_white = relative_likelihood(10, 100, 0, 100)
    assert zero_white.value is None
    assert zero_white.reason == "the white rate is zero"
    assert zero_white.in_band is None
    assert zero_white.white_over_minority_ethnic is None
    # A zero minority ethnic rate is a real 0 (and its reciprocal is undefined).
    zero_me = relative_likelihood(0, 100, 10, 100)
    assert zero_me.value == 0.0
    assert zero_me.white_over_minority_ethnic is None


@pytest.mark.parametrize(
    "counts", [(3, 100, 10, 100), (2, 5, 10, 100), (10, 100, 1, 100), (10, 100, 5, 6)]
)
def test_any_small_count_makes_it_not_computable(counts):
    result = relative_likelihood(*counts)
    assert result.value is None
    assert result.reason == SMALL_NUMBERS
    assert result.in_band is None
    unsuppressed = relative_likelihood(*counts, suppress=False)
    assert unsuppressed.value == pytest.approx((counts[0] / counts[1]) / (counts[2] / counts[3]))


def test_small_number_bounds_are_settable():
    assert relative_likelihood(7, 100, 10, 100).value == pytest.approx(0.7)
    assert relative_likelihood(7, 100, 10, 100, upper=9).reason == SMALL_NUMBERS
    assert relative_likelihood(3, 100, 10, 100, lower=4).value == pytest.approx(0.3)


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="cannot exceed"):
        relative_likelihood(11, 10, 1, 10)
    with pytest.raises(ValueError, match="not a count"):
        relative_likelihood(-1, 10, 1, 10)
    with pytest.raises(ValueError, match="not a count"):
        relative_likelihood(1.0, 10, 1, 10)


# --- indicators 2, 3, 4, 5, 8 ----------------------------------------------------------------


def test_each_likelihood_indicator_uses_its_own_events_and_base():
    headcount = groups(200, 800, 50)
    # Indicator 2: 30 of 120 against 90 of 300 = 0.25 / 0.3.
    two = appointed_from_shortlisting(groups(30, 90, 4), groups(120, 300, 10))
    assert two.value == pytest.approx(0.25 / 0.3)
    assert two.indicator == "2"
    # Indicator 3: 14 of 200 against 28 of 800 = 0.07 / 0.035 = 2.
    three = entered_formal_disciplinary(groups(14, 28), headcount)
    assert three.value == pytest.approx(2.0)
    assert three.indicator == "3"
    # Indicator 4: 6 of 40 registered against 10 of 160 = 0.15 / 0.0625 = 2.4.
    four = referred_to_social_work_england(groups(6, 10), groups(40, 160))
    assert four.value == pytest.approx(2.4)
    # Indicator 5: 100 of 200 against 480 of 800 = 0.5 / 0.6.
    five = accessed_non_mandatory_cpd(groups(100, 480), headcount)
    assert five.value == pytest.approx(0.5 / 0.6)
    # Indicator 8: 30 of 200 against 80 of 800 = 0.15 / 0.1 = 1.5.
    eight = leaving(groups(30, 80, 7), headcount)
    assert eight.value == pytest.approx(1.5)
    assert eight.indicator == "8"


def test_indicator_options_pass_through_and_groups_are_checked():
    small = entered_formal_disciplinary(groups(3, 28), groups(200, 800))
    assert small.reason == SMALL_NUMBERS
    assert entered_formal_disciplinary(
        groups(3, 28), groups(200, 800), suppress=False
    ).value == pytest.approx((3 / 200) / (28 / 800))
    with pytest.raises(ValueError, match="unknown group"):
        leaving({"bme": 3}, groups(200, 800))
    # A group left out counts 0.
    assert leaving({"white": 80}, groups(200, 800)).value == 0.0


def test_regional_likelihood_sums_counts_before_dividing():
    events = {"Bedford": groups(10, 10), "Luton": groups(90, 10)}
    base = {"Bedford": groups(100, 100), "Luton": groups(100, 1000)}
    regional = regional_relative_likelihood(events, base, indicator="8")
    # Summed: 100 of 200 against 20 of 1,100 = 0.5 / (20 / 1100) = 27.5.
    assert regional.value == pytest.approx(27.5)
    assert regional.indicator == "8"
    # Not the average of the LAs' ratios (1 and 90: mean 45.5).
    by_la = [leaving(events[la], base[la]).value for la in events]
    assert by_la == pytest.approx([1.0, 90.0])
    assert regional.value != pytest.approx(sum(by_la) / 2)
    with pytest.raises(ValueError, match="same LAs"):
        regional_relative_likelihood({"Bedford": groups(1, 1)}, base)
    assert sum_by_group([groups(1, 2, 3), groups(4, 5, 6)]) == groups(5, 7, 9)


# --- indicator 1 -----------------------------------------------------------------------------


def test_pay_band_representation_by_hand():
    result = pay_band_representation(
        {
            "Less than £30,000": groups(60, 140, 10),
            "£30,000 to £69,999": groups(30, 170, 20),
            "£70,000 and over": groups(10, 90, 0),
        }
    )
    # Whole workforce: 100 minority ethnic of 500 of known ethnicity = 20%; 30 of 530 not known.
    assert result.overall.value == pytest.approx(0.2)
    assert result.overall.percent == pytest.approx(20.0)
    assert result.not_known_share.value == pytest.approx(30 / 530)
    low, middle, high = result.bands
    assert low.band == "Less than £30,000"
    assert low.minority_ethnic_share.value == pytest.approx(0.3)
    assert low.difference_points == pytest.approx(10.0)
    assert middle.minority_ethnic_share.value == pytest.approx(0.15)
    assert middle.difference_points == pytest.approx(-5.0)
    assert high.minority_ethnic_share.value == pytest.approx(0.1)
    assert high.difference_points == pytest.approx(-10.0)
    assert high.not_known == 0


def test_pay_band_with_small_numbers_or_no_staff():
    result = pay_band_representation(
        {"Senior": groups(2, 30), "Other": groups(100, 300), "Empty": groups(0, 0, 4)}
    )
    senior = result.bands[0]
    assert senior.minority_ethnic_share.value is None
    assert senior.minority_ethnic_share.reason == SMALL_NUMBERS
    assert senior.difference_points is None
    assert senior.difference_reason == SMALL_NUMBERS
    assert result.bands[2].minority_ethnic_share.reason == "the base is zero"
    assert result.overall.value == pytest.approx(102 / 432)


# --- indicators 6, 7a, 7b --------------------------------------------------------------------


def test_survey_difference_in_percentage_points():
    result = survey_difference(
        {"minority_ethnic": 31.5, "white": 24.0}, groups(120, 600), indicator="6"
    )
    assert result.difference_points == pytest.approx(7.5)
    assert result.respondents_minority_ethnic == 120
    assert result.direction == "minority ethnic − white"
    assert result.indicator == "6"
    # Without respondent counts the percentages are taken as given.
    assert survey_difference({"minority_ethnic": 20, "white": 25}).difference_points == -5


def test_survey_small_or_missing_groups():
    small = survey_difference({"minority_ethnic": 40.0, "white": 24.0}, groups(5, 600))
    assert small.difference_points is None
    assert small.percent_minority_ethnic is None
    assert small.reason == SMALL_NUMBERS
    assert survey_difference(
        {"minority_ethnic": 40.0, "white": 24.0}, groups(5, 600), suppress=False
    ).difference_points == pytest.approx(16.0)
    assert (
        survey_difference({"white": 24.0}).reason == "no percentage given for minority ethnic staff"
    )
    assert (
        survey_difference({"minority_ethnic": 1.0, "white": 2.0}, groups(0, 10)).reason
        == "no respondents in a group"
    )
    with pytest.raises(ValueError, match="percentage"):
        survey_difference({"minority_ethnic": 140.0, "white": 24.0})
    with pytest.raises(ValueError, match="unknown group"):
        survey_difference({"bame": 14.0})


def test_survey_from_counts_for_the_region():
    result = survey_difference_from_counts(groups(30, 150), groups(120, 600), indicator="7a")
    assert result.percent_minority_ethnic == pytest.approx(25.0)
    assert result.percent_white == pytest.approx(25.0)
    assert result.difference_points == pytest.approx(0.0)
    small = survey_difference_from_counts(groups(3, 150), groups(120, 600))
    assert small.reason == SMALL_NUMBERS


# --- indicator 9 -----------------------------------------------------------------------------


def test_senior_management_difference_by_hand():
    result = senior_management_difference(
        senior_managers=groups(6, 34, 2),
        workforce=groups(300, 1200, 100),
        population=groups(45_000, 255_000),
    )
    # 6 of 40 = 15%; 300 of 1,500 = 20%; 45,000 of 300,000 = 15%.
    assert result.senior_managers.value == pytest.approx(0.15)
    assert result.workforce.value == pytest.approx(0.2)
    assert result.population.value == pytest.approx(0.15)
    assert result.senior_less_workforce_points == pytest.approx(-5.0)
    assert result.senior_less_population_points == pytest.approx(0.0)


def test_senior_management_small_numbers():
    result = senior_management_difference(groups(2, 30), groups(300, 1200), groups(4, 96))
    assert result.senior_managers.reason == SMALL_NUMBERS
    assert result.senior_less_workforce_points is None
    assert result.senior_less_workforce_reason == SMALL_NUMBERS
    # Published population figures are never suppressed.
    assert result.population.value == pytest.approx(0.04)


# --- published figures -------------------------------------------------------------------------


def test_published_appointment_likelihood_the_christie_2022():
    """NHS WRES indicator 2 as a trust published it, and the SC-WRES direction.

    Source: The Christie NHS Foundation Trust, "Workforce Race Equality Standard Action Plan
    2022-2023", page 3 (Metric 2),
    https://thechristie.cld.bz/Workforce-Race-Equality-Standard-Action-Plan-2022-2023/3/ :
    "White staff are 3.2 times more likely to be appointed from shortlisting compared to BAME
    staff ... BAME candidates have a 14.65% chance of being appointed from shortlisting. Whereas,
    white candidates have a 46.99% chance".

    The page prints the two rates but not the counts behind them; no page found by the search
    printed both counts and the ratio. The published rates are therefore entered as counts per
    10,000 shortlisted (1,465 and 4,699), which is exact for rates published to 2 decimal places
    of a percentage. NHS WRES indicator 2 puts white on top (3.2); SC-WRES and this toolkit put
    minority ethnic on top, giving the reciprocal (0.31).
    """
    result = relative_likelihood(1465, 10_000, 4699, 10_000)
    assert result.rate_minority_ethnic == pytest.approx(0.1465)
    assert result.rate_white == pytest.approx(0.4699)
    assert result.value == pytest.approx(0.1465 / 0.4699)
    assert round_half_up(result.value, 2) == 0.31
    assert result.in_band is False
    # The NHS direction reproduces the published 3.2 (printed to 1 decimal place).
    assert round_half_up(result.white_over_minority_ethnic, 1) == 3.2
    assert result.white_over_minority_ethnic == pytest.approx(0.4699 / 0.1465)


def test_published_counts_west_lancashire_2019_20_are_suppressed():
    """Published counts whose ratio must not be published.

    Source: West Lancashire Borough Council, "Recruitment" (equality information about employees),
    http://www.westlancs.gov.uk/about-the-council/how-the-council-works/equality-and-diversity/what-our-duties-are/equality-information-about-employees/recruitment.aspx
    for 1 April 2019 to 31 March 2020: shortlisted BME 10, White 389; appointed BME 2, White 117.
    The page prints no ratio. Two appointments is a small number, so the toolkit does not publish
    a likelihood; unsuppressed it is (2 / 10) ÷ (117 / 389) = 0.66.
    """
    shortlisted = {"minority_ethnic": 10, "white": 389, "not_known": 4}
    appointed = {"minority_ethnic": 2, "white": 117, "not_known": 0}
    published = appointed_from_shortlisting(appointed, shortlisted)
    assert published.value is None
    assert published.reason == SMALL_NUMBERS
    own = appointed_from_shortlisting(appointed, shortlisted, suppress=False)
    assert own.value == pytest.approx((2 / 10) / (117 / 389))
    assert round_half_up(own.value, 2) == 0.66
    assert round_half_up(own.white_over_minority_ethnic, 2) == 1.5
