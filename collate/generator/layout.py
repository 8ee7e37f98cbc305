"""Where everything goes in a return workbook: a pure description, computed from the instrument.

The generator renders this layout with XlsxWriter; the collator recomputes it to know the sheet
names and the fixed wording each sheet must still hold. Answers themselves are always found by
their defined names, never by these coordinates.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from collate.checks.catalogue import (
    Check,
    Verdict,
    _excel_text,
    verdict_formula,
    verdict_text,
)
from collate.contract import (
    CHECKS_SHEET,
    COUNT_NAMES,
    IDENTITY_SHEET,
    LIST_PREFIX,
    LISTS_SHEET,
    META_PREFIX,
    VERDICT_NAME,
)
from collate.instrument.model import (
    Field,
    Heading,
    Instrument,
    Note,
    Pledge,
    Question,
    QuestionSetBlock,
    RepeatEntry,
    Table,
)
from collate.settings import LocalAuthority, RoundSettings

SAMPLE_BANNER = "SYNTHETIC SAMPLE DATA: not a real return. Made up for demonstration only."
PROBLEM_ROWS = 10
HELPER_COL = 9  # the Checks sheet's first hidden column for parts of long formulas
MAX_FORMULA = 3000  # rows of the "what still needs doing" list at the top of the Checks sheet

# Columns (0-based) of the form layout: label, answer (merged across ANSWER_SPAN), marker, help.
LABEL_COL, ANSWER_COL, ANSWER_SPAN = 0, 1, 4
MARKER_COL, HELP_COL = 5, 6
# Widths (characters) chosen so that a sheet one A4 landscape page wide prints at about 90%:
# body text stays above 8 pt on paper.
FORM_WIDTHS = [46, 13, 13, 13, 13, 12, 40]
# Ref, criterion, three descriptors, your level, the word "Required", your evidence.
DIAG_WIDTHS = [5, 26, 22, 22, 22, 15, 10, 34]
DIAG_LEVEL_COL, DIAG_MARKER_COL, DIAG_EVIDENCE_COL = 5, 6, 7
# With the name of the council's example between the marker and the evidence: the descriptors
# and the evidence give up a little width so the sheet still prints one A4 landscape page wide
# at about the same scale.
DIAG_WIDTHS_WITH_EXAMPLE = [5, 25, 20, 20, 20, 15, 9, 21, 28]
DIAG_EXAMPLE_COL = 7
LINE = 13  # points per line of 10-point text


def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def as_text_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def text_lines(text: str, width: float) -> int:
    """Roughly how many lines `text` wraps to in a column `width` characters wide (Arial 10)."""
    per_line = max(1.0, width * 1.15)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


@dataclass
class Cell:
    """A fixed cell: wording, a formula with its cached result, or an empty styled cell."""

    row: int
    col: int
    value: Any = None
    style: str = "text"
    formula: str | None = None
    merge_to_col: int | None = None
    name: str | None = None  # a defined name pointing at this cell (identity values)


@dataclass
class Input:
    """An answer cell: unlocked, validated and named."""

    field: Field | None
    row: int
    col: int
    name: str
    style: str
    merge_to_col: int | None = None
    validation: dict[str, Any] | None = None
    required: bool = False
    label: str = ""


@dataclass
class SheetLayout:
    name: str
    cells: list[Cell] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    hidden: str | None = None  # None, "hidden" or "very_hidden"
    landscape: bool = True
    conditional: list[tuple[str, str]] = field(default_factory=list)  # (range, kind)
    autofilter: tuple[int, int, int, int] | None = None  # lets the LA show only what needs work
    begins_with: list[tuple[str, str, str]] = field(default_factory=list)  # range, text, colour
    hidden_cols: dict[int, float] = field(default_factory=dict)  # helper columns → width
    repeat_rows: tuple[int, int] | None = None  # printed at the top of every page
    freeze_row: int | None = None  # rows above this stay in view when scrolling
    row: int = 0

    def add(self, value: Any = None, style: str = "text", col: int = 0, **kw: Any) -> Cell:
        c = Cell(self.row, col, value, style, **kw)
        self.cells.append(c)
        return c

    def next(self, height: float | None = None, n: int = 1) -> None:
        if height:
            self.heights[self.row] = height
        self.row += n

    def static_text(self) -> dict[tuple[int, int], str]:
        """The fixed wording of the sheet, by (row, col), for the collator's tamper check."""
        return {
            (c.row, c.col): str(c.value)
            for c in self.cells
            if c.formula is None and isinstance(c.value, str) and c.value.strip() and not c.name
        }


@dataclass
class WorkbookLayout:
    sheets: list[SheetLayout]
    identity: dict[str, str]
    lists: dict[str, tuple[str, ...]]  # defined name → choices
    # The status words of checks.yaml and the colour each takes ("error", "query" or "ok"), so
    # that rewording a status in checks.yaml keeps its colour on the Checks sheet.
    status_colours: dict[str, str] = field(default_factory=dict)

    def sheet(self, name: str) -> SheetLayout:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)

    def inputs(self) -> Iterable[tuple[SheetLayout, Input]]:
        for s in self.sheets:
            for i in s.inputs:
                yield s, i


