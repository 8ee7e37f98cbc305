"""Nothing a council sends can run in what the collator writes.

Hostile text goes in through every door (answers, an explanation, file names and the file's own
properties), the collator writes every output, and every cell of every workbook and every field
of every CSV file is looked at: no formula, no link, no field a spreadsheet would run.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from broken import _rewrite_zip
from live import live_things

from collate.analysis.population import load_population
from collate.instrument.model import defined_name
from collate.outputs.safe import csv_safe, is_csv_safe
from collate.run import run_collation
from collate.samples.filler import fill_workbook
from collate.samples.returns import answers_for, load_sample_answers

LINK = '=HYPERLINK("http://evil.example","click")'
HOSTILE_NAME = "=1+2 return.xlsx"


def test_csv_fields_that_could_run_get_a_quote_and_keep_every_word():
    for text in ("=1+2", "+SUM(1,2)", "-2+3", "@SUM(1,1)", "\t=1", "\r=1", LINK):
        assert csv_safe(text) == "'" + text
        assert is_csv_safe(csv_safe(text))
    for text in ("Yes", "12", "-5", "1.5", "", "a=b", " =1"):
        assert csv_safe(text) == text
    assert csv_safe(-5) == -5


def _answers(la, instrument, settings):
    population = load_population(settings.population_path, instrument.ethnicity)
    return answers_for(
        la,
        instrument,
        settings,
        load_sample_answers(),
        population[la.gss_code],
        random.Random(f"hostile-{la.gss_code}"),
    )


def _set_properties(path: Path, saved_by: str, application: str) -> None:
    def change(name: str, data: bytes) -> bytes | None:
        if name == "docProps/core.xml":
            data = re.sub(rb"<cp:lastModifiedBy>[^<]*</cp:lastModifiedBy>", b"", data)
            return data.replace(
                b"</cp:coreProperties>",
                b"<cp:lastModifiedBy>" + saved_by.encode() + b"</cp:lastModifiedBy>"
                b"</cp:coreProperties>",
            )
        if name == "docProps/app.xml":
            return re.sub(
                rb"<Application>[^<]*</Application>",
                b"<Application>" + application.encode() + b"</Application>",
                data,
            )
        return None

    _rewrite_zip(path, path, change, {})


@pytest.fixture(scope="module")
def hostile_run(built, settings, instrument, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-returns")
    # Essex: accepted answers that start like formulas and links, a formula as an explanation,
    # a file name that is a formula and properties that are formulas.
    essex = built.for_la("Essex")
    answers = _answers(essex.la, instrument, settings)
    answers["cover.signed_off_by"] = "+SUM(1,2) Director"
    answers["foundations.scwres_note"] = "@SUM(1,1) all staff"
    answers["foundations.edi_strategy_title"] = "-2+3 strategy, 2024 to 2027"
    answers["foundations.highlights"] = "http://evil.example/x"
    level = next(
        k
        for k, v in answers.items()
        if k.endswith(".level")
        and v in ("Developing", "Established", "Leading")
        and k.replace(".level", ".evidence") in answers
    )
    evidence = level.replace(".level", ".evidence")
    answers.pop(evidence)
    check = next(c for c in instrument.checks.checks if c.primary_field == evidence)
    path = fill_workbook(essex.path, folder / HOSTILE_NAME, answers, {check.explanation_name: LINK})
    _set_properties(path, "=cmd|' /C calc'!A0", "+cmd|' /C calc'!A0")
    # Luton: a formula typed as an answer (must resubmit), in a file whose name starts with "-".
    luton = built.for_la("Luton")
    answers = _answers(luton.la, instrument, settings)
    answers["cover.respondent_role"] = LINK
    fill_workbook(luton.path, folder / "-1+1 Luton.xlsx", answers)
    # A file nobody can identify, named like a formula.
    (folder / "@SUM(1,1) notes.pdf").write_bytes(b"%PDF-1.4\n%hostile\n")
    out = tmp_path_factory.mktemp("hostile-out")
    result = run_collation(folder, out, settings, instrument, report=True)
    return out, result


def test_every_output_is_written(hostile_run):
    out, result = hostile_run
    assert not result.problems
    for name in ("returns.csv", "validation.csv", "validation.xlsx", "collated.xlsx", "scores.csv"):
        assert (out / name).is_file(), name
    assert (out / "report.docx").is_file()


def test_no_output_holds_a_formula_link_or_dangerous_field(hostile_run):
    out, _result = hostile_run
    assert live_things(out) == []


def test_the_hostile_text_arrives_as_text(hostile_run, settings):
    out, result = hostile_run
    essex = result.collation.results["Essex"]
    assert essex.record.file_name == HOSTILE_NAME
    assert essex.usable, [f.full_message for f in essex.findings]
    wb = openpyxl.load_workbook(out / "validation.xlsx", read_only=True)
    texts = {
        c
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    }
    wb.close()
    assert LINK in texts  # the explanation and Luton's answer, word for word
    assert any(HOSTILE_NAME in t for t in texts)
    returns = pd.read_csv(out / "returns.csv", dtype=str, keep_default_na=False)
    row = returns.set_index("la").loc["Essex"]
    assert row["file"] == "'" + HOSTILE_NAME
    assert row["last_saved_by"] == "'=cmd|' /C calc'!A0"
    assert row["application"].startswith("'+cmd")
    feedback = openpyxl.load_workbook(out / "feedback" / "Essex.xlsx", read_only=True)
    cells = [c for ws in feedback.worksheets for r in ws.iter_rows(values_only=True) for c in r]
    feedback.close()
    assert LINK in cells
    assert HOSTILE_NAME in cells
    collated = pd.read_excel(out / "collated.xlsx", sheet_name="All answers", header=None)
    assert (collated == "http://evil.example/x").any().any()
    assert (collated == "+SUM(1,2) Director").any().any()


def test_the_check_catalogue_exports_are_safe(tmp_path):
    from click.testing import CliRunner

    from collate.cli import main

    for fmt in ("csv", "xlsx"):
        res = CliRunner().invoke(
            main, ["rules", "--format", fmt, "--out", str(tmp_path / f"c.{fmt}")]
        )
        assert res.exit_code == 0, res.output
    assert live_things(tmp_path) == []


def test_defined_name_helper_is_the_fillers(instrument):
    # The hostile run types into cells by the instrument's names; make sure they exist.
    assert defined_name("cover.signed_off_by").startswith("ie_")


def test_text_is_cleaned_before_it_is_checked():
    from collate.intake.cleaning import clean_text

    assert clean_text("Yes\u200b").text == "Yes"
    assert clean_text("Yes\u200b").hidden == ("zero width space (U+200B)",)
    assert clean_text(' \t=HYPERLINK("x")\r\n').text == '=HYPERLINK("x")'
    assert clean_text("e\u0301te\u0301").text == "\u00e9t\u00e9"  # NFC
    assert clean_text("\u202eevil\x07").hidden == (
        "right-to-left override (U+202E)",
        "control character (U+0007)",
    )
    assert clean_text("first line\nsecond\tline").text == "first line\nsecond\tline"
