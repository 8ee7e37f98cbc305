"""What the reader takes from a workbook package, read straight from its parts.

A return is a zip of XML parts. The reader needs only a few things from it: the sheets' names
and parts, the workbook's defined names (where every answer is), the document properties (whose
return it is, when it was saved), the cells' number formats (dates, percentages), the shared
strings, and the cells it asks for with each sheet's protection. `DirectPackage` takes exactly
those from the parts with libxml2, each part decompressed once (and the workbook, relationship
and style parts, which every return made from one template shares, read once for all of them);
`OpenpyxlPackage` (collate.intake.reader) gets the same from openpyxl's read-only workbook, as
the reader always did.

The direct way reads only a package shaped as Excel, LibreOffice and XlsxWriter write them, and
reads it exactly as openpyxl would. Anything it does not understand that way (a document type
declaration, text that is not UTF-8, a shared formula in an answer cell, an attribute openpyxl
would refuse, a part that will not parse) raises `NotDirect`, and the reader reads the file with
openpyxl instead: so a record and its findings are the same whichever way the file was read
(tests/intake/test_performance.py compares the two on every file the tests hold). The one
difference is on purpose: the direct way does not look at what the collator does not use (cells
that hold no answer and no fixed wording, fonts, fills and borders, print settings), so damage
there does not stop a return being read, where openpyxl refused the whole file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import re
from collections.abc import Callable
from typing import Any

from lxml import etree
from openpyxl.descriptors import Bool
from openpyxl.descriptors.excel import Base64Binary
from openpyxl.packaging.workbook import WorkbookPackage
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    BUILTIN_FORMATS_MAX_SIZE,
    BUILTIN_FORMATS_REVERSE,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.worksheet.protection import SheetProtection

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
VTYPES = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_WORKBOOK_TYPES = [  # in the order openpyxl looks for them
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
]
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def _q(name: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{name}"


ROW, CELL, VALUE, FORMULA, INLINE = _q("row"), _q("c"), _q("v"), _q("f"), _q("is")
DIMENSION, DATA = _q("dimension"), _q("sheetData")
SHEET, DEFINED_NAME, WORKBOOK_PR = _q("sheet"), _q("definedName"), _q("workbookPr")
SHEETS, DEFINED_NAMES = _q("sheets"), _q("definedNames")
PROTECTION, SI, T, R = _q("sheetProtection"), _q("si"), _q("t"), _q("r")
# What a return's parts may hold at the top of the workbook part; anything else (external
# links, pivot caches, custom views, functions) is read by openpyxl.
_WORKBOOK_CHILDREN = {
    _q(n)
    for n in (
        "fileVersion",
        "fileSharing",
        "workbookPr",
        "workbookProtection",
        "bookViews",
        "sheets",
        "definedNames",
        "calcPr",
        "fileRecoveryPr",
        "extLst",
    )
}
# Every part of a workbook openpyxl reads (openpyxl.packaging.workbook.WorkbookPackage).
_WORKBOOK_PARTS = frozenset(WorkbookPackage.__elements__) | {"extLst"}
_DEFINED_NAME_ATTRIBUTES = {
    "name",
    "comment",
    "customMenu",
    "description",
    "help",
    "statusBar",
    "localSheetId",
    "hidden",
    "function",
    "vbProcedure",
    "xlm",
    "functionGroupId",
    "shortcutKey",
    "publishToServer",
    "workbookParameter",
}
_INTEGER_NAME_ATTRIBUTES = ("localSheetId", "functionGroupId")
_DIGITS = re.compile(r"[0-9]+")
# A return unpacks to well under a megabyte; a package this large is read by openpyxl, which
# streams each sheet rather than holding it whole.
MAX_DIRECT_BYTES = 32 * 1024 * 1024


class NotDirect(Exception):
    """The package is not one the direct way reads exactly as openpyxl would: use openpyxl."""


def plain_xml(data: bytes) -> bool:
    """UTF-8 (or ASCII) XML without a document type declaration, so without entity
    declarations: nothing libxml2 could expand or fetch. Anything else goes to defusedxml."""
    start = data[3:4] if data.startswith(b"\xef\xbb\xbf") else data[:1]
    return start == b"<" and b"<!DOCTYPE" not in data and b"<!ENTITY" not in data


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    # As Python's own parser (openpyxl's), which gives a tree without them: a comment in a
    # row is not a cell.
    remove_comments=True,
    remove_pis=True,
)
_KEEPING_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def parse(data: bytes) -> etree._Element:
    """One part as a tree, or NotDirect (a DTD, not UTF-8, or not well formed): for the parts
    openpyxl streams with Python's parser (sheets, shared strings), which drops comments and
    processing instructions and joins the text around them."""
    return _parse(data, _PARSER)


def parse_as_openpyxl(data: bytes) -> etree._Element:
    """As `parse`, for the parts openpyxl reads with lxml (openpyxl.xml.functions.fromstring:
    the workbook, relationships, content types, styles, document properties), which keeps
    comments and processing instructions as nodes: an element's text ends at the first."""
    return _parse(data, _KEEPING_PARSER)


