"""Per-field rules (collate/checks/field_rules.py): the workbook's validation and the collator's
reading of each answer come from the same bounds, so a value pasted over a cell's validation is
refused by the collator exactly where the workbook would have refused it."""

from __future__ import annotations

import datetime as dt
import io
import warnings

import openpyxl
import pytest

from collate.generator.build import workbook_bytes
from collate.intake.reader import read_return

EXCEL_EPOCH = dt.date(1899, 12, 30)


def _open(data: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data))


def _cell(wb, instrument, field_id):
    ((sheet, ref),) = list(wb.defined_names[instrument.field(field_id).name].destinations)
    return wb[sheet][ref.replace("$", "")]


def _validation(ws, coordinate):
    return next(dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref)


def test_a_date_from_1999_is_refused_by_the_workbook_and_by_the_collator(
    settings, instrument, tmp_path
):
    la = settings.local_authorities[0]
    wb = _open(workbook_bytes(instrument, settings, la))
    cell = _cell(wb, instrument, "cover.date_completed")
    # The workbook: the cell's validation stops any date before 2000 with the catalogue's words.
    dv = _validation(cell.parent, cell.coordinate)
    lo, hi = (EXCEL_EPOCH + dt.timedelta(days=int(x)) for x in (dv.formula1, dv.formula2))
    # (Excel leaves out "between" and "stop": they are the defaults.)
    assert (
        dv.type == "date" and dv.operator in (None, "between") and dv.errorStyle in (None, "stop")
    )
    assert lo == dt.date(2000, 1, 1) and hi == dt.date(2100, 12, 31)
    assert not lo <= dt.date(1999, 6, 1) <= hi
    assert dv.error == "Type a date between 01/01/2000 and 31/12/2100, for example 31/03/2026."

    # Pasted over the validation, the collator refuses it too, saying where and what to do.
    cell.value = dt.date(1999, 6, 1)
    path = tmp_path / "pasted.xlsx"
    wb.save(path)
    findings = read_return(path, instrument, settings).findings
    (f,) = [f for f in findings if f.field_id == "cover.date_completed"]
    assert (f.code, f.severity, f.sheet, f.cell) == (
        "VAL02",
        "error",
        cell.parent.title,
        cell.coordinate,
    )
    assert f.field == "Date you completed the return" and f.value == "01/06/1999"
    assert f.message == (
        "01/06/1999 is outside the dates this return can hold (01/01/2000 to 31/12/2100). "
        "Type the right date, such as 31/03/2026."
    )
    full = f.full_message
    assert "01/06/1999" in full and "Date you completed the return" in full


@pytest.mark.parametrize("field_type", ["whole", "percent", "date", "text", "long_text", "choice"])
def test_the_validation_and_the_reading_share_their_bounds(instrument, field_type):
    f = next(f for f in instrument.fields if f.type == field_type)
    rule = instrument.checks.field_rule(f)
    v = rule.validation("ie_list_x")
    words = instrument.checks.field_types[field_type]
    # The hint and the stop message are the catalogue's, with the field's own bounds.
    assert v["error_message"] == rule.stop() and v["input_message"].startswith(
        rule.hint().split("{")[0][:20]
    )
    assert words.stop.split("{")[0] in v["error_message"]
    if field_type in ("whole", "percent"):
        top = v.get("maximum", v.get("value"))
        assert rule.read(top).value == top
        if "maximum" in v:
            assert rule.read(top + 1).problems[0].kind == "out_of_range"
        assert rule.read(v.get("minimum", v.get("value")) - 1).problems[0].kind == "out_of_range"
    elif field_type == "date":
        assert rule.read(v["minimum"]).value == v["minimum"]
        assert rule.read(v["minimum"] - dt.timedelta(days=1)).problems[0].kind == "out_of_range"
        assert rule.read(v["maximum"] + dt.timedelta(days=1)).problems[0].kind == "out_of_range"
    elif field_type in ("text", "long_text"):
        assert rule.read("x" * v["value"]).value == "x" * v["value"]
        assert rule.read("x" * (v["value"] + 1)).problems[0].kind == "too_long"
    else:
        assert v["source"] == "=ie_list_x"
        assert rule.read(f.choices[0].upper()).value == f.choices[0]
        assert rule.read("Not an answer").problems[0].kind == "not_on_list"


def test_a_figure_with_no_upper_limit_has_none_in_the_workbook_or_the_collator(instrument):
    from collate.checks.field_rules import FieldRule
    from collate.instrument.model import Field

    f = Field("x.spend", "x", "Spend", "Spend on training", "decimal", required=False)
    rule = FieldRule(f, instrument.checks.field_types)
    v = rule.validation()
    assert (v["validate"], v["criteria"], v["value"]) == ("decimal", ">=", 0)
    assert v["error_message"] == v["input_message"] == "Type a number, 0 or more."
    assert rule.read(1e12).value == 1e12
    assert rule.read(-0.5).problems[0].context == {"minimum": "0", "maximum": "no upper limit"}
