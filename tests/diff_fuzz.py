"""A differential fuzzer: the direct reader (collate.intake.package) against openpyxl's.

Each case takes a sample return, applies one to three seeded mutations to the XML parts the
reader looks at, repacks it, reads it with reader.DIRECT False and then True, and compares the
two ReturnRecords (which must be equal: see collate.intake.package). Mutations aim mostly at the
cells the reader asks for (answers, explanations, identity), found from the workbook's names.

    .venv/bin/python tests/diff_fuzz.py [N] [SEED]

prints every discrepancy, each minimised to the single mutations that still show it.
"""

from __future__ import annotations

import dataclasses
import io
import random
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_returns"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
XML_PARTS = (
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "xl/styles.xml",
    "xl/sharedStrings.xml",
    "docProps/core.xml",
    "docProps/custom.xml",
    "docProps/app.xml",
)


# -- the samples ------------------------------------------------------------------------------


_BASES: dict[str, dict[str, bytes]] = {}


def bases() -> dict[str, dict[str, bytes]]:
    if not _BASES:
        for path in sorted(SAMPLES.glob("*.xlsx")):
            with zipfile.ZipFile(path) as z:
                _BASES[path.name] = {i.filename: z.read(i) for i in z.infolist()}
    return _BASES


def pack(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


_NAME = re.compile(
    rb"<definedName\b([^>]*)>(?:\'((?:[^\']|\'\')+)\'|([A-Za-z0-9_]+))!\$?([A-Z]{1,3})\$?([0-9]+)"
    rb"</definedName>"
)
_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL2 = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name (as written, XML-escaped) to part, from the unmutated workbook."""
    rels = parts["xl/_rels/workbook.xml.rels"]
    targets = {m.group(1): m.group(2) for m in _REL.finditer(rels)}
    targets.update({m.group(2): m.group(1) for m in _REL2.finditer(rels)})
    out = {}
    for m in _SHEET.finditer(parts["xl/workbook.xml"]):
        target = targets[m.group(2)].decode()
        target = target[1:] if target.startswith("/") else "xl/" + target
        out[m.group(1).decode()] = target
    return out


def targets(parts: dict[str, bytes]) -> list[tuple[str, str, str]]:
    """(defined name, sheet part, cell) for every single-cell name: the cells the reader reads."""
    sheets = sheet_parts(parts)
    found = []
    for m in _NAME.finditer(parts["xl/workbook.xml"]):
        attrs = m.group(1)
        if b"localSheetId" in attrs:
            continue
        name = re.search(rb'name="([^"]*)"', attrs).group(1).decode()
        sheet = (m.group(2) or m.group(3)).decode().replace("''", "'").replace("&apos;", "'")
        sheet = sheet.replace("&amp;", "&")
        part = sheets.get(sheet)
        if part is None:
            continue
        found.append((name, part, f"{m.group(4).decode()}{m.group(5).decode()}"))
    return found


_TARGETS: dict[str, list] = {}


def cell_pattern(ref: str) -> re.Pattern:
    return re.compile(rb'<c r="' + ref.encode() + rb'"(?=[ />])[^>]*?(?:/>|>.*?</c>)', re.S)


# -- mutations ------------------------------------------------------------------------------
# Each takes (parts, rng, targets) and changes parts in place, returning what it did (or None
# when it does not apply).

Mutation = Callable[[dict, random.Random, list], str | None]
MUTATIONS: list[tuple[str, Mutation]] = []


def mutation(fn: Mutation) -> Mutation:
    MUTATIONS.append((fn.__name__, fn))
    return fn


CELL_TEMPLATES = [
    '<c r="{r}"{s}><v>{v}</v></c>',
    '<c r="{r}"{s} t="n"><v>{v}</v></c>',
    '<c r="{r}"{s} t="inlineStr"><is><t>{v}</t></is></c>',
    '<c r="{r}"{s} t="inlineStr"><is><t xml:space="preserve"> {v} </t></is></c>',
    '<c r="{r}"{s} t="inlineStr"><is><r><rPr><b/></rPr><t>1</t></r><r><t>{v}</t></r></is></c>',
    '<c r="{r}"{s} t="inlineStr"><is><t>{v}</t><rPh sb="0" eb="1"><t>x</t></rPh></is></c>',
    '<c r="{r}"{s} t="inlineStr"><is><t>a</t><t>b</t></is></c>',
    '<c r="{r}"{s} t="inlineStr"><v>{v}</v></c>',
    '<c r="{r}"{s} t="inlineStr"></c>',
    '<c r="{r}"{s} t="inlineStr"><is/></c>',
    '<c r="{r}"{s} t="str"><v>{v}</v></c>',
    '<c r="{r}"{s} t="str"><f>1+1</f><v>2</v></c>',
    '<c r="{r}"{s}><f>SUM(A1:A2)</f><v>{v}</v></c>',
    '<c r="{r}"{s}><f>A1&amp;"x"</f></c>',
    '<c r="{r}"{s}><f/><v>{v}</v></c>',
    '<c r="{r}"{s}><f></f></c>',
    '<c r="{r}"{s}><f t="normal">1+1</f><v>2</v></c>',
    '<c r="{r}"{s}><f t="array" ref="{r}">1+1</f><v>2</v></c>',
    '<c r="{r}"{s}><f t="shared" si="0"/><v>2</v></c>',
    '<c r="{r}"{s}><f t="shared" ref="{r}" si="0">1+1</f><v>2</v></c>',
    '<c r="{r}"{s}><f aca="1">1+1</f><v>2</v></c>',
    '<c r="{r}"{s}><v>{v}</v><f>1+1</f></c>',
    '<c r="{r}"{s} t="b"><v>1</v></c>',
    '<c r="{r}"{s} t="b"><v>0</v></c>',
    '<c r="{r}"{s} t="b"><v>true</v></c>',
    '<c r="{r}"{s} t="b"><v>2</v></c>',
    '<c r="{r}"{s} t="e"><v>#N/A</v></c>',
    '<c r="{r}"{s} t="e"><v>#DIV/0!</v></c>',
    '<c r="{r}"{s} t="d"><v>2024-01-02T00:00:00</v></c>',
    '<c r="{r}"{s} t="d"><v>2024-01-02</v></c>',
    '<c r="{r}"{s} t="d"><v>12:30:00</v></c>',
    '<c r="{r}"{s} t="d"><v>nonsense</v></c>',
    '<c r="{r}"{s} t="s"><v>{sv}</v></c>',
    '<c r="{r}"{s} t="s"><v> {sv}</v></c>',
    '<c r="{r}"{s} t="s"><v>0{sv}</v></c>',
    '<c r="{r}"{s} t="s"><v>{sv}.0</v></c>',
    '<c r="{r}"{s} t="s"><v>-1</v></c>',
    '<c r="{r}"{s} t="s"><v>99999</v></c>',
    '<c r="{r}"{s} t="s"><v></v></c>',
    '<c r="{r}"{s} t="s"/>',
    '<c r="{r}"{s} t="s"><v>&#{svo};</v></c>',
    '<c r="{r}"{s} t="s"><v>٣</v></c>',
    '<c r="{r}"{s} t="s"><is><t>x</t></is></c>',
    '<c r="{r}"{s} t="xyz"><v>{v}</v></c>',
    '<c r="{r}"{s} t=""><v>{v}</v></c>',
    '<c r="{r}"{s} t="n"/>',
    '<c r="{r}"{s} t="e"/>',
    '<c r="{r}"{s}><v>{v}</v><v>7</v></c>',
    '<c r="{r}"{s}><is><t>x</t></is><v>{v}</v></c>',
    '<c r="{r}"{s}/>',
    '<c r="{r}"{s}></c>',
    '<c r="{r}"{s}><v/></c>',
    '<c r="{r}"{s}><v>{v}<!-- a comment -->0</v></c>',
    '<c r="{r}"{s}><!-- a comment --><v>{v}</v></c>',
    '<c r="{r}"{s}><?pi x?><v>{v}</v></c>',
    '<c r="{r}"{s}>\n  <v>{v}</v>\n</c>',
    '<c r="{r}"{s}><v><![CDATA[{v}]]></v></c>',
    '<c r="{r}"{s}><v>&#{vo};</v></c>',
    '<c r="{r}"{s}><v>\n{v}\r\n</v></c>',
    '<c r="{r}"{s} t="inlineStr"><is><t>a\r\nb&#13;c</t></is></c>',
    '<c r="{r}"{s} t="inlineStr"><is><t>x005F_x0041_ _x000D_ &amp; &lt;</t></is></c>',
    '<c r="{r}"{s} t="inlineStr"><is><t><![CDATA[<b>&amp;</b>]]></t></is></c>',
    '<c xmlns:q="urn:q" q:foo="1" r="{r}"{s}><v>{v}</v></c>',
    '<c foo="1" r="{r}"{s}><v>{v}</v></c>',
    '<c{s} r="{r}" cm="1" vm="1" ph="1"><v>{v}</v></c>',
    '<x:c xmlns:x="' + MAIN + '" r="{r}"{s}><x:v>{v}</x:v></x:c>',
    '<c r="{r}"{s}><x:v xmlns:x="' + MAIN + '">{v}</x:v></c>',
    '<c r="{r}"{s}><v xmlns="urn:other">{v}</v></c>',
    '<c xmlns="urn:other" r="{r}"{s}><v>{v}</v></c>',
    '<c r="{r}"{s} xmlns:m="' + MAIN + '" m:t="s"><v>{v}</v></c>',
    '<c r="{r}"{s}><extLst/><v>{v}</v></c>',
    '<c r="{rl}"{s}><v>{v}</v></c>',
    '<c r="{rd}"{s}><v>{v}</v></c>',
    '<c r="{r} "{s}><v>{v}</v></c>',
    "<c{s}><v>{v}</v></c>",
    '<c r="{r}"{s}><v>{v}</v></c><c r="{r}"{s}><v>8</v></c>',
    '<c r="{r}" s="{bad_s}"><v>{v}</v></c>',
    '<c r="{r}" s="{bad_s}" t="s"><v>{sv}</v></c>',
    '<c r="{r}" s="{bad_s}"/>',
]
VALUES = [
    "12",
    "0",
    "-3",
    "1e3",
    "1E3",
    "1.5e1",
    " 5 ",
    "5 ",
    "٣",
    "١٢",
    "1e400",
    "-1e400",
    "123456789012345678901234567890",
    "0.1",
    ".5",
    "5.",
    "+5",
    "-0",
    "inf",
    "nan",
    "NaN",
    "0x10",
    "1_000",
    "1,000",
    "",
    "abc",
    "&amp;",
    "&#65;",
    "45000",
    "45000.5",
    "2958466",
    "-1",
    "1e-400",
    "00012",
    "12 ",
    "\t12",
    "12\n",
]
BAD_STYLES = ["999", "", "-1", " 1", "01", "1.0", "0", "1", "2", "abc", "4095", "4096", "+1"]


def _style_of(cell: bytes) -> str:
    m = re.search(rb' s="([^"]*)"', cell)
    return f' s="{m.group(1).decode()}"' if m else ""


@mutation
def cell(parts, rng, targets):
    """Rewrite a cell the reader asks for."""
    name, part, ref = rng.choice(targets)
    xml = parts[part]
    pat = cell_pattern(ref)
    m = pat.search(xml)
    if m is None:
        return None
    template = rng.choice(CELL_TEMPLATES)
    n_strings = max(1, parts.get("xl/sharedStrings.xml", b"").count(b"<si"))
    sv = str(rng.randrange(n_strings))
    v = rng.choice(VALUES)
    col, row = re.fullmatch(r"([A-Z]+)([0-9]+)", ref).groups()
    new = template.format(
        r=ref,
        s=_style_of(m.group(0)) if rng.random() < 0.8 else "",
        v=v,
        vo=ord(v[0]) if v else 53,
        sv=sv,
        svo=ord(sv[0]),
        rl=ref.lower(),
        rd=rng.choice([f"${ref}", f"{col}${row}", f"${col}${row}"]),
        bad_s=rng.choice(BAD_STYLES),
    ).encode()
    parts[part] = xml[: m.start()] + new + xml[m.end() :]
    return f"{part} {name} {ref}: {new.decode()}"


def _row_of(xml: bytes, ref: str) -> re.Match | None:
    row = re.fullmatch(r"[A-Z]+([0-9]+)", ref).group(1)
    return re.search(rb'<row r="' + row.encode() + rb'"[^>]*?(?:/>|>.*?</row>)', xml, re.S)


@mutation
def row(parts, rng, targets):
    """Rewrite the row of a cell the reader asks for."""
    name, part, ref = rng.choice(targets)
    xml = parts[part]
    m = _row_of(xml, ref)
    if m is None:
        return None
    old = m.group(0)
    number = re.fullmatch(r"[A-Z]+([0-9]+)", ref).group(1)
    choice = rng.randrange(12)
    if choice == 0:
        new = re.sub(rb' r="[0-9]+"', b"", old, count=1)  # a row without r
    elif choice == 1:
        new = old + old  # the row twice
    elif choice == 2:
        new = re.sub(
            rb' r="[0-9]+"',
            f' r="{rng.choice([" ", "0", "+", ""])}{number}"'.encode(),
            old,
            count=1,
        )
    elif choice == 3:  # a row with one number holding a cell of another
        other = str(int(number) + rng.choice([-1, 1, 1000]))
        new = re.sub(rb' r="[0-9]+"', f' r="{other}"'.encode(), old, count=1)
    elif choice == 4:  # the cell moved to the previous row
        c = cell_pattern(ref).search(old)
        if c is None:
            return None
        new = old.replace(c.group(0), b"")
        prev = xml.rfind(b"</row>", 0, m.start())
        if prev < 0:
            return None
        xml = xml[:prev] + c.group(0) + xml[prev:]
        m = _row_of(xml, ref)
    elif choice == 5:  # cells without r in the row
        new = re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", old)
    elif choice == 6:
        new = old.replace(b"<row ", b'<row xmlns:q="urn:q" q:x="1" spans="1:7" ', 1)
    elif choice == 7:
        new = old.replace(b"<c ", b"<!-- c --> \n<c ", 2)
    elif choice == 8:  # cells in reverse order
        cells = re.findall(rb"<c\b[^>]*?(?:/>|>.*?</c>)", old, re.S)
        head = old[: old.find(b">") + 1]
        new = head + b"".join(reversed(cells)) + b"</row>" if not old.endswith(b"/>") else old
    elif choice == 9:  # a prefixed row
        new = re.sub(rb"^<row", b'<x:row xmlns:x="' + MAIN.encode() + b'"', old)
        new = new[: -len(b"</row>")] + b"</x:row>" if new.endswith(b"</row>") else new
    elif choice == 10:  # an empty row of the same number before it
        new = f'<row r="{number}"/>'.encode() + old
    else:  # an empty row of the same number after it
        new = old + f'<row r="{number}"><c r="{ref}"><v>99</v></c></row>'.encode()
    parts[part] = xml[: m.start()] + new + xml[m.end() :]
    return f"{part} row {number} ({choice}): {new[:300].decode(errors='replace')}"


PROTECTIONS = [
    "",
    "<sheetProtection/>",
    '<sheetProtection sheet="1"/>',
    '<sheetProtection sheet="0"/>',
    '<sheetProtection sheet="true"/>',
    '<sheetProtection sheet="TRUE"/>',
    '<sheetProtection sheet="false"/>',
    '<sheetProtection sheet=""/>',
    '<sheetProtection sheet="yes"/>',
    '<sheetProtection sheet="2"/>',
    '<sheetProtection sheet=" 1"/>',
    '<sheetProtection password="ABCD"/>',
    '<sheetProtection password=""/>',
    '<sheetProtection sheet="0" password="ABCD"/>',
    '<sheetProtection sheet="1" foo="1"/>',
    '<sheetProtection xmlns:q="urn:q" q:sheet="1"/>',
    '<sheetProtection sheet="1" spinCount="x"/>',
    '<sheetProtection sheet="1" spinCount="-1"/>',
    '<sheetProtection sheet="1" hashValue="!!!"/>',
    '<sheetProtection sheet="1" algorithmName="SHA-512" hashValue="YWJj" saltValue="YWJj"'
    ' spinCount="100000"/>',
    '<sheetProtection sheet="1"/><sheetProtection sheet="0"/>',
    '<sheetProtection sheet="0"/><sheetProtection sheet="1"/>',
    '<x:sheetProtection xmlns:x="' + MAIN + '" sheet="1"/>',
    '<sheetProtection xmlns="urn:other" sheet="1"/>',
    '<sheetProtection sheet="1" objects="maybe"/>',
    '<sheetProtection sheet="1" password="ABCD" algorithmName="SHA-512"/>',
]


@mutation
def protection(parts, rng, targets):
    """Change a sheet's protection."""
    _, part, _ = rng.choice(targets)
    xml = parts[part]
    new = rng.choice(PROTECTIONS).encode()
    m = re.search(rb"<sheetProtection\b[^>]*?/>", xml)
    if m is not None:
        xml = xml[: m.start()] + new + xml[m.end() :]
    else:
        xml = xml.replace(b"</sheetData>", b"</sheetData>" + new, 1)
    parts[part] = xml
    return f"{part}: {new.decode() or 'no protection'}"


DIMENSIONS = [
    '<dimension ref="A1"/>',
    '<dimension ref="a1:z9"/>',
    '<dimension ref=""/>',
    '<dimension ref="A1:XFD1048576"/>',
    "<dimension/>",
    '<dimension ref="A0:B2"/>',
    '<dimension ref="$A$1:$B$2"/>',
    '<dimension ref="A1:B2" foo="1"/>',
    "",
    '<dimension ref="A1:B2"/><dimension ref="A1:C3"/>',
    '<dimension ref="ZZZZ1"/>',
]


@mutation
def dimension(parts, rng, targets):
    _, part, _ = rng.choice(targets)
    new = rng.choice(DIMENSIONS).encode()
    xml = parts[part]
    parts[part] = re.sub(rb"<dimension\b[^>]*?/>", lambda m: new, xml, count=1)
    return f"{part}: {new.decode() or 'no dimension'}"


NAME_TEXTS = [
    "{q}!${c}${r}",
    "{q}!{c}{r}",
    "{q}!${c}{r}",
    "{q}!{c}{r}:{c}{r}",
    "{q}!${c}${r}:${c}${r}",
    " {q}!${c}${r}",
    "{q}!${c}${r} ",
    "{qq}!${c}${r}",
    "{ql}!${c}${r}",
    "{q}!${cl}${r}",
    "{q}!${c}${r},{q}!${c}${r}",
    "({q}!${c}${r})",
    "={q}!${c}${r}",
    "{q}!$A$1",
    "{q}!${c}$0",
    "#REF!",
    "",
    "{q}!R{r}C1",
    "[1]{q}!${c}${r}",
    '{q}!${c}${r}&amp;""',
    "{q} !${c}${r}",
    "{q}!${c}$0{r}",
    "{q}!XFE1",
    "{q}!{c}:{c}",
    "{q}!{r}:{r}",
    "1",
    "&#39;x&#39;!A1",
    "{q}&#33;${c}${r}",
    "{q}!\n${c}${r}",
]


def _sheet_quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


@mutation
def defined_name(parts, rng, targets):
    """Change, duplicate or re-dress a defined name the reader uses."""
    name, part, ref = rng.choice(targets)
    xml = parts["xl/workbook.xml"]
    m = re.search(
        rb'<definedName\b(?![^>]*localSheetId)[^>]*?name="'
        + re.escape(name.encode())
        + rb'"[^>]*>([^<]*)</definedName>',
        xml,
    )
    if m is None:
        return None
    old, text = m.group(0), m.group(1).decode()
    sheet_raw = text.rsplit("!", 1)[0]
    sheet = sheet_raw.strip("'").replace("''", "'").replace("&apos;", "'")
    col, r = re.fullmatch(r"([A-Z]+)([0-9]+)", ref).groups()
    simple = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet) is not None
    fill = dict(
        q=sheet_raw,
        c=col,
        r=r,
        cl=col.lower(),
        ql=sheet_raw.lower(),
        qq=_sheet_quoted(sheet) if simple else sheet_raw.replace("'", "&apos;"),
    )
    choice = rng.randrange(10)
    attrs = f'name="{name}"'
    if choice <= 2:
        new_text = rng.choice(NAME_TEXTS).format(**fill)
        new = f"<definedName {attrs}>{new_text}</definedName>"
    elif choice == 3:  # a second with the same name, later
        new = old.decode() + f"<definedName {attrs}>{_sheet_quoted(sheet)}!$A$1</definedName>"
    elif choice == 4:  # a second with the same name, earlier
        new = f"<definedName {attrs}>{_sheet_quoted(sheet)}!$A$1</definedName>" + old.decode()
    elif choice == 5:  # a sheet's own name of the same name
        lid = rng.choice(["0", "1", "99", "x", "-1", ""])
        extra = (
            f'<definedName localSheetId="{lid}" {attrs}>{_sheet_quoted(sheet)}!$A$1</definedName>'
        )
        new = rng.choice([old.decode() + extra, extra + old.decode(), extra])
    elif choice == 6:  # extra attributes
        extra = rng.choice(
            [
                'hidden="1"',
                'comment="x"',
                'foo="1"',
                'xmlns:q="urn:q" q:foo="1"',
                'function="false" vbProcedure="false"',
                'functionGroupId="x"',
                'localSheetId=" 1"',
                'hidden="maybe"',
                'xml:space="preserve"',
                'shortcutKey="a"',
                'publishToServer="1"',
            ]
        )
        new = old.decode().replace("<definedName ", f"<definedName {extra} ", 1)
    elif choice == 7:  # prefixed, or in another namespace
        new = rng.choice(
            [
                f'<x:definedName xmlns:x="{MAIN}" {attrs}>{text}</x:definedName>',
                f'<definedName xmlns="urn:other" {attrs}>{text}</definedName>',
                f"<definedName {attrs}><!-- c -->{text}</definedName>",
                f"<definedName {attrs}>{text}<b/></definedName>",
                f"<definedName {attrs}><![CDATA[{text.replace('&apos;', chr(39))}]]></definedName>",
                f"<definedName {attrs}/>",
            ]
        )
    elif choice == 8:  # the name itself
        odd = rng.choice(
            [
                name.lower(),
                name + " ",
                "&#95;" + name[1:] if name[0] == "_" else name,
                name.replace("_", "&#95;"),
                "_xlnm." + name,
            ]
        )
        new = old.decode().replace(f'name="{name}"', f'name="{odd}"', 1)
    else:  # the name removed
        new = ""
    parts["xl/workbook.xml"] = xml[: m.start()] + new.encode() + xml[m.end() :]
    return f"xl/workbook.xml {name}: {new[:300]}"


