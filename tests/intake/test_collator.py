"""The collator on real files: good returns saved by Excel-style tools and by LibreOffice, a
never-opened workbook, and the corpus of broken returns in tests/broken.py.

Everything expensive happens once: the good round and the broken corpus are each built and
collated once per session, and every test looks at the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from broken import EXPECTED, SKIPPED, set_modified
from click.testing import CliRunner
from live import live_things

from collate.analysis.population import load_population
from collate.cli import main
from collate.intake.collation import ACCEPTED, MUST_RESUBMIT, NOT_RECEIVED, collate_folder
from collate.intake.manifest import load_manifest
from collate.run import RunResult, run_collation
from collate.samples.filler import fill_workbook
from collate.samples.libreoffice import resave_xlsx
from collate.samples.returns import answers_for, load_sample_answers
from collate.settings import ROOT

SAMPLES = ROOT / "sample_returns"

# The good round: who fills in the workbook, and with what.
TYPED_IN_EXCEL = ("Bedford", "Essex", "Norfolk", "Suffolk")  # saved by openpyxl, as Excel would
SAVED_BY_LIBREOFFICE = ("Cambridgeshire", "Luton")
NEVER_OPENED = "Hertfordshire"  # sent back exactly as generated
FILLED = TYPED_IN_EXCEL + SAVED_BY_LIBREOFFICE

# What a message must tell the council to do: it starts, or contains, an instruction.
IMPERATIVES = (
    "Fix",
    "Type",
    "Copy",
    "Choose",
    "Correct",
    "Remove",
    "Send",
    "Save",
    "Open",
    "Check",
    "Add",
    "Enter",
    "Fill",
    "Shorten",
    "explain",
    "Ask",
    "Tell",
)
IMPERATIVE = re.compile(r"\b(" + "|".join(IMPERATIVES) + r")\b", re.IGNORECASE)


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in `folder`: SHA-256 and modification time (ns)."""
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def typed(answers: dict[str, Any]) -> dict[str, Any]:
    """What the collator should read back for each answer typed (text is trimmed)."""
    out = {}
    for fid, value in answers.items():
        if isinstance(value, dt.datetime):
            value = value.date()
        elif isinstance(value, str):
            value = value.strip()
        out[fid] = value
    return out


def assert_values_equal(record_values: dict[str, Any], answers: dict[str, Any], who: str):
    expected = typed(answers)
    missing = sorted(set(expected) - set(record_values))
    extra = sorted(set(record_values) - set(expected))
    assert not missing, f"{who}: answers typed but not collated: {missing[:10]}"
    assert not extra, f"{who}: answers collated but never typed: {extra[:10]}"
    wrong = {}
    for fid, want in expected.items():
        got = record_values[fid]
        if isinstance(want, dt.date):
            ok = isinstance(got, dt.date) and not isinstance(got, dt.datetime) and got == want
        elif isinstance(want, float):
            ok = got == pytest.approx(want, rel=1e-12)
        else:
            ok = got == want and type(got) is type(want)
        if not ok:
            wrong[fid] = (want, got)
    assert not wrong, (
        f"{who}: {len(wrong)} collated value(s) differ from what was typed: "
        + "; ".join(f"{k}: typed {w!r}, collated {g!r}" for k, (w, g) in list(wrong.items())[:8])
    )


def collated_answers(path: Path) -> pd.DataFrame:
    """The 'All answers' sheet of collated.xlsx as a table (its title rows skipped)."""
    raw = pd.read_excel(path, sheet_name="All answers", header=None)
    header = raw.index[raw[0] == "la"][0]
    table = raw.iloc[header + 1 :].copy()
    table.columns = raw.iloc[header]
    return table


# ---------------------------------------------------------------------------------------------
# The good round


@pytest.fixture(scope="session")
def good_round(libreoffice, built, settings, instrument, tmp_path_factory):
    """Six councils' returns filled in as a council would, two saved through LibreOffice, one
    sent back never opened, four not sent; collated once with every output."""
    folder = tmp_path_factory.mktemp("good-returns")
    work = tmp_path_factory.mktemp("good-work")
    sample = load_sample_answers()
    population = load_population(settings.population_path, instrument.ethnicity)
    answers: dict[str, dict[str, Any]] = {}
    for name in FILLED:
        wb = built.for_la(name)
        la = wb.la
        answers[name] = answers_for(
            la,
            instrument,
            settings,
            sample,
            population[la.gss_code],
            random.Random(f"good-{la.gss_code}"),
        )
        if name in SAVED_BY_LIBREOFFICE:
            filled = fill_workbook(wb.path, work / wb.path.name, answers[name])
            shutil.copyfile(resave_xlsx(filled, work / "lo"), folder / wb.path.name)
        else:
            fill_workbook(wb.path, folder / wb.path.name, answers[name])
    shutil.copyfile(built.for_la(NEVER_OPENED).path, folder / built.for_la(NEVER_OPENED).path.name)
    before = snapshot(folder)
    out = tmp_path_factory.mktemp("good-out")
    result = run_collation(folder, out, settings, instrument, report=True)
    return folder, out, answers, result, before