def identity_for(
    instrument: Instrument, settings: RoundSettings, la: LocalAuthority, sample: bool
) -> dict[str, str]:
    """The workbook's identity, stored as defined names, document properties and a hidden sheet."""
    return {
        "la_name": la.name,
        "la_code": la.gss_code,
        "dfe_number": str(la.dfe_number),
        "round": settings.round,
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "fingerprint": instrument.fingerprint,
        "sample": "synthetic sample data" if sample else "no",
    }


# ---------------------------------------------------------------------------------------------


def asked_if_words(asked_if: str | None, questions) -> str:
    """A follow-on question's condition in words: "experienced_racism = Yes" reads as "Only if
    the answer to question 7 is 'Yes'", never as the question's internal id."""
    if not asked_if:
        return ""
    qid, _, answer = (part.strip() for part in asked_if.partition("="))
    for n, q in enumerate(questions, start=1):
        if q.id == qid:
            return f"Only if the answer to question {n} is '{answer}'"
    return f"Only if the earlier answer is '{answer}'"


def list_name_for(instrument: Instrument, f: Field) -> str:
    """Defined name of the dropdown source for a choice field (a reduced list gets its own)."""
    full = tuple(c.value for c in instrument.lists[f.list_name or ""])
    if f.choices == full:
        return LIST_PREFIX + (f.list_name or "")
    offered = "".join(v[0].lower() for v in f.choices)
    return f"{LIST_PREFIX}{f.list_name}_{offered}"


def validation_for(instrument: Instrument, f: Field) -> dict[str, Any]:
    """The cell's data validation: the same bounds and words the collator reads it by
    (collate/checks/field_rules.py)."""
    source = list_name_for(instrument, f) if f.type == "choice" else None
    return instrument.checks.field_rule(f).validation(source)


def input_style(f: Field) -> str:
    return {
        "whole": "input_whole",
        "decimal": "input_decimal",
        "percent": "input_decimal",
        "date": "input_date",
        "long_text": "input_long",
    }.get(f.type, "input_text")


