"""The inbox: whatever a council sends, the collator says what it is and what to do."""

from __future__ import annotations

import shutil
from pathlib import Path

from collate.intake.collation import collate_folder
from collate.settings import ROOT

SAMPLES = ROOT / "sample_returns"


def _codes(collation, file_name: str) -> list[str]:
    return [f.code for r in collation.records if r.file_name == file_name for f in r.findings]


def test_a_file_that_cannot_be_read_from_the_disk_is_reported(
    settings, instrument, tmp_path, monkeypatch
):
    folder = tmp_path / "returns"
    folder.mkdir()
    sample = sorted(SAMPLES.glob("*.xlsx"))[0]
    shutil.copyfile(sample, folder / "locked by Excel.xlsx")
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "locked by Excel.xlsx":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    collation = collate_folder(folder, settings, instrument)
    assert _codes(collation, "locked by Excel.xlsx") == ["FILE18"]
    (finding,) = [f for r in collation.records for f in r.findings]
    assert "Permission denied" in finding.full_message
    assert "close it" in finding.message


# ---------------------------------------------------------------------------------------------
# Which return counts


def _sample(la: str) -> Path:
    return next(SAMPLES.glob(f"SAMPLE_{la}_*.xlsx"))


def _set_aside(collation, la: str) -> dict[str, list]:
    result = collation.results[la]
    return {r.file_name: r.findings for r in result.set_aside}


def test_identical_copies_are_duplicates_not_older_versions(settings, instrument, tmp_path):
    folder = tmp_path / "returns"
    folder.mkdir()
    shutil.copyfile(_sample("Essex"), folder / "Essex.xlsx")
    shutil.copyfile(_sample("Essex"), folder / "Essex (copy).xlsx")
    collation = collate_folder(folder, settings, instrument)
    result = collation.results["Essex"]
    assert result.usable
    ((name, findings),) = _set_aside(collation, "Essex").items()
    assert [f.code for f in findings] == ["FILE29"]
    assert "identical copy" in findings[0].message
    assert "more recently" not in findings[0].message
    assert result.record.file_name in findings[0].message


def _variant(path: Path, target: Path, when) -> Path:
    """A copy of a return with its last-saved time set, and different bytes."""
    from broken import set_modified

    shutil.copyfile(path, target)
    set_modified(target, when)
    return target


def test_a_tie_in_save_time_is_explained_truthfully(settings, instrument, tmp_path):
    import datetime as dt
    import os

    folder = tmp_path / "returns"
    folder.mkdir()
    when = dt.datetime(2027, 1, 20, 9, 0)
    a = _variant(_sample("Essex"), folder / "Essex A.xlsx", when)
    b = folder / "Essex B.xlsx"
    # Same save time, different contents (a byte of the zip comment differs).
    shutil.copyfile(a, b)
    import zipfile

    with zipfile.ZipFile(b, "a") as z:
        z.comment = b"second"
    os.utime(a, (1_800_000_000, 1_800_000_000))
    os.utime(b, (1_800_000_100, 1_800_000_100))
    collation = collate_folder(folder, settings, instrument)
    assert collation.results["Essex"].record.file_name == "Essex B.xlsx"
    (findings,) = _set_aside(collation, "Essex").values()
    (finding,) = findings
    assert finding.code == "FILE11"
    assert "saved at the same moment (20/01/2027 09:00:00)" in finding.message
    assert "put in the returns folder later" in finding.message
    assert "more recently" not in finding.message


def test_a_save_time_in_the_future_does_not_win(settings, instrument, tmp_path):
    import datetime as dt

    folder = tmp_path / "returns"
    folder.mkdir()
    _variant(_sample("Essex"), folder / "first go.xlsx", dt.datetime(2099, 1, 1, 12, 0))
    _variant(_sample("Essex"), folder / "corrected.xlsx", dt.datetime(2026, 1, 20, 9, 0))
    collation = collate_folder(folder, settings, instrument)
    assert collation.results["Essex"].record.file_name == "corrected.xlsx"
    (finding,) = _set_aside(collation, "Essex")["first go.xlsx"]
    assert finding.code == "FILE11"
    assert "is in the future" in finding.message and "01/01/2099" in finding.message


# ---------------------------------------------------------------------------------------------
# Subfolders and every file accounted for