@mutation
def sheets(parts, rng, targets):
    """The workbook's list of sheets."""
    xml = parts["xl/workbook.xml"]
    entries = list(re.finditer(rb"<sheet\b[^>]*?/>", xml))
    m = rng.choice(entries)
    old = m.group(0).decode()
    choice = rng.randrange(9)
    if choice == 0:
        new = old + old  # the sheet twice
    elif choice == 1:
        new = old.replace("<sheet ", '<sheet foo="1" ', 1)
    elif choice == 2:
        new = old.replace("<sheet ", '<sheet xmlns:q="urn:q" q:foo="1" ', 1)
    elif choice == 3:
        new = re.sub(r'state="[^"]*"', 'state="' + rng.choice(["odd", "", "HIDDEN"]) + '"', old)
        if new == old:
            new = old.replace("<sheet ", '<sheet state="odd" ', 1)
    elif choice == 4:
        new = re.sub(r'sheetId="[^"]*"', 'sheetId="' + rng.choice(["x", "-1", " 1", ""]) + '"', old)
    elif choice == 5:  # attributes reversed
        attrs = re.findall(r'[\w:]+="[^"]*"', old)
        new = "<sheet " + " ".join(reversed(attrs)) + "/>"
    elif choice == 6:
        new = f'<x:sheet xmlns:x="{MAIN}" ' + old[len("<sheet ") :]
    elif choice == 7:
        new = ""
    else:  # a sheet named with entities
        new = re.sub(
            r'name="([^"]*)"',
            lambda n: 'name="' + "".join(f"&#{ord(ch)};" for ch in n.group(1)) + '"',
            old,
        )
    parts["xl/workbook.xml"] = xml[: m.start()] + new.encode() + xml[m.end() :]
    return f"xl/workbook.xml sheet: {new}"


