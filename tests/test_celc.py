"""The London CELC Tackling Racial Inequality Standard as a second instrument (templates/celc/),
through the same generator, checks, collator, scoring, collated workbook and report as the
Eastern one, with no Python of its own.

Scores are checked against hand-worked values (tests/data/celc_returns.yaml, SYNTHETIC), among
them the Standard's own worked example: Category 1, 15 points, Established.
"""

from __future__ import annotations

import ast
import io
import re
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from docx import Document

from collate.load import load_instrument
from collate.measures.scoring import ScoreRanges, score_ranges
from collate.run import run_collation
from collate.settings import ROOT, load_settings
from tests.celc_returns import CELC_ROUND, build_filled_round, load_returns

CELC_FIXTURE = Path(__file__).resolve().parent / "data" / "celc_standard.yaml"
POINTS = {"Developing": 1, "Established": 2, "Leading": 3}


@pytest.fixture(scope="module")
def celc():
    settings = load_settings(CELC_ROUND)
    return settings, load_instrument(settings.instrument_folder)


def offered(pledge) -> list[frozenset[int]]:
    return [frozenset(POINTS[lv] for lv in c.descriptors) for c in pledge.criteria]


# --- the instrument ----------------------------------------------------------------------------


def test_the_round_file_selects_its_own_instrument_and_the_eastern_stays_the_default(celc):
    settings, ins = celc
    assert settings.instrument_folder == ROOT / "templates" / "celc" / "instrument"
    assert ins.id == "london-celc-tackling-racial-inequality-standard"
    assert load_settings().instrument_folder == ROOT / "templates" / "instrument"
    assert ins.ethnicity is None  # no figures by ethnic group: no ethnicity.yaml
    assert [s.sheet for s in ins.sections] == ["Cover", "Self-assessment"]


def test_seven_categories_with_category_2_in_five_parts(celc):
    _, ins = celc
    assert [p.title for p in ins.pledges] == [
        "Strategic Leadership and Management",
        "Employee Lifecycle",
        "Data Governance",
        "Policies and Processes",
        "Strategies and Action Plans",
        "Staff Networks and Trade Unions",
        "Community Engagement",
    ]
    assert {p.unit for p in ins.pledges} == {"Category"}
    assert [len(p.criteria) for p in ins.pledges] == [8, 28, 6, 5, 4, 11, 7]
    parts = list(dict.fromkeys(c.part for c in ins.pledges[1].criteria))
    assert parts == [
        "2a Recruitment",
        "2b Induction and Supervision",
        "2c Training and Development",
        "2d Retention and Reward",
        "2e Disciplinary and Grievances",
    ]
    assert ins.pledges[1].criteria[9].ref == "2b.1"


def test_every_criterion_offers_the_levels_the_standard_prints(celc):
    """Cross-check of the transcription against the scoring fixture, written separately from
    the seed: the same levels, criterion by criterion, and the same opening words."""
    _, ins = celc
    fixture = yaml.safe_load(CELC_FIXTURE.read_text(encoding="utf-8"))["categories"]
    for pledge, cat in zip(ins.pledges, fixture, strict=True):
        rows = (
            [c for t in cat["sub_tables"] for c in t["criteria"]]
            if "sub_tables" in cat
            else cat["criteria"]
        )
        assert offered(pledge) == [frozenset(r["levels"]) for r in rows], pledge.title
        for c, r in zip(pledge.criteria, rows, strict=True):
            words = " ".join(c.descriptors.values())
            start = r["text"].split("(")[0].split(" on EDI")[0][:30]
            assert start in words, (c.ref, r["text"])


def test_a_criterion_offers_in_its_dropdown_only_the_levels_it_describes(celc):
    _, ins = celc
    c13 = ins.pledges[0].criteria[2]  # Category 1, criterion 3: Established only
    assert c13.level.choices == ("Not yet in place", "Established")
    c2c1 = ins.pledges[1].criteria[16]  # 2c.1: Developing and Leading, no Established
    assert c2c1.ref == "2c.1"
    assert c2c1.level.choices == ("Not yet in place", "Developing", "Leading")


# --- score ranges: derived by the Standard's method, compared with the published ones ----------


