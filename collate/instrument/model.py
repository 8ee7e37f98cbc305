"""The instrument: every question, table, list and check of the return, loaded from `templates/`.

The instrument is data (YAML files under version control) and the single source of truth: the
workbook generator and the collator both read it, and neither repeats its content. Loading
expands it into a flat, ordered list of `Field`s, each with a stable id and the defined name
that is the contract between a workbook and the collator.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Tag, ValidationError, model_validator
from pydantic import Field as PydField

from collate.contract import answer_name
from collate.errors import InstrumentError

if TYPE_CHECKING:  # only for the type of Instrument.checks: no import at run time
    from collate.checks.catalogue import Catalogue

CHECKS_FILE = "checks.yaml"

FieldType = Literal["text", "long_text", "choice", "whole", "decimal", "percent", "date"]
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


def defined_name(field_id: str) -> str:
    """The workbook-level defined name for a field id (see collate.contract)."""
    return answer_name(field_id)


# ---------------------------------------------------------------------------------------------
# The YAML as written: strict models, so a typo in a key is reported rather than ignored.
# ---------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceSpec(_Strict):
    value: str
    points: int | None = None


class FieldSpec(_Strict):
    id: str
    label: str
    type: FieldType
    list: str | None = None
    required: bool = False
    help: str | None = None
    max_length: int | None = PydField(default=None, gt=0, le=32000)
    min: float | None = None
    max: float | None = None
    # Part of the sign-off: required only while the round asks for certification (round.yaml).
    certification: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if not ID_PATTERN.match(self.id):
            raise ValueError(f"id '{self.id}' must be lower case letters, digits and _")
        if self.type == "choice" and not self.list:
            raise ValueError(f"field '{self.id}' is a choice but names no list")
        if self.type != "choice" and self.list:
            raise ValueError(f"field '{self.id}' names a list but is not a choice")
        return self


class HeadingSpec(_Strict):
    heading: str


class NoteSpec(_Strict):
    note: str


class CellSpec(_Strict):
    type: Literal["whole", "decimal", "percent"]
    min: float | None = None
    max: float | None = None


class RowSpec(_Strict):
    id: str
    label: str
    type: Literal["whole", "decimal", "percent"] | None = None
    min: float | None = None
    max: float | None = None
    required: bool | None = None
    senior: bool = False
    phrase: str | None = None


class TableSpec(_Strict):
    table: str
    title: str
    note: str | None = None
    row_dim: str
    col_dim: str
    rows: list[RowSpec] | None = None
    rows_from: Literal["children_codes", "workforce_groups"] | None = None
    columns: list[RowSpec] | None = None
    columns_from: Literal["children_codes", "workforce_groups"] | None = None
    columns_same_as: str | None = None
    cell: CellSpec
    required: bool = False
    total_row: bool = False
    total_column: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> TableSpec:
        if (self.rows is None) == (self.rows_from is None):
            raise ValueError(f"table '{self.table}' needs exactly one of rows or rows_from")
        sources = [self.columns, self.columns_from, self.columns_same_as]
        if sum(s is not None for s in sources) != 1:
            raise ValueError(
                f"table '{self.table}' needs exactly one of columns, columns_from, columns_same_as"
            )
        return self


class RepeatSpec(_Strict):
    repeat: str
    count: int = PydField(gt=0, le=50)
    title: str
    items: list[FieldSpec]


class QuestionSetSpec(_Strict):
    question_set: str


def _item_kind(item: Any) -> str:
    """Which kind of item a section entry is, from its key, so that a mistake is reported
    against that kind only (not against every kind it might have been)."""
    if isinstance(item, dict):
        for key in ("table", "repeat", "question_set", "heading", "note"):
            if key in item:
                return key
        return "field"
    return type(item).__name__


ItemSpec = Annotated[
    Annotated[HeadingSpec, Tag("heading")]
    | Annotated[NoteSpec, Tag("note")]
    | Annotated[TableSpec, Tag("table")]
    | Annotated[RepeatSpec, Tag("repeat")]
    | Annotated[QuestionSetSpec, Tag("question_set")]
    | Annotated[FieldSpec, Tag("field")],
    Discriminator(_item_kind),
]


class IndicatorSpec(_Strict):
    """An indicator worked out from a section's figures (e.g. the SC-WRES indicators): its name
    in the report and collated.xlsx, and a short name for narrow table columns."""

    name: str
    short: str


class SectionSpec(_Strict):
    id: str
    sheet: str = PydField(max_length=31)
    title: str
    intro: str | None = None
    question_set: str | None = None
    items: list[ItemSpec] = []
    # Indicators the analysis works out from this section, by id, in the order they are shown.
    indicators: dict[str, IndicatorSpec] = {}


class DescriptorsSpec(_Strict):
    developing: str | None = None
    established: str | None = None
    leading: str | None = None


class CriterionSpec(_Strict):
    id: str
    text: str
    gap: str | None = None  # the report's wording when it is a gap in most LAs
    practice: str | None = None  # the report's few words for it where it is in place
    source: str | None = None
    descriptors: DescriptorsSpec


class PartSpec(_Strict):
    """A sub-section of a pledge (e.g. CELC Category 2's 2a to 2e), scored with the others."""

    id: str
    title: str
    criteria: list[CriterionSpec] = PydField(min_length=1)


class RangesSpec(_Strict):
    """Score ranges as a standard prints them, e.g. {developing: [0, 10], ...}: kept only to
    compare with the ranges the toolkit derives from the criteria, never used to score."""

    developing: tuple[int, int]
    established: tuple[int, int] | None = None
    leading: tuple[int, int] | None = None


class PledgeSpec(_Strict):
    number: int
    id: str
    title: str
    wording: str
    criteria: list[CriterionSpec] = []
    parts: list[PartSpec] = []
    published_ranges: RangesSpec | None = None
    # Why the published ranges may differ from those the criteria give (shown beside them).
    published_ranges_note: str | None = None

    @model_validator(mode="after")
    def _criteria_or_parts(self) -> PledgeSpec:
        if bool(self.criteria) == bool(self.parts):
            raise ValueError(
                f"{self.id} needs either criteria or parts (sub-sections with criteria), "
                "not both and not neither"
            )
        return self


class DiagnosticSpec(_Strict):
    id: str
    sheet: str = PydField(max_length=31)
    title: str
    intro: str | None = None
    # What the instrument calls each group of criteria: "Pledge" (Eastern), "Category" (CELC).
    unit: str = "Pledge"
    pledges: list[PledgeSpec] = PydField(min_length=1)


class ChildCodeSpec(_Strict):
    code: str
    label: str
    group: str
    detail: str
    # The code's category in the DfE school census, for the child population by ethnic group.
    school_census: str | None = None


class PopulationCategorySpec(_Strict):
    group: str
    detail: str


class WorkforceGroupSpec(_Strict):
    id: str
    label: str
    note: str | None = None


class EthnicitySpec(_Strict):
    reference_group: str
    not_known_groups: list[str]
    white_groups: list[str] = []
    global_majority_label: str = "Global majority groups"
    groups: list[str]
    children_codes: list[ChildCodeSpec]
    population_categories: dict[str, PopulationCategorySpec]
    workforce_groups: list[WorkforceGroupSpec]

    @model_validator(mode="after")
    def _groups_known(self) -> EthnicitySpec:
        known = set(self.groups)
        for c in self.children_codes:
            if c.group not in known:
                raise ValueError(f"code {c.code}: group '{c.group}' is not in groups")
        for name, cat in self.population_categories.items():
            if cat.group not in known:
                raise ValueError(f"population category '{name}': group '{cat.group}' unknown")
        if self.reference_group not in known:
            raise ValueError(f"reference_group '{self.reference_group}' is not in groups")
        return self


class QuestionSpec(_Strict):
    id: str
    text: str
    answers: str
    race_specific: bool = False
    asked_if: str | None = None  # e.g. "experienced_racism = Yes": a follow-on question


class QuestionSetFileSpec(_Strict):
    intro: str | None = None
    questions: list[QuestionSpec]


class ReportAnswerSpec(_Strict):
    field: str
    answers: list[str] = PydField(min_length=1)


class InstrumentSpec(_Strict):
    id: str
    title: str
    version: str
    sections: list[str]
    lists: dict[str, list[ChoiceSpec]]
    # Answers the analysis and the report count (e.g. which induction statuses are compulsory),
    # named here so that rewording a choice in `lists` cannot silently change the report.
    report_answers: dict[str, ReportAnswerSpec] = {}


# ---------------------------------------------------------------------------------------------
# The expanded instrument that the rest of the toolkit uses.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One answer cell: its stable id, where it belongs and what it may hold."""

    id: str
    section: str
    sheet: str
    label: str
    type: FieldType
    required: bool
    choices: tuple[str, ...] = ()
    list_name: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    help: str | None = None
    dims: tuple[tuple[str, str], ...] = ()
    certification: bool = False

    @property
    def name(self) -> str:
        return defined_name(self.id)

    @property
    def is_number(self) -> bool:
        return self.type in ("whole", "decimal", "percent")

    def dim(self, key: str) -> str | None:
        return dict(self.dims).get(key)


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Note:
    text: str


@dataclass(frozen=True)
class Question:
    field: Field


@dataclass(frozen=True)
class TableLine:
    id: str
    label: str
    senior: bool = False
    phrase: str | None = None


@dataclass(frozen=True)
class Table:
    """A grid of number cells; `cells[(row_id, col_id)]` is the field for each."""

    id: str
    section: str
    title: str
    note: str | None
    row_dim: str
    col_dim: str
    rows: tuple[TableLine, ...]
    columns: tuple[TableLine, ...]
    cells: dict[tuple[str, str], Field]
    required: bool
    total_row: bool
    total_column: bool


@dataclass(frozen=True)
class RepeatEntry:
    number: int
    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Criterion:
    pledge: str
    id: str
    ref: str  # "1.2": pledge number and criterion position, as shown to the LA
    text: str
    descriptors: dict[str, str]  # level name -> descriptor, only for levels offered
    level: Field
    evidence: Field
    source: str | None = None
    gap: str | None = None  # the report's wording when it is a gap in most LAs
    practice: str | None = None  # the report's few words for it where it is in place
    part: str | None = None  # the sub-section's heading, e.g. "2a Recruitment"

    @property
    def key(self) -> str:
        return f"{self.pledge}.{self.id}"


@dataclass(frozen=True)
class Pledge:
    number: int
    id: str
    title: str
    wording: str
    criteria: tuple[Criterion, ...]
    working: Field
    gaps: Field
    unit: str = "Pledge"
    published_ranges: RangesSpec | None = None
    published_ranges_note: str | None = None


@dataclass(frozen=True)
class QuestionSetBlock:
    title: str
    intro: str | None
    questions: tuple[QuestionSpec, ...]


Block = Heading | Note | Question | Table | RepeatEntry | Pledge | QuestionSetBlock


@dataclass(frozen=True)
class Section:
    id: str
    sheet: str
    title: str
    intro: str | None
    blocks: tuple[Block, ...]

    def fields(self) -> Iterator[Field]:
        for block in self.blocks:
            yield from block_fields(block)


def block_fields(block: Block) -> Iterator[Field]:
    """Every field of a block, in reading order (rows, then columns for a table)."""
    if isinstance(block, Question):
        yield block.field
    elif isinstance(block, Table):
        for row in block.rows:
            for col in block.columns:
                yield block.cells[(row.id, col.id)]
    elif isinstance(block, RepeatEntry):
        yield from block.fields
    elif isinstance(block, Pledge):
        for c in block.criteria:
            yield c.level
            yield c.evidence
        yield block.working
        yield block.gaps


@dataclass(frozen=True)
class Instrument:
    """The whole instrument, expanded, validated and fingerprinted."""

    id: str
    title: str
    version: str
    fingerprint: str
    lists: dict[str, tuple[ChoiceSpec, ...]]
    sections: tuple[Section, ...]
    ethnicity: EthnicitySpec | None  # None when the instrument has no ethnicity.yaml
    folder: Path
    fields_by_id: dict[str, Field] = field(repr=False)
    report_answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Indicators by id, in their own order (workforce.yaml's SC-WRES indicators).
    indicators: dict[str, IndicatorSpec] = field(default_factory=dict)
    # The check catalogue over these fields. It is built from the fields, so `collate.load`
    # reads the instrument first and then gives it its catalogue (this module never imports
    # collate.checks, and collate.checks imports this one).
    checks: Catalogue = field(default=None, repr=False)  # type: ignore[assignment]

    def answers(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The answers named `key` in instrument.yaml's `report_answers` (see there)."""
        return self.report_answers.get(key, default)

    @property
    def fields(self) -> list[Field]:
        return list(self.fields_by_id.values())

    def field(self, field_id: str) -> Field:
        return self.fields_by_id[field_id]

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    @cached_property
    def pledges(self) -> tuple[Pledge, ...]:
        return tuple(b for s in self.sections for b in s.blocks if isinstance(b, Pledge))

    @cached_property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for p in self.pledges for c in p.criteria)

    def table(self, section_id: str, table_id: str) -> Table:
        for b in self.section(section_id).blocks:
            if isinstance(b, Table) and b.id == table_id:
                return b
        raise KeyError(f"{section_id}.{table_id}")

    def repeats(self, section_id: str, repeat_id: str) -> list[RepeatEntry]:
        prefix = f"{section_id}.{repeat_id}"
        return [
            b
            for b in self.section(section_id).blocks
            if isinstance(b, RepeatEntry) and b.fields and b.fields[0].id.startswith(prefix)
        ]

    def level_points(self) -> dict[str, int]:
        return {c.value: int(c.points or 0) for c in self.lists["levels"]}

    @cached_property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(s.sheet for s in self.sections)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise InstrumentError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path}: not valid YAML: {exc}") from exc


def _parse(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:8]:
            where = " → ".join(str(p) for p in err["loc"]) or "(top level)"
            problems.append(f"  at {where}: {err['msg']}")
        raise InstrumentError(
            f"{path}: the file's contents are not valid:\n" + "\n".join(problems)
        ) from None


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)


