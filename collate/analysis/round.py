"""Every measure for the round, computed from the accepted returns' answers.

One `Analysis` feeds both collated.xlsx and the Word report, so every figure in the report is a
figure in the collated workbook. Frames named `*_published` are suppressed (counts of 1 to 5 shown
as "c", with secondary suppression, and no rate or ratio from a suppressed count); the others are
the programme manager's own unsuppressed figures, not for publication.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from collate import measures as m
from collate.analysis.child_population import METHODS, Denominator, load_denominator
from collate.analysis.population import ATTRIBUTION, LAPopulation, load_population
from collate.instrument.model import Instrument
from collate.intake.collation import Collation
from collate.measures.workforce import survey_likelihood
from collate.settings import RoundSettings
from collate.workers import ordered_map, worker_count

REGION = "All returning LAs"
WRES_REGION = "Region"
#: Who was asked an exit question that is not a follow-on: everyone interviewed.
EXIT_ALL_ASKED = "leavers interviewed"
FOUNDATION_KEYS = [
    "pledge_adopted",
    "scwres",
    "scwres_note",
    "edi_strategy",
    "edi_strategy_title",
    "cs_strategy",
    "cs_strategy_title",
    "induction_status",
    "induction_description",
    "procurement",
    "procurement_description",
    "highlights",
]
POPULATION_NOTE = (
    "Population shares use Census 2021 usual residents of all ages by ethnic group, because "
    "figures for children aged 0 to 17 by ethnic group were not available. Children are more "
    "ethnically diverse than adults, so these shares understate the diversity of the child "
    "population and may overstate over-representation of global majority groups. Rates per "
    "10,000 children by ethnic group are shown only where a 0 to 17 population by ethnic group "
    "is supplied."
)


@dataclass
class Analysis:
    settings: RoundSettings
    instrument: Instrument
    is_sample: bool
    today: dt.date
    expected: list[str]
    las: list[str]
    not_usable: dict[str, str]
    values: dict[str, dict[str, Any]]
    foundations: pd.DataFrame = field(default_factory=pd.DataFrame)
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Each pledge's score ranges: derived from its criteria, as published, and which was used.
    ranges: pd.DataFrame = field(default_factory=pd.DataFrame)
    criteria: pd.DataFrame = field(default_factory=pd.DataFrame)
    cf_published: dict[str, pd.DataFrame] = field(default_factory=dict)
    cf_counts: dict[str, pd.DataFrame] = field(default_factory=dict)
    cf_measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    cf_measures_published: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Detailed categories (e.g. White and Black Caribbean): the programme manager's own view,
    # never published, because detail counts add up to the published group counts.
    cf_detail: pd.DataFrame = field(default_factory=pd.DataFrame)
    cf_sentences: list[str] = field(default_factory=list)
    cf_over_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Each ratio and flag under every denominator on offer (collated.xlsx only).
    cf_denominators: pd.DataFrame = field(default_factory=pd.DataFrame)
    denominator: Denominator | None = None
    cf_quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Children at each stage per 10,000 children aged 0-17 (all ethnicities), the rate the DfE
    # publishes for each LA; only the 0-17 total is age-matched in the shipped reference table.
    cf_rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    cf_rates_published: pd.DataFrame = field(default_factory=pd.DataFrame)
    stages: list[tuple[str, str, str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    reference_group: str = "White British"
    threshold: float = 1.25
    population_basis: str = ""
    population_note: str = POPULATION_NOTE
    population_source: str = ATTRIBUTION
    wres: pd.DataFrame = field(default_factory=pd.DataFrame)
    wres_published: pd.DataFrame = field(default_factory=pd.DataFrame)
    exit: pd.DataFrame = field(default_factory=pd.DataFrame)
    exit_published: pd.DataFrame = field(default_factory=pd.DataFrame)
    sharing: pd.DataFrame = field(default_factory=pd.DataFrame)
    band: tuple[float, float] = (0.8, 1.25)
    suppress_from: int = 1
    suppress_to: int = 5
    # Progress since an earlier round (collate.rounds.progress.Progress), when one is given.
    progress: Any = None


def analyse_collation(collation: Collation, today: dt.date | None = None) -> Analysis:
    values = {r.la.name: dict(r.record.values) for r in collation.usable if r.record}
    not_usable = {n: r.status for n, r in collation.results.items() if not r.usable}
    return analyse(
        values, collation.settings, collation.instrument, not_usable, collation.is_sample, today
    )


def analysis_from_collated(
    path: Path, settings: RoundSettings, instrument: Instrument, today: dt.date | None = None
) -> Analysis:
    """Rebuild the analysis from a collated.xlsx written earlier (its answers and returns)."""
    from collate.errors import ToolkitError
    from collate.intake.tidy import values_from_tidy

    try:
        answers, banners = _read_sheet(path, "All answers")
        returns, _ = _read_sheet(path, "Returns")
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise ToolkitError(
            f"{path}: not a collated workbook made by this toolkit ({exc})"
        ) from None
    values = values_from_tidy(answers, instrument)
    statuses = dict(zip(returns["la"], returns["status"], strict=True))
    not_usable = {
        la: s
        for la, s in statuses.items()
        if s not in ("accepted", "accepted with queries")
        and la in {x.name for x in settings.local_authorities}
    }
    sample = any("SYNTHETIC" in b for b in banners)
    return analyse(values, settings, instrument, not_usable, sample, today)


def _read_sheet(path: Path, sheet: str) -> tuple[pd.DataFrame, list[str]]:
    """A collated sheet: its table (header row is the one starting 'la') and the banners above."""
    raw = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object)
    starts = raw.index[raw.iloc[:, 0].astype(str) == "la"]
    if not len(starts):
        raise ValueError(f"sheet '{sheet}' has no table")
    head = int(starts[0])
    banners = [str(v) for v in raw.iloc[:head, 0].dropna()]
    table = raw.iloc[head + 1 :].reset_index(drop=True)
    table.columns = [str(c) for c in raw.iloc[head]]
    return table, banners


def _num(values: dict[str, Any], fid: str) -> int:
    v = values.get(fid)
    return int(v) if isinstance(v, (int, float)) else 0


def analyse(
    values: dict[str, dict[str, Any]],
    settings: RoundSettings,
    instrument: Instrument,
    not_usable: dict[str, str],
    is_sample: bool,
    today: dt.date | None = None,
) -> Analysis:
    a = settings.analysis
    order = [la.name for la in settings.local_authorities]
    las = [n for n in order if n in values]
    an = Analysis(
        settings=settings,
        instrument=instrument,
        is_sample=is_sample,
        today=today or dt.date.today(),
        expected=order,
        las=las,
        not_usable=not_usable,
        values=values,
        threshold=a.over_representation_threshold,
        band=tuple(a.likelihood_band),
        suppress_from=a.suppress_from,
        suppress_to=a.suppress_to,
    )
    _foundations(an)
    _scores(an)
    # Each measure needs its section; an instrument without it (e.g. a self-assessment only)
    # simply has no such figures.
    sections = {s.id for s in instrument.sections}
    for needs, measure in (
        ("children_families", _children),
        ("workforce", _workforce),
        ("exit_interviews", _exit),
        ("sharing_practice", _sharing),
    ):
        if needs in sections:
            measure(an)
    return an


def _foundations(an: Analysis) -> None:
    short = {la.name: la.short_name for la in an.settings.local_authorities}
    rows = []
    has_section = any(s.id == "foundations" for s in an.instrument.sections)
    for la in an.las if has_section else []:
        v = an.values[la]
        rows.append(
            {
                "la": la,
                "short_name": short[la],
                **{k: v.get(f"foundations.{k}", "") for k in FOUNDATION_KEYS},
            }
        )
    an.foundations = pd.DataFrame(rows, columns=["la", "short_name", *FOUNDATION_KEYS])


def range_text(ranges: m.ScoreRanges) -> str:
    """'Developing 0–10; Established 11–18; Leading 19–22' (empty bands left out)."""
    return "; ".join(
        f"{name} {band[0]}–{band[1]}" for name, band in ranges.as_dict().items() if band
    )


def ranges_compared(pledge, derived: m.ScoreRanges) -> dict[str, Any]:
    """A pledge's derived score ranges beside any the instrument says were published, with
    which were used and why (the derived ones, always: they follow from the criteria)."""
    row: dict[str, Any] = {
        "pledge": pledge.number,
        "pledge_title": pledge.title,
        "derived_ranges": range_text(derived),
        "published_ranges": "",
        "agree": "",
        "ranges_used": "derived",
        "why": "Derived from the levels each criterion offers, by the Standard's method.",
    }
    if pledge.published_ranges is None:
        return row
    pub = pledge.published_ranges
    published = m.ScoreRanges(
        developing=tuple(pub.developing),
        established=tuple(pub.established) if pub.established else None,
        leading=tuple(pub.leading) if pub.leading else None,
    )
    row["published_ranges"] = range_text(published)
    row["published"] = published
    if published == derived:
        row["agree"] = "yes"
        row["why"] = "The published ranges follow from the criteria: the two are the same."
    else:
        row["agree"] = "no"
        row["why"] = (
            "The published ranges do not follow from the criteria as printed, which give "
            f"{range_text(derived)} by the published method; levels here use the ranges "
            "derived from the criteria, so that every level can be reproduced from the answers."
            + (f" {pledge.published_ranges_note}" if pledge.published_ranges_note else "")
        )
    return row


def _scores(an: Analysis) -> None:
    points = an.instrument.level_points()
    names = {p: n for n, p in points.items()}
    rows, crit_rows, range_rows = [], [], []
    for pledge in an.instrument.pledges:
        offered = [
            frozenset(points[lv] for lv in c.level.choices if points[lv] > 0)
            for c in pledge.criteria
        ]
        ranges = m.score_ranges(offered)
        compared = ranges_compared(pledge, ranges)
        published = compared.pop("published", None)
        range_rows.append(compared)
        ranges_shown = range_text(ranges)
        for la in an.las:
            v = an.values[la]
            answers = [
                points.get(v.get(c.level.id)) if v.get(c.level.id) else None
                for c in pledge.criteria
            ]
            score = m.score_pledge(answers, offered)
            # Where published ranges differ from the derived ones, the level they would give.
            other = ""
            if published is not None and published != ranges and score.level:
                try:
                    other = m.level_for(score.points, published)
                except ValueError:  # beyond the published maximum
                    other = f"above the published maximum of {published.max_points}"
            rows.append(
                {
                    "la": la,
                    "pledge": pledge.number,
                    "pledge_title": pledge.title,
                    "points": score.points,
                    "max_points": score.max_points,
                    "level": score.level or "",
                    "ranges": ranges_shown,
                    "note": score.reason or "",
                    "level_by_published_ranges": other,
                }
            )
            for c, ans in zip(pledge.criteria, answers, strict=True):
                crit_rows.append(
                    {
                        "la": la,
                        "pledge": pledge.number,
                        "criterion": c.ref,
                        "criterion_text": c.text,
                        "level": names.get(ans, "") if ans is not None else "",
                        "points": ans if ans is not None else "",
                        "example": v.get(c.example.id, "") if c.example is not None else "",
                        "evidence": v.get(c.evidence.id, ""),
                    }
                )
    an.scores = pd.DataFrame(
        rows,
        columns=[
            "la",
            "pledge",
            "pledge_title",
            "points",
            "max_points",
            "level",
            "ranges",
            "note",
            "level_by_published_ranges",
        ],
    )
    an.ranges = pd.DataFrame(
        range_rows,
        columns=[
            "pledge",
            "pledge_title",
            "derived_ranges",
            "published_ranges",
            "agree",
            "ranges_used",
            "why",
        ],
    )
    an.criteria = pd.DataFrame(
        crit_rows,
        columns=[
            "la",
            "pledge",
            "criterion",
            "criterion_text",
            "level",
            "points",
            "example",
            "evidence",
        ],
    )


def _children(an: Analysis) -> None:
    ins, s = an.instrument, an.settings
    eth = ins.ethnicity
    table = ins.table("children_families", "counts")
    an.stages = [(c.id, c.label, c.phrase or f"at the stage '{c.label}'") for c in table.columns]
    an.groups = list(eth.groups)
    an.reference_group = eth.reference_group
    grouping = {c.code: c.group for c in eth.children_codes}
    population = load_population(s.population_path, eth)
    gss = {la.name: la.gss_code for la in s.local_authorities}
    pops: dict[str, LAPopulation] = {
        la: population[gss[la]] for la in an.las if gss[la] in population
    }
    denominators = {method: load_denominator(s, eth, method) for method in METHODS}
    chosen = denominators[s.analysis.child_population]
    an.denominator = chosen
    child_pop = {la: chosen.by_la[gss[la]].by_group for la in an.las if gss[la] in chosen.by_la}
    an.population_basis = chosen.description
    an.population_note = chosen.caveat
    an.population_source = f"Child population: {chosen.source}. {ATTRIBUTION}"
    opts = {"lower": s.analysis.suppress_from, "upper": s.analysis.suppress_to}
    measure_rows: dict[bool, list[dict]] = {True: [], False: []}
    rate_rows: dict[bool, list[dict]] = {True: [], False: []}
    quality_rows = []
    results_by_la: dict[str, dict[str, m.StageDisproportionality]] = {}
    gm_results_by_la: dict[str, dict[str, m.StageDisproportionality]] = {}
    gm_grouping = {
        c.code: (
            c.group
            if c.group in eth.not_known_groups or c.group in eth.white_groups
            else eth.global_majority_label
        )
        for c in eth.children_codes
    }
    for stage, label, _phrase in an.stages:
        counts_by_la: dict[str, dict[str, int]] = {}
        for la in an.las:
            v = an.values[la]
            if not any(
                f"children_families.counts.{c.code.lower()}.{stage}" in v
                for c in eth.children_codes
            ):
                continue  # an optional stage this LA left empty: no figures, not zeros
            counts_by_la[la] = {
                c.code: _num(v, f"children_families.counts.{c.code.lower()}.{stage}")
                for c in eth.children_codes
            }
        if not counts_by_la:
            continue
        # LA × group counts with margins, then suppression for the published table.
        grid = []
        for counts in counts_by_la.values():
            row = [sum(n for code, n in counts.items() if grouping[code] == g) for g in eth.groups]
            grid.append(row + [sum(row)])
        totals = [sum(col) for col in zip(*grid, strict=True)]
        frame = pd.DataFrame(
            grid + [totals], index=[*counts_by_la, REGION], columns=[*eth.groups, "All children"]
        )
        an.cf_counts[stage] = frame
        suppressed = m.suppress_table(frame, **opts)
        region_counts: dict[str, int] = {}
        for counts in counts_by_la.values():
            for code, n in counts.items():
                region_counts[code] = region_counts.get(code, 0) + n
        region_pop: dict[str, int] = {}
        region_children: int | None = 0
        for la in counts_by_la:
            p = pops.get(la)
            for g, n in child_pop.get(la, {}).items():
                region_pop[g] = region_pop.get(g, 0) + n
            # The region's rate pools children and child population over the same LAs: one LA
            # without a 0-17 total would overstate it, so then there is no regional rate.
            if p is None or p.children_total is None or region_children is None:
                region_children = None
            else:
                region_children += p.children_total
        # Disclosure control over the table and the ratios printed from it, as one system.
        known_columns = [j for j, g in enumerate(eth.groups) if g not in eth.not_known_groups]
        row_pops = [
            {j: child_pop[la].get(eth.groups[j], 0) for j in known_columns}
            if la in child_pop
            else None
            for la in counts_by_la
        ] + [{j: region_pop.get(eth.groups[j], 0) for j in known_columns}]
        hidden_cells, no_ratio_rows = m.protect_stage(
            frame.to_numpy().tolist(), set(suppressed.suppressed), known_columns, row_pops
        )
        published = frame.astype(object).copy()
        for r, c in hidden_cells:
            published.iat[r, c] = m.SUPPRESSED
        an.cf_published[stage] = published
        ratios_withheld = {frame.index[r] for r in no_ratio_rows}
        for publish in (False, True):
            rows_for = [*counts_by_la, REGION]
            for i, la in enumerate(rows_for):
                counts = region_counts if la == REGION else counts_by_la[la]
                p = pops.get(la)
                pop = region_pop if la == REGION else child_pop.get(la, {})
                hidden = (
                    {eth.groups[j] for (r, j) in hidden_cells if r == i and j < len(eth.groups)}
                    if publish
                    else set()
                )
                kids = region_children if la == REGION else (p.children_total if p else None)
                res = m.disproportionality(
                    counts,
                    grouping,
                    pop,
                    stage=stage,
                    total_0_17=kids or None,
                    population_0_17=(p.children_by_group or None) if p and la != REGION else None,
                    reference_group=eth.reference_group,
                    threshold=an.threshold,
                    not_known_groups=eth.not_known_groups,
                    suppressed_groups=hidden,
                    suppress=publish,
                    population_basis=an.population_basis,
                    **opts,
                )
                if publish and la in ratios_withheld:
                    res = _without_ratios(res)
                rate, rate_reason = res.overall_rate_per_10000, res.overall_rate_reason
                if publish and published.loc[la, "All children"] == m.SUPPRESSED:
                    rate, rate_reason = None, m.SMALL_NUMBERS
                rate_rows[publish].append(
                    {
                        "la": la,
                        "stage": stage,
                        "stage_label": label,
                        "children": published.loc[la, "All children"] if publish else res.children,
                        "children_aged_0_17": kids or None,
                        "rate_per_10k": rate,
                        "reason": rate_reason or "",
                    }
                )
                known_hidden = hidden - set(eth.not_known_groups)
                if publish and la != REGION:
                    results_by_la.setdefault(la, {})[stage] = res
                # Global majority groups taken together: only from rows whose every known-group
                # count and ratio is published, so that the flag is worked out from shown
                # figures alone and says nothing about a withheld count.
                if publish and la != REGION and not known_hidden and la not in ratios_withheld:
                    gm = m.disproportionality(
                        counts,
                        gm_grouping,
                        _gm_pop(pop, eth),
                        stage=stage,
                        reference_group=eth.reference_group,
                        threshold=an.threshold,
                        not_known_groups=eth.not_known_groups,
                        suppress=True,
                        population_basis=an.population_basis,
                        **opts,
                    )
                    gm_results_by_la.setdefault(la, {})[stage] = gm
                for g in res.groups:
                    count: Any = g.count
                    if publish and (g.suppressed or g.group in hidden):
                        count = m.SUPPRESSED
                    reasons = [r for r in (g.share_reason, g.representation_ratio_reason) if r]
                    measure_rows[publish].append(
                        {
                            "la": la,
                            "stage": stage,
                            "stage_label": label,
                            "group": g.group,
                            "count": count,
                            "share_at_stage": _pct(g.share_at_stage),
                            "population_share": _pct(g.population_share),
                            "representation_ratio": g.representation_ratio,
                            "ratio_low": g.ratio_low,
                            "ratio_high": g.ratio_high,
                            "rate_per_10k": g.rate_per_10000,
                            "relative_rate": g.relative_rate,
                            # "yes" only when clear: at the threshold and the interval above 1.
                            "over_represented": ""
                            if g.over_represented is None
                            else ("yes" if g.clearly_over_represented else "no"),
                            "flag": _flag_words(g),
                            "threshold": an.threshold,
                            "reason": "; ".join(dict.fromkeys(reasons)),
                            # Why a rate or relative rate is blank (e.g. no 0-17 population
                            # by ethnic group was supplied).
                            "rate_reason": "; ".join(
                                dict.fromkeys(
                                    r for r in (g.rate_reason, g.relative_rate_reason) if r
                                )
                            ),
                        }
                    )
                if publish:
                    # The count as the stage's table shows it (withheld there, withheld here),
                    # and a percentage only of figures both shown, so it reveals nothing new.
                    not_known = res.refused + res.not_obtained
                    shown = [published.loc[la, g] for g in eth.not_known_groups]
                    withheld = any(m.is_suppressed(v) for v in shown) or m.is_suppressed(
                        published.loc[la, "All children"]
                    )
                    quality_rows.append(
                        {
                            "la": la,
                            "stage": stage,
                            "stage_label": label,
                            "children": published.loc[la, "All children"],
                            "refused_or_not_obtained": m.SUPPRESSED
                            if any(m.is_suppressed(v) for v in shown)
                            else not_known,
                            "percent": None
                            if withheld or not res.children
                            else not_known / res.children * 100,
                        }
                    )
    cols = [
        "la",
        "stage",
        "stage_label",
        "group",
        "count",
        "share_at_stage",
        "population_share",
        "representation_ratio",
        "ratio_low",
        "ratio_high",
        "rate_per_10k",
        "relative_rate",
        "over_represented",
        "flag",
        "threshold",
        "reason",
        "rate_reason",
    ]
    an.cf_detail = _children_detail(an, chosen)
    an.cf_denominators = _denominators_compared(an, denominators)
    an.cf_measures = pd.DataFrame(measure_rows[False], columns=cols)
    an.cf_measures_published = pd.DataFrame(measure_rows[True], columns=cols)
    rate_cols = [
        "la",
        "stage",
        "stage_label",
        "children",
        "children_aged_0_17",
        "rate_per_10k",
        "reason",
    ]
    an.cf_rates = pd.DataFrame(rate_rows[False], columns=rate_cols)
    an.cf_rates_published = pd.DataFrame(rate_rows[True], columns=rate_cols)
    an.cf_quality = pd.DataFrame(
        quality_rows,
        columns=["la", "stage", "stage_label", "children", "refused_or_not_obtained", "percent"],
    )
    over_rows, sentences = [], []
    for stage, label, phrase in an.stages:
        if stage not in an.cf_counts:
            continue
        for group, source in [(eth.global_majority_label, gm_results_by_la)] + [
            (g, results_by_la)
            for g in eth.groups
            if g not in eth.not_known_groups and g != eth.reference_group
        ]:
            n_over, n_data = m.count_las_over_represented(source, stage, group, clearly=True)
            n_unsure = m.count_las_over_represented(source, stage, group)[0] - n_over
            over_rows.append(
                {
                    "stage": stage,
                    "stage_label": label,
                    "group": group,
                    "n_over": n_over,
                    "n_unsure": n_unsure,
                    "n_with_data": n_data,
                }
            )
            if n_over:
                sentences.append(
                    m.over_representation_sentence(group, phrase, n_over, n_data, clearly=True)
                )
    an.cf_over_counts = pd.DataFrame(
        over_rows, columns=["stage", "stage_label", "group", "n_over", "n_unsure", "n_with_data"]
    )
    an.cf_sentences = sentences


RATIOS_WITHHELD = "withheld: with the other figures, it would reveal a small number"


def _without_ratios(res: m.StageDisproportionality) -> m.StageDisproportionality:
    """The stage's figures with every share and ratio withheld (the counts stay)."""
    groups = tuple(
        replace(
            g,
            share_at_stage=None,
            share_reason=g.share_reason or RATIOS_WITHHELD,
            representation_ratio=None,
            representation_ratio_reason=g.representation_ratio_reason or RATIOS_WITHHELD,
            ratio_low=None,
            ratio_high=None,
            over_represented=None,
            rate_per_10000=None,
            rate_reason=g.rate_reason or RATIOS_WITHHELD,
            relative_rate=None,
            relative_rate_reason=g.relative_rate_reason or RATIOS_WITHHELD,
        )
        for g in res.groups
    )
    return replace(res, groups=groups)


