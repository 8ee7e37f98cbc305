"""Disproportionality of children and families: hand-worked figures and a published ratio."""

from __future__ import annotations

import pytest

from collate.measures.disproportionality import (
    NO_AGE_MATCHED_POPULATION,
    NO_CHILDREN_AT_STAGE,
    NO_POPULATION,
    StageDisproportionality,
    count_las_over_represented,
    disproportionality,
    over_representation_sentence,
    representation_ratio,
)
from collate.measures.rounding import round_half_up
from collate.measures.suppression import SMALL_NUMBERS

# A cut-down grouping: two codes per group is enough to show that codes are summed.
GROUPING = {
    "WBRI": "White British",
    "WOTH": "Other White",
    "MWBC": "Mixed",
    "MOTH": "Mixed",
    "BAFR": "Black",
    "REFU": "Not known",
    "NOBT": "Not known",
}
POPULATION = {"White British": 8000, "Other White": 1000, "Mixed": 500, "Black": 500}
POPULATION_0_17 = {"White British": 1600, "Other White": 200, "Mixed": 160, "Black": 100}

# 200 children at the stage: 180 of known ethnicity, 12 refused, 8 not obtained.
COUNTS = {
    "WBRI": 120,
    "WOTH": 20,
    "MWBC": 15,
    "MOTH": 10,
    "BAFR": 15,
    "REFU": 12,
    "NOBT": 8,
}


def stage(**options) -> StageDisproportionality:
    return disproportionality(
        COUNTS, GROUPING, POPULATION, stage="children in need", total_0_17=2500, **options
    )


def test_shares_ratios_and_flags_by_hand():
    result = stage()
    assert result.children == 200
    assert result.known == 180
    assert [g.group for g in result.groups] == ["White British", "Other White", "Mixed", "Black"]

    mixed = result.group("Mixed")
    assert mixed.count == 25
    # 25 of the 180 of known ethnicity; 500 of a population of 10,000.
    assert mixed.share_at_stage == pytest.approx(25 / 180)
    assert mixed.population_share == pytest.approx(0.05)
    assert mixed.representation_ratio == pytest.approx((25 / 180) / 0.05)  # 2.777...
    assert round_half_up(mixed.representation_ratio, 2) == 2.78
    assert mixed.over_represented is True
    assert mixed.threshold == 1.25
    assert mixed.flag_text == "over-represented (representation ratio threshold 1.25)"

    white_british = result.group("White British")
    assert white_british.representation_ratio == pytest.approx((120 / 180) / 0.8)  # 0.8333
    assert white_british.over_represented is False
    assert white_british.flag_text == "not over-represented (representation ratio threshold 1.25)"

    black = result.group("Black")
    assert black.representation_ratio == pytest.approx((15 / 180) / 0.05)  # 1.6667

    other_white = result.group("Other White")
    # 20/180 = 0.1111 against 0.1: ratio 1.111, below the threshold.
    assert other_white.representation_ratio == pytest.approx(10 / 9)
    assert other_white.over_represented is False


def test_threshold_is_a_setting_and_inclusive():
    result = stage(threshold=1.1)
    assert result.threshold == 1.1
    assert result.group("Other White").over_represented is True
    assert stage(threshold=1.12).group("Other White").over_represented is False
    # Exactly at the threshold counts: 25 of 200 is 12.5% against 10% of the population, a ratio
    # of 1.25 worked from the counts, not from rounded floats.
    exact = disproportionality(
        {"MWBC": 25, "WBRI": 175}, GROUPING, {"Mixed": 1000, "White British": 9000}
    )
    assert exact.group("Mixed").representation_ratio == 1.25
    assert exact.group("Mixed").over_represented is True
    third = disproportionality({"MWBC": 1000, "WBRI": 2000}, GROUPING, {"Mixed": 3, "Other": 6})
    # 1/3 against 1/3: exactly 1, although 1/3 is not exact in binary.
    assert third.group("Mixed").representation_ratio == 1.0
    assert third.group("Mixed").over_represented is False
    assert (
        disproportionality(
            {"MWBC": 1000, "WBRI": 2000}, GROUPING, {"Mixed": 3, "Other": 6}, threshold=1
        )
        .group("Mixed")
        .over_represented
    )


def test_no_rates_without_an_age_matched_denominator():
    result = stage()
    for group in result.groups:
        assert group.rate_per_10000 is None
        assert group.rate_reason == NO_AGE_MATCHED_POPULATION
        # A ratio of representation ratios is not a relative rate.
        assert group.relative_rate is None
        assert group.relative_rate_reason == NO_AGE_MATCHED_POPULATION


def test_rates_and_relative_rates_by_hand():
    result = stage(population_0_17=POPULATION_0_17)
    white_british = result.group("White British")
    mixed = result.group("Mixed")
    # 120 of 1,600 children = 750 per 10,000; 25 of 160 = 1,562.5 per 10,000.
    assert white_british.rate_per_10000 == pytest.approx(750.0)
    assert mixed.rate_per_10000 == pytest.approx(1562.5)
    assert mixed.relative_rate == pytest.approx(1562.5 / 750)  # 2.0833
    assert round_half_up(mixed.relative_rate, 2) == 2.08
    assert white_british.relative_rate == pytest.approx(1.0)
    assert result.group("Black").rate_per_10000 == pytest.approx(1500.0)


