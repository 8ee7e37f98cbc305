"""What the templates talk about: plain facts drawn from the analysis, named as the programme
manager would name them. The wording lives in templates/report/*.md.j2; this module only counts
and sorts. Figures are formatted in the templates with the shared formatter's filters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from collate.analysis import REGION, Analysis

IN_PLACE = ("Established", "Leading")
NOT_IN_PLACE = ("Not yet in place", "Developing", "")
COMPULSORY_INDUCTION = (
    "Anti-racism covered in compulsory induction",
    "Compulsory specialist-led anti-racist induction",
)
RELATIVE = ("2", "3", "4", "5", "8")


@dataclass
class LAView:
    name: str
    short: str


@dataclass
class PledgeFacts:
    number: int
    title: str
    wording: str
    ranges: str
    by_level: dict[str, list[str]]
    in_place: list[dict[str, Any]]
    not_in_place: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    criteria: list[dict[str, Any]] = field(default_factory=list)


def short_names(an: Analysis) -> dict[str, str]:
    return {la.name: la.short_name for la in an.settings.local_authorities}


def names(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' (no Oxford comma, GOV.UK style)."""
    items = [str(i) for i in items if str(i)]
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def quote(text: str, words: int = 28) -> str:
    """The first sentence of an LA's own words, cut to about `words` words."""
    text = " ".join(str(text or "").split())
    if not text:
        return ""
    first = re.split(r"(?<=[.!?])\s+", text)[0]
    parts = first.split()
    if len(parts) > words:
        first = " ".join(parts[:words]).rstrip(",;:") + "…"
    return first