def test_every_filled_return_is_accepted(good_round):
    _folder, _out, answers, result, _before = good_round
    statuses = {name: r.status for name, r in result.collation.results.items()}
    assert {name: statuses[name] for name in answers} == dict.fromkeys(answers, ACCEPTED)
    for name in FILLED:
        record = result.collation.results[name].record
        assert record.findings == [], f"{name}: {[f.full_message for f in record.findings]}"


@pytest.mark.parametrize("name", FILLED)
def test_every_collated_value_is_what_was_typed(good_round, name):
    _folder, _out, answers, result, _before = good_round
    record = result.collation.results[name].record
    assert_values_equal(record.values, answers[name], name)


def test_libreoffice_and_excel_style_saves_are_both_read(good_round):
    _folder, _out, _answers, result, _before = good_round
    apps = {name: result.collation.results[name].record.application for name in FILLED}
    for name in SAVED_BY_LIBREOFFICE:
        assert "LibreOffice" in apps[name], apps
    for name in TYPED_IN_EXCEL:
        assert "LibreOffice" not in apps[name], apps


def test_a_never_opened_workbook_must_be_resubmitted_for_every_required_answer(
    good_round, instrument
):
    _folder, _out, _answers, result, _before = good_round
    blank = result.collation.results[NEVER_OPENED]
    assert blank.status == MUST_RESUBMIT
    req = [f for f in blank.record.findings if f.code == "REQ01"]
    assert {f.field_id for f in req} == {f.id for f in instrument.fields if f.required}
    assert all(f.sheet and f.cell and f.field for f in req)
    assert blank.record.values == {}


def test_councils_with_no_file_are_not_received(good_round, settings):
    _folder, _out, answers, result, _before = good_round
    sent = set(answers) | {NEVER_OPENED}
    for la in settings.local_authorities:
        if la.name not in sent:
            assert result.collation.results[la.name].status == NOT_RECEIVED


def test_returned_files_are_never_modified(good_round):
    folder, _out, _answers, result, before = good_round
    assert "report.docx" in result.outputs, result.problems  # a full run, report included
    assert snapshot(folder) == before


def test_the_collated_workbook_holds_every_accepted_answer(good_round):
    _folder, out, answers, _result, _before = good_round
    table = collated_answers(out / "collated.xlsx")
    assert set(table["la"]) == set(answers)
    for name, typed_answers in answers.items():
        rows = table[table["la"] == name]
        assert set(rows["field_id"]) == set(typed_answers), name


def test_returns_table_has_one_row_per_council(good_round, settings, instrument):
    _folder, out, answers, result, _before = good_round
    table = pd.read_csv(out / "returns.csv", dtype=str, keep_default_na=False)
    assert list(table["la"]) == [la.name for la in settings.local_authorities]
    rows = table.set_index("la")
    for name in (*FILLED, NEVER_OPENED):
        row = rows.loc[name]
        record = result.collation.results[name].record
        assert row["received"] == "yes"
        assert row["file"] == record.file_name
        assert row["sha256"] == hashlib.sha256(record.path.read_bytes()).hexdigest()
        assert row["template_version"] == instrument.version
        assert int(row["errors"]) == len(record.errors)
        assert int(row["queries"]) == len(record.queries)
        assert row["status"] == (MUST_RESUBMIT if name == NEVER_OPENED else ACCEPTED)
    for name in SAVED_BY_LIBREOFFICE:
        assert "LibreOffice" in rows.loc[name, "application"]
    assert int(rows.loc[NEVER_OPENED, "errors"]) > 0
    for name in set(rows.index) - set(answers) - {NEVER_OPENED}:
        assert rows.loc[name, "status"] == NOT_RECEIVED
        assert rows.loc[name, "received"] == "no"
        assert rows.loc[name, "file"] == ""


# ---------------------------------------------------------------------------------------------
# The broken corpus


