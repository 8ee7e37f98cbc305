"""The one formatter for every figure the report prints.

Each figure comes from the analysis frames that collated.xlsx also publishes, and is written
here, so a figure in the report always matches the workbook: ratios to 2 decimal places, rates
per 10,000 and percentages to 1, halves rounded up (`collate.measures.round_half_up`).

Missing figures follow the Government Statistical Service's "Using symbols and shorthand in
tables" (Analysis Function, 2022): "[c]" for a figure withheld to protect confidentiality (small
numbers), "[x]" for one that is not available, "[z]" for not applicable, with a key.
"""

from __future__ import annotations

import math
from typing import Any

from collate.measures import (
    PERCENTAGE_DECIMAL_PLACES,
    RATE_DECIMAL_PLACES,
    RATIO_DECIMAL_PLACES,
    SUPPRESSED,
    round_half_up,
)

WITHHELD, NOT_AVAILABLE, NOT_APPLICABLE = "[c]", "[x]", "[z]"
MINUS = "\u2212"  # a true minus sign, as GOV.UK style asks
PLACES = {
    "ratio": RATIO_DECIMAL_PLACES,
    "rate": RATE_DECIMAL_PLACES,
    "percent": PERCENTAGE_DECIMAL_PLACES,
    "points": PERCENTAGE_DECIMAL_PLACES,  # differences in percentage points
}
SYMBOLS_KEY = (
    "[c]: withheld to protect confidentiality (a count from 1 to 5, or a figure that would "
    "reveal one); [x]: not available; [z]: not applicable."
)


def is_missing(value: Any) -> bool:
    if value is None or value == "":
        return True
    return isinstance(value, float) and math.isnan(value)


def missing_symbol(reason: str | None) -> str:
    """The symbol for a figure left out, from the analysis's reason for leaving it out."""
    text = (reason or "").lower()
    if "small" in text or "suppress" in text or "confidential" in text:
        return WITHHELD
    return NOT_AVAILABLE


def fmt(value: Any, kind: str, reason: str | None = None) -> str:
    """Format one figure: kind is count, ratio, rate, percent or points."""
    if isinstance(value, str):
        if value == SUPPRESSED:
            return WITHHELD
        if value.strip() == "":
            return missing_symbol(reason)
        try:
            value = float(value.replace(",", ""))
        except ValueError:
            return value
    if is_missing(value):
        return missing_symbol(reason)
    if kind == "count":
        return _sign(f"{int(round(float(value))):,}")
    places = PLACES[kind]
    return _sign(f"{round_half_up(float(value), places):,.{places}f}")


def _sign(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def count(value: Any, reason: str | None = None) -> str:
    return fmt(value, "count", reason)


def ratio(value: Any, reason: str | None = None) -> str:
    return fmt(value, "ratio", reason)


def rate(value: Any, reason: str | None = None) -> str:
    return fmt(value, "rate", reason)


def percent(value: Any, reason: str | None = None) -> str:
    return fmt(value, "percent", reason)


def points(value: Any, reason: str | None = None) -> str:
    return fmt(value, "points", reason)


def band_text(band: tuple[float, float]) -> str:
    return f"{ratio(band[0])}–{ratio(band[1])}"
