"""The check catalogue: rules over the answers, each with a stable code, severity and message.

The rules are data (templates/instrument/checks.yaml). This module gives each rule type two
faces that must agree: `evaluate` over a record of typed answers (the collator) and
`status_formula`/`message_formula` as Excel formulas (the live Checks sheet in each workbook).
Tests compare the two on real workbooks recalculated by LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import itertools
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from collate.checks.examples import check_examples
from collate.checks.field_rules import FIELD_TYPES, FieldRule, FieldTypeWords
from collate.contract import explanation_name
from collate.errors import InstrumentError
from collate.instrument.model import Field, Instrument, RepeatEntry, Table

Severity = Literal["error", "query"]
Status = Literal["ok", "fail", "waiting", "not_needed"]
RULE_TYPES = ("required", "valid_value", "required_if", "not_more_than", "equals", "share_at_most")
VALUE_KINDS = (
    "not_a_number",
    "out_of_range",
    "not_whole",
    "not_on_list",
    "too_long",
    "not_a_date",
    "formula",
    "number_as_text",
    "hidden_characters",
    "percentage",
)


#: Checks the collator makes on the file itself (collate/intake/reader.py and collation.py).
FILE_CHECK_CODES = tuple(f"FILE{n:02d}" for n in range(1, 31)) + ("QRY01", "QRY02")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WhenSpec(_Strict):
    field: str
    # The rule applies when the field holds one of these answers, or any answer at all.
    # `in` is a Python keyword, hence the alias.
    in_: list[str] | None = None
    answered: bool | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SetSpec(_Strict):
    set: str
    except_: list[str] = []

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleExamples(_Strict):
    """A rule's passing and failing example: answers by field id, as typed into the sheet."""

    # Which item of each for_each set the example uses (the first of each set if not given).
    item: dict[str, str] = {}
    pass_: dict[str, Any] | None = None
    fail: dict[str, Any] | None = None
    # valid_value 'percentage' only: the failing cell is formatted to show a percentage.
    percent_format: bool = False
    # Instead of examples: why the rule can apply to no answer of this instrument.
    not_applicable: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleSpec(_Strict):
    code: str
    severity: Severity
    type: str
    title: str
    message: str
    # What the check looks at, in words that read right while it passes (the Checks sheet).
    description: str | None = None
    workbook: bool = True
    kind: str | None = None
    for_each: dict[str, str | SetSpec] | None = None
    field: str | None = None
    when: WhenSpec | None = None
    left: list[str] | None = None
    right: list[str] | None = None
    left_label: str | None = None
    right_label: str | None = None
    share: float | None = None
    # A message per field type, where the general one would mislead (e.g. "enter 0" on text).
    message_by_type: dict[str, str] = {}
    # Every rule carries a passing and a failing example (tests/checks/test_rule_examples.py).
    examples: RuleExamples | None = None


class FileCheckSpec(_Strict):
    code: str
    severity: Severity
    title: str
    message: str
    # The fix is to use a fresh copy of this round's workbook, so the feedback email attaches one.
    fresh_workbook: bool = False


class StatusWords(_Strict):
    ok: str
    error: str
    query: str
    waiting: str
    not_needed: str


class VerdictWords(_Strict):
    """The words of the Checks sheet's verdict and its summary (see checks.yaml)."""

    label: str
    ready: str
    ready_explained: str
    not_ready: str
    must_fix: tuple[str, str]
    fix_or_explain: tuple[str, str]
    remain: tuple[str, str]
    must_fix_label: str
    to_explain_label: str
    explained_label: str
    waiting_label: str
    problems_heading: str
    problems_note: str
    fix_it: str
    fix_or_explain_it: str
    more_before: str
    more_after: str


class CatalogueSpec(_Strict):
    status_words: StatusWords
    verdict: VerdictWords
    field_types: dict[str, FieldTypeWords]
    rules: list[RuleSpec]
    file_checks: list[FileCheckSpec]


def _rename_keywords(raw: Any) -> Any:
    """YAML says `in:` and `except:`; the models call them `in_` and `except_`."""
    if isinstance(raw, dict):
        out = {}
        for k, v in raw.items():
            key = {"in": "in_", "except": "except_", "pass": "pass_"}.get(k, k)
            out[key] = _rename_keywords(v)
        return out
    if isinstance(raw, list):
        return [_rename_keywords(v) for v in raw]
    return raw


