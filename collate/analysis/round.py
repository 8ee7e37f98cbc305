"""The analysis of a round, made once per collation: each section in turn, from the accepted
returns (or from a collated.xlsx written earlier)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from collate.analysis.children import _children
from collate.analysis.exit_interviews import _exit
from collate.analysis.model import Analysis
from collate.analysis.pledges import _foundations, _scores
from collate.analysis.sharing import _sharing
from collate.analysis.workforce import _workforce
from collate.instrument.model import Instrument
from collate.intake.collation import Collation
from collate.settings import RoundSettings


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
    paused = []
    for needs, measure in (
        ("children_families", _children),
        ("workforce", _workforce),
        ("exit_interviews", _exit),
        ("sharing_practice", _sharing),
    ):
        if needs in sections:
            work = measure(an)
            if work is not None:  # paused while its longest part runs in another process
                next(work, None)
                paused.append(work)
    for work in paused:
        for _ in work:
            pass
    return an