def _group(
    frame: pd.DataFrame, column: str, order: list[str], short: dict[str, str]
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {o: [] for o in order}
    for la, value in zip(frame["la"], frame[column], strict=True):
        key = str(value or "").strip() or "No answer"
        out.setdefault(key, []).append(short.get(la, la))
    return out


def _choices(an: Analysis, field_id: str) -> list[str]:
    """A field's answer list; empty when the instrument has no such field."""
    f = an.instrument.fields_by_id.get(field_id)
    return list(f.choices) if f else []


def build_facts(an: Analysis) -> dict[str, Any]:
    short = short_names(an)
    ins = an.instrument
    f = an.foundations
    by = {
        "pledge": _group(f, "pledge_adopted", _choices(an, "foundations.pledge_adopted"), short),
        "scwres": _group(f, "scwres", _choices(an, "foundations.scwres"), short),
        "edi": _group(f, "edi_strategy", _choices(an, "foundations.edi_strategy"), short),
        "cs": _group(f, "cs_strategy", _choices(an, "foundations.cs_strategy"), short),
        "induction": _group(
            f, "induction_status", _choices(an, "foundations.induction_status"), short
        ),
        "procurement": _group(f, "procurement", _choices(an, "foundations.procurement"), short),
    }
    cs_titles = [
        (short[r.la], str(r.cs_strategy_title))
        for r in f.itertuples()
        if r.cs_strategy == "Yes" and str(r.cs_strategy_title or "").strip()
    ]
    compulsory = [s for status in COMPULSORY_INDUCTION for s in by["induction"].get(status, [])]
    not_usable = [
        {"name": n, "short": short.get(n, n), "status": s} for n, s in an.not_usable.items()
    ]
    facts: dict[str, Any] = {
        "an": an,
        "settings": an.settings,
        "is_sample": an.is_sample,
        "title": an.settings.report.title,
        "author": an.settings.report.author,
        "organisation": an.settings.organisation,
        "strapline": an.settings.organisation_strapline,
        "programme": an.settings.programme,
        "region": an.settings.region,
        "round": an.settings.round,
        "date": an.today.strftime("%B %Y"),
        "date_long": f"{an.today.day} {an.today.strftime('%B %Y')}",
        "year_ending": f"{an.settings.figures_year_ending.day} "
        f"{an.settings.figures_year_ending.strftime('%B %Y')}"
        if an.settings.figures_year_ending
        else "",
        "expected": [LAView(n, short.get(n, n)) for n in an.expected],
        "las": [LAView(n, short.get(n, n)) for n in an.las],
        "n_expected": len(an.expected),
        "n_las": len(an.las),
        "not_usable": not_usable,
        "not_received": [x for x in not_usable if x["status"] == "not received"],
        "must_resubmit": [x for x in not_usable if x["status"] != "not received"],
        "found": by,
        "cs_titles": cs_titles,
        "compulsory_induction": compulsory,
        "n_pledges": len(ins.pledges),
        # What the instrument calls a pledge ("Pledge", "Category"), from its diagnostic.
        "unit": ins.pledges[0].unit if ins.pledges else "Pledge",
        "pledges": pledge_facts(an, short),
        "ranges": an.ranges.to_dict("records"),
        # Scores whose level the published ranges (where they differ) would give otherwise.
        "level_differs": [
            {**r, "short": short.get(r["la"], r["la"])}
            for r in an.scores.to_dict("records")
            if r.get("level_by_published_ranges") and r["level_by_published_ranges"] != r["level"]
        ],
        # The sections this instrument has, so a template can leave out what it cannot report.
        "sections": [s.id for s in ins.sections],
        "cf": cf_facts(an),
        "wres": wres_facts(an),
        "exit": exit_facts(an, short),
        "sharing": sharing_facts(an, short),
        "highlights": [
            {"name": r.la, "short": short[r.la], "text": str(r.highlights or "")}
            for r in f.itertuples()
        ],
        "threshold": an.threshold,
        "band": an.band,
        "suppress_from": an.suppress_from,
        "suppress_to": an.suppress_to,
    }
    return facts


def pledge_facts(an: Analysis, short: dict[str, str]) -> list[PledgeFacts]:
    out = []
    scores, crit = an.scores, an.criteria
    n = len(an.las)
    for pledge in an.instrument.pledges:
        ps = scores[scores["pledge"] == pledge.number]
        pc = crit[crit["pledge"] == pledge.number]
        by_level: dict[str, list[str]] = {"Leading": [], "Established": [], "Developing": []}
        in_place, not_in_place = [], []
        for r in ps.itertuples():
            level = r.level or "Not scored"
            by_level.setdefault(level, []).append(short[r.la])
            mine = pc[pc["la"] == r.la]
            entry = {
                "name": r.la,
                "short": short[r.la],
                "level": level,
                "points": r.points,
                "max_points": r.max_points,
                "note": r.note,
            }
            if level in IN_PLACE:
                best = mine.assign(p=pd.to_numeric(mine["points"], errors="coerce").fillna(-1))
                best = best[best["evidence"].astype(str).str.strip() != ""]
                best = best.sort_values("p", ascending=False, kind="stable")
                entry["quote"] = quote(best.iloc[0]["evidence"]) if len(best) else ""
                entry["criterion"] = best.iloc[0]["criterion"] if len(best) else ""
                in_place.append(entry)
            else:
                not_in_place.append(entry)
        in_place.sort(key=lambda e: (-int(e["points"] or 0), e["short"]))
        gaps, criteria = [], []
        for c in pledge.criteria:
            rows = pc[pc["criterion"] == c.ref]
            levels = {
                lv: [
                    short[la]
                    for la, x in zip(rows["la"], rows["level"], strict=True)
                    if (x or "") == lv
                ]
                for lv in ("Not yet in place", "Developing", "")
            }
            # Developing is a gap only where the criterion offers more (a Developing-only
            # criterion at Developing is at its highest level).
            offers_more = any(lv in c.descriptors for lv in IN_PLACE)
            weak = sum(len(v) for k, v in levels.items() if offers_more or k != "Developing")
            item = {
                "ref": c.ref,
                "text": c.text,
                "n_weak": weak,
                "n": n,
                "not_yet": levels["Not yet in place"],
                "developing": levels["Developing"],
                "no_answer": levels[""],
            }
            criteria.append(item)
            if n and weak > n / 2:
                gaps.append(item)
        gaps.sort(key=lambda g: -g["n_weak"])
        ranges = str(ps["ranges"].iloc[0]) if len(ps) else ""
        out.append(
            PledgeFacts(
                pledge.number,
                pledge.title,
                pledge.wording,
                ranges,
                by_level,
                in_place,
                not_in_place,
                gaps,
                criteria,
            )
        )
    return out


def cf_facts(an: Analysis) -> dict[str, Any]:
    stages = [
        {"id": s, "label": label, "phrase": phrase, "has_data": s in an.cf_published}
        for s, label, phrase in an.stages
    ]
    oc = an.cf_over_counts
    eth = an.instrument.ethnicity
    gm = eth.global_majority_label if eth else ""
    widespread = []  # group and stage where most LAs with data show over-representation
    for r in oc.itertuples():
        if r.n_with_data and r.n_over > r.n_with_data / 2:
            widespread.append(
                {
                    "group": r.group,
                    "stage": r.stage,
                    "stage_label": r.stage_label,
                    "n_over": r.n_over,
                    "n_with_data": r.n_with_data,
                }
            )
    every_stage = []
    with_data = [s["id"] for s in stages if s["has_data"]]
    for g in dict.fromkeys(oc["group"] if "group" in oc else []):
        stages_over = [w["stage"] for w in widespread if w["group"] == g]
        if with_data and set(stages_over) >= set(with_data):
            every_stage.append(g)
    phrases = {s["id"]: s["phrase"] for s in stages}
    gm_stages = [
        {
            "stage": r.stage,
            "phrase": phrases.get(r.stage, r.stage_label),
            "n_over": r.n_over,
            "n_with_data": r.n_with_data,
        }
        for r in oc.itertuples()
        if r.group == gm and r.n_with_data and r.n_over
    ]
    # Rate per 10,000 children aged 0-17 at each stage: the region's, and the lowest and highest
    # LA (only figures that are published, i.e. not withheld).
    rates = []
    rp = an.cf_rates_published
    for s in stages:
        part = rp[rp["stage"] == s["id"]]
        shown = part[pd.to_numeric(part["rate_per_10k"], errors="coerce").notna()]
        region = shown[shown["la"] == REGION]
        las = shown[shown["la"] != REGION].sort_values("rate_per_10k", kind="stable")
        if region.empty:
            continue
        rates.append(
            {
                "stage": s["id"],
                "label": s["label"],
                "region": float(region["rate_per_10k"].iloc[0]),
                "lowest": (las["la"].iloc[0], float(las["rate_per_10k"].iloc[0]))
                if len(las) > 1
                else None,
                "highest": (las["la"].iloc[-1], float(las["rate_per_10k"].iloc[-1]))
                if len(las) > 1
                else None,
            }
        )
    return {
        "rates": rates,
        "gm_stages": gm_stages,
        "stages": stages,
        "stages_with_data": [s for s in stages if s["has_data"]],
        "sentences": list(an.cf_sentences),
        "basis": an.population_basis,
        "note": an.population_note,
        "grouping": eth.grouping_statement if eth else "",
        "source": an.population_source,
        "threshold": an.threshold,
        "reference_group": an.reference_group,
        "global_majority": gm,
        "widespread": widespread,
        "every_stage": every_stage,
        "n_las_with_data": len(
            {la for fr in an.cf_published.values() for la in fr.index} - {"All returning LAs"}
        ),
    }


def wres_facts(an: Analysis) -> dict[str, Any]:
    w = an.wres_published
    if w.empty:
        return {"n_las": 0, "region": [], "outside": [], "las": []}
    las = [la for la in dict.fromkeys(w["la"]) if la != "Region"]
    region = w[w["la"] == "Region"]
    region_rows = [r._asdict() for r in region.itertuples(index=False)]
    outside = [r for r in region_rows if r["indicator"] in RELATIVE and r["in_band"] == "no"]
    within = [r for r in region_rows if r["indicator"] in RELATIVE and r["in_band"] == "yes"]
    per_la_outside = {}
    for r in w[(w["la"] != "Region") & (w["in_band"] == "no")].itertuples():
        per_la_outside.setdefault(r.indicator, []).append(r.la)
    return {
        "n_las": len(las),
        "las": las,
        "region": region_rows,
        "outside": outside,
        "within": within,
        "per_la_outside": per_la_outside,
        "missing": [la for la in an.las if la not in las],
    }


def exit_facts(an: Analysis, short: dict[str, str]) -> dict[str, Any]:
    adoption: dict[str, list[str]] = {c: [] for c in _choices(an, "exit_interviews.adoption")}
    for la in an.las if adoption else []:
        a = an.values[la].get("exit_interviews.adoption")
        adoption.setdefault(str(a or "No answer"), []).append(short[la])
    e = an.exit_published
    las = [la for la in dict.fromkeys(e["la"]) if la != "Region"] if not e.empty else []
    return {
        "adoption": adoption,
        "las": las,
        "n_las": len(las),
        "question_labels": list(dict.fromkeys(e["question_label"])) if not e.empty else [],
    }


def sharing_facts(an: Analysis, short: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for r in an.sharing.itertuples():
        out.append(
            {
                "la": r.la,
                "short": short.get(r.la, r.la),
                "title": str(r.title),
                "categories": str(r.categories or ""),
                "description": str(r.description or ""),
                "impact": str(r.impact or ""),
                "resources": str(r.resources or ""),
                "contact_name": str(r.contact_name or ""),
                "contact_email": str(r.contact_email or ""),
            }
        )
    return out
