"""The generated return workbooks, opened and inspected as files.

Each test opens what `build_templates.py` writes (with openpyxl in full mode, or as a parsed
email) and checks one promise the workbook makes to an LA or to the collator: one file per
council, locked layout, named and validated answer cells, an identity the collator can trust,
a cover sheet that says who it is for, and the same again after a LibreOffice save.
"""

from __future__ import annotations

import csv
import email
import email.policy
import hashlib
import io
import shutil
from collections import defaultdict

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import get_column_letter, range_boundaries

from collate.contract import (
    IDENTITY_KEYS,
    IDENTITY_SHEET,
    META_PREFIX,
    SUPPORT_SHEETS,
    property_key,
)
from collate.generator.build import build_workbooks, workbook_bytes, workbook_name
from collate.generator.cli import main as build_templates_cli
from collate.instrument.model import defined_name
from collate.intake.reader import read_return

# Excel's limits on a validation's input message and error alert.
TITLE_LIMIT, MESSAGE_LIMIT = 32, 255


# ---------------------------------------------------------------------------------------------
# Helpers: read a workbook the way Excel would resolve it.
# ---------------------------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def long_date(d) -> str:
    """'29 January 2027', as the cover sheet and the email write the deadline."""
    return f"{d.day} {d:%B %Y}"


def expected_identity(settings, instrument, la, sample: bool = False) -> dict[str, str]:
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


def destinations(wb, name: str) -> list[tuple[str, str]]:
    """Where a workbook-level defined name points: [(sheet, 'A1' or 'A1:B2')]."""
    dn = wb.defined_names.get(name)
    if dn is None:
        return []
    return [(sheet, ref.replace("$", "")) for sheet, ref in dn.destinations]


def single_cell(wb, name: str) -> tuple[str, str]:
    dest = destinations(wb, name)
    assert len(dest) == 1, f"{name} should point at one place, points at {dest}"
    sheet, ref = dest[0]
    assert ":" not in ref, f"{name} should point at one cell, points at {sheet}!{ref}"
    return sheet, ref


def cells_in(ref: str) -> list[str]:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return [
        f"{get_column_letter(c)}{r}"
        for r in range(min_row, max_row + 1)
        for c in range(min_col, max_col + 1)
    ]


def validations_by_cell(wb) -> dict[tuple[str, str], list]:
    """(sheet, cell) → every data validation covering that cell."""
    out: dict[tuple[str, str], list] = defaultdict(list)
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for coord in cells_in(rng.coord):
                    out[(ws.title, coord)].append(dv)
    return out


def answer_cells(wb, instrument) -> dict[tuple[str, str], str]:
    """(sheet, cell) → defined name, for every answer and explanation cell."""
    names = [f.name for f in instrument.fields]
    names += [
        c.explanation_name for c in instrument.checks.workbook_checks() if c.severity == "query"
    ]
    return {single_cell(wb, n): n for n in names}


def identity_sheet_rows(wb) -> dict[str, str]:
    ws = wb["Identity"]
    return {
        str(row[0]): str(row[1])
        for row in ws.iter_rows(min_row=2, max_col=2, values_only=True)
        if row[0] is not None
    }


def identity_from_names(wb) -> dict[str, str]:
    out = {}
    for key in IDENTITY_KEYS:
        sheet, ref = single_cell(wb, META_PREFIX + key)
        assert sheet == IDENTITY_SHEET, (
            f"{META_PREFIX}{key} points at {sheet}, not {IDENTITY_SHEET}"
        )
        out[key] = str(wb[sheet][ref].value)
    return out


def identity_from_properties(wb) -> dict[str, str]:
    props = wb.custom_doc_props.props
    return {property_key(p.name): str(p.value) for p in props if property_key(p.name)}


