"""Disclosure control over a stage's published figures, treated as one system.

A reader of the report sees, for each stage of the children's pathway, a table of counts by LA
and ethnic group with its totals (some counts withheld as "c"), each LA's representation ratios
(which, with the group's public population share, pin down how many children of known ethnicity
the LA has at that stage), the share whose ethnicity was refused or not obtained, and rates per
10,000 children. Each of these is a constraint on the withheld counts. This module writes them all
as one integer programme and asks, for each withheld count, the smallest and largest value it
could take (SciPy's ``milp``, the HiGHS solver): the attack an intruder with the report and the
public Census and school census tables could make.

The method follows the Department for Education's practice for children's social care statistics
(counts of 1 to 5 withheld; further cells withheld so that none can be worked out from totals;
no rate or ratio from a withheld count) and the Government Statistical Service's guidance that
protection must hold across linked tables and derived figures (GSS, "Statistical disclosure
control for tables produced from administrative data sources", 2014). Protection here means:
**no withheld count can be narrowed to fewer than three possible values**. Where a derived figure
would narrow one, it is withheld; where the counts alone would, a further count is withheld.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

Cell = tuple[int, int]

#: Fewer possible values than this for a withheld count is a disclosure.
MINIMUM_POSSIBLE_VALUES = 3
#: An upper bound on any count, so that every programme is bounded.
_BIG = 10_000_000


@dataclass
class LinearFact:
    """``low <= sum(coefficient × cell) <= high``: something the published figures reveal."""

    terms: dict[Cell, float]
    low: float
    high: float
    why: str = ""


@dataclass
class Release:
    """One table as a reader sees it, with every other fact the published figures give.

    ``values`` is the whole table, margins included (last row: column totals; last column: row
    totals); ``hidden`` the withheld cells. ``facts`` are further linear facts (from ratios,
    percentages and so on). A withheld count is known to be at least 1, because zeros are shown.
    """

    values: Sequence[Sequence[int]]
    hidden: set[Cell]
    facts: list[LinearFact] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), len(self.values[0])


def ranges(
    release: Release, cells: Sequence[Cell] | None = None, enough: int | None = None
) -> dict[Cell, tuple[int, int]]:
    """The smallest and largest value each withheld cell can take, given everything shown.

    With ``enough``, a cell already seen taking that many values in other solutions is not solved
    for: its range is then only what was seen (at least ``enough`` values wide).

    The constraints: every row adds up to its total and every column to its total, shown values are
    fixed, withheld values are whole numbers of at least 1, and every fact holds.
    """
    if not release.hidden:
        return {}
    index, constraints, bounds = programme(release)
    targets = list(cells) if cells is not None else sorted(release.hidden)
    found = value_ranges(
        constraints,
        bounds,
        [index[cell] for cell in targets],
        enough=enough,
        explore=enough is not None and len(targets) > 16,
    )
    return {cell: found[index[cell]] for cell in targets}


def programme(release: Release) -> tuple[dict[Cell, int], LinearConstraint, Bounds]:
    """The release as an integer programme: each withheld cell's variable, the constraints and
    the bounds (see :func:`ranges`)."""
    hidden = sorted(release.hidden)
    index = {cell: k for k, cell in enumerate(hidden)}
    n_rows, n_cols = release.shape
    rows_a: list[np.ndarray] = []
    lows: list[float] = []
    highs: list[float] = []

    def add(terms: Mapping[Cell, float], low: float, high: float) -> None:
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for cell, weight in terms.items():
            if cell in index:
                coefficients[index[cell]] += weight
            else:
                constant += weight * release.values[cell[0]][cell[1]]
        if not coefficients.any():
            return
        rows_a.append(coefficients)
        lows.append(low - constant)
        highs.append(high - constant)

    for i in range(n_rows):
        terms = {(i, j): 1.0 for j in range(n_cols - 1)}
        terms[(i, n_cols - 1)] = -1.0
        add(terms, 0, 0)
    for j in range(n_cols):
        terms = {(i, j): 1.0 for i in range(n_rows - 1)}
        terms[(n_rows - 1, j)] = -1.0
        add(terms, 0, 0)
    for fact in release.facts:
        add(fact.terms, fact.low, fact.high)
    constraints = LinearConstraint(np.array(rows_a), np.array(lows), np.array(highs))
    bounds = Bounds(np.ones(len(hidden)), np.full(len(hidden), _BIG))
    return index, constraints, bounds


def value_ranges(
    constraints: LinearConstraint,
    bounds: Bounds,
    targets: Sequence[int],
    enough: int | None = None,
    explore: bool = False,
) -> dict[int, tuple[int, int]]:
    """The smallest and largest whole-number value of each target variable of an integer
    programme (every variable an integer), as an intruder would solve for it.

    Every solution found shows a value each variable can take: with ``enough``, a variable
    already seen at that many distinct values needs no solve of its own, and its range is only
    what was seen. ``explore`` first solves in a few random directions, which usually shows most
    variables taking several values (fixed seed: the same answer every run). Figures that
    contradict one another (no solution) pin the variable, so that it is protected.
    """
    from scipy.sparse import csc_array

    # milp turns a dense matrix into this sparse one on every call: done once here instead
    # (the same matrix, so the same solutions), it saves most of a solve's time on a big round.
    if not hasattr(constraints.A, "tocsc"):
        constraints = LinearConstraint(
            csc_array(constraints.A), constraints.lb, constraints.ub, keep_feasible=False
        )
    size = bounds.lb.shape[0]
    integrality = np.ones(size)
    seen_low = np.full(size, np.inf)
    seen_high = np.full(size, -np.inf)

    def solve(direction: np.ndarray, presolve: bool = True) -> np.ndarray | None:
        result = milp(
            direction,
            constraints=constraints,
            integrality=integrality,
            bounds=bounds,
            options={"presolve": presolve},
        )
        if not result.success:
            return None
        x = np.round(result.x)
        if not _solves(x, constraints, bounds):
            # Not a solution in whole numbers (the solver's tolerances): not a value it can take.
            return solve(direction, presolve=False) if presolve else None
        np.minimum(seen_low, x, out=seen_low)
        np.maximum(seen_high, x, out=seen_high)
        return x

    if explore:
        for direction in np.random.default_rng(0).choice([-1.0, 1.0], size=(8, size)):
            solve(direction)
    out: dict[int, tuple[int, int]] = {}
    for k in targets:
        if enough is not None and seen_high[k] - seen_low[k] + 1 >= enough:
            out[k] = (int(seen_low[k]), int(seen_high[k]))
            continue
        c = np.zeros(size)
        c[k] = 1
        found = []
        for sign in (1, -1):
            x = solve(sign * c)
            if x is None:
                found = []
                break
            found.append(int(x[k]))
        if enough is None or not found or max(found) - min(found) + 1 < enough:
            # Narrowed, or the exact range asked for: confirmed without the solver's presolve,
            # which has been seen to stop at a value short of the true smallest or largest
            # (HiGHS in SciPy 1.17), with a solution that keeps every constraint. A regional
            # figure is withheld on this verdict, so it must be right. Each value found is one
            # the count can take, so the range is the widest of the two ways.
            for sign in (1, -1):
                x = solve(sign * c, presolve=False)
                if x is not None:
                    found.append(int(x[k]))
        # Figures that contradict one another (no solution) pin the count: protected.
        out[k] = (min(found), max(found)) if found else (0, 0)
    return out


def _solves(x: np.ndarray, constraints: LinearConstraint, bounds: Bounds) -> bool:
    """Whether ``x`` (whole numbers) keeps every constraint and bound, to within rounding.

    The tolerance is absolute and tiny: the counts are whole numbers and nearly every
    coefficient is too, so a constraint missed by a count of 1 (a "small" flag with a big
    multiplier, say) is missed, however large the row's terms."""
    tolerance = 1e-6
    values = constraints.A @ x
    return bool(
        np.all(values >= constraints.lb - tolerance)
        and np.all(values <= constraints.ub + tolerance)
        and np.all(x >= bounds.lb - tolerance)
        and np.all(x <= bounds.ub + tolerance)
    )


