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
# The lean reader (collate.intake.reader.LEAN) against the reader as it was


def _every_file(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _both_ways(path, settings, instrument, monkeypatch):
    from collate.intake import reader

    records = []
    for lean in (False, True):
        monkeypatch.setattr(reader, "LEAN", lean)
        records.append(reader.read_return(path, instrument, settings, {}, None, path.name))
    return records


def test_the_lean_reader_reads_every_sample_as_before(settings, instrument, monkeypatch):
    from collate.settings import ROOT

    files = _every_file(ROOT / "sample_returns")
    assert len([f for f in files if f.suffix == ".xlsx"]) >= 14  # 11 samples and the flawed
    for path in files:
        old, new = _both_ways(path, settings, instrument, monkeypatch)
        assert new == old, path.name


def test_the_lean_reader_reads_every_broken_file_as_before(
    corpus, settings, instrument, monkeypatch
):
    files = _every_file(corpus.folder)
    assert len(files) >= len(corpus.cases)
    for path in files:
        old, new = _both_ways(path, settings, instrument, monkeypatch)
        assert new.findings == old.findings, path.name
        assert new == old, path.name


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
