"""Synthetic sample returns: the whole round on made-up data, for demonstration and testing.

Diagnostic and foundations answers come from sample_returns/sample_answers.yaml, written to
follow what the January 2026 report says of each LA. Counts are generated with a fixed seed at
a plausible size for each LA's population (Census 2021), with some small numbers so that
suppression shows. Every sample workbook is generated in sample mode, so every sheet carries a
"SYNTHETIC SAMPLE DATA" banner and the identity says so; reports made from them say so too.
Nothing here is real data.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from collate.analysis.population import LAPopulation, load_population
from collate.generator.build import workbook_bytes, workbook_name
from collate.instrument.model import Instrument
from collate.samples.filler import fill_workbook
from collate.samples.libreoffice import resave_xlsx
from collate.settings import ROOT, LocalAuthority, RoundSettings

SAMPLES = ROOT / "sample_returns"
ANSWERS_FILE = SAMPLES / "source" / "sample_answers.yaml"
SEED = 20261122
# Councils whose sample return is saved through LibreOffice, as some LA staff would.
SAVED_BY_LIBREOFFICE = ("Luton", "Norfolk", "Peterborough")

# Rough yearly rates per 10,000 children, of the order England publishes (DfE Children in need
# and Children looked after statistics); used only to size the synthetic counts.
STAGE_RATES = {"early_help": 300.0, "referrals": 520.0, "cin": 330.0, "cpp": 42.0, "cla": 70.0}
# Made-up relative likelihoods by group at each stage, so the samples show disproportionality
# in the pattern the region reported (seeds/001): mixed heritage over-represented throughout,
# other global majority groups at referral and CIN more than at CP or CLA.
GROUP_FACTORS = {
    "White British": {"*": 1.0},
    "Other White": {"*": 0.8},
    "Mixed or Multiple ethnic groups": {"*": 1.9, "cla": 2.2},
    "Asian or Asian British": {"*": 0.55, "cpp": 0.45, "cla": 0.4},
    "Black or Black British": {"*": 1.35, "cpp": 0.9, "cla": 1.0},
    "Other ethnic group": {"*": 1.3, "cpp": 0.8, "cla": 0.9},
}


def load_sample_answers(path: Path = ANSWERS_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _split(rng: random.Random, total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Share `total` among keys in proportion to `weights`, at random but summing exactly."""
    keys = list(weights)
    out = dict.fromkeys(keys, 0)
    if total <= 0:
        return out
    draws = rng.choices(keys, weights=[weights[k] for k in keys], k=total)
    for k in draws:
        out[k] += 1
    return out


def children_counts(
    rng: random.Random, instrument: Instrument, pop: LAPopulation, stage_ids: list[str]
) -> dict[str, dict[str, int]]:
    """Stage → DfE code → count, sized from the LA's child population."""
    eth = instrument.ethnicity
    detail_share = {d: n / sum(pop.by_detail.values()) for d, n in pop.by_detail.items()}
    codes_per_detail: dict[str, list[str]] = {}
    for c in eth.children_codes:
        codes_per_detail.setdefault(c.detail, []).append(c.code)
    la_wobble = {g: rng.uniform(0.75, 1.3) for g in GROUP_FACTORS}
    out: dict[str, dict[str, int]] = {}
    for stage in stage_ids:
        total = round(
            (pop.children_total or 0)
            * STAGE_RATES.get(stage, 100.0)
            / 10000
            * rng.uniform(0.85, 1.15)
        )
        weights: dict[str, float] = {}
        for c in eth.children_codes:
            if c.group in eth.not_known_groups:
                continue
            factors = GROUP_FACTORS.get(c.group, {"*": 1.0})
            factor = factors.get(stage, factors["*"]) * la_wobble.get(c.group, 1.0)
            weights[c.code] = (
                detail_share.get(c.detail, 0) / len(codes_per_detail[c.detail]) * factor
            )
        not_known = round(total * rng.uniform(0.005, 0.03))
        counts = _split(rng, total - not_known, weights)
        counts["REFU"] = not_known // 3
        counts["NOBT"] = not_known - not_known // 3
        out[stage] = counts
    return out


