"""Work done once: what the collator shares between councils gives what it did per council."""

from __future__ import annotations

import pytest

from collate.generator.layout import build_layout, shared_layout
from collate.settings import LocalAuthority

ODD_COUNCILS = [
    LocalAuthority(
        name="Southend-on-Sea", short_name="Southend", gss_code="E06000033", dfe_number=882
    ),
    LocalAuthority(
        name="St. Helens & Knowsley (test)", short_name="St H", gss_code="E08000013", dfe_number=342
    ),
    LocalAuthority(
        name="Ynys Môn 'Anglesey'", short_name="Môn", gss_code="W06000001", dfe_number=1
    ),
]


@pytest.mark.parametrize("sample", [False, True])
def test_one_layout_serves_every_council(settings, instrument, sample):
    cache: dict = {}
    shared = shared_layout(instrument, settings, sample, cache)
    assert shared_layout(instrument, settings, sample, cache) is shared
    for la in list(settings.local_authorities) + ODD_COUNCILS:
        own = build_layout(instrument, settings, la, sample)
        assert [s.name for s in shared.sheets] == [s.name for s in own.sheets]
        assert [s.hidden for s in shared.sheets] == [s.hidden for s in own.sheets]
        for s in own.sheets:
            assert shared.static_text(s.name, la) == s.static_text(), (la.name, s.name)


