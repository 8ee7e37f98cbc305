"""Read one returned file into a plain record: typed answers by field id, plus what is wrong.

The file is read once into memory and never written. Answers are found by the instrument's
defined names, never by coordinates; the LA is identified from the workbook's embedded identity,
never from its file name. Cached formula values are ignored: only answer cells are read, and a
formula in an answer cell is reported.

The package's parts are read straight with libxml2 (collate.intake.package.DirectPackage), each
decompressed once. A package the direct way cannot read exactly as openpyxl would is read with
openpyxl's read-only workbook (OpenpyxlPackage), as every file was before, so a record is the
same whichever way it was read.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import olefile
import openpyxl
from defusedxml import ElementTree
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from collate.checks.catalogue import as_text, is_blank
from collate.checks.findings import Finding
from collate.contract import IDENTITY_KEYS, IDENTITY_SHEET, ISSUE_TOKEN, META_PREFIX, property_key
from collate.generator.layout import SharedLayout, for_council_text, shared_layout
from collate.instrument.model import Field, Instrument
from collate.intake.cleaning import clean_text
from collate.intake.manifest import IssuedWorkbook
from collate.intake.package import (
    MAX_DIRECT_BYTES,
    DirectPackage,
    NotDirect,
    Wanted,
    read_parts,
)
from collate.intake.package import parse as parse_part
from collate.settings import LocalAuthority, RoundSettings

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".xltx", ".xltm"}
# Limits on file size, unpacked size, parts, cells and time are in the round's settings
# (RoundSettings.intake, templates/round.yaml).
MB = 1024 * 1024
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
# Excel's "Strict Open XML Spreadsheet" uses these namespaces in place of the usual ones.
STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
SINGLE_CELL = re.compile(r"\$?[A-Z]{1,3}\$?[0-9]+")
# Read the package's parts straight (False: every file read with openpyxl, as before; the
# differential tests in tests/intake/test_performance.py compare the two).
DIRECT = True


class OpenpyxlPackage:
    """What the reader needs, from openpyxl's read-only workbook: the way every file was read
    before collate.intake.package, and still the way for a package the direct way does not take."""

    def __init__(self, wb: openpyxl.Workbook):
        self.wb = wb
        self.sheetnames = list(wb.sheetnames)
        self.names = {name: dn.value for name, dn in wb.defined_names.items()}
        props = wb.properties
        self.last_modified_by = props.lastModifiedBy
        self.modified = props.modified
        self.custom = [(p.name, p.value) for p in getattr(wb.custom_doc_props, "props", []) or []]

    def number_format(self, style_id: int) -> str | None:
        fmt_id = self.wb._cell_styles[style_id].numFmtId
        return BUILTIN_FORMATS.get(fmt_id) or self.wb._number_formats[fmt_id - 164]

    def read_cells(
        self,
        sheet: str,
        wanted: Wanted,
        protection: bool,
        tick: Callable[[int], None],
    ) -> tuple[dict[str, Any], dict[str, int], bool | None]:
        """Stream the sheet once with openpyxl's own parser, which yields the cells and the
        sheet's protection in a single pass."""
        wb = self.wb
        ws = wb[sheet]
        got: dict[str, Any] = {}
        styles: dict[str, int] = {}
        cells, rows_needed, last_row = wanted.by_rc, wanted.rows, wanted.last_row
        with wb._archive.open(ws._worksheet_path) as src:
            parser = WorkSheetParser(
                src,
                ws._shared_strings,
                data_only=False,
                epoch=wb.epoch,
                date_formats=wb._date_formats,
                timedelta_formats=wb._timedelta_formats,
            )
            for idx, row in parser.parse():
                tick(len(row))
                if idx not in rows_needed:
                    if idx > last_row and not protection:
                        break
                    continue
                for c in row:
                    key = cells.get((idx, c["column"]))
                    if key is not None:
                        got[key] = formula_text(c["value"])
                        if c.get("style_id") is not None:
                            styles[key] = c["style_id"]
        protected = None
        if protection:
            # openpyxl's parser only has `protection` when the sheet still carries a
            # <sheetProtection> element; unprotecting a sheet removes the element.
            prot = getattr(parser, "protection", None)
            protected = bool(prot is not None and prot.sheet)
        return got, styles, protected

    def close(self) -> None:
        self.wb.close()


