"""The whole round on the shipped synthetic sample returns: the toolkit's main job."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from collate.analysis.round import analyse_collation
from collate.generator.layout import SAMPLE_BANNER
from collate.intake.collation import collate_folder
from collate.run import run_collation
from collate.settings import ROOT

SAMPLES = ROOT / "sample_returns"

# The regional snapshot of the January 2026 report (seeds/000), which the samples follow.
SCWRES_YES = {
    "Southend-on-Sea",
    "Essex",
    "Peterborough",
    "Thurrock",
    "Hertfordshire",
    "Norfolk",
    "Suffolk",
    "Cambridgeshire",
}
SCWRES_NO = {"Luton", "Central Bedfordshire", "Bedford"}
PROCUREMENT = {
    "Strong alignment (explicit anti-racist standards)": {
        "Hertfordshire",
        "Norfolk",
        "Suffolk",
        "Peterborough",
    },
    "Partial alignment / EDI themes present": {
        "Central Bedfordshire",
        "Cambridgeshire",
        "Thurrock",
        "Luton",
    },
    "Not yet aligned / in development": {"Southend-on-Sea", "Essex", "Bedford"},
}


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, settings, instrument):
    folder = tmp_path_factory.mktemp("returns")
    for path in SAMPLES.glob("*.xlsx"):
        shutil.copy2(path, folder / path.name)
    out = tmp_path_factory.mktemp("outputs")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    result = run_collation(folder, out, settings, instrument)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    return result, out, before, after


def test_every_sample_is_accepted_and_thurrock_has_its_query(sample_run):
    result, _out, _before, _after = sample_run
    statuses = {name: r.status for name, r in result.collation.results.items()}
    assert len(statuses) == 11
    assert statuses.pop("Thurrock") == "accepted with queries"
    assert set(statuses.values()) == {"accepted"}
    thurrock = result.collation.results["Thurrock"].record
    assert [f.code for f in thurrock.queries if f.code.startswith("DIA")] == ["DIA01"]
    assert result.exit_code == 0
    assert not result.problems


def test_returns_are_never_modified(sample_run):
    _result, _out, before, after = sample_run
    assert before == after


def test_every_output_is_written(sample_run):
    _result, out, _b, _a = sample_run
    for name in (
        "returns.csv",
        "validation.csv",
        "validation.xlsx",
        "collated.xlsx",
        "scores.csv",
        "report.docx",
        "collate.log",
    ):
        assert (out / name).stat().st_size > 0, name
    for la in ("Essex", "Southend-on-Sea", "Central_Bedfordshire"):
        assert (out / "feedback" / f"{la}.xlsx").exists()
        assert (out / "feedback" / f"{la}.eml").exists()
    returns = pd.read_csv(out / "returns.csv")
    assert len(returns) == 11
    assert set(returns["status"]) == {"accepted", "accepted with queries"}


def test_at_least_two_samples_were_saved_by_libreoffice(sample_run):
    result, *_ = sample_run
    apps = [r.record.application for r in result.collation.results.values()]
    assert sum("LibreOffice" in a for a in apps) >= 2


def test_snapshot_reproduces_the_january_2026_report(settings, instrument):
    collation = collate_folder(SAMPLES, settings, instrument)
    f = analyse_collation(collation).foundations.set_index("la")
    assert set(f.index[f["scwres"] == "Yes"]) == SCWRES_YES
    assert set(f.index[f["scwres"] == "No"]) == SCWRES_NO
    for band, las in PROCUREMENT.items():
        assert set(f.index[f["procurement"] == band]) == las, band
    assert f.loc["Essex", "induction_status"] == "Compulsory specialist-led anti-racist induction"
    assert f.loc["Cambridgeshire", "induction_status"] in (
        "No anti-racist induction offer yet",
        "Anti-racist induction being developed or reviewed",
    )
    assert f.loc["Hertfordshire", "induction_status"] == (
        "General equality and diversity induction only"
    )
    assert set(f.index[f["pledge_adopted"] == "Yes"]) == set(f.index)


def test_every_sample_sheet_says_synthetic():
    for path in sorted(SAMPLES.glob("*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True)
        for name in wb.sheetnames:
            if name in ("Lists", "Identity"):
                continue
            text = [c for row in wb[name].iter_rows(max_row=4, values_only=True) for c in row]
            assert SAMPLE_BANNER in text, f"{path.name}: sheet {name} lacks the banner"
        wb.close()


def test_collated_workbook_keeps_every_typed_value(sample_run):
    result, out, *_ = sample_run
    answers = pd.read_excel(out / "collated.xlsx", sheet_name="All answers", header=4, dtype=object)
    essex = result.collation.results["Essex"].record.values
    rows = answers[answers["la"] == "Essex"].set_index("field_id")["value"]
    assert len(rows) == len(essex)
    for fid, value in essex.items():
        found = rows[fid]
        if isinstance(value, (int, float)):
            assert float(found) == pytest.approx(float(value)), fid
        elif hasattr(value, "isoformat"):
            assert str(found)[:10] == value.isoformat(), fid
        else:
            assert str(found) == str(value), fid


def test_every_sheet_of_the_collated_workbook_is_marked_not_for_publication(sample_run):
    _result, out, *_ = sample_run
    wb = openpyxl.load_workbook(out / "collated.xlsx", read_only=True)
    for ws in wb.worksheets:
        top = [c for row in ws.iter_rows(max_row=3, values_only=True) for c in row if c]
        assert any("NOT FOR PUBLICATION" in str(c) for c in top), ws.title
        assert any("SYNTHETIC SAMPLE DATA" in str(c) for c in top), ws.title


def test_samples_match_the_current_instrument(instrument):
    for path in sorted(Path(SAMPLES).glob("*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True)
        props = {p.name: p.value for p in wb.custom_doc_props.props}
        wb.close()
        assert props["ie_instrument_version"] == instrument.version, (
            f"{path.name} was made from another template version: run "
            "python sample_returns/source/make_samples.py"
        )