@mutation
def workbook_pr(parts, rng, targets):
    xml = parts["xl/workbook.xml"]
    flag = rng.choice(["true", "1", "TRUE", "True", "yes", "false", "0", "", " 1", "t", "f"])
    new = f'<workbookPr date1904="{flag}"/>'.encode()
    if rng.random() < 0.3:
        new += b'<workbookPr date1904="false"/>'
    if re.search(rb"<workbookPr\b[^>]*?/>", xml):
        xml = re.sub(rb"<workbookPr\b[^>]*?/>", lambda m: new, xml, count=1)
    else:
        xml = xml.replace(b"<bookViews", new + b"<bookViews", 1)
    parts["xl/workbook.xml"] = xml
    return f"xl/workbook.xml: {new.decode()}"


@mutation
def relationships(parts, rng, targets):
    xml = parts["xl/_rels/workbook.xml.rels"]
    rels = list(re.finditer(rb"<Relationship\b[^>]*?/>", xml))
    m = rng.choice(rels)
    old = m.group(0).decode()
    target = re.search(r'Target="([^"]*)"', old).group(1)
    choice = rng.randrange(8)
    if choice == 0:
        new = old.replace(f'Target="{target}"', f'Target="/xl/{target}"')
    elif choice == 1:
        new = old.replace(f'Target="{target}"', f'Target="./{target}"')
    elif choice == 2:
        new = old.replace(f'Target="{target}"', f'Target="../xl/{target}"')
    elif choice == 3:
        new = old.replace("<Relationship ", '<Relationship TargetMode="External" ')
    elif choice == 4:
        new = old + old
    elif choice == 5:
        new = ""
    elif choice == 6:
        attrs = re.findall(r'[\w:]+="[^"]*"', old)
        new = "<Relationship " + " ".join(reversed(attrs)) + "/>"
    else:
        new = old.replace(f'Target="{target}"', f'Target="{target.upper()}"')
    parts["xl/_rels/workbook.xml.rels"] = xml[: m.start()] + new.encode() + xml[m.end() :]
    return f"xl/_rels/workbook.xml.rels: {new}"


