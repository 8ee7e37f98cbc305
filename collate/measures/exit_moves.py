"""Exit-interview counts shown safe by moving leavers between councils, without a region-wide
integer programme.

The disclosure check (:mod:`collate.measures.exit_disclosure`) asks, for each count of 1 to 5,
the smallest and largest value it could take given everything published, first as a reader and
then as each council knowing its own counts. At a national round (150 councils, hundreds of
small counts, a hundred councils with something withheld) that is tens of thousands of integer
programmes of a couple of thousand variables: hours.

Most counts are safe for a plain reason: some other councils' withheld counts could be a little
different, the other way, and every published figure would be the same. This module finds such
changes exactly. Starting from the true counts, each council may change a few of its counts (its
leavers interviewed and the yes answers to the questions a count depends on) by up to
:data:`STEP` each way, so long as every figure it publishes stays as shown (checked in whole
numbers: a percentage must still print as shown). The councils' changes must add up to nothing,
so that every regional figure is unchanged. Which sums of changes a set of councils can make is
worked out once per set, council by council (a Minkowski sum of small grids of changes).

A count whose council can take three values that way is one the whole programme would also find
taking three values (its range can only be wider): it needs no programme. An insider knows its
own counts, so it must not be one of the councils that moved. The councils are dealt into
:data:`PARTS` parts; a count is shown safe against a reader by the councils outside its own
part, against an insider of its own part likewise, and against an insider of another part by
the councils outside both parts. Only councils that can change anything are named as having
moved: one that cannot is at its true counts in every change found. Counts not shown safe this
way are left to the whole programme, so the verdicts are the same as solving for every count
(tests/measures/test_exit_moves.py compares them on random tables).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

import numpy as np

#: How far each count may change, each way, from its true value.
STEP = 2
#: The most counts changed together for one figure (grids of (2 × STEP + 1) ** this many cells).
MOST_CHANGED = 6
#: The councils are dealt into this many parts: a count is shown safe against an insider by the
#: councils outside its own part and the insider's.
PARTS = 6
#: Fewer possible values than this is a disclosure (as in collate.measures.disclosure).
ENOUGH = 3

Cell = tuple[str, str]
Counts = tuple[int, tuple[int, ...]]  # leavers interviewed, yes answers per question


def settled_by_moves(
    release,  # collate.measures.exit_disclosure.ExitRelease (not imported: no cycle)
    true_counts: Mapping[Cell, int],
    small: Sequence[Cell],
    interviewed: str,
    said_no: str,
    withheld: str,
    nobody: str,
    wide: bool = False,
) -> dict[Cell, list[frozenset[str]]]:
    """For each count in ``small``, the sets of other councils whose counts moved to show it
    taking three values; a count is safe against an insider when some set leaves the insider
    out (and against a reader when there is any set). ``wide``: with more counts changing
    together (every count of its question's tree, and more), slower: for the counts that
    would otherwise go to the programme for every insider."""
    questions = list(release.questions)
    if any(
        (la, what) not in true_counts for la in release.las for what in (interviewed, *questions)
    ):
        return {}  # the truth is not all known: nothing to start from
    truth: dict[str, Counts] = {
        la: (true_counts[(la, interviewed)], tuple(true_counts[(la, q)] for q in questions))
        for la in release.las
    }
    if not _region_fits(release, truth, withheld):
        return {}
    rules = _Rules(release, questions, interviewed, withheld, nobody)
    # Only councils whose true counts give what is shown take part: were the truth not to fit
    # (it always does, from the published tables), nothing could be proved from it.
    fitting = [la for la in release.las if rules.fits(la, *truth[la])]
    parts = [fitting[i::PARTS] for i in range(PARTS)]
    part_of = {la: i for i, part in enumerate(parts) for la in part}
    by_slot: dict[str, list[Cell]] = {}
    for cell in small:
        if cell[0] in part_of:
            by_slot.setdefault(cell[1].removesuffix(said_no), []).append(cell)
    out: dict[Cell, list[frozenset[str]]] = {}
    for slot, slot_cells in by_slot.items():
        dims = _dims(slot, questions, release.follow_ons, interviewed, wide)
        if wide and dims == _dims(slot, questions, release.follow_ons, interviewed):
            continue  # nothing more to move
        _settle(
            slot_cells,
            dims,
            release,
            rules,
            truth,
            fitting,
            parts,
            part_of,
            questions,
            said_no,
            interviewed,
            withheld,
            out,
        )
    return out


def _settle(
    cells: list[Cell],
    dims: list[str],
    release,
    rules: _Rules,
    truth: Mapping[str, Counts],
    fitting: list[str],
    parts: list[list[str]],
    part_of: Mapping[str, int],
    questions: list[str],
    said_no: str,
    interviewed: str,
    withheld: str,
    out: dict[Cell, list[frozenset[str]]],
) -> None:
    """Settle ``cells`` (of one figure) by changes of ``dims``, adding to ``out``."""
    moves = {la: rules.moves(la, truth[la], dims) for la in fitting}
    sums = [_Part(part, moves, len(dims)) for part in parts]
    # What every set of parts can do together: a count's council's part is left out, and
    # one more part for an insider there (the insider may not move: it knows its counts).
    together = _subset_sums([p.total for p in sums], len(dims))
    movers = [frozenset(p.movers) for p in sums]
    free = tuple(
        j for j, what in enumerate(dims) if _sum_is_free(release, what, interviewed, withheld)
    )
    for la in dict.fromkeys(c[0] for c in cells):
        a = part_of[la]
        mine = [c for c in cells if c[0] == la]
        proved: dict[Cell, list[frozenset[str]]] = {c: [] for c in mine}
        everything = frozenset(range(PARTS))
        # The parts that may move: none (its council alone), all but its own, and all but
        # its own and an insider's.
        tries = [frozenset()] if free else []
        tries += [everything - {a}, *(everything - {a, j} for j in range(PARTS) if j != a)]

        def prove(
            cells: list[Cell],
            reachable: np.ndarray,
            who: frozenset[str],
            la: str = la,
            proved: dict[Cell, list[frozenset[str]]] = proved,
        ) -> None:
            """Add ``who`` for each cell shown three values with changes ``reachable`` balances."""
            for cell, values in _values(
                cells,
                truth[la],
                moves[la],
                reachable,
                dims,
                free,
                questions,
                release,
                said_no,
                interviewed,
            ).items():
                if _enough(values):
                    proved[cell].append(who)

        for kept in tries:
            # Those settled with no other council moving are settled for every council.
            open_cells = [c for c in mine if frozenset() not in proved[c]]
            if not open_cells:
                break
            prove(open_cells, together[kept], frozenset().union(*(movers[j] for j in kept)))
        unproved = [c for c, found in proved.items() if not found]
        if unproved:  # a reader has every other council moving, those of its part too
            everyone = _add(together[frozenset(range(PARTS)) - {a}], sums[a].without(la))
            prove(unproved, everyone, frozenset().union(*movers) - {la})
        for cell, found in proved.items():
            if found:
                out.setdefault(cell, []).extend(found)


def _sum_is_free(release, what: str, interviewed: str, withheld: str) -> bool:
    """Whether the region's sum of a count may change: its regional figure is withheld for
    protection (any value), and no question asked of those it counts has its regional figure
    withheld as small, which says something about that sum as its base."""
    total = release.region_interviewed if what == interviewed else release.region_yes.get(what)
    if total is not None:
        return False
    asked_of = [q for q in release.questions if release.follow_ons.get(q, interviewed) == what]
    return all(release.region_yes.get(q) != withheld for q in asked_of)


def _region_fits(release, truth: Mapping[str, Counts], withheld: str) -> bool:
    """Whether the true counts add up to the regional figures shown (they always do, from the
    published tables): moves that keep the sums then keep every regional figure."""
    lo, hi = release.lower, release.upper
    n_total = sum(n for n, _ in truth.values())
    if release.region_interviewed == withheld:
        if not lo <= n_total <= hi:
            return False
    elif release.region_interviewed is not None and n_total != int(release.region_interviewed):
        return False
    for i, q in enumerate(release.questions):
        total = release.region_yes.get(q)
        yes = sum(y[i] for _, y in truth.values())
        if total == withheld:
            parent = release.follow_ons.get(q)
            base = sum(
                y[release.questions.index(parent)] if parent else n for n, y in truth.values()
            )
            said_no = [base - yes] if release.complements else []
            if not any(lo <= v <= hi for v in (yes, base, *said_no)):
                return False
        elif total is not None and yes != int(total):
            return False
    return True


def _enough(values: set[int]) -> bool:
    return max(values) - min(values) + 1 >= ENOUGH


def _subset_sums(totals: list[np.ndarray], size: int) -> dict[frozenset[int], np.ndarray]:
    """The sums of changes of every set of parts (each from a smaller set and one part)."""
    zero = _grid(size)
    zero[(STEP,) * size] = True
    out: dict[frozenset[int], np.ndarray] = {frozenset(): zero}
    # Each grid's spectrum is worked out once, however many sums it takes part in (the grids
    # are all kept here until the end, so each is known by its identity).
    spectra: dict[int, np.ndarray] = {}

    def spectrum(grid: np.ndarray) -> np.ndarray:
        if id(grid) not in spectra:
            spectra[id(grid)] = _spectrum(grid)
        return spectra[id(grid)]

    for k in range(1, len(totals) + 1):
        for chosen in itertools.combinations(range(len(totals)), k):
            first, rest = chosen[0], frozenset(chosen[1:])
            out[frozenset(chosen)] = _add(out[rest], totals[first], spectrum)
    return out


def _dims(
    slot: str,
    questions: list[str],
    follow_ons: Mapping[str, str],
    interviewed: str,
    wide: bool = False,
) -> list[str]:
    """The counts that move together for a figure: leavers interviewed, the questions above it
    (whose yes answers are its base), it, and those asked after a yes to it. ``wide``: then the
    rest of its question's tree (the questions beside it share its base), then the others (the
    top questions share leavers interviewed as their base), as many as MOST_CHANGED allows."""
    if wide:
        narrow = _dims(slot, questions, follow_ons, interviewed)
        top = slot
        while top in follow_ons:
            top = follow_ons[top]
        # Its own tree first; then the others, whose top questions share leavers interviewed
        # as their base.
        rest = sorted(
            (q for q in questions if q not in narrow),
            key=lambda q: (
                slot != interviewed and _top(q, follow_ons) != top,
                _depth(q, follow_ons),
            ),
        )
        return [*narrow, *rest][:MOST_CHANGED]
    if slot == interviewed:
        return [interviewed] + [q for q in questions if q not in follow_ons]
    above = []
    q = slot
    while q in follow_ons:
        q = follow_ons[q]
        above.append(q)
    below: list[str] = []
    frontier = [slot]
    while frontier:
        nxt = [q for q in questions if follow_ons.get(q) in frontier]
        below += nxt
        frontier = nxt
    dims = [interviewed, *reversed(above), slot, *below]
    return dims[:MOST_CHANGED]


def _top(q: str, follow_ons: Mapping[str, str]) -> str:
    while q in follow_ons:
        q = follow_ons[q]
    return q


def _depth(q: str, follow_ons: Mapping[str, str]) -> int:
    depth = 0
    while q in follow_ons:
        q = follow_ons[q]
        depth += 1
    return depth


class _Rules:
    """What each council's published figures say about its counts, checked exactly."""

    def __init__(self, release, questions, interviewed, withheld, nobody):
        self.release = release
        self.questions = questions
        self.interviewed = interviewed
        self.withheld = withheld
        self.nobody = nobody

    def fits(self, la: str, n: int, yes: tuple[int, ...]) -> bool:
        """Whether a council with these counts would publish exactly what it shows."""
        ok = self._check(
            la, np.array([n]), {q: np.array([y]) for q, y in zip(self.questions, yes, strict=True)}
        )
        return bool(ok[0])

    def moves(self, la: str, counts: Counts, dims: list[str]) -> np.ndarray:
        """Every change of ``dims`` (each by up to STEP either way) after which council ``la``
        still publishes what it shows: an array with a row per change."""
        changes = _every_change(len(dims))
        n0, yes0 = counts
        n = np.full(len(changes), n0, dtype=np.int64)
        yes = {
            q: np.full(len(changes), y, dtype=np.int64)
            for q, y in zip(self.questions, yes0, strict=True)
        }
        for j, what in enumerate(dims):
            if what == self.interviewed:
                n = n + changes[:, j]
            else:
                yes[what] = yes[what] + changes[:, j]
        return changes[self._check(la, n, yes)]

    def _check(self, la: str, n: np.ndarray, yes: dict[str, np.ndarray]) -> np.ndarray:
        r = self.release
        lo, hi = r.lower, r.upper

        def small(v: np.ndarray) -> np.ndarray:
            return (v >= lo) & (v <= hi)

        shown = r.interviewed.get(la)
        ok = small(n) if shown is None else n == shown
        scale = 2 * 100 * 10**r.places
        for q in self.questions:
            parent = r.follow_ons.get(q)
            base = yes[parent] if parent else n
            y = yes[q]
            no = base - y
            ok = ok & (y >= 0) & (no >= 0)
            share = r.shares.get((la, q))
            if share == self.nobody:
                ok = ok & (base == 0)
            elif share == self.withheld:
                either = small(y) | small(base)
                ok = ok & ((either | small(no)) if r.complements else either)
            elif share is not None:
                ok = ok & (base > hi) & ~small(y)
                if r.complements:
                    ok = ok & ~small(no)
                # Printed as shown: p - half <= 100 y / base < p + half, in whole numbers.
                printed = Fraction(str(share)) * 10**r.places
                if printed.denominator != 1:
                    return np.zeros_like(ok)
                p = printed.numerator
                ok = ok & ((2 * p - 1) * base <= scale * y) & (scale * y < (2 * p + 1) * base)
        return ok


