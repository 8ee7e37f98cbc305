"""A history of rounds: a folder holding each past round's collated.xlsx.

    rounds/
        2025-26/collated.xlsx
        2026-27/collated.xlsx

Why a folder of collated workbooks rather than a database such as SQLite: collated.xlsx already
holds every answer of every accepted return ("All answers", keyed by field id), and the toolkit
already rebuilds every figure from it alone (`analysis_from_collated`), so a round kept this way
needs no second format, no schema to migrate and no new library. The programme manager can open,
copy, archive or delete a round with the tools they already use, and the files carry the same
"not for publication" marking as any collated workbook. A region of eleven councils collecting
twice a year makes a few files a year; a database would earn its keep only with far more rounds.

Items are matched across rounds by their stable ids (field ids such as
``diagnostic.p1.c2.level``, criterion references such as 1.2), never by their wording, so a
reworded question still compares. Every figure of an earlier round is recomputed with this
round's instrument and settings, so a change in method never shows as a change in practice.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from collate.analysis.model import Analysis
from collate.analysis.round import analysis_from_collated
from collate.errors import ToolkitError
from collate.instrument.model import Instrument
from collate.settings import RoundSettings

COLLATED = "collated.xlsx"
ABOUT_SHEET = "About this round"


@dataclass
class PastRound:
    """One round read back from its collated.xlsx."""

    name: str
    path: Path
    analysis: Analysis
    # Criterion reference → its wording in that round; field id → its label in that round.
    criteria: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemChange:
    """An item new this round, retired since the last, or reworded (still compared)."""

    kind: str  # "new", "retired" or "reworded"
    item: str  # what a manager would call it, e.g. "criterion 1.2"
    wording: str


def round_name(path: Path) -> str:
    """The round a collated.xlsx belongs to: its 'About this round' sheet, else its folder."""
    try:
        about = pd.read_excel(
            path, engine="openpyxl", sheet_name=ABOUT_SHEET, header=None, dtype=str
        )
        pairs = dict(zip(about.iloc[:, 0], about.iloc[:, 1], strict=False))
        if isinstance(pairs.get("Round"), str) and pairs["Round"].strip():
            return pairs["Round"].strip()
    except (ValueError, KeyError, IndexError):
        pass
    return path.parent.name


def about_rows(settings: RoundSettings, instrument: Instrument) -> list[tuple[str, str]]:
    """What collated.xlsx records about its round, so the history can name it later."""
    return [
        ("Round", settings.round),
        (
            "Figures for the year ending",
            settings.figures_year_ending.isoformat() if settings.figures_year_ending else "",
        ),
        ("Instrument version", str(instrument.version)),
        ("Collated on", dt.date.today().isoformat()),
    ]


def keep_round(collated: Path, history: Path, name: str) -> Path:
    """Copy this round's collated.xlsx into the history folder as round `name`."""
    if not re.fullmatch(r"[\w .-]+", name):
        raise ToolkitError(f"the round '{name}' cannot be a folder name")
    target = Path(history) / name / COLLATED
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(collated, target)
    return target


def load_round(
    path: Path, settings: RoundSettings, instrument: Instrument, today: dt.date | None = None
) -> PastRound:
    """Read a past round from its collated.xlsx (or a folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / COLLATED
    if not path.exists():
        raise ToolkitError(f"{path}: no collated workbook from an earlier round there")
    analysis = analysis_from_collated(path, settings, instrument, today)
    crit = pd.read_excel(path, engine="openpyxl", sheet_name="Criteria", header=None, dtype=object)
    criteria = _pairs(crit, "criterion", "criterion_text")
    answers = pd.read_excel(
        path, engine="openpyxl", sheet_name="All answers", header=None, dtype=object
    )
    fields = _pairs(answers, "field_id", "label")
    return PastRound(round_name(path), path, analysis, criteria, fields)


def _pairs(raw: pd.DataFrame, key: str, value: str) -> dict[str, str]:
    starts = raw.index[raw.iloc[:, 0].astype(str) == "la"]
    if not len(starts):
        return {}
    head = int(starts[0])
    table = raw.iloc[head + 1 :]
    table.columns = [str(c) for c in raw.iloc[head]]
    if key not in table or value not in table:
        return {}
    out: dict[str, str] = {}
    for k, v in zip(table[key], table[value], strict=True):
        if isinstance(k, (str, int, float)) and str(k) != "nan":
            out.setdefault(str(k), "" if v is None else str(v))
    return out


def load_history(
    history: Path,
    settings: RoundSettings,
    instrument: Instrument,
    before: str | None = None,
) -> list[PastRound]:
    """Every round kept in `history`, oldest first (by round name, e.g. 2025-26 before 2026-27),
    leaving out round `before` and any later one (so re-running a round never compares it with
    itself)."""
    history = Path(history)
    if not history.is_dir():
        return []
    names = sorted(p.parent.name for p in history.glob(f"*/{COLLATED}"))
    if before is not None:
        names = [n for n in names if n < before]
    return [load_round(history / n / COLLATED, settings, instrument) for n in names]


def item_changes(previous: PastRound, instrument: Instrument) -> list[ItemChange]:
    """Criteria and questions new this round, retired since `previous`, or reworded.

    Matched by stable id, so a reworded criterion is named here and still compared. Table
    cells are summed up by their table and row, so one new row is one item, not one per cell.
    """
    out: list[ItemChange] = []
    now = {c.ref: c.text for p in instrument.pledges for c in p.criteria}
    for ref, text in now.items():
        if ref not in previous.criteria:
            out.append(ItemChange("new", f"criterion {ref}", text))
        elif _norm(previous.criteria[ref]) != _norm(text):
            out.append(ItemChange("reworded", f"criterion {ref}", text))
    for ref, text in previous.criteria.items():
        if ref not in now:
            out.append(ItemChange("retired", f"criterion {ref}", text))
    # Questions that were answered last round but are no longer asked (a question nobody
    # answered last round cannot be told apart from a new one, so only retirements are named).
    seen: set[str] = set()
    for fid, label in previous.fields.items():
        if fid in instrument.fields_by_id or fid.startswith("diagnostic."):
            continue
        key = ".".join(fid.split(".")[:3])
        if key in seen:
            continue
        seen.add(key)
        out.append(ItemChange("retired", "question", label))
    return out


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def earlier_rounds(
    previous: Path | None,
    history: Path | None,
    settings: RoundSettings,
    instrument: Instrument,
) -> list[PastRound]:
    """The rounds to compare this one with, oldest first.

    `previous` is an earlier round's collated.xlsx (or the folder holding it, or a history
    folder); `history` is the history folder this round is kept in. The last round returned is
    the one progress is measured from; all of them go into the long table.
    """
    rounds: list[PastRound] = []
    if history is not None:
        rounds = load_history(history, settings, instrument, before=settings.round)
    if previous is not None:
        previous = Path(previous)
        if previous.is_dir() and not (previous / COLLATED).exists():
            found = load_history(previous, settings, instrument, before=settings.round)
            if not found:
                raise ToolkitError(f"{previous}: no earlier round's collated.xlsx in this folder")
            rounds = [r for r in rounds if r.name not in {f.name for f in found}] + found
        else:
            last = load_round(previous, settings, instrument)
            if last.name == settings.round:
                raise ToolkitError(
                    f"{previous}: this is round {last.name} itself, not an earlier round"
                )
            rounds = [r for r in rounds if r.name != last.name] + [last]
    return rounds