def _parse(data: bytes, parser: etree.XMLParser) -> etree._Element:
    if not plain_xml(data):
        raise NotDirect("not plain UTF-8 XML")
    try:
        return etree.fromstring(data, parser)
    except etree.LxmlError as exc:
        raise NotDirect(str(exc)) from None


def text_content(node: etree._Element) -> str:
    """A shared or inline string's text, as openpyxl.cell.text.Text.content gives it: the
    plain <t>, then each run's <t>; phonetic guides left out."""
    plain = None
    runs: list[str] = []
    for child in node:
        tag = child.tag
        if tag == T:
            if plain is not None or len(child):
                raise NotDirect("a string with two plain parts")
            plain = child.text
        elif tag == R:
            texts = [c for c in child if c.tag == T]
            if len(texts) > 1 or any(len(t) for t in texts):
                raise NotDirect("a run with two texts")
            if texts and texts[0].text is not None:
                runs.append(texts[0].text)
        elif tag in (_q("rPh"), _q("phoneticPr")) or not isinstance(tag, str):
            continue  # phonetic guides, comments and processing instructions
        else:
            raise NotDirect(f"a string holding {tag}")
    return (plain or "") + "".join(runs)


def _read_strings(data: bytes) -> list[str]:
    """The shared strings, as openpyxl.reader.strings.read_string_table reads them."""
    root = parse(data)
    strings = _plain_strings(root)
    if strings is None:
        if _SI_ATTRIBUTES(root):
            raise NotDirect("a shared string with attributes")
        strings = [text_content(si) for si in root.iter(SI)]
    if b"x005F_" in data:
        strings = [text.replace("x005F_", "") for text in strings]
    return strings


def _plain_strings(root: etree._Element) -> list[str] | None:
    """Each string one plain <t> (as Excel and XlsxWriter write them), else None."""
    strings = []
    for si in root:
        if si.tag != SI or len(si) != 1 or si.attrib:
            return None
        t = si[0]
        if t.tag != T or len(t):
            return None
        strings.append(t.text or "")
    return strings


