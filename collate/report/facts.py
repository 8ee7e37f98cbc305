"""What the templates talk about: plain facts drawn from the analysis, named as the programme
manager would name them. The wording lives in templates/report/*.md.j2; this module only counts
and sorts. Figures are formatted in the templates with the shared formatter's filters."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from collate.analysis.exit_interviews import exit_follow_ons
from collate.analysis.model import REGION, Analysis
from collate.measures.intervals import METHOD as INTERVAL_METHOD
from collate.measures.workforce import (
    CLEARLY_HIGHER,
    CLEARLY_LOWER,
    TOO_FEW_TO_BE_SURE,
    WITHIN_BAND,
)
from collate.report import numbers as fmt
from collate.report.sentences import add_sentences
from collate.report.since import since_facts
from collate.report.summary import executive_summary, pledge_paragraph
from collate.report.words import answer_phrase, short_names

IN_PLACE = ("Established", "Leading")
NOT_IN_PLACE = ("Not yet in place", "Developing", "")
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
    paragraph: str = ""  # practice in place, written from the criteria (report/summary.py)


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
        if r.cs_strategy in ins.answers("cs_strategy") and str(r.cs_strategy_title or "").strip()
    ]
    compulsory = [
        s for status in ins.answers("compulsory_induction") for s in by["induction"].get(status, [])
    ]
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
        "grouping": grouping_facts(an),
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
    facts["prompts"] = sorted(
        (g for p in facts["pledges"] for g in p.gaps), key=lambda g: (-g["n_weak"], g["ref"])
    )
    facts["summary"] = executive_summary(an, facts)
    for pledge in facts["pledges"]:
        pledge.paragraph = pledge_paragraph(an, pledge)

    facts["since"] = since_facts(an)

    add_sentences(an, facts)
    return facts


def _rows_by_la(frame: pd.DataFrame) -> Callable[[str], pd.DataFrame]:
    """`frame[frame["la"] == la]` for any council, the frame split once rather than filtered
    for each of them (the same rows, in the same order, with the same index)."""
    groups = {la: rows for la, rows in frame.groupby("la", sort=False, dropna=False)}
    empty = frame.iloc[0:0]
    return lambda la: groups.get(la, empty)


def pledge_facts(an: Analysis, short: dict[str, str]) -> list[PledgeFacts]:
    out = []
    scores, crit = an.scores, an.criteria
    n = len(an.las)
    for pledge in an.instrument.pledges:
        ps = scores[scores["pledge"] == pledge.number]
        pc = crit[crit["pledge"] == pledge.number]
        by_level: dict[str, list[str]] = {"Leading": [], "Established": [], "Developing": []}
        in_place, not_in_place = [], []
        rows_of = _rows_by_la(pc)
        for r in ps.itertuples():
            level = r.level or "Not scored"
            by_level.setdefault(level, []).append(short[r.la])
            mine = rows_of(r.la)
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
                "gap": c.gap or "",
                "practice": c.practice or "",
                "in_place": [
                    short[la]
                    for la, x in zip(rows["la"], rows["level"], strict=True)
                    if (x or "") in IN_PLACE
                ],
                # Each LA with it in place and the name it gave its example ("" for none).
                "examples": [
                    (short[la], str(ex or ""))
                    for la, x, ex in zip(rows["la"], rows["level"], rows["example"], strict=True)
                    if (x or "") in IN_PLACE
                ],
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


def interval_text(r: dict) -> str:
    """A relative likelihood's 95% interval, "(1.30 to 3.52)", or why there is none.

    Empty when the likelihood itself is not shown: an interval is never given for a figure that
    is withheld or not computed.
    """
    if fmt.is_missing(r.get("value")):
        return ""
    if not fmt.is_missing(r.get("low")) and not fmt.is_missing(r.get("high")):
        return f"({fmt.ratio(r['low'])} to {fmt.ratio(r['high'])})"
    return f"(interval {fmt.missing_symbol(r.get('interval_reason'))})"


def likelihood_text(r: dict, sep: str = " ") -> str:
    """A relative likelihood with its interval, e.g. "2.14 (1.30 to 3.52)", or its symbol."""
    text = fmt.ratio(r["value"], r["reason"])
    interval = interval_text(r)
    return f"{text}{sep}{interval}" if interval else text


def interval_words(r: dict) -> str:
    """For a sentence: "95% confidence interval 1.30 to 3.52", or that there is none."""
    if fmt.is_missing(r.get("low")) or fmt.is_missing(r.get("high")):
        return "no confidence interval"
    return f"95% confidence interval {fmt.ratio(r['low'])} to {fmt.ratio(r['high'])}"


def grouping_facts(an: Analysis) -> dict[str, Any]:
    """How the children's ethnicity codes are grouped, read from the instrument's ethnicity data."""
    eth = an.instrument.ethnicity
    if eth is None:  # an instrument with no ethnicity codes (e.g. a self-assessment only)
        return {
            "groups": [],
            "not_known": [],
            "chinese": None,
            "chinese_as_census": False,
            "reference": "",
            "other_white": [],
            "other_white_codes": [],
        }
    known = [g for g in eth.groups if g not in eth.not_known_groups]
    chinese = next((c.group for c in eth.children_codes if c.label == "Chinese"), None)
    census_chinese = next(
        (c.group for name, c in eth.population_categories.items() if name.endswith(": Chinese")),
        None,
    )
    others = [g for g in eth.white_groups if g != eth.reference_group]
    other_white = list(dict.fromkeys(c.label for c in eth.children_codes if c.group in others))
    return {
        "groups": known,
        "not_known": list(eth.not_known_groups),
        "chinese": chinese,
        "chinese_as_census": chinese is not None and chinese == census_chinese,
        "reference": eth.reference_group,
        "other_white": others,
        "other_white_codes": other_white,
    }


def wres_facts(an: Analysis) -> dict[str, Any]:
    w = an.wres_published
    if w.empty:
        return {
            "interval_method": INTERVAL_METHOD,
            "n_las": 0,
            "region": [],
            "outside": [],
            "within": [],
            "clearly": [],
            "too_few": [],
            "las": [],
            "missing": list(an.las),
        }
    las = [la for la in dict.fromkeys(w["la"]) if la != REGION]
    region = w[w["la"] == REGION]
    region_rows = []
    for r in region.itertuples(index=False):
        row = r._asdict()
        row["shown"] = likelihood_text(row) if row["measure"] == "relative likelihood" else ""
        row["what"] = re.sub(r"^relative likelihood of ", "", str(row["indicator_name"]).lower())
        row["interval_words"] = interval_words(row)
        region_rows.append(row)
    likelihoods = [r for r in region_rows if r["indicator"] in RELATIVE]
    outside = [r for r in likelihoods if r["in_band"] == "no"]
    within = [r for r in likelihoods if r["finding"] == WITHIN_BAND]
    clear = [r for r in likelihoods if r["finding"] in (CLEARLY_HIGHER, CLEARLY_LOWER)]
    unsure = [r for r in likelihoods if r["finding"] == TOO_FEW_TO_BE_SURE]
    for r in clear:
        r["higher"] = r["finding"] == CLEARLY_HIGHER
    per_la_outside = {}
    for r in w[(w["la"] != REGION) & (w["in_band"] == "no")].itertuples():
        per_la_outside.setdefault(r.indicator, []).append(r.la)
    return {
        "interval_method": INTERVAL_METHOD,
        "n_las": len(las),
        "las": las,
        "region": region_rows,
        "outside": outside,
        "within": within,
        "clearly": clear,
        "too_few": unsure,
        "per_la_outside": per_la_outside,
        "missing": [la for la in an.las if la not in las],
    }


def exit_facts(an: Analysis, short: dict[str, str]) -> dict[str, Any]:
    adoption: dict[str, list[str]] = {c: [] for c in _choices(an, "exit_interviews.adoption")}
    for la in an.las if adoption else []:
        a = an.values[la].get("exit_interviews.adoption")
        adoption.setdefault(str(a or "No answer"), []).append(short[la])
    e = an.exit_published
    las = [la for la in dict.fromkeys(e["la"]) if la != REGION] if not e.empty else []
    has_exit = any(s.id == "exit_interviews" for s in an.instrument.sections)
    labels = (
        {r.id: r.label for r in an.instrument.table("exit_interviews", "results").rows}
        if has_exit
        else {}
    )
    follow_ons: dict[str, list[str]] = {}
    for q, after in (exit_follow_ons(an.instrument) if has_exit else {}).items():
        if not e.empty and q in set(e["question"]):
            follow_ons.setdefault(answer_phrase(labels[after]), []).append(
                f"'{answer_phrase(labels[q])}'"
            )
    return {
        "adoption": adoption,
        "las": las,
        "n_las": len(las),
        "follow_ons": [{"after": k, "questions": v} for k, v in follow_ons.items()],
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
