"""Every rule's passing and failing example (checks.yaml `examples:`), in both catalogues, gives
the same outcome three ways:

- the Python rule on a record of the example's answers (`Check.evaluate`, or the field's rule
  in collate/checks/field_rules.py for required and valid-value rules);
- the workbook: the answers typed into a real generated workbook with openpyxl (over the cells'
  validation, as pasting does), recalculated by LibreOffice, and the Checks sheet read back;
- the collator reading that same workbook (`read_return`) and the findings it raises.

Examples that touch different answers share a workbook, and every workbook is recalculated in
one LibreOffice run, so the whole test costs one LibreOffice start per catalogue.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from collate.checks.catalogue import FILE_CHECK_CODES, is_blank
from collate.checks.examples import Example, all_examples
from collate.generator.build import workbook_bytes
from collate.instrument.model import Instrument
from collate.intake.cleaning import clean_text
from collate.intake.reader import read_return
from collate.load import load_instrument
from collate.samples.libreoffice import convert_many
from collate.settings import ROOT, load_settings

CATALOGUES = {
    "eastern": ROOT / "templates" / "round.yaml",
    "celc": ROOT / "templates" / "celc" / "round.yaml",
}
HEADER = ["Code", "Status", "Where (click to go there)", "What it checks", "Problem"]
#: Value problems the Checks sheet cannot see: it shows a formula's result, and invisible
#: characters do not change what a cell seems to hold. The collator alone raises these.
COLLATOR_ONLY = ("formula", "hidden_characters")


def _load(name: str):
    settings = load_settings(CATALOGUES[name])
    return settings, load_instrument(settings.instrument_folder)


LOADED = {name: _load(name) for name in CATALOGUES}
CASES = [
    pytest.param(name, ex, id=f"{name}-{ex.name}")
    for name, (_, ins) in LOADED.items()
    for ex in all_examples(ins)
]


# ---------------------------------------------------------------------------------------------
# Python: the rule on a record of the example's answers
# ---------------------------------------------------------------------------------------------


def _typed(raw: Any) -> Any:
    return clean_text(raw).text if isinstance(raw, str) else raw


def python_fails(ins: Instrument, ex: Example) -> bool:
    """Whether the Python half of the rule fails on the example's answers."""
    if ex.check is not None:
        record = {k: (None if is_blank(v) else _typed(v)) for k, v in ex.values.items()}
        return ex.check.evaluate(record).status == "fail"
    ((field_id, raw),) = ex.values.items()
    if ex.rule.type == "required":
        return is_blank(raw)
    if ex.rule.kind == "formula":
        return isinstance(raw, str) and raw.startswith("=")
    if ex.rule.kind == "hidden_characters":
        return isinstance(raw, str) and bool(clean_text(raw).hidden)
    reading = ins.checks.field_rule(ins.field(field_id)).read(
        _typed(raw), shown_as_percent=ex.percent_format
    )
    return ex.rule.kind in {p.kind for p in reading.problems}


# ---------------------------------------------------------------------------------------------
# The workbook: examples packed into as few workbooks as agree with each other
# ---------------------------------------------------------------------------------------------


@dataclass
class Sheetful:
    """One workbook's answers, and the examples typed into it."""

    values: dict[str, Any] = field(default_factory=dict)
    percent: set[str] = field(default_factory=set)
    examples: list[Example] = field(default_factory=list)

    def takes(self, ex: Example) -> bool:
        # A shared answer must hold the same value, and two value examples (whose workbook half
        # is a count per sheet) never share a sheet's count with a percentage format.
        return all(self.values.get(k, v) == v for k, v in ex.values.items()) and not (
            ex.percent_format and set(ex.values) & set(self.values)
        )

    def add(self, ex: Example) -> None:
        self.values.update(ex.values)
        if ex.percent_format:
            self.percent.update(ex.values)
        self.examples.append(ex)


def pack(examples: list[Example]) -> list[Sheetful]:
    books: list[Sheetful] = []
    for ex in examples:
        book = next((b for b in books if b.takes(ex)), None)
        if book is None:
            book = Sheetful()
            books.append(book)
        book.add(ex)
    return books


def fill(blank: bytes, ins: Instrument, book: Sheetful, path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(blank))
    for field_id, value in book.values.items():
        if is_blank(value):
            continue  # a blank example cell stays as the generator left it
        ((sheet, ref),) = list(wb.defined_names[ins.field(field_id).name].destinations)
        cell = wb[sheet][ref.replace("$", "")]
        cell.value = value  # typed straight in, over the cell's validation, as pasting does
        if field_id in book.percent:
            cell.number_format = "0%"
    wb.save(path)


@dataclass
class Outcome:
    status: dict[str, str]  # check id → status word on the Checks sheet
    counts: dict[str, tuple[int, int, int]]  # sheet → (still empty, to correct, as text)
    findings: list  # the collator's findings on the filled workbook


def read_checks_sheet(path: Path, ins: Instrument) -> tuple[dict, dict]:
    wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    ws = wb["Checks"]
    header = next(
        r for r in range(1, ws.max_row + 1) if [ws.cell(r, c).value for c in range(1, 6)] == HEADER
    )
    status = {}
    for offset, check in enumerate(ins.checks.workbook_checks(), start=1):
        assert ws.cell(header + offset, 1).value == check.code
        status[check.id] = ws.cell(header + offset, 2).value
    counts = {}
    for r in range(1, header):
        if ws.cell(r, 1).value in ins.sheet_names and isinstance(ws.cell(r, 3).value, int):
            counts[ws.cell(r, 1).value] = tuple(int(ws.cell(r, c).value or 0) for c in (4, 5, 6))
    return status, counts


