"""Disclosure control for the published exit-interview tables, treated as one system.

For each staff group, a reader sees each LA's leavers interviewed (or "c"), each LA's percentage
answering yes to each question (to 1 decimal place, "c", or "x" where nobody was asked) and the
region's counts of yes answers and of leavers asked. They also know the rules: a count of 1 to 5
is withheld, a share is withheld when its yes count or its base is 1 to 5, and a follow-on
question's base is the yes answers to the question before. Together with the region's totals
these can narrow a withheld count: five LAs withheld and a regional total of 6 leave each LA 1 or
2. This module writes everything shown as one integer programme (SciPy's ``milp``) and asks, for
each count of 1 to 5, the smallest and largest value it could take, as the children's tables do
(:mod:`collate.measures.disclosure`): no count may be narrowed to fewer than three values. Where
one is, the region's figures for that question are withheld too.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint

from collate.measures.disclosure import MINIMUM_POSSIBLE_VALUES, value_ranges
from collate.measures.exit_moves import settled_by_moves

#: A share withheld under the primary rule (its yes count or its base is small).
WITHHELD = "c"
#: A share with a base of zero (nobody asked, or nobody interviewed).
NOBODY = "nobody"
#: The label for the leavers-interviewed count in results.
INTERVIEWED = "interviewed"
#: Added to a question id for its count of leavers asked who did not say yes.
SAID_NO = ":no"
_BIG = 1_000_000


@dataclass
class ExitRelease:
    """One staff group's published exit figures, as a reader sees them.

    ``interviewed``: each LA's leavers interviewed, ``None`` where withheld (1 to 5).
    ``shares``: per (LA, question), the percentage shown (already rounded as printed),
    :data:`WITHHELD` or :data:`NOBODY`; a pair left out says nothing. ``region_yes``: the region's
    yes count per question: a number, :data:`WITHHELD` (a count of 1 to 5) or ``None`` (withheld
    to protect another count: any value). ``region_interviewed`` likewise.
    """

    las: list[str]
    questions: list[str]
    follow_ons: Mapping[str, str]
    interviewed: dict[str, int | None]
    shares: dict[tuple[str, str], float | str]
    region_yes: dict[str, int | str | None]
    region_interviewed: int | str | None
    places: int = 1
    lower: int = 1
    upper: int = 5
    #: Whether a share is withheld when its "no" count is small (see withhold_complements).
    complements: bool = True


def _programme(release: ExitRelease, cap: int = _BIG):
    """The release as an integer programme: each count's variable, the constraints and bounds.

    ``cap``: a number no count can exceed. It is never more than :func:`_ceiling`: a big
    number where a small one would do ("big M") leaves the solver rounding by more than a count,
    and its solutions then miss a bound by one (and are not believed, so that a safe count is
    withheld).
    """
    cap = min(cap, _ceiling(release))
    names: list[tuple[str, str]] = []
    for la in release.las:
        names.append((la, INTERVIEWED))
        names += [(la, q) for q in release.questions]
        # The leavers asked who did not say yes: a count as disclosive as the yes answers.
        names += [(la, q + SAID_NO) for q in release.questions]
    index = {name: k for k, name in enumerate(names)}
    n_vars = len(names)
    binaries: list[int] = []
    pending: list[tuple[dict[int, float], float, float]] = []
    lo, hi = release.lower, release.upper
    half = 0.5 * 10.0 ** (-release.places)

    def binary() -> int:
        nonlocal n_vars
        binaries.append(n_vars)
        n_vars += 1
        return n_vars - 1

    def add(terms: dict[int, float], low: float, high: float) -> None:
        pending.append((terms, low, high))

    def base_of(la: str, q: str) -> int:
        parent = release.follow_ons.get(q)
        return index[(la, parent)] if parent else index[(la, INTERVIEWED)]

    def small_one_of(*exprs: dict[int, float]) -> None:
        # At least one of the expressions (each a count) is from lo to hi.
        flags = [binary() for _ in exprs]
        for expr, u in zip(exprs, flags, strict=True):
            add({**expr, u: -lo}, 0, math.inf)
            add({**expr, u: cap}, -math.inf, hi + cap)
        add(dict.fromkeys(flags, 1.0), 1, math.inf)

    for la in release.las:
        n = index[(la, INTERVIEWED)]
        shown = release.interviewed.get(la)
        if shown is None:
            add({n: 1}, lo, hi)
        else:
            add({n: 1}, shown, shown)
        for q in release.questions:
            y, b = index[(la, q)], base_of(la, q)
            no = index[(la, q + SAID_NO)]
            add({no: 1, b: -1, y: 1}, 0, 0)
            share = release.shares.get((la, q))
            if share == NOBODY:
                add({b: 1}, 0, 0)
            elif share == WITHHELD:
                # Withheld: the yes count is small, or the base is, or the "no" count is.
                small_one_of({y: 1}, {b: 1}, *([{no: 1}] if release.complements else []))
            elif share is not None:
                p = float(share)
                add({y: 100, b: -(p - half)}, 0, math.inf)
                add({y: 100, b: -(p + half)}, -math.inf, 0)
                add({b: 1}, hi + 1, math.inf)  # shown, so the base is not small
                # and the yes and "no" counts are 0 or more than small
                for count in (y, no) if release.complements else (y,):
                    w = binary()
                    add({count: 1, w: -cap}, -math.inf, 0)
                    add({count: 1, w: -(hi + 1)}, 0, math.inf)

    def region(terms: dict[int, float], total: int | str | None) -> None:
        if total == WITHHELD:
            add(terms, lo, hi)
        elif total is not None:
            add(terms, int(total), int(total))

    for q in release.questions:
        yes_terms = {index[(la, q)]: 1.0 for la in release.las}
        total = release.region_yes.get(q)
        if total == WITHHELD:
            # The region's yes count, its base or its "no" count is small.
            base_terms = {base_of(la, q): 1.0 for la in release.las}
            no_terms = {index[(la, q + SAID_NO)]: 1.0 for la in release.las}
            small_one_of(yes_terms, base_terms, *([no_terms] if release.complements else []))
        else:
            region(yes_terms, total)
    region({index[(la, INTERVIEWED)]: 1.0 for la in release.las}, release.region_interviewed)
    a = np.zeros((len(pending), n_vars))
    lows, highs = np.zeros(len(pending)), np.zeros(len(pending))
    for i, (terms, low, high) in enumerate(pending):
        for k, v in terms.items():
            a[i, k] += v
        lows[i], highs[i] = low, high
    upper_bounds = np.full(n_vars, float(cap))
    upper_bounds[binaries] = 1
    return index, LinearConstraint(a, lows, highs), Bounds(np.zeros(n_vars), upper_bounds)


def _ceiling(release: ExitRelease) -> int:
    """A number no count can exceed: each count is some council's leavers interviewed or part
    of it (a yes or "no" count, or a sum of them across councils), and every council's is shown
    or is small; the region's, where shown, bounds them all."""
    region = release.region_interviewed
    if region == WITHHELD:
        return release.upper
    if region is not None:
        return int(region)
    shown = [release.interviewed.get(la) for la in release.las]
    return sum(release.upper if n is None else int(n) for n in shown) or release.upper