def workforce_counts(
    rng: random.Random,
    instrument: Instrument,
    pop: LAPopulation,
    bands: list[str],
    seniority: list[str],
    senior: set[str],
) -> dict[str, Any]:
    """Headcounts and yearly events by group, consistent with every check in the catalogue."""
    population = sum(pop.by_group.values())
    headcount = round(population * rng.uniform(0.0015, 0.0021))
    me_share = min(0.6, (pop.minority_ethnic_share or 0.1) * rng.uniform(0.9, 1.4))
    not_known = round(headcount * rng.uniform(0.02, 0.07))
    me = round((headcount - not_known) * me_share)
    groups = {"white": headcount - not_known - me, "minority_ethnic": me, "not_known": not_known}
    band_weights = {
        "white": [8, 24, 30, 24, 10, 4],
        "minority_ethnic": [12, 30, 30, 19, 7, 2],
        "not_known": [10, 28, 30, 20, 9, 3],
    }
    sen_weights = {
        "white": [72, 16, 8, 4],
        "minority_ethnic": [80, 13, 5, 2],
        "not_known": [76, 14, 7, 3],
    }
    pay_band, by_seniority, events = {}, {}, {}
    for g, n in groups.items():
        pay_band[g] = _split(rng, n, dict(zip(bands, band_weights[g], strict=True)))
        by_seniority[g] = _split(rng, n, dict(zip(seniority, sen_weights[g], strict=True)))
        shortlisted = round(n * rng.uniform(0.3, 0.5))
        appoint_rate = rng.uniform(0.22, 0.3) if g == "white" else rng.uniform(0.15, 0.24)
        regulated = round(n * rng.uniform(0.3, 0.4))
        events[g] = {
            "shortlisted": shortlisted,
            "appointed": round(shortlisted * appoint_rate),
            "disciplinary": round(
                n * (rng.uniform(0.006, 0.012) if g == "white" else rng.uniform(0.012, 0.025))
            ),
            "regulated_headcount": regulated,
            "swe_referrals": round(regulated * rng.uniform(0.002, 0.01)),
            "cpd": round(n * (rng.uniform(0.5, 0.7) if g == "white" else rng.uniform(0.4, 0.6))),
            "leavers": round(
                n * (rng.uniform(0.1, 0.15) if g == "white" else rng.uniform(0.13, 0.2))
            ),
        }
    del senior
    return {"groups": groups, "pay_band": pay_band, "seniority": by_seniority, "events": events}


