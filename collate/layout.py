"""Where everything goes in a return workbook: a pure description, computed from the instrument.

The generator renders this layout with XlsxWriter; the collator recomputes it to know the sheet
names and the fixed wording each sheet must still hold. Answers themselves are always found by
their defined names, never by these coordinates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from collate.checks import Check, as_text
from collate.instrument import (
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

CHECKS_SHEET = "Checks"
LISTS_SHEET = "Lists"
IDENTITY_SHEET = "Identity"
SAMPLE_BANNER = "SYNTHETIC SAMPLE DATA: not a real return. Made up for demonstration only."
META_PREFIX = "ie_meta_"
# A document property holding the random token each issued workbook carries (see manifest.csv):
# it lets the collator tell a workbook it issued from a copy rewritten to another council.
ISSUE_TOKEN = "ie-issue-token"
LIST_PREFIX = "ie_list_"

# Columns (0-based) of the form layout: label, answer (merged across ANSWER_SPAN), marker, help.
LABEL_COL, ANSWER_COL, ANSWER_SPAN = 0, 1, 4
MARKER_COL, HELP_COL = 5, 6
FORM_WIDTHS = [58, 16, 16, 16, 16, 16, 50]
DIAG_WIDTHS = [6, 34, 30, 30, 30, 18, 55]


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

    def sheet(self, name: str) -> SheetLayout:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def visible_sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets if not s.hidden]

    def inputs(self) -> Iterable[tuple[SheetLayout, Input]]:
        for s in self.sheets:
            for i in s.inputs:
                yield s, i


# What identifies a return: every key is written three ways (defined name, document property,
# hidden Identity sheet) and the collator compares them.
IDENTITY_KEYS = (
    "la_name",
    "la_code",
    "dfe_number",
    "round",
    "instrument_id",
    "instrument_version",
    "fingerprint",
    "sample",
)


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


def list_name_for(instrument: Instrument, f: Field) -> str:
    """Defined name of the dropdown source for a choice field (a reduced list gets its own)."""
    full = tuple(c.value for c in instrument.lists[f.list_name or ""])
    if f.choices == full:
        return LIST_PREFIX + (f.list_name or "")
    offered = "".join(v[0].lower() for v in f.choices)
    return f"{LIST_PREFIX}{f.list_name}_{offered}"


def input_message(f: Field) -> tuple[str, str]:
    """The input message (title, text) shown when the LA selects the cell."""
    if f.type == "choice":
        text = "Choose from the dropdown list."
    elif f.type == "whole":
        hi = f"up to {int(f.maximum):,}" if f.maximum is not None else "or more"
        text = f"Type a whole number, {int(f.minimum or 0)} {hi}. Enter 0 where there are none."
    elif f.type == "percent":
        text = "Type a percentage from 0 to 100, without the % sign (for example 12.5)."
    elif f.type == "decimal":
        text = f"Type a number from {f.minimum} to {f.maximum}."
    elif f.type == "date":
        text = "Type a date, for example 31/03/2026."
    else:
        text = f"Type your answer: up to {f.max_length:,} characters."
    if f.help:
        text = f"{text} {f.help}"
    return "Your answer", text[:255]


def validation_for(instrument: Instrument, f: Field) -> dict[str, Any]:
    title, message = input_message(f)
    v: dict[str, Any] = {
        "input_title": title,
        "input_message": message,
        "error_type": "stop",
        "error_title": "Not allowed here",
    }
    if f.type == "choice":
        v.update(
            validate="list",
            source="=" + list_name_for(instrument, f),
            error_message="Choose one of the answers in the dropdown list.",
        )
    elif f.type == "whole":
        v["validate"] = "integer"
        v["error_message"] = "Type a whole number (no words, decimals or minus signs)."
        if f.maximum is not None:
            v.update(criteria="between", minimum=int(f.minimum or 0), maximum=int(f.maximum))
        else:
            v.update(criteria=">=", value=int(f.minimum or 0))
    elif f.type in ("decimal", "percent"):
        v.update(
            validate="decimal",
            criteria="between",
            minimum=f.minimum or 0,
            maximum=f.maximum if f.maximum is not None else 1e9,
            error_message=f"Type a number from {as_text(f.minimum or 0)} to {as_text(f.maximum)}.",
        )
    elif f.type == "date":
        v.update(
            validate="date",
            criteria="between",
            minimum=dt.date(2000, 1, 1),
            maximum=dt.date(2100, 12, 31),
            error_message="Type a date, for example 31/03/2026.",
        )
    else:
        v.update(
            validate="length",
            criteria="<=",
            value=f.max_length or 255,
            error_message=f"Keep the answer to {f.max_length:,} characters or fewer.",
        )
    return v


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
        sh.next()

    def paragraph(self, sh: SheetLayout, text: str, last_col: int, style: str = "intro") -> None:
        lines = max(1, len(text) // 150 + 1)
        sh.add(text, style, merge_to_col=last_col)
        sh.next(15 * lines + 4)

    def question(self, sh: SheetLayout, f: Field) -> None:
        sh.add(f.label, "label")
        height = 60 if f.type == "long_text" else (30 if len(f.label) > 60 else None)
        self._input(sh, f, sh.row, ANSWER_COL, merge_to=ANSWER_COL + ANSWER_SPAN - 1)
        sh.add("Required" if f.required else "Optional", "marker", col=MARKER_COL)
        if f.help:
            sh.add(f.help, "help", col=HELP_COL)
            height = max(height or 0, 15 * (len(f.help) // 55 + 1))
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
                required=f.required,
                label=f.label,
            )
        )
        self.address[f.id] = (sh.name, row, col)
        if f.required:
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
            sh.next(30 if len(r.label) > 58 else None)
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
            "Open the Checks sheet before you send the workbook. It shows, for each sheet, how "
            "many required answers are still empty, and any figures that do not agree. Fix "
            "anything marked 'Must fix'. For anything marked 'Fix or explain', fix it or type a "
            "short explanation in the cell beside it.",
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
                if q.asked_if:
                    sh.add(q.asked_if, "help", col=HELP_COL)
                sh.next(15 * (len(q.text) // 55 + 1) + 4)

    def form(self, section) -> SheetLayout:
        sh = SheetLayout(section.sheet, widths=FORM_WIDTHS)
        self.header(sh, section.title, HELP_COL)
        if section.intro:
            self.paragraph(sh, section.intro, HELP_COL)
        for block in section.blocks:
            self.block(sh, block)
        return sh

    def diagnostic(self, section) -> SheetLayout:
        sh = SheetLayout(section.sheet, widths=DIAG_WIDTHS)
        last = len(DIAG_WIDTHS) - 1
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
            heads = ["Ref", "Criterion", *levels[1:], "Your level", "Your evidence"]
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
                self._input(sh, c.level, sh.row, 5)
                self._input(sh, c.evidence, sh.row, 6)
                longest = max(len(t) for t in [c.text, *c.descriptors.values()])
                sh.next(max(60, 13 * (longest // 34 + 2)))
            for f, label in (
                (p.working, f"What is working for this {p.unit.lower()}"),
                (p.gaps, f"Gaps and next steps for this {p.unit.lower()}"),
            ):
                sh.add(f"{label} (required)", "label_bold", col=1, merge_to_col=5)
                self._input(sh, f, sh.row, 6)
                sh.next(60)
        return sh

    def checks(self, check_list: list[Check]) -> SheetLayout:
        ins, words = self.ins, self.ins.checks.status_words
        sh = SheetLayout(CHECKS_SHEET, widths=[16, 14, 22, 18, 70, 24, 50])
        last = 6
        self.header(sh, "Checks", last)
        self.paragraph(
            sh,
            "This sheet checks your answers as you type, using the same checks the "
            "programme manager runs when your return arrives. Fix everything marked "
            f"'{words.error}'. For anything marked '{words.query}', fix the answer or "
            "type a short explanation in the last column.",
            last,
        )
        sh.next()
        sh.add("Required answers still empty, by sheet", "heading", merge_to_col=last)
        sh.next(20)
        for j, h in enumerate(["Sheet", "Required answers", "Still empty", "Status"]):
            sh.add(h, "header", col=j)
        sh.next()
        for section in ins.sections:
            cells = self.required_cells.get(section.id, [])
            if not cells:
                continue
            sh.add(section.sheet, "label")
            sh.add(len(cells), "number", col=1)
            ranges = _runs(cells)
            # Spaces alone are no answer (as for the collator), so count by trimmed length.
            formula = "+".join(f"SUMPRODUCT(--(LEN(TRIM({r}))=0))" for r in ranges)
            empty = sh.add(len(cells), "number", col=2, formula=formula)
            ref = cell_ref(empty.row, 2)
            sh.add(
                f"{len(cells)} to do",
                "status",
                col=3,
                formula=f'IF({ref}=0,"Complete",{ref}&" to do")',
            )
            sh.next()
        sh.next()
        sh.add("Checks on your figures and answers", "heading", merge_to_col=last)
        sh.next(20)
        summary_row = sh.row
        sh.next(n=4)
        heads = [
            "Code",
            "Severity",
            "Sheet",
            "Status",
            "Message",
            "Where",
            "Your explanation (queries only)",
        ]
        for j, h in enumerate(heads):
            sh.add(h, "header", col=j)
        sh.next()
        first = sh.row
        empty_values: dict[str, Any] = {}
        sheet_of = {s.id: s.sheet for s in ins.sections}

        def name_of(field_id: str) -> str:
            return ins.field(field_id).name

        for check in check_list:
            verdict = check.evaluate(empty_values)
            status_word = _status_word(check, verdict, words)
            sh.add(check.code, "text")
            sh.add("Must fix" if check.severity == "error" else "Fix or explain", "text", col=1)
            sh.add(sheet_of[check.section], "text", col=2)
            status = sh.add(
                status_word, "status", col=3, formula=check.status_formula(name_of, words)
            )
            message = "" if verdict.status != "fail" else check.message(verdict)
            sh.add(
                message,
                "text_wrap",
                col=4,
                formula=check.message_formula(cell_ref(status.row, 3), name_of, words),
            )
            where = []
            for fid in dict.fromkeys(check.fields):
                sheet, row, col = self.address[fid]
                where.append(f"{sheet} {cell_ref(row, col)}")
            text = ", ".join(where[:4]) + (" and others" if len(where) > 4 else "")
            sh.add(text, "help", col=5)
            if check.severity == "query":
                sh.inputs.append(
                    Input(
                        None,
                        sh.row,
                        6,
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
            else:
                sh.add("(fix the answer)", "help", col=6)
            sh.next(32)
        last_row = sh.row - 1
        sh.autofilter = (first - 1, 0, last_row, 6)
        status_range = f"{cell_ref(first, 3, True)}:{cell_ref(last_row, 3, True)}"
        sh.conditional.append((status_range, "status"))
        row = sh.row
        sh.row = summary_row
        for word in (words.error, words.query, words.waiting):
            cached = sum(
                1 for c in check_list if _status_word(c, c.evaluate(empty_values), words) == word
            )
            sh.add(word, "label_bold", col=0, merge_to_col=1)
            sh.add(cached, "number", col=2, formula=f'COUNTIF({status_range},"{word}")')
            sh.next()
        sh.row = row
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
    return WorkbookLayout(sheets, identity, lists)