@pytest.fixture(scope="session")
def corpus_run(corpus, settings, instrument, tmp_path_factory) -> tuple[RunResult, Path, dict]:
    before = snapshot(corpus.folder)
    out = tmp_path_factory.mktemp("broken-out")
    manifest = load_manifest(corpus.manifest)
    result = run_collation(
        corpus.folder, out, settings, instrument, report=False, manifest=manifest
    )
    return result, out, before


def _findings(result: RunResult, file_name: str):
    return [f for r in result.collation.records if r.file_name == file_name for f in r.findings]


@pytest.mark.parametrize(
    ("file_name", "code"),
    [pytest.param(name, code, id=f"{code}-{name}") for name, code in EXPECTED.items()],
)
def test_each_broken_file_gives_its_finding(corpus, corpus_run, instrument, file_name, code):
    result, out, _before = corpus_run
    case = corpus.cases[file_name]
    findings = _findings(result, file_name)
    codes = [f.code for f in findings]
    assert code in codes, f"{file_name} ({case.why}): expected {code}, got {codes}"
    for extra in case.also:
        assert extra in codes, f"{file_name}: expected {extra} too, got {codes}"
    for f in (f for f in findings if f.code == code):
        text = f.full_message
        assert f.file == file_name
        assert file_name in text
        if case.sheet:
            assert f.sheet == case.sheet and f"sheet '{case.sheet}'" in text, text
        if case.cell:
            assert f.cell == case.cell and f"cell {case.cell}" in text, text
        if case.field_id:
            label = instrument.field(case.field_id).label
            assert label in text, text
            if code not in ("FILE16", "FILE25"):  # no cell to point at
                assert f.field_id == case.field_id and f.field == label
        if case.value:
            assert case.value in text, text
        assert IMPERATIVE.search(f.message), f"no instruction in: {f.message}"
        assert f.explanation == case.explanation
    if case.explanation:
        assert "QRY01" not in codes, "an explained query needs no further explanation"
    validation = pd.read_csv(out / "validation.csv", dtype=str, keep_default_na=False)
    rows = validation[(validation["file"] == file_name) & (validation["code"] == code)]
    assert len(rows) >= 1
    assert all(file_name in m for m in rows["message"])


def test_every_expected_code_is_in_the_catalogue(instrument):
    known = {r.code for r in instrument.checks.rules} | set(instrument.checks.file_checks)
    assert set(EXPECTED.values()) <= known


def test_good_returns_beside_broken_ones_are_accepted_and_collated(corpus, corpus_run):
    result, out, _before = corpus_run
    table = collated_answers(out / "collated.xlsx")
    for file_name, (la, answers) in corpus.good.items():
        la_result = result.collation.results[la]
        assert la_result.status == ACCEPTED, [f.full_message for f in la_result.findings]
        assert la_result.record.file_name == file_name
        assert_values_equal(la_result.record.values, answers, file_name)
        assert set(table.loc[table["la"] == la, "field_id"]) == set(answers)
    for older, newer in corpus.set_aside.items():
        kept = next(
            r for r in result.collation.results.values() if r.record and r.record.file_name == newer
        )
        assert [r.file_name for r in kept.set_aside] == [older]


def test_lock_and_hidden_files_are_skipped_silently(corpus, corpus_run):
    result, out, _before = corpus_run
    assert sorted(p.name for p in result.collation.skipped) == sorted(SKIPPED)
    assert not {r.file_name for r in result.collation.records} & set(SKIPPED)
    validation = pd.read_csv(out / "validation.csv", dtype=str, keep_default_na=False)
    assert not set(validation["file"]) & set(SKIPPED)
    # .hidden.xlsx is a copy of Bedford's return: had it been read, Bedford would have two.
    bedford = result.collation.results["Bedford"]
    assert SKIPPED[1] not in [r.file_name for r in bedford.set_aside]
    assert [r.file_name for r in bedford.set_aside] == ["borrowed identity.xlsx"]


def test_corpus_run_exits_1_and_writes_every_output(corpus, corpus_run, settings):
    result, out, before = corpus_run
    assert result.exit_code == 1
    assert not result.problems
    for name in (
        "validation.csv",
        "validation.xlsx",
        "returns.csv",
        "collated.xlsx",
        "collate.log",
    ):
        assert (out / name).stat().st_size > 0, name
    for la in settings.local_authorities:
        received = result.collation.results[la.name].record is not None
        # A council with no return gets a reminder, with no (empty) feedback workbook.
        assert (out / "feedback" / f"{la.slug}.xlsx").exists() == received, la.name
        assert (out / "feedback" / f"{la.slug}.eml").stat().st_size > 0, la.name
    assert snapshot(corpus.folder) == before


