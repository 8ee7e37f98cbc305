"""collated.xlsx (every answer of every accepted return, tidy and wide, every measure and the
returns table) and scores.csv. Unsuppressed: marked "not for publication" on every sheet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from collate.analysis.model import Analysis
from collate.analysis.round import analyse_collation
from collate.intake.collation import Collation
from collate.outputs.progress_sheets import write_round_sheets
from collate.outputs.returns_table import returns_table
from collate.outputs.safe import safe_workbook, write_csv
from collate.outputs.sheets import (
    NOT_FOR_PUBLICATION,
    NOT_FOR_PUBLICATION_ANSWERS,
    SAMPLE_NOTE,
    SheetWriter,
)
from collate.intake.tidy import tidy_answers


def wide_sheets(tidy: pd.DataFrame, collation: Collation) -> dict[str, pd.DataFrame]:
    """Each section laid out as a person would want it: one row per LA (or LA and row)."""
    out: dict[str, pd.DataFrame] = {}
    ins = collation.instrument
    if tidy.empty:
        return out
    for section in ins.sections:
        part = tidy[tidy["section"] == section.id]
        if part.empty:
            continue
        tables = part[part["table"] != ""]
        simple = part[part["table"] == ""]
        if not simple.empty:
            labels = {f.id: f.label for f in section.fields()}
            wide = simple.pivot_table(
                index="la", columns="field_id", values="value", aggfunc="first", sort=False
            )
            wide = wide.reindex(columns=[f for f in labels if f in wide.columns])
            wide.columns = [labels[c] for c in wide.columns]
            out[section.sheet[:31]] = wide.reset_index()
        for table_id, rows in tables.groupby("table", sort=False):
            wide = rows.pivot_table(
                index=["la", "row"], columns="column", values="value", aggfunc="first", sort=False
            ).reset_index()
            out[f"{section.sheet[:18]} {table_id}"[:31]] = wide
    return out


def write_collated(
    collation: Collation, out: Path, analysis: Analysis | None = None
) -> dict[str, Path]:
    """Write collated.xlsx and scores.csv; with `analysis.progress`, the progress sheets too."""
    an = analysis or analyse_collation(collation)
    answers = {r.la.name: (r.la.gss_code, r.record.values) for r in collation.usable if r.record}
    tidy = tidy_answers(answers, collation.instrument)
    path = out / "collated.xlsx"
    has_figures = any(f.is_number for f in collation.instrument.fields)
    banners = [NOT_FOR_PUBLICATION if has_figures else NOT_FOR_PUBLICATION_ANSWERS] + (
        [SAMPLE_NOTE] if an.is_sample else []
    )
    wb = safe_workbook(path)
    w = SheetWriter(wb)
    sections = {s.id for s in collation.instrument.sections}

    def section_table(section_id: str, *args, **kwargs) -> None:
        """A measure's sheet, written only when the instrument has the section it comes from."""
        if section_id in sections:
            w.table(*args, **kwargs)

    # The first two sheets are read back by `collate report`: keep their names and layout.
    w.table(
        "All answers",
        tidy,
        banners=banners,
        title="Every answer of every accepted return",
        widths={"label": 50, "value": 50},
        wrap=["label", "value"],
    )
    w.table("Returns", returns_table(collation), banners=banners, title="Returns")
    unit = collation.instrument.pledges[0].unit if collation.instrument.pledges else "Pledge"
    w.table("Scores", an.scores, banners=banners, title=f"{unit} scores (CELC method)")
    w.table(
        "Score ranges",
        an.ranges,
        banners=banners,
        title=f"Score ranges for each {unit.lower()}: derived from the criteria by the CELC "
        "method, beside any published ranges, and which were used",
        widths={"why": 80, "derived_ranges": 30, "published_ranges": 30},
        wrap=["why"],
    )
    w.table(
        "Criteria",
        an.criteria,
        banners=banners,
        title="Levels by criterion",
        widths={"evidence": 60, "criterion_text": 40, "example": 30},
        wrap=["evidence", "criterion_text"],
    )
    section_table(
        "children_families",
        "C&F measures",
        an.cf_measures,
        banners=banners,
        title=f"Children and families: disproportionality (threshold {an.threshold:g}; "
        f"population: {an.population_basis})",
    )
    section_table(
        "children_families",
        "C&F measures published",
        an.cf_measures_published,
        banners=banners,
        title="Children and families, as published (counts 1 to 5 suppressed)",
    )
    section_table(
        "children_families",
        "C&F rates per 10,000",
        an.cf_rates,
        banners=banners,
        title="Children at each stage per 10,000 children aged 0 to 17 (all ethnic groups; "
        "Census 2021)",
    )
    section_table(
        "children_families",
        "C&F rates published",
        an.cf_rates_published,
        banners=banners,
        title="Children at each stage per 10,000 children aged 0 to 17, as published",
    )
    section_table(
        "children_families",
        "C&F detailed categories",
        an.cf_detail,
        banners=banners,
        title="Children and families by detailed ethnic category (never publish: small "
        "numbers are not suppressed here)",
    )
    for stage, frame in an.cf_counts.items():
        w.table(
            f"C&F counts {stage}"[:31],
            frame.reset_index(names="la"),
            banners=banners,
            title=f"Children by group: {stage}",
        )
        w.table(
            f"C&F published {stage}"[:31],
            an.cf_published[stage].reset_index(names="la"),
            banners=banners,
            title=f"Children by group, as published: {stage}",
        )
    section_table(
        "children_families",
        "Denominators compared",
        an.cf_denominators,
        banners=banners,
        title="Each representation ratio and flag under every child population on offer "
        f"(the report uses: {an.population_basis}). 'Clearly over-represented': a ratio of "
        f"{an.threshold:g} or more with its 95% confidence interval above 1.",
    )
    section_table(
        "children_families",
        "C&F over-representation",
        an.cf_over_counts,
        banners=banners,
        title="LAs where each group is over-represented",
    )
    section_table(
        "children_families",
        "C&F data quality",
        an.cf_quality,
        banners=banners,
        title="Ethnicity refused or not yet obtained",
    )
    section_table(
        "workforce",
        "Workforce indicators",
        an.wres,
        banners=banners,
        title="SC-WRES indicators (relative likelihood: minority ethnic ÷ white; "
        f"{an.band[0]:.2f} to {an.band[1]:.2f} is the non-adverse band; low and high: its 95% "
        "confidence interval, Katz log method; finding: clearly higher or lower only when "
        "outside the band and the interval excludes 1)",
    )
    section_table(
        "workforce",
        "Workforce published",
        an.wres_published,
        banners=banners,
        title="SC-WRES indicators, as published (small numbers not computed, and no interval "
        "for a figure not computed)",
    )
    section_table(
        "exit_interviews",
        "Exit measures",
        an.exit,
        banners=banners,
        title="Exit interview answers (base: the leavers asked, shown in 'asked'; a follow-on "
        "question is asked only of those who said yes to the one before)",
    )
    section_table(
        "exit_interviews",
        "Exit measures published",
        an.exit_published,
        banners=banners,
        title="Exit interview answers, as published",
    )
    section_table(
        "sharing_practice",
        "Sharing practice",
        an.sharing,
        banners=banners,
        title="Shared practice",
        wrap=["description", "impact"],
        widths={"description": 60, "impact": 50},
    )
    for name, frame in wide_sheets(tidy, collation).items():
        w.table(name, frame, banners=banners)
    write_round_sheets(w, collation.settings, collation.instrument, an.progress, banners)
    wb.close()
    scores = out / "scores.csv"
    write_csv(an.scores[["la", "pledge", "pledge_title", "points", "max_points", "level"]], scores)
    return {"collated.xlsx": path, "scores.csv": scores}
