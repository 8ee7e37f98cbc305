"""What the analysis holds for the round (`Analysis`), and the names and helpers every
section shares.

One `Analysis` feeds both collated.xlsx and the Word report, so every figure in the report is a
figure in the collated workbook. Frames named `*_published` are suppressed (counts of 1 to 5 shown
as "c", with secondary suppression, and no rate or ratio from a suppressed count); the others are
the programme manager's own unsuppressed figures, not for publication.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from collate.analysis.child_population import Denominator
from collate.analysis.population import ATTRIBUTION
from collate.instrument.model import Instrument
from collate.settings import RoundSettings

#: The row for the whole region in every frame (children, workforce, exit interviews): the sum
#: over the returning LAs.
REGION = "All returning LAs"


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


def _num(values: dict[str, Any], fid: str) -> int:
    v = values.get(fid)
    return int(v) if isinstance(v, (int, float)) else 0


def _pct(x: float | None) -> float | None:
    """Shares as percentages (0-100), as the report prints them."""
    return None if x is None else (x * 100 if x <= 1 else x)


def _groups(values: dict[str, Any], prefix: str) -> dict[str, int]:
    return {g: _num(values, f"{prefix}.{g}") for g in ("white", "minority_ethnic", "not_known")}
