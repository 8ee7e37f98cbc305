"""Small-number suppression for anything the toolkit publishes.

DfE children-in-need statistics show counts of 1 to 5 as "c" (primary suppression) and suppress
further cells (secondary suppression) so that no "c" can be worked out from totals or from the
other cells. Zero is shown: it discloses nothing about a person.

A table is protected here when no suppressed value is pinned down by the table's sums. Think of
rows and columns (totals included) as the nodes of a graph and of each suppressed cell as an edge
joining its row to its column. A reader can shift suppressed values only around a cycle of
suppressed cells (add 1, take 1, add 1, ... round the cycle), so a suppressed cell on no cycle (a
"bridge" of that graph) is fixed by the sums and can be recovered. A line with a single suppressed
cell is the simplest bridge. Protection therefore:

1. suppresses a second cell in every line (row or column, totals included) with exactly one;
2. then, while any suppressed cell is a bridge, suppresses the cheapest set of further cells that
   puts it on a cycle;

and repeats until neither step changes anything. Cells are chosen smallest first, interior cells
before totals, and the grand total only when nothing else will do. A true zero is never
suppressed, which also tells a reader that every suppressed cell is at least 1: a cycle of 1s can
then be pinned (two withheld 1s in a row whose total is 2). This module's cycles are therefore only
the first step; :mod:`collate.measures.disclosure` then checks every withheld cell against
everything published, as an integer programme, and withholds more where needed.

No rate or ratio may be computed from a suppressed count: the measures modules use
:func:`is_small` and report such figures as not computable, with the reason
:data:`SMALL_NUMBERS`.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

#: What a suppressed cell shows.
SUPPRESSED = "c"
#: The reason given when a figure is not computed because a count behind it is suppressed.
SMALL_NUMBERS = "small numbers"
#: DfE's primary suppression bounds: counts 1 to 5 are not shown.
SMALLEST_SUPPRESSED = 1
LARGEST_SUPPRESSED = 5

Cell = tuple[int, int]


def is_suppressed(value: object) -> bool:
    """True when ``value`` is a suppressed cell's marker ("c")."""
    return isinstance(value, str) and value == SUPPRESSED


def is_small(count: int, lower: int = SMALLEST_SUPPRESSED, upper: int = LARGEST_SUPPRESSED) -> bool:
    """True when ``count`` is small enough to be suppressed (``lower`` to ``upper`` inclusive)."""
    return lower <= count <= upper


def _check_bounds(lower: int, upper: int) -> None:
    # A suppressed zero could be the only thing holding a cycle at its bound, which would let a
    # reader recover the others; and a zero discloses nothing, so it is always shown.
    if lower < 1:
        raise ValueError(f"the smallest suppressed count must be at least 1, not {lower}")
    if upper < lower:
        raise ValueError(f"suppression bounds {lower} to {upper} are the wrong way round")


def _check_count(value: object, where: str) -> int:
    # numpy integers are fine; bools and floats are not counts.
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise ValueError(f"{where}: {value!r} is not a whole-number count")
    count = int(value)  # type: ignore[call-overload]
    if count < 0:
        raise ValueError(f"{where}: count {count} is negative")
    return count


@dataclass(frozen=True)
class SuppressedTable:
    """A table with margins after suppression.

    ``cells`` holds each cell's count or "c", in the input's layout (last row: column totals; last
    column: row totals). ``primary`` are cells suppressed for being small, ``secondary`` those
    suppressed to protect them, as ``(row, column)`` positions counted from 0. ``notes`` explain
    any suppression of a whole line or of the grand total.
    """

    cells: tuple[tuple[int | str, ...], ...]
    primary: frozenset[Cell]
    secondary: frozenset[Cell]
    notes: tuple[str, ...] = ()
    row_labels: tuple[str, ...] | None = None
    column_labels: tuple[str, ...] | None = None

    @property
    def suppressed(self) -> frozenset[Cell]:
        """Every suppressed cell, primary and secondary."""
        return self.primary | self.secondary

    def to_frame(self) -> pd.DataFrame:
        """The suppressed table as a DataFrame, with the input's labels when it had them."""
        return pd.DataFrame(
            [list(row) for row in self.cells],
            index=list(self.row_labels) if self.row_labels is not None else None,
            columns=list(self.column_labels) if self.column_labels is not None else None,
            dtype=object,
        )