# ---------------------------------------------------------------------------------------------
# Values: what counts as "answered" and as a number, the same way in Python and in Excel.
# ---------------------------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def as_text(value: Any) -> str:
    """How a value reads in a message; whole floats print without '.0', as Excel shows them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _excel_text(text: str) -> str:
    """A string as Excel literal(s): quotes doubled, split under Excel's 255-character limit."""
    if text == "":
        return '""'
    chunks = [text[i : i + 200] for i in range(0, len(text), 200)]
    return "&".join('"' + c.replace('"', '""') + '"' for c in chunks)


_FORMATTER = string.Formatter()


def placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in _FORMATTER.parse(template) if name]


# ---------------------------------------------------------------------------------------------
# Expanded checks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A catalogue entry as written: code, severity, title and message template."""

    code: str
    severity: Severity
    type: str
    title: str
    message: str
    workbook: bool
    kind: str | None = None
    message_by_type: tuple[tuple[str, str], ...] = ()
    description: str | None = None
    examples: RuleExamples | None = field(default=None, compare=False)

    def message_for(self, field_type: str) -> str:
        """The message for a field of this type: its own wording if it has one."""
        return dict(self.message_by_type).get(field_type, self.message)


@dataclass(frozen=True)
class Verdict:
    status: Status
    context: dict[str, str]