Package = DirectPackage | OpenpyxlPackage


def formula_text(value: Any) -> Any:
    """An array or data-table formula as text, as every other formula is ("=..."): openpyxl
    gives objects for them, whose text would be their place in memory."""
    if isinstance(value, ArrayFormula):
        return value.text
    if isinstance(value, DataTableFormula):
        return "=TABLE(" + ",".join(r for r in (value.r1, value.r2) if r) + ")"
    return value


# A defined name's destinations depend on its text alone, and openpyxl's formula tokenizer
# finds them slowly: every return has the same few hundred, so each is worked out once.
_DESTINATIONS: dict[str, tuple[tuple[str, str], ...]] = {}


def _destinations(text: str | None) -> list[tuple[str, str]]:
    if text is None:  # openpyxl fails for a name with no text: so does this, the same way
        return list(DefinedName(name="_", attr_text=text).destinations)
    done = _DESTINATIONS.get(text)
    if done is None:
        done = tuple(DefinedName(name="_", attr_text=text).destinations)
        if len(_DESTINATIONS) > 50_000:  # a flood of odd names cannot grow it for ever
            _DESTINATIONS.clear()
        _DESTINATIONS[text] = done
    return list(done)


@dataclass
class ReturnRecord:
    """What one return says, in plain Python: the only thing later steps look at."""

    path: Path
    sha256: str
    size: int
    la: LocalAuthority | None = None
    identity: dict[str, str] = field(default_factory=dict)
    application: str = ""
    last_saved_by: str = ""
    last_saved_at: dt.datetime | None = None
    values: dict[str, Any] = field(default_factory=dict)  # field id → typed answer
    raw: dict[str, Any] = field(default_factory=dict)  # field id → value as found
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # field id → (sheet, cell)
    explanations: dict[str, str] = field(default_factory=dict)  # check id → explanation
    findings: list[Finding] = field(default_factory=list)
    readable: bool = False  # answers could be read (the file is one of our workbooks)
    token: str = ""  # the issue token inside it (see collate.intake.manifest)
    identity_doubt: str = ""  # why its claim to be this council's return is not trusted
    name: str = ""  # as shown: the path within the returns folder (file name if at its top)

    @property
    def file_name(self) -> str:
        return self.name or self.path.name

    @property
    def la_name(self) -> str:
        return self.la.name if self.la else self.identity.get("la_name", "")

    @property
    def is_sample(self) -> bool:
        return self.identity.get("sample", "no") != "no"

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def queries(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "query"]


def should_skip(path: Path) -> bool:
    """Office lock files, hidden files and system clutter are not returns."""
    name = path.name
    return (
        name.startswith("~$")
        or name.startswith(".")
        or name.lower() in {"thumbs.db", "desktop.ini"}
        or not path.is_file()
    )