class DirectPackage:
    """A return's package read with libxml2 (see the module's docstring)."""

    # What the content-type, workbook, relationship and style parts say, by each part's
    # fingerprint: returns made from one template and not re-saved share them, so each is read
    # once. (A workbook Excel has saved has its own workbook part: it is read for that return.)
    _known: dict[tuple[str, bytes], tuple] = {}
    _FROM = {
        "[Content_Types].xml": ("_content_types", ("_strings_part",)),
        "xl/workbook.xml": ("_workbook", ("epoch", "sheets", "names")),  # names: read only
        "xl/_rels/workbook.xml.rels": ("_read_relationships", ("_rels",)),
        "xl/styles.xml": (
            "_styles",
            ("number_formats", "format_ids", "date_formats", "timedelta_formats"),
        ),
    }

    def __init__(self, parts: dict[str, bytes]):
        self.parts = parts
        for part, (method, fields) in self._FROM.items():
            data = self._part(part)
            key = (part, hashlib.blake2b(data, digest_size=20).digest())
            known = self._known.get(key)
            if known is None:
                getattr(self, method)()
                if len(self._known) >= 64:
                    self._known.clear()
                self._known[key] = tuple(getattr(self, f) for f in fields)
            else:
                for name, value in zip(fields, known, strict=True):
                    setattr(self, name, value)
        self._relationships()
        self._properties()
        self._custom_properties()
        self.shared_strings = (
            _read_strings(self._part(self._strings_part)) if self._strings_part else []
        )

    def _part(self, name: str) -> bytes:
        data = self.parts.get(name)
        if data is None:
            raise NotDirect(f"no part {name}")
        return data

    # -- the package's parts ------------------------------------------------------------------

    def _content_types(self) -> None:
        root = parse_as_openpyxl(self._part("[Content_Types].xml"))
        _only(root, ())
        overrides = []
        for el in root:
            if el.tag not in (_q("Override", CONTENT_TYPES), _q("Default", CONTENT_TYPES)):
                raise NotDirect("an odd list of content types")
            pair = (
                el.get("PartName" if el.tag.endswith("Override") else "Extension"),
                el.get("ContentType"),
            )
            if None in pair:
                raise NotDirect("a content type openpyxl would refuse")
            if el.tag.endswith("Override"):
                overrides.append(pair)
        for kind in _WORKBOOK_TYPES:
            found = [p for p, ct in overrides if ct == kind]
            if found:
                if found[0] != "/xl/workbook.xml" or kind != _WORKBOOK_TYPES[-1]:
                    raise NotDirect("the workbook is not where a return has it")
                break
        else:
            raise NotDirect("no workbook part named in the content types")
        strings = [p for p, ct in overrides if ct == _SHARED_STRINGS]
        self._strings_part = strings[0][1:] if strings else ""

    def _workbook(self) -> None:
        root = parse_as_openpyxl(self._part("xl/workbook.xml"))
        _only(root, ("conformance",))
        if root.get("conformance") not in (None, "strict", "transitional"):
            raise NotDirect("an odd conformance")
        self.epoch = WINDOWS_EPOCH
        self.sheets: list[tuple[str, str]] = []  # (name, relationship id)
        self.names: dict[str, str | None] = {}
        for child in root:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag not in _WORKBOOK_CHILDREN:
                # openpyxl knows a part by its local name, whatever its namespace, and passes
                # over one it does not know (Excel's mc:AlternateContent, xr:revisionPtr).
                if tag.rpartition("}")[2] in _WORKBOOK_PARTS:
                    raise NotDirect(f"the workbook holds {tag}")
                continue
            if tag == DEFINED_NAMES:  # hundreds of names: checked here, as openpyxl would
                self.names = {}  # of two lists, openpyxl keeps the last
                for dn in child:
                    if dn.tag != DEFINED_NAME:
                        if isinstance(dn.tag, str):
                            raise NotDirect("an odd list of names")
                        continue
                    self._defined_name(dn)
                continue
            # The few small parts: read by openpyxl's own classes, which refuse what it refuses.
            local = tag.rpartition("}")[2]
            part = getattr(WorkbookPackage, local)  # as Serialisable.from_tree reads a part
            try:
                if hasattr(part, "from_tree"):
                    value = part.from_tree(child)
                else:
                    value = part.expected_type.from_tree(child)
            except Exception:  # noqa: BLE001 - openpyxl would not open the file
                raise NotDirect(f"a {local} openpyxl would refuse") from None
            if tag == WORKBOOK_PR:
                self.epoch = CALENDAR_MAC_1904 if value.date1904 else WINDOWS_EPOCH
            elif tag == SHEETS:
                # openpyxl passes over a sheet with no relationship id (with a warning)
                self.sheets = [(sheet.name, sheet.id) for sheet in value if sheet.id]

    def _defined_name(self, dn: etree._Element) -> None:
        attrib = dn.attrib
        if len(attrib) == 1 and not len(dn):  # a name and its text, as XlsxWriter writes it
            name = attrib.get("name")
            if name is not None:
                if name not in _SKIPPED_NAMES:
                    self.names[name] = dn.text or None
                return
        attrs = {k: v for k, v in attrib.items() if not k.startswith("{")}
        if set(attrs) - _DEFINED_NAME_ATTRIBUTES or "name" not in attrs:
            raise NotDirect("a defined name openpyxl would refuse")
        for key in _INTEGER_NAME_ATTRIBUTES:
            if key in attrs:
                try:
                    int(attrs[key])
                except ValueError:
                    raise NotDirect("a defined name openpyxl would refuse") from None
        if len(dn):
            raise NotDirect("a defined name with parts")
        if "localSheetId" in attrs:
            return  # a sheet's own name: the reader uses only the workbook's
        name = attrs["name"]
        if name in _SKIPPED_NAMES:
            return
        self.names[name] = dn.text or None  # the last of two with one name, as openpyxl

    def _read_relationships(self) -> None:
        root = parse_as_openpyxl(self._part("xl/_rels/workbook.xml.rels"))
        rels: dict[str, tuple[str, str]] = {}
        for rel in root:
            if rel.tag != _q("Relationship", PKG_REL):
                raise NotDirect("an odd relationship list")
            rid, kind, target = rel.get("Id"), rel.get("Type"), rel.get("Target")
            if rid is None or kind is None or target is None:
                raise NotDirect("a relationship openpyxl would refuse")
            if rel.get("TargetMode") != "External":
                target = (
                    target[1:]
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target))
                )
            rels[rid] = (kind, target)
        self._rels = rels

    def _relationships(self) -> None:
        """Each sheet's part, as openpyxl finds it (a sheet whose part is missing is passed
        over)."""
        rels = self._rels
        self.sheet_parts: dict[str, str] = {}
        self.sheetnames: list[str] = []
        for name, rid in self.sheets:
            if rid not in rels:
                raise NotDirect("a sheet with no part")
            kind, target = rels[rid]
            if target not in self.parts:
                continue  # openpyxl passes over a sheet whose part is missing
            if kind != _WORKSHEET_REL:
                raise NotDirect("a chart sheet or other kind of sheet")
            self.sheetnames.append(name)
            self.sheet_parts.setdefault(name, target)  # of two of one name, the first

    def _styles(self) -> None:
        """Which cell styles show dates, times and percentages, as openpyxl works them out
        (openpyxl.styles.stylesheet.Stylesheet._normalise_numbers)."""
        root = parse_as_openpyxl(self._part("xl/styles.xml"))
        custom: dict[int, str] = {}
        xfs: list[int] = []
        for child in root:
            if not isinstance(child.tag, str):
                continue
            local = child.tag.rpartition("}")[2]
            if local in ("numFmts", "cellXfs") and child.tag != _q(local):
                raise NotDirect("styles in another namespace")
            if child.tag == _q("numFmts"):
                custom = {}
                for fmt in child:
                    if fmt.tag != _q("numFmt"):
                        raise NotDirect("an odd number format list")
                    fid, code = fmt.get("numFmtId"), fmt.get("formatCode")
                    if fid is None or code is None or not _DIGITS.fullmatch(fid):
                        raise NotDirect("a number format openpyxl would refuse")
                    custom[int(fid)] = code
            elif child.tag == _q("cellXfs"):
                xfs = []
                for xf in child:
                    if xf.tag != _q("xf"):
                        raise NotDirect("an odd list of cell styles")
                    fid = xf.get("numFmtId", "0")
                    if not _DIGITS.fullmatch(fid):
                        raise NotDirect("a cell style openpyxl would refuse")
                    xfs.append(int(fid))
        if not xfs:
            raise NotDirect("no cell styles")
        self.number_formats: list[str] = []  # openpyxl's wb._number_formats, in its order
        self.format_ids: list[int] = []  # each style's numFmtId after openpyxl renumbers it
        self.date_formats: set[int] = set()
        self.timedelta_formats: set[int] = set()
        for idx, fid in enumerate(xfs):
            if fid in custom:
                code = custom[fid]
                if code in BUILTIN_FORMATS_REVERSE:
                    fid = BUILTIN_FORMATS_REVERSE[code]
                else:
                    if code not in self.number_formats:
                        self.number_formats.append(code)
                    fid = self.number_formats.index(code) + BUILTIN_FORMATS_MAX_SIZE
            else:
                code = BUILTIN_FORMATS.get(fid)
            self.format_ids.append(fid)
            if is_date_format(code):
                self.date_formats.add(idx)
            if is_timedelta_format(code):
                self.timedelta_formats.add(idx)

    def number_format(self, style_id: int) -> str | None:
        """The number format of a cell style, looked up as the reader did in openpyxl."""
        fid = self.format_ids[style_id]
        return BUILTIN_FORMATS.get(fid) or self.number_formats[fid - BUILTIN_FORMATS_MAX_SIZE]

    def _properties(self) -> None:
        root = parse_as_openpyxl(self._part("docProps/core.xml"))
        _only(root, ())
        by: str | None = None
        modified: str | None = None
        for child in root:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            local = tag.rpartition("}")[2]
            if local == "lastModifiedBy":
                by = child.text
            elif local in ("created", "modified", "lastPrinted"):
                try:  # openpyxl refuses the whole file for a time it cannot read
                    from_ISO8601(child.text)
                except (ValueError, TypeError):
                    raise NotDirect("an odd time") from None
                if local == "modified":
                    modified = child.text
        self.last_modified_by = by
        when = from_ISO8601(modified) if modified else None
        if not isinstance(when, dt.datetime):
            raise NotDirect("no time of saving")  # openpyxl would put today's date here
        self.modified = when

    def _custom_properties(self) -> None:
        self.custom: list[tuple[str | None, Any]] = []
        data = self.parts.get("docProps/custom.xml")
        if data is None:
            return
        root = parse_as_openpyxl(data)
        _only(root, ())
        for prop in root:
            if not isinstance(prop.tag, str):
                continue
            if prop.tag != _q("property", CUSTOM):
                raise NotDirect("an odd custom property list")
            attrs = {k: v for k, v in prop.attrib.items() if not k.startswith("{")}
            if (
                set(attrs) - {"fmtid", "pid", "name"}
                or not _DIGITS.fullmatch(attrs.get("pid", "0"))
                or attrs.get("name") is None
            ):
                raise NotDirect("a custom property openpyxl would refuse")
            values = [c for c in prop if isinstance(c.tag, str)]
            if len(values) != 1 or values[0].tag != _q("lpwstr", VTYPES) or len(values[0]):
                raise NotDirect("a custom property that is not plain text")
            self.custom.append((attrs.get("name"), values[0].text))

    # -- cells --------------------------------------------------------------------------------

    def read_cells(
        self,
        sheet: str,
        wanted: Wanted,
        protection: bool,
        tick: Callable[[int], None],
    ) -> tuple[dict[str, Any], dict[str, int], bool | None]:
        """The values (and style ids) of the cells asked for, and whether the sheet is still
        protected (if asked). Rows are counted, and stopped at, as the openpyxl way does."""
        root = parse(self._part(self.sheet_parts[sheet]))
        for el in root.iter(DIMENSION, DATA):  # openpyxl reads it as it opens the workbook
            if el.tag == DIMENSION and not _plain_dimension(el):
                try:
                    SheetDimension.from_tree(el).boundaries  # noqa: B018 - may raise
                except Exception:  # noqa: BLE001 - what openpyxl says of it is kept
                    raise NotDirect("an odd sheet size") from None
            break
        # Cells are found by their reference ("C12"), which is where openpyxl puts them (the
        # row's number, the reference's column) when each reference is plain and in its own
        # row: any other row or cell, and the file is read by openpyxl.
        by_ref, rows_needed, last_row = wanted.by_ref, wanted.rows, wanted.last_row
        got: dict[str, Any] = {}
        styles: dict[str, int] = {}
        value_of, strings, style_ids = self._value, self.shared_strings, _STYLE_IDS
        for row in root.iter(ROW):
            rs = row.get("r")
            if rs is None or not _ROW_NUMBER.fullmatch(rs):
                raise NotDirect("a row without a plain number")
            number = int(rs)
            tick(len(row))
            if number not in rows_needed:
                if number > last_row and not protection:
                    break
                continue
            width = -len(rs)
            for c in row:
                ref = c.get("r")
                hit = by_ref.get(ref)
                if hit is None:
                    if ref is None or ref[width:] != rs or ref[:width] not in _COLUMN_LETTERS:
                        raise NotDirect("a cell out of its row, or without its place")
                    continue
                if hit[0] != number:
                    raise NotDirect("a cell out of its row")
                key = hit[1]
                # Most cells: a shared string or nothing, with a plain style.
                sid = style_ids.get(c.get("s", "0"))
                if sid is not None:
                    kind = c.get("t")
                    if kind == "s":
                        if len(c) == 1:
                            child = c[0]
                            text = child.text
                            if child.tag == VALUE and text is not None and text.isdigit():
                                try:
                                    got[key] = strings[int(text)]
                                    styles[key] = sid
                                    continue
                                except IndexError:
                                    pass
                    elif kind is None and not len(c):
                        got[key] = None
                        styles[key] = sid
                        continue
                got[key], styles[key] = value_of(c)
        protected = None
        if protection:
            found = None
            for found in root.iter(PROTECTION):  # noqa: B007 - the last one counts
                pass
            protected = _protected(found) if found is not None else False
        return got, styles, protected

    def _value(self, c: etree._Element) -> tuple[Any, int]:
        """One cell's value as openpyxl's WorkSheetParser.parse_cell gives it (formulas as
        text starting "=")."""
        data_type = c.get("t", "n")
        style: Any = c.get("s", 0)
        if style:
            if not _DIGITS.fullmatch(style):
                raise NotDirect("an odd style")
            style = int(style)
        elif style == "":
            raise NotDirect("an empty style")
        if len(c) == 1 and c[0].tag == VALUE:  # most cells: a value and nothing else
            value = c[0].text or None
        else:
            formula = c.find(FORMULA)
            if formula is not None:
                if formula.get("t") in ("shared", "dataTable"):
                    raise NotDirect("a shared or data-table formula")
                return "=" + (formula.text or ""), style  # an array formula too, as its text
            if data_type == "inlineStr":
                child = c.find(INLINE)
                return (text_content(child) if child is not None else None), style
            value = c.findtext(VALUE) or None
        if value is None:
            return None, style
        try:
            if data_type == "s":
                value = self.shared_strings[int(value)]
            elif data_type == "n":
                number = "." in value or "E" in value or "e" in value
                value = float(value) if number else int(value)
                if style in self.date_formats:
                    try:
                        value = from_excel(
                            value, self.epoch, timedelta=style in self.timedelta_formats
                        )
                    except (OverflowError, ValueError):
                        value = "#VALUE!"  # as openpyxl: a date out of range is an error
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "d":
                value = from_ISO8601(value)
            elif data_type == "inlineStr":
                value = None  # openpyxl reads an inline string only from its <is>
        except (ValueError, IndexError, TypeError) as exc:
            raise NotDirect(str(exc)) from None
        return value, style