@dataclass(frozen=True)
class Check:
    """One rule applied to particular fields (a rule with for_each gives one Check per item)."""

    id: str  # stable: code plus the for_each items, e.g. "WF02.white"
    rule: Rule
    section: str
    labels: dict[str, str]  # static placeholders: {group}, {group_label}, {left_label}, ...
    field: str | None = None
    when_field: str | None = None
    when_in: tuple[str, ...] | None = None
    when_answered: bool = False
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    share: float | None = None

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def explanation_name(self) -> str:
        """Defined name of the Checks-sheet cell where the LA explains a query."""
        return explanation_name(self.id)

    @property
    def fields(self) -> tuple[str, ...]:
        refs = [self.field, self.when_field, *self.left, *self.right]
        return tuple(r for r in refs if r)

    @property
    def primary_field(self) -> str:
        """The field a finding is reported against: the one the LA most likely needs to change."""
        if self.field:
            return self.field
        # A sum checked against one typed figure (rows against a total): point at that figure.
        if len(self.left) > 1 and len(self.right) == 1:
            return self.right[0]
        return self.left[0] if self.left else self.fields[0]

    # -- Python ------------------------------------------------------------------------------

    def evaluate(self, values: Mapping[str, Any]) -> Verdict:
        ctx = dict(self.labels)
        kind = self.rule.type
        if kind == "required_if":
            when = values.get(self.when_field or "")
            ctx["when_value"] = as_text(when)
            ctx["value"] = as_text(values.get(self.field or ""))
            if is_blank(when):
                # The condition is unanswered, so the check does not apply (yet): an unused
                # optional example must not read as something still to do.
                return Verdict("not_needed", ctx)
            applies = self.when_answered or (self.when_in is not None and when in self.when_in)
            if applies and is_blank(values.get(self.field or "")):
                return Verdict("fail", ctx)
            return Verdict("ok", ctx)
        lefts = [values.get(r) for r in self.left]
        rights = [values.get(r) for r in self.right]
        if not all(is_number(v) for v in lefts + rights):
            return Verdict("waiting", ctx)
        lsum, rsum = sum(lefts), sum(rights)
        ctx["left_value"] = as_text(lsum)
        ctx["right_value"] = as_text(rsum)
        if kind == "not_more_than":
            ok = lsum <= rsum
        elif kind == "equals":
            ok = lsum == rsum
        elif kind == "share_at_most":
            ok = lsum <= (self.share or 0) * rsum
        else:  # pragma: no cover - the loader refuses unknown types
            raise ValueError(kind)
        return Verdict("ok" if ok else "fail", ctx)

    def message(self, verdict: Verdict) -> str:
        return self.rule.message.format_map(_Missing(verdict.context))

    @property
    def description(self) -> str:
        """What this check looks at, in words (shown beside it whether it passes or fails)."""
        return (self.rule.description or self.rule.title).format_map(_Missing(self.labels))

    # -- Excel -------------------------------------------------------------------------------

    def _sum(self, refs: Sequence[str], name_of) -> str:
        # "--" turns a figure stored as text ("12", as pasting can leave it) into the number,
        # as the collator does, so that the sheet and the collator agree.
        names = [f"(--{name_of(r)})" for r in refs]
        return names[0] if len(names) == 1 else f"SUM({','.join(names)})"

    def status_formula(self, name_of, words: StatusWords) -> str:
        """Excel formula giving the same status word as `evaluate`; `name_of` maps id → name."""
        fail = _excel_text(words.error if self.severity == "error" else words.query)
        ok, waiting = _excel_text(words.ok), _excel_text(words.waiting)
        not_needed = _excel_text(words.not_needed)
        if self.rule.type == "required_if":
            when, target = name_of(self.when_field), name_of(self.field)
            if self.when_answered:
                cond = "TRUE"
            else:
                cond = (
                    "OR(" + ",".join(f"{when}={_excel_text(v)}" for v in self.when_in or ()) + ")"
                )
            return (
                f"IF(LEN(TRIM({when}))=0,{not_needed},"
                f"IF(AND({cond},LEN(TRIM({target}))=0),{fail},{ok}))"
            )
        refs = [name_of(r) for r in (*self.left, *self.right)]
        # Every cell must hold a figure (a number, or a number stored as text); blanks and
        # spaces wait, like the collator's is_number check on the typed record.
        answered = ",".join(f"LEN(TRIM({r}))>0,ISNUMBER(--{r})" for r in refs)
        lsum, rsum = self._sum(self.left, name_of), self._sum(self.right, name_of)
        if self.rule.type == "not_more_than":
            test = f"{lsum}<={rsum}"
        elif self.rule.type == "equals":
            test = f"{lsum}={rsum}"
        else:
            test = f"{lsum}<={self.share}*{rsum}"
        return f"IF(NOT(AND({answered})),{waiting},IF({test},{ok},{fail}))"

    def message_formula(self, status_cell: str, name_of, words: StatusWords) -> str:
        """Excel formula for the message, shown only while the check fails."""
        parts: list[str] = []
        for literal, name, _, _ in _FORMATTER.parse(self.rule.message):
            if literal:
                parts.append(_excel_text(literal))
            if not name:
                continue
            if name == "left_value":
                parts.append(self._sum(self.left, name_of))
            elif name == "right_value":
                parts.append(self._sum(self.right, name_of))
            elif name == "when_value":
                parts.append(name_of(self.when_field))
            elif name == "value":
                parts.append(name_of(self.field))
            else:
                parts.append(_excel_text(self.labels.get(name, "")))
        quiet = (words.ok, words.waiting, words.not_needed)
        ok_or_wait = "OR(" + ",".join(f"{status_cell}={_excel_text(w)}" for w in quiet) + ")"
        return f'IF({ok_or_wait},"",{"&".join(parts) or chr(34) * 2})'


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class FileCheck:
    code: str
    severity: Severity
    title: str
    message: str
    fresh_workbook: bool = False

    def text(self, **context: Any) -> str:
        return self.message.format_map(_Missing({k: as_text(v) for k, v in context.items()}))


