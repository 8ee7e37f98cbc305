"""The child population by ethnic group that representation ratios compare with.

A representation ratio compares a group's share of children at a stage with its share of the
children the LA serves. The ethnic mix of children differs sharply from that of adults (in England
and Wales about 44% of people in Mixed or Multiple ethnic groups are aged 0 to 15, against 19% of
everyone), so an all-ages denominator overstates ratios for Mixed groups about twofold. Three
denominators are offered, chosen in round.yaml (``analysis.child_population``):

``school_census`` (the default)
    Pupils by ethnicity in the LA's state-funded schools, DfE school census (the file in
    templates/reference/). It counts children, uses the same DfE ethnicity codes as the return
    (including Gypsy/Roma and Traveller of Irish heritage), is published for every LA, and is the
    denominator Data to Insight's disproportionality tool uses. Pupils whose ethnicity is
    unclassified are left out, as refused and not obtained are left out of the stage counts.
    Limits: pupils in schools located in the LA, state-funded only, mostly aged 4 to 16.
``census_age_adjusted``
    Census 2021 usual residents of all ages in the LA by ethnic group, each scaled by the share of
    its Census high-level group that is aged 0 to 17 in England and Wales (0 to 15, plus half of
    16 to 19). An estimate: it assumes the LA's groups have the national age profile.
``census_all_ages``
    Census 2021 usual residents of all ages. Not a child population; kept only to compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from collate.analysis.population import ALL_AGES, ALL_ETHNICITIES_PREFIX, read_reference_csv
from collate.errors import SettingsError
from collate.instrument.model import EthnicitySpec
from collate.settings import RoundSettings

METHODS = ("school_census", "census_age_adjusted", "census_all_ages")

SHORT_NAMES = {
    "school_census": "school pupils",
    "census_age_adjusted": "Census, age-adjusted",
    "census_all_ages": "Census, all ages",
}


@dataclass(frozen=True)
class ChildPopulation:
    """One LA's denominator by analysis group and by detailed category (whole numbers)."""

    gss_code: str
    by_group: dict[str, int]
    by_detail: dict[str, int]


@dataclass(frozen=True)
class Denominator:
    """A denominator for every LA it covers, with the words that describe it in the report."""

    method: str
    description: str  # e.g. "pupils of each ethnic group in the LA's state-funded schools..."
    source: str
    by_la: dict[str, ChildPopulation]  # GSS code → population
    caveat: str = ""

    @property
    def short_name(self) -> str:
        return SHORT_NAMES[self.method]


def _read(path: Path, needed: set[str]) -> pd.DataFrame:
    try:
        df = read_reference_csv(path)
    except FileNotFoundError as exc:
        raise SettingsError(f"{path}: population file not found") from exc
    except (ValueError, pd.errors.ParserError) as exc:
        raise SettingsError(f"{path}: not a valid population table: {exc}") from exc
    if not needed <= set(df.columns):
        raise SettingsError(f"{path}: needs the columns {', '.join(sorted(needed))}")
    return df


def _add(target: dict[str, int], key: str, value: float) -> None:
    target[key] = target.get(key, 0) + value  # type: ignore[assignment]


def _rounded(by: dict[str, float]) -> dict[str, int]:
    return {k: int(round(v)) for k, v in by.items()}


def school_census(settings: RoundSettings, ethnicity: EthnicitySpec) -> Denominator:
    """Pupils by ethnicity in each LA's state-funded schools (DfE school census)."""
    a = settings.analysis
    path = settings.templates_folder / a.school_census_file
    df = _read(path, {"gss_code", "ethnic_group", "age_band", "count"})
    df = df[df["age_band"].astype(str).str.contains(a.school_census_year, regex=False)]
    if df.empty:
        raise SettingsError(
            f"{path}: no rows for the school census year {a.school_census_year!r} set in "
            "round.yaml (analysis.school_census_year)"
        )
    codes = {c.school_census: c for c in ethnicity.children_codes if c.school_census}
    out: dict[str, ChildPopulation] = {}
    for gss, rows in df.groupby("gss_code"):
        by_group: dict[str, int] = {}
        by_detail: dict[str, int] = {}
        for category, count in rows[["ethnic_group", "count"]].itertuples(index=False):
            code = codes.get(str(category))
            if code is None:
                continue  # Total and Unclassified: not an ethnic group
            _add(by_group, code.group, int(count))
            _add(by_detail, code.detail, int(count))
        out[str(gss)] = ChildPopulation(str(gss), by_group, by_detail)
    year = a.school_census_year
    return Denominator(
        "school_census",
        f"pupils of each ethnic group in the LA's state-funded schools (DfE school census, "
        f"{year}; pupils whose ethnicity is unclassified left out)",
        "Department for Education, 'Schools, pupils and their characteristics' "
        f"({year}), Open Government Licence v3.0",
        out,
        "The school census is chosen because it counts children, by the same ethnic "
        "categories as the return, for every LA; Census 2021 figures for children by ethnic group "
        "are not published for these LAs. It counts pupils in state-funded schools located in "
        "the LA, mostly aged 4 to 16, so it leaves out younger children, most 16 and 17 year "
        "olds and pupils of independent schools, and it is a year or more older than the "
        "figures it is compared with.",
    )