@dataclass(frozen=True)
class SuppressedSeries:
    """A list of counts with its total after suppression.

    ``values`` maps each label to its count or "c"; ``total`` is the total, "c", or ``None`` when
    no total was given. ``primary`` and ``secondary`` name suppressed labels; ``total_primary``
    says the total is itself small.
    """

    values: Mapping[str, int | str]
    total: int | str | None
    primary: frozenset[str]
    secondary: frozenset[str]
    total_primary: bool = False


def _as_rows(
    table: Sequence[Sequence[int]] | pd.DataFrame,
) -> tuple[list[list[int]], tuple[str, ...] | None, tuple[str, ...] | None]:
    if isinstance(table, pd.DataFrame):
        raw = table.to_numpy(dtype=object).tolist()
        row_labels: tuple[str, ...] | None = tuple(str(x) for x in table.index)
        column_labels: tuple[str, ...] | None = tuple(str(x) for x in table.columns)
    else:
        raw = [list(row) for row in table]
        row_labels = column_labels = None
    if len(raw) < 2 or any(len(row) < 2 for row in raw):
        raise ValueError(
            "a table needs at least one row and one column of counts plus its totals row and "
            "totals column"
        )
    width = len(raw[0])
    if any(len(row) != width for row in raw):
        raise ValueError("every row of the table must have the same number of cells")
    rows = [
        [_check_count(value, f"row {i + 1}, column {j + 1}") for j, value in enumerate(row)]
        for i, row in enumerate(raw)
    ]
    last_row, last_col = len(rows) - 1, width - 1
    for i in range(last_row + 1):
        if sum(rows[i][:last_col]) != rows[i][last_col]:
            raise ValueError(
                f"row {i + 1}: its counts sum to {sum(rows[i][:last_col])} but its total is "
                f"{rows[i][last_col]}; the last column must hold row totals"
            )
    for j in range(last_col + 1):
        column_sum = sum(rows[i][j] for i in range(last_row))
        if column_sum != rows[last_row][j]:
            raise ValueError(
                f"column {j + 1}: its counts sum to {column_sum} but its total is "
                f"{rows[last_row][j]}; the last row must hold column totals"
            )
    return rows, row_labels, column_labels


def _lines(n_rows: int, n_cols: int) -> list[tuple[str, int, list[Cell]]]:
    rows = [("row", i, [(i, j) for j in range(n_cols)]) for i in range(n_rows)]
    cols = [("column", j, [(i, j) for i in range(n_rows)]) for j in range(n_cols)]
    return rows + cols


def _is_bridge(cell: Cell, suppressed: set[Cell]) -> bool:
    """True when ``cell``'s row and column are joined by no other path of suppressed cells."""
    adjacency: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for other in suppressed:
        if other == cell:
            continue
        r, c = ("r", other[0]), ("c", other[1])
        adjacency.setdefault(r, []).append(c)
        adjacency.setdefault(c, []).append(r)
    start, goal = ("r", cell[0]), ("c", cell[1])
    seen = {start}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        if node == goal:
            return False
        for nxt in adjacency.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return True