@dataclass(frozen=True)
class Catalogue:
    """Every rule and file check, and the rules expanded into checks over real fields."""

    status_words: StatusWords
    verdict: VerdictWords
    rules: tuple[Rule, ...]
    checks: tuple[Check, ...]
    file_checks: dict[str, FileCheck]
    value_rules: dict[str, Rule] = field(default_factory=dict)  # kind → rule
    required_rule: Rule | None = None
    # Each kind of answer's hint, stop message and (dates) bounds (collate/checks/field_rules.py).
    field_types: dict[str, FieldTypeWords] = field(default_factory=dict)

    def field_rule(self, f: Field) -> FieldRule:
        """The rule for one answer cell: its validation in the workbook and its reading."""
        return FieldRule(f, self.field_types)

    def rule(self, code: str) -> Rule | FileCheck:
        for r in self.rules:
            if r.code == code:
                return r
        return self.file_checks[code]

    def workbook_checks(self) -> list[Check]:
        return [c for c in self.checks if c.rule.workbook]

    def table(self) -> list[dict[str, str]]:
        """The catalogue as rows (code, severity, title, message, fields) for `collate rules`."""
        rows = []
        for r in self.rules:
            applied = [c for c in self.checks if c.rule.code == r.code]
            fields = sorted({f for c in applied for f in c.fields})
            if r.type == "required":
                where = "every required answer"
            elif r.type == "valid_value":
                where = "every answer of that type"
            else:
                where = ", ".join(fields[:6]) + (
                    f" and {len(fields) - 6} more" if len(fields) > 6 else ""
                )
            rows.append(
                {
                    "code": r.code,
                    "severity": r.severity,
                    "title": r.title,
                    "message": r.message,
                    "fields": where,
                    "where": "workbook and collator" if r.workbook else "collator",
                }
            )
        for fc in self.file_checks.values():
            rows.append(
                {
                    "code": fc.code,
                    "severity": fc.severity,
                    "title": fc.title,
                    "message": fc.message,
                    "fields": "the whole file",
                    "where": "collator",
                }
            )
        return rows


# ---------------------------------------------------------------------------------------------
# The verdict at the top of the Checks sheet: the same sentence in Python and in Excel.
# ---------------------------------------------------------------------------------------------


def verdict_text(words: VerdictWords, must_fix: int, to_explain: int, explained: int) -> str:
    """'Ready to send', or how many must-fix and fix-or-explain problems remain."""
    if must_fix + to_explain == 0:
        return words.ready_explained if explained else words.ready
    parts = []
    if must_fix:
        parts.append(f"{must_fix} {words.must_fix[0 if must_fix == 1 else 1]}")
    if to_explain:
        parts.append(f"{to_explain} {words.fix_or_explain[0 if to_explain == 1 else 1]}")
    remain = words.remain[0 if must_fix + to_explain == 1 else 1]
    return f"{words.not_ready}: {' and '.join(parts)} {remain}"


def verdict_formula(words: VerdictWords, must_fix: str, to_explain: str, explained: str) -> str:
    """The Excel formula for `verdict_text`, over the cells holding the three counts."""
    e, u, x = must_fix, to_explain, explained

    def word(n: str, pair: tuple[str, str]) -> str:
        return f"IF({n}=1,{_excel_text(pair[0])},{_excel_text(pair[1])})"

    return (
        f"IF({e}+{u}=0,IF({x}>0,{_excel_text(words.ready_explained)},"
        f"{_excel_text(words.ready)}),"
        f"{_excel_text(words.not_ready + ': ')}"
        f'&IF({e}>0,{e}&" "&{word(e, words.must_fix)},"")'
        f'&IF(AND({e}>0,{u}>0)," and ","")'
        f'&IF({u}>0,{u}&" "&{word(u, words.fix_or_explain)},"")'
        f'&" "&IF({e}+{u}=1,{_excel_text(words.remain[0])},{_excel_text(words.remain[1])}))'
    )


# ---------------------------------------------------------------------------------------------
# Loading and expanding
# ---------------------------------------------------------------------------------------------


def _sets(instrument: Instrument) -> dict[str, list[tuple[str, str]]]:

    sets: dict[str, list[tuple[str, str]]] = {
        "criteria": [(c.key, f"{c.ref} ({c.text})") for c in instrument.criteria],
    }
    eth = instrument.ethnicity
    if eth is not None:  # an instrument without ethnicity.yaml has no such sets
        sets["workforce_groups"] = [(g.id, g.label) for g in eth.workforce_groups]
        sets["children_codes"] = [
            (c.code.lower(), f"{c.label} ({c.code})") for c in eth.children_codes
        ]
    for section in instrument.sections:
        repeats: dict[str, list[tuple[str, str]]] = {}
        for block in section.blocks:
            if isinstance(block, Table):
                key = f"{section.id}.{block.id}"
                sets[f"rows:{key}"] = [(r.id, r.label) for r in block.rows]
                sets[f"columns:{key}"] = [(c.id, c.label) for c in block.columns]
            elif isinstance(block, RepeatEntry) and block.fields:
                repeat_id = block.fields[0].id.split(".")[1].rstrip("0123456789")
                repeats.setdefault(f"entries:{section.id}.{repeat_id}", []).append(
                    (str(block.number), block.title)
                )
        sets.update(repeats)
    return sets