def _stage_counts(an: Analysis, la: str, stage: str) -> dict[str, int] | None:
    """An LA's children at a stage by DfE code; None when it left an optional stage empty."""
    eth = an.instrument.ethnicity
    v = an.values[la]
    keys = {
        c.code: f"children_families.counts.{c.code.lower()}.{stage}" for c in eth.children_codes
    }
    if not any(key in v for key in keys.values()):
        return None
    return {code: _num(v, key) for code, key in keys.items()}


def _denominators_compared(an: Analysis, denominators: dict[str, Denominator]) -> pd.DataFrame:
    """Each LA's ratio and flag under every denominator (unsuppressed; not for publication)."""
    eth = an.instrument.ethnicity
    grouping = {c.code: c.group for c in eth.children_codes}
    gss = {la.name: la.gss_code for la in an.settings.local_authorities}
    rows = []
    for stage, label, _ in an.stages:
        for la in an.las:
            counts = _stage_counts(an, la, stage)
            if counts is None:
                continue
            by_method = {}
            for method, d in denominators.items():
                pop = d.by_la.get(gss[la])
                by_method[method] = m.disproportionality(
                    counts,
                    grouping,
                    pop.by_group if pop else {},
                    stage=stage,
                    reference_group=eth.reference_group,
                    threshold=an.threshold,
                    not_known_groups=eth.not_known_groups,
                    suppress=False,
                )
            chosen = by_method[an.settings.analysis.child_population]
            for g in chosen.groups:
                row: dict[str, Any] = {"la": la, "stage": stage, "stage_label": label}
                row["group"] = g.group
                row["count"] = g.count
                flags = set()
                for method, res in by_method.items():
                    r = res.group(g.group)
                    name = denominators[method].short_name
                    row[f"ratio ({name})"] = r.representation_ratio
                    row[f"flag ({name})"] = _flag_words(r)
                    flags.add(row[f"flag ({name})"])
                row["flag changes with the denominator"] = "yes" if len(flags) > 1 else ""
                rows.append(row)
    return pd.DataFrame(rows)