def test_files_in_subfolders_are_listed_with_why_they_were_not_read(settings, instrument, tmp_path):
    import pandas as pd

    from collate.run import run_collation

    folder = tmp_path / "returns"
    (folder / "late ones" / "deeper").mkdir(parents=True)
    (folder / ".trash").mkdir()
    shutil.copyfile(_sample("Essex"), folder / "Essex.xlsx")
    shutil.copyfile(_sample("Luton"), folder / "late ones" / "Luton.xlsx")
    shutil.copyfile(_sample("Norfolk"), folder / "late ones" / "deeper" / "Norfolk.xlsx")
    shutil.copyfile(_sample("Suffolk"), folder / ".trash" / "Suffolk.xlsx")
    out = tmp_path / "out"
    result = run_collation(folder, out, settings, instrument, report=False)
    assert result.collation.results["Essex"].usable
    listed = [p.relative_to(folder).as_posix() for p in result.collation.in_subfolders]
    assert listed == ["late ones/Luton.xlsx", "late ones/deeper/Norfolk.xlsx"]
    log = (out / "collate.log").read_text(encoding="utf-8")
    assert "not read late ones/Luton.xlsx: it is in a subfolder" in log
    table = pd.read_csv(out / "returns.csv", dtype=str, keep_default_na=False)
    rows = table[table["status"] == "not read"]
    assert list(rows["file"]) == listed
    assert all("move it into the returns folder" in p for p in rows["problem"])


# ---------------------------------------------------------------------------------------------
# Identity that cannot be borrowed


def _filled(built, la_name: str, settings, instrument, target: Path) -> Path:
    import random

    from collate.analysis.population import load_population
    from collate.samples.filler import fill_workbook
    from collate.samples.returns import answers_for, load_sample_answers

    issued = built.for_la(la_name)
    population = load_population(settings.population_path, instrument.ethnicity)
    answers = answers_for(
        issued.la,
        instrument,
        settings,
        load_sample_answers(),
        population[issued.la.gss_code],
        random.Random(f"token-{issued.la.gss_code}"),
    )
    return fill_workbook(issued.path, target, answers)