class _Builder:
    def __init__(
        self, instrument: Instrument, settings: RoundSettings, la: LocalAuthority, sample: bool
    ):
        self.ins = instrument
        self.settings = settings
        self.la = la
        self.sample = sample
        self.required_cells: dict[str, list[tuple[str, int, int]]] = {}  # section → cells
        # section → every answer cell, with its field
        self.section_inputs: dict[str, list[tuple[Field, str, int, int]]] = {}
        self.address: dict[str, tuple[str, int, int]] = {}  # field id → (sheet, row, col)

    # -- shared pieces ------------------------------------------------------------------------

    def header(self, sh: SheetLayout, title: str, last_col: int) -> None:
        sh.add(title, "title", merge_to_col=last_col)
        sh.next(24)
        sh.add(
            f"{self.la.name}: {self.ins.title} {self.settings.round}",
            "subtitle",
            merge_to_col=last_col,
        )
        sh.next()
        if self.sample:
            sh.add(SAMPLE_BANNER, "banner", merge_to_col=last_col)
            sh.next(20)
        # The title rows stay in view on screen and head every printed page.
        sh.freeze_row = sh.row
        sh.repeat_rows = (0, sh.row - 1)
        sh.next()

    def paragraph(self, sh: SheetLayout, text: str, last_col: int, style: str = "intro") -> None:
        lines = text_lines(text, sum(sh.widths[: last_col + 1]))
        sh.add(text, style, merge_to_col=last_col)
        sh.next(LINE * lines + 4)

    def question(self, sh: SheetLayout, f: Field) -> None:
        sh.add(f.label, "label")
        lines = text_lines(f.label, sh.widths[LABEL_COL])
        if f.help:
            sh.add(f.help, "help", col=HELP_COL)
            lines = max(lines, text_lines(f.help, sh.widths[HELP_COL]))
        height = LINE * lines + 4 if lines > 1 else None
        if f.type == "long_text":
            height = max(height or 0, 60)
        self._input(sh, f, sh.row, ANSWER_COL, merge_to=ANSWER_COL + ANSWER_SPAN - 1)
        sh.add("Required" if self.settings.requires(f) else "Optional", "marker", col=MARKER_COL)
        sh.next(height)

    def _input(
        self,
        sh: SheetLayout,
        f: Field,
        row: int,
        col: int,
        merge_to: int | None = None,
        style: str | None = None,
    ) -> None:
        sh.inputs.append(
            Input(
                f,
                row,
                col,
                f.name,
                style or input_style(f),
                merge_to_col=merge_to if merge_to and merge_to > col else None,
                validation=validation_for(self.ins, f),
                required=self.settings.requires(f),
                label=f.label,
            )
        )
        self.address[f.id] = (sh.name, row, col)
        self.section_inputs.setdefault(f.section, []).append((f, sh.name, row, col))
        if self.settings.requires(f):
            self.required_cells.setdefault(f.section, []).append((sh.name, row, col))

    def table(self, sh: SheetLayout, t: Table) -> None:
        sh.add(t.title, "heading", merge_to_col=HELP_COL)
        sh.next(20)
        if t.note:
            self.paragraph(sh, t.note, HELP_COL, "help")
        optional_cols = [c.label for c in t.columns if not t.cells[(t.rows[0].id, c.id)].required]
        if t.required:
            text = "Every cell in this table is required: enter 0 where there are none."
            if optional_cols:
                text += f" The {', '.join(optional_cols)} column is optional."
        else:
            text = "This table is optional: fill it in if you hold these figures."
        sh.add(text, "marker_note", merge_to_col=HELP_COL)
        sh.next()
        sh.add(t.row_dim.replace("_", " ").capitalize(), "header")
        for j, c in enumerate(t.columns):
            sh.add(c.label, "header", col=1 + j)
        if t.total_column:
            sh.add("Total", "header", col=1 + len(t.columns))
        sh.next(32)
        first = sh.row
        for r in t.rows:
            sh.add(r.label, "row_label")
            for j, c in enumerate(t.columns):
                self._input(sh, t.cells[(r.id, c.id)], sh.row, 1 + j)
            if t.total_column:
                a, b = cell_ref(sh.row, 1), cell_ref(sh.row, len(t.columns))
                sh.add(0, "total", col=1 + len(t.columns), formula=f"SUM({a}:{b})")
            lines = text_lines(r.label, sh.widths[0])
            sh.next(LINE * lines + 4 if lines > 1 else None)
        last = sh.row - 1
        if t.total_row:
            sh.add("Total", "total_label")
            for j in range(len(t.columns) + (1 if t.total_column else 0)):
                a, b = cell_ref(first, 1 + j), cell_ref(last, 1 + j)
                sh.add(0, "total", col=1 + j, formula=f"SUM({a}:{b})")
            sh.next()
        sh.next()

    # -- sheets -------------------------------------------------------------------------------

    def cover(self, section) -> SheetLayout:
        sh = SheetLayout(section.sheet, widths=FORM_WIDTHS)
        s = self.settings
        self.header(sh, f"{self.ins.title} {s.round}", HELP_COL)
        facts = [
            ("Council", self.la.name),
            ("ONS code", self.la.gss_code),
            ("DfE local authority number", str(self.la.dfe_number)),
            ("Round", s.round),
            # A round whose instrument asks for no figures (a self-assessment) has no period.
            *(
                [("Figures for the year ending", _long_date(s.figures_year_ending))]
                if s.figures_year_ending
                else []
            ),
            ("Please return by", s.deadline.strftime("%A %d %B %Y").replace(" 0", " ")),
            ("Send it to", f"{s.contact.name}, {s.contact.role}, {s.contact.email}"),
        ]
        for label, value in facts:
            sh.add(label, "label_bold")
            sh.add(value, "fact", col=ANSWER_COL, merge_to_col=HELP_COL)
            sh.next()
        sh.next()
        sh.add("How to fill in and return this workbook", "heading", merge_to_col=HELP_COL)
        sh.next(20)
        has_counts = any(f.is_number for f in self.ins.fields)
        steps = [
            "Work through the sheets in order, using the tabs at the bottom: "
            + ", ".join(x.sheet for x in self.ins.sections if x.id != section.id)
            + ".",
            "Type only in answer cells (see the key below). Every other cell is locked. "
            "Dropdown cells show a list when you select them; each answer cell shows a short "
            "hint.",
            *(
                ["Enter 0 for a count of none. Do not leave a required count empty."]
                if has_counts
                else []
            ),
            "Open the Checks sheet before you send the workbook. Its verdict, at the top, says "
            f"'{self.ins.checks.verdict.ready}' or what still needs doing: required answers still "
            "empty, sheet by sheet, and any figures that do not agree, each with a link to the "
            f"cell. Fix anything marked '{self.ins.checks.status_words.error}'. For anything "
            f"marked '{self.ins.checks.status_words.query}', fix it or type a short explanation "
            "in the cell beside it.",
            *(
                [
                    "Ask the director or assistant director who approves the return to check it, "
                    "and fill in the sign-off at the bottom of this sheet."
                ]
                if any(f.certification for f in self.ins.fields)
                else []
            ),
            "Save the workbook as an Excel workbook (.xlsx), keeping its name, and email it "
            f"to {s.contact.email} by {s.deadline.strftime('%d %B %Y').lstrip('0')}.",
        ]
        steps = [f"{n}. {step}" for n, step in enumerate(steps, start=1)]
        # What the workbook holds and how to keep it (cover.yaml's intro).
        if section.intro:
            steps.append(section.intro)
        for step in steps:
            self.paragraph(sh, step, HELP_COL, "text_wrap")
        sh.next()
        sh.add("Key to cells", "heading", merge_to_col=HELP_COL)
        sh.next(20)
        key = [
            (
                "answer_example",
                "Answer cell: pale yellow with a dotted border. The question or "
                "row and column headings beside it say what to type.",
            ),
            (
                "required_example",
                "The word 'Required' beside an answer means it must be filled "
                "in; required answers still empty are also shaded orange.",
            ),
            ("total", "Totals and checks are worked out for you and cannot be typed over."),
        ]
        for style, text in key:
            sh.add("Example", style)
            sh.add(text, "text_wrap", col=ANSWER_COL, merge_to_col=HELP_COL)
            sh.next(30)
        sh.next()
        for block in section.blocks:
            self.block(sh, block)
        return sh

    def block(self, sh: SheetLayout, block) -> None:
        if isinstance(block, Heading):
            sh.next()
            sh.add(block.text, "heading", merge_to_col=HELP_COL)
            sh.next(20)
        elif isinstance(block, Note):
            self.paragraph(sh, block.text, HELP_COL)
        elif isinstance(block, Question):
            self.question(sh, block.field)
        elif isinstance(block, Table):
            sh.next()
            self.table(sh, block)
        elif isinstance(block, RepeatEntry):
            sh.next()
            sh.add(block.title, "heading", merge_to_col=HELP_COL)
            sh.next(20)
            for f in block.fields:
                self.question(sh, f)
        elif isinstance(block, QuestionSetBlock):
            sh.next()
            sh.add(block.title, "heading", merge_to_col=HELP_COL)
            sh.next(20)
            if block.intro:
                self.paragraph(sh, block.intro, HELP_COL, "help")
            sh.add("Question", "header")
            sh.add("Answers", "header", col=ANSWER_COL, merge_to_col=ANSWER_COL + ANSWER_SPAN - 1)
            sh.add("Race-specific", "header", col=MARKER_COL)
            sh.add("Asked if", "header", col=HELP_COL)
            sh.next()
            for n, q in enumerate(block.questions, start=1):
                sh.add(f"{n}. {q.text}", "label")
                sh.add(
                    q.answers,
                    "text_wrap",
                    col=ANSWER_COL,
                    merge_to_col=ANSWER_COL + ANSWER_SPAN - 1,
                )
                sh.add("Yes" if q.race_specific else "No", "text", col=MARKER_COL)
                asked_if = asked_if_words(q.asked_if, block.questions)
                if asked_if:
                    sh.add(asked_if, "help", col=HELP_COL)
                lines = max(
                    text_lines(f"{n}. {q.text}", sh.widths[LABEL_COL]),
                    text_lines(q.answers, sum(sh.widths[ANSWER_COL : ANSWER_COL + ANSWER_SPAN])),
                    text_lines(asked_if, sh.widths[HELP_COL]),
                )
                sh.next(LINE * lines + 4)

    def form(self, section) -> SheetLayout:
        sh = SheetLayout(section.sheet, widths=FORM_WIDTHS)
        self.header(sh, section.title, HELP_COL)
        if section.intro:
            self.paragraph(sh, section.intro, HELP_COL)
        for block in section.blocks:
            self.block(sh, block)
        return sh

    def diagnostic(self, section) -> SheetLayout:
        # The instrument decides whether each criterion also asks for the name of an example.
        with_example = any(
            c.example is not None
            for p in section.blocks
            if isinstance(p, Pledge)
            for c in p.criteria
        )
        widths = DIAG_WIDTHS_WITH_EXAMPLE if with_example else DIAG_WIDTHS
        evidence_col = len(widths) - 1
        sh = SheetLayout(section.sheet, widths=widths)
        last = len(widths) - 1
        self.header(sh, section.title, last)
        if section.intro:
            self.paragraph(sh, section.intro, last)
        levels = [c.value for c in self.ins.lists["levels"]]
        for p in section.blocks:
            if not isinstance(p, Pledge):
                continue
            sh.next()
            sh.add(f"{p.unit} {p.number}: {p.title}", "heading", merge_to_col=last)
            sh.next(20)
            self.paragraph(sh, p.wording, last, "help")
            heads = ["Ref", "Criterion", *levels[1:], "Your level", ""]
            if with_example:
                heads.append(section.example_heading)
            heads.append("Your evidence")
            for j, h in enumerate(heads):
                sh.add(h, "header", col=j)
            sh.next()
            part = None
            for c in p.criteria:
                if c.part != part:  # a sub-section's heading (e.g. "2a Recruitment")
                    part = c.part
                    sh.add(part, "label_bold", col=0, merge_to_col=last)
                    sh.next(20)
                sh.add(c.ref, "row_label")
                sh.add(c.text, "label", col=1)
                for j, level in enumerate(levels[1:]):
                    sh.add(
                        c.descriptors.get(level, "(not offered at this level)"),
                        "descriptor",
                        col=2 + j,
                    )
                self._input(sh, c.level, sh.row, DIAG_LEVEL_COL)
                sh.add(
                    "Required" if c.level.required else "Optional", "marker", col=DIAG_MARKER_COL
                )
                if c.example is not None:
                    self._input(sh, c.example, sh.row, DIAG_EXAMPLE_COL)
                self._input(sh, c.evidence, sh.row, evidence_col)
                lines = max(
                    [text_lines(c.text, sh.widths[1])]
                    + [text_lines(t, sh.widths[2]) for t in c.descriptors.values()]
                )
                sh.next(max(60, 12 * lines + 8))
            for f, label in (
                (p.working, f"What is working for this {p.unit.lower()}"),
                (p.gaps, f"Gaps and next steps for this {p.unit.lower()}"),
            ):
                sh.add(label, "label_bold", col=1, merge_to_col=DIAG_LEVEL_COL)
                sh.add("Required" if f.required else "Optional", "marker", col=DIAG_MARKER_COL)
                # Beside the example's column too, where there is one: a wider box for prose.
                col = DIAG_EXAMPLE_COL if with_example else evidence_col
                self._input(sh, f, sh.row, col, merge_to=last)
                sh.next(60)
        return sh

    def _value_problems(self, section_id: str) -> tuple[list[str], list[str]]:
        """Excel formulas counting a sheet's answers the collator would refuse (VAL errors) and
        figures typed as text (VAL08 queries), the way the reader types each answer."""
        groups: dict[tuple, list[tuple[str, int, int]]] = {}
        for f, sheet, row, col in self.section_inputs.get(section_id, []):
            # The bounds the collator reads the cell by (collate/checks/field_rules.py).
            rule = self.ins.checks.field_rule(f)
            if f.is_number:
                key = ("number", f.type, rule.minimum, rule.maximum)
            elif f.type == "choice":
                key = ("choice", list_name_for(self.ins, f))
            elif f.type == "date":
                key = ("date", *rule.date_serials())
            else:
                key = ("text", rule.maximum)
            groups.setdefault(key, []).append((sheet, row, col))
        errors: list[str] = []
        as_text: list[str] = []
        for key, cells in groups.items():
            for r in _runs(cells):
                filled = f"(LEN(TRIM({r}))>0)"
                if key[0] == "number":
                    _, ftype, lo, hi = key
                    number = f"IFERROR(--TRIM({r}),0)"
                    valid = f"ISNUMBER(--TRIM({r}))*{filled}"
                    errors.append(f"SUMPRODUCT({filled}*ISERROR(--TRIM({r})))")
                    as_text.append(f"SUMPRODUCT(ISTEXT({r})*{valid})")
                    outside = []
                    if lo is not None:
                        outside.append(f"({number}<{as_text_number(lo)})")
                    if hi is not None:
                        outside.append(f"({number}>{as_text_number(hi)})")
                    whole = ""
                    if ftype == "whole":
                        # The reader reports a fraction first, and then not its range.
                        errors.append(f"SUMPRODUCT({valid}*({number}<>INT({number})))")
                        whole = f"*({number}=INT({number}))"
                    if outside:
                        errors.append(f"SUMPRODUCT({valid}{whole}*(({'+'.join(outside)})>0))")
                elif key[0] == "choice":
                    errors.append(f"SUMPRODUCT({filled}*(COUNTIF({key[1]},TRIM({r}))=0))")
                elif key[0] == "date":
                    _, lo, hi = key
                    errors.append(f"SUMPRODUCT({filled}*ISTEXT({r})*ISERROR(--TRIM({r})))")
                    # A date pasted over the validation, outside the dates a return can hold.
                    errors.append(f"SUMPRODUCT(ISNUMBER({r})*((({r}<{lo})+({r}>={hi + 1}))>0))")
                else:
                    errors.append(f"SUMPRODUCT(--(LEN(TRIM({r}))>{key[1]}))")
        return errors, as_text

    def checks(self, check_list: list[Check]) -> SheetLayout:
        """The live Checks sheet: a verdict, each sheet's answers, what still needs doing, then
        every check with what it looks at, a link to its cell and room to explain a query."""
        ins, words = self.ins, self.ins.checks.status_words
        verdict_words = ins.checks.verdict
        # A Code | B Status | C Where | D What it checks | E Message | F Your explanation;
        # G, H and I are hidden helpers (problem number, link targets).
        sh = SheetLayout(CHECKS_SHEET, widths=[8, 15, 21, 36, 40, 26])
        sh.hidden_cols = {6: 6, 7: 40, 8: 40}
        last = 5
        self.header(sh, "Checks", last)
        self.paragraph(
            sh,
            "This sheet checks your answers as you type, using the same checks the "
            "programme manager runs when your return arrives. The verdict below says whether "
            "your return is ready to send. Fix everything marked "
            f"'{words.error}'. For anything marked '{words.query}', fix the answer or "
            "type a short explanation in the last column. Click a cell reference to go to "
            "the answer.",
            last,
        )
        sh.next()
        verdict_row = sh.row
        sh.next(36)
        count_rows = sh.row
        sh.next(n=4)
        sh.next()

        # -- each sheet's answers ---------------------------------------------------------------
        sh.add("Your answers, sheet by sheet", "heading", merge_to_col=last)
        sh.next(20)
        heads = [
            "Sheet (click to go to it)",
            None,
            "Required answers",
            "Required answers still empty",
            f"Answers to correct ({words.error.lower()})",
            f"Figures typed as text ({words.query.lower()})",
        ]
        sh.add(heads[0], "header", merge_to_col=1)
        for j, h in enumerate(heads[2:], start=2):
            sh.add(h, "header", col=j)
        sh.next(30)
        sheet_rows = []
        for section in ins.sections:
            fields = self.section_inputs.get(section.id, [])
            if not fields:
                continue
            cells = self.required_cells.get(section.id, [])
            sh.add(
                section.sheet,
                "link",
                merge_to_col=1,
                formula=f'HYPERLINK("#{quote_sheet(section.sheet)}!A1",'
                f"{_excel_text(section.sheet)})",
            )
            sh.add(len(cells), "count_centre", col=2)
            # Spaces alone are no answer (as for the collator), so count by trimmed length.
            empty = "+".join(f"SUMPRODUCT(--(LEN(TRIM({r}))=0))" for r in _runs(cells)) or "0"
            errors, as_text = self._value_problems(section.id)
            sh.add(len(cells), "count_centre", col=3, formula=empty)
            helper = HELPER_COL
            for col, terms in ((4, errors), (5, as_text)):
                chunks = _chunks(terms)
                if len(chunks) == 1:
                    sh.add(0, "count_centre", col=col, formula=chunks[0])
                    continue
                # Excel refuses a formula over 8,192 characters: add up parts in hidden cells.
                refs = []
                for chunk in chunks:
                    sh.add(0, "number", col=helper, formula=chunk)
                    sh.hidden_cols[helper] = 8
                    refs.append(cell_ref(sh.row, helper))
                    helper += 1
                sh.add(0, "count_centre", col=col, formula="+".join(refs))
            sheet_rows.append(sh.row)
            sh.next()
        sh.next()

        # -- every check (laid out first, so the summary above can refer to it) ----------------
        problems_row = sh.row
        n_problems = PROBLEM_ROWS
        sh.next(n=n_problems + 5)
        sh.add("Every check", "heading", merge_to_col=last)
        sh.next(20)
        heads = [
            "Code",
            "Status",
            "Where (click to go there)",
            "What it checks",
            "Problem",
            "Your explanation (queries only)",
        ]
        for j, h in enumerate(heads):
            sh.add(h, "header", col=j)
        header_row = sh.row
        sh.repeat_rows = (header_row, header_row)
        sh.next(30)
        first = sh.row
        last_row = first + len(check_list) - 1
        empty_values: dict[str, Any] = {}
        err, qry = _excel_text(words.error), _excel_text(words.query)

        def name_of(field_id: str) -> str:
            return ins.field(field_id).name

        def col_range(col: int) -> str:
            return f"{cell_ref(first, col, True)}:{cell_ref(last_row, col, True)}"

        status_range, expl_range = col_range(1), col_range(5)
        for check in check_list:
            row = sh.row
            verdict = check.evaluate(empty_values)
            status_word = _status_word(check, verdict, words)
            sh.add(check.code, "text")
            status = sh.add(
                status_word, "status", col=1, formula=check.status_formula(name_of, words)
            )
            sheet, frow, fcol = self.address[check.primary_field]
            target = f"#{quote_sheet(sheet)}!{cell_ref(frow, fcol)}"
            where = f"{sheet}, {cell_ref(frow, fcol)}"
            sh.add(
                where,
                "link",
                col=2,
                formula=f"HYPERLINK({_excel_text(target)},{_excel_text(where)})",
            )
            sh.add(check.description, "text_wrap", col=3)
            message = "" if verdict.status != "fail" else check.message(verdict)
            sh.add(
                message,
                "text_wrap",
                col=4,
                formula=check.message_formula(cell_ref(status.row, 1), name_of, words),
            )
            b, f_ = cell_ref(row, 1), cell_ref(row, 5)
            if check.severity == "query":
                sh.inputs.append(
                    Input(
                        None,
                        row,
                        5,
                        check.explanation_name,
                        "input_long",
                        validation={
                            "validate": "length",
                            "criteria": "<=",
                            "value": 500,
                            "input_title": "Your explanation",
                            "input_message": "Explain why this figure or answer "
                            "is right (up to 500 characters).",
                            "error_type": "stop",
                            "error_title": "Too long",
                            "error_message": "Keep the explanation to 500 characters or fewer.",
                        },
                        label=f"Explanation for check {check.id}",
                    )
                )
                explain = f"#{quote_sheet(CHECKS_SHEET)}!{cell_ref(row, 5)}"
                # Unexplained queries come after every must-fix problem.
                upto = f"{cell_ref(first, 1, True)}:{b}", f"{cell_ref(first, 5, True)}:{f_}"
                rank = (
                    f"IF(AND({b}={qry},LEN(TRIM({f_}))=0),COUNTIF({status_range},{err})"
                    f'+SUMPRODUCT(({upto[0]}={qry})*(LEN(TRIM({upto[1]}))=0)),"")'
                )
            else:
                sh.add("(fix the answer)", "help", col=5)
                explain = ""
                rank = f'IF({b}={err},COUNTIF({cell_ref(first, 1, True)}:{b},{err}),"")'
            sh.add("", "text", col=6, formula=rank)
            sh.add(target, "text", col=7)
            sh.add(explain, "text", col=8)
            sample = dict(check.labels, value="12345", when_value="Established")
            sample.update(left_value="12345", right_value="12345")
            longest = max(
                text_lines(check.description, 36),
                text_lines(check.message(Verdict("fail", sample)), 40),
                text_lines(where, 21),
            )
            sh.next(max(30, 12.75 * longest + 5))
        sh.autofilter = (header_row, 0, last_row, last)
        sh.conditional.append((status_range, "status"))
        end = sh.row

        # -- the verdict and its counts -------------------------------------------------------
        empties = "+".join(cell_ref(r, 3) for r in sheet_rows) or "0"
        wrong = "+".join(cell_ref(r, 4) for r in sheet_rows) or "0"
        as_text = "+".join(cell_ref(r, 5) for r in sheet_rows) or "0"
        required_total = sum(len(v) for v in self.required_cells.values())
        counts = [
            (
                COUNT_NAMES[0],
                verdict_words.must_fix_label,
                required_total,
                f"{empties}+{wrong}+COUNTIF({status_range},{err})",
            ),
            (
                COUNT_NAMES[1],
                verdict_words.to_explain_label,
                0,
                f"{as_text}+SUMPRODUCT(({status_range}={qry})*(LEN(TRIM({expl_range}))=0))",
            ),
            (
                COUNT_NAMES[2],
                verdict_words.explained_label,
                0,
                f"SUMPRODUCT(({status_range}={qry})*(LEN(TRIM({expl_range}))>0))",
            ),
            (
                None,
                verdict_words.waiting_label,
                sum(1 for c in check_list if c.evaluate(empty_values).status == "waiting"),
                f"COUNTIF({status_range},{_excel_text(words.waiting)})",
            ),
        ]
        refs = []
        sh.row = count_rows
        for name, label, cached, formula in counts:
            sh.add(label, "label_bold", merge_to_col=1)
            cell = sh.add(cached, "count", col=2, formula=formula, name=name)
            refs.append(cell_ref(cell.row, 2))
            lines = text_lines(label, sum(sh.widths[:2]))
            sh.next(LINE * lines + 3 if lines > 1 else None)
        sh.row = verdict_row
        sh.add(verdict_words.label, "verdict_label", merge_to_col=1)
        v = sh.add(
            verdict_text(verdict_words, required_total, 0, 0),
            "verdict",
            col=2,
            merge_to_col=last,
            formula=verdict_formula(verdict_words, *refs[:3]),
            name=VERDICT_NAME,
        )
        sh.begins_with.append((cell_ref(v.row, 2), verdict_words.ready, words.ok))
        sh.begins_with.append((cell_ref(v.row, 2), verdict_words.not_ready, words.error))

        # -- what still needs doing: the problems, must-fix first, by formula ------------------
        sh.row = problems_row
        sh.add(verdict_words.problems_heading, "heading", merge_to_col=last)
        sh.next(20)
        sh.add(verdict_words.problems_note, "help", merge_to_col=last)
        sh.next(LINE * text_lines(verdict_words.problems_note, sum(sh.widths)) + 2)
        for j, h in enumerate(["Code", "Status", "Where (click to go there)", "Problem"]):
            sh.add(h, "header", col=j, merge_to_col=4 if j == 3 else None)
        sh.add("What to do", "header", col=5)
        sh.next(30)
        rank_range = col_range(6)
        for k in range(1, n_problems + 1):
            m = f"MATCH({k},{rank_range},0)"

            def pick(col: int, m: str = m) -> str:
                return f"INDEX({col_range(col)},{m})"

            sh.add("", "text", formula=f'IFERROR({pick(0)},"")')
            sh.add("", "status", col=1, formula=f'IFERROR({pick(1)},"")')
            sh.add("", "link", col=2, formula=f'IFERROR(HYPERLINK({pick(7)},{pick(2)}),"")')
            sh.add("", "text_wrap", col=3, merge_to_col=4, formula=f'IFERROR({pick(4)},"")')
            sh.add(
                "",
                "link",
                col=5,
                formula=f'IFERROR(IF({pick(8)}="",'
                f"HYPERLINK({pick(7)},{_excel_text(verdict_words.fix_it)}),"
                f'HYPERLINK({pick(8)},{_excel_text(verdict_words.fix_or_explain_it)})),"")',
            )
            sh.next(44)
        top_first, top_last = problems_row + 3, problems_row + 2 + n_problems
        top = f"{cell_ref(top_first, 1, True)}:{cell_ref(top_last, 1, True)}"
        sh.conditional.append((top, "status"))
        more = f"MAX({rank_range})-{n_problems}"
        sh.add(
            "",
            "help",
            merge_to_col=last,
            formula=f"IF({more}>0,{_excel_text(verdict_words.more_before)}&({more})&"
            f'{_excel_text(verdict_words.more_after)},"")',
        )
        sh.row = end
        return sh

    def lists(self) -> tuple[SheetLayout, dict[str, tuple[str, ...]]]:
        sh = SheetLayout(LISTS_SHEET, hidden="hidden", widths=[40] * 12)
        wanted: dict[str, tuple[str, ...]] = {}
        for f in self.ins.fields:
            if f.type == "choice":
                wanted.setdefault(list_name_for(self.ins, f), f.choices)
        for j, (name, choices) in enumerate(sorted(wanted.items())):
            sh.cells.append(Cell(0, j, name, "header"))
            for i, choice in enumerate(choices, start=1):
                sh.cells.append(Cell(i, j, choice, "text"))
        return sh, wanted

    def identity(self, identity: dict[str, str]) -> SheetLayout:
        sh = SheetLayout(IDENTITY_SHEET, hidden="very_hidden", widths=[24, 60])
        sh.add("This sheet identifies the workbook to the collator. Do not change it.", "text")
        sh.next()
        for key, value in identity.items():
            sh.add(key, "text")
            sh.add(value, "text", col=1, name=META_PREFIX + key)
            sh.next()
        return sh