class _Reader:
    def __init__(
        self,
        path: Path,
        instrument: Instrument,
        settings: RoundSettings,
        layouts: dict[tuple, SharedLayout],
        manifest: dict[str, IssuedWorkbook] | None = None,
        name: str = "",
        direct: bool = False,
        first: _Reader | None = None,
    ):
        self.path = path
        self.direct = direct
        self.parts: dict[str, bytes] | None = None  # each part, decompressed once
        self.manifest = manifest
        self.ins = instrument
        self.settings = settings
        self.layouts = layouts
        self.limits = settings.intake
        self.deadline = time.monotonic() + self.limits.max_seconds_per_file
        self.cells_read = 0
        if first is not None:  # read again, from the bytes already read
            size, self.too_large, self.data = first.record.size, first.too_large, first.data
            digest = first.record.sha256
        else:
            size = path.stat().st_size
            self.too_large = size > self.limits.max_file_mb * MB
            if self.too_large:  # fingerprint it without holding it in memory
                self.data = b""
                with path.open("rb") as fh:
                    digest = hashlib.file_digest(fh, "sha256").hexdigest()
            else:
                self.data = path.read_bytes()
                digest = hashlib.sha256(self.data).hexdigest()
        self.record = ReturnRecord(path, digest, size, name=name)
        self.percent_cells: set[str] = set()  # answers in cells formatted as a percentage

    # -- findings -----------------------------------------------------------------------------

    def file_finding(
        self, code: str, sheet: str = "", cell: str = "", value: Any = "", **context: Any
    ) -> None:
        self.record.findings.append(
            Finding.of_file(
                self.ins.checks.file_checks[code],
                file=self.record.file_name,
                la=self.record.la_name,
                sheet=sheet,
                cell=cell,
                value=value,
                **context,
            )
        )

    def value_finding(self, kind: str, f: Field, raw: Any, **context: Any) -> None:
        rule = self.ins.checks.value_rules[kind]
        sheet, cell = self.record.cells.get(f.id, (f.sheet, ""))
        ctx = {"value": as_text(raw), "field_label": f.label, **context}
        message = rule.message_for(f.type).format_map(
            _Blank({k: as_text(v) for k, v in ctx.items()})
        )
        self.record.findings.append(
            Finding.of_rule(
                rule,
                message,
                file=self.record.file_name,
                la=self.record.la_name,
                sheet=sheet,
                cell=cell,
                field=f.label,
                value=as_text(raw),
                field_id=f.id,
            )
        )

    # -- steps --------------------------------------------------------------------------------

    def sniff(self) -> bool:
        """Refuse what is not an .xlsx workbook, saying what it is instead."""
        if self.too_large:
            self.file_finding(
                "FILE17", detail=f"{self.record.size / MB:,.0f} MB on disk, against about 0.1 MB"
            )
            return False
        head = self.data[:8]
        suffix = self.path.suffix.lower()
        if head.startswith(OLE_MAGIC):
            try:
                ole = olefile.OleFileIO(io.BytesIO(self.data))
                streams = {"/".join(s).lower() for s in ole.listdir()}
            except OSError:
                streams = set()
            if "encryptioninfo" in streams or "encryptedpackage" in streams:
                self.file_finding("FILE03")
            elif "workbook" in streams or "book" in streams:
                self.file_finding("FILE04")
            elif "worddocument" in streams:
                self.file_finding("FILE20", detail="an old-style Word document (.doc)")
            else:
                self.file_finding("FILE01")
            return False
        if not head.startswith(ZIP_MAGIC):
            if self.data.lstrip()[:5] == b"%PDF-":
                self.file_finding("FILE19")
                return False
            kind = _text_kind(self.data)
            if kind in ("a web page (HTML)", "an Excel 2003 XML spreadsheet"):
                self.file_finding("FILE21", detail=kind)
                return False
            if kind == "csv" and (suffix in WORKBOOK_SUFFIXES or suffix in TEXT_SUFFIXES):
                self.file_finding("FILE22")
                return False
            if suffix in WORKBOOK_SUFFIXES:
                self.file_finding("FILE02", detail="it does not start like a workbook file")
            else:
                self.file_finding("FILE01")
            return False
        try:
            zf = zipfile.ZipFile(io.BytesIO(self.data))
            names = set(zf.namelist())
            members = zf.infolist()
            if len(members) > self.limits.max_zip_members:
                self.file_finding(
                    "FILE17",
                    detail=f"it holds {len(members):,} parts, against about 20 for a return",
                )
                return False
            unpacked = sum(info.file_size for info in members)
            if unpacked > self.limits.max_unpacked_mb * MB:
                self.file_finding(
                    "FILE17",
                    detail=f"it unpacks to {unpacked / MB:,.0f} MB, against a few MB for a return",
                )
                return False
            if self.direct:
                if unpacked > MAX_DIRECT_BYTES:
                    raise NotDirect("a large package: streamed by openpyxl")
                self.parts, bad = read_parts(zf)
            else:
                bad = zf.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            self.file_finding("FILE02", detail=str(exc) or "the zip package is broken")
            return False
        if bad:
            self.file_finding("FILE02", detail=f"part {bad} is damaged")
            return False
        if "mimetype" in names and b"opendocument" in self._read(zf, "mimetype"):
            self.file_finding("FILE05")
            return False
        if "xl/workbook.xml" not in names:
            if "[Content_Types].xml" in names and "xl/workbook.bin" in names:
                self.file_finding("FILE04")  # .xlsb: same fix, save as .xlsx
            elif "word/document.xml" in names:
                self.file_finding("FILE20", detail="a Word document")
            elif "[Content_Types].xml" not in names and "mimetype" not in names:
                inside = sorted(n for n in names if not n.endswith("/"))
                shown = ", ".join(inside[:5]) + (
                    f" and {len(inside) - 5} more" if len(inside) > 5 else ""
                )
                self.file_finding(
                    "FILE23", detail=f"{len(inside)} file(s): {shown}" if inside else "nothing"
                )
            elif suffix in WORKBOOK_SUFFIXES:
                self.file_finding("FILE02", detail="it has no workbook part")
            else:
                self.file_finding("FILE01")
            return False
        try:
            workbook_xml = self._read(zf, "xl/workbook.xml")
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            self.file_finding("FILE02", detail=str(exc) or "the zip package is broken")
            return False
        if STRICT_NAMESPACE in workbook_xml[:4096]:
            self.file_finding("FILE24")
            return False
        content_types = (
            self._read(zf, "[Content_Types].xml") if "[Content_Types].xml" in names else b""
        )
        if "xl/vbaProject.bin" in names or b"macroEnabled" in content_types:
            self.file_finding("FILE06", detail=f"saved as {suffix or 'a macro-enabled type'}")
            return False
        self.read_app_properties(zf, names)
        return True

    def _read(self, zf: zipfile.ZipFile, name: str) -> bytes:
        return self.parts[name] if self.parts is not None else zf.read(name)

    def read_app_properties(self, zf: zipfile.ZipFile, names: set[str]) -> None:
        if "docProps/app.xml" in names:
            try:
                data = self._read(zf, "docProps/app.xml")
                try:
                    root = parse_part(data)
                except NotDirect:  # Python's parser, through defusedxml, as before
                    root = ElementTree.fromstring(data)
                for el in root:
                    if el.tag.endswith("}Application") and el.text:
                        self.record.application = el.text.split("$")[0].strip()
            except Exception:  # noqa: BLE001 - properties are information only
                pass

    def open(self) -> Package | None:
        if self.direct:
            return DirectPackage(self.parts or {})
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return OpenpyxlPackage(
                    openpyxl.load_workbook(
                        io.BytesIO(self.data), read_only=True, data_only=False, keep_links=False
                    )
                )
        except Exception as exc:  # noqa: BLE001 - any failure here means a damaged file
            self.file_finding("FILE02", detail=f"{type(exc).__name__}: {exc}"[:200])
            return None

    def identify(self, wb: Package) -> SharedLayout | None:
        """Work out whose return this is from its embedded identity, and which layout it has."""
        self.record.last_saved_by = wb.last_modified_by or ""
        self.record.last_saved_at = wb.modified
        from_props: dict[str, str] = {}
        for prop_name, prop_value in wb.custom:
            key = property_key(prop_name)
            if key is not None:
                from_props[key] = clean_text(as_text(prop_value)).text
            elif prop_name == ISSUE_TOKEN:
                self.record.token = clean_text(as_text(prop_value)).text
        from_names: dict[str, tuple[str, str]] = {}
        for key in IDENTITY_KEYS:
            if META_PREFIX + key not in wb.names:
                continue
            dest = _destinations(wb.names[META_PREFIX + key])
            if dest:
                from_names[key] = dest[0]
        if not from_names and not from_props:
            self.file_finding("FILE07", detail="it has none of the template's identity")
            return None
        found = (
            self.read_cells(
                wb,
                {
                    IDENTITY_SHEET: Wanted(
                        {
                            _rc(ref): key
                            for key, (sheet, ref) in from_names.items()
                            if sheet == IDENTITY_SHEET
                        }
                    )
                },
            )
            if IDENTITY_SHEET in wb.sheetnames
            else {}
        )
        from_sheet = {
            key: clean_text(as_text(v)).text for key, v in found.get(IDENTITY_SHEET, {}).items()
        }
        identity = {**from_props, **from_sheet}
        self.record.identity = identity
        if identity.get("instrument_id") != self.ins.id:
            self.file_finding("FILE07", detail="it is a different form")
            return None
        disagree = [
            k
            for k in IDENTITY_KEYS
            if k in from_props and k in from_sheet and from_props[k] != from_sheet[k]
        ]
        missing = [k for k in ("la_code", "round", "instrument_version") if k not in identity]
        if missing:
            self.file_finding("FILE09", detail="missing " + ", ".join(missing))
            return None
        if "la_code" in disagree:
            # Someone has changed whose return this is. Count it against no council, so an
            # altered copy can never displace another council's good return.
            self.file_finding(
                "FILE09",
                detail="its stored identities disagree on la_code "
                f"({from_props['la_code']} and {from_sheet['la_code']})",
            )
            return None
        # Name the council as soon as its code is known, so that a return made from an old
        # template or last year's workbook is still counted against it ("must resubmit").
        self.record.la = self.settings.la_by_code(identity["la_code"])
        if identity["instrument_version"] != self.ins.version:
            self.file_finding(
                "FILE08", found=identity["instrument_version"], expected=self.ins.version
            )
            return None
        if identity["round"] != self.settings.round:
            self.file_finding("FILE15", found=identity["round"], expected=self.settings.round)
            return None
        la = self.record.la
        if la is None:
            self.file_finding(
                "FILE10", found=f"{identity.get('la_name', '?')} ({identity['la_code']})"
            )
            return None
        if disagree or identity.get("la_name", la.name) != la.name:
            detail = (
                ("its stored identities disagree on " + ", ".join(disagree))
                if disagree
                else f"it names {identity.get('la_name')} but carries the code of {la.name}"
            )
            self.file_finding("FILE09", detail=detail)
            return None
        sample = identity.get("sample", "no") != "no"
        if self.manifest is not None and not sample:
            self.check_token(la)
        return shared_layout(self.ins, self.settings, sample, self.layouts)

    def check_token(self, la: LocalAuthority) -> None:
        """Is this one of the workbooks issued, and issued to the council it names?"""
        rec = self.record
        issued = self.manifest.get(rec.token) if rec.token and self.manifest else None
        if issued is None:
            rec.identity_doubt = "it is not one of the workbooks issued this round"
            self.file_finding(
                "FILE27",
                detail="it has no issue mark" if not rec.token else "its issue mark is unknown",
            )
        elif issued.gss_code != la.gss_code:
            rec.identity_doubt = f"it was issued to {issued.la}, not {la.name}"
            self.file_finding("FILE28", issued_to=issued.la, claims=la.name)

    def read_cells(
        self,
        wb: Package,
        wanted: dict[str, Wanted],
        protection: dict[str, bool] | None = None,
        styles: dict[str, int] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Read each sheet once; return {sheet: {key: value}} for the (row, col) asked for."""
        out: dict[str, dict[str, Any]] = {}
        for sheet, cells in wanted.items():
            if sheet not in wb.sheetnames:
                continue
            got, style_ids, protected = wb.read_cells(
                sheet, cells, protection is not None, self.tick
            )
            if styles is not None:
                styles.update(style_ids)
            if protection is not None:
                protection[sheet] = bool(protected)
            out[sheet] = got
        return out

    def tick(self, cells: int) -> None:
        """One more row read, holding `cells` cells: stop at the round's limits."""
        self.cells_read += cells
        if self.cells_read > self.limits.max_cells:
            raise _TooMuch(f"more than {self.limits.max_cells:,} cells")
        if time.monotonic() > self.deadline:
            raise _TooMuch(f"more than {self.limits.max_seconds_per_file:g} seconds to read")

    def read_answers(self, wb: Package, layout: SharedLayout) -> None:
        rec = self.record
        expected = [s.name for s in layout.sheets]
        actual = list(wb.sheetnames)
        if actual != expected:
            added = [s for s in actual if s not in expected]
            missing = [s for s in expected if s not in actual]
            parts = []
            if added:
                parts.append("added: " + ", ".join(added))
            if missing:
                parts.append("missing: " + ", ".join(missing))
            if not parts:
                parts.append("their order has changed")
            self.file_finding("FILE14", detail="; ".join(parts))
            if missing:
                return
        plan = _plan(self.ins, layout, wb.names)
        for code, context in plan.findings:
            self.file_finding(code, **context)
        rec.cells.update(plan.cells)
        protection: dict[str, bool] = {}
        styles: dict[str, int] = {}
        found = self.read_cells(wb, plan.wanted, protection, styles)
        percent = _percent_styles(wb)
        self.percent_cells = {
            key[2:] for key in plan.answer_keys if key in styles and percent(styles[key])
        }
        for sheet, ok in protection.items():
            if not ok:
                self.file_finding("FILE12", sheet=sheet)
        la = self.record.la
        for sheet, values in found.items():
            changed = 0
            for key, value in values.items():
                kind = key[0]
                if kind == "f":
                    rec.raw[key[2:]] = value
                elif kind == "x" and not is_blank(value):
                    rec.explanations[key[2:]] = clean_text(as_text(value)).text
            for key, r, c, text in plan.static.get(sheet, ()):
                value = values.get(key)
                if "\ue000" in text:  # wording that names the council
                    text = for_council_text(text, la)
                # The cell as the template wrote it needs no cleaning to compare (most are).
                if value != text and _norm(value) != _norm_text(text) and changed < 3:
                    changed += 1
                    self.file_finding(
                        "FILE13",
                        sheet=sheet,
                        cell=_a1(r, c),
                        value=value or "",
                        expected=_short(text),
                    )
        rec.readable = True
        for f in self.ins.fields:
            if f.id in rec.cells:
                self.type_value(f, rec.raw.get(f.id))

    def type_value(self, f: Field, raw: Any) -> None:
        """Turn a raw cell value into a typed answer, or report why it cannot be used."""
        rec = self.record
        if isinstance(raw, str):
            # Cleaned first, so that every check below sees what a person sees in the cell.
            cleaned = clean_text(raw)
            if cleaned.hidden:
                self.value_finding(
                    "hidden_characters", f, cleaned.text, hidden=cleaned.hidden_names
                )
            raw = cleaned.text
        if isinstance(raw, str) and raw.startswith("="):
            self.value_finding("formula", f, raw)
            return
        if is_blank(raw):
            if self.settings.requires(f):
                self.required_missing(f)
            return
        # The same rule, with the same bounds, as the cell's validation in the workbook.
        reading = self.ins.checks.field_rule(f).read(
            raw, shown_as_percent=f.id in self.percent_cells
        )
        for problem in reading.problems:
            shown = _short(as_text(raw).strip()) if problem.kind == "too_long" else raw
            self.value_finding(problem.kind, f, shown, **problem.context)
        if reading.value is None:
            return
        value = reading.value
        rec.values[f.id] = value

    def required_missing(self, f: Field) -> None:
        rule = self.ins.checks.required_rule
        sheet, cell = self.record.cells.get(f.id, (f.sheet, ""))
        self.record.findings.append(
            Finding.of_rule(
                rule,
                rule.message_for(f.type),
                file=self.record.file_name,
                la=self.record.la_name,
                sheet=sheet,
                cell=cell,
                field=f.label,
                field_id=f.id,
            )
        )

    def run_checks(self) -> None:
        rec = self.record
        unexplained = 0
        for check in self.ins.checks.checks:
            verdict = check.evaluate(rec.values)
            if verdict.status != "fail":
                continue
            target = check.primary_field
            sheet, cell = rec.cells.get(target, ("", ""))
            explanation = rec.explanations.get(check.id, "") if check.severity == "query" else ""
            if check.severity == "query" and not explanation:
                unexplained += 1
            rec.findings.append(
                Finding.of_rule(
                    check.rule,
                    check.message(verdict),
                    file=self.record.file_name,
                    la=rec.la_name,
                    sheet=sheet,
                    cell=cell,
                    field=self.ins.field(target).label,
                    # Exactly what the cell holds: a sum the check worked out is in the message.
                    value=as_text(rec.raw.get(target, rec.values.get(target, ""))),
                    explanation=explanation,
                    check_id=check.id,
                    field_id=target,
                )
            )
        if unexplained:
            self.file_finding("QRY01", sheet="Checks", count=unexplained)
        # Sections carried forward from last round and sent back unchanged (collate.rounds).
        from collate.rounds.carried import carried_forward_findings

        rec.findings.extend(
            carried_forward_findings(
                self.path.name, rec.la_name, rec.identity, rec.values, self.ins
            )
        )


@dataclass
class _Plan:
    """Where a return's answers, explanations and fixed wording are, worked out from its
    defined names and its layout. Returns made from one template have the same names, so a
    plan is worked out once and used for each (it names no council: see SharedLayout)."""

    findings: list[tuple[str, dict[str, Any]]]  # FILE16, FILE25 and FILE26, in order
    cells: dict[str, tuple[str, str]]  # field id → (sheet, cell)
    wanted: dict[str, Wanted]  # sheet → the cells to read (not the Identity sheet)
    static: dict[str, list[tuple[str, int, int, str]]]  # sheet → (key, row, col, wording)
    answer_keys: list[str]


_PLANS: dict[int, tuple[SharedLayout, Instrument, dict[tuple, _Plan]]] = {}
_NO_NAME = object()


def _plan(ins: Instrument, layout: SharedLayout, names: dict[str, str | None]) -> _Plan:
    explanation_names = [
        check.explanation_name
        for check in ins.checks.workbook_checks()
        if check.severity == "query"
    ]
    signature = tuple(names.get(f.name, _NO_NAME) for f in ins.fields) + tuple(
        names.get(n, _NO_NAME) for n in explanation_names
    )
    held = _PLANS.get(id(layout))
    if held is None or held[0] is not layout or held[1] is not ins:
        if len(_PLANS) > 8:
            _PLANS.clear()
        held = _PLANS[id(layout)] = (layout, ins, {})
    plans = held[2]
    plan = plans.get(signature)
    if plan is None:
        if len(plans) > 32:  # a flood of altered workbooks cannot grow it for ever
            plans.clear()
        plan = plans[signature] = _make_plan(ins, layout, names)
    return plan


def _make_plan(ins: Instrument, layout: SharedLayout, names: dict[str, str | None]) -> _Plan:
    findings: list[tuple[str, dict[str, Any]]] = []
    cells: dict[str, tuple[str, str]] = {}
    # Where every answer is, from the workbook's own defined names.
    wanted: dict[str, dict[tuple[int, int], str]] = {s.name: {} for s in layout.sheets}
    for f in ins.fields:
        if f.name not in names:
            findings.append(
                ("FILE16", {"field_label": f.label, "detail": f"the name {f.name} is missing"})
            )
            continue
        text = names[f.name]
        dest = _destinations(text)
        if len(dest) != 1 or dest[0][0] not in wanted or not SINGLE_CELL.fullmatch(dest[0][1]):
            findings.append(
                ("FILE25", {"field_label": f.label, "name": f.name, "found": text or "nothing"})
            )
            continue
        sheet, ref = dest[0]
        rc = _rc(ref)
        taken = wanted[sheet].get(rc, "")
        if taken.startswith("f:"):
            # Two answers' names point at one cell: neither can be trusted.
            other = ins.field(taken[2:])
            cells.pop(other.id, None)
            del wanted[sheet][rc]
            findings.append(
                (
                    "FILE26",
                    {
                        "sheet": sheet,
                        "cell": ref.replace("$", ""),
                        "field_label": f.label,
                        "other_label": other.label,
                    },
                )
            )
            continue
        cells[f.id] = (sheet, ref.replace("$", ""))
        wanted[sheet][rc] = "f:" + f.id
    for check in ins.checks.workbook_checks():
        if check.severity != "query":
            continue
        name = check.explanation_name
        dest = _destinations(names[name]) if name in names else []
        if len(dest) == 1 and dest[0][0] in wanted:
            wanted[dest[0][0]][_rc(dest[0][1])] = "x:" + check.id
    # Fixed wording, by coordinate from the layout this workbook was made with.
    static: dict[str, list[tuple[str, int, int, str]]] = {}
    for s in layout.sheets:
        if s.name == IDENTITY_SHEET:
            continue
        static[s.name] = []
        for (r, c), text in layout.shared_text(s.name).items():
            key = (r + 1, c + 1)
            if key not in wanted[s.name]:
                wanted[s.name][key] = f"s:{r + 1},{c + 1}"
                static[s.name].append((wanted[s.name][key], r + 1, c + 1, text))
    answer_keys = [
        key for cells_of in wanted.values() for key in cells_of.values() if key[0] == "f"
    ]
    return _Plan(
        findings,
        cells,
        {k: Wanted(v) for k, v in wanted.items() if k != IDENTITY_SHEET},
        static,
        answer_keys,
    )


def _percent_styles(wb: Package) -> Callable[[int], bool]:
    """_is_percent for this workbook, each style worked out once."""
    seen: dict[int, bool] = {}

    def percent(style_id: int) -> bool:
        done = seen.get(style_id)
        if done is None:
            done = seen[style_id] = _is_percent(wb, style_id)
        return done

    return percent


def _is_percent(wb: Package, style_id: int) -> bool:
    """Whether a cell's number format shows it as a percentage."""
    try:
        code = wb.number_format(int(style_id))
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        return False
    return "%" in re.sub(r'"[^"]*"|\\.', "", code or "")


def _text_kind(data: bytes) -> str:
    """What a file that is not a zip or compound file looks like, from its first 8 KB."""
    head = data[:8192]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            codec = {3: "utf-8"}.get(len(bom), "utf-16")
            text = head.decode(codec, errors="replace")
            break
    else:
        if b"\x00" in head:
            return ""
        text = head.decode("utf-8", errors="replace")
    low = text.lstrip().lower()
    if "<html" in low[:2048] or low.startswith("<!doctype html"):
        return "a web page (HTML)"
    if low.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in low:
        return "an Excel 2003 XML spreadsheet"
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) >= 2 and not low.startswith("<"):
        for sep in (",", ";", "\t"):
            counts = {line.count(sep) for line in lines[:-1]}  # the last may be cut short
            if counts and min(counts) >= 1:
                return "csv"
    return ""