def test_protection_written_as_the_workbook_is_written_is_what_the_repack_wrote(
    settings, instrument, monkeypatch
):
    """render writes <workbookProtection> itself; the old way (write, then repack the package
    with lock_structure) gave the same parts, byte for byte."""
    import io
    import zipfile

    import xlsxwriter

    from collate.generator.build import workbook_bytes
    from collate.generator.workbook import _Workbook, lock_structure

    la = settings.local_authorities[0]
    new = workbook_bytes(instrument, settings, la, token="abc")
    monkeypatch.setattr(_Workbook, "_write_book_views", xlsxwriter.Workbook._write_book_views)
    old = lock_structure(workbook_bytes(instrument, settings, la, token="abc"), settings.password)

    def parts(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {i.filename: z.read(i) for i in z.infolist()}

    assert list(parts(new)) == list(parts(old))
    assert parts(new) == parts(old)
    assert b"<workbookProtection " in parts(new)["xl/workbook.xml"]


# ---------------------------------------------------------------------------------------------
# The direct reader (collate.intake.package, reader.DIRECT) against openpyxl's, the reader as it
# was: the same record and findings for every file the tests hold, and the direct way really
# taken for every return as Excel, LibreOffice and the generator write them.


def _every_file(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _both_ways(path, settings, instrument, monkeypatch):
    """(openpyxl's record, the direct reader's record, whether the direct way read it)."""
    from collate.intake import package, reader

    monkeypatch.setattr(reader, "DIRECT", False)
    old = reader.read_return(path, instrument, settings, {}, None, path.name)
    monkeypatch.setattr(reader, "DIRECT", True)
    declined = []
    plain_read = reader._read

    def spy(r):
        try:
            return plain_read(r)
        except package.NotDirect as exc:
            declined.append(str(exc))
            raise

    monkeypatch.setattr(reader, "_read", spy)
    new = reader.read_return(path, instrument, settings, {}, None, path.name)
    monkeypatch.setattr(reader, "_read", plain_read)
    return old, new, not declined


def test_the_direct_reader_reads_every_sample_as_openpyxl_does(settings, instrument, monkeypatch):
    from collate.settings import ROOT

    files = _every_file(ROOT / "sample_returns")
    workbooks = [f for f in files if f.suffix == ".xlsx"]
    assert len(workbooks) >= 14  # 11 samples and the flawed
    writers = set()
    for path in files:
        old, new, direct = _both_ways(path, settings, instrument, monkeypatch)
        assert new.findings == old.findings, path.name
        assert new == old, path.name
        if path.suffix == ".xlsx":  # saved by openpyxl or by LibreOffice: read directly
            assert direct, path.name
            writers.add(new.application.split()[0])
    assert {"LibreOffice/7.4.7.2", "Microsoft"} <= writers or len(writers) >= 2, writers


def test_a_return_resaved_by_libreoffice_is_read_directly_and_as_before(
    lo_resaved, settings, instrument, monkeypatch
):
    old, new, direct = _both_ways(lo_resaved, settings, instrument, monkeypatch)
    assert new == old
    assert new.application.startswith("LibreOffice")
    assert direct
    assert new.readable and len(new.cells) == len(instrument.fields)


def test_the_direct_reader_reads_every_broken_file_as_openpyxl_does(
    corpus, settings, instrument, monkeypatch
):
    files = _every_file(corpus.folder)
    assert len(files) >= len(corpus.cases)
    for path in files:
        old, new, _ = _both_ways(path, settings, instrument, monkeypatch)
        assert new.findings == old.findings, path.name
        assert new == old, path.name


def _parts(path):
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _write(parts, path):
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _answer_cell(parts, instrument, field_id):
    """The sheet part and cell reference of an answer, from the workbook's own names."""
    from collate.intake.package import DirectPackage

    package = DirectPackage(parts)
    text = package.names[instrument.field(field_id).name]
    sheet, ref = text.rsplit("!", 1)
    return package.sheet_parts[sheet.strip("'").replace("''", "'")], ref.replace("$", "")


def _first_count(instrument):
    return next(f for f in instrument.fields if f.type == "whole")


def _edit_cell(xml: bytes, ref: str, new_cell: bytes) -> bytes:
    import re

    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(/>|>.*?</c>)', re.S)
    assert pattern.search(xml), ref
    return pattern.sub(lambda m: new_cell, xml, count=1)


ODD_PACKAGES = {
    # Each: how to make it from a sample return, and whether the direct way reads it itself.
    "an answer as an inline string": (
        lambda xml, ref: _edit_cell(
            xml, ref, f'<c r="{ref}" t="inlineStr"><is><t>12</t></is></c>'.encode()
        ),
        True,
    ),
    "an answer as a shared formula": (
        lambda xml, ref: _edit_cell(
            xml, ref, f'<c r="{ref}"><f t="shared" ref="{ref}" si="0">1+1</f><v>2</v></c>'.encode()
        ),
        False,
    ),
    "an answer as a plain formula": (
        lambda xml, ref: _edit_cell(xml, ref, f'<c r="{ref}"><f>1+1</f><v>2</v></c>'.encode()),
        True,
    ),
    "an answer cell without its reference": (
        lambda xml, ref: _edit_cell(xml, ref, b"<c><v>3</v></c>"),
        False,
    ),
    "an answer cell with a lower-case reference": (
        lambda xml, ref: _edit_cell(xml, ref, f'<c r="{ref.lower()}"><v>3</v></c>'.encode()),
        False,
    ),
    "an answer cell with a $ in its reference": (
        lambda xml, ref: _edit_cell(xml, ref, f'<c r="${ref}"><v>3</v></c>'.encode()),
        False,
    ),
    "a number with a decimal point and an exponent": (
        lambda xml, ref: _edit_cell(xml, ref, f'<c r="{ref}"><v>1.2E1</v></c>'.encode()),
        True,
    ),
    "a true or false cell": (
        lambda xml, ref: _edit_cell(xml, ref, f'<c r="{ref}" t="b"><v>1</v></c>'.encode()),
        True,
    ),
    "an error cell": (
        lambda xml, ref: _edit_cell(xml, ref, f'<c r="{ref}" t="e"><v>#N/A</v></c>'.encode()),
        True,
    ),
    "a shared string out of range": (
        lambda xml, ref: _edit_cell(xml, ref, f'<c r="{ref}" t="s"><v>999999</v></c>'.encode()),
        False,
    ),
    "a document type declaration in the sheet": (
        lambda xml, ref: xml.replace(
            b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY e "5">]><worksheet', 1
        ),
        False,
    ),
}


@pytest.mark.parametrize("case", sorted(ODD_PACKAGES))
def test_odd_packages_read_the_same_either_way(case, settings, instrument, monkeypatch, tmp_path):
    """A package shaped as no writer we know of is read by openpyxl, and what it says is what
    openpyxl always said; one the direct way takes is read the same."""
    from collate.settings import ROOT

    source = next((ROOT / "sample_returns").glob("SAMPLE_Luton_*.xlsx"))  # saved by LibreOffice
    parts = _parts(source)
    field = _first_count(instrument)
    part, ref = _answer_cell(parts, instrument, field.id)
    edit, taken = ODD_PACKAGES[case]
    parts[part] = edit(parts[part], ref)
    path = _write(parts, tmp_path / f"{case}.xlsx")
    old, new, direct = _both_ways(path, settings, instrument, monkeypatch)
    assert new.findings == old.findings
    assert new == old
    assert direct is taken


def test_rich_text_and_1904_dates_are_read_directly_and_as_before(
    settings, instrument, monkeypatch, tmp_path
):
    """Shared strings in runs of formatting (as Excel writes a cell with two fonts) and the
    1904 date system (a workbook first made on a Mac) are read directly, as openpyxl reads them."""
    import re

    from collate.settings import ROOT

    source = next((ROOT / "sample_returns").glob("SAMPLE_Luton_*.xlsx"))  # saved by LibreOffice
    parts = _parts(source)
    strings = parts["xl/sharedStrings.xml"]
    first = re.search(rb"<si><t[^>]*>([^<]{4,})</t></si>", strings)
    text = first.group(1)
    half = len(text) // 2
    runs = (
        b"<si><r><rPr><b/></rPr><t>"
        + text[:half]
        + b'</t></r><r><t xml:space="preserve">'
        + text[half:]
        + b"</t></r></si>"
    )
    parts["xl/sharedStrings.xml"] = strings.replace(first.group(0), runs, 1)
    workbook = parts["xl/workbook.xml"]
    assert b'date1904="false"' in workbook  # as LibreOffice writes it
    parts["xl/workbook.xml"] = workbook.replace(b'date1904="false"', b'date1904="true"')
    path = _write(parts, tmp_path / "odd.xlsx")
    old, new, direct = _both_ways(path, settings, instrument, monkeypatch)
    assert direct
    assert new == old
    assert new.readable and new.values
    dates = [f.id for f in instrument.fields if f.type == "date" and f.id in new.values]
    assert dates  # a date answer, read through the 1904 calendar as openpyxl reads it


@pytest.mark.parametrize("sample", [False, True])
def test_workbooks_from_the_shared_layout_are_byte_for_byte_as_before(
    settings, instrument, sample, monkeypatch
):
    from collate.generator import build as generate

    councils = list(settings.local_authorities) + ODD_COUNCILS
    shared = [
        generate.workbook_bytes(instrument, settings, la, sample, "t" * 32) for la in councils
    ]

    class Own:  # each council's layout built for it alone, as before
        def for_council(self, la):
            return build_layout(instrument, settings, la, sample)

    monkeypatch.setattr(generate, "_shared", lambda *a: Own())
    for la, data in zip(councils, shared, strict=True):
        assert data == generate.workbook_bytes(instrument, settings, la, sample, "t" * 32), la.name


# ---------------------------------------------------------------------------------------------
# Report tables filled without python-docx's wrappers (DocWriter._fill) against the slow way


def _table_xml(analysis, data, monkeypatch, slow: bool) -> bytes:
    from lxml import etree

    from collate.report import builder
    from collate.report.facts import build_facts

    if slow:
        monkeypatch.setattr(builder.DocWriter, "_fill", builder.DocWriter._fill_slowly)
    reference = next(
        f / builder.REFERENCE
        for f in builder.template_folders(analysis)
        if (f / builder.REFERENCE).exists()
    )
    writer = builder.DocWriter(analysis, build_facts(analysis), reference)
    writer.add_table(data)
    monkeypatch.undo()
    return etree.tostring(writer.doc.element.body)


def test_report_tables_are_filled_as_python_docx_fills_them(settings, instrument, monkeypatch):
    from collate.analysis.round import analyse_collation
    from collate.intake.collation import collate_folder
    from collate.report.tables import Cell, HeaderCell, TableData
    from collate.settings import ROOT

    analysis = analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))
    awkward = [
        Cell("plain"),
        Cell("two\nlines", bold=True),
        Cell(" leading space", align="right"),
        Cell("", shade="D9D9D9"),
        Cell("tab\there", align="center"),
        Cell("trailing\n", bold=True, align="center", shade="FFC7CE"),
    ]
    data = TableData(
        caption="Every kind of cell",
        header=[[HeaderCell("A", span=2), HeaderCell("B"), *[HeaderCell(t) for t in "CDE"]]],
        rows=[awkward, list(reversed(awkward))],
        widths=[2, 2, 2, 2, 2, 2],
        font_size=8,
        note="A note.",
    )
    assert _table_xml(analysis, data, monkeypatch, slow=False) == _table_xml(
        analysis, data, monkeypatch, slow=True
    )
    # and every table of the samples' report
    from collate.report.facts import build_facts
    from collate.report.tables import builders

    for name, build in builders(analysis, build_facts(analysis)).items():
        table = build()
        if table is not None:
            fast = _table_xml(analysis, table, monkeypatch, slow=False)
            assert fast == _table_xml(analysis, table, monkeypatch, slow=True), name