def _cheapest_cycle(
    bridge: Cell, rows: list[list[int]], suppressed: set[Cell], cost
) -> list[Cell] | None:
    """Unsuppressed cells that, once suppressed, put ``bridge`` on a cycle (cheapest first)."""
    n_rows, n_cols = len(rows), len(rows[0])
    start, goal = ("r", bridge[0]), ("c", bridge[1])
    zero = (0, 0, 0, 0)
    best: dict[tuple[str, int], tuple[int, ...]] = {start: zero}
    came_from: dict[tuple[str, int], tuple[tuple[str, int], Cell]] = {}
    tie = itertools.count()
    queue: list = [(zero, next(tie), start)]
    while queue:
        so_far, _, node = heapq.heappop(queue)
        if so_far != best.get(node):
            continue
        if node == goal:
            break
        kind, index = node
        if kind == "r":
            steps = [((index, j), ("c", j)) for j in range(n_cols)]
        else:
            steps = [((i, index), ("r", i)) for i in range(n_rows)]
        for cell, nxt in steps:
            if cell == bridge:
                continue
            if cell in suppressed:
                step = zero
            elif rows[cell[0]][cell[1]] == 0:
                continue
            else:
                step = cost(cell)
            total = tuple(a + b for a, b in zip(so_far, step, strict=True))
            if nxt not in best or total < best[nxt]:
                best[nxt] = total
                came_from[nxt] = (node, cell)
                heapq.heappush(queue, (total, next(tie), nxt))
    if goal not in came_from:
        return None
    added: list[Cell] = []
    node = goal
    while node != start:
        node, cell = came_from[node]
        if cell not in suppressed:
            added.append(cell)
    return added


def _protect(rows: list[list[int]], primary: set[Cell]) -> set[Cell]:
    """Secondary cells that leave no suppressed value recoverable."""
    n_rows, n_cols = len(rows), len(rows[0])
    grand_total = (n_rows - 1, n_cols - 1)

    def cost(cell: Cell) -> tuple[int, int, int, int]:
        # Compared as tuples: grand total last of all, then totals after interior cells, then the
        # smallest value, then the fewest cells.
        i, j = cell
        is_total = i == n_rows - 1 or j == n_cols - 1
        return (int(cell == grand_total), int(is_total), rows[i][j], 1)

    suppressed = set(primary)
    lines = _lines(n_rows, n_cols)
    while True:
        changed = False
        for _, _, cells in lines:
            if sum(cell in suppressed for cell in cells) != 1:
                continue
            candidates = [c for c in cells if c not in suppressed and rows[c[0]][c[1]] > 0]
            if candidates:
                suppressed.add(min(candidates, key=lambda c: (cost(c), c)))
                changed = True
        if changed:
            continue
        bridge = next((c for c in sorted(suppressed) if _is_bridge(c, suppressed)), None)
        if bridge is None:
            return suppressed - primary
        added = _cheapest_cycle(bridge, rows, suppressed, cost)
        if not added:
            # Every non-zero cell of a table with margins lies on a cycle of non-zero cells
            # (cell, its row total, grand total, its column total), so this cannot happen for a
            # table whose margins add up; _as_rows has checked that they do.
            raise AssertionError(f"no way found to protect cell {bridge}")
        suppressed.update(added)


def _line_name(
    kind: str, index: int, last: int, labels: tuple[str, ...] | None, total_name: str
) -> str:
    if index == last:
        return total_name
    if labels is not None:
        return f"{kind} '{labels[index]}'"
    return f"{kind} {index + 1}"


def _notes(
    rows: list[list[int]],
    primary: set[Cell],
    secondary: set[Cell],
    row_labels: tuple[str, ...] | None,
    column_labels: tuple[str, ...] | None,
) -> tuple[str, ...]:
    n_rows, n_cols = len(rows), len(rows[0])
    suppressed = primary | secondary
    notes: list[str] = []
    for kind, index, cells in _lines(n_rows, n_cols):
        total_cell = cells[-1]
        non_zero = [c for c in cells if rows[c[0]][c[1]] > 0]
        if non_zero and all(c in suppressed for c in non_zero):
            last = n_rows - 1 if kind == "row" else n_cols - 1
            labels = row_labels if kind == "row" else column_labels
            total_name = "the totals row" if kind == "row" else "the totals column"
            name = _line_name(kind, index, last, labels, total_name)
            total_word = (
                "the grand total" if total_cell == (n_rows - 1, n_cols - 1) else "its total"
            )
            notes.append(
                f"Every non-zero figure in {name}, including {total_word}, is suppressed to "
                "protect small numbers."
            )
    if (n_rows - 1, n_cols - 1) in secondary:
        notes.append(
            "The grand total is suppressed: no other cell could protect the figures around it."
        )
    return tuple(notes)