def _flag_words(g: m.GroupDisproportionality) -> str:
    """The flag in words, as collated.xlsx and the report give it."""
    if g.over_represented is None:
        return ""
    if g.clearly_over_represented:
        return "clearly over-represented"
    if g.over_represented:
        return "higher, but too few to be sure"
    return "no"


def _children_detail(an: Analysis, denominator: Denominator) -> pd.DataFrame:
    """Disproportionality by detailed category, where numbers allow (unsuppressed)."""
    eth = an.instrument.ethnicity
    detail_of = {
        c.code: (c.group if c.group in eth.not_known_groups else c.detail)
        for c in eth.children_codes
    }
    rows = []
    for stage, label, _ in an.stages:
        for la in an.las:
            v = an.values[la]
            if not any(
                f"children_families.counts.{c.code.lower()}.{stage}" in v
                for c in eth.children_codes
            ):
                continue
            counts = {
                c.code: _num(v, f"children_families.counts.{c.code.lower()}.{stage}")
                for c in eth.children_codes
            }
            gss = an.settings.la_by_name(la).gss_code
            p = denominator.by_la.get(gss)
            res = m.disproportionality(
                counts,
                detail_of,
                p.by_detail if p else {},
                stage=stage,
                reference_group=eth.reference_group,
                threshold=an.threshold,
                not_known_groups=eth.not_known_groups,
                suppress=False,
                population_basis=an.population_basis,
            )
            for g in res.groups:
                small = an.suppress_from <= g.count <= an.suppress_to
                rows.append(
                    {
                        "la": la,
                        "stage": stage,
                        "stage_label": label,
                        "category": g.group,
                        "count": g.count,
                        "share_at_stage": _pct(g.share_at_stage),
                        "population_share": _pct(g.population_share),
                        "representation_ratio": g.representation_ratio,
                        "over_represented": ""
                        if g.over_represented is None
                        else ("yes" if g.over_represented else "no"),
                        "small_numbers": "yes: treat with caution" if small else "",
                    }
                )
    return pd.DataFrame(
        rows,
        columns=[
            "la",
            "stage",
            "stage_label",
            "category",
            "count",
            "share_at_stage",
            "population_share",
            "representation_ratio",
            "over_represented",
            "small_numbers",
        ],
    )