@mutation
def content_types(parts, rng, targets):
    xml = parts["[Content_Types].xml"]
    entries = list(re.finditer(rb"<(?:Override|Default)\b[^>]*?/>", xml))
    m = rng.choice(entries)
    old = m.group(0).decode()
    choice = rng.randrange(5)
    if choice == 0:
        new = ""
    elif choice == 1:
        new = old + old
    elif choice == 2:
        attrs = re.findall(r'[\w:]+="[^"]*"', old)
        new = old.split()[0] + " " + " ".join(reversed(attrs)) + "/>"
    elif choice == 3:
        new = old.replace("/xl/", "/XL/")
    else:
        new = old.replace('ContentType="', 'ContentType=" ')
    parts["[Content_Types].xml"] = xml[: m.start()] + new.encode() + xml[m.end() :]
    return f"[Content_Types].xml: {new}"


def _answer_style(parts, targets, rng) -> int | None:
    name, part, ref = rng.choice(targets)
    m = cell_pattern(ref).search(parts[part])
    if m is None:
        return None
    s = re.search(rb' s="([0-9]+)"', m.group(0))
    return int(s.group(1)) if s else 0


FORMATS = [
    (14, None),
    (9, None),
    (10, None),
    (22, None),
    (46, None),
    (49, None),
    (0, None),
    (164, "0%"),
    (164, "yyyy-mm-dd"),
    (164, "[h]:mm:ss"),
    (164, "0.0\\%"),
    (164, '"%"0'),
    (165, "dd/mm/yyyy"),
    (14, "0.00%"),
    (9, "General"),
    (10, "yyyy"),
    (170, "0.00%"),
    (200, "General"),
    (164, "mm:ss"),
    (164, "[Red]0%"),
    (50, None),
    (81, None),
    (163, "0%"),
]