def test_derived_ranges_match_the_published_ones_except_category_2(celc):
    _, ins = celc
    for p in ins.pledges:
        pub = p.published_ranges
        published = ScoreRanges(pub.developing, pub.established, pub.leading)
        derived = score_ranges(offered(p))
        if p.number == 2:
            assert published == ScoreRanges((0, 36), (37, 59), (60, 75))
            assert derived == ScoreRanges((0, 38), (39, 60), (61, 76))
        else:
            assert derived == published, p.title


# --- end to end: build, fill, re-save through LibreOffice, collate, score, report --------------


@pytest.fixture(scope="module")
def celc_run(celc, tmp_path_factory):
    settings, ins = celc
    folder = tmp_path_factory.mktemp("celc")
    build_filled_round(settings, ins, folder, libreoffice=True)
    out = folder / "out"
    result = run_collation(folder / "returns", out, settings, ins)
    return result, out, folder


@pytest.mark.libreoffice
def test_every_london_return_is_accepted(celc_run):
    result, _, _ = celc_run
    assert result.problems == []
    assert {n: r.status for n, r in result.collation.results.items()} == dict.fromkeys(
        load_returns(), "accepted"
    )


@pytest.mark.libreoffice
def test_scores_and_levels_are_the_hand_worked_ones(celc_run):
    _, out, _ = celc_run
    scores = pd.read_csv(out / "scores.csv", encoding="utf-8-sig")
    got = {(r.la, f"cat{r.pledge}"): [int(r.points), r.level] for r in scores.itertuples()}
    want = {
        (la, cat): value
        for la, council in load_returns().items()
        for cat, value in council["expected"].items()
    }
    assert got == want


@pytest.mark.libreoffice
def test_the_standards_worked_example_category_1_is_15_points_established(celc_run):
    result, out, _ = celc_run
    criteria = pd.read_excel(out / "collated.xlsx", sheet_name="Criteria", header=None)
    head = criteria.index[criteria[0] == "la"][0]
    criteria.columns = criteria.iloc[head]
    barnet = criteria[(criteria["la"] == "London Borough of Barnet") & (criteria["pledge"] == 1)]
    assert [int(p) for p in barnet["points"]] == [2, 1, 2, 2, 2, 3, 0, 3]
    scores = pd.read_csv(out / "scores.csv", encoding="utf-8-sig")
    row = scores[(scores["la"] == "London Borough of Barnet") & (scores["pledge"] == 1)].iloc[0]
    assert (int(row["points"]), row["level"]) == (15, "Established")


@pytest.mark.libreoffice
def test_the_checks_sheet_shows_nothing_to_fix_after_libreoffice(celc_run):
    _, _, folder = celc_run
    for path in sorted((folder / "returns").glob("*.xlsx")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True)
        rows = [
            [v for v in row if v is not None] for row in wb["Checks"].iter_rows(values_only=True)
        ]
        # The verdict the council sees before sending: ready, nothing to fix or explain.
        assert ["Verdict", "Ready to send"] in rows, path.name
        assert ["Must fix", 0] in rows, path.name
        assert ["Fix or explain: not yet explained", 0] in rows, path.name
        assert [r[2] for r in rows if r[:1] in (["Cover"], ["Self-assessment"])] == [0, 0]
        statuses = {r[1] for r in rows if r and r[0] == "DIA01"}
        assert statuses == {"OK"}, path.name


