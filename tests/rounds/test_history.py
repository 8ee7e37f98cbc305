"""Two rounds end to end: a synthetic previous round kept in a history folder, this round's
sample returns collated against it, and what collated.xlsx and the report then say."""

from __future__ import annotations

import copy
import re
import zipfile
from dataclasses import asdict
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from collate.analysis.round import analysis_from_collated
from collate.errors import ToolkitError
from collate.outputs.la_packs import pack_data
from collate.rounds.history import (
    PastRound,
    earlier_rounds,
    item_changes,
    load_history,
    load_round,
)
from collate.rounds.progress import attach_progress
from collate.run import run_collation
from collate.samples.libreoffice import convert, resave_xlsx
from collate.samples.previous_round import make_previous_history, previous_settings
from collate.settings import ROOT


@pytest.fixture(scope="module")
def two_rounds(settings, instrument, tmp_path_factory):
    history = tmp_path_factory.mktemp("history")
    make_previous_history(settings, instrument, history)
    out = tmp_path_factory.mktemp("out")
    result = run_collation(ROOT / "sample_returns", out, settings, instrument, history=history)
    assert not result.problems
    return history, out


def _table(path: Path, sheet: str) -> pd.DataFrame:
    raw = pd.read_excel(path, engine="openpyxl", sheet_name=sheet, header=None, dtype=object)
    head = int(raw.index[raw.iloc[:, 0].astype(str).isin(["la", "round", "pledge"])][0])
    table = raw.iloc[head + 1 :].reset_index(drop=True)
    table.columns = [str(c) for c in raw.iloc[head]]
    return table


def test_previous_round_is_a_year_earlier(settings):
    before = previous_settings(settings)
    assert before.round == "2025-26"
    assert before.figures_year_ending.year == settings.figures_year_ending.year - 1


def test_each_round_is_kept_by_name(two_rounds):
    history, out = two_rounds
    assert sorted(p.name for p in history.iterdir()) == ["2025-26", "2026-27"]
    wb = openpyxl.load_workbook(out / "collated.xlsx", read_only=True)
    about = {r[0]: r[1] for r in wb["About this round"].iter_rows(max_row=12, values_only=True)}
    assert about["Round"] == "2026-27"
    assert about["Compared with round"] == "2025-26"
    # The synthetic previous round says so.
    prev = openpyxl.load_workbook(history / "2025-26" / "collated.xlsx", read_only=True)
    banners = [r[0] for r in prev["Scores"].iter_rows(max_row=4, values_only=True)]
    assert any("SYNTHETIC" in str(b) for b in banners)


def test_progress_matches_each_rounds_own_scores(two_rounds):
    history, out = two_rounds
    now = _table(out / "collated.xlsx", "Scores").set_index(["la", "pledge"])
    then = _table(history / "2025-26" / "collated.xlsx", "Scores").set_index(["la", "pledge"])
    moves = _table(out / "collated.xlsx", "Progress by pledge")
    assert len(moves) == 11 * 8
    for r in moves.itertuples():
        key = (r.la, r.pledge)
        assert r.points_now == now.loc[key, "points"]
        assert r.points_before == then.loc[key, "points"]
        assert r.points_change == r.points_now - r.points_before
    # The synthetic round is a year behind: more levels up than down.
    counts = moves["level_movement"].value_counts()
    assert counts.get("up", 0) > counts.get("down", 0)


def test_children_trend_uses_each_rounds_intervals(two_rounds):
    history, out = two_rounds
    trend = _table(out / "collated.xlsx", "Children trend")
    now = _table(out / "collated.xlsx", "C&F measures").set_index(["la", "stage", "group"])
    then = _table(history / "2025-26" / "collated.xlsx", "C&F measures").set_index(
        ["la", "stage", "group"]
    )
    for r in trend.itertuples():
        key = (r.la, r.stage, r.group)
        assert r.ratio_now == pytest.approx(now.loc[key, "representation_ratio"])
        assert r.low_before == pytest.approx(then.loc[key, "ratio_low"], nan_ok=True)
        if r.trend == "down":
            assert r.high_now < r.low_before
        elif r.trend == "up":
            assert r.low_now > r.high_before
    # The synthetic round had more mixed heritage children: some ratios clearly fell.
    mixed = trend[trend["group"] == "Mixed or Multiple ethnic groups"]
    assert (mixed["trend"] == "down").any()


