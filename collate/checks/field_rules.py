"""Per-field rules: for each kind of answer, the workbook's data validation and the collator's
reading of the cell, from the same bounds and the same words.

The workbook stops a wrong entry as it is typed; the collator checks the same thing again,
because a value can be pasted over a cell's validation. Both halves live here, side by side, so
the bounds cannot drift apart (they once did: the workbook refused a date from 1999 that the
collator accepted). The hint shown when a cell is selected and the message when Excel stops an
entry come from the catalogue's `field_types` (templates/instrument/checks.yaml).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from collate.instrument.model import Field


class FieldTypeWords(BaseModel):
    """One kind of answer's hint and stop message, and (dates only) its bounds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hint: str
    stop: str
    # The hint and stop message for a figure with no upper limit.
    hint_no_maximum: str | None = None
    stop_no_maximum: str | None = None
    minimum: dt.date | None = None
    maximum: dt.date | None = None


FIELD_TYPES = ("whole", "decimal", "percent", "choice", "date", "text", "long_text")
#: Excel refuses an input message over 255 characters.
HINT_LIMIT = 255


@dataclass(frozen=True)
class Problem:
    """Why a cell's value cannot be used as it stands: a valid_value kind and its context."""

    kind: str
    context: dict[str, Any] = field(default_factory=dict)
    # A problem that still lets the value be used (a figure stored as text).
    usable: bool = False


@dataclass(frozen=True)
class Reading:
    """A cell read by its field's rule: the typed value (None if unusable) and any problems."""

    value: Any
    problems: tuple[Problem, ...] = ()


def _number_text(x: float | int | None, thousands: bool = False) -> str:
    if x is None:
        return ""
    if float(x).is_integer():
        return f"{int(x):,}" if thousands else str(int(x))
    return f"{x:g}"