def narrowed(release: Release, cells: Sequence[Cell] | None = None) -> list[Cell]:
    """Withheld cells (of ``cells``, or all) narrowed to fewer than three possible values."""
    found = ranges(release, cells, enough=MINIMUM_POSSIBLE_VALUES)
    return [cell for cell, (low, high) in found.items() if high - low + 1 < MINIMUM_POSSIBLE_VALUES]


def ratio_total_bounds(
    count: int, text_value: float, population: float, population_total: float, places: int
) -> tuple[int, int]:
    """Row totals n that could print ``text_value`` for (count/n) ÷ (population/total).

    A quick bracket for the row total: the printed ratio is within half a unit in
    the last place of the true one.
    """
    half = 0.5 * 10**-places
    share = population / population_total
    high_ratio, low_ratio = text_value + half, max(text_value - half, 1e-12)
    return (
        max(count, math.floor(count / (share * high_ratio)) - 1),
        math.ceil(count / (share * low_ratio)) + 1,
    )


def printed_ratio(count: int, total: int, population: float, population_total: float) -> str:
    """A representation ratio as the report prints it (2 decimal places, halves rounded up)."""
    from collate.measures.rounding import RATIO_DECIMAL_PLACES, round_half_up

    value = (count / total) / (population / population_total)
    return f"{round_half_up(value, RATIO_DECIMAL_PLACES):.{RATIO_DECIMAL_PLACES}f}"


def ratio_facts(
    values: Sequence[Sequence[int]],
    hidden: set[Cell],
    known_columns: Sequence[int],
    populations: Sequence[Mapping[int, float] | None],
    rows_without_ratios: set[int],
) -> list[LinearFact]:
    """What each row's printed representation ratios reveal about its children of known ethnicity.

    A ratio printed for a shown count, with the group's public population share, brackets the
    row's number of children of known ethnicity (the sum of its known-group cells).
    """
    facts = []
    for i, population in enumerate(populations):
        if population is None or i in rows_without_ratios:
            continue
        total_population = sum(population.values())
        shown = [
            (values[i][j], population[j])
            for j in known_columns
            if (i, j) not in hidden and values[i][j] > 0 and population.get(j, 0) > 0
        ]
        if not shown or not total_population:
            continue
        known = sum(values[i][j] for j in known_columns)
        texts = [(a, printed_ratio(a, known, p, total_population)) for a, p in shown]
        low, high = 1, _BIG
        for (a, p), (_, text) in zip(shown, texts, strict=True):
            lo, hi = ratio_total_bounds(a, float(text), p, total_population, 2)
            low, high = max(low, lo), min(high, hi)
        if high - low > 200_000:
            continue  # too wide to enumerate and too wide to matter
        fits = [
            n
            for n in range(max(low, 1), high + 1)
            if all(
                printed_ratio(a, n, p, total_population) == text
                for (a, p), (_, text) in zip(shown, texts, strict=True)
            )
        ]
        if not fits:
            continue
        facts.append(
            LinearFact(
                {(i, j): 1.0 for j in known_columns},
                min(fits),
                max(fits),
                why=f"row {i + 1}: representation ratios",
            )
        )
    return facts