@mutation
def styles(parts, rng, targets):
    """Give the style of a cell the reader asks for another number format."""
    sid = _answer_style(parts, targets, rng)
    if sid is None:
        return None
    xml = parts["xl/styles.xml"]
    cell_xfs = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", xml, re.S)
    xfs = list(re.finditer(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", cell_xfs.group(1), re.S))
    if sid >= len(xfs):
        return None
    fid, code = rng.choice(FORMATS)
    xf = xfs[sid]
    old = xf.group(0)
    choice = rng.randrange(4)
    if choice == 0:
        new = re.sub(rb' numFmtId="[^"]*"', b"", old)
    elif choice == 1:
        new = re.sub(rb' numFmtId="[^"]*"', f' numFmtId="0{fid}"'.encode(), old)
    else:
        new = re.sub(rb' numFmtId="[^"]*"', f' numFmtId="{fid}"'.encode(), old)
        if b"numFmtId" not in old:
            new = old.replace(b"<xf ", f'<xf numFmtId="{fid}" '.encode(), 1)
    start = cell_xfs.start(1) + xf.start()
    xml = xml[:start] + new + xml[cell_xfs.start(1) + xf.end() :]
    if code is not None:
        fmt = f'<numFmt numFmtId="{fid}" formatCode="{code}"/>'.encode()
        if b"<numFmts" in xml:
            if choice == 3:  # at the start of the list, or a second list
                xml = re.sub(rb"(<numFmts\b[^>]*>)", lambda m: m.group(1) + fmt, xml, count=1)
            else:
                xml = xml.replace(b"</numFmts>", fmt + b"</numFmts>", 1)
        else:
            xml = re.sub(
                rb"(<styleSheet\b[^>]*>)",
                lambda m: m.group(1) + b"<numFmts>" + fmt + b"</numFmts>",
                xml,
                count=1,
            )
    parts["xl/styles.xml"] = xml
    return f"xl/styles.xml xf {sid}: {new.decode()} {code or ''}"


@mutation
def styles_shape(parts, rng, targets):
    xml = parts["xl/styles.xml"]
    choice = rng.randrange(6)
    if choice == 0:
        xml = re.sub(rb"<cellXfs\b[^>]*>.*?</cellXfs>", b"", xml, flags=re.S)
        what = "no cellXfs"
    elif choice == 1:  # half the styles gone
        m = re.search(rb"(<cellXfs\b[^>]*>)(.*?)(</cellXfs>)", xml, re.S)
        xfs = re.findall(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", m.group(2), re.S)
        keep = xfs[: rng.randrange(1, max(2, len(xfs)))]
        xml = xml[: m.start()] + m.group(1) + b"".join(keep) + m.group(3) + xml[m.end() :]
        what = f"{len(keep)} cellXfs"
    elif choice == 2:
        xml = xml.replace(b"<cellXfs", b"<!-- x --><cellXfs", 1)
        what = "a comment"
    elif choice == 3:
        xml = re.sub(rb"<numFmts\b[^>]*>.*?</numFmts>", b"", xml, flags=re.S)
        what = "no numFmts"
    elif choice == 4:
        xml = xml.replace(b'formatCode="', b'foo="1" formatCode="', 1)
        what = "numFmt with foo"
    else:
        xml = xml.replace(b"<xf ", b'<xf xfId="x" ', 1)
        what = "xf xfId=x"
    parts["xl/styles.xml"] = xml
    return f"xl/styles.xml: {what}"


SI_FORMS = [
    '<si><r><rPr><b/></rPr><t>{a}</t></r><r><t xml:space="preserve">{b}</t></r></si>',
    "<si><t>{a}</t><r><t>{b}</t></r></si>",
    '<si><t>{a}{b}</t><rPh sb="0" eb="1"><t>ふ</t></rPh><phoneticPr fontId="1"/></si>',
    "<si><t>{a}x005F_x0041_{b}</t></si>",
    "<si><t>{a}_x000D_{b}</t></si>",
    "<si><t>{a}\r\n{b}</t></si>",
    "<si><t>{a}&#13;&#10;{b}</t></si>",
    "<si><t><![CDATA[{a}]]>{b}</t></si>",
    "<si><t>{a}<!-- c -->{b}</t></si>",
    "<si><!-- c --><t>{a}{b}</t></si>",
    "<si>\n  <t>{a}{b}</t>\n</si>",
    '<si foo="1"><t>{a}{b}</t></si>',
    '<si><t foo="1">{a}{b}</t></si>',
    "<si><t/></si>",
    "<si/>",
    "<si><t>{a}</t><t>{b}</t></si>",
    "<si><r><t>{a}</t><t>{b}</t></r></si>",
    "<si><r><t>{a}</t></r><r/></si>",
    '<x:si xmlns:x="' + MAIN + '"><x:t>{a}{b}</x:t></x:si>',
    '<si><x:t xmlns:x="' + MAIN + '">{a}{b}</x:t></si>',
    '<si xmlns="urn:other"><t>{a}{b}</t></si>',
    "<si><t>{a}{b}</t><extLst/></si>",
    "<si><t>  {a}{b}  </t></si>",
    "<si><t>&#65;{a}&amp;{b}</t></si>",
    "<si><t>{a}{b}</t></si><si><t>extra</t></si>",
    "<si><t>{a}\t{b}\u00a0\u200b</t></si>",
]


@mutation
def shared_string(parts, rng, targets):
    """Re-dress a shared string (one a cell the reader asks for uses, when there is one)."""
    xml = parts.get("xl/sharedStrings.xml")
    if xml is None:
        return None
    sis = list(re.finditer(rb"<si>.*?</si>|<si/>", xml, re.S))
    index = None
    name, part, ref = rng.choice(targets)
    m = cell_pattern(ref).search(parts[part])
    if m and b't="s"' in m.group(0):
        v = re.search(rb"<v>([0-9]+)</v>", m.group(0))
        index = int(v.group(1)) if v else None
    if index is None or index >= len(sis) or rng.random() < 0.2:
        index = rng.randrange(len(sis))
    si = sis[index]
    text = re.sub(rb"<[^>]+>", b"", si.group(0)).decode()
    half = len(text) // 2
    form = rng.choice(SI_FORMS)
    new = form.replace("{a}", text[:half]).replace("{b}", text[half:]).encode()
    parts["xl/sharedStrings.xml"] = xml[: si.start()] + new + xml[si.end() :]
    return f"xl/sharedStrings.xml si {index}: {new[:300].decode()}"


CORE_EDITS = [
    ("lastModifiedBy", "A &amp; B"),
    ("lastModifiedBy", ""),
    ("lastModifiedBy", " x\r\ny "),
    ("lastModifiedBy", "&#65;<![CDATA[<b>]]>"),
    ("lastModifiedBy", None),
    ("modified", "2026-11-24T01:40:28"),
    ("modified", "2026-11-24"),
    ("modified", "2026-11-24T01:40:28.123456Z"),
    ("modified", "2026-11-24T01:40:28+01:00"),
    ("modified", "2026-11-24T01:40:28.5Z"),
    ("modified", "garbage"),
    ("modified", ""),
    ("modified", " 2026-11-24T01:40:28Z "),
    ("modified", None),
    ("created", "garbage"),
    ("created", None),
    ("modified", "2026-13-24T01:40:28Z"),
    ("modified", "20261124T014028Z"),
    ("modified", "2026-11-24T01:40:28.1234567Z"),
    ("modified", "2026-11-24 01:40:28"),
    ("lastPrinted", "garbage"),
    ("lastPrinted", "2026-11-24T01:40:28Z"),
]


@mutation
def core(parts, rng, targets):
    xml = parts["docProps/core.xml"]
    key, value = rng.choice(CORE_EDITS)
    m = re.search(
        rb"<(\w+):" + key.encode() + rb"\b[^>]*?(?:/>|>.*?</\1:" + key.encode() + rb">)", xml, re.S
    )
    prefix = {"lastModifiedBy": "cp", "lastPrinted": "cp"}.get(key, "dcterms")
    attr = ' xsi:type="dcterms:W3CDTF"' if prefix == "dcterms" else ""
    new = b"" if value is None else f"<{prefix}:{key}{attr}>{value}</{prefix}:{key}>".encode()
    if rng.random() < 0.2 and new:  # twice
        new = new + new.replace(
            value.encode(), b"2020-01-01T00:00:00Z" if prefix == "dcterms" else b"other", 1
        )
    if m is not None:
        xml = xml[: m.start()] + new + xml[m.end() :]
    else:
        xml = xml.replace(b"</cp:coreProperties>", new + b"</cp:coreProperties>")
    parts["docProps/core.xml"] = xml
    return f"docProps/core.xml: {new.decode() or 'no ' + key}"


@mutation
def custom(parts, rng, targets):
    xml = parts.get("docProps/custom.xml")
    if xml is None:
        return None
    props = list(re.finditer(rb"<property\b[^>]*>.*?</property>", xml, re.S))
    m = rng.choice(props)
    old = m.group(0).decode()
    value = re.search(r"<vt:lpwstr>(.*?)</vt:lpwstr>", old)
    value = value.group(1) if value else ""
    choice = rng.randrange(14)
    if choice == 0:
        new = old.replace(
            f"<vt:lpwstr>{value}</vt:lpwstr>", f"<vt:i4>{rng.choice(['5', value])}</vt:i4>"
        )
    elif choice == 1:
        new = old.replace(f"<vt:lpwstr>{value}</vt:lpwstr>", "<vt:bool>true</vt:bool>")
    elif choice == 2:
        new = old.replace(f"<vt:lpwstr>{value}</vt:lpwstr>", f"<vt:lpstr>{value}</vt:lpstr>")
    elif choice == 3:
        new = old.replace(f"<vt:lpwstr>{value}</vt:lpwstr>", f"<vt:lpwstr> {value}\r\n</vt:lpwstr>")
    elif choice == 4:
        new = old.replace(
            f"<vt:lpwstr>{value}</vt:lpwstr>",
            "".join(f"&#{ord(ch)};" for ch in value).join(["<vt:lpwstr>", "</vt:lpwstr>"]),
        )
    elif choice == 5:
        new = old + old.replace(f">{value}<", ">other<")
    elif choice == 6:
        new = old.replace(f">{value}<", ">other<") + old
    elif choice == 7:
        new = ""
    elif choice == 8:
        new = old.replace("<property ", '<property foo="1" ', 1)
    elif choice == 9:
        new = old.replace('pid="', 'pid="x', 1)
    elif choice == 10:
        new = old.replace("vt:lpwstr", "q:lpwstr").replace(
            "<property ", f'<property xmlns:q="{VT}" ', 1
        )
    elif choice == 11:
        new = old.replace(f"<vt:lpwstr>{value}</vt:lpwstr>", "<vt:lpwstr/>")
    elif choice == 12:
        new = old.replace(
            f"<vt:lpwstr>{value}</vt:lpwstr>", f"<vt:lpwstr><![CDATA[{value}]]></vt:lpwstr>"
        )
    else:
        new = old.replace(
            f"<vt:lpwstr>{value}</vt:lpwstr>",
            f"<vt:lpwstr>{value}</vt:lpwstr><vt:lpwstr>x</vt:lpwstr>",
        )
    parts["docProps/custom.xml"] = xml[: m.start()] + new.encode() + xml[m.end() :]
    return f"docProps/custom.xml: {new or 'removed ' + old}"


@mutation
def app(parts, rng, targets):
    xml = parts.get("docProps/app.xml")
    if xml is None:
        return None
    value = rng.choice(
        [
            "Microsoft Excel",
            "LibreOffice/7$Linux",
            " A &amp; B ",
            "",
            "x$y$z",
            "<![CDATA[C$D]]>",
            "&#36;x",
        ]
    )
    new = f"<Application>{value}</Application>".encode()
    if b"<Application>" in xml:
        xml = re.sub(rb"<Application>.*?</Application>", lambda m: new, xml, flags=re.S)
    else:
        xml = re.sub(rb"(<Properties\b[^>]*>)", lambda m: m.group(1) + new, xml, count=1)
    if rng.random() < 0.3:
        xml = re.sub(rb"(<Properties\b[^>]*>)", lambda m: m.group(1) + new, xml, count=1)
    parts["docProps/app.xml"] = xml
    return f"docProps/app.xml: {new.decode()}"


@mutation
def missing_part(parts, rng, targets):
    name = rng.choice(list(XML_PARTS) + ["sheet"])
    if name == "sheet":
        name = rng.choice(targets)[1]
    if name not in parts:
        return None
    del parts[name]
    return f"no {name}"


def _pick_part(parts, rng, targets) -> str:
    if rng.random() < 0.5:
        return rng.choice(targets)[1]
    return rng.choice([p for p in XML_PARTS if p in parts])


@mutation
def whole_part(parts, rng, targets):
    """Re-dress a whole part: encoding, declaration, DTD, prefixes, attribute order."""
    name = _pick_part(parts, rng, targets)
    xml = parts[name]
    choice = rng.randrange(10)
    if choice == 0:
        root = etree.fromstring(xml)
        new = etree.tostring(root, encoding="UTF-16", xml_declaration=True)
        what = "UTF-16"
    elif choice == 1:
        new = b"\xef\xbb\xbf" + xml
        what = "a BOM"
    elif choice == 2:
        new = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
        what = "no declaration"
    elif choice == 3:
        root_tag = re.search(rb"<([\w:]+)[\s>]", re.sub(rb"^<\?xml[^>]*\?>", b"", xml)).group(1)
        new = re.sub(rb"(\?>)", rb"\1<!DOCTYPE " + root_tag + b">", xml, count=1)
        what = "a DTD"
    elif choice == 4:  # every attribute in reverse order
        root = etree.fromstring(xml)
        for el in root.iter():
            items = list(el.attrib.items())
            el.attrib.clear()
            for k, v in reversed(items):
                el.set(k, v)
        new = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)
        what = "attributes reversed"
    elif choice == 5:  # every element prefixed
        root = etree.fromstring(xml)
        ns = etree.QName(root).namespace
        if ns is None:
            return None
        new_root = _reprefix(root, ns)
        new = etree.tostring(new_root, encoding="UTF-8", xml_declaration=True)
        what = f"prefixed {ns}"
    elif choice == 6:  # whitespace between every element
        new = re.sub(rb"><(?!/)", b">\n  <", xml)
        what = "whitespace between elements"
    elif choice == 7:
        new = re.sub(rb"><(?![/!?])", b"><!-- c --><", xml)
        what = "comments between elements"
    elif choice == 8:
        new = re.sub(rb"\?>", b"?><?pi x?>", xml, count=1)
        what = "a processing instruction"
    else:
        new = xml.replace(b'encoding="UTF-8"', b'encoding="utf-8"').replace(
            b'standalone="yes"', b""
        )
        what = "declaration re-dressed"
    parts[name] = new
    return f"{name}: {what}"


def _reprefix(root, ns):
    """A copy of root with elements of ns under the prefix x (and no default namespace)."""
    nsmap = {k: v for k, v in (root.nsmap or {}).items() if k is not None}
    nsmap["x"] = ns
    new = etree.Element(root.tag, nsmap=nsmap)

    def copy(src, dst):
        dst.text = src.text
        for k, v in src.attrib.items():
            dst.set(k, v)
        for child in src:
            if not isinstance(child.tag, str):
                continue
            c = etree.SubElement(dst, child.tag)
            copy(child, c)
            c.tail = child.tail

    copy(root, new)
    return new


@mutation
def byte_level(parts, rng, targets):
    """Swap, delete or duplicate a small span of a part, keeping it well formed."""
    for _ in range(40):
        name = _pick_part(parts, rng, targets)
        xml = parts[name]
        if rng.random() < 0.6 and name.startswith("xl/worksheets"):
            _, part, ref = rng.choice(targets)
            if part == name:
                at = xml.find(f'r="{ref}"'.encode())
                centre = at if at >= 0 else rng.randrange(len(xml))
            else:
                centre = rng.randrange(len(xml))
        else:
            centre = rng.randrange(len(xml))
        start = max(0, centre + rng.randrange(-60, 60))
        size = rng.randrange(1, 12)
        span = xml[start : start + size]
        op = rng.randrange(3)
        if op == 0:
            new = xml[:start] + xml[start + size :]
        elif op == 1:
            new = xml[:start] + span + span + xml[start + size :]
        else:
            other = min(len(xml) - size, start + rng.randrange(1, 40))
            a, b = xml[start : start + size], xml[other : other + size]
            if other <= start + size:
                continue
            new = xml[:start] + b + xml[start + size : other] + a + xml[other + size :]
        if new == xml:
            continue
        try:
            etree.fromstring(new)
        except etree.XMLSyntaxError:
            continue
        parts[name] = new
        return f"{name} @{start} op{op} {span!r}"
    return None


@mutation
def text_comment(parts, rng, targets):
    """A comment or processing instruction inside an element's text (a name, a property, a
    string, a cell's value)."""
    name = rng.choice(
        [
            "xl/workbook.xml",
            "docProps/core.xml",
            "docProps/custom.xml",
            "xl/sharedStrings.xml",
            "docProps/app.xml",
            "sheet",
        ]
    )
    if name == "sheet":
        name = rng.choice(targets)[1]
    xml = parts.get(name)
    if xml is None:
        return None
    texts = list(re.finditer(rb">([^<>]{2,})</", xml))
    if not texts:
        return None
    m = rng.choice(texts)
    at = m.start(1) + rng.randrange(0, len(m.group(1)) + 1)
    odd = rng.choice([b"<!-- c -->", b"<!---->", b"<?pi x?>"])
    parts[name] = xml[:at] + odd + xml[at:]
    return f"{name}: {(xml[m.start(1) : at] + odd + xml[at : m.end(1)]).decode()}"


SHEET_EXTRAS = [
    (rb'type="textLength"', b'type="textLengt"'),
    (rb'type="list"', b'type="lists"'),
    (rb'operator="(\w+)"', b'operator="odd"'),
    (rb"<mergeCell ref=\"", b'<mergeCell ref="ZZZZ'),
    (rb"<col ", b'<col foo="1" '),
    (rb"<col ", b'<col min="x" '),
    (rb"<sheetPr", b'<sheetPr codeName="x" foo="1"'),
    (rb"<pageMargins ", b'<pageMargins left="x" '),
    (rb"<pageSetup ", b'<pageSetup orientation="sideways" '),
    (rb"<sheetFormatPr ", b'<sheetFormatPr baseColWidth="x" '),
    (rb"<selection ", b'<selection pane="middle" '),
    (rb"</sheetData>", b'</sheetData><mergeCells><mergeCell ref="bad"/></mergeCells>'),
    (rb"</sheetData>", b'</sheetData><hyperlinks><hyperlink ref="A1" foo="1"/></hyperlinks>'),
    (
        rb"</sheetData>",
        b'</sheetData><conditionalFormatting sqref="A1"><cfRule type="odd" '
        b'priority="x"/></conditionalFormatting>',
    ),
    (rb"</sheetData>", b'</sheetData><printOptions gridLines="maybe"/>'),
    (rb"</sheetData>", b"</sheetData><unknownElement/>"),
    (rb"</worksheet>", b"<!-- end --></worksheet>"),
]


@mutation
def sheet_extra(parts, rng, targets):
    """Damage a part of a sheet other than its cells (validations, merges, columns, page)."""
    _, part, _ = rng.choice(targets)
    xml = parts[part]
    for _ in range(5):
        old, new = rng.choice(SHEET_EXTRAS)
        if re.search(old, xml):
            at = re.search(old, xml)
            parts[part] = xml[: at.start()] + new + xml[at.end() :]
            return f"{part}: {old.decode()} -> {new.decode()}"
    return None


@mutation
def stop_early(parts, rng, targets):
    """Stop the reading at the identity (another round), and damage a sheet not yet read."""
    xml = parts.get("docProps/custom.xml")
    if xml is None or b"ie_round" not in xml:
        return None
    parts["docProps/custom.xml"] = re.sub(
        rb'(name="ie_round"[^>]*><vt:lpwstr[^>]*>)[^<]*', rb"\g<1>2019-20", xml
    )
    sheet = rng.choice(
        sorted(p for p in parts if re.fullmatch(r"xl/worksheets/sheet[0-9]+.xml", p))
    )
    choice = rng.randrange(4)
    if choice == 0:
        parts[sheet] = re.sub(rb"<dimension\b[^>]*?/>", b'<dimension ref="ZZZZ1"/>', parts[sheet])
    elif choice == 1:
        parts[sheet] = b"garbage"
    elif choice == 2:
        parts[sheet] = parts[sheet].replace(b"<sheetData>", b'<sheetData><row r="x"/>', 1)
    else:
        parts[sheet] = re.sub(
            rb"<dimension\b[^>]*?/>", b'<dimension ref="A1" foo="1"/>', parts[sheet]
        )
    return f"ie_round 2019-20, and {sheet} damaged ({choice})"


# -- reading both ways -----------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    case: str
    mutations: list[str]
    differs: list[str]  # ReturnRecord fields that differ
    direct: bool  # the direct way read it itself
    old: object = None
    new: object = None


class Reader:
    def __init__(self, settings=None, instrument=None):
        from collate.load import load_instrument
        from collate.settings import load_settings

        self.settings = settings or load_settings()
        self.instrument = instrument or load_instrument(self.settings.instrument_folder)
        self.folder = Path(tempfile.mkdtemp(prefix="diff-fuzz-"))

    def both(self, data: bytes, name: str = "return.xlsx"):
        from collate.intake import package, reader

        path = self.folder / name
        path.write_bytes(data)
        saved, plain_read = reader.DIRECT, reader._read
        declined: list[str] = []

        def spy(r):
            try:
                return plain_read(r)
            except package.NotDirect as exc:
                declined.append(str(exc))
                raise

        try:
            reader.DIRECT = False
            old = reader.read_return(path, self.instrument, self.settings, {}, None, name)
            reader.DIRECT = True
            reader._read = spy
            new = reader.read_return(path, self.instrument, self.settings, {}, None, name)
        finally:
            reader.DIRECT, reader._read = saved, plain_read
        return old, new, not declined


_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def differing(old, new, direct: bool = True) -> list[str]:
    """The fields of two records that differ, but for what differs on every read by openpyxl:
    objects without equality (an ArrayFormula) and today's time for a file saved at no time."""
    out = []
    for f in dataclasses.fields(old):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a == b or _ADDRESS.sub("", repr(a)) == _ADDRESS.sub("", repr(b)):
            continue
        if f.name == "last_saved_at" and not direct:
            continue  # both read by openpyxl, which puts the time of reading there
        out.append(f.name)
    return out


def make_case(seed: int, index: int) -> tuple[str, dict[str, bytes], list[tuple[str, int]]]:
    """The sample and the mutations (name, sub-seed) of one case."""
    rng = random.Random(f"{seed}:{index}")
    sample = rng.choice(sorted(bases()))
    count = rng.choice([1, 1, 1, 2, 2, 3])
    muts = [(rng.choice(MUTATIONS)[0], rng.randrange(2**32)) for _ in range(count)]
    return sample, dict(bases()[sample]), muts


def apply(sample: str, muts: list[tuple[str, int]]) -> tuple[dict[str, bytes], list[str]]:
    parts = dict(bases()[sample])
    if sample not in _TARGETS:
        _TARGETS[sample] = targets(parts)
    tg = _TARGETS[sample]
    done = []
    table = dict(MUTATIONS)
    for name, sub in muts:
        try:
            what = table[name](parts, random.Random(sub), tg)
        except (KeyError, AttributeError, IndexError, ValueError, etree.XMLSyntaxError):
            what = None  # a part an earlier mutation removed or reshaped: pass over it
        if what is not None:
            done.append(f"{name}: {what}")
    return parts, done


def run_case(reader: Reader, seed: int, index: int, minimise: bool = True) -> Outcome:
    sample, _, muts = make_case(seed, index)
    parts, done = apply(sample, muts)
    old, new, direct = reader.both(pack(parts))
    diff = differing(old, new, direct)
    out = Outcome(f"{seed}:{index} {sample}", done, diff, direct, old, new)
    if minimise and diff and len(muts) > 1:  # minimise: the single mutations that still show it
        singles = []
        for m in muts:
            p, d = apply(sample, [m])
            o, n, di = reader.both(pack(p))
            if differing(o, n, di):
                singles.extend(d)
        if singles:
            out.mutations = singles
    return out


def run(n: int, seed: int, reader: Reader | None = None, start: int = 0) -> list[Outcome]:
    """n cases from seed: the outcomes that differ (and a count of direct reads on stdout)."""
    reader = reader or Reader()
    bad = []
    for i in range(start, start + n):
        out = run_case(reader, seed, i)
        if out.differs:
            bad.append(out)
    return bad


def show(out: Outcome) -> str:
    lines = [f"case {out.case}: differs in {out.differs} (direct={out.direct})"]
    lines += [f"  mutation: {m}" for m in out.mutations]
    for f in out.differs:
        lines.append(f"  openpyxl {f}: {_short(getattr(out.old, f))}")
        lines.append(f"  direct   {f}: {_short(getattr(out.new, f))}")
    return "\n".join(lines)


def _short(value) -> str:
    if isinstance(value, dict) and isinstance(value, dict):
        return repr(value)[:400]
    if isinstance(value, list):
        return (
            repr([getattr(f, "code", f) for f in value])[:400]
            + " "
            + repr([getattr(f, "message", "") for f in value])[:600]
        )
    return repr(value)[:400]


def main(n: int = 500, seed: int = 0) -> int:
    import time

    reader = Reader()
    start = time.perf_counter()
    direct = 0
    bad = []
    for i in range(n):
        out = run_case(reader, seed, i)
        direct += out.direct
        if out.differs:
            bad.append(out)
            print(show(out), flush=True)
    took = time.perf_counter() - start
    print(
        f"{n} cases, seed {seed}: {len(bad)} discrepancies, {direct} read directly, {took:.0f} s",
        flush=True,
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # this checkout's collate, not the one the venv points at
    sys.exit(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 500,
            int(sys.argv[2]) if len(sys.argv) > 2 else 0,
        )
    )