def test_a_return_shaped_as_excel_saves_it_is_read_directly_and_as_before(
    settings, instrument, monkeypatch, tmp_path
):
    """Excel adds parts of its own to a workbook (its file path in mc:AlternateContent, a
    revision mark, row heights in another namespace): openpyxl passes over them, and so does the
    direct reader, which must not send every return saved by Excel to openpyxl."""
    import re

    from collate.settings import ROOT

    source = next((ROOT / "sample_returns").glob("SAMPLE_Luton_*.xlsx"))
    parts = _parts(source)
    excel_parts = (
        b'<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/'
        b'2006"><mc:Choice Requires="x15"><x15ac:absPath xmlns:x15ac="http://schemas.microsoft.'
        b'com/office/spreadsheetml/2010/11/ac" url="C:\\Users\\officer\\Documents\\"/>'
        b"</mc:Choice></mc:AlternateContent>"
        b'<xr:revisionPtr xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/'
        b'revision" revIDLastSave="0" documentId="8_{1A2B3C4D}"/>'
    )
    workbook = parts["xl/workbook.xml"]
    assert b"<bookViews>" in workbook
    parts["xl/workbook.xml"] = workbook.replace(b"<bookViews>", excel_parts + b"<bookViews>", 1)
    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        xml = parts[name].replace(
            b"<worksheet ",
            b'<worksheet xmlns:x14ac="http://schemas.microsoft.com/office/'
            b'spreadsheetml/2009/9/ac" ',
            1,
        )
        parts[name] = re.sub(rb"<row ", b'<row x14ac:dyDescent="0.25" ', xml)
    path = _write(parts, tmp_path / "excel.xlsx")
    old, new, direct = _both_ways(path, settings, instrument, monkeypatch)
    assert new == old
    assert new.readable and new.values and not new.errors
    assert direct


