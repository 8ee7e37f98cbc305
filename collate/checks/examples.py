"""Each rule's passing and failing example (`examples:` in checks.yaml), as answers by field id.

Every rule in the catalogue carries one example that passes and one that fails, written as the
answers typed into the sheet. tests/checks/test_rule_examples.py types each into a real
workbook, has LibreOffice recalculate the Checks sheet, and checks that the sheet and the
collator agree with the example. The loader (collate.checks.catalogue.load_catalogue) calls
`check_examples`, so a rule without examples, or an example naming an answer that does not
exist, is refused where the rule's author sees it.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from collate.errors import InstrumentError

if TYPE_CHECKING:  # the catalogue imports this module to check its examples as it loads
    from collate.checks.catalogue import Check, Rule
    from collate.instrument.model import Instrument

Outcome = Literal["pass", "fail"]
#: valid_value kinds that only a figure can have: an instrument without figures has no example.
NUMBER_KINDS = ("not_a_number", "not_whole", "number_as_text", "percentage")
#: Rule types whose examples add up figures (a figure left out counts as 0).
SUM_TYPES = ("not_more_than", "equals", "share_at_most")


@dataclass(frozen=True)
class Example:
    """One example: the answers to type (field id → value; "" is a blank cell) and the outcome
    both the Checks sheet and the collator must give."""

    rule: Rule
    outcome: Outcome
    values: dict[str, Any]
    # The expanded check the example exercises (None for required and valid_value rules).
    check: Check | None = None
    # The failing VAL10 example: the cell is formatted as a percentage.
    percent_format: bool = False

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def name(self) -> str:
        return f"{self.code}-{self.outcome}"


def _field_id(key: str, labels: dict[str, str], instrument: Instrument) -> str:
    try:
        ref = key.format_map(labels)
    except KeyError as exc:
        raise ValueError(
            f"'{key}' uses {{{exc.args[0]}}}, which the rule does not repeat over"
        ) from None
    if "*" in ref:
        matched = fnmatch.filter(list(instrument.fields_by_id), ref)
        if not matched:
            raise ValueError(f"'{ref}' matches no answer of the instrument")
        return matched[0]
    if ref not in instrument.fields_by_id:
        raise ValueError(f"'{ref}' is not an answer of the instrument")
    return ref


def _check_for(rule: Rule, checks: list[Check], item: dict[str, str]) -> Check:
    own = [c for c in checks if c.rule.code == rule.code]
    for c in own:
        if all(c.labels.get(var) == value for var, value in item.items()):
            return c
    wanted = ", ".join(f"{k}: {v}" for k, v in item.items())
    raise ValueError(f"item {{{wanted}}} is not one the rule repeats over")


def resolve(rule: Rule, checks: list[Check], instrument: Instrument) -> list[Example]:
    """The rule's examples as answers by field id; ValueError says what is wrong with them."""
    spec = rule.examples
    if spec is None:
        raise ValueError("it has no examples (a passing and a failing one)")
    if spec.not_applicable:
        if rule.type != "valid_value" or rule.kind not in NUMBER_KINDS:
            raise ValueError("only a rule about figures can be marked not_applicable")
        if any(f.is_number for f in instrument.fields):
            raise ValueError("it is marked not_applicable, but the instrument asks for figures")
        return []
    if spec.pass_ is None or spec.fail is None:
        raise ValueError("examples need both pass and fail")
    check = None
    labels: dict[str, str] = {}
    if rule.type not in ("required", "valid_value"):
        check = _check_for(rule, checks, spec.item)
        labels = check.labels
    elif spec.item:
        raise ValueError("item is only for a rule that repeats over a set")
    out = []
    for outcome, given in (("pass", spec.pass_), ("fail", spec.fail)):
        values = {_field_id(k, labels, instrument): v for k, v in given.items()}
        if check is None:
            if len(values) != 1:
                raise ValueError(f"the {outcome} example must give exactly one answer")
        else:
            stray = [f for f in values if f not in check.fields]
            if stray:
                raise ValueError(f"{', '.join(stray)} is not an answer this check looks at")
            blank: Any = 0 if rule.type in SUM_TYPES else ""
            for f in check.fields:
                values.setdefault(f, blank)
        out.append(
            Example(
                rule,
                outcome,  # type: ignore[arg-type]
                values,
                check,
                percent_format=spec.percent_format and outcome == "fail",
            )
        )
    return out


def check_examples(
    rules: list[Rule] | tuple[Rule, ...], checks, instrument: Instrument, path: Path
) -> None:
    """Refuse a catalogue whose rules lack examples or whose examples name no real answer."""
    for rule in rules:
        try:
            resolve(rule, list(checks), instrument)
        except ValueError as exc:
            raise InstrumentError(f"{path}: rule {rule.code}: examples: {exc}") from None


def all_examples(instrument: Instrument) -> list[Example]:
    """Every example of every rule of the instrument's catalogue."""
    cat = instrument.checks
    out: list[Example] = []
    for rule in cat.rules:
        out.extend(resolve(rule, list(cat.checks), instrument))
    return out
