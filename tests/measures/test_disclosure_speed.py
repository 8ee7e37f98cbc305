"""Fewer solves, the same verdicts: a count the SC-WRES disclosure check shows can take three
values without an integer programme (collate.measures.workforce_disclosure._three_values) is
one the programme would have found could."""

from __future__ import annotations

import numpy as np
import pytest

import collate.measures.workforce_disclosure as workforce_disclosure


def _random_workforce(rng: np.random.Generator, councils: int):
    """Each council's four SC-WRES counts for one indicator, many of them small; a council's
    likelihood printed when none is 1 to 5; the region's sums printed or withheld at random."""
    from collate.measures.workforce_disclosure import COUNTS

    counts = {}
    for i in range(councils):
        me_base, w_base = (int(v) for v in rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40], size=2))
        counts[f"LA{i}"] = {
            COUNTS[0]: int(rng.integers(0, me_base + 1)),
            COUNTS[1]: me_base,
            COUNTS[2]: int(rng.integers(0, w_base + 1)),
            COUNTS[3]: w_base,
        }
    shown = {la: not any(1 <= v <= 5 for v in c.values()) for la, c in counts.items()}
    region = {}
    for group in ("minority_ethnic", "white"):
        events = sum(c[(group, "events")] for c in counts.values())
        base = sum(c[(group, "base")] for c in counts.values())
        region[group] = (events, base) if rng.random() < 0.8 else None
    return counts, shown, region


@pytest.mark.parametrize("seed", range(30))
def test_counts_moved_between_councils_settle_what_the_workforce_programmes_would(
    seed, monkeypatch
):
    """A count shown to take three values by moving it to or from another council (the true
    counts otherwise) is not solved for: the counts narrowed are exactly those found by solving
    for every one."""
    rng = np.random.default_rng(seed)
    counts, shown, region = _random_workforce(rng, int(rng.integers(2, 7)))
    quick = sorted(workforce_disclosure.narrowed(counts, shown, region), key=str)
    monkeypatch.setattr(workforce_disclosure, "_three_values", lambda *a: False)
    every = sorted(workforce_disclosure.narrowed(counts, shown, region), key=str)
    assert quick == every