def load_catalogue(raw: Any, path: Path, instrument: Instrument) -> Catalogue:
    try:
        spec = CatalogueSpec.model_validate(_rename_keywords(raw))
    except ValidationError as exc:
        problems = [
            f"  at {' → '.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:8]
        ]
        raise InstrumentError(
            f"{path}: the check catalogue is not valid:\n" + "\n".join(problems)
        ) from None
    codes = [r.code for r in spec.rules] + [f.code for f in spec.file_checks]
    dupes = {c for c in codes if codes.count(c) > 1}
    if dupes:
        raise InstrumentError(f"{path}: check codes used twice: {', '.join(sorted(dupes))}")
    # The collator raises these on the file itself, so every instrument must word them.
    missing_files = sorted(set(FILE_CHECK_CODES) - {f.code for f in spec.file_checks})
    if missing_files:
        raise InstrumentError(
            f"{path}: file_checks must word every check the collator makes on the file itself; "
            f"missing: {', '.join(missing_files)} (copy them from templates/instrument/checks.yaml)"
        )
    missing_types = [t for t in FIELD_TYPES if t not in spec.field_types]
    if missing_types:
        raise InstrumentError(
            f"{path}: field_types must give the hint and stop message for every kind of answer; "
            f"missing: {', '.join(missing_types)} (copy them from templates/instrument/checks.yaml)"
        )
    dates = spec.field_types["date"]
    if dates.minimum is None or dates.maximum is None or dates.minimum > dates.maximum:
        raise InstrumentError(
            f"{path}: field_types: date needs a minimum and a maximum date, the earlier first"
        )
    # A rule without examples cannot be shown to agree between the workbook and the collator,
    # so it is refused here, where its author sees it, not in a test they may never run.
    bare = [r.code for r in spec.rules if r.examples is None]
    if bare:
        raise InstrumentError(
            f"{path}: every rule needs examples (a passing and a failing one); missing for: "
            f"{', '.join(bare)} (see the top of templates/instrument/checks.yaml)"
        )
    sets = _sets(instrument)
    field_ids = list(instrument.fields_by_id)
    rules: list[Rule] = []
    checks: list[Check] = []
    value_rules: dict[str, Rule] = {}
    required_rule = None
    for rs in spec.rules:
        where = f"{path}: rule {rs.code}"
        if rs.type not in RULE_TYPES:
            raise InstrumentError(f"{where}: unknown type '{rs.type}' (one of {RULE_TYPES})")
        rule = Rule(
            rs.code,
            rs.severity,
            rs.type,
            rs.title,
            rs.message,
            rs.workbook,
            rs.kind,
            tuple(rs.message_by_type.items()),
            rs.description,
            rs.examples,
        )
        rules.append(rule)
        if rs.type == "required":
            required_rule = rule
            continue
        if rs.type == "valid_value":
            if rs.kind not in VALUE_KINDS:
                raise InstrumentError(f"{where}: kind must be one of {VALUE_KINDS}")
            value_rules[rs.kind] = rule
            continue
        checks.extend(_expand(rs, rule, sets, field_ids, instrument, where))
    missing_kinds = set(VALUE_KINDS) - set(value_rules)
    if missing_kinds or required_rule is None:
        raise InstrumentError(
            f"{path}: the catalogue needs a 'required' rule and valid_value rules for every kind; "
            f"missing: {', '.join(sorted(missing_kinds)) or 'required'}"
        )
    ids = [c.id for c in checks]
    if len(ids) != len(set(ids)):
        raise InstrumentError(f"{path}: two checks expand to the same id")
    check_examples(rules, checks, instrument, path)
    file_checks = {
        f.code: FileCheck(f.code, f.severity, f.title, f.message, f.fresh_workbook)
        for f in spec.file_checks
    }
    return Catalogue(
        spec.status_words,
        spec.verdict,
        tuple(rules),
        tuple(checks),
        file_checks,
        value_rules,
        required_rule,
        dict(spec.field_types),
    )