def test_long_table_holds_every_round(two_rounds):
    _, out = two_rounds
    long = _table(out / "collated.xlsx", "Every round (long)")
    assert set(long["round"]) == {"2025-26", "2026-27"}
    assert {"pledge points", "criterion points", "representation ratio"} <= set(long["measure"])


def test_report_has_a_since_last_round_section(two_rounds):
    _, out = two_rounds
    text = "\n".join(p.text for p in docx.Document(out / "report.docx").paragraphs)
    assert "Since last round" in text
    assert "compares round 2026-27 with round 2025-26" in text
    assert "95% confidence intervals in the two rounds do not overlap" in text


def test_rerunning_a_round_does_not_compare_it_with_itself(two_rounds, settings, instrument):
    history, _ = two_rounds
    rounds = earlier_rounds(None, history, settings, instrument)
    assert [r.name for r in rounds] == ["2025-26"]
    with pytest.raises(ToolkitError, match="itself"):
        earlier_rounds(history / "2026-27" / "collated.xlsx", None, settings, instrument)
    assert [r.name for r in load_history(history, settings, instrument)] == [
        "2025-26",
        "2026-27",
    ]


def test_items_are_matched_by_reference(instrument):
    refs = {c.ref: c.text for p in instrument.pledges for c in p.criteria}
    first, second = list(refs)[:2]
    old = dict(refs)
    old[first] = "An older wording of the same criterion"
    del old[second]
    old["9.9"] = "A criterion since retired"
    past = PastRound(
        "2025-26",
        Path("x"),
        analysis=None,
        criteria=old,
        fields={"foundations.old_question": "A question no longer asked"},
    )
    changes = {(c.kind, c.item) for c in item_changes(past, instrument)}
    assert ("reworded", f"criterion {first}") in changes
    assert ("new", f"criterion {second}") in changes
    assert ("retired", "criterion 9.9") in changes
    assert ("retired", "question") in changes


def _charts(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(1 for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))


def test_dashboard_has_native_charts_and_no_formulas(two_rounds):
    _, out = two_rounds
    path = out / "dashboard.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["About", "Pledge levels", "Children", "Workforce", "Trends"]
    # Pledges 1, children 1, one per SC-WRES indicator shown, trends 1 + one per stage.
    assert _charts(path) >= 1 + 1 + 3 + 1 + 5
    for ws in wb.worksheets:
        top = [c for row in ws.iter_rows(max_row=3, values_only=True) for c in row if c]
        assert any("Published figures only" in str(c) for c in top), ws.title
        assert any("SYNTHETIC SAMPLE DATA" in str(c) for c in top), ws.title
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