class _Part:
    """The sums of changes a set of councils can make together (within STEP each way), and
    the same for the set less any one council (from the sums before and after it)."""

    def __init__(self, members: list[str], moves: Mapping[str, np.ndarray], size: int):
        self.members = members
        self.size = size
        # Councils that can change nothing here add nothing: left out of the sums.
        self.movers = [la for la in members if len(moves[la]) > 1]
        self.moves = moves
        zero = _grid(size)
        zero[(STEP,) * size] = True
        grids = {la: _as_grid(moves[la], size) for la in self.movers}
        before = [zero]
        for la in self.movers:
            before.append(_add(before[-1], grids[la]))
        after = [zero]
        for la in reversed(self.movers):
            after.append(_add(after[-1], grids[la]))
        self.before, self.after = before, after[::-1]
        self.total = before[-1]

    def without(self, la: str) -> np.ndarray:
        if la not in self.movers:
            return self.total
        i = self.movers.index(la)
        return _add(self.before[i], self.after[i + 1])


def _grid(size: int) -> np.ndarray:
    return np.zeros((2 * STEP + 1,) * size, dtype=bool)


def _as_grid(changes: np.ndarray, size: int) -> np.ndarray:
    """A grid holding each row of ``changes``."""
    grid = _grid(size)
    grid[tuple((changes + STEP).T)] = True
    return grid