def _gm_pop(pop: dict[str, int], eth) -> dict[str, int]:
    out: dict[str, int] = {}
    for g, n in pop.items():
        key = g if g in eth.white_groups else eth.global_majority_label
        out[key] = out.get(key, 0) + n
    return out


def _pct(x: float | None) -> float | None:
    """Shares as percentages (0-100), as the report prints them."""
    return None if x is None else (x * 100 if x <= 1 else x)


def _groups(values: dict[str, Any], prefix: str) -> dict[str, int]:
    return {g: _num(values, f"{prefix}.{g}") for g in ("white", "minority_ethnic", "not_known")}


def _workforce(an: Analysis) -> None:
    ins = an.instrument
    pay = ins.table("workforce", "pay_band")
    sen = ins.table("workforce", "seniority")
    senior_rows = [r.id for r in sen.rows if r.senior]
    population = load_population(an.settings.population_path, ins.ethnicity)
    gss = {la.name: la.gss_code for la in an.settings.local_authorities}
    white = set(ins.ethnicity.white_groups)
    out: dict[bool, list[dict]] = {True: [], False: []}
    per_la: dict[str, dict[str, Any]] = {}
    for la in an.las:
        v = an.values[la]
        if not any(k.startswith("workforce.pay_band.") for k in v):
            continue
        bands = {r.label: _groups(v, f"workforce.pay_band.{r.id}") for r in pay.rows}
        headcount = m.sum_by_group(bands.values())
        senior = m.sum_by_group(_groups(v, f"workforce.seniority.{r}") for r in senior_rows)
        events = {
            e: _groups(v, f"workforce.events.{e}")
            for e in (
                "shortlisted",
                "appointed",
                "disciplinary",
                "regulated_headcount",
                "swe_referrals",
                "cpd",
                "leavers",
            )
        }
        survey = {
            q: {
                g: v.get(f"workforce.staff_survey.{q}.{g}")
                for g in ("white", "minority_ethnic", "not_known")
            }
            for q in (
                "respondents",
                "harassment_public",
                "harassment_colleagues",
                "harassment_managers",
            )
        }
        pop = population.get(gss[la])
        pop_groups = {"white": 0, "minority_ethnic": 0, "not_known": 0}
        if pop:
            for g, n in pop.by_group.items():
                pop_groups["white" if g in white else "minority_ethnic"] += n
        per_la[la] = {
            "bands": bands,
            "headcount": headcount,
            "senior": senior,
            "events": events,
            "survey": survey,
            "population": pop_groups,
        }
    region: dict[str, Any] = {}
    if per_la:
        band_names = list(next(iter(per_la.values()))["bands"])
        region = {
            "bands": {
                b: m.sum_by_group(d["bands"][b] for d in per_la.values()) for b in band_names
            },
            "headcount": m.sum_by_group(d["headcount"] for d in per_la.values()),
            "senior": m.sum_by_group(d["senior"] for d in per_la.values()),
            "events": {
                e: m.sum_by_group(d["events"][e] for d in per_la.values())
                for e in next(iter(per_la.values()))["events"]
            },
            "survey": None,
            "population": m.sum_by_group(d["population"] for d in per_la.values()),
        }
    order = list(an.instrument.indicators)  # workforce.yaml names them in their own order
    for publish in (False, True):
        opts = {"suppress": publish, "lower": an.suppress_from, "upper": an.suppress_to}
        for la, d in [*per_la.items(), *([(WRES_REGION, region)] if region else [])]:
            # Each place's indicators in their own order (1 to 9, 7a before 7b), whatever
            # order they were computed in: every table, chart and sheet then lists them so.
            out[publish].extend(
                sorted(_wres_rows(la, d, an, opts), key=lambda r: order.index(r["indicator"]))
            )
    cols = [
        "la",
        "indicator",
        "indicator_name",
        "measure",
        "value",
        "low",
        "high",
        "interval_reason",
        "finding",
        "minority_ethnic",
        "white",
        "in_band",
        "reason",
        "direction",
    ]
    if per_la and WRES_CHECK:
        _protect_wres(out[True], per_la, an)
    an.wres = pd.DataFrame(out[False], columns=cols)
    an.wres_published = pd.DataFrame(out[True], columns=cols)