class Wanted:
    """The cells to read from one sheet: key by (row, column) and by reference."""

    __slots__ = ("by_rc", "by_ref", "rows", "last_row")

    def __init__(self, by_rc: dict[tuple[int, int], str]):
        self.by_rc = by_rc
        self.by_ref = {f"{get_column_letter(c)}{r}": (r, key) for (r, c), key in by_rc.items()}
        self.rows = {r for r, _ in by_rc}
        self.last_row = max(self.rows) if self.rows else 0


# Workbook names openpyxl does not keep among the workbook's own (it reads them as settings).
_SKIPPED_NAMES = frozenset({"_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase"})
_SI_ATTRIBUTES = etree.XPath("boolean(//m:si[@*])", namespaces={"m": MAIN})
_ROW_NUMBER = re.compile(r"[1-9][0-9]*")
# Every column as a writer writes it (A to XFD, and beyond to ZZZ), and style ids as written.
_COLUMN_LETTERS = frozenset(get_column_letter(i) for i in range(1, 18279))
_STYLE_IDS = {str(i): i for i in range(4096)}


def _plain_letters(text: str) -> bool:
    """One to three capital letters A to Z: a column as every writer writes it."""
    return 0 < len(text) <= 3 and text.isascii() and text.isalpha() and text.isupper()