def ranges(
    release: ExitRelease, cells: list[tuple[str, str]], enough: int | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """The smallest and largest value each cell ((LA, question) or (LA, "interviewed")) can take,
    given everything shown.

    With ``enough``, a cell already seen taking that many values in other solutions is not solved
    for: its range is then only what was seen (at least ``enough`` values wide).
    """
    index, constraints, bounds = _programme(release)
    # With ``enough``, a few solves in random directions first usually show most counts taking
    # several values, so that they need no solves of their own (the verdict is the same).
    found = value_ranges(
        constraints,
        bounds,
        [index[cell] for cell in cells],
        enough=enough,
        explore=enough is not None and len(cells) > 16,
    )
    return {cell: found[index[cell]] for cell in cells}


def narrowed(
    release: ExitRelease, true_counts: Mapping[tuple[str, str], int], insiders: bool = False
) -> list[tuple[str, str]]:
    """The counts of 1 to 5 (from ``true_counts``) that a reader can narrow to fewer than three
    possible values.

    With ``insiders``, also those that a council knowing its own counts can narrow (each council
    with a withheld figure in turn: one with none has nothing to add to what a reader knows,
    beyond the rounding of its percentages). Its own counts are fixed at their true values.
    """
    small = [
        cell
        for cell, value in true_counts.items()
        if release.lower <= value <= release.upper and cell[0] in release.las
    ]
    if not small:
        return []
    # Most counts are shown to take three values by moving leavers between councils, the true
    # counts otherwise (collate.measures.exit_moves): those need no solve of the whole region's
    # programme, which at a national round's 150 councils takes a second each, for every count
    # and every insider.
    nearby = (
        settled_by_moves(release, true_counts, small, INTERVIEWED, SAID_NO, WITHHELD, NOBODY)
        if MOVES
        else {}
    )

    # The councils that moved to settle each count, in every way found: an insider in all of
    # them has the count left to the programme.
    exposed = {cell: frozenset.intersection(*found) for cell, found in nearby.items()}
    targets = [c for c in small if c not in exposed]
    out: list[tuple[str, str]] = []
    programme = functools.cache(lambda: _programme(release))
    if targets:
        index, constraints, bounds = programme()
        found = value_ranges(
            constraints, bounds, [index[c] for c in targets], enough=MINIMUM_POSSIBLE_VALUES
        )
        out = [c for c in targets if _too_few(found[index[c]])]
    if not insiders:
        return out
    withheld = {la for la, n in release.interviewed.items() if n is None}
    withheld |= {la for (la, _), share in release.shares.items() if share == WITHHELD}
    unsettled = [c for c in targets if c not in out]
    # Counts left to the programme for some insider: first tried again with more counts
    # changing together (slower, but a second's work against one programme per insider).
    retry = unsettled + [c for c, councils in exposed.items() if councils]
    if retry and MOVES:
        wider = settled_by_moves(
            release, true_counts, retry, INTERVIEWED, SAID_NO, WITHHELD, NOBODY, wide=True
        )
        for cell, found in wider.items():
            councils = frozenset.intersection(*found)
            exposed[cell] = exposed[cell] & councils if cell in exposed else councils
        unsettled = [c for c in unsettled if c not in wider]
    exposed_to: dict[str, list[tuple[str, str]]] = {}
    for cell, councils in exposed.items():
        for la in councils:
            exposed_to.setdefault(la, []).append(cell)
    for insider in [la for la in release.las if la in withheld]:
        targets = [c for c in unsettled if c[0] != insider]
        targets += [c for c in exposed_to.get(insider, ()) if c[0] != insider]
        if not targets:
            continue
        index, constraints, bounds = programme()
        low, high = bounds.lb.copy(), bounds.ub.copy()
        for (la, what), k in index.items():
            if la == insider and (la, what) in true_counts:
                low[k] = high[k] = true_counts[(la, what)]
        seen = value_ranges(
            constraints,
            Bounds(low, high),
            [index[c] for c in targets],
            enough=MINIMUM_POSSIBLE_VALUES,
        )
        out += [c for c in targets if _too_few(seen[index[c]])]
    return out


#: Settle what moving leavers between councils can show (switched off by a test, to compare).
MOVES = True


def _too_few(found: tuple[int, int]) -> bool:
    return found[1] - found[0] + 1 < MINIMUM_POSSIBLE_VALUES


#: Why a share is withheld when the leavers answering "no" are few (1 to 5).
FEW_SAID_NO = "small numbers"


def withhold_complements(
    rows: list[dict],
    follow_ons: Mapping[str, str],
    lower: int,
    upper: int,
    secondary_reason: str,
) -> None:
    """Withhold shares (and yes counts) whose complement, the leavers answering "no", is small.

    A question asked of a group splits it into two counts: yes and no. The Department for
    Education's rule (counts of 1 to 5 withheld) and the Government Statistical Service's
    guidance (a percentage and its base are a count in another form, and a table of yes and no
    is a table of two cells) apply to the "no" count as much as to the yes count: "66.7% of 12"
    says that 4 leavers said no, and "11 of 12" that one did. So a share is shown only when its
    yes count, its base and its "no" count are each 0 or more than ``upper``; otherwise the share
    and the yes count are withheld (reason "small numbers", as for a small yes count). A
    follow-on question's base is that yes count, so it is withheld as well, with the follow-on's
    share (which with its yes count would give the base back), for ``secondary_reason``; and so
    on down the chain of follow-ons.

    ``rows`` are the published exit rows (``la``, ``group``, ``question``, ``yes``, ``base``
    shown as text or "c", ``share``, ``reason``), changed in place; ``yes`` and ``base`` must
    still hold the true counts in ``_true_yes`` and ``_true_base``.
    """
    withheld: set[tuple[str, str, str]] = set()
    for r in rows:
        n_yes, n_base = r["_true_yes"], r["_true_base"]
        if r["share"] is None or not lower <= n_base - n_yes <= upper:
            continue
        r["share"], r["reason"], r["yes"] = None, FEW_SAID_NO, WITHHELD
        withheld.add((r["la"], r["group"], r["question"]))
    # Down every chain of follow-ons: a share shown further down says that its base, and so each
    # yes count above it, is more than small, which with a few "no" answers narrows them.
    changed = True
    while changed:
        changed = False
        for r in rows:
            key = (r["la"], r["group"], r["question"])
            parent = follow_ons.get(r["question"])
            if key in withheld or not parent or (r["la"], r["group"], parent) not in withheld:
                continue
            withheld.add(key)
            changed = True
            r["base"] = WITHHELD
            if r["share"] is not None:
                r["share"], r["reason"] = None, secondary_reason
