"""Disclosure control for the published SC-WRES relative likelihoods, treated as one system.

For each likelihood indicator (2, 3, 4, 5 and 8) a reader sees each council's relative likelihood
(or "c") and the region's "events of base" for minority ethnic and white staff (or "c"). They
know the rules: a likelihood is shown only when none of its four counts (events and base, for
each group) is from 1 to 5, and a regional count is the sum of the councils'. A council also
knows its own four counts (its pack shows them). With few councils, the region's counts less a
council's own can narrow another council's count of 1 to 5: with two councils, they give it
exactly. This module writes those facts as one integer programme and asks, for each council's
count of 1 to 5, the smallest and largest value it could take, first as a reader, then as each
council in turn (:func:`collate.measures.disclosure.value_ranges`). Where one is narrowed to
fewer than three values, the region's figures for the indicator are withheld.

A printed likelihood and its interval also bracket a ratio of counts; that is not linear, so it
is not written into the programme. It says little here: a likelihood is only printed from counts
of 0 or more than 5, and the councils' own counts are not printed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy.optimize import Bounds, LinearConstraint

from collate.measures.disclosure import MINIMUM_POSSIBLE_VALUES, value_ranges

_BIG = 1_000_000
#: The four counts behind a likelihood: (group, "events" or "base").
COUNTS = (
    ("minority_ethnic", "events"),
    ("minority_ethnic", "base"),
    ("white", "events"),
    ("white", "base"),
)


def narrowed(
    counts: Mapping[str, Mapping[tuple[str, str], int]],
    shown: Mapping[str, bool],
    region: Mapping[str, tuple[int, int] | None],
    lower: int = 1,
    upper: int = 5,
) -> list[tuple[str | None, str, tuple[str, str]]]:
    """Councils' counts of ``lower`` to ``upper`` that a reader (insider None) or a council
    knowing its own counts (insider: its name) narrows to fewer than three values.

    ``counts``: each council's true four counts. ``shown``: whether the council's likelihood is
    printed (else it is withheld as small numbers, or not computable: either says nothing here).
    ``region``: per group, the region's (events, base) as printed, or None when withheld.
    """
    las = list(counts)
    index = {(la, c): k for k, (la, c) in enumerate((la, c) for la in las for c in COUNTS)}
    n_vars = len(index)
    binaries: list[int] = []
    pending: list[tuple[dict[int, float], float, float]] = []

    def add(terms: dict[int, float], low: float, high: float) -> None:
        pending.append((terms, low, high))

    def binary() -> int:
        nonlocal n_vars
        binaries.append(n_vars)
        n_vars += 1
        return n_vars - 1

    for la in las:
        for g in ("minority_ethnic", "white"):
            add({index[(la, (g, "events"))]: 1, index[(la, (g, "base"))]: -1}, -math.inf, 0)
        if shown.get(la):
            for c in COUNTS:  # printed, so each count is 0 or more than small
                x, w = index[(la, c)], binary()
                add({x: 1, w: -_BIG}, -math.inf, 0)
                add({x: 1, w: -(upper + 1)}, 0, math.inf)
    for g, pair in region.items():
        if pair is None:
            continue
        for what, total in zip(("events", "base"), pair, strict=True):
            add({index[(la, (g, what))]: 1.0 for la in las}, total, total)
    a = np.zeros((len(pending), n_vars))
    lows, highs = np.zeros(len(pending)), np.zeros(len(pending))
    for i, (terms, low, high) in enumerate(pending):
        for k, v in terms.items():
            a[i, k] += v
        lows[i], highs[i] = low, high
    constraints = LinearConstraint(a, lows, highs)
    upper_bounds = np.full(n_vars, float(_BIG))
    upper_bounds[binaries] = 1
    small = [(la, c) for la in las for c in COUNTS if lower <= counts[la][c] <= upper]
    found: list[tuple[str | None, str, tuple[str, str]]] = []
    for insider in [None, *las]:
        targets = [
            cell
            for cell in small
            if cell[0] != insider and not _three_values(cell, insider, counts, shown, upper)
        ]
        if not targets:
            continue
        low_bounds = np.zeros(n_vars)
        high_bounds = upper_bounds.copy()
        if insider is not None:
            for c in COUNTS:
                low_bounds[index[(insider, c)]] = high_bounds[index[(insider, c)]] = counts[
                    insider
                ][c]
        seen = value_ranges(
            constraints,
            Bounds(low_bounds, high_bounds),
            [index[cell] for cell in targets],
            enough=MINIMUM_POSSIBLE_VALUES,
        )
        for cell in targets:
            low, high = seen[index[cell]]
            if high - low + 1 < MINIMUM_POSSIBLE_VALUES:
                found.append((insider, cell[0], cell[1]))
    return found


def _three_values(
    cell: tuple[str, tuple[str, str]],
    insider: str | None,
    counts: Mapping[str, Mapping[tuple[str, str], int]],
    shown: Mapping[str, bool],
    upper: int,
) -> bool:
    """Whether the true counts, changed by moving people between this council and another (not
    the insider), show the count can take at least three values: then no programme need be
    solved for it (it would find the same). A move takes one count (events, or base) or both
    (a person counted in both) from one council of the same group to the other, so the region's
    sums stay as printed; the rest is checked here: no count below 0, no more events than
    base, and a printed council's counts still 0 or more than ``upper``."""
    la, (group, what) = cell
    values = {counts[la][(group, what)]}
    for other in counts:
        if other in (la, insider):
            continue
        for step in (-2, -1, 1, 2):
            for moved in ((what,), ("events", "base")):
                if _fits(la, group, moved, step, counts, shown, upper) and _fits(
                    other, group, moved, -step, counts, shown, upper
                ):
                    values.add(counts[la][(group, what)] + step)
                    break
            if len(values) >= MINIMUM_POSSIBLE_VALUES:
                return True
    return False


def _fits(
    la: str,
    group: str,
    moved: tuple[str, ...],
    step: int,
    counts: Mapping[str, Mapping[tuple[str, str], int]],
    shown: Mapping[str, bool],
    upper: int,
) -> bool:
    """Whether council ``la``'s ``moved`` counts of ``group``, each changed by ``step``, keep
    its constraints."""
    new = {what: counts[la][(group, what)] + (step if what in moved else 0) for what in COUNTS_OF}
    if min(new.values()) < 0 or new["events"] > new["base"]:
        return False
    if shown.get(la):
        return all(new[what] == 0 or new[what] > upper for what in moved)
    return True


COUNTS_OF = ("events", "base")