def read_instrument(folder: Path | str) -> Instrument:
    """Read, validate and expand the instrument in `folder` (templates/instrument), without its
    check catalogue: use `collate.load.load_instrument` for the instrument with its checks."""
    folder = Path(folder)
    top_path = folder / "instrument.yaml"
    top: InstrumentSpec = _parse(InstrumentSpec, read_yaml(top_path), top_path)
    # Ethnicity codes and groups are needed only by tables that take their rows or columns from
    # them: an instrument without such tables (e.g. a self-assessment only) has no ethnicity.yaml.
    eth_path = folder / "ethnicity.yaml"
    raw_eth = read_yaml(eth_path) if eth_path.exists() else None
    ethnicity: EthnicitySpec | None = (
        _parse(EthnicitySpec, raw_eth, eth_path) if raw_eth is not None else None
    )
    raw_all: dict[str, Any] = {"instrument.yaml": read_yaml(top_path), "ethnicity.yaml": raw_eth}

    lists = {name: tuple(choices) for name, choices in top.lists.items()}
    builder = _Builder(lists, ethnicity)
    sections: list[Section] = []
    indicators: dict[str, IndicatorSpec] = {}
    for file_name in top.sections:
        path = folder / file_name
        raw = read_yaml(path)
        raw_all[file_name] = raw
        if isinstance(raw, dict) and "pledges" in raw:
            spec = _parse(DiagnosticSpec, raw, path)
            sections.append(builder.diagnostic(spec, path))
        else:
            spec = _parse(SectionSpec, raw, path)
            qs = None
            if spec.question_set:
                qs_path = folder / spec.question_set
                raw_qs = read_yaml(qs_path)
                raw_all[spec.question_set] = raw_qs
                qs = _parse(QuestionSetFileSpec, raw_qs, qs_path)
            sections.append(builder.section(spec, path, qs))
            for key, ind in spec.indicators.items():
                if key in indicators:
                    raise InstrumentError(f"{path}: indicators: '{key}' is named twice")
                indicators[key] = ind

    names = [s.sheet for s in sections]
    if len(set(names)) != len(names):
        raise InstrumentError(f"{top_path}: two sections share a sheet name: {names}")
    # The catalogue is loaded by collate.load, but it is part of what the fingerprint covers.
    raw_all["checks.yaml"] = read_yaml(folder / CHECKS_FILE)
    fingerprint = hashlib.sha256(_canonical(raw_all).encode("utf-8")).hexdigest()[:16]
    report_answers: dict[str, tuple[str, ...]] = {}
    for key, ra in top.report_answers.items():
        where = f"{top_path}: report_answers: {key}"
        if ra.field not in builder.fields:
            raise InstrumentError(f"{where}: '{ra.field}' is not a field of the instrument")
        choices = builder.fields[ra.field].choices
        unknown = [a for a in ra.answers if choices and a not in choices]
        if unknown:
            raise InstrumentError(
                f"{where}: {', '.join(repr(a) for a in unknown)} is not an answer to "
                f"'{ra.field}' (its answers: {', '.join(choices)}); reword it here as in `lists`"
            )
        report_answers[key] = tuple(ra.answers)
    instrument = Instrument(
        id=top.id,
        title=top.title,
        version=top.version,
        fingerprint=fingerprint,
        lists=lists,
        sections=tuple(sections),
        ethnicity=ethnicity,
        folder=folder,
        fields_by_id=builder.fields,
        report_answers=report_answers,
        indicators=indicators,
    )
    return instrument


