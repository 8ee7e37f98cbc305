"""Disproportionality of children and families at a stage of the social care pathway.

For one LA and one stage (referral, child in need, child protection plan, looked after), from
counts of children per DfE ethnicity code:

* share at the stage: the group's share of children whose ethnicity is known (refused and not yet
  obtained are left out of the denominator and reported as data quality instead);
* population share: the group's share of the population the caller supplies (all ages unless an
  age-matched figure is given);
* representation ratio: share at the stage ÷ population share;
* rate per 10,000: children at the stage ÷ the group's children aged 0-17 × 10,000, only when a
  0-17 population by ethnic group is supplied;
* relative rate: a group's rate ÷ the reference group's rate (White British by default);
* over-represented: representation ratio at or above a threshold. No official English threshold
  was found (DOMAIN.md), so it is a setting, and every result carries it so it can be printed
  beside the flag.

No figure is computed from a suppressed (small) count or a zero denominator: such figures are
``None`` with a reason. Results keep full precision; round only for display
(:func:`collate.measures.rounding.round_half_up`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction

from collate.measures.intervals import ratio_interval
from collate.measures.suppression import (
    LARGEST_SUPPRESSED,
    SMALL_NUMBERS,
    SMALLEST_SUPPRESSED,
    is_small,
)

#: The grouping value for codes with no ethnic group: refused and not yet obtained.
NOT_KNOWN = "Not known"
#: The default group whose rate the others are compared with.
REFERENCE_GROUP = "White British"
#: The default representation ratio at or above which a group is called over-represented.
DEFAULT_THRESHOLD = 1.25
#: DfE codes for "refused" and "information not yet obtained".
REFUSED_CODES = ("REFU",)
NOT_OBTAINED_CODES = ("NOBT",)

PER_10000 = 10_000

NO_AGE_MATCHED_POPULATION = "no age-matched population by ethnic group"
NO_CHILDREN_AT_STAGE = "no children of known ethnicity at this stage"
NO_POPULATION = "no population recorded for this group"
NO_0_17_TOTAL = "no 0-17 population total supplied"
ZERO_0_17_TOTAL = "the 0-17 population total is zero"
NO_CHILDREN_AT_ALL = "no children at this stage"


@dataclass(frozen=True)
class GroupDisproportionality:
    """One ethnic group's figures at one stage in one LA.

    Every figure that may be missing has a ``*_reason`` saying why it is ``None``. ``threshold``
    is the representation ratio the flag was judged against, to print beside it.
    """

    group: str
    count: int
    suppressed: bool
    share_at_stage: float | None
    share_reason: str | None
    population_share: float | None
    population_share_reason: str | None
    representation_ratio: float | None
    representation_ratio_reason: str | None
    rate_per_10000: float | None
    rate_reason: str | None
    relative_rate: float | None
    relative_rate_reason: str | None
    over_represented: bool | None
    threshold: float
    # The ratio's 95% confidence interval (Katz log method, collate.measures.intervals); None when
    # there is no ratio or no interval (e.g. no children of the group at the stage).
    ratio_low: float | None = None
    ratio_high: float | None = None

    @property
    def clearly_over_represented(self) -> bool | None:
        """At or above the threshold with the whole 95% interval above 1: unlikely to be chance.

        ``None`` when there is no ratio. A group over the threshold whose interval reaches 1 or
        below is "higher, but too few children to be sure" (:attr:`too_few_to_be_sure`).
        """
        if self.over_represented is None:
            return None
        return bool(self.over_represented and self.ratio_low is not None and self.ratio_low > 1)

    @property
    def too_few_to_be_sure(self) -> bool:
        """At or above the threshold, but the interval does not rule out no difference."""
        return bool(self.over_represented) and not self.clearly_over_represented

    @property
    def flag_text(self) -> str:
        """The flag with its threshold, e.g. "over-represented (ratio 1.25 or more)"."""
        if self.over_represented is None:
            return f"not computable: {self.representation_ratio_reason}"
        word = "over-represented" if self.over_represented else "not over-represented"
        return f"{word} (representation ratio threshold {self.threshold:g})"


@dataclass(frozen=True)
class StageDisproportionality:
    """All groups' figures at one stage in one LA, with data quality and the overall rate.

    ``children`` counts every child at the stage; ``known`` those of known ethnicity.
    ``refused_percent`` and ``not_obtained_percent`` are percentages (0-100) of ``children``.
    ``population_basis`` says which population the shares use, for printing with them.
    """

    stage: str
    groups: tuple[GroupDisproportionality, ...]
    reference_group: str
    threshold: float
    children: int
    known: int
    refused: int
    not_obtained: int
    refused_percent: float | None
    refused_percent_reason: str | None
    not_obtained_percent: float | None
    not_obtained_percent_reason: str | None
    overall_rate_per_10000: float | None
    overall_rate_reason: str | None
    population_basis: str

    def group(self, name: str) -> GroupDisproportionality:
        """The figures for one group, by name."""
        for result in self.groups:
            if result.group == name:
                return result
        raise KeyError(f"no group called {name!r} at stage {self.stage!r}")


def _percent(part: int, whole: int, small: bool) -> tuple[float | None, str | None]:
    if whole == 0:
        return None, NO_CHILDREN_AT_ALL
    if small:
        return None, SMALL_NUMBERS
    return part / whole * 100, None


def disproportionality(
    counts: Mapping[str, int],
    grouping: Mapping[str, str],
    population: Mapping[str, int],
    *,
    stage: str = "",
    population_0_17: Mapping[str, int] | None = None,
    total_0_17: int | None = None,
    reference_group: str = REFERENCE_GROUP,
    threshold: float = DEFAULT_THRESHOLD,
    not_known_groups: Collection[str] = (NOT_KNOWN,),
    refused_codes: Collection[str] = REFUSED_CODES,
    not_obtained_codes: Collection[str] = NOT_OBTAINED_CODES,
    suppressed_groups: Collection[str] = (),
    suppress: bool = True,
    lower: int = SMALLEST_SUPPRESSED,
    upper: int = LARGEST_SUPPRESSED,
    population_basis: str = "all ages",
) -> StageDisproportionality:
    """Disproportionality at one stage for one LA.

    ``counts``: children at the stage per DfE ethnicity code (codes left out count 0).
    ``grouping``: each code's analysis group; codes whose group is in ``not_known_groups`` are
    refused or not obtained. ``population``: population per analysis group (all ages unless
    ``population_basis`` says otherwise); the population share's denominator is its sum.
    ``population_0_17``: children aged 0-17 per group, for rates (optional). ``total_0_17``: the
    LA's children aged 0-17, all ethnicities, for the overall rate. ``suppressed_groups``: groups
    whose count is suppressed in the published table (e.g. by secondary suppression), treated
    like small counts. ``suppress=False`` gives the programme manager's own unsuppressed figures.
    """
    unknown_codes = sorted(set(counts) - set(grouping))
    if unknown_codes:
        raise ValueError(
            f"ethnicity code(s) {', '.join(unknown_codes)} are not in the grouping; add them to "
            "the grouping before analysing"
        )
    for code, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"{code}: {count!r} is not a count of children")
    if threshold <= 0:
        raise ValueError(f"the over-representation threshold must be above 0, not {threshold}")

    groups: list[str] = []
    for group in grouping.values():
        if group not in not_known_groups and group not in groups:
            groups.append(group)
    group_counts = dict.fromkeys(groups, 0)
    not_known = 0
    for code, count in counts.items():
        group = grouping[code]
        if group in not_known_groups:
            not_known += count
        else:
            group_counts[group] += count
    refused = sum(counts.get(code, 0) for code in refused_codes)
    not_obtained = sum(counts.get(code, 0) for code in not_obtained_codes)
    known = sum(group_counts.values())
    children = known + not_known
    population_total = sum(population.values())

    def small(count: int) -> bool:
        return suppress and is_small(count, lower, upper)

    # Rates and relative rates need the reference group's rate first.
    def rate(group: str, count: int) -> tuple[float | None, str | None]:
        if population_0_17 is None:
            return None, NO_AGE_MATCHED_POPULATION
        if small(count) or group in suppressed_groups:
            return None, SMALL_NUMBERS
        denominator = population_0_17.get(group, 0)
        if denominator == 0:
            return None, "no children aged 0-17 recorded in this group"
        return count / denominator * PER_10000, None

    reference_rate, reference_reason = (
        rate(reference_group, group_counts[reference_group])
        if reference_group in group_counts
        else (None, f"the reference group {reference_group!r} is not in the grouping")
    )

    results: list[GroupDisproportionality] = []
    for group in groups:
        count = group_counts[group]
        is_suppressed = small(count) or group in suppressed_groups

        if known == 0:
            share, share_reason = None, NO_CHILDREN_AT_STAGE
        elif is_suppressed:
            share, share_reason = None, SMALL_NUMBERS
        else:
            share, share_reason = count / known, None

        group_population = population.get(group, 0)
        if group_population == 0 or population_total == 0:
            population_share, population_reason = None, NO_POPULATION
        else:
            population_share, population_reason = group_population / population_total, None

        # The ratio is worked exactly from the counts, so that a ratio of exactly the threshold
        # (1.25 from 25 of 200 against 1,000 of 10,000, say) is flagged despite float rounding.
        exact_ratio: Fraction | None = None
        low = high = None
        if share is None:
            ratio, ratio_reason = None, share_reason
        elif population_share is None:
            ratio, ratio_reason = None, population_reason
        else:
            exact_ratio = Fraction(count * population_total, known * group_population)
            ratio, ratio_reason = float(exact_ratio), None
            interval = ratio_interval(
                count, known, round(group_population), max(round(population_total), 1)
            )
            low, high = interval.low, interval.high

        group_rate, group_rate_reason = rate(group, count)
        if group_rate is None:
            relative, relative_reason = None, group_rate_reason
        elif reference_rate is None:
            relative = None
            relative_reason = f"reference group {reference_group}: {reference_reason}"
        elif reference_rate == 0:
            relative, relative_reason = None, f"the {reference_group} rate is zero"
        else:
            relative, relative_reason = group_rate / reference_rate, None

        results.append(
            GroupDisproportionality(
                group=group,
                count=count,
                suppressed=is_suppressed,
                share_at_stage=share,
                share_reason=share_reason,
                population_share=population_share,
                population_share_reason=population_reason,
                representation_ratio=ratio,
                representation_ratio_reason=ratio_reason,
                rate_per_10000=group_rate,
                rate_reason=group_rate_reason,
                relative_rate=relative,
                relative_rate_reason=relative_reason,
                over_represented=(
                    None if exact_ratio is None else exact_ratio >= Fraction(str(threshold))
                ),
                threshold=threshold,
                ratio_low=low,
                ratio_high=high,
            )
        )

    if total_0_17 is None:
        overall, overall_reason = None, NO_0_17_TOTAL
    elif total_0_17 == 0:
        overall, overall_reason = None, ZERO_0_17_TOTAL
    elif small(children):
        overall, overall_reason = None, SMALL_NUMBERS
    else:
        overall, overall_reason = children / total_0_17 * PER_10000, None

    refused_percent, refused_reason = _percent(refused, children, small(refused))
    not_obtained_percent, not_obtained_reason = _percent(
        not_obtained, children, small(not_obtained)
    )
    return StageDisproportionality(
        stage=stage,
        groups=tuple(results),
        reference_group=reference_group,
        threshold=threshold,
        children=children,
        known=known,
        refused=refused,
        not_obtained=not_obtained,
        refused_percent=refused_percent,
        refused_percent_reason=refused_reason,
        not_obtained_percent=not_obtained_percent,
        not_obtained_percent_reason=not_obtained_reason,
        overall_rate_per_10000=overall,
        overall_rate_reason=overall_reason,
        population_basis=population_basis,
    )


def representation_ratio(share_at_stage: float, population_share: float) -> float:
    """A group's share at a stage ÷ its share of the population (shares as fractions or %)."""
    if population_share <= 0:
        raise ValueError("the population share must be above 0")
    return share_at_stage / population_share


