"""Social Care Workforce Race Equality Standard (SC-WRES) indicators.

Staff are counted in three groups: ``white`` (every White group), ``minority_ethnic`` (all other
groups: the programme's global majority colleagues) and ``not_known``. A relative likelihood is the
minority ethnic rate ÷ the white rate, where a rate is events ÷ base, worked from raw counts and
never from rounded percentages. SC-WRES puts the minority ethnic group on top (above 1: more likely
for minority ethnic staff); the NHS WRES puts white on top for its appointment and CPD indicators,
so every result states its direction and offers the reciprocal. 1.0 means equal; NHS England's
"non-adverse" band is 0.80 to 1.25 (the four-fifths rule).

Regional figures sum the LAs' counts first and then compute; ratios are never averaged.

Each relative likelihood carries a 95% confidence interval by the Katz log method
(:mod:`collate.measures.intervals`). A likelihood outside the band is "clearly higher" (or "clearly
lower") only when its whole interval is above (or below) 1; outside the band with an interval
that includes 1, there are too few staff to be sure of a difference. No interval is given where
the likelihood itself is not computed (a small count, a zero base).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from collate.measures.intervals import ratio_interval
from collate.measures.proportion import Proportion, check_count, proportion
from collate.measures.rounding import round_half_up
from collate.measures.suppression import (
    LARGEST_SUPPRESSED,
    SMALL_NUMBERS,
    SMALLEST_SUPPRESSED,
    is_small,
)

WHITE = "white"
MINORITY_ETHNIC = "minority_ethnic"
NOT_KNOWN = "not_known"
GROUPS = (WHITE, MINORITY_ETHNIC, NOT_KNOWN)

#: The direction of every relative likelihood the toolkit computes.
DIRECTION = "minority ethnic ÷ white"
#: NHS England's non-adverse band (four-fifths rule), inclusive.
BAND = (0.80, 1.25)

#: What a relative likelihood shows, given its band and its 95% interval.
WITHIN_BAND = "within the band"
CLEARLY_HIGHER = "clearly higher"
CLEARLY_LOWER = "clearly lower"
TOO_FEW_TO_BE_SURE = "outside the band but too few to be sure"


@dataclass(frozen=True)
class RelativeLikelihood:
    """Minority ethnic rate ÷ white rate, or ``None`` with the reason it is not computable.

    ``in_band`` says whether ``value`` lies in ``band`` (inclusive); ``None`` when there is no
    value.
    """

    value: float | None
    reason: str | None
    events_minority_ethnic: int
    base_minority_ethnic: int
    events_white: int
    base_white: int
    rate_minority_ethnic: float | None
    rate_white: float | None
    in_band: bool | None
    band: tuple[float, float] = BAND
    direction: str = DIRECTION
    indicator: str | None = None
    low: float | None = None
    high: float | None = None
    interval_reason: str | None = None

    @property
    def finding(self) -> str | None:
        """Within the band, clearly higher or lower, or outside the band but too few to be sure.

        Clearly higher (lower): outside the band and the whole 95% interval above (below) 1.
        ``None`` when there is no likelihood.
        """
        return likelihood_finding(self.value, self.in_band, self.low, self.high)

    @property
    def white_over_minority_ethnic(self) -> float | None:
        """The reciprocal (white ÷ minority ethnic), as the NHS WRES prints indicators 2 and 4."""
        if self.value is None or self.value == 0:
            return None
        return 1 / self.value


def likelihood_finding(
    value: float | None, in_band: bool | None, low: float | None, high: float | None
) -> str | None:
    """What a likelihood shows: :data:`WITHIN_BAND`, :data:`CLEARLY_HIGHER`,
    :data:`CLEARLY_LOWER` or :data:`TOO_FEW_TO_BE_SURE` (``None`` without a likelihood)."""
    if value is None or in_band is None:
        return None
    if in_band:
        return WITHIN_BAND
    if value > 1 and low is not None and low > 1:
        return CLEARLY_HIGHER
    if value < 1 and high is not None and high < 1:
        return CLEARLY_LOWER
    return TOO_FEW_TO_BE_SURE


def relative_likelihood(
    events_me: int,
    base_me: int,
    events_w: int,
    base_w: int,
    *,
    suppress: bool = True,
    lower: int = SMALLEST_SUPPRESSED,
    upper: int = LARGEST_SUPPRESSED,
    band: tuple[float, float] = BAND,
    indicator: str | None = None,
) -> RelativeLikelihood:
    """(events_me ÷ base_me) ÷ (events_w ÷ base_w), minority ethnic on top.

    Not computable when a base is zero, when the white rate is zero, or (with ``suppress``, the
    default) when any of the four counts is from ``lower`` to ``upper``. ``suppress=False`` is for
    the programme manager's own unsuppressed figures.
    """
    for value, what in (
        (events_me, "minority ethnic events"),
        (base_me, "minority ethnic base"),
        (events_w, "white events"),
        (base_w, "white base"),
    ):
        check_count(value, what)
    if events_me > base_me or events_w > base_w:
        raise ValueError(
            "events cannot exceed their base: "
            f"minority ethnic {events_me} of {base_me}, white {events_w} of {base_w}"
        )
    if band[0] > band[1]:
        raise ValueError(f"the band {band} is the wrong way round")

    def result(exact: Fraction | None, reason: str | None, rate_me=None, rate_w=None):
        # Worked exactly from the counts so that a likelihood of exactly 0.8 or 1.25 is in the
        # band despite float rounding.
        low = high = None
        interval_reason = reason
        if exact is not None:
            ci = ratio_interval(events_me, base_me, events_w, base_w)
            low, high, interval_reason = ci.low, ci.high, ci.reason
        return RelativeLikelihood(
            value=None if exact is None else float(exact),
            reason=reason,
            events_minority_ethnic=events_me,
            base_minority_ethnic=base_me,
            events_white=events_w,
            base_white=base_w,
            rate_minority_ethnic=rate_me,
            rate_white=rate_w,
            in_band=(
                None if exact is None else Fraction(str(band[0])) <= exact <= Fraction(str(band[1]))
            ),
            band=band,
            indicator=indicator,
            low=low,
            high=high,
            interval_reason=interval_reason,
        )

    if base_me == 0:
        return result(None, "no minority ethnic staff in the base")
    if base_w == 0:
        return result(None, "no white staff in the base")
    if suppress and any(is_small(n, lower, upper) for n in (events_me, base_me, events_w, base_w)):
        return result(None, SMALL_NUMBERS)
    rate_me, rate_w = events_me / base_me, events_w / base_w
    if rate_w == 0:
        return result(None, "the white rate is zero", rate_me, rate_w)
    return result(Fraction(events_me * base_w, base_me * events_w), None, rate_me, rate_w)


def _by_group(counts: Mapping[str, int], what: str) -> dict[str, int]:
    unknown = sorted(set(counts) - set(GROUPS))
    if unknown:
        raise ValueError(f"{what}: unknown group(s) {unknown}; use {list(GROUPS)}")
    return {group: check_count(counts.get(group, 0), f"{what}, {group}") for group in GROUPS}


def _indicator_likelihood(
    indicator: str | None, events: Mapping[str, int], base: Mapping[str, int], **options
) -> RelativeLikelihood:
    ev, bs = _by_group(events, "events"), _by_group(base, "base")
    return relative_likelihood(
        ev[MINORITY_ETHNIC],
        bs[MINORITY_ETHNIC],
        ev[WHITE],
        bs[WHITE],
        indicator=indicator,
        **options,
    )


def appointed_from_shortlisting(
    appointed: Mapping[str, int], shortlisted: Mapping[str, int], **options
) -> RelativeLikelihood:
    """Indicator 2: appointed ÷ shortlisted, minority ethnic against white."""
    return _indicator_likelihood("2", appointed, shortlisted, **options)


def entered_formal_disciplinary(
    entered: Mapping[str, int], headcount: Mapping[str, int], **options
) -> RelativeLikelihood:
    """Indicator 3: entered the formal disciplinary process ÷ headcount."""
    return _indicator_likelihood("3", entered, headcount, **options)


def referred_to_social_work_england(
    referred: Mapping[str, int], regulated_headcount: Mapping[str, int], **options
) -> RelativeLikelihood:
    """Indicator 4: referred to Social Work England ÷ regulated (registered) headcount."""
    return _indicator_likelihood("4", referred, regulated_headcount, **options)


def accessed_non_mandatory_cpd(
    accessed: Mapping[str, int], headcount: Mapping[str, int], **options
) -> RelativeLikelihood:
    """Indicator 5: accessed funded non-mandatory CPD ÷ headcount."""
    return _indicator_likelihood("5", accessed, headcount, **options)


def leaving(
    leavers: Mapping[str, int], headcount: Mapping[str, int], **options
) -> RelativeLikelihood:
    """Indicator 8: leavers ÷ headcount."""
    return _indicator_likelihood("8", leavers, headcount, **options)


# --- indicator 1 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PayBandShare:
    """One pay band: headcount by group and the minority ethnic share of known ethnicity.

    ``difference_points`` is the band's share less the whole workforce's, in percentage points.
    """

    band: str
    minority_ethnic: int
    white: int
    not_known: int
    minority_ethnic_share: Proportion
    difference_points: float | None
    difference_reason: str | None


@dataclass(frozen=True)
class PayBandRepresentation:
    """Indicator 1: each band against the whole workforce."""

    bands: tuple[PayBandShare, ...]
    overall: Proportion
    not_known_share: Proportion


def _share_of_known(counts: dict[str, int], **options) -> Proportion:
    # Known ethnicity only, as SC-WRES compares minority ethnic staff with white staff.
    return proportion(counts[MINORITY_ETHNIC], counts[MINORITY_ETHNIC] + counts[WHITE], **options)


def _difference_points(first: Proportion, second: Proportion) -> tuple[float | None, str | None]:
    if first.value is None:
        return None, first.reason
    if second.value is None:
        return None, second.reason
    return (first.value - second.value) * 100, None


def pay_band_representation(
    headcount_by_band: Mapping[str, Mapping[str, int]], **options
) -> PayBandRepresentation:
    """Indicator 1: the minority ethnic share of known-ethnicity headcount in each pay band.

    ``headcount_by_band`` maps each band (in display order) to headcount by group. The whole
    workforce's share sums every band's counts first.
    """
    bands = {band: _by_group(counts, f"band {band}") for band, counts in headcount_by_band.items()}
    total = sum_by_group(bands.values())
    overall = _share_of_known(total, **options)
    rows = []
    for band, counts in bands.items():
        share = _share_of_known(counts, **options)
        difference, reason = _difference_points(share, overall)
        rows.append(
            PayBandShare(
                band=band,
                minority_ethnic=counts[MINORITY_ETHNIC],
                white=counts[WHITE],
                not_known=counts[NOT_KNOWN],
                minority_ethnic_share=share,
                difference_points=difference,
                difference_reason=reason,
            )
        )
    return PayBandRepresentation(
        bands=tuple(rows),
        overall=overall,
        not_known_share=proportion(total[NOT_KNOWN], sum(total.values()), **options),
    )


# --- indicators 6, 7a, 7b ------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyDifference:
    """A staff survey percentage by group and the gap, minority ethnic less white.

    Percentages are 0-100 as given; ``difference_points`` is in percentage points.
    """

    indicator: str | None
    percent_minority_ethnic: float | None
    percent_white: float | None
    respondents_minority_ethnic: int | None
    respondents_white: int | None
    difference_points: float | None
    reason: str | None
    direction: str = "minority ethnic − white"


def _small_worked_back(
    percent: Mapping[str, float], counts: Mapping[str, int], lower: int, upper: int
) -> bool:
    """True when a percentage times the number who answered is a number of staff from 1 to 5."""
    return any(
        is_small(int(round_half_up(percent[g] * counts[g] / 100, 0)), lower, upper)
        for g in (MINORITY_ETHNIC, WHITE)
        if percent.get(g) is not None
    )


def survey_difference(
    percent: Mapping[str, float],
    respondents: Mapping[str, int] | None = None,
    *,
    indicator: str | None = None,
    suppress: bool = True,
    lower: int = SMALLEST_SUPPRESSED,
    upper: int = LARGEST_SUPPRESSED,
) -> SurveyDifference:
    """Indicators 6, 7a and 7b from a survey's published percentages (0-100) by group.

    With ``respondents``, a group answered by ``lower`` to ``upper`` people, or by nobody, is not
    computable.
    """
    for group, value in percent.items():
        if group not in GROUPS:
            raise ValueError(f"unknown group {group!r}; use {list(GROUPS)}")
        if not 0 <= value <= 100:
            raise ValueError(f"{group}: {value} is not a percentage from 0 to 100")
    counts = _by_group(respondents, "respondents") if respondents is not None else None
    me, w = percent.get(MINORITY_ETHNIC), percent.get(WHITE)
    reason = None
    if me is None or w is None:
        reason = "no percentage given for " + (
            "minority ethnic staff" if me is None else "white staff"
        )
    elif counts is not None:
        if counts[MINORITY_ETHNIC] == 0 or counts[WHITE] == 0:
            reason = "no respondents in a group"
        elif suppress and (
            is_small(counts[MINORITY_ETHNIC], lower, upper)
            or is_small(counts[WHITE], lower, upper)
            or _small_worked_back(percent, counts, lower, upper)
        ):
            reason = SMALL_NUMBERS
    shown_me, shown_w = (None, None) if reason == SMALL_NUMBERS else (me, w)
    return SurveyDifference(
        indicator=indicator,
        percent_minority_ethnic=shown_me,
        percent_white=shown_w,
        respondents_minority_ethnic=None if counts is None else counts[MINORITY_ETHNIC],
        respondents_white=None if counts is None else counts[WHITE],
        difference_points=None if reason else me - w,
        reason=reason,
    )


#: Why a survey likelihood has no interval when the number who answered was not given.
NO_RESPONDENTS = "no interval: the number of staff who answered the survey was not given"


def survey_likelihood(
    percent: Mapping[str, float],
    respondents: Mapping[str, int] | None = None,
    *,
    indicator: str | None = None,
    suppress: bool = True,
    lower: int = SMALLEST_SUPPRESSED,
    upper: int = LARGEST_SUPPRESSED,
    band: tuple[float, float] = BAND,
) -> RelativeLikelihood:
    """Indicators 6, 7a and 7b as relative likelihoods, as Skills for Care's SC-WRES reports give
    them: the minority ethnic percentage ÷ the white percentage (minority ethnic on top).

    The likelihood is worked from the percentages as the council gave them (the survey's own
    figures). Its 95% interval is the Katz log interval for the numbers of staff behind them,
    worked back from each percentage and the number who answered (rounded to whole people), and
    set around the likelihood. Not computable without both percentages, when a group had no
    respondents, when the white percentage is 0, or (with ``suppress``) when a group was
    answered by ``lower`` to ``upper`` people. With ``suppress``, a likelihood whose worked-back
    numbers of staff include one from ``lower`` to ``upper`` is withheld with its interval: the
    likelihood and the gap together give both percentages, and a percentage with the number who
    answered gives the number of staff.
    """
    for group, value in percent.items():
        if group not in GROUPS:
            raise ValueError(f"unknown group {group!r}; use {list(GROUPS)}")
        if not 0 <= value <= 100:
            raise ValueError(f"{group}: {value} is not a percentage from 0 to 100")
    if band[0] > band[1]:
        raise ValueError(f"the band {band} is the wrong way round")
    counts = _by_group(respondents, "respondents") if respondents is not None else None
    me, w = percent.get(MINORITY_ETHNIC), percent.get(WHITE)
    n_me = counts[MINORITY_ETHNIC] if counts else 0
    n_w = counts[WHITE] if counts else 0
    a = int(round_half_up(me * n_me / 100, 0)) if me is not None else 0
    c = int(round_half_up(w * n_w / 100, 0)) if w is not None else 0

    def result(exact: Fraction | None, reason: str | None, low=None, high=None, why=None):
        return RelativeLikelihood(
            value=None if exact is None else float(exact),
            reason=reason,
            events_minority_ethnic=a,
            base_minority_ethnic=n_me,
            events_white=c,
            base_white=n_w,
            rate_minority_ethnic=None if me is None or reason else me / 100,
            rate_white=None if w is None or reason else w / 100,
            in_band=(
                None if exact is None else Fraction(str(band[0])) <= exact <= Fraction(str(band[1]))
            ),
            band=band,
            indicator=indicator,
            low=low,
            high=high,
            interval_reason=reason if exact is None else why,
        )

    if me is None or w is None:
        missing = "minority ethnic staff" if me is None else "white staff"
        return result(None, f"no percentage given for {missing}")
    if counts is not None:
        if n_me == 0 or n_w == 0:
            return result(None, "no respondents in a group")
        if suppress and (is_small(n_me, lower, upper) or is_small(n_w, lower, upper)):
            return result(None, SMALL_NUMBERS)
    if w == 0:
        return result(None, "the white percentage is zero")
    exact = Fraction(str(me)) / Fraction(str(w))
    if counts is None:
        return result(exact, None, why=NO_RESPONDENTS)
    if suppress and (is_small(a, lower, upper) or is_small(c, lower, upper)):
        # A percentage and the number who answered give the number of staff: from 1 to 5, the
        # likelihood (and with it the percentages it is worked from) is withheld too.
        return result(None, SMALL_NUMBERS)
    if c == 0:
        return result(exact, None, why="no interval: the white percentage is below one person")
    ci = ratio_interval(a, n_me, c, n_w)
    if ci.low is None or ci.high is None or ci.ratio == 0:
        return result(exact, None, why=ci.reason)
    scale = float(exact) / ci.ratio
    return result(exact, None, ci.low * scale, ci.high * scale)


def survey_difference_from_counts(
    yes: Mapping[str, int],
    respondents: Mapping[str, int],
    *,
    indicator: str | None = None,
    **options,
) -> SurveyDifference:
    """Indicators 6, 7a and 7b from counts (e.g. summed over LAs for the region)."""
    ys, rs = _by_group(yes, "answered yes"), _by_group(respondents, "respondents")
    me = proportion(ys[MINORITY_ETHNIC], rs[MINORITY_ETHNIC], **options)
    w = proportion(ys[WHITE], rs[WHITE], **options)
    reason = me.reason or w.reason
    return SurveyDifference(
        indicator=indicator,
        percent_minority_ethnic=me.percent,
        percent_white=w.percent,
        respondents_minority_ethnic=rs[MINORITY_ETHNIC],
        respondents_white=rs[WHITE],
        difference_points=None if reason else me.percent - w.percent,  # type: ignore[operator]
        reason=reason,
    )


# --- indicator 9 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SeniorManagementDifference:
    """Indicator 9: minority ethnic shares (of known ethnicity) and their gaps in points."""

    senior_managers: Proportion
    workforce: Proportion
    population: Proportion
    senior_less_workforce_points: float | None
    senior_less_workforce_reason: str | None
    senior_less_population_points: float | None
    senior_less_population_reason: str | None


def senior_management_difference(
    senior_managers: Mapping[str, int],
    workforce: Mapping[str, int],
    population: Mapping[str, int],
    **options,
) -> SeniorManagementDifference:
    """Indicator 9: the minority ethnic share of senior managers against the whole workforce and
    the population, each of known ethnicity, with differences in percentage points.

    Population counts are not suppressed (they are published Census figures).
    """
    senior = _share_of_known(_by_group(senior_managers, "senior managers"), **options)
    staff = _share_of_known(_by_group(workforce, "workforce"), **options)
    people = _share_of_known(_by_group(population, "population"), suppress=False)
    vs_staff, vs_staff_reason = _difference_points(senior, staff)
    vs_people, vs_people_reason = _difference_points(senior, people)
    return SeniorManagementDifference(
        senior_managers=senior,
        workforce=staff,
        population=people,
        senior_less_workforce_points=vs_staff,
        senior_less_workforce_reason=vs_staff_reason,
        senior_less_population_points=vs_people,
        senior_less_population_reason=vs_people_reason,
    )


# --- regional roll-up ----------------------------------------------------------------------


def sum_by_group(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Counts by group summed over LAs (or bands): the region's counts, before any ratio."""
    total = dict.fromkeys(GROUPS, 0)
    for each in counts:
        for group, value in _by_group(each, "counts").items():
            total[group] += value
    return total


def regional_relative_likelihood(
    events_by_la: Mapping[str, Mapping[str, int]],
    base_by_la: Mapping[str, Mapping[str, int]],
    *,
    indicator: str | None = None,
    **options,
) -> RelativeLikelihood:
    """The region's relative likelihood: every LA's counts summed, then one ratio.

    Both mappings must cover the same LAs, so that no LA's events are set against a base that
    leaves it out.
    """
    if set(events_by_la) != set(base_by_la):
        raise ValueError(
            "events and base must cover the same LAs; only in one: "
            f"{sorted(set(events_by_la) ^ set(base_by_la))}"
        )
    return _indicator_likelihood(
        indicator,
        sum_by_group(events_by_la.values()),
        sum_by_group(base_by_la.values()),
        **options,
    )
