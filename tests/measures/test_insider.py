"""Disclosure control against a council that knows its own withheld counts (hand-worked)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collate.measures.disclosure import Release, ranges
from collate.measures.insider import (
    _cycle_witnesses,
    insider_narrowed,
    knowing_own_row,
)
from collate.measures.stage_protection import _protect_stage
from collate.measures.suppression import suppress_table


def with_margins(rows):
    rows = [list(r) + [sum(r)] for r in rows]
    return rows + [[sum(c) for c in zip(*rows, strict=True)]]


# Four councils, three groups. Column 0 has two withheld councils (3 and 4) and its total shown;
# their rows each have a second withheld count, so a reader alone cannot split the 7.
TABLE = with_margins([[3, 2, 40], [4, 3, 50], [30, 20, 60], [25, 30, 70]])
HIDDEN = {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_a_reader_cannot_split_the_two_withheld_counts():
    # Row 0's two add to 5 and column 0's to 7: council 0's count is 1 to 4, council 1's 3 to 6.
    found = ranges(Release(TABLE, HIDDEN))
    assert found[(0, 0)] == (1, 4) and found[(1, 0)] == (3, 6)


def test_a_council_knowing_its_own_counts_has_the_others():
    # Council 0 knows its 3 and 2: the column totals leave 4 and 3 for council 1.
    assert ranges(knowing_own_row(Release(TABLE, HIDDEN), 0), [(1, 0), (1, 1)]) == {
        (1, 0): (4, 4),
        (1, 1): (3, 3),
    }
    assert sorted(insider_narrowed(Release(TABLE, HIDDEN))) == [
        (0, (1, 0)),
        (0, (1, 1)),
        (1, (0, 0)),
        (1, (0, 1)),
    ]


def test_protection_withholds_a_third_councils_count():
    hidden, _ = _protect_stage(TABLE, set(HIDDEN), [0, 1, 2], [None] * 5)
    assert hidden > HIDDEN
    assert {i for i, j in hidden - HIDDEN if i < 4} & {2, 3}  # a third council's count
    assert insider_narrowed(Release(TABLE, hidden)) == []
    # Without the insider check, the reader's check alone leaves the table as it was.
    assert _protect_stage(TABLE, set(HIDDEN), [0, 1, 2], [None] * 5, insider_check=False)[0] == (
        HIDDEN
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.integers(0, 12) | st.integers(0, 4), min_size=4, max_size=4),
        min_size=3,
        max_size=6,
    )
)
def test_every_cycle_certificate_is_true(rows):
    # The quick proofs that skip a solve must agree with the solver: a count certified safe from
    # a council really keeps at least three values when that council knows its own counts.
    table = with_margins(rows)
    release = Release(table, set(suppress_table(table).suppressed))
    for cell, witnesses in _cycle_witnesses(release).items():
        for insider in range(len(rows)):
            if insider == cell[0] or not any(insider not in w for w in witnesses):
                continue
            low, high = ranges(knowing_own_row(release, insider), [cell])[cell]
            assert high - low + 1 >= 3, (cell, insider, witnesses)
