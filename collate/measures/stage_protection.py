"""Protecting a children's stage table: withholding further figures until no withheld count can
be narrowed below three possible values, by a reader (:mod:`collate.measures.disclosure`) or by
a council that knows its own withheld counts (:mod:`collate.measures.insider`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from collate.measures.disclosure import Cell, Release, narrowed, ratio_facts
from collate.measures.insider import cell_for_insider, insider_narrowed
from collate.measures.suppression import _protect
from collate.workers import background

#: Check each council in turn as an insider that knows its own withheld counts
#: (:mod:`collate.measures.insider`). A switch for the tests that weaken protection.
INSIDER_CHECK = True


def protect_stage(
    values: Sequence[Sequence[int]],
    hidden: set[Cell],
    known_columns: Sequence[int],
    populations: Sequence[Mapping[int, float] | None],
) -> tuple[set[Cell], set[int]]:
    """Withhold further figures until no withheld count can be narrowed below three values.

    ``values`` is the table with margins, ``hidden`` the cells already withheld (small counts and
    their secondary cells), ``known_columns`` the columns of known ethnic groups whose sum is the
    ratios' denominator, ``populations`` each row's public population by column (None for a row
    with no ratios). Returns the withheld cells and the rows whose ratios must be withheld.

    First a row's ratios are withheld (they are derived figures; the counts stay); when counts
    alone narrow a cell, the smallest further count in its row (or else its column) is withheld.
    """
    key = _key(values, hidden, known_columns, populations)
    if key not in _DONE:
        _remember(key, _protect_key(key))
    cells, rows = _DONE[key]
    return set(cells), set(rows)


def protect_stages(tables: Sequence[tuple], workers: int = 1) -> Callable[[], None]:
    """Start working out the protection of several tables (each the arguments of
    protect_stage), in another process where ``workers`` allows (collate.workers.background);
    returns a function that waits until they are done, after which protect_stage finds each
    one done. A national round's stage tables take a few seconds, and other work can go on
    meanwhile."""
    keys = [k for k in dict.fromkeys(_key(*t) for t in tables) if k not in _DONE]
    results = background(_protect_key, keys, workers)

    def wait() -> None:
        for key, result in zip(keys, results(), strict=True):
            _remember(key, result)

    return wait


def _key(values, hidden, known_columns, populations) -> tuple:
    return (
        tuple(tuple(int(v) for v in row) for row in values),
        frozenset(hidden),
        tuple(known_columns),
        tuple(None if p is None else tuple(sorted(p.items())) for p in populations),
        INSIDER_CHECK,
    )


# The analysis may be built more than once in a process (the tests build it many times): the
# integer programmes are solved once for each distinct table (the newest 256 kept).
_DONE: dict[tuple, tuple[frozenset[Cell], frozenset[int]]] = {}


def _remember(key: tuple, result: tuple[frozenset[Cell], frozenset[int]]) -> None:
    if len(_DONE) >= 256:
        del _DONE[next(iter(_DONE))]
    _DONE[key] = result


def _protect_key(key: tuple) -> tuple[frozenset[Cell], frozenset[int]]:
    values, hidden, known_columns, pop_items, insider_check = key
    populations = [None if p is None else dict(p) for p in pop_items]
    hidden, rows = _protect_stage(
        values, set(hidden), known_columns, populations, insider_check=insider_check
    )
    return frozenset(hidden), frozenset(rows)


def _protect_stage(
    values: Sequence[Sequence[int]],
    hidden: set[Cell],
    known_columns: Sequence[int],
    populations: Sequence[Mapping[int, float] | None],
    insider_check: bool = True,
) -> tuple[set[Cell], set[int]]:
    insider_safe: set = set()
    hidden = set(hidden)
    rows_without_ratios: set[int] = set()
    n_rows, n_cols = len(values), len(values[0])
    # Withholding more only relaxes the programme (every earlier solution still fits), so a cell
    # once shown safe stays safe: each round re-checks only the cells not yet shown safe.
    to_check: set[Cell] = set(hidden)
    for _ in range(2 * (n_rows * n_cols + n_rows) + 1):
        release = Release(
            values,
            hidden,
            ratio_facts(values, hidden, known_columns, populations, rows_without_ratios),
        )
        bad = narrowed(release, sorted(to_check))
        if not bad:
            # Safe from a reader: now from each council, which knows its own withheld counts.
            leaks = insider_narrowed(release, insider_safe) if insider_check else []
            if not leaks:
                return hidden, rows_without_ratios
            insider, victim = leaks[0]
            row = victim[0]
            if populations[row] is not None and row not in rows_without_ratios:
                # If the victim's ratios are what narrows it, withhold them (derived figures
                # first, as for a reader).
                without = Release(
                    values,
                    hidden,
                    ratio_facts(
                        values, hidden, known_columns, populations, rows_without_ratios | {row}
                    ),
                )
                if not insider_narrowed(without, {(insider, c) for c in hidden if c != victim}):
                    rows_without_ratios.add(row)
                    continue
            before = set(hidden)
            added = cell_for_insider(values, hidden, insider, victim) or _one_more_cell(
                values, hidden, [victim]
            )
            if added is None:
                return hidden, rows_without_ratios
            hidden.add(added)
            hidden |= _protect([list(r) for r in values], hidden)
            to_check = hidden - before
            continue
        before = set(hidden)
        to_check = set(bad)
        with_ratios = [c for c in bad if populations[c[0]] is not None]
        fixable = {c[0] for c in with_ratios if c[0] not in rows_without_ratios}
        if fixable:
            # Every row whose ratios pin one of its cells loses its ratios at once.
            own_row = {c[0] for c in bad} & fixable
            rows_without_ratios |= own_row or {min(fixable)}
            continue
        added = _one_more_cell(values, hidden, bad)
        if added is None:
            # Every non-zero figure is withheld already: nothing more can be done, and with the
            # grand total withheld no count has a useful bound.
            return hidden, rows_without_ratios
        hidden.add(added)
        hidden |= _protect([list(r) for r in values], hidden)
        to_check |= hidden - before
    raise AssertionError("disclosure protection did not settle")


def _one_more_cell(
    values: Sequence[Sequence[int]], hidden: set[Cell], bad: Sequence[Cell]
) -> Cell | None:
    """The count to withhold next: the smallest non-zero one beside a narrowed cell (its row,
    then its column, then their totals), or else the smallest anywhere (interior cells first)."""
    n_rows, n_cols = len(values), len(values[0])

    def open_cells(line):
        return [c for c in line if c not in hidden and values[c[0]][c[1]] > 0]

    def smallest(cells):
        return min(cells, key=lambda c: (values[c[0]][c[1]], c))

    for i, j in bad:
        for line in (
            [(i, k) for k in range(n_cols - 1)],
            [(k, j) for k in range(n_rows - 1)],
            [(i, k) for k in range(n_cols)] + [(k, j) for k in range(n_rows)],
        ):
            candidates = open_cells(line)
            if candidates:
                return smallest(candidates)
    interior = open_cells([(i, k) for i in range(n_rows - 1) for k in range(n_cols - 1)])
    if interior:
        return smallest(interior)
    anywhere = open_cells([(i, k) for i in range(n_rows) for k in range(n_cols)])
    return smallest(anywhere) if anywhere else None
