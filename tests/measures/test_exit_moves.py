"""Fewer solves, the same verdicts: an exit-interview count shown to take three values by moving
leavers between councils (collate.measures.exit_moves) is one the region's integer programme
would have found could, for a reader and for every council knowing its own counts.

The tables are the real ones: random exit results for two to two dozen councils go through the
analysis (suppression, the "no" rule, the follow-on questions), and every check it makes is made
twice, with and without the moves, and must agree.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

import collate.analysis.exit_interviews as analysis_module
from collate.analysis.round import analyse_collation
from collate.intake.collation import collate_folder
from collate.measures import exit_disclosure as xd
from collate.measures import exit_moves

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("minority_ethnic", "white", "not_known")


@pytest.fixture(scope="module")
def sample(settings, instrument):
    return analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))


def _random_results(rng: np.random.Generator, las: list[str]) -> dict[str, dict[str, int]]:
    """Each council's exit counts: many small, consistent with the follow-on questions."""
    values = {}
    for la in las:
        v = {}
        for g in GROUPS:
            n = int(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40, 90]))
            racism = int(rng.integers(0, min(n, 8) + 1))
            if rng.random() < 0.2:
                racism = int(rng.integers(0, n + 1))
            able = int(rng.integers(0, racism + 1))
            reported = int(rng.integers(0, racism + 1))
            supported = int(rng.integers(0, reported + 1))
            race = int(rng.integers(0, min(n, 8) + 1))
            for q, k in zip(
                (
                    "interviewed",
                    "experienced_racism",
                    "able_to_report",
                    "reported",
                    "supported",
                    "race_factor",
                ),
                (n, racism, able, reported, supported, race),
                strict=True,
            ):
                v[f"exit_interviews.results.{q}.{g}"] = k
        values[la] = v
    return values


def _compare_every_check(monkeypatch) -> list[int]:
    """Make every exit disclosure check twice (moves on and off) and assert the same verdicts;
    returns how many counts the moves settled in each check."""
    real = xd.narrowed
    settled: list[int] = []

    def both(release, true_counts, insiders=False):
        monkeypatch.setattr(xd, "MOVES", True)
        quick = real(release, true_counts, insiders=insiders)
        small = [c for c, v in true_counts.items() if 1 <= v <= 5 and c[0] in release.las]
        found = exit_moves.settled_by_moves(
            release, true_counts, small, xd.INTERVIEWED, xd.SAID_NO, xd.WITHHELD, xd.NOBODY
        )
        settled.append(len(found))
        monkeypatch.setattr(xd, "MOVES", False)
        every = real(release, true_counts, insiders=insiders)
        monkeypatch.setattr(xd, "MOVES", True)
        # The moves are exact proofs, and the programme alone (with every solution checked
        # in whole numbers) finds the same.
        assert set(quick) == set(every)
        return quick

    monkeypatch.setattr(xd, "narrowed", both)
    return settled


def _check_random_councils(sample, rng: np.random.Generator, size: int, monkeypatch) -> list[int]:
    """The exit analysis of ``size`` councils with random results, every check made both ways."""
    an = copy.copy(sample)
    las = [f"Synthetic Council {i:02d}" for i in range(size)]
    template = sample.values[sample.las[0]]
    generated = _random_results(rng, las)
    an.las = las
    an.values = {la: {**template, **generated[la]} for la in las}
    # In this process, so that the comparison's findings come back.
    an.settings = an.settings.model_copy(update={"workers": 1})
    settled = _compare_every_check(monkeypatch)
    analysis_module._exit(an)
    return settled


@pytest.mark.parametrize("seed", range(12))
def test_moves_settle_what_the_exit_programmes_would(seed, sample, monkeypatch):
    rng = np.random.default_rng(seed)
    settled = _check_random_councils(
        sample, rng, int(rng.choice([2, 3, 4, 6, 8, 11, 11])), monkeypatch
    )
    assert settled  # the check ran


def test_moves_settle_what_the_exit_programmes_would_with_two_dozen_councils(sample, monkeypatch):
    settled = _check_random_councils(sample, np.random.default_rng(1000), 24, monkeypatch)
    # With two dozen councils most small counts are settled by moves, not programmes.
    assert max(settled) > 12


