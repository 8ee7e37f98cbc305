"""The name of a council's example: asked beside each criterion's evidence, limited to 80
characters in the workbook and by the collator, and named in the report's pledge paragraphs
as the January 2026 report names them ("Essex Anti-Racist Practice Board")."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from openpyxl.utils.cell import range_boundaries

from collate.analysis.round import analyse, analyse_collation
from collate.instrument.model import defined_name
from collate.intake.collation import collate_folder
from collate.intake.reader import read_return
from collate.report import write_report
from collate.report.facts import build_facts
from collate.samples.filler import fill_workbook

ROOT = Path(__file__).resolve().parents[2]


def _cell(wb, fid: str) -> tuple[str, int, int]:
    dn = wb.defined_names[defined_name(fid)]
    (sheet, ref), *_ = dn.destinations
    col, row, _, _ = range_boundaries(ref.replace("$", ""))
    return sheet, row, col


def test_each_criterion_asks_for_its_example_beside_its_evidence(instrument, essex_wb):
    criteria = [c for p in instrument.pledges for c in p.criteria]
    assert criteria and all(c.example is not None for c in criteria)
    ws = essex_wb["Diagnostic"]
    headings = {str(c.value) for row in ws.iter_rows() for c in row if c.value}
    assert "Name of your example" in headings
    for c in criteria:
        sheet, row, col = _cell(essex_wb, c.example.id)
        e_sheet, e_row, e_col = _cell(essex_wb, c.evidence.id)
        assert (sheet, row) == (e_sheet, e_row) and col == e_col - 1, c.ref
        assert ws.cell(row, col).protection.locked is False
        rules = [
            dv
            for dv in ws.data_validations.dataValidation
            if any(ws.cell(row, col).coordinate in r for r in dv.sqref.ranges)
        ]
        assert len(rules) == 1 and rules[0].type == "textLength", c.ref
        assert rules[0].operator == "lessThanOrEqual" and rules[0].formula1 == "80"
        assert not c.example.required


def test_a_name_over_80_characters_is_refused_and_one_of_80_is_read(
    settings, instrument, essex_path, tmp_path
):
    first, second = instrument.pledges[0].criteria[:2]
    ok, too_long = "B" * 80, "Essex " + "Anti-Racist Practice Board " * 3
    path = fill_workbook(
        essex_path,
        tmp_path / "essex.xlsx",
        {first.example.id: ok, second.example.id: too_long},
    )
    record = read_return(path, instrument, settings)
    assert record.values[first.example.id] == ok
    assert second.example.id not in record.values
    found = [f for f in record.findings if f.field == second.example.label]
    assert len(found) == 1 and found[0].severity == "error", record.findings
    assert f"{len(too_long.strip())} characters long; the limit is 80" in found[0].message


def test_the_pledge_paragraphs_name_the_councils_examples(settings, instrument):
    an = analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))
    p1 = build_facts(an)["pledges"][0]
    # The samples' boards, as seed 000 names them; Norfolk's name does not say whose it is.
    assert (
        "Dedicated anti-racist practice boards or steering groups in 3 of 11 LAs (Essex "
        "Anti-Racist Practice Board; Norfolk: Anti-Racist Practice Group; Suffolk Strategic "
        "Equality & Inclusion Board)." in p1.paragraph
    )
    # A council that gave no name is named itself, beside those that did.
    assert "Southend; Suffolk" in p1.paragraph


def test_without_any_names_the_councils_are_listed(settings, instrument):
    an = analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))
    values = {
        la: {k: ("" if k.endswith(".example") else v) for k, v in v_la.items()}
        for la, v_la in an.values.items()
    }
    bare = analyse(values, settings, instrument, {}, True, an.today)
    p1 = build_facts(bare)["pledges"][0]
    assert "steering groups in 3 of 11 LAs (Essex, Norfolk and Suffolk)." in p1.paragraph


def test_a_name_is_printed_as_plain_text_without_nested_brackets(settings, instrument, tmp_path):
    an = analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))
    board = instrument.pledges[0].criteria[0].example.id
    values = {la: dict(v) for la, v in an.values.items()}
    values["Essex"][board] = '=HYPERLINK("http://x.example") **Board** (draft)'
    hostile = analyse(values, settings, instrument, {}, True, an.today)
    doc = Document(str(write_report(hostile, tmp_path)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert 'Essex: =HYPERLINK, "http://x.example" *Board*, draft; Norfolk' in text
    xml = doc.element.body.xml
    assert "x.example" not in "".join(
        n.text or "" for n in doc.element.body.iter() if n.tag.endswith("instrText")
    )
    assert "<w:hyperlink" not in xml
