"""Rounding for presentation.

Measures keep full precision; only what is shown to people is rounded. Python's ``round`` rounds
half to even (``round(0.125, 2) == 0.12``) and works on the binary value of a float, so a figure
printed as 2.675 can round down. Published statistics round half up on the decimal figure, so
tables made by the toolkit use :func:`round_half_up`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: DfE publishes rates per 10,000 children to 1 decimal place.
RATE_DECIMAL_PLACES = 1
#: Representation ratios, relative rates and relative likelihoods are shown to 2 decimal places.
RATIO_DECIMAL_PLACES = 2
#: Percentages are shown to 1 decimal place.
PERCENTAGE_DECIMAL_PLACES = 1


def round_half_up(value: float, places: int) -> float:
    """Round ``value`` to ``places`` decimal places, halves away from zero.

    The float's shortest decimal form (its ``repr``) is rounded, so ``round_half_up(2.675, 2)``
    gives 2.68 as a reader of the unrounded figure would expect.

    >>> round_half_up(0.125, 2)
    0.13
    >>> round_half_up(-1.25, 1)
    -1.3
    """
    if places < 0:
        raise ValueError(f"places must be 0 or more, not {places}")
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
