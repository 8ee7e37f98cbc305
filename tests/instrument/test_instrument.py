"""The instrument as data: broken copies must be refused with a message that names the file and
the key at fault, and a new criterion, council or ethnicity code needs a change to data only.

Each test copies templates/ into a temporary folder and edits the copy as a programme manager
would edit the real one, in a text editor.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from collate.errors import InstrumentError, SettingsError
from collate.generator.build import build_workbooks, workbook_name
from collate.instrument.model import defined_name
from collate.load import load_instrument
from collate.settings import TEMPLATES, load_settings


def copy_templates(folder: Path) -> Path:
    copy = folder / "templates"
    shutil.copytree(TEMPLATES, copy)
    return copy


@pytest.fixture
def templates_copy(tmp_path) -> Path:
    return copy_templates(tmp_path)


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of text, as a person editing the file would."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} is not in {path.name}: the test needs updating"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_error(folder: Path) -> str:
    with pytest.raises(InstrumentError) as info:
        load_instrument(folder)
    return str(info.value)


# ---------------------------------------------------------------------------------------------
# Broken instruments: each message names the file and the key
# ---------------------------------------------------------------------------------------------

BROKEN = {
    # case: (file, text in it, replacement, words the message must contain)
    "unknown list": (
        "foundations.yaml",
        "list: scwres,",
        "list: scwres_status,",
        ["foundations.yaml", "'scwres'", "'scwres_status'"],
    ),
    "duplicate id": (
        "foundations.yaml",
        "{id: scwres_note,",
        "{id: scwres,",
        ["foundations.yaml", "foundations.scwres", "used twice"],
    ),
    "missing section file": (
        "instrument.yaml",
        "- workforce.yaml",
        "- work_force.yaml",
        ["work_force.yaml", "not found"],
    ),
    "check on an unknown field": (
        "checks.yaml",
        "field: foundations.edi_strategy_title",
        "field: foundations.edi_strategy_name",
        ["checks.yaml", "FND01", "foundations.edi_strategy_name"],
    ),
    "check with an unknown for_each set": (
        "checks.yaml",
        'for_each: {group: workforce_groups}\n    left: ["workforce.events.appointed.{group}"]',
        'for_each: {group: staff_groups}\n    left: ["workforce.events.appointed.{group}"]',
        ["checks.yaml", "WF02", "for_each", "'staff_groups'"],
    ),
    "check pattern matching no field": (
        "checks.yaml",
        '["workforce.events.appointed.{group}"]',
        '["workforce.events.hired.{group}"]',
        ["checks.yaml", "WF02", "workforce.events.hired.white"],
    ),
    "check message with an unknown placeholder": (
        "checks.yaml",
        "{left_value} {group_label} candidates appointed",
        "{left_value} {group_name} candidates appointed",
        ["checks.yaml", "WF02", "group_name"],
    ),
    "misspelt key in a check": (
        "checks.yaml",
        "  - code: WF02\n    severity: error",
        "  - code: WF02\n    severty: error",
        ["checks.yaml", "severty"],
    ),
    "ethnicity code in an unknown group": (
        "ethnicity.yaml",
        'label: "Chinese", group: Asian or Asian British',
        'label: "Chinese", group: Chinese',
        ["ethnicity.yaml", "CHNE", "'Chinese'"],
    ),
    "table copying columns from an unknown table": (
        "children_families.yaml",
        "columns_same_as: counts",
        "columns_same_as: count",
        ["children_families.yaml", "'totals'", "'count'"],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_instrument_is_refused_naming_file_and_key(templates_copy, case):
    file_name, old, new, words = BROKEN[case]
    folder = templates_copy / "instrument"
    edit(folder / file_name, old, new)
    message = load_error(folder)
    missing = [w for w in words if w not in message]
    assert missing == [], f"message does not mention {missing}:\n{message}"


def test_bad_field_type_is_refused_saying_which_types_are_allowed(templates_copy):
    folder = templates_copy / "instrument"
    edit(
        folder / "foundations.yaml",
        "type: choice, list: yes_no_developing, required: true}",
        "type: number, list: yes_no_developing, required: true}",
    )
    message = load_error(folder)
    assert "foundations.yaml" in message
    assert "type" in message
    # Says what is allowed, and does not blame models the item is not.
    assert "'long_text'" in message, message
    assert "HeadingSpec" not in message, message


def test_bad_field_type_is_refused(templates_copy):
    # What does hold today: the file is named and loading stops.
    folder = templates_copy / "instrument"
    edit(
        folder / "foundations.yaml",
        "type: choice, list: yes_no_developing, required: true}",
        "type: number, list: yes_no_developing, required: true}",
    )
    message = load_error(folder)
    assert "foundations.yaml" in message and "type" in message


def test_broken_settings_are_refused_naming_file_and_key(templates_copy):
    edit(templates_copy / "round.yaml", "gss_code: E10000012", "gss_code: E1000012")
    with pytest.raises(SettingsError) as info:
        load_settings(templates_copy / "round.yaml")
    message = str(info.value)
    for word in ("round.yaml", "local_authorities", "gss_code", "E1000012"):
        assert word in message, message


def test_the_real_instrument_loads(instrument):
    assert instrument.sheet_names[0] == "Cover"
    assert len(instrument.pledges) == 8
    assert len(instrument.ethnicity.children_codes) == 20


# ---------------------------------------------------------------------------------------------
# A change to data, not to Python: a new criterion, council and ethnicity code
# ---------------------------------------------------------------------------------------------

NEW_LA = {
    "name": "Testshire",
    "short_name": "Testshire",
    "gss_code": "E10000099",
    "dfe_number": 999,
}
NEW_CODE = {
    "code": "OARB",
    "label": "Arab",
    "group": "Other ethnic group",
    "detail": "Any other ethnic group",
}
NEW_CRITERION = {
    "id": "c6",
    "text": "Leaders publish what they have learned from the voices of global majority staff",
    "descriptors": {
        "developing": "Leaders hear from global majority staff now and then.",
        "established": "Leaders meet global majority staff every quarter and publish actions.",
        "leading": "Staff co-design the actions and report progress themselves.",
    },
}


def rewrite_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def extended_templates(tmp_path_factory) -> Path:
    return copy_templates(tmp_path_factory.mktemp("extended"))


@pytest.fixture(scope="module")
def extended(extended_templates, tmp_path_factory, open_xlsx):
    """The templates with one more criterion, council and ethnicity code, built in full."""
    templates_copy = extended_templates
    folder = templates_copy / "instrument"
    rewrite_yaml(
        folder / "diagnostic.yaml", lambda d: d["pledges"][0]["criteria"].append(NEW_CRITERION)
    )
    rewrite_yaml(folder / "ethnicity.yaml", lambda d: d["children_codes"].append(NEW_CODE))
    rewrite_yaml(templates_copy / "round.yaml", lambda d: d["local_authorities"].append(NEW_LA))
    settings = load_settings(templates_copy / "round.yaml")
    instrument = load_instrument(settings.instrument_folder)
    out = tmp_path_factory.mktemp("extended-build")
    built = build_workbooks(settings, out, instrument=instrument)
    new_la = settings.la_by_name("Testshire")
    wb = open_xlsx(out / workbook_name(new_la, settings))
    return settings, instrument, built, wb


def single_cell(wb, name: str) -> tuple[str, str]:
    dn = wb.defined_names.get(name)
    assert dn is not None, f"the workbook has no name {name}"
    (sheet, ref), *rest = dn.destinations
    assert not rest and ":" not in ref, f"{name} does not point at one cell"
    return sheet, ref.replace("$", "")


def test_extended_templates_are_read_from_the_copy(extended, extended_templates, instrument):
    settings, new_instrument, _, _ = extended
    assert settings.instrument_folder == (extended_templates / "instrument").resolve()
    assert new_instrument.fingerprint != instrument.fingerprint
    assert len(new_instrument.fields) == len(instrument.fields) + 2 + 5  # criterion + code row


def test_new_council_gets_its_own_workbook(extended):
    settings, _, built, wb = extended
    assert len(built) == 12
    assert [b.la.name for b in built][-1] == "Testshire"
    assert all(b.path.exists() for b in built)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["ie_la_code"] == "E10000099" and props["ie_la_name"] == "Testshire"
    cover = wb["Cover"]
    assert "Testshire" in [c.value for row in cover.iter_rows(max_col=2) for c in row]


def test_new_criterion_has_named_answer_cells_and_its_own_check(extended):
    _, instrument, _, wb = extended
    criterion = instrument.criteria[5]
    assert (criterion.key, criterion.ref) == ("p1.c6", "1.6")
    for part in ("level", "evidence"):
        sheet, ref = single_cell(wb, defined_name(f"diagnostic.p1.c6.{part}"))
        assert sheet == "Diagnostic"
        assert wb[sheet][ref].protection.locked is False
    row = wb["Diagnostic"][single_cell(wb, "ie_diagnostic_p1_c6_level")[1]].row
    assert wb["Diagnostic"].cell(row, 1).value == "1.6"
    assert wb["Diagnostic"].cell(row, 2).value == NEW_CRITERION["text"]
    check_ids = {c.id for c in instrument.checks.workbook_checks()}
    assert "DIA01.p1.c6" in check_ids
    sheet, _ = single_cell(wb, "ie_explain_dia01_p1_c6")
    assert sheet == "Checks"


def test_new_ethnicity_code_is_a_row_of_the_children_table_and_in_its_checks(extended):
    _, instrument, _, wb = extended
    ws = wb["Children and families"]
    stages = [c.id for c in instrument.table("children_families", "counts").columns]
    rows = set()
    for stage in stages:
        sheet, ref = single_cell(wb, f"ie_children_families_counts_oarb_{stage}")
        assert sheet == "Children and families"
        rows.add(ws[ref].row)
    (row,) = rows
    assert ws.cell(row, 1).value == "Arab (OARB)"
    # The table's Total row sums down to include the new row.
    total_row = next(r for r in range(row, ws.max_row + 1) if ws.cell(r, 1).value == "Total")
    assert total_row == row + 1
    first_total = ws.cell(total_row, 2).value
    assert first_total.startswith("=SUM(") and first_total.endswith(f"{row})")

    # CF01 (rows add up to the total) runs over the new row, in Python and on the sheet.
    cf01 = [c for c in instrument.checks.workbook_checks() if c.code == "CF01"]
    assert len(cf01) == len(stages)
    for check in cf01:
        stage = check.id.split(".")[1]
        assert f"children_families.counts.oarb.{stage}" in check.left
    referrals = next(c for c in cf01 if c.id == "CF01.referrals")
    values = {f: 0 for f in (*referrals.left, *referrals.right)}
    values["children_families.counts.oarb.referrals"] = 7
    assert referrals.evaluate(values).status == "fail"
    values["children_families.totals.all.referrals"] = 7
    assert referrals.evaluate(values).status == "ok"
    checks_ws = wb["Checks"]
    formulas = [
        str(checks_ws.cell(r, 2).value)
        for r in range(1, checks_ws.max_row + 1)
        if checks_ws.cell(r, 1).value == "CF01"
    ]
    assert len(formulas) == len(stages)
    for stage, formula in zip(stages, formulas, strict=True):
        assert f"ie_children_families_counts_oarb_{stage}" in formula


def test_completion_counts_grow_with_the_new_required_answers(extended, instrument, open_xlsx):
    _, new_instrument, built, wb = extended

    def required(ins, section):
        return sum(f.required for f in ins.section(section).fields())

    assert required(new_instrument, "diagnostic") == required(instrument, "diagnostic") + 1
    assert required(new_instrument, "children_families") == (
        required(instrument, "children_families") + 4  # early help is optional
    )
    settings, _, _, _ = extended
    new_la = settings.la_by_name("Testshire")
    ws = open_xlsx(built[-1].path.parent / workbook_name(new_la, settings), data_only=True)[
        "Checks"
    ]
    counts = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(1, 40)}
    assert counts["Diagnostic"] == required(new_instrument, "diagnostic")
    assert counts["Children and families"] == required(new_instrument, "children_families")


def test_the_sc_wres_indicators_are_named_once_in_their_own_order(instrument):
    """workforce.yaml names the nine indicators (7 in two parts) in their own order; the
    analysis, collated.xlsx and the report take the names from there."""
    assert list(instrument.indicators) == ["1", "2", "3", "4", "5", "6", "7a", "7b", "8", "9"]
    assert instrument.indicators["3"].name == (
        "Relative likelihood of entering the formal disciplinary process"
    )
