"""An intruder's attack on the published exit-interview tables (used by the tests).

A reader of the report sees, for each staff group shown in the LA table (minority ethnic and
white): each LA's leavers interviewed (or "c"), each LA's percentage answering yes to each
question (to 1 decimal place, or "c", or "x" where nobody was asked), and the region's counts of
yes answers and of leavers asked. They also know the rules: a count of 1 to 5 is withheld, a share
is withheld when its yes count, its base or its "no" count (asked less yes) is 1 to 5, a withheld
regional yes count with the reason "small numbers" means one of those three is small, and a
follow-on question's base is the yes answers to the question before. This writes all of that as
one integer programme and asks, for each count of 1 to 5 (yes, "no" or interviewed), the smallest
and largest value it could take (SciPy's ``milp``). It is
written apart from collate.measures.exit_disclosure, so that the two check each other.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from collate.analysis.model import REGION
from collate.measures.exit_interviews import NOBODY_ASKED
from collate.measures.rounding import round_half_up
from collate.measures.suppression import SMALL_NUMBERS

BIG = 100_000
#: Added to a question id for its count of leavers asked who did not say yes.
SAID_NO = " said no"


def attack(
    published: pd.DataFrame,
    truth: pd.DataFrame,
    follow_ons: dict[str, str],
    group: str,
    lower: int = 1,
    upper: int = 5,
    complements: bool = True,
    insider: str | None = None,
) -> list[tuple[str, str, int, int, int]]:
    """Every count of ``lower`` to ``upper`` behind the tables, with the range an intruder finds:
    (la, what, true value, smallest, largest). ``what`` is a question id, "interviewed" or a
    question id with " said no". ``complements``: whether the intruder knows that few "no" answers
    withhold a share too (off, to attack tables published without that rule). ``insider``: a
    council attacking, which knows its own counts (they are then not reported)."""
    pub = published[published["group"] == group]
    las = [la for la in dict.fromkeys(pub["la"]) if la != REGION]
    questions = list(dict.fromkeys(pub["question"]))
    first = next(q for q in questions if q not in follow_ons)
    names: list[tuple[str, str]] = []
    for la in las:
        names.append((la, "interviewed"))
        names += [(la, q) for q in questions]
    n_counts = len(names)
    index = {name: k for k, name in enumerate(names)}
    binaries: list[int] = []
    rows: list[np.ndarray] = []
    lows: list[float] = []
    highs: list[float] = []
    n_vars = [n_counts]

    def new_binary() -> int:
        binaries.append(n_vars[0])
        n_vars[0] += 1
        return n_vars[0] - 1

    pending: list[tuple[dict[int, float], float, float]] = []

    def add(terms: dict[int, float], low: float, high: float) -> None:
        pending.append((terms, low, high))

    def base_of(la: str, q: str) -> int:
        return index[(la, follow_ons[q])] if q in follow_ons else index[(la, "interviewed")]

    def small_one_of(*exprs: dict[int, float]) -> None:
        # At least one of the counts (each a sum of variables) is from lower to upper.
        flags = [new_binary() for _ in exprs]
        for expr, z in zip(exprs, flags, strict=True):
            add({**expr, z: -lower}, 0, math.inf)
            add({**expr, z: BIG}, -math.inf, upper + BIG)
        add(dict.fromkeys(flags, 1.0), 1, math.inf)

    def zero_or_more_than_small(expr: dict[int, float]) -> None:
        w = new_binary()
        add({**expr, w: -BIG}, -math.inf, 0)
        add({**expr, w: -(upper + 1)}, 0, math.inf)

    def said_no(y: int, b: int) -> dict[int, float]:
        return {b: 1.0, y: -1.0}

    rec = {(r["la"], r["question"]): r for r in pub.to_dict("records")}
    for la in las:
        n = index[(la, "interviewed")]
        shown = rec[(la, first)]["base"]
        if shown == "c":
            add({n: 1}, lower, upper)
        else:
            add({n: 1}, int(shown), int(shown))
        for q in questions:
            y, b = index[(la, q)], base_of(la, q)
            add({y: 1, b: -1}, -math.inf, 0)
            r = rec[(la, q)]
            if not pd.isna(r["share"]):
                p = round_half_up(float(r["share"]), 1)
                add({y: 100, b: -(p - 0.05)}, 0, math.inf)
                add({y: 100, b: -(p + 0.05)}, -math.inf, 0)
                add({b: 1}, upper + 1, math.inf)
                zero_or_more_than_small({y: 1.0})
                if complements:
                    zero_or_more_than_small(said_no(y, b))
            elif r["reason"] == SMALL_NUMBERS:
                # The yes count, the base or the "no" count (base less yes) is small.
                small_one_of({y: 1.0}, {b: 1.0}, *([said_no(y, b)] if complements else []))
            elif r["reason"] == NOBODY_ASKED or r["base"] == "0":
                add({b: 1}, 0, 0)
    for q in questions:
        r = rec[(REGION, q)]
        terms = {index[(la, q)]: 1.0 for la in las}
        if r["yes"] == "c" and r["reason"] == SMALL_NUMBERS:
            # The region's yes count, its base or its "no" count is small.
            bases: dict[int, float] = {}
            for la in las:
                bases[base_of(la, q)] = bases.get(base_of(la, q), 0.0) + 1.0
            no = dict(bases)
            for k in terms:
                no[k] = no.get(k, 0.0) - 1.0
            small_one_of(terms, bases, *([no] if complements else []))
        elif r["yes"] == "c":
            # Withheld to protect another count: any value, 0 included.
            pass
        else:
            add(terms, int(r["yes"]), int(r["yes"]))
        if q not in follow_ons:
            terms = {index[(la, "interviewed")]: 1.0 for la in las}
            if r["base"] == "c" and r["reason"] == SMALL_NUMBERS:
                # A question asked of everyone: its base, the leavers interviewed, is small.
                add(terms, lower, upper)
            elif r["base"] == "c":
                pass  # withheld to protect another count: any value
            else:
                add(terms, int(r["base"]), int(r["base"]))
    total = n_vars[0]
    for terms, low, high in pending:
        row = np.zeros(total)
        for k, v in terms.items():
            row[k] += v
        rows.append(row)
        lows.append(low)
        highs.append(high)
    constraints = LinearConstraint(np.array(rows), np.array(lows), np.array(highs))
    upper_bounds = np.full(total, float(BIG))
    upper_bounds[binaries] = 1
    lower_bounds = np.zeros(total)
    true = truth[truth["group"] == group]
    true_rec = {(r["la"], r["question"]): r for r in true.to_dict("records")}
    if insider is not None:
        for (la, what), k in index.items():
            if la == insider:
                rec_ = true_rec[(la, first if what == "interviewed" else what)]
                value = rec_["base"] if what == "interviewed" else rec_["yes"]
                lower_bounds[k] = upper_bounds[k] = int(value)
    bounds = Bounds(lower_bounds, upper_bounds)
    integrality = np.ones(total)
    out = []
    targets = []
    for (la, what), k in index.items():
        c = np.zeros(total)
        c[k] = 1
        if what == "interviewed":
            targets.append((la, what, int(true_rec[(la, first)]["base"]), c))
            continue
        targets.append((la, what, int(true_rec[(la, what)]["yes"]), c))
        # The leavers asked who did not say yes: base less yes.
        no = np.zeros(total)
        no[base_of(la, what)] += 1
        no[k] -= 1
        truth_no = int(true_rec[(la, what)]["base"]) - int(true_rec[(la, what)]["yes"])
        targets.append((la, what + SAID_NO, truth_no, no))
    for la, what, value, c in targets:
        if not lower <= value <= upper or la == insider:
            continue
        found = []
        for sign in (1, -1):
            result = milp(sign * c, constraints=constraints, integrality=integrality, bounds=bounds)
            assert result.success, f"the published exit figures contradict one another ({la})"
            found.append(int(round(c @ np.round(result.x))))
        out.append((la, what, value, min(found), max(found)))
    return out
