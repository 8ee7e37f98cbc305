"""A benchmark pack per council for peer challenge (outputs/la_packs/<council>.docx).

Each pack goes to one council only. Its own figures are shown in full (they are its own data);
every other figure is the region's, and only as published (suppressed), so a pack never shows
another council's withheld figure and never names another council. `PackData` is built in one
place, from the council's own rows and the published frames only, so the rule is kept by
construction; the tests check it by changing every other council's unpublished figures and
finding each pack unchanged.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import pandas as pd
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt

from collate.analysis.model import REGION, Analysis
from collate.outputs.sheets import SAMPLE_NOTE
from collate.report.numbers import NOT_AVAILABLE, SYMBOLS_KEY, WITHHELD, ratio
from collate.rounds.progress import DOWN, LIKELIHOOD_INDICATORS, UP
from collate.workers import ordered_map, worker_count

STRONG = ("Established", "Leading")
LEVELS = ("Developing", "Established", "Leading")
FOR_ONLY = (
    "For {la} only: {la}'s own figures are shown in full. Figures for the region are as "
    "published, with small numbers withheld. Do not pass this pack to another council."
)


@dataclass
class PackData:
    """Everything one pack shows: the council's own figures and the region's published ones."""

    la: str
    short: str
    round: str
    previous_round: str | None
    pledges: list[dict[str, Any]] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    workforce: list[dict[str, Any]] = field(default_factory=list)
    strengths: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    progress: list[dict[str, Any]] = field(default_factory=list)
    trends: list[dict[str, Any]] = field(default_factory=list)


def _num(x: Any) -> float | None:
    if x is None or isinstance(x, str):
        return None
    return None if pd.isna(x) else float(x)


def pack_data(an: Analysis, la: str, withheld: dict | None = None) -> PackData:
    """The pack's figures for `la`: its own rows, and only published rows for the region.

    `withheld` is `withheld_by_column(an)`, made once for every pack of a round."""
    if withheld is None:
        withheld = withheld_by_column(an)
    short = {x.name: x.short_name for x in an.settings.local_authorities}
    p = an.progress
    data = PackData(la, short.get(la, la), an.settings.round, p.previous_round if p else None)
    # Pledge levels: the regional spread (pledge levels are published in the report).
    for number, rows in an.scores.groupby("pledge", sort=True):
        own = rows[rows["la"] == la].iloc[0]
        pts = pd.to_numeric(rows["points"], errors="coerce")
        data.pledges.append(
            {
                "number": number,
                "title": own["pledge_title"],
                "level": own["level"] or "not scored",
                "points": _num(own["points"]),
                "max_points": _num(own["max_points"]),
                "spread": {lv: int((rows["level"] == lv).sum()) for lv in LEVELS},
                "median": float(pts.median()) if pts.notna().any() else None,
            }
        )
    # Children: own ratios in full; the region's as published (none in an instrument without
    # children's figures).
    if an.instrument.ethnicity is None or an.cf_measures.empty:
        return _rest(an, la, data, p)
    not_known = set(an.instrument.ethnicity.not_known_groups)
    own_cf = an.cf_measures[(an.cf_measures["la"] == la) & ~an.cf_measures["group"].isin(not_known)]
    pub = an.cf_measures_published
    region = pub[pub["la"] == REGION].set_index(["stage", "group"])
    for r in own_cf.to_dict("records"):
        key = (r["stage"], r["group"])
        data.children.append(
            {
                "stage": r["stage_label"],
                "group": r["group"],
                "count": r["count"],
                "ratio": _num(r["representation_ratio"]),
                "region": _num(region["representation_ratio"].get(key))
                if key in region.index
                else None,
                "region_withheld": key in region.index
                and is_suppressed_reason(str(region["reason"].get(key))),
            }
        )
        if _pins_another(withheld, la, r["stage"], r["group"]):
            data.children[-1].update(region=None, region_withheld=True)
    return _rest(an, la, data, p)


def withheld_by_column(an: Analysis) -> dict[tuple[str, str], list[str]]:
    """(stage, group) → the councils whose published count there is withheld ([c]), in the
    published table's order. Worked out once for every pack: looking cell by cell for each
    council's pack cost the square of the number of councils."""
    out: dict[tuple[str, str], list[str]] = {}
    for stage, pub in an.cf_published.items():
        shown = pub[pub.index != REGION].astype(str)
        for group in pub.columns:
            out[(stage, group)] = list(shown.index[(shown[group] == "c").to_numpy()])
    return out