#: Check the published likelihoods as one system, and each council as an insider (a switch for
#: the weakened-protection tests).
WRES_CHECK = True
#: The likelihood indicators: their events and base (None: the headcount).
WRES_LIKELIHOODS = {
    "2": ("appointed", "shortlisted"),
    "3": ("disciplinary", None),
    "4": ("swe_referrals", "regulated_headcount"),
    "5": ("cpd", None),
    "8": ("leavers", None),
}
#: Why a regional workforce figure is withheld although its own counts are not small.
WRES_SECONDARY = "small numbers: withheld so that a council's count cannot be worked out"


def _protect_wres(published: list[dict], per_la: dict[str, dict[str, Any]], an: Analysis) -> None:
    """Withhold the region's likelihood and its counts wherever, with everything else shown, a
    reader or a council knowing its own counts would narrow another council's count of 1 to 5
    to fewer than three values (:mod:`collate.measures.workforce_disclosure`)."""
    from collate.measures import workforce_disclosure as wd

    def pair(text: str) -> tuple[int, int] | None:
        match = re.fullmatch(r"(\d+) of (\d+)", str(text))
        return (int(match[1]), int(match[2])) if match else None

    rows = {
        (r["la"], r["indicator"]): r
        for r in published
        if r["measure"] == "relative likelihood" and r["indicator"] in WRES_LIKELIHOODS
    }
    for ind, (ev, base_key) in WRES_LIKELIHOODS.items():
        region = rows.get((WRES_REGION, ind))
        if region is None:
            continue
        counts = {}
        for la, d in per_la.items():
            events = d["events"][ev]
            base = d["events"][base_key] if base_key else d["headcount"]
            counts[la] = {
                (g, w): int(x[g])
                for g in ("minority_ethnic", "white")
                for w, x in (("events", events), ("base", base))
            }
        shown = {la: rows[(la, ind)]["value"] is not None for la in per_la if (la, ind) in rows}
        totals = {g: pair(region[g]) for g in ("minority_ethnic", "white")}
        if wd.narrowed(counts, shown, totals, an.suppress_from, an.suppress_to):
            region.update(
                value=None,
                low=None,
                high=None,
                interval_reason=WRES_SECONDARY,
                finding="",
                in_band="",
                reason=WRES_SECONDARY,
                minority_ethnic=m.SUPPRESSED,
                white=m.SUPPRESSED,
            )


