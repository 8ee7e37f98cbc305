"""The report's wording: grammatical with 1, 2 and 11 returns, editable in wording.yaml, and
strict about a placeholder it cannot fill."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from docx import Document

from collate.analysis.model import REGION
from collate.analysis.round import analyse, analyse_collation
from collate.errors import ReportError
from collate.intake.collation import collate_folder
from collate.report import write_report
from collate.report.facts import build_facts
from collate.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
# Phrases a careless template produces with one or two returns.
UNGRAMMATICAL = [
    r"\b1 LAs\b",
    r"\ball 1\b",
    r"\b1 local authorities\b",
    r"\b1 have\b",
    r"\b0 of 1\b.*\bhave\b",
    r"\bLAS\b",
    r"\b2 LA\b",
    r"\bis are\b",
]


@pytest.fixture(scope="module")
def analysis(settings, instrument):
    return analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))


def summary_for(analysis, settings, instrument, las):
    values = {la: analysis.values[la] for la in las}
    an = analyse(values, settings, instrument, {}, True, analysis.today)
    facts = build_facts(an)
    text = " ".join(facts["summary"].values())
    text += " " + " ".join(p.paragraph for p in facts["pledges"])
    return facts, text


@pytest.mark.parametrize("n", [1, 2, 11])
def test_summary_reads_correctly_with_1_2_and_11_returns(analysis, settings, instrument, n):
    facts, text = summary_for(analysis, settings, instrument, analysis.las[:n])
    for pattern in UNGRAMMATICAL:
        assert not re.search(pattern, text), f"{pattern!r} in: {text}"
    if n == 1:
        assert "the one returning local authority" in text or "of 1 returning local" in text
        assert "of 1 LA" in text
    else:
        assert f"of {n} LAs" in text
    if n == 11:
        assert "which all 11 returning local authorities have adopted" in text


def test_summary_states_the_exit_racism_gap_and_only_clear_disparities(
    analysis, settings, instrument, monkeypatch
):
    import collate.analysis.exit_interviews as exit_module

    facts = build_facts(analysis)
    s = facts["summary"]
    assert "95% confidence interval is above 1" in s["children"]
    # Nothing fixed that the data does not say.
    assert "implementation consistency" not in " ".join(s.values())
    # On the samples, a council knowing its own counts could work out another's from the
    # region's figures, so the region's shares are withheld, and the summary states no share
    # the report withholds.
    region = analysis.exit_published[
        (analysis.exit_published["la"] == REGION)
        & (analysis.exit_published["question"] == "experienced_racism")
    ]
    withheld = region[region["share"].isna() & (region["base"] != 0)]
    assert not withheld.empty
    assert "%" not in s["exit"]
    assert "withheld this round" in s["exit"]

    # Without that protection (a reader who knows no council's counts), the samples' starkest
    # finding is stated: 34 of 116 minority ethnic leavers against 8 of 455 white.
    monkeypatch.setattr(exit_module, "EXIT_INSIDERS", False)
    an = analyse(analysis.values, settings, instrument, {}, True, analysis.today)
    exit_text = build_facts(an)["summary"]["exit"]
    assert "29.3% of minority ethnic leavers (34 of 116)" in exit_text
    assert "1.8% of white leavers (8 of 455)" in exit_text


def test_pledge_paragraphs_name_practice_and_the_las_that_have_it(analysis):
    facts = build_facts(analysis)
    p1 = facts["pledges"][0]
    boards = next(c for c in p1.criteria if c["ref"] == "1.1")
    assert boards["in_place"], "the samples have boards at Established or Leading"
    n = len(boards["in_place"])
    assert f"Dedicated anti-racist practice boards or steering groups in {n} of 11 LAs (" in (
        p1.paragraph
    )
    # Each council with it in place appears in the brackets, by its example's name or its own.
    brackets = p1.paragraph.split("steering groups in", 1)[1].split(").", 1)[0]
    for la in boards["in_place"]:
        assert la in brackets


@pytest.fixture()
def templates_copy(tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    return folder


def test_a_changed_sentence_in_wording_yaml_reaches_the_report(
    analysis, templates_copy, instrument, tmp_path
):
    wording = templates_copy / "report" / "wording.yaml"
    text = wording.read_text(encoding="utf-8")
    text = text.replace(
        "Recommendations to inform the {round} regional development plan follow the analysis.",
        "The programme board will discuss these findings before the {round} plan is agreed.",
    )
    wording.write_text(text, encoding="utf-8")
    settings = load_settings(templates_copy / "round.yaml")
    an = analyse(analysis.values, settings, instrument, {}, True, analysis.today)
    doc = Document(str(write_report(an, tmp_path / "out")))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert f"The programme board will discuss these findings before the {settings.round}" in body


def test_a_misspelt_placeholder_is_refused_with_the_file_and_word(
    analysis, templates_copy, instrument
):
    wording = templates_copy / "report" / "wording.yaml"
    text = wording.read_text(encoding="utf-8").replace("{round} regional", "{rownd} regional")
    wording.write_text(text, encoding="utf-8")
    settings = load_settings(templates_copy / "round.yaml")
    an = analyse(analysis.values, settings, instrument, {}, True, analysis.today)
    with pytest.raises(ReportError) as err:
        build_facts(an)
    message = str(err.value)
    assert "wording.yaml" in message and "{rownd}" in message and "closing" in message


@pytest.mark.parametrize("n", [1, 2])
def test_whole_report_reads_correctly_with_few_returns(analysis, settings, instrument, n, tmp_path):
    values = {la: analysis.values[la] for la in analysis.las[:n]}
    an = analyse(values, settings, instrument, {}, True, analysis.today)
    doc = Document(str(write_report(an, tmp_path)))
    text = "\n".join(p.text for p in doc.paragraphs)
    for pattern in UNGRAMMATICAL:
        assert not re.search(pattern, text), f"{pattern!r}: {re.search(pattern, text)}"