@pytest.mark.libreoffice
def test_collated_workbook_says_which_ranges_it_used_and_why(celc_run):
    _, out, _ = celc_run
    book = pd.ExcelFile(out / "collated.xlsx")
    assert not [s for s in book.sheet_names if s.startswith(("C&F", "Workforce", "Exit"))]
    raw = pd.read_excel(book, sheet_name="Score ranges", header=None)
    assert raw.iloc[1, 0].startswith("NOT FOR PUBLICATION: every council's own answers")
    head = raw.index[raw[0] == "pledge"][0]
    ranges = raw.iloc[head + 1 :].set_axis(list(raw.iloc[head]), axis=1)
    cat2 = ranges[ranges["pledge"] == 2].iloc[0]
    assert cat2["derived_ranges"] == "Developing 0–38; Established 39–60; Leading 61–76"
    assert cat2["published_ranges"] == "Developing 0–36; Established 37–59; Leading 60–75"
    assert cat2["agree"] == "no"
    assert cat2["ranges_used"] == "derived"
    assert "do not follow from the criteria as printed" in cat2["why"]
    assert list(ranges[ranges["pledge"] != 2]["agree"]) == ["yes"] * 6
    scores = pd.read_excel(book, sheet_name="Scores", header=None)
    head = scores.index[scores[0] == "la"][0]
    scores = scores.iloc[head + 1 :].set_axis(list(scores.iloc[head]), axis=1)
    newham = scores[(scores["la"] == "London Borough of Newham") & (scores["pledge"] == 2)]
    # 37 points: Developing by the derived ranges, Established by the published ones.
    assert newham[["points", "level", "level_by_published_ranges"]].values.tolist() == [
        [37, "Developing", "Established"]
    ]


