"""Pledge scores by the CELC Tackling Racial Inequality Standard's method (seeds/002).

Each criterion offers some of the levels Developing (1 point), Established (2) and Leading (3); an
answer scores 0 (not yet in place) up to the highest level the criterion offers. A category's score
is the sum of its criteria's points, and the level is read from three score ranges that the
Standard derives from which levels each criterion offers ("Scoring against the categories"):

* Developing runs from 0 to the score of reaching every Developing level on offer plus the
  Established level of every criterion that offers no Developing level.
* Established runs from one more than that to the score of reaching every Established level on
  offer plus the Leading level of every criterion that offers no Established level.
* Leading runs from one more than that to the score of reaching every Leading level.

"Where the developing practice is not available" is read criterion by criterion: a criterion with
no Developing level counts its Established level (if any) towards the Developing top, and a
criterion with no Established level counts its highest level towards the Established top. Only
this reading reproduces the published ranges of Category 6, whose Developing-only criterion counts
1 point in the Established top.

The ranges are computed from the instrument, never typed in, so that a criterion added or
re-levelled in the instrument moves the ranges with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEVELOPING = 1
ESTABLISHED = 2
LEADING = 3

#: Level names as the Standard prints them, by points.
LEVEL_NAMES: dict[int, str] = {
    DEVELOPING: "Developing",
    ESTABLISHED: "Established",
    LEADING: "Leading",
}

_VALID_LEVELS = frozenset(LEVEL_NAMES)


@dataclass(frozen=True)
class ScoreRanges:
    """The points that give each level, as inclusive ``(lowest, highest)`` pairs.

    A band is ``None`` when the method leaves it empty: with only Leading-only criteria, for
    example, the Established top is already full marks, so no score reaches Leading.
    """

    developing: tuple[int, int]
    established: tuple[int, int] | None
    leading: tuple[int, int] | None

    @property
    def max_points(self) -> int:
        """The highest score the category allows."""
        for band in (self.leading, self.established, self.developing):
            if band is not None:
                return band[1]
        raise AssertionError("the Developing band is never empty")

    def as_dict(self) -> dict[str, tuple[int, int] | None]:
        """The bands by level name, for tables and messages."""
        return {
            "Developing": self.developing,
            "Established": self.established,
            "Leading": self.leading,
        }


@dataclass(frozen=True)
class PledgeScore:
    """A scored pledge (or CELC category).

    ``points`` counts answered criteria only. ``level`` is ``None`` when any criterion is
    unanswered, because a missing answer could move the score into another band; ``reason`` then
    says which criteria are missing. ``unoffered`` lists criteria (numbered from 1) answered at a
    level the criterion does not offer but below its highest level, so that a check can query them.
    """

    points: int
    max_points: int
    level: str | None
    ranges: ScoreRanges
    answered: int
    unanswered: int
    unanswered_criteria: tuple[int, ...] = ()
    unoffered: tuple[int, ...] = ()
    reason: str | None = None


def _check_offered(offered: Sequence[frozenset[int]]) -> None:
    if not offered:
        raise ValueError("a pledge needs at least one criterion to be scored")
    for number, levels in enumerate(offered, start=1):
        if not levels:
            raise ValueError(f"criterion {number} offers no level; it must offer 1, 2 or 3")
        unknown = set(levels) - _VALID_LEVELS
        if unknown:
            raise ValueError(
                f"criterion {number} offers level(s) {sorted(unknown)}; levels are 1 (Developing), "
                "2 (Established) and 3 (Leading)"
            )


def score_ranges(offered: Sequence[frozenset[int]]) -> ScoreRanges:
    """Score ranges for a category whose criteria offer the given levels (seeds/002's method).

    ``offered`` has one set per criterion, e.g. ``frozenset({2, 3})`` for a criterion printed in
    the Established and Leading columns.
    """
    _check_offered(offered)
    developing_top = 0
    established_top = 0
    leading_top = 0
    for levels in offered:
        highest = max(levels)
        if DEVELOPING in levels:
            developing_top += DEVELOPING
        elif ESTABLISHED in levels:
            developing_top += ESTABLISHED
        established_top += ESTABLISHED if ESTABLISHED in levels else highest
        leading_top += highest
    established = (
        (developing_top + 1, established_top) if established_top > developing_top else None
    )
    leading = (established_top + 1, leading_top) if leading_top > established_top else None
    return ScoreRanges(developing=(0, developing_top), established=established, leading=leading)


def level_for(points: int, ranges: ScoreRanges) -> str:
    """The level ("Developing", "Established" or "Leading") that ``points`` falls in."""
    if points < 0 or points > ranges.max_points:
        raise ValueError(
            f"{points} points is outside the category's range of 0 to {ranges.max_points}"
        )
    for name, band in ranges.as_dict().items():
        if band is not None and band[0] <= points <= band[1]:
            return name
    raise AssertionError("the bands cover 0 to the maximum without gaps")


def score_pledge(answers: Sequence[int | None], offered: Sequence[frozenset[int]]) -> PledgeScore:
    """Score one pledge (or CELC category) from its answers.

    ``answers`` has one entry per criterion, in the order of ``offered``: 0 (not yet in place) to
    3, or ``None`` when the criterion was left blank. An answer above the highest level its
    criterion offers is an error, since the Standard describes no such practice.
    """
    if len(answers) != len(offered):
        raise ValueError(
            f"{len(answers)} answer(s) given for {len(offered)} criteria; give one per criterion "
            "(None for a blank)"
        )
    ranges = score_ranges(offered)
    points = 0
    missing: list[int] = []
    unoffered: list[int] = []
    for number, (answer, levels) in enumerate(zip(answers, offered, strict=True), start=1):
        if answer is None:
            missing.append(number)
            continue
        # bool is an int subclass; True would silently score 1.
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise ValueError(
                f"criterion {number}: the answer must be a whole number, not {answer!r}"
            )
        highest = max(levels)
        if answer < 0 or answer > highest:
            offered_names = ", ".join(f"{lv} ({LEVEL_NAMES[lv]})" for lv in sorted(levels))
            raise ValueError(
                f"criterion {number}: answer {answer} is above the highest level this criterion "
                f"offers ({highest}, {LEVEL_NAMES[highest]}); it offers {offered_names}, or 0 "
                "for not yet in place"
                if answer > highest
                else f"criterion {number}: answer {answer} is below 0"
            )
        if answer and answer not in levels:
            unoffered.append(number)
        points += answer
    if missing:
        listed = ", ".join(str(n) for n in missing)
        reason = (
            f"no level: criterion {listed} not answered"
            if len(missing) == 1
            else f"no level: criteria {listed} not answered"
        )
        level = None
    else:
        reason = None
        level = level_for(points, ranges)
    return PledgeScore(
        points=points,
        max_points=ranges.max_points,
        level=level,
        ranges=ranges,
        answered=len(answers) - len(missing),
        unanswered=len(missing),
        unanswered_criteria=tuple(missing),
        unoffered=tuple(unoffered),
        reason=reason,
    )