def _child_fractions(path: Path) -> dict[str, float]:
    """Share of each Census high-level group aged 0 to 17, England and Wales (estimated)."""
    df = _read(path, {"ethnic_group", "age_band", "count"})
    out: dict[str, float] = {}
    for group, rows in df.groupby("ethnic_group"):
        if str(group).startswith(ALL_ETHNICITIES_PREFIX):
            continue
        by_band = dict(zip(rows["age_band"], rows["count"], strict=False))
        under_16 = next((v for k, v in by_band.items() if "15 years and under" in str(k)), None)
        sixteen_to_19 = by_band.get("Aged 16 to 19 years")
        everyone = by_band.get("All ages")
        if under_16 is None or sixteen_to_19 is None or not everyone:
            raise SettingsError(
                f"{path}: group {group!r} needs the rows 'Aged 15 years and under', "
                "'Aged 16 to 19 years' and 'All ages'"
            )
        # 16 and 17 are taken as half of 16 to 19 (no finer band is published with ethnicity).
        out[str(group)] = (under_16 + sixteen_to_19 / 2) / everyone
    return out


def _census(settings: RoundSettings, ethnicity: EthnicitySpec, adjust: bool) -> Denominator:
    path = settings.population_path
    df = _read(path, {"gss_code", "ethnic_group", "age_band", "count"})
    df = df[
        (df["age_band"] == ALL_AGES) & ~df["ethnic_group"].str.startswith(ALL_ETHNICITIES_PREFIX)
    ]
    cats = ethnicity.population_categories
    fractions = _child_fractions(settings.templates_folder / settings.analysis.age_profile_file)
    out: dict[str, ChildPopulation] = {}
    for gss, rows in df.groupby("gss_code"):
        by_group: dict[str, float] = {}
        by_detail: dict[str, float] = {}
        for category, count in rows[["ethnic_group", "count"]].itertuples(index=False):
            spec = cats.get(str(category))
            if spec is None:
                continue
            factor = 1.0
            if adjust:
                high_level = str(category).split(":")[0].strip()
                if high_level not in fractions:
                    raise SettingsError(
                        f"{path}: no age profile for the Census group {high_level!r} "
                        f"(from {category!r}) in {settings.analysis.age_profile_file}"
                    )
                factor = fractions[high_level]
            _add(by_group, spec.group, count * factor)
            _add(by_detail, spec.detail, count * factor)
        out[str(gss)] = ChildPopulation(str(gss), _rounded(by_group), _rounded(by_detail))
    if adjust:
        return Denominator(
            "census_age_adjusted",
            "children of each ethnic group estimated from Census 2021 (the LA's residents of all "
            "ages, scaled by the share of each high-level ethnic group aged 0 to 17 in England "
            "and Wales)",
            "Office for National Statistics, Census 2021 (TS021 and ethnic group by age), "
            "Open Government Licence v3.0",
            out,
            "An estimate: it assumes each LA's ethnic groups have the age profile of their group "
            "in England and Wales.",
        )
    return Denominator(
        "census_all_ages",
        "residents of all ages of each ethnic group (Census 2021): not a child population",
        "Office for National Statistics, Census 2021 (TS021), Open Government Licence v3.0",
        out,
        "People of all ages are not a child population: children are more ethnically diverse "
        "than adults, so ratios for Mixed groups in particular come out about twice too high. "
        "Use this only to compare.",
    )


def load_denominator(
    settings: RoundSettings, ethnicity: EthnicitySpec, method: str | None = None
) -> Denominator:
    """The denominator ``method`` (by default the one round.yaml chooses)."""
    method = method or settings.analysis.child_population
    if method == "school_census":
        return school_census(settings, ethnicity)
    if method in ("census_age_adjusted", "census_all_ages"):
        return _census(settings, ethnicity, adjust=method == "census_age_adjusted")
    raise SettingsError(f"round.yaml: unknown child_population {method!r}; use one of {METHODS}")
