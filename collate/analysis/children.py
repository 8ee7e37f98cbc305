"""Children and families: representation at each stage, with its intervals and rates,
and the disclosure control of what is published."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from collate import measures as m
from collate.analysis.child_population import METHODS, Denominator, load_denominator
from collate.analysis.model import REGION, Analysis, _num, _pct
from collate.analysis.population import ATTRIBUTION, LAPopulation, load_population
from collate.workers import worker_count


def _children(an: Analysis) -> Iterator[None]:
    """The children's measures. A generator: it starts the stage tables' disclosure control
    in another process and pauses there, so that the other measures are worked out meanwhile
    (collate.analysis.round.analyse); run on, it finishes."""
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
    tables: dict[str, _StageTable] = {}
    for stage, _label, _phrase in an.stages:
        table = _stage_table(an, stage, grouping, pops, child_pop, opts)
        if table is not None:
            tables[stage] = table
    # The stages' disclosure control takes a few seconds at a national round: started in
    # another process where there are two cores, while the other measures are worked out.
    protected = m.protect_stages([t.protection for t in tables.values()], worker_count(s))
    yield
    protected()
    for stage, label, _phrase in an.stages:
        if stage not in tables:
            continue
        t = tables[stage]
        counts_by_la, frame, region_counts = t.counts_by_la, t.frame, t.region_counts
        region_pop, region_children = t.region_pop, t.region_children
        an.cf_counts[stage] = frame
        hidden_cells, no_ratio_rows = m.protect_stage(*t.protection)
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


@dataclass
class _StageTable:
    """One stage's table of counts, with what its disclosure control is worked out from."""

    counts_by_la: dict[str, dict[str, int]]
    frame: pd.DataFrame
    region_counts: dict[str, int]
    region_pop: dict[str, int]
    region_children: int | None
    protection: tuple  # the arguments of collate.measures.protect_stage


def _stage_table(
    an: Analysis,
    stage: str,
    grouping: dict[str, str],
    pops: dict[str, LAPopulation],
    child_pop: dict[str, dict[str, int]],
    opts: dict[str, int],
) -> _StageTable | None:
    """The stage's counts by council and ethnic group, with margins, and the cells withheld as
    small (None when no council gave the stage)."""
    eth = an.instrument.ethnicity
    counts_by_la: dict[str, dict[str, int]] = {}
    for la in an.las:
        v = an.values[la]
        if not any(
            f"children_families.counts.{c.code.lower()}.{stage}" in v for c in eth.children_codes
        ):
            continue  # an optional stage this LA left empty: no figures, not zeros
        counts_by_la[la] = {
            c.code: _num(v, f"children_families.counts.{c.code.lower()}.{stage}")
            for c in eth.children_codes
        }
    if not counts_by_la:
        return None
    # LA × group counts with margins, then suppression for the published table.
    grid = []
    for counts in counts_by_la.values():
        row = [sum(n for code, n in counts.items() if grouping[code] == g) for g in eth.groups]
        grid.append(row + [sum(row)])
    totals = [sum(col) for col in zip(*grid, strict=True)]
    frame = pd.DataFrame(
        grid + [totals], index=[*counts_by_la, REGION], columns=[*eth.groups, "All children"]
    )
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
        {j: child_pop[la].get(eth.groups[j], 0) for j in known_columns} if la in child_pop else None
        for la in counts_by_la
    ] + [{j: region_pop.get(eth.groups[j], 0) for j in known_columns}]
    return _StageTable(
        counts_by_la,
        frame,
        region_counts,
        region_pop,
        region_children,
        (frame.to_numpy().tolist(), set(suppressed.suppressed), known_columns, row_pops),
    )


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