class _Builder:
    """Expands section specs into blocks and fields, refusing duplicate ids and names."""

    def __init__(self, lists: dict[str, tuple[ChoiceSpec, ...]], ethnicity: EthnicitySpec | None):
        self.lists = lists
        self.ethnicity = ethnicity
        self.fields: dict[str, Field] = {}
        self._names: dict[str, str] = {}
        self._tables: dict[str, Table] = {}

    def _add(self, f: Field, path: Path) -> Field:
        if f.id in self.fields:
            raise InstrumentError(f"{path}: the id '{f.id}' is used twice")
        name = f.name
        if name in self._names:
            raise InstrumentError(
                f"{path}: '{f.id}' and '{self._names[name]}' give the same defined name '{name}'"
            )
        if len(name) > 255:
            raise InstrumentError(f"{path}: '{f.id}' gives a defined name over 255 characters")
        self._names[name] = f.id
        self.fields[f.id] = f
        return f

    def _field(
        self,
        spec: FieldSpec,
        prefix: str,
        section: SectionSpec,
        path: Path,
        offered: list[str] | None = None,
        **dims: str,
    ) -> Field:
        choices: tuple[str, ...] = ()
        if spec.list:
            if spec.list not in self.lists:
                raise InstrumentError(f"{path}: field '{spec.id}' uses unknown list '{spec.list}'")
            # A criterion may offer only some levels (as in the CELC Standard).
            choices = tuple(
                c.value for c in self.lists[spec.list] if offered is None or c.value in offered
            )
        minimum, maximum = spec.min, spec.max
        if spec.type == "percent":
            minimum = 0 if minimum is None else minimum
            maximum = 100 if maximum is None else maximum
        max_length = spec.max_length
        if spec.type in ("text", "long_text") and max_length is None:
            max_length = 255 if spec.type == "text" else 2000
        return self._add(
            Field(
                id=f"{prefix}.{spec.id}",
                section=section.id,
                sheet=section.sheet,
                label=spec.label,
                type=spec.type,
                required=spec.required,
                choices=choices,
                list_name=spec.list,
                minimum=minimum,
                maximum=maximum,
                max_length=max_length,
                help=spec.help,
                dims=tuple(sorted((k, str(v)) for k, v in dims.items() if v is not None)),
                certification=spec.certification,
            ),
            path,
        )

    def _lines(self, source: str, path: Path) -> tuple[TableLine, ...]:
        if self.ethnicity is None:
            raise InstrumentError(
                f"{path}: a table takes its rows or columns from '{source}', which are listed in "
                f"ethnicity.yaml, but there is no ethnicity.yaml in {path.parent}"
            )
        if source == "children_codes":
            return tuple(
                TableLine(c.code.lower(), f"{c.label} ({c.code})")
                for c in self.ethnicity.children_codes
            )
        return tuple(TableLine(g.id, g.label) for g in self.ethnicity.workforce_groups)

    def _table(self, spec: TableSpec, section: SectionSpec, path: Path) -> Table:
        if not ID_PATTERN.match(spec.table):
            raise InstrumentError(f"{path}: table id '{spec.table}' must be lower case")
        row_specs = {r.id: r for r in spec.rows or []}
        rows = (
            tuple(TableLine(r.id, r.label, r.senior, r.phrase) for r in spec.rows)
            if spec.rows
            else self._lines(spec.rows_from or "", path)
        )
        col_specs: dict[str, RowSpec] = {}
        if spec.columns:
            col_specs = {c.id: c for c in spec.columns}
            columns = tuple(TableLine(c.id, c.label, c.senior, c.phrase) for c in spec.columns)
        elif spec.columns_from:
            columns = self._lines(spec.columns_from, path)
        else:
            other = self._tables.get(f"{section.id}.{spec.columns_same_as}")
            if other is None:
                raise InstrumentError(
                    f"{path}: table '{spec.table}' copies columns from unknown table "
                    f"'{spec.columns_same_as}' (it must come earlier in the same section)"
                )
            columns = other.columns
            col_specs = {c.id: RowSpec(id=c.id, label=c.label) for c in columns}
            # Optional columns stay optional in a table that copies them.
            for col in columns:
                origin = other.cells[(other.rows[0].id, col.id)]
                if not origin.required:
                    col_specs[col.id] = RowSpec(id=col.id, label=col.label, required=False)
        code_labels = (
            {c.code.lower(): c.code for c in self.ethnicity.children_codes}
            if self.ethnicity
            else {}
        )
        cells: dict[tuple[str, str], Field] = {}
        for row in rows:
            rs = row_specs.get(row.id)
            for col in columns:
                cs = col_specs.get(col.id)
                ctype = (rs.type if rs and rs.type else None) or spec.cell.type
                minimum = rs.min if rs and rs.min is not None else spec.cell.min
                maximum = rs.max if rs and rs.max is not None else spec.cell.max
                if rs and rs.type and rs.min is None and rs.max is None:
                    minimum, maximum = (0, 100) if ctype == "percent" else (0, None)
                required = spec.required
                for override in (rs, cs):
                    if override and override.required is not None:
                        required = required and override.required
                dims = {
                    "table": spec.table,
                    spec.row_dim: code_labels.get(row.id, row.id),
                    spec.col_dim: code_labels.get(col.id, col.id),
                }
                f = self._add(
                    Field(
                        id=f"{section.id}.{spec.table}.{row.id}.{col.id}",
                        section=section.id,
                        sheet=section.sheet,
                        label=f"{spec.title}: {row.label}, {col.label}",
                        type=ctype,
                        required=required,
                        minimum=minimum,
                        maximum=maximum,
                        dims=tuple(sorted(dims.items())),
                    ),
                    path,
                )
                cells[(row.id, col.id)] = f
        table = Table(
            id=spec.table,
            section=section.id,
            title=spec.title,
            note=spec.note,
            row_dim=spec.row_dim,
            col_dim=spec.col_dim,
            rows=rows,
            columns=columns,
            cells=cells,
            required=spec.required,
            total_row=spec.total_row,
            total_column=spec.total_column,
        )
        self._tables[f"{section.id}.{spec.table}"] = table
        return table

    def section(self, spec: SectionSpec, path: Path, qs: QuestionSetFileSpec | None) -> Section:
        blocks: list[Block] = []
        for item in spec.items:
            if isinstance(item, HeadingSpec):
                blocks.append(Heading(item.heading))
            elif isinstance(item, NoteSpec):
                blocks.append(Note(item.note))
            elif isinstance(item, FieldSpec):
                blocks.append(Question(self._field(item, spec.id, spec, path)))
            elif isinstance(item, TableSpec):
                blocks.append(self._table(item, spec, path))
            elif isinstance(item, RepeatSpec):
                for n in range(1, item.count + 1):
                    prefix = f"{spec.id}.{item.repeat}{n}"
                    entry_fields = tuple(
                        self._field(f, prefix, spec, path, entry=str(n)) for f in item.items
                    )
                    blocks.append(RepeatEntry(n, item.title.format(n=n), entry_fields))
            elif isinstance(item, QuestionSetSpec):
                if qs is None:
                    raise InstrumentError(f"{path}: a question_set item needs question_set: FILE")
                blocks.append(QuestionSetBlock(item.question_set, qs.intro, tuple(qs.questions)))
        return Section(spec.id, spec.sheet, spec.title, spec.intro, tuple(blocks))

    def diagnostic(self, spec: DiagnosticSpec, path: Path) -> Section:
        if "levels" not in self.lists:
            raise InstrumentError(
                f"{path}: the diagnostic needs a 'levels' list in instrument.yaml"
            )
        level_names = [c.value for c in self.lists["levels"]]
        blocks: list[Block] = []
        section = SectionSpec(id=spec.id, sheet=spec.sheet, title=spec.title)
        unit = spec.unit
        for p in spec.pledges:
            criteria = []
            # A pledge's criteria, or its parts' criteria in order, each with its reference:
            # "1.2" (pledge 1, criterion 2) or "2a.3" (part a of pledge 2, criterion 3).
            listed = (
                [(c, f"{p.number}.{pos}", None) for pos, c in enumerate(p.criteria, start=1)]
                if p.criteria
                else [
                    (c, f"{p.number}{part.id}.{pos}", f"{p.number}{part.id} {part.title}")
                    for part in p.parts
                    for pos, c in enumerate(part.criteria, start=1)
                ]
            )
            for c, ref, part in listed:
                descriptors = {
                    name.capitalize(): text
                    for name, text in c.descriptors.model_dump().items()
                    if text
                }
                if not descriptors:
                    raise InstrumentError(f"{path}: criterion {p.id}.{c.id} has no descriptors")
                offered = [level_names[0]] + [n for n in level_names if n in descriptors]
                dims = {"pledge": str(p.number), "criterion": ref}
                level = self._field(
                    FieldSpec(
                        id="level",
                        label=f"{ref} {c.text}: your level",
                        type="choice",
                        list="levels",
                        required=True,
                    ),
                    f"{spec.id}.{p.id}.{c.id}",
                    section,
                    path,
                    offered,
                    **dims,
                )
                evidence = self._field(
                    FieldSpec(
                        id="evidence",
                        label=f"{ref} {c.text}: your evidence",
                        type="long_text",
                        max_length=1500,
                    ),
                    f"{spec.id}.{p.id}.{c.id}",
                    section,
                    path,
                    **dims,
                )
                criteria.append(
                    Criterion(
                        p.id,
                        c.id,
                        ref,
                        c.text,
                        descriptors,
                        level,
                        evidence,
                        c.source,
                        c.gap,
                        c.practice,
                        part=part,
                    )
                )
            pdims = {"pledge": str(p.number)}
            working = self._field(
                FieldSpec(
                    id="working",
                    label=f"{unit} {p.number}: what is working",
                    type="long_text",
                    max_length=1500,
                    required=True,
                ),
                f"{spec.id}.{p.id}",
                section,
                path,
                **pdims,
            )
            gaps = self._field(
                FieldSpec(
                    id="gaps",
                    label=f"{unit} {p.number}: gaps and next steps",
                    type="long_text",
                    max_length=1500,
                    required=True,
                ),
                f"{spec.id}.{p.id}",
                section,
                path,
                **pdims,
            )
            blocks.append(
                Pledge(
                    p.number,
                    p.id,
                    p.title,
                    p.wording,
                    tuple(criteria),
                    working,
                    gaps,
                    unit,
                    p.published_ranges,
                    p.published_ranges_note,
                )
            )
        return Section(spec.id, spec.sheet, spec.title, spec.intro, tuple(blocks))