def count_las_over_represented(
    results_by_la: Mapping[str, Mapping[str, StageDisproportionality]],
    stage: str,
    group: str,
    *,
    clearly: bool = False,
) -> tuple[int, int]:
    """How many LAs flag ``group`` as over-represented at ``stage``, of those with a figure.

    ``results_by_la`` maps each LA to its results by stage. An LA counts towards the second number
    only if its representation ratio for the group could be computed. With ``clearly=True`` only
    clear over-representation counts (the interval above 1 as well as the ratio at the threshold).
    """
    over = with_data = 0
    for by_stage in results_by_la.values():
        result = by_stage.get(stage)
        if result is None:
            continue
        attr = "clearly_over_represented" if clearly else "over_represented"
        flagged = next((getattr(g, attr) for g in result.groups if g.group == group), None)
        if flagged is None:
            continue
        with_data += 1
        over += int(flagged)
    return over, with_data


def over_representation_sentence(
    group: str,
    stage_phrase: str,
    n_over: int,
    n_with_data: int,
    threshold: float | None = None,
    *,
    clearly: bool = False,
) -> str:
    """The region's sentence, e.g. "Mixed or Multiple ethnic groups are over-represented among
    children in need in 7 of 11 LAs."

    ``stage_phrase`` is data ("among referrals", "among children looked after", ...). Give
    ``threshold`` to print it with the sentence.
    """
    if n_with_data == 0:
        sentence = f"No LA has figures to show whether {group} are over-represented {stage_phrase}."
    else:
        las = "LA" if n_with_data == 1 else "LAs"
        if clearly:
            # "Group: ..." avoids making a group's name agree with a verb ("Other ethnic group
            # are"), which reads as machine output.
            sentence = (
                f"{group}: clearly over-represented {stage_phrase} in {n_over} of "
                f"{n_with_data} {las}."
            )
        else:
            sentence = (
                f"{group} are over-represented {stage_phrase} in {n_over} of {n_with_data} {las}."
            )
    if threshold is not None:
        interval = ", with its 95% confidence interval above 1" if clearly else ""
        sentence = f"{sentence[:-1]} (representation ratio of {threshold:g} or more{interval})."
    return sentence
