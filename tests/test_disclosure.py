"""An intruder's attack on the published children's figures: it must fail.

The intruder has the report (its stage tables, the data-quality table) and the public figures
the report names (the DfE school census pupils by ethnicity, Census 2021 children aged 0 to 17).
For each stage it writes every withheld count as an unknown whole number of at least 1 (zeros are
shown) and every printed figure as a constraint: rows and columns add up to their totals, each
printed representation ratio brackets the LA's children of known ethnicity, each printed rate per
10,000 brackets the LA's children at the stage, each printed percentage its part. Then it asks an
integer-programming solver (SciPy's milp) for the smallest and largest value of every withheld
count. Protection holds when every withheld count still has at least three possible values.

This attacker is written here, apart from collate.measures.disclosure, from what a reader sees.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from docx import Document
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from collate import measures
from collate.analysis.model import REGION
from collate.analysis.round import analyse, analyse_collation
from collate.intake.collation import collate_folder
from collate.report import numbers as fmt
from collate.report import write_report

ROOT = Path(__file__).resolve().parent.parent
SCHOOL_CENSUS = ROOT / "templates" / "reference" / "school_census_pupils_by_ethnicity.csv"
POPULATION = ROOT / "templates" / "reference" / "population_census2021.csv"
# The school census categories in the report's groups (as the notes on method describe them).
SCHOOL_GROUPS = {
    "White - White British": "White British",
    "White - Irish": "Other White",
    "White - Traveller of Irish heritage": "Other White",
    "White - Gypsy/Roma": "Other White",
    "White - Any other White background": "Other White",
    "Mixed - White and Black Caribbean": "Mixed or Multiple ethnic groups",
    "Mixed - White and Black African": "Mixed or Multiple ethnic groups",
    "Mixed - White and Asian": "Mixed or Multiple ethnic groups",
    "Mixed - Any other Mixed background": "Mixed or Multiple ethnic groups",
    "Asian - Indian": "Asian or Asian British",
    "Asian - Pakistani": "Asian or Asian British",
    "Asian - Bangladeshi": "Asian or Asian British",
    "Asian - Chinese": "Asian or Asian British",
    "Asian - Any other Asian background": "Asian or Asian British",
    "Black - Black Caribbean": "Black or Black British",
    "Black - Black African": "Black or Black British",
    "Black - Any other Black background": "Black or Black British",
    "Any other ethnic group": "Other ethnic group",
}
CAPTION = ": children by ethnic group and representation ratio"
QUALITY = "Children whose ethnicity was refused or not yet obtained, by stage"


def public_populations(settings) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Pupils by group per LA short name (2021/22), and children aged 0-17 per LA short name."""
    short = {la.gss_code: la.short_name for la in settings.local_authorities}
    df = pd.read_csv(SCHOOL_CENSUS)
    df = df[df["age_band"].str.contains("2021/22", regex=False)]
    pupils: dict[str, dict[str, int]] = {}
    for gss, cat, n in df[["gss_code", "ethnic_group", "count"]].itertuples(index=False):
        if cat in SCHOOL_GROUPS and gss in short:
            by = pupils.setdefault(short[gss], {})
            by[SCHOOL_GROUPS[cat]] = by.get(SCHOOL_GROUPS[cat], 0) + int(n)
    pop = pd.read_csv(POPULATION)
    kids = pop[(pop["age_band"] == "0-17") & pop["ethnic_group"].str.startswith("All ethnic")]
    children = {short[g]: int(n) for g, n in zip(kids["gss_code"], kids["count"], strict=True)}
    return pupils, children


@dataclass
class StageView:
    """One stage as a reader sees it: printed text, row by row."""

    rows: list[str]  # LA short names, then the region's row last
    groups: list[str]  # known groups, then not-known groups
    known: list[str]
    counts: dict[tuple[str, str], str] = field(default_factory=dict)  # incl. "All children"
    ratios: dict[tuple[str, str], str] = field(default_factory=dict)
    rates: dict[str, str] = field(default_factory=dict)
    quality: dict[str, str] = field(default_factory=dict)  # "8 (2.9%)"


def _number(text: str) -> float | None:
    text = text.replace(",", "").replace(fmt.MINUS, "-").rstrip("*†").strip()
    try:
        return float(text)
    except ValueError:
        return None