@pytest.mark.parametrize(
    "xml",
    [
        "<sheetProtection/>",
        '<sheetProtection sheet="1" objects="1" scenarios="1"/>',
        '<sheetProtection sheet="true" objects="true" formatColumns="false"/>',
        '<sheetProtection sheet="0"/>',
        '<sheetProtection sheet="false"/>',
        '<sheetProtection sheet="FALSE"/>',
        '<sheetProtection sheet=""/>',
        '<sheetProtection sheet="0" password="95F5"/>',
        '<sheetProtection password=""/>',
        '<sheetProtection algorithmName="SHA-512" hashValue="ab+/cd==" saltValue="YWJj"'
        ' spinCount="100000" sheet="1"/>',
        '<sheetProtection algorithmName="SHA-512" hashValue="" sheet="1"/>',
        '<sheetProtection spinCount="many" sheet="1"/>',
        '<sheetProtection sheet="1" colour="red"/>',
    ],
)
def test_sheet_protection_is_read_as_openpyxl_reads_it(xml):
    from lxml import etree
    from openpyxl.worksheet.protection import SheetProtection

    from collate.intake.package import NotDirect, _protected

    element = etree.fromstring(xml)
    try:
        expected = bool(SheetProtection.from_tree(element).sheet)
    except Exception:  # noqa: BLE001 - openpyxl refuses it: so must the direct reader
        with pytest.raises(NotDirect):
            _protected(element)
        return
    assert _protected(element) is expected