def _status_word(check: Check, verdict, words) -> str:
    if verdict.status == "ok":
        return words.ok
    if verdict.status == "waiting":
        return words.waiting
    if verdict.status == "not_needed":
        return words.not_needed
    return words.error if check.severity == "error" else words.query


def _chunks(terms: list[str]) -> list[str]:
    """Terms joined with '+' into formulas of at most MAX_FORMULA characters each."""
    chunks: list[str] = []
    for term in terms:
        if chunks and len(chunks[-1]) + len(term) + 1 <= MAX_FORMULA:
            chunks[-1] += "+" + term
        else:
            chunks.append(term)
    return chunks or ["0"]


def _runs(cells: list[tuple[str, int, int]]) -> list[str]:
    """Group cells into contiguous column runs, as sheet-qualified ranges for COUNTBLANK."""
    by_col: dict[tuple[str, int], list[int]] = {}
    for sheet, row, col in cells:
        by_col.setdefault((sheet, col), []).append(row)
    ranges = []
    for (sheet, col), rows in by_col.items():
        rows.sort()
        start = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            a, b = cell_ref(start, col, True), cell_ref(prev, col, True)
            ranges.append(f"{quote_sheet(sheet)}!{a}" + (f":{b}" if b != a else ""))
            if r is not None:
                start = prev = r
    return ranges