def views_from_docx(path: Path, analysis) -> dict[str, StageView]:
    """Read the stage tables and the data-quality table out of report.docx."""
    from tests.report.test_report import captioned, cells

    doc = Document(str(path))
    tables = captioned(doc)
    eth = analysis.instrument.ethnicity
    known = [g for g in analysis.groups if g not in eth.not_known_groups]
    unknown = [g for g in analysis.groups if g in eth.not_known_groups]
    views = {}
    labels = {}
    for stage, label, _ in analysis.stages:
        table = tables.get(label + CAPTION)
        if table is None:
            continue
        labels[label] = stage
        grid = cells(table)[2:]
        view = StageView([r[0] for r in grid], known + unknown, known)
        for r in grid:
            name = r[0]
            view.counts[(name, "All children")] = r[1]
            view.rates[name] = r[2]
            for k, g in enumerate(known):
                view.counts[(name, g)] = r[3 + 2 * k]
                view.ratios[(name, g)] = r[4 + 2 * k]
            for k, g in enumerate(unknown):
                view.counts[(name, g)] = r[3 + 2 * len(known) + k]
        views[stage] = view
    quality = tables.get(QUALITY)
    if quality is not None:
        grid = cells(quality)
        header = grid[0]
        for r in grid[1:]:
            for col, text in zip(header[1:], r[1:], strict=True):
                if col in labels:
                    views[labels[col]].quality[r[0]] = text
    return views


def views_from_analysis(an) -> dict[str, StageView]:
    """The same views, printed from the published frames the report is built from."""
    short = {la.name: la.short_name for la in an.settings.local_authorities}
    eth = an.instrument.ethnicity
    known = [g for g in an.groups if g not in eth.not_known_groups]
    unknown = [g for g in an.groups if g in eth.not_known_groups]
    m = an.cf_measures_published.set_index(["la", "stage", "group"])
    rates = an.cf_rates_published.set_index(["la", "stage"])
    q = an.cf_quality.set_index(["la", "stage"])
    views = {}
    for stage, frame in an.cf_published.items():
        names = ["All returning LAs" if la == REGION else short[la] for la in frame.index]
        view = StageView(names, known + unknown, known)
        for la, name in zip(frame.index, names, strict=True):
            for g in [*known, *unknown, "All children"]:
                view.counts[(name, g)] = fmt.count(frame.loc[la, g])
            for g in known:
                mr = m.loc[(la, stage, g)]
                view.ratios[(name, g)] = fmt.ratio(mr["representation_ratio"], mr["reason"])
            rr = rates.loc[(la, stage)]
            view.rates[name] = fmt.rate(rr["rate_per_10k"], rr["reason"])
            if (la, stage) in q.index:
                qr = q.loc[(la, stage)]
                n = qr["refused_or_not_obtained"]
                withheld = fmt.WITHHELD in (fmt.count(n), fmt.count(qr["children"]))
                pct = fmt.percent(qr["percent"], "small numbers" if withheld else None)
                view.quality[name] = f"{fmt.count(n)} ({pct}{'%' if pct[0].isdigit() else ''})"
        views[stage] = view
    return views