def _date_text(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def as_number(raw: Any) -> float | int | None:
    """A cell's value as a number: a number, or a figure pasted as text ("12", "1,200")."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return raw
    if isinstance(raw, str):
        text = raw.strip().replace(",", "")
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return float(text) if "." in text else int(text)
    return None


def as_date(raw: Any) -> dt.date | None:
    """A cell's value as a date: a date, or a date typed as text in a usual British form."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        for fmt in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"):
            try:
                return dt.datetime.strptime(raw.strip(), fmt).date()
            except ValueError:
                continue
    return None


class FieldRule:
    """The rule for one answer cell: its bounds, its validation and its reading."""

    def __init__(self, f: Field, words: Mapping[str, FieldTypeWords]):
        self.field = f
        self.words = words[f.type]

    # -- the bounds both halves use ------------------------------------------------------------

    @property
    def minimum(self) -> Any:
        f = self.field
        if f.type == "date":
            return self.words.minimum
        if f.is_number:
            return f.minimum if f.minimum is not None else 0
        return None

    @property
    def maximum(self) -> Any:
        f = self.field
        if f.type == "date":
            return self.words.maximum
        if f.is_number:
            return f.maximum
        if f.type in ("text", "long_text"):
            return f.max_length or 255
        return None

    def _bound_text(self, value: Any) -> str:
        if isinstance(value, dt.date):
            return _date_text(value)
        return _number_text(value, thousands=self.field.type in ("whole", "text", "long_text"))

    def _words(self, template: str) -> str:
        return template.format(
            minimum=self._bound_text(self.minimum), maximum=self._bound_text(self.maximum)
        )

    # -- the workbook's half -------------------------------------------------------------------

    def hint(self) -> str:
        """The input message shown when the council selects the cell."""
        f = self.field
        template = self.words.hint
        if f.is_number and self.maximum is None and self.words.hint_no_maximum:
            template = self.words.hint_no_maximum
        text = self._words(template)
        if f.help:
            text = f"{text} {f.help}"
        return text[:HINT_LIMIT]

    def stop(self) -> str:
        """The message when Excel stops an entry outside the rule."""
        template = self.words.stop
        if self.field.is_number and self.maximum is None and self.words.stop_no_maximum:
            template = self.words.stop_no_maximum
        return self._words(template)[:HINT_LIMIT]

    def validation(self, list_source: str | None = None) -> dict[str, Any]:
        """The cell's XlsxWriter `data_validation` options; `list_source` names a choice's list."""
        f = self.field
        v: dict[str, Any] = {
            "input_title": "Your answer",
            "input_message": self.hint(),
            "error_type": "stop",
            "error_title": "Not allowed here",
            "error_message": self.stop(),
        }
        lo, hi = self.minimum, self.maximum
        if f.type == "choice":
            v.update(validate="list", source="=" + (list_source or ""))
        elif f.type == "whole":
            v["validate"] = "integer"
            if hi is not None:
                v.update(criteria="between", minimum=int(lo), maximum=int(hi))
            else:
                v.update(criteria=">=", value=int(lo))
        elif f.type in ("decimal", "percent"):
            v["validate"] = "decimal"
            if hi is not None:
                v.update(criteria="between", minimum=lo, maximum=hi)
            else:  # no upper limit, as the collator reads it
                v.update(criteria=">=", value=lo)
        elif f.type == "date":
            v.update(validate="date", criteria="between", minimum=lo, maximum=hi)
        else:
            v.update(validate="length", criteria="<=", value=hi)
        return v

    # -- the collator's half -------------------------------------------------------------------

    def read(self, raw: Any, shown_as_percent: bool = False) -> Reading:
        """Type a cleaned, non-blank cell value, or say why it cannot be used.

        `shown_as_percent`: the cell's number format shows a percentage, so a figure in it was
        typed with a % sign (45% is stored as 0.45).
        """
        f = self.field
        if f.is_number:
            return self._read_number(raw, shown_as_percent)
        if f.type == "choice":
            text = _text(raw).strip()
            match = next((c for c in f.choices if c.casefold() == text.casefold()), None)
            if match is None:
                return Reading(None, (Problem("not_on_list", {"choices": "; ".join(f.choices)}),))
            return Reading(match)
        if f.type == "date":
            date = as_date(raw)
            if date is None:
                return Reading(None, (Problem("not_a_date"),))
            if not self.minimum <= date <= self.maximum:
                return Reading(None, (self._out_of_range(),))
            return Reading(date)
        value = _text(raw).strip()
        if len(value) > self.maximum:
            problem = Problem("too_long", {"length": len(value), "maximum": self.maximum})
            return Reading(None, (problem,))
        return Reading(value)

    def _out_of_range(self) -> Problem:
        hi = self.maximum
        return Problem(
            "out_of_range",
            {
                "minimum": self._bound_text(self.minimum),
                "maximum": self._bound_text(hi) if hi is not None else "no upper limit",
            },
        )

    def _read_number(self, raw: Any, shown_as_percent: bool) -> Reading:
        number = as_number(raw)
        if number is None:
            return Reading(None, (Problem("not_a_number"),))
        if shown_as_percent and not isinstance(raw, str):
            return Reading(None, (Problem("percentage", {"shown": f"{number * 100:g}%"}),))
        found: list[Problem] = []
        if isinstance(raw, str):
            # Unambiguous, so used as the figure; but the council should know and retype it.
            found.append(Problem("number_as_text", {"number": _number_text(number)}, True))
        if self.field.type == "whole":
            if not float(number).is_integer():
                return Reading(None, (*found, Problem("not_whole")))
            number = int(number)
        lo, hi = self.minimum, self.maximum
        if number < lo or (hi is not None and number > hi):
            return Reading(None, (*found, self._out_of_range()))
        return Reading(number, tuple(found))

    # -- the Checks sheet's count of answers the collator would refuse -------------------------

    def date_serials(self) -> tuple[int, int]:
        """The date bounds as Excel serial numbers (1900 date system), for sheet formulas."""
        epoch = dt.date(1899, 12, 30)
        return (self.minimum - epoch).days, (self.maximum - epoch).days


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def rule_for(f: Field, words: Mapping[str, FieldTypeWords]) -> FieldRule:
    """The rule for field `f`, with the catalogue's words for its type."""
    return FieldRule(f, words)