def answers_for(
    la: LocalAuthority,
    instrument: Instrument,
    settings: RoundSettings,
    sample: Mapping[str, Any],
    pop: LAPopulation,
    rng: random.Random,
) -> dict:
    """Every answer of one LA's sample return, by field id."""
    ans: dict[str, Any] = {}
    mine = sample.get(la.name, {})
    for fid, value in (mine.get("cover") or {}).items():
        ans[f"cover.{fid}"] = value
    ans["cover.date_completed"] = settings.deadline - dt.timedelta(days=rng.randint(3, 20))
    # The sign-off (no random draws, so that every other sample answer stays as it was).
    sign_off = {
        "signed_off_by": "Sample Director",
        "signed_off_role": "Director of Children's Services (sample)",
        "signed_off_date": ans["cover.date_completed"],
        "declaration": "Yes, I confirm",
    }
    for fid, value in sign_off.items():
        ans.setdefault(f"cover.{fid}", value)
    for fid, value in (mine.get("foundations") or {}).items():
        if value not in ("", None):
            ans[f"foundations.{fid}"] = value
    for pledge in instrument.pledges:
        given = (mine.get("diagnostic") or {}).get(pledge.id, {})
        for c in pledge.criteria:
            item = given.get(c.id) or {}
            ans[c.level.id] = item.get("level", "Not yet in place")
            if item.get("evidence"):
                ans[c.evidence.id] = item["evidence"]
        for key, f in (("working", pledge.working), ("gaps", pledge.gaps)):
            ans[f.id] = given.get(key) or "Nothing further to add this year (sample)."
    # Workforce
    ans["workforce.headcount_date"] = settings.figures_year_ending
    ans["workforce.scope"] = instrument.field("workforce.scope").choices[0]
    pay = instrument.table("workforce", "pay_band")
    sen = instrument.table("workforce", "seniority")
    wf = workforce_counts(
        rng,
        instrument,
        pop,
        [r.id for r in pay.rows],
        [r.id for r in sen.rows],
        {r.id for r in sen.rows if r.senior},
    )
    for g in wf["groups"]:
        for band, n in wf["pay_band"][g].items():
            ans[f"workforce.pay_band.{band}.{g}"] = n
        for level, n in wf["seniority"][g].items():
            ans[f"workforce.seniority.{level}.{g}"] = n
        for measure, n in wf["events"][g].items():
            ans[f"workforce.events.{measure}.{g}"] = n
    if rng.random() < 0.7:  # most councils hold staff survey results
        for g, n in wf["groups"].items():
            ans[f"workforce.staff_survey.respondents.{g}"] = round(n * rng.uniform(0.35, 0.6))
            base = {"white": 1.0, "minority_ethnic": 1.6, "not_known": 1.2}[g]
            for q, pct in (
                ("harassment_public", 18),
                ("harassment_colleagues", 9),
                ("harassment_managers", 6),
            ):
                ans[f"workforce.staff_survey.{q}.{g}"] = round(
                    pct * base * rng.uniform(0.8, 1.2), 1
                )
    # Children and families
    cf = instrument.table("children_families", "counts")
    stages = [c.id for c in cf.columns]
    counts = children_counts(rng, instrument, pop, stages)
    ans["children_families.snapshot_date"] = settings.figures_year_ending
    for stage, by_code in counts.items():
        for code, n in by_code.items():
            ans[f"children_families.counts.{code.lower()}.{stage}"] = n
        ans[f"children_families.totals.all.{stage}"] = sum(by_code.values())
    # Exit interviews: councils further on with race-specific exit questions use the regional set.
    exit_level = ans.get("diagnostic.p8.c5.level", "Not yet in place")
    adoption = instrument.field("exit_interviews.adoption").choices
    if la.name == "Bedford":
        ans["exit_interviews.adoption"] = adoption[3]
    else:
        ans["exit_interviews.adoption"] = (
            adoption[1] if exit_level != "Not yet in place" else adoption[2]
        )
        for g, ev in wf["events"].items():
            interviewed = round(ev["leavers"] * rng.uniform(0.3, 0.6))
            racism = round(
                interviewed
                * (rng.uniform(0.15, 0.35) if g == "minority_ethnic" else rng.uniform(0.0, 0.05))
            )
            able = round(racism * rng.uniform(0.3, 0.7))
            reported = min(able, round(racism * rng.uniform(0.2, 0.5)))
            supported = round(reported * rng.uniform(0.2, 0.8))
            factor = round(racism * rng.uniform(0.3, 0.7))
            for q, n in (
                ("interviewed", interviewed),
                ("experienced_racism", racism),
                ("able_to_report", able),
                ("reported", reported),
                ("supported", supported),
                ("race_factor", factor),
            ):
                ans[f"exit_interviews.results.{q}.{g}"] = n
    # Sharing practice
    for n, entry in enumerate(mine.get("sharing_practice") or [], start=1):
        for cat in entry.get("categories") or []:
            ans[f"sharing_practice.entry{n}.{cat}"] = "Yes"
        for key in ("title", "description", "impact", "resources", "contact_name", "contact_email"):
            if entry.get(key):
                ans[f"sharing_practice.entry{n}.{key}"] = entry[key]
    return ans