def _pins_another(withheld: dict, la: str, stage: str, group: str) -> bool:
    """True when this council's own withheld count, taken from the region's total, would leave
    exactly one other council's withheld count in the column: the region's figure is then
    withheld from this council's pack (it knows its own count; the report's readers do not)."""
    column = withheld.get((stage, group))
    return column is not None and la in column and len(column) == 2


def _rest(an: Analysis, la: str, data: PackData, p) -> PackData:
    """The pack's workforce, self-assessment and progress parts (see `pack_data`)."""
    # Workforce: own likelihoods in full; the region's as published.
    has_wres = not an.wres.empty and not an.wres_published.empty
    own_w = (
        an.wres[(an.wres["la"] == la) & (an.wres["measure"] == "relative likelihood")]
        if has_wres
        else pd.DataFrame()
    )
    wpub = an.wres_published
    wreg = (
        wpub[(wpub["la"] == REGION) & (wpub["measure"] == "relative likelihood")]
        if has_wres
        else pd.DataFrame(columns=["indicator", "value"])
    )
    wreg = wreg.set_index(wreg["indicator"].astype(str))
    for r in own_w.to_dict("records"):
        ind = str(r["indicator"])
        data.workforce.append(
            {
                "indicator": r["indicator_name"],
                "own": _num(r["value"]),
                "own_reason": r["reason"],
                "region": _num(wreg["value"].get(ind)) if ind in wreg.index else None,
            }
        )
    # Strengths and gaps from the council's own self-assessment.
    for r in an.criteria[an.criteria["la"] == la].to_dict("records"):
        item = {"ref": r["criterion"], "text": r["criterion_text"], "level": r["level"]}
        (data.strengths if r["level"] in STRONG else data.gaps).append(item)
    if p is not None:
        for r in p.pledges[p.pledges["la"] == la].to_dict("records"):
            data.progress.append(r)
        for frame, kind in ((p.children, "children"), (p.wres, "workforce")):
            own = frame[(frame["la"] == la) & frame["trend"].isin([UP, DOWN])]
            for r in own.to_dict("records"):
                if kind == "workforce" and str(r["indicator"]) not in LIKELIHOOD_INDICATORS:
                    continue
                data.trends.append(_trend(r, kind))
    return data


def _trend(r: dict, kind: str) -> dict:
    """A trend line of a pack: what changed, before, now, and whether it rose or fell."""
    return {
        "what": f"{r['stage_label']}, {r['group']}" if kind == "children" else r["indicator_name"],
        "before": r.get("ratio_before", r.get("value_before")),
        "now": r.get("ratio_now", r.get("value_now")),
        "trend": "rose" if r["trend"] == UP else "fell",
    }


