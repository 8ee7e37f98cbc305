"""Fewer solves, the same verdicts: the disclosure checks' integer programmes, solved the old
way (both solves for every count not already seen at three values, nothing shared between a
reader's and each council's programme), withhold exactly what they withhold now."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import milp

import collate.measures.disclosure as disclosure
import collate.measures.exit_disclosure as exit_disclosure
import collate.measures.insider as insider
import collate.measures.workforce_disclosure as workforce_disclosure
from collate.analysis.round import analyse_collation
from collate.intake.collation import collate_folder

ROOT = Path(__file__).resolve().parents[2]


def _value_ranges_slowly(constraints, bounds, targets, enough=None, explore=False, pool=None):
    """`disclosure.value_ranges` as it was: a count not yet seen at `enough` values gets both
    of its solves, and no solution is shared between programmes (`pool` is ignored)."""
    from scipy.optimize import LinearConstraint
    from scipy.sparse import csc_array

    if not hasattr(constraints.A, "tocsc"):
        constraints = LinearConstraint(csc_array(constraints.A), constraints.lb, constraints.ub)
    size = bounds.lb.shape[0]
    integrality = np.ones(size)
    seen_low, seen_high = np.full(size, np.inf), np.full(size, -np.inf)

    def solve(direction):
        result = milp(direction, constraints=constraints, integrality=integrality, bounds=bounds)
        if not result.success:
            return None
        x = np.round(result.x)
        np.minimum(seen_low, x, out=seen_low)
        np.maximum(seen_high, x, out=seen_high)
        return x

    if explore:
        for direction in np.random.default_rng(0).choice([-1.0, 1.0], size=(8, size)):
            solve(direction)
    out = {}
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
                found = [0, 0]
                break
            found.append(int(x[k]))
        out[k] = (min(found), max(found))
    return out


def _frames(an) -> dict[str, pd.DataFrame]:
    """Every table of the analysis, those kept by stage as well."""
    out = {}
    for name, value in vars(an).items():
        if isinstance(value, pd.DataFrame):
            out[name] = value
        elif isinstance(value, dict) and all(isinstance(v, pd.DataFrame) for v in value.values()):
            out |= {f"{name}[{key}]": frame for key, frame in value.items()}
    return out


@pytest.fixture(scope="module")
def collation(settings, instrument):
    return collate_folder(ROOT / "sample_returns", settings, instrument)


def test_the_analysis_withholds_what_it_withheld_with_every_solve(collation, monkeypatch):
    new = analyse_collation(collation)
    for module in (disclosure, exit_disclosure, insider, workforce_disclosure):
        monkeypatch.setattr(module, "value_ranges", _value_ranges_slowly)
    # And every count checked, not only until a question (or the region's likelihood) leaks.
    exit_narrowed, workforce_narrowed = exit_disclosure.narrowed, workforce_disclosure.narrowed

    def every_exit_count(release, true_counts, insiders=False, one_per_question=False):
        return exit_narrowed(release, true_counts, insiders)

    def every_workforce_count(counts, shown, region, lower=1, upper=5, first_only=False):
        return workforce_narrowed(counts, shown, region, lower, upper)

    monkeypatch.setattr(exit_disclosure, "narrowed", every_exit_count)
    monkeypatch.setattr(workforce_disclosure, "narrowed", every_workforce_count)
    old = analyse_collation(collation)
    assert list(_frames(new)) == list(_frames(old))
    assert "exit_published" in _frames(old) and "cf_published[cla]" in _frames(old)
    for name, frame in _frames(old).items():
        pd.testing.assert_frame_equal(_frames(new)[name], frame, obj=name)


@pytest.mark.parametrize("seed", range(40))
def test_each_count_can_take_three_values_or_not_as_before(seed):
    """Random tables with random withheld cells, their row and column totals shown: for each
    withheld cell, and for each council knowing its own row (the reader's solutions shared),
    whether it can take three values is what solving every cell both ways says."""
    rng = np.random.default_rng(seed)
    rows, cols = int(rng.integers(3, 7)), int(rng.integers(3, 6))
    body = rng.integers(0, 9, size=(rows, cols))
    values = np.zeros((rows + 1, cols + 1), dtype=int)
    values[:rows, :cols] = body
    values[:rows, cols] = body.sum(axis=1)
    values[rows, :] = values[:rows, :].sum(axis=0)
    hidden = {
        (i, j)
        for i in range(rows)
        for j in range(cols)
        if 1 <= body[i, j] <= 5 or rng.random() < 0.1
    }
    hidden = {c for c in hidden if body[c] >= 1}
    release = disclosure.Release(values.tolist(), hidden)
    if not hidden:
        return
    index, constraints, bounds = disclosure.programme(release)
    targets = [index[c] for c in sorted(hidden)]
    three = disclosure.MINIMUM_POSSIBLE_VALUES

    def verdicts(found):
        return {k: found[k][1] - found[k][0] + 1 >= three for k in targets}

    pool: list = []
    for explore in (False, True):
        assert verdicts(
            disclosure.value_ranges(constraints, bounds, targets, three, explore, pool)
        ) == verdicts(_value_ranges_slowly(constraints, bounds, targets, three, explore))
    for row in range(rows):
        low, high = bounds.lb.copy(), bounds.ub.copy()
        for cell in hidden:
            if cell[0] == row:
                low[index[cell]] = high[index[cell]] = values[cell[0]][cell[1]]
        fixed = type(bounds)(low, high)
        others = [index[c] for c in sorted(hidden) if c[0] != row]
        new = disclosure.value_ranges(constraints, fixed, others, three, pool=pool)
        old = _value_ranges_slowly(constraints, fixed, others, three)
        assert {k: new[k][1] - new[k][0] + 1 >= three for k in others} == {
            k: old[k][1] - old[k][0] + 1 >= three for k in others
        }


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