def attack(
    view: StageView, pupils, children, knows: dict[tuple[str, str], int] | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """Smallest and largest value of every withheld count in one stage.

    ``knows``: withheld counts the intruder knows (a council's own), solved for no further."""
    columns = [*view.groups, "All children"]
    unknowns = [(r, c) for r in view.rows for c in columns if _number(view.counts[(r, c)]) is None]
    if not unknowns:
        return {}
    index = {cell: k for k, cell in enumerate(unknowns)}
    a_rows, lows, highs = [], [], []

    def value(cell):
        return _number(view.counts[cell])

    def constrain(terms: dict, low: float, high: float) -> None:
        row = np.zeros(len(unknowns))
        constant = 0.0
        for cell, w in terms.items():
            if cell in index:
                row[index[cell]] += w
            else:
                constant += w * value(cell)
        if row.any():
            a_rows.append(row)
            lows.append(low - constant)
            highs.append(high - constant)

    region = view.rows[-1]
    for r in view.rows:
        terms = {(r, c): 1.0 for c in view.groups}
        terms[(r, "All children")] = -1.0
        constrain(terms, 0, 0)
    for c in columns:
        terms = {(r, c): 1.0 for r in view.rows[:-1]}
        terms[(region, c)] = -1.0
        constrain(terms, 0, 0)
    for r in view.rows:
        # Pupils pooled over the LAs in the table for the region's row.
        if r == region:
            pop: dict[str, int] = {}
            for la in view.rows[:-1]:
                for g, n in pupils.get(la, {}).items():
                    pop[g] = pop.get(g, 0) + n
            kids = sum(children.get(la, 0) for la in view.rows[:-1])
        else:
            pop, kids = pupils.get(r, {}), children.get(r)
        total = sum(pop.get(g, 0) for g in view.known)
        shown = []
        for g in view.known:
            a, printed = value((r, g)), _number(view.ratios.get((r, g), ""))
            if a and printed is not None and pop.get(g):
                shown.append((a, printed, pop[g] / total))
        if shown:
            fits = []
            a0, p0, s0 = shown[0]
            lo = max(1, math.floor(a0 / (s0 * (p0 + 0.005))) - 2)
            hi = math.ceil(a0 / (s0 * max(p0 - 0.005, 1e-9))) + 2
            for n in range(lo, min(hi, lo + 500_000) + 1):
                if all(abs((a / n) / s - p) <= 0.005 + 1e-9 for a, p, s in shown):
                    fits.append(n)
            if fits:
                constrain({(r, g): 1.0 for g in view.known}, min(fits), max(fits))
        rate = _number(view.rates.get(r, ""))
        if rate is not None and kids:
            constrain(
                {(r, "All children"): 1.0},
                (rate - 0.05) * kids / 10_000 - 1e-9,
                (rate + 0.05) * kids / 10_000 + 1e-9,
            )
        text = view.quality.get(r)
        if text:
            match = re.fullmatch(r"(.+) \((.+?)%?\)", text)
            if match:
                n, pct = _number(match[1]), _number(match[2])
                unknown_cols = [c for c in view.groups if c not in view.known]
                if n is not None:
                    constrain({(r, c): 1.0 for c in unknown_cols}, n, n)
                if pct is not None:
                    part = {(r, c): 1.0 for c in unknown_cols}
                    constrain({**part, (r, "All children"): -(pct - 0.05) / 100}, 0, math.inf)
                    constrain({**part, (r, "All children"): -(pct + 0.05) / 100}, -math.inf, 0)
    cons = LinearConstraint(np.array(a_rows), np.array(lows), np.array(highs))
    low_bounds, high_bounds = np.ones(len(unknowns)), np.full(len(unknowns), 10_000_000)
    for cell, true in (knows or {}).items():
        low_bounds[index[cell]] = high_bounds[index[cell]] = true
    bounds = Bounds(low_bounds, high_bounds)
    out = {}
    for cell, k in index.items():
        if cell in (knows or {}):
            continue
        c = np.zeros(len(unknowns))
        c[k] = 1
        found = []
        for sign in (1, -1):
            res = milp(
                sign * c, constraints=cons, integrality=np.ones(len(unknowns)), bounds=bounds
            )
            assert res.success, f"the published figures contradict each other at {cell}"
            found.append(round(res.x[k]))
        out[cell] = (min(found), max(found))
    return out


def pinned(views: dict[str, StageView], settings) -> list[str]:
    """Every withheld count the intruder narrows to fewer than three values."""
    pupils, children = public_populations(settings)
    out = []
    for stage, view in views.items():
        for cell, (low, high) in attack(view, pupils, children).items():
            if high - low + 1 < 3:
                out.append(f"{stage} {cell[0]} {cell[1]}: {low} to {high}")
    return out


def insider_pinned(views: dict[str, StageView], an, settings) -> list[str]:
    """Every other council's withheld count that a council, knowing its own withheld counts,
    narrows to fewer than three values (each council in turn)."""
    pupils, children = public_populations(settings)
    name = {la.short_name: la.name for la in settings.local_authorities}
    out = []
    for stage, view in views.items():
        truth = an.cf_counts[stage]
        for insider in view.rows[:-1]:
            own = {
                (insider, c): int(truth.loc[name[insider], c])
                for c in [*view.groups, "All children"]
                if view.counts[(insider, c)] == fmt.WITHHELD
            }
            if not own:
                continue
            for cell, (low, high) in attack(view, pupils, children, own).items():
                if cell[0] != view.rows[-1] and high - low + 1 < 3:
                    out.append(f"{stage} {insider} knows {cell[0]} {cell[1]}: {low} to {high}")
    return out


@pytest.fixture(scope="module")
def analysis(settings, instrument):
    return analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))


def test_intruder_reading_the_report_pins_no_withheld_count(analysis, settings, tmp_path):
    report = write_report(analysis, tmp_path)
    views = views_from_docx(report, analysis)
    assert len(views) >= 4
    withheld = sum(
        _number(t) is None for v in views.values() for t in v.counts.values() if t == fmt.WITHHELD
    )
    assert withheld > 10  # the samples do withhold counts: the attack has work to do
    assert pinned(views, settings) == []


def test_intruder_pins_counts_when_protection_is_weakened(settings, instrument, monkeypatch):
    # Only the old rule (counts 1 to 5 and the cells that protect them from totals), with the
    # ratios printed regardless: the Bedford child protection attack of the review works again.
    monkeypatch.setattr(measures, "protect_stage", lambda values, hidden, *a: (hidden, set()))
    collation = collate_folder(ROOT / "sample_returns", settings, instrument)
    weak = analyse_collation(collation)
    found = pinned(views_from_analysis(weak), settings)
    assert found, "the attack should recover withheld counts from unprotected ratios"


def test_no_council_knowing_its_own_counts_pins_another_councils(analysis, settings, tmp_path):
    # Each council reads the report knowing its own withheld counts: with them taken from a
    # column's total, no other council's withheld count may be narrowed below three values.
    report = write_report(analysis, tmp_path)
    views = views_from_docx(report, analysis)
    assert insider_pinned(views, analysis, settings) == []


