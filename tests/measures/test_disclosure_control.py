"""The integer-programming check behind disclosure control, on hand-worked tables."""

from hypothesis import given, settings
from hypothesis import strategies as st

from collate.measures import suppress_table
from collate.measures.disclosure import (
    LinearFact,
    Release,
    narrowed,
    ranges,
    ratio_facts,
)
from collate.measures.stage_protection import protect_stage


def with_margins(rows):
    rows = [list(r) + [sum(r)] for r in rows]
    return rows + [[sum(c) for c in zip(*rows, strict=True)]]


def test_a_cycle_of_ones_is_pinned_because_zeros_are_shown():
    # Four withheld 1s in a square, totals shown: a reader knows each is at least 1 (a zero would
    # be shown), so each row total of 2 forces 1 and 1. Cycles alone do not protect small cells.
    table = with_margins([[1, 1, 9], [1, 1, 9], [9, 9, 9]])
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert ranges(Release(table, hidden)) == {cell: (1, 1) for cell in sorted(hidden)}
    assert sorted(narrowed(Release(table, hidden))) == sorted(hidden)


def test_a_cycle_with_room_to_move_is_safe():
    table = with_margins([[3, 4, 9], [5, 2, 9], [9, 9, 9]])
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1)}
    # (0,0) can shift by t with 1 <= 3+t, 1 <= 4-t, 1 <= 5-t, 1 <= 2+t: t from -1 to 3.
    assert ranges(Release(table, hidden))[(0, 0)] == (2, 6)
    assert narrowed(Release(table, hidden)) == []


def test_a_printed_ratio_reveals_the_row_and_protection_withholds_it():
    # The review's attack: Mixed 15 at a printed ratio, White British 88 at another, pin the
    # row's children of known ethnicity; the shown total then gives the withheld cells away.
    table = with_margins([[88, 15, 4, 5], [400, 60, 30, 20]])
    known = [0, 1, 2]  # the last count column is "refused or not obtained"
    pops = [{0: 8000, 1: 700, 2: 1300}, {0: 30000, 1: 2600, 2: 5000}]
    pops.append({j: pops[0][j] + pops[1][j] for j in known})
    hidden = set(suppress_table(table).suppressed)
    facts = ratio_facts(table, hidden, known, pops, set())
    assert narrowed(Release(table, hidden, facts))  # the old rule leaks
    hidden2, no_ratios = protect_stage(table, hidden, known, pops)
    assert (
        narrowed(Release(table, hidden2, ratio_facts(table, hidden2, known, pops, no_ratios))) == []
    )


def test_a_fact_narrows_a_cell():
    table = with_margins([[3, 4, 9], [5, 2, 9], [9, 9, 9]])
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1)}
    fact = LinearFact({(0, 0): 1.0}, 3, 3)
    assert ranges(Release(table, hidden, [fact]))[(1, 1)] == (2, 2)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 7, 12, 30]), min_size=4, max_size=6),
        min_size=2,
        max_size=5,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1),
    st.integers(200, 5000),
)
def test_protection_leaves_no_withheld_count_narrowed(rows, pop):
    table = with_margins(rows)
    known = list(range(len(rows[0]) - 1))
    pops = [{j: pop + 97 * j + 13 * i for j in known} for i in range(len(rows))]
    pops.append({j: sum(p[j] for p in pops) for j in known})
    hidden, no_ratios = protect_stage(table, set(suppress_table(table).suppressed), known, pops)
    facts = ratio_facts(table, hidden, known, pops, no_ratios)
    assert narrowed(Release(table, hidden, facts)) == []