def test_overall_rate_for_all_children_uses_every_child_at_the_stage():
    result = stage()
    # 200 children (refused and not obtained included) of 2,500 aged 0-17 = 800 per 10,000.
    assert result.overall_rate_per_10000 == pytest.approx(800.0)
    assert result.overall_rate_reason is None
    no_total = disproportionality(COUNTS, GROUPING, POPULATION)
    assert no_total.overall_rate_per_10000 is None
    assert no_total.overall_rate_reason == "no 0-17 population total supplied"
    zero_total = disproportionality(COUNTS, GROUPING, POPULATION, total_0_17=0)
    assert zero_total.overall_rate_reason == "the 0-17 population total is zero"


def test_data_quality_refused_and_not_obtained():
    result = stage()
    assert result.refused == 12
    assert result.not_obtained == 8
    assert result.refused_percent == pytest.approx(6.0)
    assert result.not_obtained_percent == pytest.approx(4.0)


def test_data_quality_small_counts_are_not_turned_into_percentages():
    counts = dict(COUNTS, REFU=3)
    result = disproportionality(counts, GROUPING, POPULATION)
    assert result.refused == 3
    assert result.refused_percent is None
    assert result.refused_percent_reason == SMALL_NUMBERS
    unsuppressed = disproportionality(counts, GROUPING, POPULATION, suppress=False)
    assert unsuppressed.refused_percent == pytest.approx(3 / 191 * 100)


def test_small_counts_are_not_computable():
    counts = dict(COUNTS, BAFR=4)
    result = disproportionality(counts, GROUPING, POPULATION, population_0_17=POPULATION_0_17)
    black = result.group("Black")
    assert black.count == 4
    assert black.suppressed is True
    assert black.share_at_stage is None
    assert black.share_reason == SMALL_NUMBERS
    assert black.representation_ratio is None
    assert black.representation_ratio_reason == SMALL_NUMBERS
    assert black.rate_per_10000 is None
    assert black.relative_rate_reason == SMALL_NUMBERS
    assert black.over_represented is None
    assert black.flag_text == "not computable: small numbers"
    # The known total still counts the 4, so other groups' shares are the true shares.
    assert result.known == 169
    assert result.group("Mixed").share_at_stage == pytest.approx(25 / 169)


def test_suppressed_reference_group_blocks_relative_rates():
    counts = dict(COUNTS, WBRI=5)
    result = disproportionality(counts, GROUPING, POPULATION, population_0_17=POPULATION_0_17)
    mixed = result.group("Mixed")
    assert mixed.rate_per_10000 == pytest.approx(1562.5)
    assert mixed.relative_rate is None
    assert mixed.relative_rate_reason == "reference group White British: small numbers"


def test_secondary_suppressed_groups_are_treated_as_small():
    result = stage(suppressed_groups={"Other White"})
    assert result.group("Other White").representation_ratio is None
    assert result.group("Other White").representation_ratio_reason == SMALL_NUMBERS


def test_suppress_false_gives_the_programme_managers_own_figures():
    counts = dict(COUNTS, BAFR=4)
    result = disproportionality(counts, GROUPING, POPULATION, suppress=False)
    assert result.group("Black").representation_ratio == pytest.approx((4 / 169) / 0.05)


def test_missing_codes_count_zero_and_a_group_with_no_children_is_a_real_zero():
    counts = {"WBRI": 50, "WOTH": 10, "REFU": 0}
    result = disproportionality(counts, GROUPING, POPULATION)
    mixed = result.group("Mixed")
    assert mixed.count == 0
    assert mixed.share_at_stage == 0.0
    assert mixed.representation_ratio == 0.0
    assert mixed.over_represented is False
    assert result.not_obtained == 0


def test_zero_population_for_a_group_is_not_computable():
    population = dict(POPULATION, Black=0)
    result = disproportionality(
        COUNTS, GROUPING, population, population_0_17=dict(POPULATION_0_17, Black=0)
    )
    black = result.group("Black")
    assert black.population_share is None
    assert black.representation_ratio is None
    assert black.representation_ratio_reason == NO_POPULATION
    assert black.rate_per_10000 is None
    assert black.rate_reason == "no children aged 0-17 recorded in this group"
    # A group missing from the population altogether is the same.
    missing = {k: v for k, v in POPULATION.items() if k != "Black"}
    assert disproportionality(COUNTS, GROUPING, missing).group("Black").population_share is None


def test_zero_children_at_the_stage():
    result = disproportionality({}, GROUPING, POPULATION, total_0_17=2500)
    assert result.children == 0
    assert result.overall_rate_per_10000 == 0.0
    assert result.refused_percent is None
    for group in result.groups:
        assert group.share_at_stage is None
        assert group.share_reason == NO_CHILDREN_AT_STAGE
        assert group.over_represented is None


