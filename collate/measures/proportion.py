"""A share of a count, computed only when it is safe to publish."""

from __future__ import annotations

from dataclasses import dataclass

from collate.measures.suppression import (
    LARGEST_SUPPRESSED,
    SMALL_NUMBERS,
    SMALLEST_SUPPRESSED,
    is_small,
)

ZERO_BASE = "the base is zero"


@dataclass(frozen=True)
class Proportion:
    """``numerator`` ÷ ``denominator`` as a fraction, or ``None`` with a reason."""

    numerator: int
    denominator: int
    value: float | None
    reason: str | None = None

    @property
    def percent(self) -> float | None:
        """The proportion as a percentage (0-100), or ``None``."""
        return None if self.value is None else self.value * 100


def check_count(value: object, what: str) -> int:
    """``value`` as a count, or a ValueError naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what}: {value!r} is not a count (a whole number, 0 or more)")
    return value


def proportion(
    numerator: int,
    denominator: int,
    *,
    suppress: bool = True,
    lower: int = SMALLEST_SUPPRESSED,
    upper: int = LARGEST_SUPPRESSED,
) -> Proportion:
    """``numerator`` ÷ ``denominator``, not computed from a zero base or a small count.

    With ``suppress`` (the default) a numerator or denominator from ``lower`` to ``upper`` makes
    the share not computable ("small numbers"): the share and the other count would give the
    small one away. A numerator of 0 is fine.
    """
    check_count(numerator, "numerator")
    check_count(denominator, "denominator")
    if numerator > denominator:
        raise ValueError(f"{numerator} is more than its base of {denominator}")
    if denominator == 0:
        return Proportion(numerator, denominator, None, ZERO_BASE)
    if suppress and (is_small(numerator, lower, upper) or is_small(denominator, lower, upper)):
        return Proportion(numerator, denominator, None, SMALL_NUMBERS)
    return Proportion(numerator, denominator, numerator / denominator)