def _rate_text(events: int, base: int, opts: dict) -> str:
    if opts["suppress"] and (
        opts["lower"] <= events <= opts["upper"] or opts["lower"] <= base <= opts["upper"]
    ):
        return "c"
    return f"{events} of {base}"


def _wres_rows(la: str, d: dict[str, Any], an: Analysis, opts: dict) -> list[dict]:
    names = {key: ind.name for key, ind in an.instrument.indicators.items()}
    rows = []
    lo, hi = an.band
    likelihoods = [
        ("2", "appointed", "shortlisted", m.appointed_from_shortlisting),
        ("3", "disciplinary", None, m.entered_formal_disciplinary),
        ("4", "swe_referrals", "regulated_headcount", m.referred_to_social_work_england),
        ("5", "cpd", None, m.accessed_non_mandatory_cpd),
        ("8", "leavers", None, m.leaving),
    ]
    rep = m.pay_band_representation(d["bands"], **opts)
    for band in rep.bands:
        share = band.minority_ethnic_share
        rows.append(
            {
                "la": la,
                "indicator": "1",
                "indicator_name": f"{names['1']}: {band.band}",
                "measure": "% minority ethnic",
                "value": share.percent,
                "minority_ethnic": _count_text(band.minority_ethnic, opts),
                "white": _count_text(band.white, opts),
                "in_band": "",
                "reason": share.reason or "",
                "direction": "minority ethnic share of known",
            }
        )
    rows.append(
        {
            "la": la,
            "indicator": "1",
            "indicator_name": f"{names['1']}: whole workforce",
            "measure": "% minority ethnic",
            "value": rep.overall.percent,
            "minority_ethnic": "",
            "white": "",
            "in_band": "",
            "reason": rep.overall.reason or "",
            "direction": "minority ethnic share of known",
        }
    )
    for ind, ev, base_key, fn in likelihoods:
        events = d["events"][ev]
        base = d["events"][base_key] if base_key else d["headcount"]
        rl = fn(events, base, band=an.band, **opts)
        rows.append(
            {
                "la": la,
                "indicator": ind,
                "indicator_name": names[ind],
                "measure": "relative likelihood",
                "value": rl.value,
                **_interval_columns(rl),
                "minority_ethnic": _rate_text(
                    events["minority_ethnic"], base["minority_ethnic"], opts
                ),
                "white": _rate_text(events["white"], base["white"], opts),
                "in_band": "" if rl.in_band is None else ("yes" if rl.in_band else "no"),
                "reason": rl.reason or "",
                "direction": rl.direction,
            }
        )
    for ind, q in (
        ("6", "harassment_public"),
        ("7a", "harassment_colleagues"),
        ("7b", "harassment_managers"),
    ):
        if d.get("survey") is None:
            continue  # percentages cannot be added up across councils
        pct = {g: x for g, x in d["survey"][q].items() if isinstance(x, (int, float))}
        resp = {
            g: int(x) for g, x in d["survey"]["respondents"].items() if isinstance(x, (int, float))
        }
        if not pct:
            continue
        sd = m.survey_difference(pct, resp or None, indicator=ind, **opts)
        rl = survey_likelihood(pct, resp or None, indicator=ind, band=an.band, **opts)
        rows.append(
            {
                "la": la,
                "indicator": ind,
                "indicator_name": names[ind],
                "measure": "relative likelihood",
                "value": rl.value,
                **_interval_columns(rl),
                "minority_ethnic": _pct_text(sd.percent_minority_ethnic),
                "white": _pct_text(sd.percent_white),
                "in_band": "" if rl.in_band is None else ("yes" if rl.in_band else "no"),
                "reason": rl.reason or "",
                "direction": rl.direction,
            }
        )
        rows.append(
            {
                "la": la,
                "indicator": ind,
                "indicator_name": names[ind],
                "measure": "percentage points",
                "value": sd.difference_points,
                "minority_ethnic": _pct_text(sd.percent_minority_ethnic),
                "white": _pct_text(sd.percent_white),
                "in_band": "",
                "reason": sd.reason or "",
                "direction": sd.direction,
            }
        )
    smd = m.senior_management_difference(d["senior"], d["headcount"], d["population"], **opts)
    rows.append(
        {
            "la": la,
            "indicator": "9",
            "indicator_name": names["9"],
            "measure": "percentage points",
            "value": smd.senior_less_workforce_points,
            "minority_ethnic": _pct_text(smd.senior_managers.percent),
            "white": _pct_text(smd.workforce.percent),
            "in_band": "",
            "reason": smd.senior_less_workforce_reason or "",
            "direction": "senior managers' share − whole workforce's share "
            f"(population share {_pct_text(smd.population.percent)})",
        }
    )
    return rows