def _long_date(day) -> str:
    return day.strftime("%d %B %Y").lstrip("0")


def build_layout(
    instrument: Instrument, settings: RoundSettings, la: LocalAuthority, sample: bool = False
) -> WorkbookLayout:
    """The full layout of one LA's return workbook."""
    b = _Builder(instrument, settings, la, sample)
    sheets: list[SheetLayout] = []
    for section in instrument.sections:
        if section.id == "cover":
            sheets.append(b.cover(section))
        elif any(isinstance(x, Pledge) for x in section.blocks):
            sheets.append(b.diagnostic(section))
        else:
            sheets.append(b.form(section))
    sheets.append(b.checks(instrument.checks.workbook_checks()))
    lists_sheet, lists = b.lists()
    identity = identity_for(instrument, settings, la, sample)
    sheets.extend([lists_sheet, b.identity(identity)])
    words = instrument.checks.status_words
    colours = {words.error: "error", words.query: "query", words.ok: "ok"}
    return WorkbookLayout(sheets, identity, lists, colours)


# -- one layout per instrument, shared by every council -----------------------------------------

# A council's workbook differs from another's only in wording that names it (the subtitle of
# every sheet, the cover's facts and the hidden Identity sheet): the collator builds one layout
# per instrument, round and sample mode for a stand-in council, and puts each council's name,
# code and number into the fixed wording it compares. Memory stays flat however many councils.
_STAND_IN = {
    "name": "\ue000la name\ue000",
    "gss_code": "\ue000la code\ue000",
    "dfe_number": "\ue000dfe number\ue000",
}