def suppress_table(
    table: Sequence[Sequence[int]] | pd.DataFrame,
    lower: int = SMALLEST_SUPPRESSED,
    upper: int = LARGEST_SUPPRESSED,
) -> SuppressedTable:
    """Suppress a table of counts that includes its margins.

    The last row of ``table`` holds the column totals, the last column the row totals and the
    bottom-right cell the grand total; the margins must add up. Counts from ``lower`` to ``upper``
    (1 to 5 by default) are suppressed, and further cells as the module docstring describes.
    """
    _check_bounds(lower, upper)
    rows, row_labels, column_labels = _as_rows(table)
    primary = {
        (i, j)
        for i, row in enumerate(rows)
        for j, value in enumerate(row)
        if is_small(value, lower, upper)
    }
    secondary = _protect(rows, primary)
    suppressed = primary | secondary
    cells = tuple(
        tuple(SUPPRESSED if (i, j) in suppressed else value for j, value in enumerate(row))
        for i, row in enumerate(rows)
    )
    return SuppressedTable(
        cells=cells,
        primary=frozenset(primary),
        secondary=frozenset(secondary),
        notes=_notes(rows, primary, secondary, row_labels, column_labels),
        row_labels=row_labels,
        column_labels=column_labels,
    )


def suppress_series(
    counts: Mapping[str, int],
    total: int | None,
    lower: int = SMALLEST_SUPPRESSED,
    upper: int = LARGEST_SUPPRESSED,
) -> SuppressedSeries:
    """Suppress a one-dimensional list of counts and, if given, its total.

    With a total, the counts must sum to it, and a lone suppressed count is protected by also
    suppressing the smallest other non-zero count. A small total is suppressed with its counts.
    Without a total nothing can be worked out by subtraction, so only small counts are suppressed.
    """
    _check_bounds(lower, upper)
    checked = {label: _check_count(value, f"'{label}'") for label, value in counts.items()}
    if total is not None:
        total = _check_count(total, "the total")
        if sum(checked.values()) != total:
            raise ValueError(
                f"the counts sum to {sum(checked.values())} but the total is {total}; a list "
                "with a total must add up to it"
            )
    primary = {label for label, value in checked.items() if is_small(value, lower, upper)}
    total_primary = total is not None and is_small(total, lower, upper)
    secondary: set[str] = set()
    if total is not None and len(primary) + int(total_primary) == 1:
        # One suppressed figure beside a known total: take the smallest non-zero count with it.
        # There always is one: were every other count zero, the total would equal the small
        # count and be suppressed already.
        candidates = [
            (value, label) for label, value in checked.items() if label not in primary and value > 0
        ]
        secondary.add(min(candidates)[1])
    suppressed = primary | secondary
    values = {
        label: SUPPRESSED if label in suppressed else value for label, value in checked.items()
    }
    shown_total: int | str | None = SUPPRESSED if total_primary else total
    return SuppressedSeries(
        values=values,
        total=shown_total,
        primary=frozenset(primary),
        secondary=frozenset(secondary),
        total_primary=total_primary,
    )


def suppressed_labels(values: Mapping[str, object]) -> frozenset[str]:
    """The labels whose shown value is "c", e.g. to pass to a measure as its suppressed groups."""
    return frozenset(label for label, value in values.items() if is_suppressed(value))