def test_an_insider_pins_counts_without_the_insider_check(settings, instrument, monkeypatch):
    # With only the check against a reader, the samples' looked-after table has columns with
    # exactly two withheld councils and the region's total shown: each of the two has the other's.
    from collate.measures import stage_protection

    monkeypatch.setattr(stage_protection, "INSIDER_CHECK", False)
    weak = analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))
    found = insider_pinned(views_from_analysis(weak), weak, settings)
    assert any(" knows " in leak and "cla" in leak for leak in found), found
    # Only the insider has this attack: a reader without the councils' own counts has none.
    assert pinned(views_from_analysis(weak), settings) == []


def test_docx_view_matches_the_published_frames(analysis, settings, tmp_path):
    # The hypothesis test below attacks the frames the report is printed from; check they are
    # what the report shows.
    report = write_report(analysis, tmp_path)
    from_docx = views_from_docx(report, analysis)
    from_frames = views_from_analysis(analysis)
    for stage, view in from_docx.items():
        assert view.counts == from_frames[stage].counts
        assert {k: v.rstrip("*†") for k, v in view.ratios.items()} == from_frames[stage].ratios
        assert view.quality == from_frames[stage].quality


CODES = ["WBRI", "WOTH", "MWBC", "MWAS", "APKN", "AIND", "BAFR", "CHNE", "OOTH", "REFU", "NOBT"]


@hyp_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_intruder_fails_on_generated_small_number_returns(analysis, settings, instrument, data):
    # Small LAs with many small counts: a few LAs, two stages, counts mostly under 15.
    las = data.draw(
        st.lists(st.sampled_from(analysis.las), min_size=2, max_size=5, unique=True), "LAs"
    )
    values = {}
    for la in las:
        v = dict(analysis.values[la])
        for key in [k for k in v if k.startswith("children_families.counts.")]:
            del v[key]
        for stage in ("cpp", "cla"):
            for code in CODES:
                n = data.draw(st.integers(0, 14) | st.integers(0, 3), f"{la} {stage} {code}")
                v[f"children_families.counts.{code.lower()}.{stage}"] = n
        values[la] = v
    an = analyse(values, settings, instrument, {}, True, analysis.today)
    views = views_from_analysis(an)
    assert pinned(views, settings) == []
    assert insider_pinned(views, an, settings) == []


def _workforce_insider_leaks(an) -> list[str]:
    """A council knowing its own four counts behind a likelihood takes them from the region's
    printed "events of base": with one other council, what is left is that council's counts."""
    likelihoods, region_name = _analysis_module().WRES_LIKELIHOODS, _analysis_module().REGION
    truth = an.wres[an.wres["measure"] == "relative likelihood"]
    pub = an.wres_published[an.wres_published["measure"] == "relative likelihood"]
    out = []
    for ind in likelihoods:
        region = pub[(pub["la"] == region_name) & (pub["indicator"] == ind)]
        councils = truth[(truth["la"] != region_name) & (truth["indicator"] == ind)]
        if region.empty or len(councils) != 2:
            continue
        for g in ("minority_ethnic", "white"):
            shown = re.fullmatch(r"(\d+) of (\d+)", str(region.iloc[0][g]))
            if not shown:
                continue
            for own, other in ((0, 1), (1, 0)):
                mine = re.fullmatch(r"(\d+) of (\d+)", str(councils.iloc[own][g]))
                theirs = re.fullmatch(r"(\d+) of (\d+)", str(councils.iloc[other][g]))
                for k in (1, 2):
                    worked_out = int(shown[k]) - int(mine[k])
                    if 1 <= int(theirs[k]) <= 5 and worked_out == int(theirs[k]):
                        out.append(f"{ind} {councils.iloc[other]['la']} {g}: {worked_out}")
    return out


def _two_council_workforce(analysis, las):
    import copy

    an = copy.copy(analysis)
    an.las = las
    _analysis_module()._workforce(an)
    return an


def _analysis_module():
    # The module the workforce figures are made in.
    import importlib

    return importlib.import_module("collate.analysis.workforce")


def test_no_council_works_out_anothers_workforce_count(analysis):
    # Two councils returning: the region's counts less a council's own are the other's.
    for las in (analysis.las[:2], analysis.las[2:4], analysis.las[-2:]):
        an = _two_council_workforce(analysis, las)
        assert _workforce_insider_leaks(an) == []


def test_workforce_counts_are_worked_out_without_the_check(analysis, monkeypatch):
    monkeypatch.setattr(_analysis_module(), "WRES_CHECK", False)
    an = _two_council_workforce(analysis, analysis.las[:2])
    assert _workforce_insider_leaks(an), "the region's counts should give the other council's"