@dataclass
class SharedLayout:
    """What the collator needs of a return's layout: its sheets (names, in order) and, for a
    given council, each sheet's fixed wording by (row, col)."""

    layout: WorkbookLayout
    _static: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._static = {s.name: s.static_text() for s in self.layout.sheets}

    @property
    def sheets(self) -> list[SheetLayout]:
        return self.layout.sheets

    def static_text(self, sheet: str, la: LocalAuthority) -> dict[tuple[int, int], str]:
        """The fixed wording of `sheet` in the workbook made for `la`, as build_layout has it."""
        return {rc: for_council_text(text, la) for rc, text in self._static[sheet].items()}

    def shared_text(self, sheet: str) -> dict[tuple[int, int], str]:
        """The fixed wording of `sheet` with stand-ins where a council is named (put the
        council in with `for_council_text`): the same for every council, so worked out once."""
        return self._static[sheet]

    def for_council(self, la: LocalAuthority) -> WorkbookLayout:
        """The whole layout of `la`'s workbook, as build_layout makes it: only the cells that
        name the council are new, the rest is shared (render only reads a layout)."""
        sheets = []
        for s in self.layout.sheets:
            if any(isinstance(c.value, str) and "\ue000" in c.value for c in s.cells):
                cells = [
                    dataclasses.replace(c, value=for_council_text(c.value, la))
                    if isinstance(c.value, str) and "\ue000" in c.value
                    else c
                    for c in s.cells
                ]
                s = dataclasses.replace(s, cells=cells)
            sheets.append(s)
        identity = {k: for_council_text(v, la) for k, v in self.layout.identity.items()}
        return WorkbookLayout(sheets, identity, self.layout.lists, self.layout.status_colours)


def for_council_text(text: str, la: LocalAuthority) -> str:
    """Shared wording (SharedLayout.shared_text) as the workbook made for `la` has it."""
    if "\ue000" not in text:
        return text
    return (
        text.replace(_STAND_IN["name"], la.name)
        .replace(_STAND_IN["gss_code"], la.gss_code)
        .replace(_STAND_IN["dfe_number"], str(la.dfe_number))
    )


def shared_layout(
    instrument: Instrument,
    settings: RoundSettings,
    sample: bool,
    cache: dict | None = None,
) -> SharedLayout:
    """The layout every council's workbook of this instrument, round and mode was made with."""
    key = (instrument.id, instrument.version, instrument.fingerprint, settings.round, sample)
    if cache is not None and key in cache:
        return cache[key]
    stand_in = LocalAuthority.model_construct(
        name=_STAND_IN["name"],
        short_name=_STAND_IN["name"],
        gss_code=_STAND_IN["gss_code"],
        dfe_number=_STAND_IN["dfe_number"],
    )
    shared = SharedLayout(build_layout(instrument, settings, stand_in, sample))
    if cache is not None:
        cache[key] = shared
    return shared