def texts(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


# ---------------------------------------------------------------------------------------------
# Files: one workbook per council, a manifest and a covering email each.
# ---------------------------------------------------------------------------------------------


def test_one_workbook_per_council_named_by_council_and_round(settings, built):
    assert len(settings.local_authorities) == 11
    expected = {workbook_name(la, settings) for la in settings.local_authorities}
    written = {p.name for p in built.folder.glob("*.xlsx")}
    assert written == expected
    for la in settings.local_authorities:
        name = workbook_name(la, settings)
        assert la.slug in name and settings.round in name
    assert [b.la.name for b in built.workbooks] == [la.name for la in settings.local_authorities]


def test_manifest_lists_each_council_file_and_its_checksum(settings, instrument, built):
    with (built.folder / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["la"] for r in rows] == [la.name for la in settings.local_authorities]
    for row, la in zip(rows, settings.local_authorities, strict=True):
        path = built.folder / row["file"]
        assert path.name == workbook_name(la, settings)
        assert row["sha256"] == sha256(path.read_bytes())
        assert row["gss_code"] == la.gss_code
        assert row["instrument_version"] == instrument.version
        assert row["round"] == settings.round


def test_each_council_gets_an_email_with_its_own_workbook_attached(settings, built):
    emails = sorted((built.folder / "emails").glob("*.eml"))
    assert len(emails) == len(settings.local_authorities)
    deadline = long_date(settings.deadline)
    for b in built.workbooks:
        assert b.email is not None and b.email.parent == built.folder / "emails"
        msg = email.message_from_bytes(b.email.read_bytes(), policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert b.la.name in body
        assert deadline in body and deadline in msg["Subject"]
        assert settings.contact.email in body
        # To the council's contact in round.yaml, with the programme mailbox in copy.
        assert b.la.email and msg["To"] == b.la.email
        assert msg["Cc"] == settings.contact.email
        attachments = list(msg.iter_attachments())
        assert len(attachments) == 1
        (attachment,) = attachments
        assert attachment.get_filename() == b.path.name
        assert attachment.get_content_type().endswith("spreadsheetml.sheet")
        assert attachment.get_content() == b.path.read_bytes()


# ---------------------------------------------------------------------------------------------
# Structure and protection
# ---------------------------------------------------------------------------------------------


def test_sheets_are_the_instrument_sections_then_checks_lists_identity(instrument, essex_wb):
    assert essex_wb.sheetnames == [*instrument.sheet_names, *SUPPORT_SHEETS]
    states = {ws.title: ws.sheet_state for ws in essex_wb.worksheets}
    assert states["Identity"] == "veryHidden"
    assert states["Lists"] == "hidden"
    assert all(states[name] == "visible" for name in [*instrument.sheet_names, "Checks"])


def test_workbook_structure_and_every_sheet_are_locked(essex_wb):
    assert essex_wb.security is not None and essex_wb.security.lockStructure
    for ws in essex_wb.worksheets:
        assert ws.protection.sheet, f"sheet {ws.title} is not protected"
        assert ws.protection.password, f"sheet {ws.title} has no protection password"


# ---------------------------------------------------------------------------------------------
# Named, unlocked answer cells: the contract with the collator
# ---------------------------------------------------------------------------------------------


def test_every_field_has_a_name_for_one_unlocked_cell_on_its_sheet(instrument, essex_wb):
    assert len(instrument.fields) > 300  # the whole instrument, not a stub
    for f in instrument.fields:
        assert f.name == defined_name(f.id)
        sheet, ref = single_cell(essex_wb, f.name)
        assert sheet == f.sheet, f"{f.name} is on {sheet}, expected {f.sheet}"
        assert essex_wb[sheet][ref].protection.locked is False, f"{f.name} ({sheet}!{ref}) locked"


def test_no_two_answers_share_a_cell(instrument, essex_wb):
    cells = [single_cell(essex_wb, f.name) for f in instrument.fields]
    assert len(set(cells)) == len(cells)


def test_every_query_check_has_an_unlocked_explanation_cell_on_its_row(instrument, essex_wb):
    ws = essex_wb["Checks"]
    for check in instrument.checks.workbook_checks():
        if check.severity != "query":
            assert not destinations(essex_wb, check.explanation_name)
            continue
        sheet, ref = single_cell(essex_wb, check.explanation_name)
        assert sheet == "Checks"
        assert check.explanation_name.startswith("ie_explain_")
        assert ws[ref].protection.locked is False
        assert ws.cell(ws[ref].row, 1).value == check.code


def test_only_answer_and_explanation_cells_are_unlocked(instrument, essex_wb):
    named = answer_cells(essex_wb, instrument)
    for ws in essex_wb.worksheets:
        allowed = {ref for (sheet, ref) in named if sheet == ws.title}
        # An answer cell merged across columns: Excel takes the lock of its first cell.
        for merged in ws.merged_cells.ranges:
            first = merged.coord.split(":")[0]
            if first in allowed:
                allowed.update(cells_in(merged.coord))
        unlocked = {c.coordinate for c in ws._cells.values() if not c.protection.locked}
        assert unlocked - allowed == set(), f"unnamed unlocked cells on {ws.title}"
        for c in ws._cells.values():
            if c.coordinate not in allowed:
                assert c.protection.locked, f"{ws.title}!{c.coordinate} is unlocked"


# ---------------------------------------------------------------------------------------------
# Data validation on every answer cell
# ---------------------------------------------------------------------------------------------


def list_values(wb, formula: str) -> tuple[str, ...]:
    name = formula.lstrip("=")
    assert name.startswith("ie_list_"), f"list source {formula} is not an ie_list_ name"
    (sheet, ref), *rest = destinations(wb, name)
    assert not rest and sheet == "Lists", f"{name} should point into the Lists sheet"
    return tuple(str(wb[sheet][c].value) for c in cells_in(ref))


def assert_validation_fits(wb, f, dv) -> None:
    where = f"{f.name} ({f.type})"
    assert dv.showInputMessage and dv.prompt and dv.promptTitle, f"{where}: no input message"
    assert dv.showErrorMessage and dv.error and dv.errorTitle, f"{where}: no error alert"
    assert dv.errorStyle in (None, "stop"), f"{where}: error alert is {dv.errorStyle}, not stop"
    assert len(dv.prompt) <= MESSAGE_LIMIT and len(dv.error) <= MESSAGE_LIMIT, where
    assert len(dv.promptTitle) <= TITLE_LIMIT and len(dv.errorTitle) <= TITLE_LIMIT, where
    op = dv.operator or "between"  # an absent operator means "between" (ECMA-376)
    if f.type == "choice":
        assert dv.type == "list", where
        assert not dv.showDropDown, f"{where}: the in-cell dropdown arrow is hidden"
        assert list_values(wb, dv.formula1) == f.choices, where
    elif f.type == "whole":
        assert dv.type == "whole", where
        assert op in ("between", "greaterThanOrEqual"), where
        assert float(dv.formula1) == 0 == f.minimum, f"{where}: minimum is not 0"
        if f.maximum is not None:
            assert op == "between" and float(dv.formula2) == f.maximum, where
    elif f.type == "percent":
        assert dv.type == "decimal" and op == "between", where
        assert (float(dv.formula1), float(dv.formula2)) == (0, 100), where
    elif f.type == "decimal":
        assert dv.type == "decimal", where
    elif f.type in ("text", "long_text"):
        assert dv.type == "textLength" and op == "lessThanOrEqual", where
        assert int(dv.formula1) == f.max_length, where
    elif f.type == "date":
        assert dv.type == "date", where
    else:  # pragma: no cover - a new field type needs a line here
        pytest.fail(f"no expectation for field type {f.type}")


def test_every_answer_cell_has_a_validation_that_fits_its_type(instrument, essex_wb):
    covering = validations_by_cell(essex_wb)
    types_seen = set()
    for f in instrument.fields:
        sheet, ref = single_cell(essex_wb, f.name)
        dvs = covering.get((sheet, ref), [])
        assert len(dvs) == 1, f"{f.name} ({sheet}!{ref}) has {len(dvs)} validations"
        assert_validation_fits(essex_wb, f, dvs[0])
        types_seen.add(f.type)
    assert {"choice", "whole", "percent", "text", "long_text", "date"} <= types_seen


def test_reduced_level_lists_offer_only_the_levels_a_criterion_describes(instrument, essex_wb):
    # Every criterion offers its described levels plus "Not yet in place", from the Lists sheet.
    covering = validations_by_cell(essex_wb)
    for c in instrument.criteria:
        (dv,) = covering[single_cell(essex_wb, c.level.name)]
        offered = list_values(essex_wb, dv.formula1)
        assert offered[0] == "Not yet in place"
        assert set(offered[1:]) == set(c.descriptors)


# ---------------------------------------------------------------------------------------------
# Identity: names, document properties and the hidden sheet agree
# ---------------------------------------------------------------------------------------------


def test_identity_is_in_names_properties_and_sheet_for_every_council(
    settings, instrument, built, open_xlsx
):
    for b in built.workbooks:
        wb = open_xlsx(b.path)
        expected = expected_identity(settings, instrument, b.la)
        assert identity_from_names(wb) == expected, b.la.name
        assert identity_from_properties(wb) == expected, b.la.name
        assert identity_sheet_rows(wb) == expected, b.la.name


# ---------------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------------


def test_building_the_same_council_twice_gives_identical_files(
    settings, instrument, built, tmp_path
):
    essex = settings.la_by_name("Essex")
    first = built.for_la("Essex")
    # Rebuilt with the same issue token, the file is the same byte for byte ...
    again = build_workbooks(
        settings, tmp_path, [essex], instrument, tokens={essex.gss_code: first.token}
    )
    assert again[0].sha256 == first.sha256
    assert sha256(again[0].path.read_bytes()) == sha256(first.path.read_bytes())
    assert again[0].email.read_bytes() == first.email.read_bytes()
    assert workbook_bytes(instrument, settings, essex) == workbook_bytes(
        instrument, settings, essex
    )
    # ... and different councils give different files.
    assert len({b.sha256 for b in built.workbooks}) == len(built.workbooks)


def test_each_issued_workbook_carries_its_own_random_token(settings, instrument, built, tmp_path):
    from collate.contract import ISSUE_TOKEN

    tokens = [b.token for b in built.workbooks]
    assert len(set(tokens)) == len(tokens) and all(len(t) == 32 for t in tokens)
    with (built.folder / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["token"] for r in rows] == tokens
    wb = openpyxl.load_workbook(built.for_la("Essex").path, read_only=True)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    wb.close()
    assert props[ISSUE_TOKEN] == built.for_la("Essex").token
    # Building again gives new tokens, and the manifest still knows the first ones.
    essex = settings.la_by_name("Essex")
    shutil.copyfile(built.folder / "manifest.csv", tmp_path / "manifest.csv")
    again = build_workbooks(settings, tmp_path, [essex], instrument, emails=False)
    assert again[0].token != built.for_la("Essex").token
    with (tmp_path / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        kept = [r["token"] for r in csv.DictReader(fh)]
    assert kept[0] == again[0].token and set(tokens) <= set(kept)


# ---------------------------------------------------------------------------------------------
# What the LA sees: cover sheet, sample banner, printing
# ---------------------------------------------------------------------------------------------


def cover_facts(wb, instrument) -> dict[str, str]:
    ws = wb[instrument.sheet_names[0]]
    return {
        str(a.value): str(b.value)
        for a, b in ws.iter_rows(min_col=1, max_col=2)
        if a.value is not None and b.value is not None
    }


def test_cover_shows_council_codes_deadline_and_contact(settings, instrument, built, open_xlsx):
    for name in ("Essex", "Southend-on-Sea"):
        b = built.for_la(name)
        facts = cover_facts(open_xlsx(b.path), instrument)
        assert facts["Council"] == b.la.name
        assert facts["ONS code"] == b.la.gss_code
        assert facts["DfE local authority number"] == str(b.la.dfe_number)
        assert long_date(settings.deadline) in facts["Please return by"]
        contact = settings.contact
        for part in (contact.name, contact.role, contact.email):
            assert part in facts["Send it to"]


def test_sample_banner_only_on_sample_workbooks(settings, instrument, essex_wb):
    banner = "SYNTHETIC SAMPLE DATA"
    essex = settings.la_by_name("Essex")
    sample = openpyxl.load_workbook(
        io.BytesIO(workbook_bytes(instrument, settings, essex, sample=True))
    )
    visible = [*instrument.sheet_names, "Checks"]
    for name in visible:
        assert any(banner in t for t in texts(sample[name])), f"no banner on sample {name}"
        assert not any(banner in t for t in texts(essex_wb[name])), f"banner on real {name}"
    assert identity_from_properties(sample)["sample"] != "no"
    assert identity_from_properties(essex_wb)["sample"] == "no"
    # The banner moves rows down; the names still find every answer on its sheet.
    for f in instrument.fields:
        assert single_cell(sample, f.name)[0] == f.sheet


def test_visible_sheets_print_one_page_wide_within_a_print_area(instrument, essex_wb):
    for name in [*instrument.sheet_names, "Checks"]:
        ws = essex_wb[name]
        assert ws.print_area, f"{name} has no print area"
        area = ws.print_area.split("!")[-1].replace("$", "")
        min_col, min_row, max_col, max_row = range_boundaries(area)
        assert (min_col, min_row) == (1, 1)
        hidden = {
            i
            for dim in ws.column_dimensions.values()
            if dim.hidden
            for i in range(dim.min, dim.max + 1)
        }
        # Hidden helper columns (the Checks sheet's) are not printed, by design.
        used = [c for c in ws._cells.values() if c.value is not None and c.column not in hidden]
        assert max(c.row for c in used) <= max_row, f"{name}: text below the print area"
        assert max(c.column for c in used) <= max_col, f"{name}: text right of the print area"
        assert ws.sheet_properties.pageSetUpPr.fitToPage, f"{name} is not fitted to pages"
        # An absent fitToWidth means 1 (ECMA-376); 0 pages tall means "as many as needed".
        assert ws.page_setup.fitToWidth in (None, 1), name
        assert ws.page_setup.fitToHeight == 0, name


# ---------------------------------------------------------------------------------------------
# The command line: --la
# ---------------------------------------------------------------------------------------------


def test_cli_la_option_builds_only_those_councils(settings, tmp_path):
    result = CliRunner().invoke(
        build_templates_cli, ["--la", "Essex", "--la", "Luton", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    chosen = [settings.la_by_name(n) for n in ("Essex", "Luton")]
    assert {p.name for p in tmp_path.glob("*.xlsx")} == {
        workbook_name(la, settings) for la in chosen
    }
    assert {p.stem for p in (tmp_path / "emails").glob("*.eml")} == {"Essex", "Luton"}
    with (tmp_path / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        assert [r["la"] for r in csv.DictReader(fh)] == ["Essex", "Luton"]
    assert "Built 2 workbook(s)" in result.output


def test_cli_unknown_council_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(
        build_templates_cli, ["--la", "Essex", "--la", "Atlantis", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0
    assert "'Atlantis' is not one of this round's councils" in result.output
    assert "Essex" in result.output and "Thurrock" in result.output  # says which are
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("*.xlsx"))


def test_cli_council_named_twice_is_built_once(tmp_path):
    result = CliRunner().invoke(
        build_templates_cli, ["--la", "Essex", "--la", "essex", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        assert [r["la"] for r in csv.DictReader(fh)] == ["Essex"]


# ---------------------------------------------------------------------------------------------
# After a LibreOffice save (an LA using LibreOffice Calc)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lo_wb(lo_resaved, open_xlsx):
    return open_xlsx(lo_resaved)


def ie_names(wb) -> dict[str, list[tuple[str, str]]]:
    return {name: destinations(wb, name) for name in wb.defined_names if name.startswith("ie_")}


@pytest.mark.libreoffice
def test_libreoffice_keeps_every_defined_name_on_the_same_cell(essex_wb, lo_wb):
    before, after = ie_names(essex_wb), ie_names(lo_wb)
    assert len(before) > 400
    assert after == before


@pytest.mark.libreoffice
def test_libreoffice_keeps_validations_on_the_answer_cells(instrument, essex_wb, lo_wb):
    covering_before = validations_by_cell(essex_wb)
    covering = validations_by_cell(lo_wb)
    validated = 0
    for f in instrument.fields:
        cell = single_cell(lo_wb, f.name)
        dvs = covering.get(cell, [])
        assert len(dvs) == 1, f"{f.name} has {len(dvs)} validations after a LibreOffice save"
        assert dvs[0].type == covering_before[cell][0].type, f.name
        assert_validation_fits(lo_wb, f, dvs[0])
        validated += 1
    assert validated == len(instrument.fields)
    explanations = [c for c in instrument.checks.workbook_checks() if c.severity == "query"]
    for check in explanations:
        (dv,) = covering[single_cell(lo_wb, check.explanation_name)]
        assert dv.type == "textLength"


@pytest.mark.libreoffice
def test_libreoffice_keeps_answer_cells_unlocked_and_sheets_protected(instrument, lo_wb):
    for sheet, ref in answer_cells(lo_wb, instrument):
        assert lo_wb[sheet][ref].protection.locked is False, f"{sheet}!{ref} locked"
    for ws in lo_wb.worksheets:
        assert ws.protection.sheet, f"{ws.title} lost its protection"
    locked_labels = [
        c for c in lo_wb["Workforce"]._cells.values() if c.value and c.protection.locked
    ]
    assert locked_labels  # the wording stays locked


@pytest.mark.libreoffice
def test_libreoffice_keeps_the_identity(settings, instrument, lo_wb):
    expected = expected_identity(settings, instrument, settings.la_by_name("Essex"))
    assert identity_from_names(lo_wb) == expected
    assert identity_from_properties(lo_wb) == expected


@pytest.mark.libreoffice
def test_reader_identifies_a_libreoffice_saved_return(settings, instrument, lo_resaved):
    record = read_return(lo_resaved, instrument, settings)
    assert record.readable
    assert record.la is not None and record.la.name == "Essex"
    assert record.application.startswith("LibreOffice")
    assert [f.message for f in record.findings if f.code.startswith("FILE")] == []
    # An empty return: every finding is a required answer still missing, one per required field.
    assert {f.code for f in record.findings} == {"REQ01"}
    assert len(record.findings) == sum(f.required for f in instrument.fields)