def make_samples(
    settings: RoundSettings, instrument: Instrument, out: Path = SAMPLES, libreoffice: bool = True
) -> list[Path]:
    """Write one filled synthetic return per LA into `out` (top level), seeded and repeatable."""
    sample = load_sample_answers()
    population = load_population(settings.population_path, instrument.ethnicity)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="ie-samples-") as tmp:
        tmpdir = Path(tmp)
        for la in settings.local_authorities:
            rng = random.Random(f"{SEED}-{la.gss_code}")
            blank = tmpdir / workbook_name(la, settings, sample=True)
            blank.write_bytes(workbook_bytes(instrument, settings, la, sample=True))
            answers = answers_for(la, instrument, settings, sample, population[la.gss_code], rng)
            target = out / blank.name
            if libreoffice and la.name in SAVED_BY_LIBREOFFICE:
                filled = fill_workbook(blank, tmpdir / f"filled-{blank.name}", answers)
                converted = resave_xlsx(filled, tmpdir / "lo")
                shutil.copyfile(converted, target)
            else:
                fill_workbook(blank, target, answers)
            written.append(target)
    return written


def make_flawed(
    settings: RoundSettings, instrument: Instrument, out: Path = SAMPLES / "flawed"
) -> dict[str, str]:
    """A few realistic flawed returns (synthetic), to show the feedback a council would get.

    Returns file name → what is wrong with it.
    """
    sample = load_sample_answers()
    population = load_population(settings.population_path, instrument.ethnicity)
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, str] = {}
    by_name = {la.name: la for la in settings.local_authorities}
    with tempfile.TemporaryDirectory(prefix="ie-flawed-") as tmp:
        tmpdir = Path(tmp)

        def blank_for(la: LocalAuthority, round_settings: RoundSettings = settings) -> Path:
            path = tmpdir / f"blank-{la.slug}-{round_settings.round}.xlsx"
            path.write_bytes(workbook_bytes(instrument, round_settings, la, sample=True))
            return path

        def answers(la: LocalAuthority) -> dict[str, Any]:
            rng = random.Random(f"{SEED}-{la.gss_code}")
            return answers_for(la, instrument, settings, sample, population[la.gss_code], rng)

        # 1. Figures pasted in past the validation, a total that does not add up, and a
        #    required answer left empty: must resubmit.
        luton = by_name["Luton"]
        a = answers(luton)
        a["workforce.events.cpd.minority_ethnic"] = "about 40"
        a["workforce.events.appointed.minority_ethnic"] = (
            a["workforce.events.shortlisted.minority_ethnic"] + 3
        )
        a["children_families.totals.all.referrals"] += 12
        del a["foundations.highlights"]
        name = "Luton return FINAL v2.xlsx"
        fill_workbook(blank_for(luton), out / name, a)
        made[name] = "text in a count, more appointed than shortlisted, rows not adding up to the "
        made[name] += "total, highlights missing: must resubmit"
        # 2. A query explained on the Checks sheet: accepted with queries.
        suffolk = by_name["Suffolk"]
        a = answers(suffolk)
        a["workforce.events.leavers.not_known"] = a["workforce.pay_band.band_1.not_known"] + sum(
            a[f"workforce.pay_band.{r.id}.not_known"]
            for r in instrument.table("workforce", "pay_band").rows
        )
        check = next(c for c in instrument.checks.checks if c.id == "WF07.not_known")
        name = "Suffolk anti-racist return.xlsx"
        fill_workbook(
            blank_for(suffolk),
            out / name,
            a,
            {
                check.explanation_name: "Most staff of unknown ethnicity were agency workers who "
                "left when the service was restructured in the autumn.",
            },
        )
        made[name] = "one query, explained on the Checks sheet: accepted with queries"
        # 3. Last year's workbook, filled in again: must resubmit.
        bedford = by_name["Bedford"]
        last_year = settings.model_copy(update={"round": "2025-26"})
        name = "Bedford_anti-racist-practice-return_2025-26.xlsx"
        fill_workbook(blank_for(bedford, last_year), out / name, answers(bedford))
        made[name] = "last year's workbook: must use this round's"
    (SAMPLES / "source" / "flawed.md").write_text(
        "# Flawed sample returns (synthetic)\n\nMade-up returns with realistic mistakes, to show "
        "the feedback a council gets. Try:\n\n    python -m collate sample_returns/flawed "
        "--out outputs/flawed\n\n" + "\n".join(f"- `{k}`: {v}" for k, v in made.items()) + "\n",
        encoding="utf-8",
    )
    return made