def test_a_move_must_keep_every_printed_percentage():
    """Two councils, one question: 9 of 20 (45.0%) and a withheld 2 of 30. A move of one yes
    answer from the second to the first would print 50.0%: not a move. The withheld count is
    pinned by the region's 11, and the moves must not say otherwise."""
    release = xd.ExitRelease(
        las=["A", "B"],
        questions=["q"],
        follow_ons={},
        interviewed={"A": 20, "B": 30},
        shares={("A", "q"): 45.0, ("B", "q"): xd.WITHHELD},
        region_yes={"q": 11},
        region_interviewed=50,
    )
    truth = {("A", xd.INTERVIEWED): 20, ("B", xd.INTERVIEWED): 30, ("A", "q"): 9, ("B", "q"): 2}
    truth |= {("A", "q" + xd.SAID_NO): 11, ("B", "q" + xd.SAID_NO): 28}
    small = [("B", "q")]
    args = (xd.INTERVIEWED, xd.SAID_NO, xd.WITHHELD, xd.NOBODY)
    assert exit_moves.settled_by_moves(release, truth, small, *args) == {}
    assert xd.narrowed(release, truth) == [("B", "q")]


def test_moves_between_withheld_councils_settle_their_counts():
    """Three councils with 2, 3 and 2 yes answers of 20, 30 and 40 leavers (all withheld) and a
    region of 7: each can take 1 to 5, and moves show it, against a reader and each insider."""
    release = xd.ExitRelease(
        las=["A", "B", "C"],
        questions=["q"],
        follow_ons={},
        interviewed={"A": 20, "B": 30, "C": 40},
        shares={("A", "q"): xd.WITHHELD, ("B", "q"): xd.WITHHELD, ("C", "q"): xd.WITHHELD},
        region_yes={"q": 7},
        region_interviewed=90,
    )
    truth = {("A", xd.INTERVIEWED): 20, ("B", xd.INTERVIEWED): 30, ("C", xd.INTERVIEWED): 40}
    truth |= {("A", "q"): 2, ("B", "q"): 3, ("C", "q"): 2}
    small = [("A", "q"), ("B", "q"), ("C", "q")]
    found = exit_moves.settled_by_moves(
        release, truth, small, xd.INTERVIEWED, xd.SAID_NO, xd.WITHHELD, xd.NOBODY
    )
    assert set(found) == set(small)
    for cell in small:
        for insider in ("A", "B", "C"):
            if insider != cell[0]:
                assert any(insider not in movers for movers in found[cell])
    assert xd.narrowed(release, truth, insiders=True) == []


def test_a_solver_stopping_short_does_not_withhold_a_safe_count(monkeypatch):
    """Found by comparing the two ways: eight councils, every regional figure withheld, so that
    no council's counts say anything about another's. Council 05's 4 leavers saying they had
    experienced racism can be 1 to 5 whoever reads; but HiGHS (SciPy 1.17), with council 01's
    own counts fixed, stopped its presolved search at 2 and called it the largest."""
    q = ("experienced_racism", "able_to_report", "reported", "supported", "race_factor")
    follow_ons = {"able_to_report": q[0], "reported": q[0], "supported": "reported"}
    c, x = xd.WITHHELD, xd.NOBODY
    rows = {  # interviewed (None: withheld), then each question's share and true yes count
        "00": (20, [(0.0, 0), (x, 0), (x, 0), (x, 0), (35.0, 7)]),
        "01": (None, [(c, 1), (c, 1), (c, 0), (x, 0), (c, 0)], 1),
        "02": (6, [(100.0, 6), (c, 1), (c, 1), (c, 0), (c, 2)]),
        "03": (6, [(c, 2), (c, 1), (c, 1), (c, 0), (c, 2)]),
        "04": (20, [(c, 4), (c, 2), (c, 4), (c, 1), (30.0, 6)]),
        "05": (None, [(c, 4), (c, 4), (c, 1), (c, 1), (c, 1)], 4),
        "06": (8, [(0.0, 0), (x, 0), (x, 0), (x, 0), (c, 7)]),
        "07": (12, [(0.0, 0), (x, 0), (x, 0), (x, 0), (c, 5)]),
    }
    truth: dict[tuple[str, str], int] = {}
    shares = {}
    for la, (shown, answers, *true_n) in rows.items():
        n = shown if shown is not None else true_n[0]
        truth[(la, xd.INTERVIEWED)] = n
        for question, (share, yes) in zip(q, answers, strict=True):
            shares[(la, question)] = share
            truth[(la, question)] = yes
        for question in q:
            base = truth[(la, follow_ons[question])] if question in follow_ons else n
            truth[(la, question + xd.SAID_NO)] = base - truth[(la, question)]
    release = xd.ExitRelease(
        las=list(rows),
        questions=list(q),
        follow_ons=follow_ons,
        interviewed={la: r[0] for la, r in rows.items()},
        shares=shares,
        region_yes=dict.fromkeys(q),
        region_interviewed=None,
    )
    # The moves show it exactly; the programme alone too, now that no count's bound in it is
    # far beyond what any count can be (with a bound of a million, the solver's solutions
    # missed a bound by one count, were not believed, and the count was withheld).
    assert xd.narrowed(release, truth, insiders=True) == []
    monkeypatch.setattr(xd, "MOVES", False)
    assert xd.narrowed(release, truth, insiders=True) == []


