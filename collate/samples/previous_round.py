"""A synthetic previous round, derived from the sample returns, so the demonstration and the
tests can show progress. Nothing here is real data: every workbook is made in sample mode, so
each sheet says SYNTHETIC SAMPLE DATA, and so does every output made from them.

The previous round is the current samples (same seed) taken back a year with plausible changes,
themselves seeded so they are the same every time:
- some criteria one level lower a year ago (councils have moved on), a few one level higher;
- more mixed heritage and Black children at each stage a year ago (so some ratios fall);
- fewer minority ethnic staff appointed from shortlisting, more entering the formal disciplinary
  process and more leaving (so some SC-WRES relative likelihoods improve).
Counts stay consistent: totals are recomputed, and no count exceeds its base.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path
from typing import Any

from collate.analysis.population import load_population
from collate.generator.build import workbook_bytes, workbook_name
from collate.instrument.model import Instrument
from collate.samples.filler import fill_workbook
from collate.samples.returns import SEED, answers_for, load_sample_answers
from collate.settings import RoundSettings

LEVELS = ("Not yet in place", "Developing", "Established", "Leading")
# A year ago, relative to now: more children of these groups at each stage.
CHILDREN_THEN = {"Mixed or Multiple ethnic groups": 1.3, "Black or Black British": 1.15}


def previous_settings(settings: RoundSettings, name: str | None = None) -> RoundSettings:
    """The round before `settings`: a year earlier, named e.g. 2025-26 before 2026-27."""

    def year_back(d: dt.date) -> dt.date:
        return d.replace(year=d.year - 1)

    if name is None:
        first, _, second = settings.round.partition("-")
        name = (
            f"{int(first) - 1}-{int(second) - 1:02d}"
            if first.isdigit() and second.isdigit()
            else f"before {settings.round}"
        )
    return settings.model_copy(
        update={
            "round": name,
            "figures_year_ending": year_back(settings.figures_year_ending),
            "deadline": year_back(settings.deadline),
        }
    )


def previous_answers(
    answers: dict[str, Any], instrument: Instrument, rng: random.Random
) -> dict[str, Any]:
    """One council's answers a year earlier (see the module's list of changes)."""
    then = dict(answers)
    for pledge in instrument.pledges:
        for c in pledge.criteria:
            level = then.get(c.level.id)
            if level not in LEVELS:
                continue
            i, draw = LEVELS.index(level), rng.random()
            if draw < 0.3 and i > 0:
                then[c.level.id] = LEVELS[i - 1]
            elif draw > 0.95 and i < len(LEVELS) - 1 and LEVELS[i + 1] in c.level.choices:
                then[c.level.id] = LEVELS[i + 1]
    eth = instrument.ethnicity
    group_of = {c.code.lower(): c.group for c in eth.children_codes}
    stages = [c.id for c in instrument.table("children_families", "counts").columns]
    for stage in stages:
        total, seen = 0, False
        for code, group in group_of.items():
            key = f"children_families.counts.{code}.{stage}"
            if key not in then:
                continue
            seen = True
            n = then[key]
            factor = CHILDREN_THEN.get(group, 1.0) * rng.uniform(0.92, 1.08)
            then[key] = max(0, round(n * factor)) if n > 5 else n
            total += then[key]
        if seen:
            then[f"children_families.totals.all.{stage}"] = total
    me = "minority_ethnic"
    for event, base, factor in (
        ("appointed", "shortlisted", 0.75),
        ("disciplinary", None, 1.4),
        ("leavers", None, 1.2),
    ):
        key = f"workforce.events.{event}.{me}"
        if key not in then:
            continue
        limit = then.get(f"workforce.events.{base}.{me}") if base else None
        if limit is None:
            limit = sum(
                v
                for k, v in then.items()
                if k.startswith("workforce.pay_band.") and k.endswith(f".{me}")
            )
        then[key] = min(int(limit), round(then[key] * factor))
    return then


def make_previous_round(
    settings: RoundSettings, instrument: Instrument, out: Path
) -> tuple[RoundSettings, list[Path]]:
    """Write one filled synthetic return per council for the round before `settings` into
    `out`; returns that round's settings (to collate them with) and the files."""
    before = previous_settings(settings)
    sample = load_sample_answers()
    population = load_population(settings.population_path, instrument.ethnicity)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="ie-previous-") as tmp:
        for la in settings.local_authorities:
            # The same answers as the current sample, then taken back a year.
            now = answers_for(
                la,
                instrument,
                settings,
                sample,
                population[la.gss_code],
                random.Random(f"{SEED}-{la.gss_code}"),
            )
            then = previous_answers(now, instrument, random.Random(f"{SEED}-then-{la.gss_code}"))
            for key in ("workforce.headcount_date", "children_families.snapshot_date"):
                if key in then:
                    then[key] = before.figures_year_ending
            if "cover.date_completed" in then:
                then["cover.date_completed"] = then["cover.date_completed"].replace(
                    year=then["cover.date_completed"].year - 1
                )
            blank = Path(tmp) / workbook_name(la, before, sample=True)
            blank.write_bytes(workbook_bytes(instrument, before, la, sample=True))
            written.append(fill_workbook(blank, out / blank.name, then))
    return before, written


def make_previous_history(
    settings: RoundSettings, instrument: Instrument, history: Path, returns: Path | None = None
) -> Path:
    """Make the synthetic previous round's returns, collate them as that round and keep the
    result in the `history` folder; returns the kept collated.xlsx."""
    from collate.analysis.round import analyse_collation
    from collate.intake.collation import collate_folder
    from collate.outputs.collated import write_collated
    from collate.rounds.history import keep_round

    with tempfile.TemporaryDirectory(prefix="ie-previous-round-") as tmp:
        folder = Path(returns) if returns else Path(tmp) / "returns"
        before, _ = make_previous_round(settings, instrument, folder)
        collation = collate_folder(folder, before, instrument)
        out = Path(tmp) / "out"
        out.mkdir()
        paths = write_collated(collation, out, analyse_collation(collation))
        return keep_round(paths["collated.xlsx"], history, before.round)


if __name__ == "__main__":  # python -m collate.samples.previous_round HISTORY_FOLDER
    import sys

    from collate.load import load_instrument
    from collate.settings import load_settings

    current = load_settings()
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("rounds")
    print(make_previous_history(current, load_instrument(current.instrument_folder), target))