def test_nothing_in_any_output_is_live(corpus_run, good_round):
    for out in (corpus_run[1], good_round[1]):
        assert live_things(out) == []


def test_corpus_returns_table(corpus, corpus_run, settings):
    result, out, _before = corpus_run
    table = pd.read_csv(out / "returns.csv", dtype=str, keep_default_na=False)
    expected = [la.name for la in settings.local_authorities]
    assert [la for la in table["la"] if la in expected] == expected  # each council once
    rows = table[table["la"].isin(expected)].set_index("la")
    assert rows.loc[corpus.missing_la, "status"] == NOT_RECEIVED
    for la, r in result.collation.results.items():
        assert rows.loc[la, "status"] == r.status
        if r.record:
            assert rows.loc[la, "file"] == r.record.file_name
            assert rows.loc[la, "sha256"] == r.record.sha256
            assert int(rows.loc[la, "errors"]) == len(r.record.errors)
            assert int(rows.loc[la, "queries"]) == len(r.record.queries)
    unidentified = table[~table["la"].isin(expected)]
    assert set(unidentified["file"]) == {r.file_name for r in result.collation.unidentified}


def test_an_altered_identity_does_not_displace_another_councils_return(
    corpus, built, settings, instrument, tmp_path
):
    folder = tmp_path / "returns"
    folder.mkdir()
    shutil.copyfile(corpus.folder / "identity altered.xlsx", folder / "identity altered.xlsx")
    claimed = next(
        la
        for la in settings.local_authorities
        if la.gss_code == _sheet_code(folder / "identity altered.xlsx")
    )
    answers = answers_for(
        claimed,
        instrument,
        settings,
        load_sample_answers(),
        load_population(settings.population_path, instrument.ethnicity)[claimed.gss_code],
        random.Random(f"claimed-{claimed.gss_code}"),
    )
    good = fill_workbook(built.for_la(claimed.name).path, folder / "good.xlsx", answers)
    set_modified(good, dt.datetime(2027, 1, 10, 9, 0))
    set_modified(folder / "identity altered.xlsx", dt.datetime(2027, 1, 20, 9, 0))
    result = collate_folder(folder, settings, instrument).results[claimed.name]
    assert result.record.file_name == "good.xlsx"
    assert result.status == ACCEPTED


def _sheet_code(path: Path) -> str:
    """The council code on a workbook's Identity sheet."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        ((sheet, ref),) = wb.defined_names["ie_meta_la_code"].destinations
        return str(wb[sheet][ref.replace("$", "")].value)
    finally:
        wb.close()


# ---------------------------------------------------------------------------------------------
# Exit codes


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir()
    for path in SAMPLES.glob("*.xlsx"):
        shutil.copy2(path, folder / path.name)
    return folder


def test_exit_0_when_every_council_is_accepted(sample_copy, tmp_path):
    res = CliRunner().invoke(
        main, [str(sample_copy), "--out", str(tmp_path / "out"), "--no-report"]
    )
    assert res.exit_code == 0, res.output
    assert "11 councils expected: 10 accepted, 1 accepted with queries" in res.output


def test_exit_1_when_any_is_missing_or_must_resubmit(good_round, tmp_path):
    folder = good_round[0]
    res = CliRunner().invoke(
        main, ["run", str(folder), "--out", str(tmp_path / "out"), "--no-report"]
    )
    assert res.exit_code == 1, res.output
    assert f"{NEVER_OPENED}: {MUST_RESUBMIT}" in res.output


def test_exit_2_for_a_folder_that_does_not_exist(tmp_path):
    res = CliRunner().invoke(
        main, [str(tmp_path / "no such folder"), "--out", str(tmp_path / "out")]
    )
    assert res.exit_code == 2
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", ["one blank return", "no such folder"])
def test_exit_codes_from_python_dash_m(built, tmp_path, case):
    folder = tmp_path / "returns"
    if case == "one blank return":
        folder.mkdir()
        shutil.copyfile(built.for_la("Essex").path, folder / "Essex.xlsx")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "collate",
            str(folder),
            "--out",
            str(tmp_path / "out"),
            "--no-report",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == (1 if folder.exists() else 2), proc.stdout + proc.stderr
    if folder.exists():
        assert "Essex: must resubmit" in proc.stdout
    else:
        assert "does not exist" in proc.stderr
