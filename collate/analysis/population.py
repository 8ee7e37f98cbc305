"""Population denominators: the reference table in templates/reference/, grouped as the analysis
groups them. Shipped with Census 2021 figures (ONS, Open Government Licence v3.0); the programme
manager can replace the file with a better denominator (e.g. 0-17 by ethnic group)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from collate.errors import SettingsError
from collate.instrument.model import EthnicitySpec

ALL_AGES, CHILDREN = "all ages", "0-17"
ALL_ETHNICITIES_PREFIX = "All ethnic groups"
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
)


@dataclass(frozen=True)
class LAPopulation:
    gss_code: str
    by_group: dict[str, int]  # analysis group → count (children if available, else all ages)
    by_detail: dict[str, int]
    basis: str  # "children aged 0-17" or "all ages (a proxy)"
    children_total: int | None  # all ethnicities aged 0-17
    children_by_group: dict[str, int] = field(default_factory=dict)  # only if supplied

    @property
    def minority_ethnic_share(self) -> float | None:
        """Share of the population in groups other than White (for SC-WRES indicator 9)."""
        white = sum(v for g, v in self.by_group.items() if g in ("White British", "Other White"))
        total = sum(self.by_group.values())
        return (total - white) / total if total else None


@functools.lru_cache(maxsize=16)
def _read_csv_cached(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    return pd.read_csv(path)


def read_reference_csv(path: Path) -> pd.DataFrame:
    """A reference table, read once per collation however many measures use it (the cache is
    keyed by the file's modification time and size, so an edited file is read again)."""
    stat = path.stat()  # FileNotFoundError for a missing file, as pd.read_csv would raise
    return _read_csv_cached(str(path), stat.st_mtime_ns, stat.st_size).copy()


def load_population(path: Path, ethnicity: EthnicitySpec) -> dict[str, LAPopulation]:
    """Read the reference table; returns GSS code → population grouped for the analysis."""
    try:
        df = read_reference_csv(path).astype({"count": "int64"})
    except FileNotFoundError as exc:
        raise SettingsError(f"{path}: population reference file not found") from exc
    except (ValueError, pd.errors.ParserError) as exc:
        raise SettingsError(f"{path}: not a valid population table: {exc}") from exc
    needed = {"gss_code", "ethnic_group", "age_band", "count"}
    if not needed <= set(df.columns):
        raise SettingsError(f"{path}: needs the columns {', '.join(sorted(needed))}")
    cats = ethnicity.population_categories
    out: dict[str, LAPopulation] = {}
    for code, rows in df.groupby("gss_code"):
        totals = rows[rows["ethnic_group"].str.startswith(ALL_ETHNICITIES_PREFIX)]
        child_total = totals.loc[totals["age_band"] == CHILDREN, "count"]
        ethnic = rows[rows["ethnic_group"].isin(cats.keys())]
        unknown = set(rows["ethnic_group"]) - set(cats) - set(totals["ethnic_group"])
        if unknown:
            raise SettingsError(
                f"{path}: ethnic group(s) not in ethnicity.yaml "
                f"population_categories: {', '.join(sorted(unknown))}"
            )
        children = ethnic[ethnic["age_band"] == CHILDREN]
        basis_rows = children if len(children) else ethnic[ethnic["age_band"] == ALL_AGES]
        by_group: dict[str, int] = {}
        by_detail: dict[str, int] = {}
        for cat, count in basis_rows[["ethnic_group", "count"]].itertuples(index=False):
            g, d = cats[cat].group, cats[cat].detail
            by_group[g] = by_group.get(g, 0) + int(count)
            by_detail[d] = by_detail.get(d, 0) + int(count)
        children_by_group: dict[str, int] = {}
        for cat, count in children[["ethnic_group", "count"]].itertuples(index=False):
            g = cats[cat].group
            children_by_group[g] = children_by_group.get(g, 0) + int(count)
        out[str(code)] = LAPopulation(
            gss_code=str(code),
            by_group=by_group,
            by_detail=by_detail,
            basis="children aged 0-17" if len(children) else "all ages (a proxy)",
            children_total=int(child_total.iloc[0]) if len(child_total) else None,
            children_by_group=children_by_group,
        )
    return out