def test_a_count_whose_regional_sum_is_withheld_moves_alone():
    """With the region's leavers interviewed withheld (for protection: any value), a council's
    own withheld count of 3 can be 1 to 5 with no other council changing: safe against every
    council, with nobody else named as having moved."""
    release = xd.ExitRelease(
        las=["A", "B"],
        questions=["q"],
        follow_ons={},
        interviewed={"A": None, "B": None},
        shares={("A", "q"): xd.WITHHELD, ("B", "q"): xd.WITHHELD},
        region_yes={"q": None},
        region_interviewed=None,
    )
    truth = {("A", xd.INTERVIEWED): 3, ("B", xd.INTERVIEWED): 4, ("A", "q"): 1, ("B", "q"): 2}
    small = [("A", xd.INTERVIEWED), ("B", xd.INTERVIEWED)]
    found = exit_moves.settled_by_moves(
        release, truth, small, xd.INTERVIEWED, xd.SAID_NO, xd.WITHHELD, xd.NOBODY
    )
    assert found == {cell: [frozenset()] for cell in small}


def test_a_sum_withheld_for_protection_is_not_free_when_its_follow_on_is_withheld_as_small():
    """Found by an attack on the moves: the region's 'experienced racism' yes count is withheld
    for protection (any value), but its follow-on 'able to report' is withheld as small numbers
    because the region's "no" count (those asked, less yes) is 5. That still ties the racism
    total, as the follow-on's base. Council Y, knowing its own 4 "no" answers, has council X's
    "no" count at 0 or 1: it must be found, not passed as free to move."""
    racism, able = "experienced_racism", "able_to_report"
    counts = {"X": (30, 3, 2), "Y": (20, 10, 6), **{f"B{i}": (100, 50, 50) for i in range(6)}}
    shares, truth = {}, {}
    for la, (n, r, a) in counts.items():
        shares[(la, racism)] = xd.WITHHELD if 1 <= r <= 5 or 1 <= n - r <= 5 else 100 * r / n
        shares[(la, able)] = (
            xd.WITHHELD if 1 <= a <= 5 or 1 <= r - a <= 5 or 1 <= r <= 5 else 100 * a / r
        )
        truth |= {(la, xd.INTERVIEWED): n, (la, racism): r, (la, able): a}
        truth |= {(la, racism + xd.SAID_NO): n - r, (la, able + xd.SAID_NO): r - a}
    release = xd.ExitRelease(
        las=list(counts),
        questions=[racism, able],
        follow_ons={able: racism},
        interviewed={la: c[0] for la, c in counts.items()},
        shares=shares,
        region_yes={racism: None, able: xd.WITHHELD},
        region_interviewed=sum(c[0] for c in counts.values()),
    )
    small = [c for c, v in truth.items() if 1 <= v <= 5]
    found = exit_moves.settled_by_moves(
        release, truth, small, xd.INTERVIEWED, xd.SAID_NO, xd.WITHHELD, xd.NOBODY
    )
    assert frozenset() not in found.get(("X", able + xd.SAID_NO), [])
    assert ("X", able + xd.SAID_NO) in xd.narrowed(release, truth, insiders=True)
