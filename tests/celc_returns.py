"""SYNTHETIC CELC self-assessments (tests/data/celc_returns.yaml) turned into filled workbooks.

Shared by the CELC end-to-end test and by anyone wanting a CELC round to look at: build the
blank workbooks with the generator, type the answers in with collate.samples.filler (answer
cells only), and optionally re-save them through LibreOffice as a council using LibreOffice would.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from collate.generator.build import build_workbooks
from collate.instrument.model import Criterion, Instrument, Pledge
from collate.samples.filler import fill_workbook
from collate.samples.libreoffice import resave_xlsx
from collate.settings import ROOT, RoundSettings

CELC_ROUND = ROOT / "templates" / "celc" / "round.yaml"
CELC_RETURNS = Path(__file__).resolve().parent / "data" / "celc_returns.yaml"
NONE = "Not yet in place"


def load_returns() -> dict[str, Any]:
    with CELC_RETURNS.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)["councils"]


def profile_level(c: Criterion, profile: str) -> str:
    offered = list(c.descriptors)  # level names in order, only those the criterion offers
    if profile == "none":
        return NONE
    if profile == "highest":
        return offered[-1]
    if profile == "developing_top":
        return next((lv for lv in ("Developing", "Established") if lv in offered), NONE)
    if profile == "established_top":
        return "Established" if "Established" in offered else offered[-1]
    raise ValueError(f"unknown profile {profile}")


def category_levels(pledge: Pledge, given: str | list[str], overrides: dict[str, str]) -> list:
    if isinstance(given, str):
        levels = [profile_level(c, given) for c in pledge.criteria]
    else:
        assert len(given) == len(pledge.criteria), f"{pledge.id}: one level per criterion"
        levels = list(given)
    return [overrides.get(c.ref, lv) for c, lv in zip(pledge.criteria, levels, strict=True)]


def answers_for(instrument: Instrument, council: dict[str, Any], today: dt.date) -> dict:
    """Field id -> value for one council, every required answer filled (SYNTHETIC text)."""
    ans: dict[str, Any] = {
        "cover.respondent_name": "SYNTHETIC respondent",
        "cover.respondent_role": "Head of Equality, Diversity and Inclusion (SYNTHETIC)",
        "cover.respondent_email": "synthetic.respondent@borough.example",
        "cover.date_completed": today,
    }
    overrides = council.get("overrides") or {}
    for pledge in instrument.pledges:
        levels = category_levels(pledge, council["answers"][pledge.id], overrides)
        for c, level in zip(pledge.criteria, levels, strict=True):
            ans[c.level.id] = level
            if level != NONE:
                ans[c.evidence.id] = f"SYNTHETIC evidence for criterion {c.ref} at {level}."
        ans[pledge.working.id] = f"SYNTHETIC: what is working in {pledge.unit} {pledge.number}."
        ans[pledge.gaps.id] = f"SYNTHETIC: gaps and next steps in {pledge.unit} {pledge.number}."
    return ans


def build_filled_round(
    settings: RoundSettings, instrument: Instrument, folder: Path, libreoffice: bool = True
) -> list[Path]:
    """Blank workbooks from the generator, filled, re-saved through LibreOffice into `folder`."""
    blanks = build_workbooks(
        settings, folder / "blank", instrument=instrument, emails=False, sample=True
    )
    councils = load_returns()
    returns = folder / "returns"
    returns.mkdir(parents=True, exist_ok=True)
    (folder / "filled").mkdir(parents=True, exist_ok=True)
    written = []
    for built in blanks:
        answers = answers_for(instrument, councils[built.la.name], settings.deadline)
        filled = fill_workbook(built.path, folder / "filled" / built.path.name, answers)
        if libreoffice:
            written.append(resave_xlsx(filled, returns))
        else:
            written.append(fill_workbook(built.path, returns / built.path.name, answers))
    return written