def _retarget(path: Path, la) -> None:
    """Rewrite a workbook's identity, everywhere it is stored, to another council's."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    values = {"la_name": la.name, "la_code": la.gss_code, "dfe_number": str(la.dfe_number)}
    for key, value in values.items():
        ((sheet, ref),) = wb.defined_names["ie_meta_" + key].destinations
        wb[sheet][ref.replace("$", "")] = value
        for prop in wb.custom_doc_props.props:
            if prop.name == f"ie_{key}":
                prop.value = value
    wb.save(path)


def test_a_workbook_rewritten_to_another_council_never_displaces_its_return(
    built, settings, instrument, tmp_path
):
    import datetime as dt

    from broken import set_modified

    from collate.intake.manifest import load_manifest

    folder = tmp_path / "returns"
    folder.mkdir()
    genuine = _filled(built, "Essex", settings, instrument, folder / "Essex.xlsx")
    forged = _filled(built, "Luton", settings, instrument, folder / "Essex (final).xlsx")
    _retarget(forged, settings.la_by_name("Essex"))
    set_modified(genuine, dt.datetime(2027, 1, 10, 9, 0))
    set_modified(forged, dt.datetime(2027, 1, 20, 9, 0))  # the forgery is newer
    manifest = load_manifest(built.folder / "manifest.csv")
    collation = collate_folder(folder, settings, instrument, manifest=manifest)
    essex = collation.results["Essex"]
    assert essex.record.file_name == "Essex.xlsx"
    assert essex.usable, [f.full_message for f in essex.findings]
    codes = _codes(collation, "Essex (final).xlsx")
    assert "FILE28" in codes and "FILE11" in codes
    message = next(f.message for r in collation.records for f in r.findings if f.code == "FILE28")
    assert "sent to Luton" in message and "Essex's return" in message


def test_a_workbook_that_was_never_issued_is_flagged_when_a_manifest_is_given(
    built, settings, instrument, tmp_path
):
    from collate.generator.build import workbook_bytes
    from collate.intake.manifest import load_manifest
    from collate.samples.filler import fill_workbook

    folder = tmp_path / "returns"
    folder.mkdir()
    essex = settings.la_by_name("Essex")
    blank = tmp_path / "unissued.xlsx"
    blank.write_bytes(workbook_bytes(instrument, settings, essex))  # no issue token
    fill_workbook(blank, folder / "Essex.xlsx", {})
    manifest = load_manifest(built.folder / "manifest.csv")
    with_manifest = collate_folder(folder, settings, instrument, manifest=manifest)
    assert "FILE27" in _codes(with_manifest, "Essex.xlsx")
    without = collate_folder(folder, settings, instrument)
    assert "FILE27" not in _codes(without, "Essex.xlsx")


def test_the_issue_token_survives_a_libreoffice_save(lo_resaved, built, settings, instrument):
    from collate.intake.manifest import load_manifest
    from collate.intake.reader import read_return

    record = read_return(
        lo_resaved, instrument, settings, manifest=load_manifest(built.folder / "manifest.csv")
    )
    assert record.token == built.for_la("Essex").token
    assert not {"FILE27", "FILE28"} & {f.code for f in record.findings}


# ---------------------------------------------------------------------------------------------
# A file that cannot be identified


def test_a_council_whose_file_cannot_be_read_is_not_told_it_sent_nothing(
    settings, instrument, tmp_path
):
    import email
    import email.policy

    import pandas as pd
    from click.testing import CliRunner

    from collate.cli import main

    folder = tmp_path / "returns"
    folder.mkdir()
    shutil.copyfile(_sample("Essex"), folder / "Essex.xlsx")
    (folder / "Southend return 2026.xlsx").write_bytes(b"%PDF-1.7\n%%EOF\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [str(folder), "--out", str(out), "--no-report"])
    assert res.exit_code == 1, res.output
    assert "ATTENTION: 1 file(s) could not be matched to a council" in res.output
    assert "Southend return 2026.xlsx [named Southend-on-Sea]: FILE19" in res.output
    message = email.message_from_bytes(
        (out / "feedback" / "Southend-on-Sea.eml").read_bytes(), policy=email.policy.default
    )
    body = message.get_body(("plain",)).get_content()
    assert "not received" not in message["Subject"].lower()
    assert "not yet received" not in body
    assert "could not use" in body and "This file is a PDF" in body
    # A council with nothing in the folder still gets the plain reminder.
    other = email.message_from_bytes(
        (out / "feedback" / "Luton.eml").read_bytes(), policy=email.policy.default
    )
    assert "not yet received" in other.get_body(("plain",)).get_content()
    table = pd.read_csv(out / "returns.csv", dtype=str, keep_default_na=False).set_index("la")
    assert "Southend return 2026.xlsx (FILE19" in table.loc["Southend-on-Sea", "problem"]
    assert table.loc["(council not identified)", "problem"].startswith("FILE19")


def test_council_names_are_found_in_file_names_as_whole_words(settings):
    from collate.intake.collation import councils_named_in

    def named(file_name: str) -> list[str]:
        return [la.name for la in councils_named_in(file_name, settings.local_authorities)]

    assert named("Central_Bedfordshire_return.pdf") == ["Central Bedfordshire"]
    assert named("Bedford final.docx") == ["Bedford"]
    assert named("southend-on-sea.csv") == ["Southend-on-Sea"]
    assert named("our figures.pdf") == []


# ---------------------------------------------------------------------------------------------
# Limits are settings


def test_limits_are_settings_with_documented_defaults(settings):
    from collate.settings import IntakeSettings

    assert settings.intake == IntakeSettings(
        max_file_mb=50,
        max_unpacked_mb=250,
        max_zip_members=1000,
        max_cells=1_000_000,
        max_seconds_per_file=60,
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in IntakeSettings.model_fields:
        assert f"`{key}`" in readme, key


def test_each_limit_stops_a_file_with_a_coded_finding(settings, instrument, tmp_path):
    from collate.intake.reader import read_return
    from collate.settings import IntakeSettings

    path = tmp_path / "Essex.xlsx"
    shutil.copyfile(_sample("Essex"), path)
    cases = {
        "max_file_mb": (0.01, "FILE17", "MB on disk"),
        "max_unpacked_mb": (0.2, "FILE17", "unpacks to"),
        "max_zip_members": (5, "FILE17", "parts"),
        "max_cells": (100, "FILE30", "more than 100 cells"),
        "max_seconds_per_file": (1e-9, "FILE30", "seconds to read"),
    }
    for key, (limit, code, words) in cases.items():
        tight = settings.model_copy(update={"intake": IntakeSettings(**{key: limit})})
        record = read_return(path, instrument, tight)
        codes = [f.code for f in record.findings]
        assert codes == [code], (key, codes)
        assert words in record.findings[0].message, (key, record.findings[0].message)
        assert not record.values