@pytest.fixture(scope="module")
def outcomes(libreoffice, tmp_path_factory) -> dict[str, tuple[Outcome, Sheetful]]:
    """Example (catalogue-name) → what the Checks sheet and the collator made of its workbook."""
    root = tmp_path_factory.mktemp("rule_examples")
    filled, books = [], []
    for name, (settings, ins) in LOADED.items():
        blank = workbook_bytes(ins, settings, settings.local_authorities[0])
        for n, book in enumerate(pack(all_examples(ins))):
            path = root / "filled" / f"{name}-{n:02d}.xlsx"
            path.parent.mkdir(exist_ok=True)
            fill(blank, ins, book, path)
            filled.append(path)
            books.append((name, settings, ins, book, path))
    convert_many(filled, root / "recalculated")
    out = {}
    for name, settings, ins, book, path in books:
        status, counts = read_checks_sheet(root / "recalculated" / path.name, ins)
        findings = read_return(path, ins, settings).findings
        for ex in book.examples:
            out[f"{name}-{ex.name}"] = (Outcome(status, counts, findings), book)
    return out


def expected_counts(ins: Instrument, book: Sheetful, sheet: str) -> tuple[int, int, int]:
    """What the Checks sheet should count on `sheet`, from the Python rules: required answers
    still empty, answers the collator cannot use, and figures typed as text."""
    empty = wrong = as_text = 0
    for f in ins.fields:
        if f.sheet != sheet:
            continue
        raw = book.values.get(f.id)
        if is_blank(raw):
            empty += f.required
            continue
        if isinstance(raw, str) and raw.startswith("="):
            continue  # the sheet sees the formula's result (COLLATOR_ONLY)
        reading = ins.checks.field_rule(f).read(_typed(raw), f.id in book.percent)
        wrong += reading.value is None
        as_text += any(p.kind == "number_as_text" for p in reading.problems)
    return empty, wrong, as_text


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("catalogue", "ex"), CASES)
def test_example_gives_the_same_outcome_in_python_the_workbook_and_the_collator(
    catalogue, ex: Example, outcomes
):
    ins = LOADED[catalogue][1]
    want_fail = ex.outcome == "fail"
    # Python, on a record of the answers.
    assert python_fails(ins, ex) is want_fail, f"the Python rule does not {ex.outcome}"

    outcome, book = outcomes[f"{catalogue}-{ex.name}"]
    words = ins.checks.status_words
    # The collator, reading the workbook the answers were typed into.
    if ex.check is not None:
        raised = [f for f in outcome.findings if f.check_id == ex.check.id]
    else:
        ((field_id, _),) = ex.values.items()
        raised = [f for f in outcome.findings if f.code == ex.code and f.field_id == field_id]
    assert bool(raised) is want_fail, f"the collator's findings: {raised}"
    if raised:
        # The finding names the sheet, the cell, the field and the value, and says what to do.
        f = raised[0]
        assert f.sheet and re.fullmatch(r"[A-Z]+\d+", f.cell) and f.field and f.message

    # The workbook, recalculated by LibreOffice.
    if ex.check is not None:
        got = outcome.status[ex.check.id]
        fail_word = words.error if ex.check.severity == "error" else words.query
        assert (got == fail_word) is want_fail, f"the Checks sheet says {got!r}"
        assert got in (words.ok, words.not_needed, fail_word)
    elif ex.rule.kind in COLLATOR_ONLY:
        pass  # the sheet cannot see it (see COLLATOR_ONLY); the collator's half is above
    else:
        ((field_id, _),) = ex.values.items()
        sheet = ins.field(field_id).sheet
        assert outcome.counts[sheet] == expected_counts(ins, book, sheet), sheet


def test_every_rule_has_examples_that_pass_and_fail():
    for name, (_, ins) in LOADED.items():
        exercised = {(ex.code, ex.outcome) for ex in all_examples(ins)}
        for rule in ins.checks.rules:
            if rule.examples and rule.examples.not_applicable:
                assert not any(f.is_number for f in ins.fields)
                continue
            assert {(rule.code, "pass"), (rule.code, "fail")} <= exercised, (name, rule.code)


def test_every_code_in_both_catalogues_is_exercised_by_a_test():
    """Rules by their examples (above); file checks, which have no cell formula, by the tests
    that build each broken file: each code must be named in one of them."""
    tests = Path(__file__).parents[1]
    here = Path(__file__).name
    text = "\n".join(p.read_text(encoding="utf-8") for p in tests.rglob("*.py") if p.name != here)
    for name, (_, ins) in LOADED.items():
        with_examples = {ex.code for ex in all_examples(ins)}
        eastern = {ex.code for ex in all_examples(LOADED["eastern"][1])}
        for rule in ins.checks.rules:
            # A rule this catalogue cannot apply is exercised by the Eastern catalogue's example.
            assert rule.code in with_examples | eastern, (name, rule.code)
        for code in ins.checks.file_checks:
            assert code in FILE_CHECK_CODES, (name, code)
            assert re.search(rf"\b{code}\b", text), f"no test names file check {code}"


def test_a_rule_without_examples_is_refused_naming_the_file_and_the_code(tmp_path):
    import shutil

    from collate.errors import InstrumentError

    folder = tmp_path / "instrument"
    shutil.copytree(ROOT / "templates" / "instrument", folder)
    checks = folder / "checks.yaml"
    text = checks.read_text(encoding="utf-8")
    start = text.index("    examples:", text.index("  - code: CF02"))
    end = text.index("  - code: CF03")
    checks.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"checks\.yaml: every rule needs examples.*CF02"):
        load_instrument(folder)
