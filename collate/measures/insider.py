"""Disclosure control against an insider: a council that knows its own withheld counts.

Every council that reads the report knows its own figures, including the ones the report
withholds. Where a column has exactly two withheld councils and a published regional total, one
of them subtracts its own count (and the shown ones) from the total and has the other's. The same
can happen through the representation ratios, the row totals or any other published figure.

So the check of :mod:`collate.measures.disclosure` is run once more for each council in turn, as
that council would attack the table: its own withheld counts are fixed at their true values, and
every OTHER council's withheld counts must still have at least three possible values.

To keep the cost down at many councils, a council is treated as an insider only when it has a
withheld count in a column where another council also has one (otherwise its knowledge says
nothing about anyone else's withheld counts through the totals), and only the withheld counts of
the councils it shares such a column with are solved for; ``value_ranges`` stops solving for a
count as soon as it has seen three of its values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy.optimize import Bounds

from collate.measures.disclosure import (
    MINIMUM_POSSIBLE_VALUES,
    Cell,
    LinearFact,
    Release,
    programme,
    value_ranges,
)


def insiders(release: Release) -> dict[int, list[Cell]]:
    """Each council (row) worth treating as an insider, with the withheld counts it could narrow:
    every withheld count of every other council that has a withheld count in a column where this
    council has one. The last row (the region's totals) is not a council."""
    n_rows = release.shape[0]
    councils = range(n_rows - 1)
    by_column: dict[int, set[int]] = {}
    by_row: dict[int, list[Cell]] = {}
    for i, j in release.hidden:
        if i in councils:
            by_column.setdefault(j, set()).add(i)
            by_row.setdefault(i, []).append((i, j))
    out: dict[int, list[Cell]] = {}
    for a, own in sorted(by_row.items()):
        neighbours = set()
        for _, j in own:
            neighbours |= by_column[j] - {a}
        if neighbours:
            out[a] = sorted(cell for b in neighbours for cell in by_row[b])
    return out


def knowing_own_row(release: Release, insider: int) -> Release:
    """The release as one council sees it: its own withheld counts are known to it."""
    known = [
        LinearFact({cell: 1.0}, value, value, why=f"row {insider + 1}: the council's own count")
        for cell in sorted(release.hidden)
        if cell[0] == insider
        for value in [release.values[cell[0]][cell[1]]]
    ]
    return Release(release.values, release.hidden, [*release.facts, *known])


def insider_narrowed(
    release: Release, safe: set[tuple[int, Cell]] | None = None
) -> list[tuple[int, Cell]]:
    """(insider's row, cell) for each other council's withheld count that a council knowing its
    own row narrows to fewer than three possible values.

    ``safe`` holds (insider, cell) pairs already shown safe: they are not solved again, and the
    pairs shown safe now are added to it. Withholding more only relaxes every insider's
    programme, so a pair once safe stays safe.
    """
    safe = set() if safe is None else safe
    found: list[tuple[int, Cell]] = []
    witnesses = _cycle_witnesses(release)
    built = None
    for a, targets in insiders(release).items():
        # Most counts are shown safe by a cycle the insider is not part of, without a solve.
        targets = [
            c
            for c in targets
            if (a, c) not in safe and not any(a not in rows for rows in witnesses.get(c, []))
        ]
        if not targets:
            continue
        if built is None:
            built = programme(release)
        index, constraints, bounds = built
        # The council knows its own withheld counts: their variables are fixed at the truth.
        low, high = bounds.lb.copy(), bounds.ub.copy()
        for cell in release.hidden:
            if cell[0] == a:
                low[index[cell]] = high[index[cell]] = release.values[cell[0]][cell[1]]
        found_k = value_ranges(
            constraints,
            Bounds(low, high),
            [index[c] for c in targets],
            enough=MINIMUM_POSSIBLE_VALUES,
        )
        seen = {c: found_k[index[c]] for c in targets}
        for cell, (low, high) in seen.items():
            if high - low + 1 < MINIMUM_POSSIBLE_VALUES:
                found.append((a, cell))
            else:
                safe.add((a, cell))
    return found


def _cycle_witnesses(release: Release) -> dict[Cell, list[frozenset[int]]]:
    """For each withheld count, sets of other rows through whose cycles of withheld cells it is
    shown to have at least three possible values (up to two such sets are looked for).

    Four withheld cells at the corners of a rectangle (rows b and c, columns j and k; a margin
    may be a corner) can move together, +t and -t alternately, without changing any row or
    column total: a margin moves against the cells it adds up, so its sign flips. If every count
    stays at least 1, and every other published fact (a bracket from the ratios) still holds, for
    three whole values of t, no reader can tell those tables apart: each corner has three possible
    values. Two cycles through a count, each moving it by one, do as well: one each way, or
    both the same way and applied together. A council in none of the rows knows none of the
    cells moved, so the same cycles show the count is safe from it too. This is a proof, so a
    count it covers needs no solve.
    """
    n_rows, n_cols = release.shape
    hidden = release.hidden
    values = release.values

    def sign(cell: Cell) -> int:
        # The margin row and margin column each count against the cells they total.
        return (-1 if cell[0] == n_rows - 1 else 1) * (-1 if cell[1] == n_cols - 1 else 1)

    by_row: dict[int, list[int]] = {}
    by_col: dict[int, list[int]] = {}
    for i, j in sorted(hidden):
        by_row.setdefault(i, []).append(j)
        by_col.setdefault(j, []).append(i)
    facts_of_row: dict[int, list[tuple]] = {}
    for fact in release.facts:
        at_truth = sum(w * values[c[0]][c[1]] for c, w in fact.terms.items())
        for i in {c[0] for c in fact.terms}:
            facts_of_row.setdefault(i, []).append((fact, at_truth))
    out: dict[Cell, list[frozenset[int]]] = {}
    for b, j in sorted(hidden):
        if b == n_rows - 1:
            continue  # the region's totals are nobody's own count
        found = out.setdefault((b, j), [])
        # Cycles that move the count one way only, by one: (their row, move, the way it moves).
        partial: list[tuple[int, dict[Cell, int], int]] = []
        for c in by_col[j]:
            if c == b or len(found) >= 2:
                continue
            for k in by_row[b]:
                if k == j or (c, k) not in hidden:
                    continue
                corners = {(b, j): 1, (b, k): -1, (c, j): -1, (c, k): 1}
                move = {cell: d * sign(cell) for cell, d in corners.items()}
                facts = facts_of_row.get(b, []) + (facts_of_row.get(c, []) if c != b else [])
                low, high = _steps(move, values, facts)
                if high - low + 1 >= MINIMUM_POSSIBLE_VALUES:
                    found.append(frozenset({c}))
                    break
                if high - low + 1 == 2 and len(partial) < 6:
                    t = 1 if high > 0 else -1
                    partial.append((c, {cell: d * t for cell, d in move.items()}, move[(b, j)] * t))
        if found:
            continue
        # Two cycles: one moving the count by 1 each way gives three values; two moving it the
        # same way, applied together, give it moved by 2 as well (if that table is possible).
        for x, (c1, move1, way1) in enumerate(partial):
            for c2, move2, way2 in partial[x + 1 :]:
                if way1 != way2:
                    found.append(frozenset({c1, c2}))
                    continue
                both = dict(move1)
                for cell, d in move2.items():
                    both[cell] = both.get(cell, 0) + d
                facts = [f for i in {b, c1, c2} for f in facts_of_row.get(i, [])]
                low, high = _steps({k: v for k, v in both.items() if v}, values, facts)
                if low <= 1 <= high:
                    found.append(frozenset({c1, c2}))
            if len(found) >= 2:
                break
    return out


def _steps(move: dict[Cell, int], values, facts) -> tuple[int, int]:
    """The whole t (an interval, with 0 in it, cut to -3..3) for which every moved count stays
    at least 1 and every fact still holds."""
    low, high = -MINIMUM_POSSIBLE_VALUES, MINIMUM_POSSIBLE_VALUES
    for (i, j), d in move.items():
        room = (values[i][j] - 1) // abs(d)  # how far the count can fall and stay at least 1
        if d > 0:
            low = max(low, -room)
        else:
            high = min(high, room)
    seen: set[int] = set()
    for fact, at_truth in facts:
        if id(fact) in seen:
            continue
        seen.add(id(fact))
        slope = sum(w * move.get(c, 0) for c, w in fact.terms.items())
        if not slope:
            continue
        a, b = (fact.low - at_truth) / slope, (fact.high - at_truth) / slope
        a, b = min(a, b), max(a, b)
        low, high = max(low, math.ceil(a - 1e-9)), min(high, math.floor(b + 1e-9))
    return int(low), int(high)


def cell_for_insider(
    values: Sequence[Sequence[int]], hidden: set[Cell], insider: int, victim: Cell
) -> Cell | None:
    """The count to withhold so that ``insider`` no longer narrows ``victim``: the smallest
    non-zero shown count of a third council in the victim's column (the insider's own counts
    would not help, as it knows them), or else that column's total."""
    n_rows = len(values)
    _, j = victim
    open_cells = [
        (i, j)
        for i in range(n_rows - 1)
        if i not in (insider, victim[0]) and (i, j) not in hidden and values[i][j] > 0
    ]
    if open_cells:
        return min(open_cells, key=lambda c: (values[c[0]][c[1]], c))
    total = (n_rows - 1, j)
    return total if total not in hidden and values[total[0]][j] > 0 else None