def pack_maker(an: Analysis) -> Callable[[str], PackData]:
    """`pack_data` for every council of a round, with the work that is the same for each pack
    done once: each table is split by council once (in its own order), and the region's
    spread, middle and published rows are found once. Each pack is the one `pack_data` makes
    (tests/outputs/test_packs_speed.py compares them)."""
    withheld = withheld_by_column(an)
    short = {x.name: x.short_name for x in an.settings.local_authorities}
    p = an.progress

    def by_la(frame: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for r in frame.to_dict("records"):
            out.setdefault(r["la"], []).append(r)
        return out

    pledges = []
    for number, rows in an.scores.groupby("pledge", sort=True):
        pts = pd.to_numeric(rows["points"], errors="coerce")
        first: dict[str, int] = {}
        for position, name in enumerate(rows["la"]):
            first.setdefault(name, position)
        spread = {lv: int((rows["level"] == lv).sum()) for lv in LEVELS}
        median = float(pts.median()) if pts.notna().any() else None
        pledges.append((number, rows, first, spread, median))
    children = None
    if an.instrument.ethnicity is not None and not an.cf_measures.empty:
        not_known = set(an.instrument.ethnicity.not_known_groups)
        children = by_la(an.cf_measures[~an.cf_measures["group"].isin(not_known)])
        pub = an.cf_measures_published
        region = pub[pub["la"] == REGION].set_index(["stage", "group"])

    @functools.cache
    def region_of(key: tuple[Any, Any]) -> tuple[float | None, bool]:
        return (
            _num(region["representation_ratio"].get(key)) if key in region.index else None,
            key in region.index and is_suppressed_reason(str(region["reason"].get(key))),
        )

    has_wres = not an.wres.empty and not an.wres_published.empty
    own_w = by_la(an.wres[an.wres["measure"] == "relative likelihood"]) if has_wres else {}
    wpub = an.wres_published
    wreg = (
        wpub[(wpub["la"] == REGION) & (wpub["measure"] == "relative likelihood")]
        if has_wres
        else pd.DataFrame(columns=["indicator", "value"])
    )
    wreg = wreg.set_index(wreg["indicator"].astype(str))
    region_w = {
        ind: _num(wreg["value"].get(ind)) if ind in wreg.index else None
        for r in (x for rows in own_w.values() for x in rows)
        for ind in [str(r["indicator"])]
    }
    criteria = by_la(an.criteria)
    if p is not None:
        progress = by_la(p.pledges)
        trends = {
            kind: by_la(frame[frame["trend"].isin([UP, DOWN])])
            for frame, kind in ((p.children, "children"), (p.wres, "workforce"))
        }

    def make(la: str) -> PackData:
        data = PackData(la, short.get(la, la), an.settings.round, p.previous_round if p else None)
        for number, rows, first, spread, median in pledges:
            own = rows.iloc[first[la]]
            data.pledges.append(
                {
                    "number": number,
                    "title": own["pledge_title"],
                    "level": own["level"] or "not scored",
                    "points": _num(own["points"]),
                    "max_points": _num(own["max_points"]),
                    "spread": dict(spread),
                    "median": median,
                }
            )
        for r in children.get(la, []) if children is not None else []:
            key = (r["stage"], r["group"])
            ratio_, withheld_ = region_of(key)
            data.children.append(
                {
                    "stage": r["stage_label"],
                    "group": r["group"],
                    "count": r["count"],
                    "ratio": _num(r["representation_ratio"]),
                    "region": ratio_,
                    "region_withheld": withheld_,
                }
            )
            if _pins_another(withheld, la, r["stage"], r["group"]):
                data.children[-1].update(region=None, region_withheld=True)
        for r in own_w.get(la, []):
            data.workforce.append(
                {
                    "indicator": r["indicator_name"],
                    "own": _num(r["value"]),
                    "own_reason": r["reason"],
                    "region": region_w[str(r["indicator"])],
                }
            )
        for r in criteria.get(la, []):
            item = {"ref": r["criterion"], "text": r["criterion_text"], "level": r["level"]}
            (data.strengths if r["level"] in STRONG else data.gaps).append(item)
        if p is not None:
            data.progress.extend(progress.get(la, []))
            for kind in ("children", "workforce"):
                for r in trends[kind].get(la, []):
                    if kind == "workforce" and str(r["indicator"]) not in LIKELIHOOD_INDICATORS:
                        continue
                    data.trends.append(_trend(r, kind))
        return data

    return make


def _grid_table(doc, header: list[str], rows: list[list[str]], style_id: str | None = None) -> None:
    t = doc.add_table(rows=1, cols=len(header))
    if style_id is None:
        t.style = "Table Grid"
    else:  # python-docx's look-up of a style by name is slow: the id, found once per pack
        t._tbl.tblStyle_val = style_id
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    # Every body row starts as a copy of one empty row made by add_row (the same XML each
    # time), filled as `cell.text = text` fills it; python-docx's wrappers cost more than this.
    empty = None
    for row in rows:
        if empty is None:
            empty = copy.deepcopy(t.add_row()._tr)
            tr = t._tbl.tr_lst[-1]
        else:
            tr = copy.deepcopy(empty)
            t._tbl.append(tr)
        tcs = tr.tc_lst
        if len(tcs) != len(row):
            raise ValueError("a table row has the wrong number of cells")
        for tc, text in zip(tcs, row, strict=True):
            tc.clear_content()
            tc.add_p().add_r().text = text


def is_suppressed_reason(reason: str) -> bool:
    return "small" in reason.lower() or "withheld" in reason.lower()


def _r(x: float | None, withheld: bool = True) -> str:
    """A ratio; a missing one is [c] when withheld, else [x] (not available)."""
    if x is not None:
        return ratio(x)
    return WITHHELD if withheld else NOT_AVAILABLE


def write_pack(data: PackData, path: Path, is_sample: bool, programme: str) -> Path:
    doc = docx.Document()
    doc.styles["Normal"].font.size = Pt(10)
    # Style ids looked up once: python-docx looks a style up by name (and checks it against
    # the default style) for every paragraph, which was most of a pack's time.
    ids = {s.name: s.style_id for s in doc.styles}
    default = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH).style_id

    def add_paragraph(text: str = "", style: str | None = None):
        p = doc.add_paragraph(text)
        if style is not None and ids[style] != default:
            p._p.style = ids[style]
        return p

    def add_heading(text: str, level: int):
        return add_paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def _table(doc, header, rows):
        _grid_table(doc, header, rows, ids["Table Grid"])

    add_heading(f"{data.short}: benchmark pack for peer challenge", 0)
    add_paragraph(f"{programme}, round {data.round}.")
    for text in [FOR_ONLY.format(la=data.short)] + ([SAMPLE_NOTE] if is_sample else []):
        add_paragraph().add_run(text).bold = True

    add_heading("Pledge levels against the region", 1)
    add_paragraph(
        "Your level and points for each pledge, and how many councils in the region are at "
        "each level."
    )
    _table(
        doc,
        [
            "Pledge",
            "Your level",
            "Your points",
            "Region: Developing / Established / Leading",
            "Region: middle points",
        ],
        [
            [
                f"{p['number']}. {p['title']}",
                p["level"],
                "" if p["points"] is None else f"{p['points']:g} of {p['max_points']:g}",
                " / ".join(str(p["spread"][lv]) for lv in LEVELS),
                "" if p["median"] is None else f"{p['median']:g}",
            ]
            for p in data.pledges
        ],
    )

    add_heading("Your figures against the region's", 1)
    add_paragraph(
        "Children: each group's representation ratio at each stage (its share at the stage "
        "divided by its share of the child population; 1.00 means as in the population). Your "
        "counts are shown in full; the region's ratios are as published."
    )
    _table(
        doc,
        ["Stage", "Group", "Your count", "Your ratio", "Region's ratio"],
        [
            [
                c["stage"],
                c["group"],
                str(c["count"]),
                _r(c["ratio"], withheld=False),
                _r(c["region"], withheld=c["region_withheld"]),
            ]
            for c in data.children
        ],
    )
    if data.workforce:
        add_paragraph(
            "Workforce: SC-WRES relative likelihoods (minority ethnic divided by white; "
            "0.80 to 1.25 is the non-adverse band)."
        )
        _table(
            doc,
            ["Indicator", "Yours", "Region's"],
            [
                [w["indicator"], "" if w["own"] is None else ratio(w["own"]), _r(w["region"])]
                for w in data.workforce
            ],
        )

    add_heading("Strengths and gaps from your self-assessment", 1)
    add_heading("Strengths (Established or Leading)", 2)
    for s in data.strengths or [{"ref": "", "text": "None yet", "level": ""}]:
        add_paragraph(f"{s['ref']} {s['text']} ({s['level']})".strip(), style="List Bullet")
    add_heading("Gaps (not yet in place or Developing)", 2)
    for g in data.gaps or [{"ref": "", "text": "None", "level": ""}]:
        level = g["level"] or "not answered"
        add_paragraph(f"{g['ref']} {g['text']} ({level})".strip(), style="List Bullet")

    if data.previous_round:
        add_heading(f"Progress since round {data.previous_round}", 1)
        _table(
            doc,
            ["Pledge", "Points then", "Points now", "Level then", "Level now", "Movement"],
            [
                [
                    str(r["pledge"]),
                    "" if pd.isna(r["points_before"]) else f"{r['points_before']:g}",
                    "" if pd.isna(r["points_now"]) else f"{r['points_now']:g}",
                    r["level_before"],
                    r["level_now"],
                    {"up": "up a level", "down": "down a level"}.get(
                        r["level_movement"], r["level_movement"]
                    ),
                ]
                for r in data.progress
            ],
        )
        if data.trends:
            add_paragraph(
                "Your ratios that changed by more than chance would explain (their 95% "
                "confidence intervals in the two rounds do not overlap):"
            )
            for t in data.trends:
                add_paragraph(
                    f"{t['what']}: {t['trend']} from {ratio(t['before'])} to {ratio(t['now'])}.",
                    style="List Bullet",
                )
        else:
            add_paragraph(
                "None of your ratios changed by more than chance would explain (95% confidence "
                "intervals that overlap are not called a change)."
            )
    add_paragraph(f"Symbols: {SYMBOLS_KEY}")
    doc.core_properties.title = f"{data.short}: benchmark pack"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def write_la_packs(an: Analysis, out: Path, part: int = 0, parts: int = 1) -> dict[str, Path]:
    """One pack per returning council in out/la_packs/; returns council name → path.

    ``part`` of ``parts``: only that share of the councils (every ``parts``-th, from ``part``),
    so that the packs can be written beside the other outputs in shares (collate.run)."""
    folder = Path(out) / "la_packs"
    slugs = {x.name: x.slug for x in an.settings.local_authorities}
    make = pack_maker(an)

    def write(la: str) -> Path:
        return write_pack(
            make(la),
            folder / f"{slugs[la]}.docx",
            an.is_sample,
            an.settings.programme,
        )

    # Each pack stands alone, so two processes write them (collate.workers) where they can.
    las = list(an.las)[part::parts]
    return dict(zip(las, ordered_map(write, las, worker_count(an.settings)), strict=True))