def test_dashboard_shows_only_published_workforce_figures(two_rounds):
    _, out = two_rounds
    collated = _table(out / "collated.xlsx", "Workforce published")
    published = collated[collated["measure"] == "relative likelihood"]
    withheld = {
        (la, str(i)) for la, i, v in published[["la", "indicator", "value"]].values if pd.isna(v)
    }
    ws = openpyxl.load_workbook(out / "dashboard.xlsx")["Workforce"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Council")
    columns = {str(h).split(".")[0]: j for j, h in enumerate(header) if h and h[0].isdigit()}
    short = {"Southend": "Southend-on-Sea", "Region": "Region"}
    for row in ws.iter_rows(min_row=1, values_only=True):
        if row[0] in (None, "Council") or not isinstance(row[1], (int, float, type(None))):
            continue
        la = short.get(row[0], row[0])
        for ind, j in columns.items():
            if (la, ind) in withheld:
                assert row[j] is None and row[j + 1] == "[c]", (la, ind)


def test_dashboard_opens_in_libreoffice_with_its_charts(two_rounds, libreoffice, tmp_path):
    _, out = two_rounds
    resaved = resave_xlsx(out / "dashboard.xlsx", tmp_path)
    assert _charts(resaved) == _charts(out / "dashboard.xlsx")
    pdf = convert(out / "dashboard.xlsx", tmp_path, "pdf", recalc=False)
    assert pdf.stat().st_size > 10_000


def _pack_text(path: Path) -> str:
    d = docx.Document(path)
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


@pytest.fixture(scope="module")
def analysed(two_rounds, settings, instrument):
    history, out = two_rounds
    an = analysis_from_collated(out / "collated.xlsx", settings, instrument)
    return attach_progress(an, [load_round(history / "2025-26", settings, instrument)])


def test_packs_made_once_per_round_are_what_pack_data_makes(analysed):
    from collate.outputs.la_packs import pack_maker

    make = pack_maker(analysed)
    assert analysed.progress is not None
    for la in analysed.las:
        assert repr(asdict(make(la))) == repr(asdict(pack_data(analysed, la))), la


def test_a_pack_for_every_council_naming_no_other(two_rounds, settings):
    _, out = two_rounds
    packs = sorted((out / "la_packs").glob("*.docx"))
    assert len(packs) == 11
    councils = settings.local_authorities
    for la in councils:
        text = _pack_text(out / "la_packs" / f"{la.slug}.docx")
        assert f"For {la.short_name} only" in text
        assert "SYNTHETIC SAMPLE DATA" in text
        assert "Progress since round 2025-26" in text
        for other in councils:
            if other.name == la.name:
                continue
            for name in {other.name, other.short_name}:
                assert not re.search(rf"\b{re.escape(name)}\b", text), (la.name, name)


def _tampered(an, keep: str):
    """A copy of `an` whose every unpublished figure of councils other than `keep` is changed."""
    t = copy.deepcopy(an)
    for frame, cols in (
        (t.cf_measures, ["count", "representation_ratio", "ratio_low", "ratio_high"]),
        (t.cf_detail, ["count", "representation_ratio"]),
        (t.wres, ["value"]),
        (t.exit, ["yes", "base", "share"]),
    ):
        others = frame["la"] != keep
        for c in cols:
            frame[c] = frame[c].astype(object)
            frame.loc[others, c] = 999
    for frame in t.cf_counts.values():
        frame.loc[[i for i in frame.index if i != keep]] = 999
    for frame in (t.progress.children, t.progress.wres):
        others = frame["la"] != keep
        for c in frame.columns:
            if c.startswith(("ratio_", "value_", "low_", "high_")):
                frame.loc[others, c] = 999.0
    return t


def test_packs_do_not_depend_on_other_councils_unpublished_figures(analysed):
    for la in analysed.las:
        mine = repr(asdict(pack_data(analysed, la)))
        assert repr(asdict(pack_data(_tampered(analysed, la), la))) == mine, la


def test_a_pack_shows_its_own_withheld_counts_in_full(analysed):
    la = "Bedford"
    data = pack_data(analysed, la)
    published = analysed.cf_measures_published
    mine = published[(published["la"] == la) & (published["count"] == "c")]
    assert len(mine), "the samples should have a withheld count for Bedford"
    full = {(c["stage"], c["group"]): c["count"] for c in data.children}
    truth = analysed.cf_measures.set_index(["la", "stage", "group"])["count"]
    checked = 0
    for r in mine.itertuples():
        shown = full.get((r.stage_label, r.group))
        if shown is not None:
            # Its own count, withheld in the report (small, or withheld to protect another).
            assert int(shown) == int(truth[(la, r.stage, r.group)])
            checked += 1
    assert checked


def test_collate_report_rebuilds_the_since_section(two_rounds, tmp_path):
    from click.testing import CliRunner

    from collate.cli import main

    history, out = two_rounds
    res = CliRunner().invoke(
        main,
        [
            "report",
            "--collated",
            str(out / "collated.xlsx"),
            "--out",
            str(tmp_path),
            "--previous",
            str(history),
        ],
    )
    assert res.exit_code == 0, res.output
    text = "\n".join(p.text for p in docx.Document(tmp_path / "report.docx").paragraphs)
    assert "compares round 2026-27 with round 2025-26" in text


def test_a_pack_withholds_the_region_figure_its_own_count_would_unlock(analysed):
    # A column with exactly two withheld councils and a published regional total: either
    # council, knowing its own count, could take it from the total and find the other's.
    cases = 0
    for stage, pub in analysed.cf_published.items():
        label = dict((s, lab) for s, lab, _ in analysed.stages)[stage]
        for group in pub.columns:
            withheld = [la for la in pub.index if la in analysed.las and pub.loc[la, group] == "c"]
            if len(withheld) != 2:
                continue
            cases += 1
            for la in withheld:
                rows = [
                    c
                    for c in pack_data(analysed, la).children
                    if c["stage"] == label and c["group"] == group
                ]
                assert all(c["region"] is None and c["region_withheld"] for c in rows), (la, group)
    # The report's own check of each council as an insider withholds a third count in such a
    # column (collate.measures.insider), so the samples no longer have one; the pack's rule
    # stays as a second guard.
    assert cases == 0
