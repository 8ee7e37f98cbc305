"""Small-number suppression: hand-worked tables and a property test that nothing can be recovered.

Tables are written as they would be printed: counts, then the row total in the last column, with
the column totals as the last row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from collate.measures.suppression import (
    SMALL_NUMBERS,
    SUPPRESSED,
    is_small,
    is_suppressed,
    suppress_series,
    suppress_table,
    suppressed_labels,
)

C = SUPPRESSED


def with_margins(interior: list[list[int]]) -> list[list[int]]:
    """The interior counts with row totals, column totals and the grand total added."""
    rows = [list(row) + [sum(row)] for row in interior]
    totals = [sum(column) for column in zip(*rows, strict=True)]
    return rows + [totals]


def value_range(cells: tuple[tuple[int | str, ...], ...], target: tuple[int, int]):
    """The least and greatest value a reader could give ``target`` from the printed table.

    Every cell is a variable; printed cells are fixed at their printed value, suppressed cells are
    only known to be at least 0; every row and column (totals included) must add up.
    """
    n_rows, n_cols = len(cells), len(cells[0])

    def var(i: int, j: int) -> int:
        return i * n_cols + j

    equalities = []
    for i in range(n_rows):
        row = np.zeros(n_rows * n_cols)
        for j in range(n_cols - 1):
            row[var(i, j)] = 1
        row[var(i, n_cols - 1)] = -1
        equalities.append(row)
    for j in range(n_cols):
        column = np.zeros(n_rows * n_cols)
        for i in range(n_rows - 1):
            column[var(i, j)] = 1
        column[var(n_rows - 1, j)] = -1
        equalities.append(column)
    bounds = [
        (0, None) if is_suppressed(cells[i][j]) else (cells[i][j], cells[i][j])
        for i in range(n_rows)
        for j in range(n_cols)
    ]
    objective = np.zeros(n_rows * n_cols)
    objective[var(*target)] = 1
    a_eq, b_eq = np.array(equalities), np.zeros(len(equalities))
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert low.status == 0, low.message
    # Status 3: unbounded above, which protects the cell as well as any finite range.
    assert high.status in (0, 3), high.message
    return low.fun, (np.inf if high.status == 3 else -high.fun)


def assert_protected(table: list[list[int]], result) -> None:
    """(a) small counts are "c", (b) printed counts are true, (c) no "c" can be worked out."""
    for i, row in enumerate(table):
        for j, true_value in enumerate(row):
            shown = result.cells[i][j]
            if 1 <= true_value <= 5:
                assert shown == C, f"cell {(i, j)} = {true_value} is shown"
            if not is_suppressed(shown):
                assert shown == true_value
            else:
                assert true_value >= 1, f"a true zero at {(i, j)} was suppressed"
    for cell in result.suppressed:
        low, high = value_range(result.cells, cell)
        assert high - low >= 1 - 1e-7, f"cell {cell} is pinned to {low}..{high}"


# --- helpers -------------------------------------------------------------------------------


def test_is_suppressed_and_is_small():
    assert is_suppressed("c")
    assert not is_suppressed(0)
    assert not is_suppressed(3)
    assert not is_suppressed("C ")
    assert [is_small(n) for n in range(8)] == [False] + [True] * 5 + [False] * 2
    assert is_small(7, lower=1, upper=9)
    assert not is_small(1, lower=2, upper=9)
    assert SMALL_NUMBERS == "small numbers"


def test_suppressed_labels():
    assert suppressed_labels({"a": "c", "b": 12, "c": 0}) == frozenset({"a"})


# --- hand-worked tables --------------------------------------------------------------------


def test_a_row_with_one_small_count_gets_a_second_cell_and_so_does_its_column():
    # The 3 is alone in its row and its column. Row 1's next smallest cell is the 10, column 1's
    # the 8; that leaves row 2 and column 2 with one "c" each, closed by the 9.
    table = [
        [3, 10, 12, 25],
        [8, 9, 20, 37],
        [11, 19, 32, 62],
    ]
    result = suppress_table(table)
    assert result.cells == (
        (C, C, 12, 25),
        (C, C, 20, 37),
        (11, 19, 32, 62),
    )
    assert result.primary == {(0, 0)}
    assert result.secondary == {(0, 1), (1, 0), (1, 1)}
    assert result.notes == ()
    assert_protected(table, result)


def test_a_small_count_in_a_one_column_table_takes_a_total_with_it():
    # With one column of counts, row totals repeat the counts: the 4 and its row total are both
    # small, so the column needs a second cell, the 9, whose row total then goes too.
    table = [
        [4, 4],
        [9, 9],
        [13, 13],
    ]
    result = suppress_table(table)
    assert result.cells == ((C, C), (C, C), (13, 13))
    assert result.primary == {(0, 0), (0, 1)}
    assert result.secondary == {(1, 0), (1, 1)}
    assert_protected(table, result)


def test_the_smallest_other_cell_in_the_line_is_taken_interior_before_totals():
    table = [
        [2, 7, 30, 39],
        [40, 50, 60, 150],
        [42, 57, 90, 189],
    ]
    result = suppress_table(table)
    # Row 1: the 7 (not the row total 39). Column 1: the 40. Then row 2 and column 2 each hold
    # one "c" and the 50 closes both.
    assert result.secondary == {(0, 1), (1, 0), (1, 1)}
    assert_protected(table, result)


def test_a_bridge_is_found_and_closed_even_when_every_line_has_two_cells():
    # Small numbers make two blocks: rows 1-2 x columns 1-2 and rows 3-4 x columns 3-4, each a
    # cycle on its own. The 1 at row 2, column 3 joins them. After primary suppression every line
    # holds 0 or at least 2 "c", so the line rule has nothing to do, yet the 1 is pinned: row 2
    # less columns 1 and 2 less row 1 leaves it alone. In the graph of rows and columns it is the
    # only link between the blocks: a bridge.
    table = with_margins(
        [
            [2, 3, 0, 0, 40],
            [4, 5, 1, 0, 50],
            [0, 0, 2, 3, 60],
            [0, 0, 4, 2, 70],
            [30, 40, 50, 60, 0],
        ]
    )
    primary_only = tuple(tuple(C if 1 <= v <= 5 else v for v in row) for row in table)
    low, high = value_range(primary_only, (1, 2))
    assert low == pytest.approx(1)
    assert high == pytest.approx(1)

    result = suppress_table(table)
    # The cheapest cycle through the bridge runs row 2 - column 1 - row 5 - column 3 - row 2: it
    # needs the 30 and the 50 in row 5 (80 in all; every other route suppresses more).
    assert result.secondary == {(4, 0), (4, 2)}
    assert_protected(table, result)


def test_all_zero_lines_are_shown_and_never_suppressed():
    table = with_margins(
        [
            [0, 0, 0],
            [3, 0, 12],
            [0, 0, 0],
        ]
    )
    result = suppress_table(table)
    # Rows 1 and 3 and column 2 are all zeros: shown as they are.
    assert result.cells[0] == (0, 0, 0, 0)
    assert result.cells[2] == (0, 0, 0, 0)
    assert [row[1] for row in result.cells] == [0, 0, 0, 0]
    assert_protected(table, result)


def test_a_line_whose_only_non_zero_figure_is_small_is_suppressed_whole_and_noted():
    # The 3 in row 1 has only zeros beside it, so its row total is the same 3. Column 1 then needs
    # a second cell (the 12 below it), and so does the totals column (row 2's total, 32).
    table = with_margins(
        [
            [3, 0],
            [12, 20],
        ]
    )
    result = suppress_table(table)
    assert result.cells == (
        (C, 0, C),
        (C, 20, C),
        (15, 20, 35),
    )
    assert result.secondary == {(1, 0), (1, 2)}
    assert result.notes == (
        "Every non-zero figure in row 1, including its total, is suppressed to protect small "
        "numbers.",
    )
    assert_protected(table, result)


def test_grand_total_is_kept_when_other_cells_can_protect():
    # One row, one column: the count, both totals and the grand total are the same 3.
    table = [[3, 3], [3, 3]]
    result = suppress_table(table)
    assert result.cells == ((C, C), (C, C))
    assert result.secondary == set()
    assert_protected(table, result)

    # A single row of counts: the column totals repeat the counts, so the totals row is
    # suppressed alongside row 1, and the grand total is left alone.
    table = with_margins([[3, 9, 14]])
    result = suppress_table(table)
    assert result.cells == ((C, C, 14, 26), (C, C, 14, 26))
    assert_protected(table, result)


def test_lone_small_count_among_zeros_is_protected_round_the_table():
    # The 3's row and column are otherwise zero, so its row total and column total are 3 as
    # well. The cycle closes through the 9 and its totals, not the grand total.
    table = with_margins([[3, 0], [0, 9]])
    result = suppress_table(table)
    assert result.cells == (
        (C, 0, C),
        (0, C, C),
        (C, C, 12),
    )
    assert_protected(table, result)


def test_dataframe_in_and_out_keeps_labels():
    frame = pd.DataFrame(
        [[3, 10, 13], [8, 9, 17], [11, 19, 30]],
        index=["Bedford", "Luton", "Total"],
        columns=["Referrals", "Children in need", "Total"],
    )
    result = suppress_table(frame)
    assert result.row_labels == ("Bedford", "Luton", "Total")
    out = result.to_frame()
    assert list(out.index) == ["Bedford", "Luton", "Total"]
    assert out.loc["Bedford", "Referrals"] == C
    assert out.loc["Total", "Total"] == 30
    assert_protected(frame.to_numpy().tolist(), result)


def test_custom_bounds():
    table = with_margins([[7, 20], [30, 40]])
    result = suppress_table(table, lower=1, upper=9)
    assert result.primary == {(0, 0)}
    assert result.cells[0][0] == C
    assert suppress_table(table).suppressed == set()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([[1, 2, 4], [1, 2, 3]], "row 1"),
        ([[1, 2, 3], [2, 2, 4]], "column 1"),
        ([[-1, 2, 1], [-1, 2, 1]], "negative"),
        ([[1.5, 2, 3.5], [1.5, 2, 3.5]], "whole-number"),
        ([[3]], "at least one row"),
    ],
)
def test_bad_tables_are_refused(table, message):
    with pytest.raises(ValueError, match=message):
        suppress_table(table)


def test_bounds_that_would_suppress_zero_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        suppress_table([[3, 3], [3, 3]], lower=0)
    with pytest.raises(ValueError, match="wrong way round"):
        suppress_series({"a": 3}, 3, lower=5, upper=1)


# --- one-dimensional lists -----------------------------------------------------------------


def test_series_lone_small_count_takes_the_next_smallest():
    result = suppress_series({"Asian": 3, "Black": 10, "Mixed": 12, "White": 80}, 105)
    assert result.values == {"Asian": C, "Black": C, "Mixed": 12, "White": 80}
    assert result.total == 105
    assert result.primary == {"Asian"}
    assert result.secondary == {"Black"}


def test_series_two_small_counts_protect_each_other():
    result = suppress_series({"a": 3, "b": 2, "c": 40}, 45)
    assert result.values == {"a": C, "b": C, "c": 40}
    assert result.secondary == set()


def test_series_lone_small_count_takes_a_large_count_when_the_rest_are_zero():
    result = suppress_series({"a": 0, "b": 4, "c": 0, "d": 30}, 34)
    assert result.values == {"a": 0, "b": C, "c": 0, "d": C}
    assert result.secondary == {"d"}
    assert result.total == 34


def test_series_small_total_goes_with_its_counts():
    # The 4 is the only non-zero count, so the total is 4 as well: both are small.
    result = suppress_series({"a": 0, "b": 4, "c": 0}, 4)
    assert result.values == {"a": 0, "b": C, "c": 0}
    assert result.total == C
    assert result.total_primary
    assert result.secondary == set()
    result = suppress_series({"a": 0, "b": 8}, 8, upper=9)
    assert result.total == C
    assert result.values == {"a": 0, "b": C}


def test_series_custom_bounds():
    result = suppress_series({"a": 0, "b": 6, "c": 3}, 9)
    assert result.values == {"a": 0, "b": C, "c": C}
    assert result.total == 9
    assert suppress_series({"a": 6, "b": 30}, 36, upper=3).values == {"a": 6, "b": 30}


def test_series_without_a_total_suppresses_small_counts_only():
    result = suppress_series({"a": 3, "b": 10}, None)
    assert result.values == {"a": C, "b": 10}
    assert result.total is None
    assert result.secondary == set()


def test_series_total_must_add_up():
    with pytest.raises(ValueError, match="sum to 13 but the total is 14"):
        suppress_series({"a": 3, "b": 10}, 14)


# --- property: any table is protected --------------------------------------------------------

# Many small values (so that suppression has work to do), some zeros, some larger counts.
_count = st.one_of(
    st.integers(min_value=0, max_value=0),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=6, max_value=30),
)


@st.composite
def tables(draw) -> list[list[int]]:
    n_rows = draw(st.integers(min_value=1, max_value=6))
    n_cols = draw(st.integers(min_value=1, max_value=6))
    interior = draw(
        st.lists(
            st.lists(_count, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
        )
    )
    return with_margins(interior)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_any_table_is_protected(table):
    result = suppress_table(table)
    assert_protected(table, result)
    assert result.secondary.isdisjoint(result.primary)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefgh"), _count, min_size=1))
def test_any_series_is_protected(counts):
    total = sum(counts.values())
    result = suppress_series(counts, total)
    shown = dict(result.values)
    for label, true_value in counts.items():
        if 1 <= true_value <= 5:
            assert shown[label] == C
        if not is_suppressed(shown[label]):
            assert shown[label] == true_value
        else:
            assert true_value >= 1
    suppressed = [label for label in counts if is_suppressed(shown[label])]
    if is_suppressed(result.total):
        # An unknown total leaves the suppressed counts free.
        return
    # With the total known, one suppressed figure would equal the total less the others.
    assert len(suppressed) != 1