_RANGE = re.compile(r"[A-Z]{1,3}[1-9][0-9]*(:[A-Z]{1,3}[1-9][0-9]*)?")


def _plain_dimension(el: etree._Element) -> bool:
    """A sheet's size as writers write it (<dimension ref="A1:L144"/>): openpyxl reads it."""
    attrib = el.attrib
    return len(attrib) == 1 and _RANGE.fullmatch(attrib.get("ref", "")) is not None


_PROTECTION_SWITCHES = frozenset(
    a for a in SheetProtection.__attrs__ if isinstance(getattr(SheetProtection, a, None), Bool)
)
_BASE64 = re.compile(Base64Binary.pattern)  # what openpyxl takes for a hash or a salt


def _protected(el: etree._Element) -> bool:
    """Whether <sheetProtection> protects the sheet, as openpyxl reads it: its `sheet` switch,
    or any password (openpyxl's SheetProtection turns protection on with a password)."""
    attrib = {k: v for k, v in el.attrib.items() if not k.startswith("{")}
    plain = all(
        key in _PROTECTION_SWITCHES
        or key in ("password", "algorithmName")
        or (key == "spinCount" and _DIGITS.fullmatch(value))
        or (key in ("hashValue", "saltValue") and _BASE64.match(value))
        for key, value in attrib.items()
    )
    if not plain:  # what openpyxl makes of it, or NotDirect for what it refuses
        try:
            return bool(SheetProtection.from_tree(el).sheet)
        except Exception:  # noqa: BLE001 - what openpyxl says of it is kept
            raise NotDirect("an odd sheet protection") from None
    if "password" in attrib:
        return True
    switch = attrib.get("sheet")
    return switch is not None and switch not in ("false", "f", "0") and bool(switch)


def _only(el: etree._Element, allowed: tuple[str, ...]) -> None:
    """openpyxl refuses a part whose top element has an attribute it does not know."""
    if any(not k.startswith("{") and k not in allowed for k in el.attrib):
        raise NotDirect(f"an odd attribute on {el.tag}")


def read_parts(zf) -> tuple[dict[str, bytes], str | None]:
    """Every part decompressed once and its check sum tested, as zipfile's testzip does (it
    reads each name's last part, and stops at the first damaged one, naming it)."""
    import zipfile

    parts: dict[str, bytes] = {}
    for info in zf.infolist():
        name = info.filename
        if name in parts:
            continue
        try:
            parts[name] = zf.read(name)
        except zipfile.BadZipFile:
            return parts, name
    return parts, None