@functools.cache
def _every_change(size: int) -> np.ndarray:
    """Every change of ``size`` counts by up to STEP each way: a row each, in the order of
    itertools.product (the last count changing fastest)."""
    width = 2 * STEP + 1
    changes = (np.indices((width,) * size).reshape(size, -1).T - STEP).astype(np.int64)
    changes.setflags(write=False)  # shared by every call
    return changes


def _shift_all(grid: np.ndarray, changes: np.ndarray) -> np.ndarray:
    """Every sum of a point of ``grid`` and a row of ``changes`` that stays within STEP."""
    out = np.zeros_like(grid)
    width = 2 * STEP + 1
    for change in changes:
        target = []
        source = []
        for d in change:
            d = int(d)
            target.append(slice(max(d, 0), width + min(d, 0)))
            source.append(slice(max(-d, 0), width - max(d, 0)))
        out[tuple(target)] |= grid[tuple(source)]
    return out


def _add(
    a: np.ndarray,
    b: np.ndarray,
    spectrum: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Every sum of a point of ``a`` and a point of ``b`` (both as changes) within STEP.
    ``spectrum``: how a grid's spectrum is found (kept by the caller, for grids added often)."""
    if _dense(a, b):
        spectrum = spectrum or _spectrum
        return _from_spectrum(spectrum(a) * spectrum(b), a.ndim)
    if (a.all() and _still(b)) or (b.all() and _still(a)):
        return np.ones_like(a)  # adding no change keeps every point: a full grid stays full
    if np.count_nonzero(b) > np.count_nonzero(a):
        a, b = b, a
    return _shift_all(a, np.argwhere(b) - STEP)


def _dense(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether both grids hold enough points that a convolution is quicker than shifting."""
    return min(np.count_nonzero(a), np.count_nonzero(b)) > 64 and not (a.all() or b.all())


def _still(grid: np.ndarray) -> bool:
    """Whether the grid holds no change at all (every council may stay as it is)."""
    return bool(grid[(STEP,) * grid.ndim])


# Counted by convolution: a point's count is how many pairs make it (0 where none do). The
# sums of two grids of 2 STEP + 1 a side run from 0 to 4 STEP a side, and only STEP to 3 STEP
# (changes within STEP) are wanted. A circular convolution of 3 STEP + 1 a side folds only
# sums above 3 STEP onto those below STEP, so the wanted ones are exact, in about a fifth of the
# work of the full one (7 ** 6 points against 9 ** 6, for six counts).
_CIRCLE = 3 * STEP + 1


def _spectrum(grid: np.ndarray) -> np.ndarray:
    from scipy.fft import rfftn

    return rfftn(grid.astype(np.float64), s=(_CIRCLE,) * grid.ndim)


def _from_spectrum(spectrum: np.ndarray, size: int) -> np.ndarray:
    from scipy.fft import irfftn

    full = irfftn(spectrum, s=(_CIRCLE,) * size)
    middle = tuple(slice(STEP, 3 * STEP + 1) for _ in range(size))
    return full[middle] > 0.5


def _values(
    cells: list[Cell],
    counts: Counts,
    moves: np.ndarray,
    reachable: np.ndarray,
    dims: list[str],
    free: tuple[int, ...],
    questions: list[str],
    release,
    said_no: str,
    interviewed: str,
) -> dict[Cell, set[int]]:
    """Each cell's values over the council's changes that the others can balance (their sums
    can make the opposite change)."""
    index = STEP - moves
    if free:  # any sum there will do: the others' changes there are not looked at
        reachable = reachable.any(axis=free, keepdims=True)
        index[:, list(free)] = 0
    balanced = moves[reachable[tuple(index.T)]]
    n0, yes0 = counts
    out: dict[Cell, set[int]] = {}
    for cell in cells:
        what = cell[1]
        slot = what.removesuffix(said_no)

        def value_of(name: str) -> np.ndarray:
            base_value = n0 if name == interviewed else yes0[questions.index(name)]
            if name in dims:
                return base_value + balanced[:, dims.index(name)]
            return np.full(len(balanced), base_value)

        if what == slot:
            values = value_of(slot)
        else:
            values = value_of(release.follow_ons.get(slot, interviewed)) - value_of(slot)
        out[cell] = {int(v) for v in np.unique(values)}
    return out