def _interval_columns(rl: Any) -> dict[str, Any]:
    """A relative likelihood's 95% interval, why there is none, and what it shows."""
    return {
        "low": rl.low,
        "high": rl.high,
        "interval_reason": "" if rl.low is not None else (rl.interval_reason or rl.reason or ""),
        "finding": rl.finding or "",
    }


def _count_text(n: int, opts: dict) -> str:
    return "c" if opts["suppress"] and opts["lower"] <= n <= opts["upper"] else str(n)


def _pct_text(x: float | None) -> str:
    return "" if x is None else f"{m.round_half_up(x, 1):.1f}%"


def exit_follow_ons(instrument: Instrument) -> dict[str, str]:
    """Follow-on exit questions and the earlier question each is asked after (its base).

    Read from the regional question set's ``asked_if`` (exit_question_set.yaml), for the questions
    the return counts.
    """
    from collate.errors import InstrumentError
    from collate.instrument.model import QuestionSetBlock
    from collate.measures.exit_interviews import asked_if_parent

    counted = {r.id for r in instrument.table("exit_interviews", "results").rows}
    out = {}
    for block in instrument.section("exit_interviews").blocks:
        if isinstance(block, QuestionSetBlock):
            for q in block.questions:
                if not q.asked_if or q.id not in counted:
                    continue
                try:
                    parent = asked_if_parent(q.asked_if)
                except ValueError as exc:
                    raise InstrumentError(f"{block.title}, question {q.id}: {exc}") from None
                if parent not in counted:
                    raise InstrumentError(
                        f"{block.title}, question {q.id}: it is asked after '{parent}', but the "
                        "exit interview results do not count 'Yes' answers to that question, so "
                        "there is no number of leavers asked to count its answers against"
                    )
                out[q.id] = parent
    return out


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _exit(an: Analysis) -> None:
    table = an.instrument.table("exit_interviews", "results")
    questions = [r for r in table.rows if r.id != "interviewed"]
    labels = {r.id: r.label for r in questions}
    follow_ons = exit_follow_ons(an.instrument)
    per_la: dict[str, tuple[dict[str, int], dict[str, dict[str, int]]]] = {}
    for la in an.las:
        v = an.values[la]
        if not any(k.startswith("exit_interviews.results.interviewed.") for k in v):
            continue
        interviewed = _groups(v, "exit_interviews.results.interviewed")
        yes = {q.id: _groups(v, f"exit_interviews.results.{q.id}") for q in questions}
        per_la[la] = (interviewed, yes)
    out: dict[bool, list[dict]] = {True: [], False: []}
    if per_la:
        region_int = m.sum_by_group(i for i, _ in per_la.values())
        region_yes = {q.id: m.sum_by_group(y[q.id] for _, y in per_la.values()) for q in questions}
        items = [*per_la.items(), (WRES_REGION, (region_int, region_yes))]
        for publish in (False, True):
            opts = {"suppress": publish, "lower": an.suppress_from, "upper": an.suppress_to}
            for la, (interviewed, yes) in items:
                summary = m.exit_interview_summary(interviewed, yes, asked_after=follow_ons, **opts)
                for qs in summary.questions:
                    asked = (
                        f"leavers who {_lower_first(labels[qs.asked_after])}"
                        if qs.asked_after
                        else EXIT_ALL_ASKED
                    )
                    for g in summary.groups:
                        share = qs.shares[g]
                        n_yes = qs.yes[g]
                        out[publish].append(
                            {
                                "la": la,
                                "group": g,
                                "question": qs.question,
                                "question_label": labels[qs.question],
                                "asked": asked,
                                "yes": _count_text(n_yes, opts) if publish else n_yes,
                                "base": _count_text(qs.base[g], opts) if publish else qs.base[g],
                                "share": share.percent,
                                "reason": share.reason or "",
                                "_true_yes": n_yes,
                                "_true_base": qs.base[g],
                            }
                        )
        if EXIT_COMPLEMENTS:
            # Few leavers answering "no" are as disclosive as few answering yes.
            from collate.measures.exit_disclosure import withhold_complements

            withhold_complements(
                out[True], follow_ons, an.suppress_from, an.suppress_to, EXIT_SECONDARY
            )
        for rows in out.values():
            for r in rows:
                del r["_true_yes"], r["_true_base"]
    if per_la:
        _protect_exit(out[True], out[False], follow_ons, an)
    cols = ["la", "group", "question", "question_label", "asked", "yes", "base", "share", "reason"]
    an.exit = pd.DataFrame(out[False], columns=cols)
    an.exit_published = pd.DataFrame(out[True], columns=cols)