def _expand(rs: RuleSpec, rule: Rule, sets, field_ids, instrument, where: str) -> list[Check]:
    loops: list[tuple[str, list[tuple[str, str]]]] = []
    for var, set_spec in (rs.for_each or {}).items():
        name = set_spec if isinstance(set_spec, str) else set_spec.set
        if name not in sets:
            raise InstrumentError(f"{where}: for_each uses unknown set '{name}'")
        items = sets[name]
        if isinstance(set_spec, SetSpec):
            items = [i for i in items if i[0] not in set_spec.except_]
        loops.append((var, items))
    out = []
    combos = itertools.product(*[items for _, items in loops]) if loops else [()]
    for combo in combos:
        labels: dict[str, str] = {}
        for (var, _), (item_id, item_label) in zip(loops, combo, strict=True):
            labels[var] = item_id
            labels[f"{var}_label"] = item_label

        def one(pattern: str, labels: dict[str, str] = labels) -> str:
            ref = pattern.format_map(_Missing(labels))
            if ref not in instrument.fields_by_id:
                raise InstrumentError(f"{where}: field '{ref}' does not exist in the instrument")
            return ref

        def many(patterns: list[str] | None, labels: dict[str, str] = labels) -> tuple[str, ...]:
            refs: list[str] = []
            for pattern in patterns or []:
                ref = pattern.format_map(_Missing(labels))
                matched = fnmatch.filter(field_ids, ref) if "*" in ref else [ref]
                if not matched or any(m not in instrument.fields_by_id for m in matched):
                    raise InstrumentError(f"{where}: '{ref}' matches no field of the instrument")
                refs.extend(matched)
            return tuple(refs)

        suffix = ".".join(item_id for item_id, _ in combo)
        check_id = rule.code + (f".{suffix}" if suffix else "")
        if rs.type == "required_if":
            if not rs.field or not rs.when:
                raise InstrumentError(f"{where}: required_if needs field and when")
            target, when = one(rs.field), one(rs.when.field)
            # The words a `when: in:` may use: the field's whole answer list. A criterion that
            # offers only some levels (as in the CELC Standard) still takes the list's words, so
            # one rule repeated over every criterion can name every level.
            when_field = instrument.field(when)
            choices = (
                tuple(c.value for c in instrument.lists.get(when_field.list_name, ()))
                or when_field.choices
                if when_field.list_name
                else when_field.choices
            )
            if rs.when.in_ is not None and choices:
                # A typo here ("Yess") would load and silently stop the check from firing.
                unknown = [v for v in rs.when.in_ if v not in choices]
                if unknown:
                    raise InstrumentError(
                        f"{where}: when: in: {', '.join(repr(v) for v in unknown)} is not an "
                        f"answer to '{when}' (its answers: {', '.join(choices)})"
                    )
            labels.setdefault("field_label", instrument.field(target).label)
            labels.setdefault("when_label", instrument.field(when).label)
            check = Check(
                check_id,
                rule,
                instrument.field(target).section,
                labels,
                field=target,
                when_field=when,
                when_in=tuple(rs.when.in_) if rs.when.in_ is not None else None,
                when_answered=bool(rs.when.answered),
            )
        else:
            left, right = many(rs.left), many(rs.right)
            if not left or not right:
                raise InstrumentError(f"{where}: {rs.type} needs left and right")
            if rs.type == "share_at_most" and rs.share is None:
                raise InstrumentError(f"{where}: share_at_most needs share")
            for side, refs, custom in (
                ("left", left, rs.left_label),
                ("right", right, rs.right_label),
            ):
                if custom:
                    labels[f"{side}_label"] = custom.format_map(_Missing(labels))
                elif len(refs) == 1:
                    labels[f"{side}_label"] = instrument.field(refs[0]).label
                else:
                    labels[f"{side}_label"] = "the total"
            check = Check(
                check_id,
                rule,
                instrument.field(left[0]).section,
                labels,
                left=left,
                right=right,
                share=rs.share,
            )
        known = {"value", "when_value", "left_value", "right_value", *labels}
        unknown = [p for p in placeholders(rs.message) if p not in known]
        if unknown:
            raise InstrumentError(f"{where}: message uses unknown placeholder(s) {unknown}")
        unknown = [p for p in placeholders(rs.description or "") if p not in labels]
        if unknown:
            raise InstrumentError(f"{where}: description uses unknown placeholder(s) {unknown}")
        out.append(check)
    return out