class _TooMuch(Exception):
    """Reading a file went past a limit in the round's intake settings."""


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _rc(ref: str) -> tuple[int, int]:
    col, row = coordinate_from_string(ref.replace("$", ""))
    return row, column_index_from_string(col)


def _a1(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


@functools.lru_cache(maxsize=4096)
def _norm_text(text: str) -> str:
    """`_norm` of the template's own wording, the same in every return: worked out once."""
    return _norm(text)


def _norm(value: Any) -> str:
    return re.sub(r"\s+", " ", clean_text(as_text(value)).text)


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def read_return(
    path: Path,
    instrument: Instrument,
    settings: RoundSettings,
    layouts: dict | None = None,
    manifest: dict[str, IssuedWorkbook] | None = None,
    name: str = "",
) -> ReturnRecord:
    """Read and check one returned file. Never raises for a bad file: problems become findings.

    With `manifest` (from the build's manifest.csv), a return must carry the issue token of a
    workbook issued to the council it names."""
    layouts = layouts if layouts is not None else {}
    try:
        reader = _Reader(path, instrument, settings, layouts, manifest, name, direct=DIRECT)
    except OSError as exc:  # the file vanished, or this computer may not read it
        return unreadable_record(path, instrument, exc, name)
    if DIRECT:
        try:
            return _read(reader)
        except NotDirect:
            # The same bytes again, with openpyxl (see collate.intake.package).
            reader = _Reader(
                path, instrument, settings, layouts, manifest, name, direct=False, first=reader
            )
    return _read(reader)


def _read(reader: _Reader) -> ReturnRecord:
    try:
        if not reader.sniff():
            return reader.record
        wb = reader.open()
        if wb is None:
            return reader.record
        try:
            layout = reader.identify(wb)
            if layout is None:
                return reader.record
            reader.read_answers(wb, layout)
        finally:
            if isinstance(wb, OpenpyxlPackage):
                wb.close()
        if reader.record.readable:
            reader.run_checks()
    except NotDirect:
        raise
    except _TooMuch as exc:
        reader.record.readable = False
        reader.record.values = {}
        reader.file_finding("FILE30", detail=str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the others
        if reader.direct:  # a shape the direct way did not foresee: openpyxl says what is wrong
            raise NotDirect(f"{type(exc).__name__}: {exc}") from exc
        reader.file_finding("FILE02", detail=f"{type(exc).__name__}: {exc}"[:200])
    return reader.record


def unreadable_record(
    path: Path, instrument: Instrument, exc: OSError, name: str = ""
) -> ReturnRecord:
    """A file in the returns folder that could not be read from the disk at all."""
    record = ReturnRecord(path, "", 0, name=name)
    fc = instrument.checks.file_checks["FILE18"]
    detail = exc.strerror or type(exc).__name__
    record.findings.append(Finding.of_file(fc, file=record.file_name, la="", detail=detail))
    return record