#: Withhold exit shares whose "no" count is 1 to 5 (a switch for the weakened-protection tests).
EXIT_COMPLEMENTS = True
#: Check the exit figures as each council would, knowing its own counts (a switch likewise).
EXIT_INSIDERS = True
#: Why a regional exit figure is withheld although its own counts are not small.
EXIT_SECONDARY = "small numbers: withheld so that an LA's count cannot be worked out"


def _protect_exit(
    published: list[dict], unsuppressed: list[dict], follow_ons: dict[str, str], an: Analysis
) -> None:
    """Withhold regional exit figures wherever, with everything else shown, they would narrow an
    LA's count of 1 to 5 to fewer than three values (:mod:`collate.measures.exit_disclosure`)."""
    from collate.measures import exit_disclosure as xd
    from collate.measures.exit_interviews import NOBODY_ASKED
    from collate.measures.proportion import ZERO_BASE

    def key(r: dict) -> tuple[str, str, str]:
        return r["la"], r["group"], r["question"]

    rows = {key(r): r for r in published}
    truth = {key(r): r for r in unsuppressed}
    questions = list(dict.fromkeys(r["question"] for r in published))
    first = next(q for q in questions if q not in follow_ons)
    las = [la for la in dict.fromkeys(r["la"] for r in published) if la != WRES_REGION]
    opts = {"suppress": True, "lower": an.suppress_from, "upper": an.suppress_to}

    def count(text: Any) -> int | str:
        return xd.WITHHELD if text == m.SUPPRESSED else int(text)

    def withhold_region(g: str, q: str, what: str) -> None:
        r = rows[(WRES_REGION, g, q)]
        r[what] = m.SUPPRESSED
        r["share"], r["reason"] = None, EXIT_SECONDARY

    def protect(g: str) -> dict[tuple[str, str, str], dict]:
        """Settle group `g` (its regional rows are changed in place, and returned)."""
        true_counts = {(la, xd.INTERVIEWED): truth[(la, g, first)]["base"] for la in las}
        true_counts |= {(la, q): truth[(la, g, q)]["yes"] for la in las for q in questions}
        if EXIT_COMPLEMENTS:  # the "no" counts are protected only with the rule on
            true_counts |= {
                (la, q + xd.SAID_NO): truth[(la, g, q)]["base"] - truth[(la, g, q)]["yes"]
                for la in las
                for q in questions
            }
        hidden: set[str] = set()  # region yes counts withheld (and INTERVIEWED for the total)
        for _ in range(2 * len(questions) + 2):
            shares: dict[tuple[str, str], float | str] = {}
            for la in las:
                for q in questions:
                    r = rows[(la, g, q)]
                    if r["share"] is not None:
                        shares[(la, q)] = m.round_half_up(r["share"], 1)
                    elif r["reason"] == m.SMALL_NUMBERS:
                        shares[(la, q)] = xd.WITHHELD
                    elif r["reason"] in (NOBODY_ASKED, ZERO_BASE):
                        shares[(la, q)] = xd.NOBODY
            region = {q: rows[(WRES_REGION, g, q)] for q in questions}
            release = xd.ExitRelease(
                las=las,
                questions=questions,
                follow_ons=follow_ons,
                interviewed={
                    la: None
                    if rows[(la, g, first)]["base"] == m.SUPPRESSED
                    else int(rows[(la, g, first)]["base"])
                    for la in las
                },
                shares=shares,
                region_yes={q: None if q in hidden else count(r["yes"]) for q, r in region.items()},
                region_interviewed=None
                if xd.INTERVIEWED in hidden
                else count(region[first]["base"]),
                lower=opts["lower"],
                upper=opts["upper"],
                complements=EXIT_COMPLEMENTS,
            )
            leaks = xd.narrowed(release, true_counts, insiders=EXIT_INSIDERS)
            if not leaks:
                break
            for _la, what in leaks:
                what = what.removesuffix(xd.SAID_NO)  # the region's "no" is base less yes
                hidden.add(what)
                if what == xd.INTERVIEWED:
                    # Every question asked of everyone has the interviewed total as its base.
                    for q in questions:
                        if q not in follow_ons:
                            withhold_region(g, q, "base")
                else:
                    withhold_region(g, what, "yes")
                    for q, parent in follow_ons.items():
                        if parent == what:  # its base is this yes count
                            withhold_region(g, q, "base")
        else:
            # Not settled: withhold every regional figure for the group. An LA's own figures
            # alone cannot narrow a count of 1 to 5 (a share is shown only when neither its yes
            # count nor its base is small).
            for q in questions:
                withhold_region(g, q, "yes")
                withhold_region(g, q, "base")
        return {k: r for k, r in rows.items() if k[0] == WRES_REGION and k[1] == g}

    # Each group is settled on its own (seconds of integer programmes each at 153 councils),
    # so two processes share them (collate.workers); a worker's changes are copied back here.
    groups = list(dict.fromkeys(r["group"] for r in published))
    for settled in ordered_map(protect, groups, worker_count(an.settings), min_items=2):
        for k, r in settled.items():
            if rows[k] is not r:
                rows[k].clear()
                rows[k].update(r)


def _sharing(an: Analysis) -> None:
    rows = []
    cats = ["within_organisation", "children_families", "communities", "partners", "research"]
    cat_labels = {
        "within_organisation": "within the organisation",
        "children_families": "with children and families",
        "communities": "with communities",
        "partners": "with partners",
        "research": "through research",
    }
    for la in an.las:
        v = an.values[la]
        for entry in an.instrument.repeats("sharing_practice", "entry"):
            prefix = f"sharing_practice.entry{entry.number}"
            title = v.get(f"{prefix}.title")
            if not title:
                continue
            rows.append(
                {
                    "la": la,
                    "entry": entry.number,
                    "categories": "; ".join(
                        cat_labels[c] for c in cats if v.get(f"{prefix}.{c}") == "Yes"
                    ),
                    **{
                        k: v.get(f"{prefix}.{k}", "")
                        for k in (
                            "title",
                            "description",
                            "impact",
                            "resources",
                            "contact_name",
                            "contact_email",
                        )
                    },
                }
            )
    an.sharing = pd.DataFrame(
        rows,
        columns=[
            "la",
            "entry",
            "categories",
            "title",
            "description",
            "impact",
            "resources",
            "contact_name",
            "contact_email",
        ],
    )
