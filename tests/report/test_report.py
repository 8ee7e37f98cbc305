"""The Word report: structure, the snapshot lists of the January 2026 report, LAs left out,
every table figure equal to the published frames, and a PDF made by LibreOffice."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from collate.analysis.model import REGION
from collate.analysis.round import analyse, analyse_collation, analysis_from_collated
from collate.intake.collation import collate_folder
from collate.outputs.collated import write_collated
from collate.report import markup, write_report
from collate.report import numbers as fmt
from collate.report.tables import score_cell, short_indicator

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = [
    "Executive summary",
    "Scope and method",
    "Regional snapshot",
    "Regional analysis by pledge",
    "Children and families",
    "Workforce",
    "Exit interviews",
    "Shared practice",
    "Appendix A — Local authority highlights",
    "Notes on method",
]


@pytest.fixture(scope="session")
def analysis(settings, instrument):
    collation = collate_folder(ROOT / "sample_returns", settings, instrument)
    return analyse_collation(collation)


@pytest.fixture(scope="session")
def report(analysis, tmp_path_factory) -> Path:
    return write_report(analysis, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="session")
def doc(report):
    return Document(str(report))


@pytest.fixture(scope="session")
def partial(analysis, settings, instrument, tmp_path_factory):
    """Luton not received, Bedford must resubmit: their answers are not in the analysis."""
    values = {la: v for la, v in analysis.values.items() if la not in ("Luton", "Bedford")}
    an = analyse(
        values,
        settings,
        instrument,
        {"Bedford": "must resubmit", "Luton": "not received"},
        True,
        analysis.today,
    )
    path = write_report(an, tmp_path_factory.mktemp("partial"))
    return an, Document(str(path))


def headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def captioned(doc) -> dict[str, object]:
    """Caption text → the table that follows it."""
    body = doc.element.body
    out, caption = {}, None
    tables = {t._tbl: t for t in doc.tables}
    for el in body:
        if el.tag == qn("w:p"):
            style = el.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            if style is not None and style.get(qn("w:val")) == "Caption":
                caption = "".join(t.text or "" for t in el.iter(qn("w:t")))
        elif el.tag == qn("w:tbl") and caption:
            out[re.sub(r"^Table \d+: ", "", caption)] = tables[el]
            caption = None
    return out


def cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def body_rows(table, n_header: int) -> dict[str, list[str]]:
    return {r[0]: r for r in cells(table)[n_header:]}


def test_markup_parses_headings_bullets_and_markers():
    blocks = markup.parse("# One\n## Two\ntext\nmore\n\n- a\n  - b\n@table scores | Cap\n@toc")
    assert blocks[0] == markup.Heading(1, "One") and blocks[1] == markup.Heading(2, "Two")
    assert blocks[2] == markup.Paragraph("text more")
    assert blocks[3] == markup.Bullet("a", 1) and blocks[4] == markup.Bullet("b", 2)
    assert blocks[5] == markup.Directive("table", ["scores"], "Cap")
    with pytest.raises(markup.MarkupError, match="line 1"):
        markup.parse("@tabel x")


def test_formatter_rounds_half_up_and_marks_missing():
    assert fmt.ratio(1.245) == "1.25" and fmt.rate(0.05) == "0.1" and fmt.percent(2.25) == "2.3"
    assert fmt.count("c") == "[c]" and fmt.count(31670) == "31,670"
    assert fmt.ratio(None, "small numbers") == "[c]" and fmt.ratio(None, "zero") == "[x]"
    assert fmt.points(-3.25) == "\u22123.3"


def test_structure_headings_toc_tables_captions_alt_text(doc, report):
    h1, h2 = headings(doc, 1), headings(doc, 2)
    for section in SECTIONS:
        assert section in h1, section
    assert any(h.startswith("Recommendations") for h in h1)
    for sub in (
        "A. Foundational alignment and tools",
        "B. Induction and training (pledge 3)",
        "C. Procurement and partners (pledge 7)",
        "Accountability",
        "Implementation",
    ):
        assert sub in h2
    assert any("Gaps and risks" == h for h in headings(doc, 3))
    xml = doc.element.xml
    assert re.search(r"TOC \\o", xml), "no table of contents field"
    assert doc.tables and all(
        t.rows[0]._tr.trPr is not None and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        for t in doc.tables
    )
    caps = [p for p in doc.paragraphs if p.style.name == "Caption"]
    assert len([c for c in caps if c.text.startswith("Table")]) == len(doc.tables)
    assert "SEQ Table" in xml
    pics = doc.element.body.findall(".//" + qn("wp:docPr"))
    assert len(pics) >= 3
    assert all(p.get("descr") and p.get("title") for p in pics)
    # synthetic data said plainly on the title page and in the header
    assert any("SYNTHETIC SAMPLE DATA" in p.text for p in doc.paragraphs[:8])
    assert "SYNTHETIC SAMPLE DATA" in doc.sections[0].header.paragraphs[0].text


def test_snapshot_reproduces_january_2026_report(doc):
    t = captioned(doc)
    a = body_rows(t["Foundational alignment and tools"], 1)
    scwres = a["SC-WRES/WRES participation"][1]
    yes, no = re.match(r"Yes: (.*)\. No: (.*)\.", scwres).groups()
    split = lambda s: set(re.split(r", | and ", s))  # noqa: E731
    assert split(yes) == {
        "Southend",
        "Essex",
        "Peterborough",
        "Thurrock",
        "Hertfordshire",
        "Norfolk",
        "Suffolk",
        "Cambridgeshire",
    }
    assert split(no) == {"Luton", "Central Bedfordshire", "Bedford"}
    c = body_rows(t["Procurement and partners: alignment with anti-racist standards (pledge 7)"], 1)
    assert split(c["Strong alignment (explicit anti-racist standards)"][1]) == {
        "Hertfordshire",
        "Norfolk",
        "Suffolk",
        "Peterborough",
    }
    assert split(c["Partial alignment / EDI themes present"][1]) == {
        "Central Bedfordshire",
        "Cambridgeshire",
        "Thurrock",
        "Luton",
    }
    assert split(c["Not yet aligned / in development"][1]) == {"Southend", "Essex", "Bedford"}
    b = cells(t["Anti-racist induction status by local authority (pledge 3)"])[1:]
    assert sorted(r[0] for r in b) == sorted(
        [
            "Essex",
            "Thurrock",
            "Southend",
            "Central Bedfordshire",
            "Peterborough",
            "Hertfordshire",
            "Norfolk",
            "Bedford",
            "Suffolk",
            "Cambridgeshire",
            "Luton",
        ]
    )
    status = {r[0]: r[1] for r in b}
    assert status["Essex"] == "Compulsory specialist-led anti-racist induction"


def test_missing_and_resubmitting_las_are_named_and_left_out(partial):
    an, doc = partial
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Luton (not received)" in text and "Bedford (must resubmit)" in text
    t = captioned(doc)
    assert body_rows(t["Returns by local authority"], 1)["Luton"][1].startswith("Not received")
    scores = body_rows(t["Level and points by local authority and pledge"], 1)
    assert "Luton" not in scores and "Bedford" not in scores and "Essex" in scores
    for caption, table in t.items():
        if "children by ethnic group" in caption or caption.startswith("SC-WRES indicators by"):
            names = [r[0] for r in cells(table)]
            assert "Luton" not in names and "Bedford" not in names, caption
    highlights = [p.text for p in doc.paragraphs if p.text.startswith(("Luton:", "Bedford:"))]
    assert not highlights


def test_every_table_figure_equals_the_published_frames(doc, analysis):
    an = analysis
    short = {la.name: la.short_name for la in an.settings.local_authorities}
    t = captioned(doc)
    # scores
    rows = body_rows(t["Level and points by local authority and pledge"], 1)
    for r in an.scores.itertuples():
        assert rows[short[r.la]][r.pledge] == score_cell(r.level, r.points, r.max_points)
    # children and families: counts and ratios per stage
    known = [g for g in an.groups if g not in an.instrument.ethnicity.not_known_groups]
    m = an.cf_measures_published.set_index(["la", "stage", "group"])
    rates = an.cf_rates_published.set_index(["la", "stage"])
    checked = 0
    for stage, label, _ in an.stages:
        if stage not in an.cf_published:
            continue
        frame = an.cf_published[stage]
        rows = body_rows(t[f"{label}: children by ethnic group and representation ratio"], 2)
        for la in frame.index:
            row = rows["All returning LAs" if la == REGION else short[la]]
            assert row[1] == fmt.count(frame.loc[la, "All children"])
            rate = rates.loc[(la, stage)]
            assert row[2] == fmt.rate(rate["rate_per_10k"], rate["reason"])
            for k, g in enumerate(known):
                assert row[3 + 2 * k] == fmt.count(frame.loc[la, g])
                mr = m.loc[(la, stage, g)]
                expected = fmt.ratio(mr["representation_ratio"], mr["reason"])
                assert row[4 + 2 * k].rstrip("*†") == expected
                assert row[4 + 2 * k].endswith("*") == (mr["over_represented"] == "yes")
                checked += 1
    assert checked > 100
    # no cell shows a count from 1 to 5 on its own
    for table in t.values():
        for row in cells(table):
            for value in row:
                assert not re.fullmatch(r"[1-5]", value.strip()), value
    # workforce
    rows = body_rows(t["SC-WRES indicators by local authority"], 1)
    header = cells(t["SC-WRES indicators by local authority"])[0]
    survey = body_rows(
        t["SC-WRES indicators 6 and 7 by local authority: harassment, bullying or abuse"], 2
    )
    survey_header = cells(
        t["SC-WRES indicators 6 and 7 by local authority: harassment, bullying or abuse"]
    )[0]
    for r in an.wres_published.itertuples():
        if r.indicator == "1" and not r.indicator_name.endswith("whole workforce"):
            continue
        name = "Region (all returning LAs)" if r.la == REGION else short[r.la]
        kind = (
            "ratio"
            if r.measure == "relative likelihood"
            else "percent"
            if r.measure.startswith("%")
            else "points"
        )
        if r.indicator in ("6", "7a", "7b"):
            # Indicators 6 and 7: the likelihood, then the gap in points, in their own table.
            col = survey_header.index(f"{r.indicator}. {short_indicator(an, r.indicator)}")
            col += 0 if r.measure == "relative likelihood" else 1
            cell = survey[name][col]
        else:
            col = header.index(f"{r.indicator}. {short_indicator(an, r.indicator)}")
            cell = rows[name][col]
        lines = cell.split("\n")
        assert lines[0] == fmt.fmt(r.value, kind, r.reason)
        # Outside the band: "clearly higher" or "clearly lower", or "outside band" alone when
        # the interval includes 1.00.
        marked = {"clearly higher", "clearly lower", "outside band"} & set(lines)
        assert bool(marked) == (r.in_band == "no")
        if marked:
            assert marked == {
                {"clearly higher": "clearly higher", "clearly lower": "clearly lower"}.get(
                    r.finding, "outside band"
                )
            }
        if r.measure == "relative likelihood" and not fmt.is_missing(r.value):
            # The 95% interval is on the next line, or why there is none.
            if fmt.is_missing(r.low):
                assert lines[1] == f"(interval {fmt.missing_symbol(r.interval_reason)})"
            else:
                assert lines[1] == f"({fmt.ratio(r.low)} to {fmt.ratio(r.high)})"
        elif r.measure == "relative likelihood":
            assert len(lines) == 1  # no interval for a figure not shown
    # exit interviews
    rows = body_rows(
        t["Exit interviews by local authority: percentage of leavers answering 'yes'"], 2
    )
    e = an.exit_published
    for la in dict.fromkeys(e["la"]):
        name = "Region (all returning LAs)" if la == REGION else short[la]
        vals = rows[name][3:]
        expected = [
            fmt.percent(r.share, r.reason)
            for q in dict.fromkeys(e["question"])
            for g in ("minority_ethnic", "white")
            for r in e[(e["la"] == la) & (e["question"] == q) & (e["group"] == g)].itertuples()
        ]
        assert vals == expected


@pytest.mark.libreoffice
def test_pdf_holds_every_section_la_and_pledge(report, analysis, tmp_path):
    from collate.samples.libreoffice import convert

    pdf = convert(report, tmp_path, "pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for heading in SECTIONS:
        assert heading in flat, heading
    for la in analysis.las:
        assert la in flat, la
    for p in analysis.instrument.pledges:
        assert p.title in flat, p.title
    assert "SYNTHETIC SAMPLE DATA" in flat
    assert (
        "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
    ) in flat


def _document_text(doc) -> list[str]:
    """Every paragraph and every table cell, in order: what a reader sees."""
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        out.extend(c.text for row in table.rows for c in row.cells)
    return out


def test_report_from_collated_workbook_has_the_same_figures(analysis, doc, tmp_path, settings):
    """`collate report` rebuilds the report from collated.xlsx alone: every figure must agree."""
    collation = collate_folder(ROOT / "sample_returns", settings, analysis.instrument)
    collated = write_collated(collation, tmp_path, analysis)["collated.xlsx"]
    rebuilt = analysis_from_collated(collated, settings, analysis.instrument, analysis.today)
    again = Document(str(write_report(rebuilt, tmp_path / "again")))
    assert _document_text(again) == _document_text(doc)
    # And the scores in collated.xlsx are the ones the report's table shows.
    raw = pd.read_excel(collated, sheet_name="Scores", header=None, dtype=object)
    start = raw.index[raw.iloc[:, 0].astype(str) == "la"][0]
    scores = raw.iloc[start + 1 :].set_axis(raw.iloc[start].tolist(), axis=1)
    short = {la.name: la.short_name for la in settings.local_authorities}
    rows = body_rows(captioned(doc)["Level and points by local authority and pledge"], 1)
    assert len(scores) == len(analysis.scores) > 0
    for r in scores.itertuples():
        assert rows[short[r.la]][r.pledge] == score_cell(r.level, r.points, r.max_points)


def test_rate_per_10000_uses_the_census_child_population(analysis):
    """Children in need per 10,000 children aged 0-17: Southend-on-Sea had 38,173 residents aged
    0 to 17 in Census 2021 (ONS TS007), so its rate is its count ÷ 38,173 × 10,000."""
    rates = analysis.cf_rates.set_index(["la", "stage"])
    southend = rates.loc[("Southend-on-Sea", "cin")]
    children = int(analysis.cf_counts["cin"].loc["Southend-on-Sea", "All children"])
    assert southend["children_aged_0_17"] == 38173
    assert southend["rate_per_10k"] == pytest.approx(children / 38173 * 10000)
    # The region's rate pools every returning LA's children and child population.
    region = rates.loc[(REGION, "cin")]
    pooled = rates.drop(index=REGION, level="la").xs("cin", level="stage")
    assert region["children_aged_0_17"] == pooled["children_aged_0_17"].sum()
    assert region["rate_per_10k"] == pytest.approx(
        pooled["children"].sum() / pooled["children_aged_0_17"].sum() * 10000
    )


def test_no_regional_rate_when_an_la_has_no_child_population(analysis, settings, tmp_path):
    """Pooling children over 11 LAs against the child population of 10 would overstate the
    region's rate, so without Luton's 0-17 total there is no regional rate (Luton's own is x)."""
    table = pd.read_csv(settings.population_path)
    drop = (table["gss_code"] == "E06000032") & (table["age_band"] == "0-17")
    assert drop.sum() == 1
    table[~drop].to_csv(tmp_path / "population.csv", index=False)
    changed = settings.model_copy(
        update={
            "analysis": settings.analysis.model_copy(
                update={"population_file": str(tmp_path / "population.csv")}
            )
        }
    )
    an = analyse(analysis.values, changed, analysis.instrument, {}, True, analysis.today)
    rates = an.cf_rates_published.set_index(["la", "stage"])
    assert pd.isna(rates.loc[("Luton", "cin"), "rate_per_10k"])
    assert pd.isna(rates.loc[(REGION, "cin"), "rate_per_10k"])
    assert not pd.isna(rates.loc[("Bedford", "cin"), "rate_per_10k"])