def test_only_refused_children_leave_no_shares():
    result = disproportionality({"REFU": 30}, GROUPING, POPULATION)
    assert result.known == 0
    assert result.refused_percent == pytest.approx(100.0)
    assert result.group("Mixed").share_reason == NO_CHILDREN_AT_STAGE


def test_unknown_code_and_bad_counts_are_refused():
    with pytest.raises(ValueError, match="XXXX"):
        disproportionality({"XXXX": 3}, GROUPING, POPULATION)
    with pytest.raises(ValueError, match="not a count"):
        disproportionality({"WBRI": -1}, GROUPING, POPULATION)
    with pytest.raises(ValueError, match="threshold"):
        disproportionality(COUNTS, GROUPING, POPULATION, threshold=0)


def test_not_known_group_name_is_a_setting():
    grouping = dict(
        GROUPING, REFU="Refused or not yet obtained", NOBT="Refused or not yet obtained"
    )
    result = disproportionality(
        COUNTS, grouping, POPULATION, not_known_groups=("Refused or not yet obtained",)
    )
    assert result.known == 180
    assert [g.group for g in result.groups] == ["White British", "Other White", "Mixed", "Black"]


def test_published_representation_ratio_children_looked_after():
    """Reproduce a published comparison from its published shares.

    Source: GOV.UK Ethnicity facts and figures, "Adopted and looked-after children", version 3.1,
    https://www.ethnicity-facts-figures.service.gov.uk/health/social-care/adopted-and-looked-after-children/3.1/
    (last updated 12 June 2023; data at 31 March 2020, England). Its main facts: "Black children
    were more likely to be looked-after (7%) ... compared with their share of the under-18 year
    old population (5%)"; "White children were less likely to be looked-after (74%) ... compared
    with their share of the population of all under-18 year olds (79%)"; "Asian children were
    less likely to be looked-after (4%) ... compared with their share of the under-18 year old
    population (10%)". Percentages are published rounded to whole numbers, so the ratios below
    are those of the published figures, not of the unrounded data.
    """
    black = representation_ratio(7, 5)
    white = representation_ratio(74, 79)
    asian = representation_ratio(4, 10)
    assert black == pytest.approx(1.4)
    assert round_half_up(white, 2) == 0.94
    assert asian == pytest.approx(0.4)
    # The page's words follow: "more likely" above 1, "less likely" below it; and at the default
    # threshold Black children are flagged as over-represented among children looked after.
    assert black >= 1.25 > white > asian

    # The same through the full calculation, with the published shares standing in for counts
    # per 100 children (the page gives no counts for the ratio): 7 of 100 looked-after children
    # against 5 of 100 under-18s.
    result = disproportionality(
        {"BAFR": 7, "WBRI": 93},
        {"BAFR": "Black", "WBRI": "All other groups"},
        {"Black": 5, "All other groups": 95},
        stage="looked after",
    )
    assert result.group("Black").representation_ratio == pytest.approx(1.4)
    assert result.group("Black").over_represented is True
    with pytest.raises(ValueError):
        representation_ratio(7, 0)


# --- regional roll-up ------------------------------------------------------------------------


def _la(mixed_count: int) -> dict[str, StageDisproportionality]:
    counts = dict(COUNTS, MWBC=mixed_count, MOTH=0)
    return {"children in need": disproportionality(counts, GROUPING, POPULATION)}


def test_count_las_over_represented_and_sentence():
    # Mixed share of the population is 5%: with 165 other known children, 9 Mixed children give
    # 9/174 = 5.2% (ratio 1.03), 15 give 15/180 = 8.3% (ratio 1.67); 4 is suppressed.
    results = {
        "Bedford": _la(15),
        "Luton": _la(15),
        "Norfolk": _la(9),
        "Suffolk": _la(4),
        "Thurrock": {},
    }
    assert count_las_over_represented(results, "children in need", "Mixed") == (2, 3)
    assert count_las_over_represented(results, "referrals", "Mixed") == (0, 0)
    n_over, n_with_data = count_las_over_represented(results, "children in need", "Mixed")
    assert (
        over_representation_sentence(
            "Mixed or Multiple ethnic groups", "among children in need", n_over, n_with_data
        )
        == "Mixed or Multiple ethnic groups are over-represented among children in need in 2 of "
        "3 LAs."
    )


def test_sentence_in_the_seeds_form_with_and_without_threshold():
    assert (
        over_representation_sentence(
            "Mixed or Multiple ethnic groups", "among children in need", 7, 11
        )
        == "Mixed or Multiple ethnic groups are over-represented among children in need in 7 of "
        "11 LAs."
    )
    assert (
        over_representation_sentence("Black or Black British groups", "among referrals", 1, 1, 1.25)
        == "Black or Black British groups are over-represented among referrals in 1 of 1 LA "
        "(representation ratio of 1.25 or more)."
    )
    assert (
        over_representation_sentence("Mixed", "among children looked after", 0, 0)
        == "No LA has figures to show whether Mixed are over-represented among children looked "
        "after."
    )