@pytest.mark.libreoffice
def test_the_report_is_london_wide_and_has_no_sections_without_data(celc_run):
    _, out, _ = celc_run
    doc = Document(str(out / "report.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Category 2 — Employee Lifecycle" in headings
    for absent in ("Children and families", "Workforce", "Exit interviews", "Shared practice"):
        assert absent not in headings
    assert "Pledge" not in text
    assert "SYNTHETIC SAMPLE DATA" in text
    assert "Newham's 37 points in category 2 would be Established rather than Developing" in text
    assert "The published ranges do not follow from the criteria as printed" in text
    tables = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Established\n15 of 22" in tables  # Barnet, Category 1: the worked example


@pytest.mark.libreoffice
def test_the_covering_email_and_workbook_speak_of_the_standard(celc, tmp_path):
    from collate.generator.build import build_workbooks

    settings, ins = celc
    (built,) = build_workbooks(settings, tmp_path, settings.local_authorities[:1], ins)
    assert b"Tackling Racial Inequality Standard" in built.email.read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(built.path.read_bytes()))
    cover = [str(v) for row in wb["Cover"].iter_rows(values_only=True) for v in row if v]
    assert any("tabs at the bottom: Self-assessment." in v for v in cover)
    assert "Figures for the year ending" not in cover  # a self-assessment covers no period
    assert not any("count of none" in v or "children and staff" in v for v in cover)
    sheet = [str(v) for row in wb["Self-assessment"].iter_rows(values_only=True) for v in row if v]
    assert "Category 1: Strategic Leadership and Management" in sheet
    assert "2a Recruitment" in sheet
    assert "What is working for this category" in sheet


# --- no instrument-specific code -----------------------------------------------------------------

CODE = [*sorted((ROOT / "collate").rglob("*.py")), ROOT / "build_templates.py"]
# A branch on an instrument's identity or its words, e.g. `if instrument.id == "london-..."`.
BRANCH = re.compile(
    r"^\s*(if|elif|while|match|case)\b.*\b(celc|london|eastern|cat[1-7])\b"
    r"|(==|!=)\s*[\"'][^\"']*\b(celc|london|eastern)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "line",
    [
        'if instrument.id == "london-celc-tackling-racial-inequality-standard":',
        '    elif settings.region == "London":',
        'is_celc = ins.title != "CELC Tackling Racial Inequality Standard self-assessment"',
        "if pledge.id in ('cat1', 'cat2'):",
    ],
)
def test_the_guard_catches_a_branch_on_the_instrument(line):
    assert BRANCH.search(line)


def _code_strings(path: Path) -> list[str]:
    """Every string constant in a module except docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


def test_no_instrument_specific_branch_in_the_code():
    found = []
    for path in CODE:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#")[0]
            if BRANCH.search(code):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == [], "instrument-specific branches:\n" + "\n".join(found)


def test_no_code_names_the_celc_instruments_own_ids_or_words(celc):
    settings, ins = celc
    own = {
        ins.id,
        ins.title,
        "templates/celc",
        *(p.id for p in ins.pledges),
        *(s.id for s in ins.sections if s.id != "cover"),
        *(la.name for la in settings.local_authorities),
        settings.programme,
    }
    found = [
        f"{path.relative_to(ROOT)}: {s!r}"
        for path in CODE
        for s in _code_strings(path)
        if any(re.search(rf"\b{re.escape(word)}\b", s) for word in own)
    ]
    assert found == []


# --- the engine, general for both instruments --------------------------------------------------


def _copy_instrument(tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "celc"
    shutil.copytree(ROOT / "templates" / "celc", folder)
    return folder


def test_a_catalogue_missing_a_file_check_is_refused(tmp_path):
    from collate.errors import InstrumentError

    folder = _copy_instrument(tmp_path)
    checks = folder / "instrument" / "checks.yaml"
    text = checks.read_text(encoding="utf-8")
    start, end = text.index("  - code: FILE17"), text.index("  - code: QRY01")
    checks.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(InstrumentError, match="missing: FILE17"):
        load_instrument(folder / "instrument")


def test_a_table_of_ethnic_groups_needs_ethnicity_yaml(tmp_path):
    from collate.errors import InstrumentError

    folder = _copy_instrument(tmp_path)
    cover = folder / "instrument" / "cover.yaml"
    cover.write_text(
        cover.read_text(encoding="utf-8")
        + "  - table: staff\n    title: Staff\n    row_dim: measure\n    col_dim: group\n"
        "    columns_from: workforce_groups\n    cell: {type: whole, min: 0}\n"
        "    rows: [{id: headcount, label: Headcount}]\n",
        encoding="utf-8",
    )
    with pytest.raises(InstrumentError, match="no ethnicity.yaml in"):
        load_instrument(folder / "instrument")


def test_the_eastern_instrument_keeps_its_words_and_ranges(instrument):
    from collate.analysis.pledges import ranges_compared

    assert {p.unit for p in instrument.pledges} == {"Pledge"}
    assert all(c.part is None for c in instrument.criteria)
    assert instrument.ethnicity is not None
    for p in instrument.pledges:
        row = ranges_compared(p, score_ranges(offered(p)))
        assert (row["published_ranges"], row["agree"], row["ranges_used"]) == ("", "", "derived")
    cover = instrument.section("cover")
    assert cover.intro.startswith("This workbook holds information about children and staff.")


# --- the commands a programme manager types ----------------------------------------------------


@pytest.mark.libreoffice
def test_the_commands_work_with_the_celc_round_file(celc_run, tmp_path):
    from click.testing import CliRunner

    from collate.cli import main as collate_main
    from collate.generator.cli import main as build_main

    _, out, folder = celc_run
    res = CliRunner().invoke(
        build_main, ["--config", str(CELC_ROUND), "--out", str(tmp_path / "built")]
    )
    assert res.exit_code == 0, res.output
    assert "Built 6 workbook(s)" in res.output
    assert len(list((tmp_path / "built").glob("*.xlsx"))) == 6
    res = CliRunner().invoke(
        collate_main,
        [str(folder / "returns"), "--config", str(CELC_ROUND), "--out", str(tmp_path / "out")],
    )
    assert res.exit_code == 0, res.output
    assert "6 accepted" in res.output
    assert "PROBLEM" not in res.output
    # The report rebuilt from collated.xlsx alone has the same scores table.
    res = CliRunner().invoke(
        collate_main,
        [
            "report",
            "--collated",
            str(out / "collated.xlsx"),
            "--config",
            str(CELC_ROUND),
            "--out",
            str(tmp_path / "again"),
        ],
    )
    assert res.exit_code == 0, res.output

    def cells(path: Path) -> list[str]:
        doc = Document(str(path))
        return [c.text for t in doc.tables for r in t.rows for c in r.cells]

    assert cells(tmp_path / "again" / "report.docx") == cells(out / "report.docx")


def test_every_file_check_the_code_raises_must_be_worded_by_every_instrument():
    """FILE_CHECK_CODES is what the loader asks every catalogue to word: it must list every
    file-check code the collator can raise, or an instrument could lack the wording of one."""
    from collate.checks.catalogue import FILE_CHECK_CODES

    raised = {
        code
        for path in CODE
        for code in re.findall(r"[\"'](FILE\d\d|QRY\d\d)[\"']", path.read_text(encoding="utf-8"))
    }
    assert raised <= set(FILE_CHECK_CODES)
