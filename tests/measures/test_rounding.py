"""Rounding for presentation: halves go up, as in published statistics."""

from __future__ import annotations

import pytest

from collate.measures.rounding import (
    PERCENTAGE_DECIMAL_PLACES,
    RATE_DECIMAL_PLACES,
    RATIO_DECIMAL_PLACES,
    round_half_up,
)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (0.125, 2, 0.13),  # round() gives 0.12 (half to even)
        (2.675, 2, 2.68),  # round() gives 2.67 (binary value just below)
        (1562.45, 1, 1562.5),
        (0.5, 0, 1.0),
        (2.5, 0, 3.0),  # round() gives 2
        (-1.25, 1, -1.3),
        (1.0 / 3.0, 2, 0.33),
        (7.0, 1, 7.0),
    ],
)
def test_round_half_up(value, places, expected):
    assert round_half_up(value, places) == expected


def test_presentation_places():
    assert (RATE_DECIMAL_PLACES, RATIO_DECIMAL_PLACES, PERCENTAGE_DECIMAL_PLACES) == (1, 2, 1)
    with pytest.raises(ValueError):
        round_half_up(1.0, -1)
