"""The workforce: the SC-WRES indicators for each council and the region."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from collate import measures as m
from collate.analysis.model import REGION, Analysis, _groups
from collate.analysis.population import load_population
from collate.measures.workforce import survey_likelihood


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
        for la, d in [*per_la.items(), *([(REGION, region)] if region else [])]:
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
        region = rows.get((REGION, ind))
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
