"""No withheld exit-interview count can be narrowed to fewer than three values.

The attacker (tests/exit_intruder.py) reads the published exit figures the report prints (the
region's counts and each LA's interviewed counts and percentages, as test_report checks they are
printed) and knows the suppression rules.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

import collate.analysis.exit_interviews as analysis_module
from collate.analysis.exit_interviews import EXIT_SECONDARY, exit_follow_ons
from collate.analysis.model import REGION
from collate.analysis.round import analyse_collation
from collate.intake.collation import collate_folder
from collate.measures import exit_disclosure as xd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from exit_intruder import attack  # noqa: E402

GROUPS = ("minority_ethnic", "white", "not_known")


def _leaks(an, instrument, complements=True, insiders=True):
    """What a reader, and then each council knowing its own counts, narrows below three values
    (an insider's finds name it: (group, la, what, true, low, high, insider))."""
    out = []
    pub = an.exit_published
    councils = [la for la in dict.fromkeys(pub["la"]) if la != REGION]
    for g in GROUPS:
        for insider in [None, *(councils if insiders else [])]:
            for la, what, true, low, high in attack(
                pub,
                an.exit,
                exit_follow_ons(instrument),
                g,
                complements=complements,
                insider=insider,
            ):
                if high - low + 1 < 3:
                    out.append((g, la, what, true, low, high, *([insider] if insider else [])))
    return out


@pytest.fixture(scope="module")
def collation(settings, instrument):
    return collate_folder(ROOT / "sample_returns", settings, instrument)


@pytest.fixture(scope="module")
def sample(collation):
    return analyse_collation(collation)


def test_no_exit_count_can_be_narrowed_on_the_samples(collation, instrument):
    an = analyse_collation(collation)
    assert _leaks(an, instrument) == []
    # The region's white 'race played a part' count (6) is withheld: five LAs' counts of 1 to 5
    # add up to it, so with it shown each would be 1 or 2.
    e = an.exit_published
    row = e[(e["la"] == REGION) & (e["group"] == "white") & (e["question"] == "race_factor")]
    assert row.iloc[0]["yes"] == "c" and row.iloc[0]["reason"] == EXIT_SECONDARY


def test_the_attack_succeeds_without_the_regional_protection(collation, instrument, monkeypatch):
    monkeypatch.setattr(analysis_module, "_protect_exit", lambda *args: None)
    weak = analyse_collation(collation)
    leaks = _leaks(weak, instrument)
    assert ("white", "Hertfordshire", "race_factor", 2, 1, 2) in leaks


def test_protection_measure_by_hand():
    # Three LAs, one question asked of everyone: 20, 30 and 40 leavers interviewed; yes counts
    # 2, 3 and 0 (shown as c, c and 0.0%). A regional total of 5 leaves the first two as
    # (1, 4), (2, 3), (3, 2) or (4, 1): four values each, so safe. A total of 3 would leave
    # (1, 2) or (2, 1): two values each, narrowed.
    def release(total):
        return xd.ExitRelease(
            las=["A", "B", "C"],
            questions=["q"],
            follow_ons={},
            interviewed={"A": 20, "B": 30, "C": 40},
            shares={("A", "q"): xd.WITHHELD, ("B", "q"): xd.WITHHELD, ("C", "q"): 0.0},
            region_yes={"q": total},
            region_interviewed=90,
        )

    truth = {("A", "q"): 2, ("B", "q"): 3, ("C", "q"): 0}
    assert xd.ranges(release(5), [("A", "q"), ("B", "q")]) == {
        ("A", "q"): (1, 4),
        ("B", "q"): (1, 4),
    }
    assert xd.narrowed(release(5), truth) == []
    truth = {("A", "q"): 1, ("B", "q"): 2, ("C", "q"): 0}
    assert sorted(xd.narrowed(release(3), truth)) == [("A", "q"), ("B", "q")]
    # Withheld for protection (any value): nothing narrows.
    assert xd.narrowed(release(None), truth) == []


QUESTIONS = ("experienced_racism", "able_to_report", "reported", "supported", "race_factor")


@st.composite
def exit_results(draw, las):
    """Exit results for some LAs: small numbers of leavers and many small counts, consistent
    with the follow-on questions (no more yes answers than were asked)."""
    values = {}
    for la in las:
        v = {}
        for g in GROUPS:
            n = draw(st.integers(0, 8) | st.integers(0, 40))
            racism = draw(st.integers(0, n))
            able = draw(st.integers(0, racism))
            reported = draw(st.integers(0, racism))
            supported = draw(st.integers(0, reported))
            race = draw(st.integers(0, n))
            for q, k in zip(
                ("interviewed", *QUESTIONS),
                (n, racism, able, reported, supported, race),
                strict=True,
            ):
                v[f"exit_interviews.results.{q}.{g}"] = k
        values[la] = v
    return values


@hyp_settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_exit_count_can_be_narrowed_on_generated_returns(sample, instrument, data):
    an = copy.copy(sample)  # only the exit figures are recomputed
    las = data.draw(st.lists(st.sampled_from(an.las), min_size=2, max_size=6, unique=True))
    generated = data.draw(exit_results(las))
    an.las = las
    an.values = {la: {**an.values[la], **generated[la]} for la in las}
    analysis_module._exit(an)
    assert _leaks(an, instrument) == []


def _no_leaks(leaks):
    return [leak for leak in leaks if leak[2].endswith(" said no")]


def test_few_leavers_saying_no_are_protected_on_the_samples(collation, instrument):
    an = analyse_collation(collation)
    truth = an.exit.set_index(["la", "group", "question"])
    shown = an.exit_published.dropna(subset=["share"])
    for r in shown.to_dict("records"):
        t = truth.loc[(r["la"], r["group"], r["question"])]
        said_no = int(t["base"]) - int(t["yes"])
        assert not 1 <= said_no <= 5, f"{r['la']} {r['group']} {r['question']}: {said_no} said no"
    assert _no_leaks(_leaks(an, instrument)) == []


def test_the_said_no_attack_succeeds_without_the_complement_rule(
    collation, instrument, monkeypatch
):
    # "66.7% of 12" says 4 said no: with the rule off, the intruder recovers such counts.
    monkeypatch.setattr(analysis_module, "EXIT_COMPLEMENTS", False)
    weak = analyse_collation(collation)
    assert _no_leaks(_leaks(weak, instrument, complements=False)), (
        "the 'said no' counts should be recoverable"
    )


def _three_councils(sample, counts):
    """The sample's analysis with only three councils' exit figures: ``counts`` gives each its
    white leavers interviewed and those saying race played a part; every other count is 0."""
    an = copy.copy(sample)
    an.las = list(counts)
    an.values = {}
    for la, (interviewed, race) in counts.items():
        v = dict(sample.values[la])
        for g in GROUPS:
            for q in ("interviewed", *QUESTIONS):
                v[f"exit_interviews.results.{q}.{g}"] = 0
        v["exit_interviews.results.interviewed.white"] = interviewed
        v["exit_interviews.results.race_factor.white"] = race
        an.values[la] = v
    analysis_module._exit(an)
    return an


def test_a_council_knowing_its_own_count_cannot_work_out_anothers(sample, instrument):
    # Two councils' counts withheld (3 and 4), the third's shown (50.0% of 60): the region's 37
    # less the third's 30 leaves 7, which a reader cannot split (2 to 5 each), but the first
    # council, knowing its own 3, would have the second's 4.
    an = _three_councils(sample, {"Bedford": (20, 3), "Luton": (30, 4), "Essex": (60, 30)})
    assert _leaks(an, instrument) == []


def test_the_insider_attack_succeeds_without_the_insider_check(
    collation, sample, instrument, monkeypatch
):
    monkeypatch.setattr(analysis_module, "EXIT_INSIDERS", False)
    # On the samples: Southend-on-Sea, knowing its own 3 minority ethnic leavers interviewed,
    # takes them from the region's 116 and narrows Peterborough's 5 to 4 or 5.
    weak = analyse_collation(collation)
    leaks = _leaks(weak, instrument)
    assert ("minority_ethnic", "Peterborough", "interviewed", 5, 4, 5, "Southend-on-Sea") in leaks
    # By hand: two councils' 3 and 4 withheld, the third's 30 of 60 shown.
    an = _three_councils(sample, {"Bedford": (20, 3), "Luton": (30, 4), "Essex": (60, 30)})
    leaks = _leaks(an, instrument)
    assert ("white", "Luton", "race_factor", 4, 4, 4, "Bedford") in leaks
    assert [leak for leak in leaks if len(leak) == 6] == []  # a reader alone finds nothing


#: Found by test_no_exit_count_can_be_narrowed_on_generated_returns (CI, this round): each
#: council's leavers interviewed, then yes to each question, per group.
_FOUND = {
    "Bedford": {"white": (36, 26, 11, 23, 5, 29)},
    "Cambridgeshire": {"white": (2, 0, 0, 0, 0, 1)},
    "Central Bedfordshire": {
        "minority_ethnic": (34, 31, 6, 18, 5, 23),
        "white": (26, 9, 1, 4, 4, 10),
        "not_known": (5, 3, 2, 0, 0, 3),
    },
    "Essex": {"white": (2, 1, 1, 0, 0, 2), "not_known": (9, 2, 2, 0, 0, 3)},
    "Hertfordshire": {
        "minority_ethnic": (3, 3, 0, 0, 0, 3),
        "white": (1, 1, 0, 1, 1, 0),
        "not_known": (6, 3, 1, 0, 0, 5),
    },
    "Luton": {
        "minority_ethnic": (27, 25, 11, 8, 4, 9),
        "white": (6, 3, 0, 3, 3, 1),
        "not_known": (1, 1, 0, 1, 1, 0),
    },
}


def test_a_solution_off_by_one_count_is_not_believed(sample, instrument):
    """Essex, knowing its own counts, could narrow Cambridgeshire's and Luton's race-factor
    counts when a solution the solver gave (without its presolve) was believed: it missed a
    "small" rule by one leaver, within a tolerance scaled to the rule's large multiplier. Every
    solution is now checked to a tiny absolute tolerance."""
    an = copy.copy(sample)
    an.las = list(_FOUND)
    an.values = {}
    for la, groups in _FOUND.items():
        v = dict(sample.values[la])
        for g in GROUPS:
            for q, k in zip(("interviewed", *QUESTIONS), groups.get(g, (0,) * 6), strict=True):
                v[f"exit_interviews.results.{q}.{g}"] = k
        an.values[la] = v
    analysis_module._exit(an)
    assert _leaks(an, instrument) == []


def test_an_exact_range_is_not_cut_short_by_the_solver():
    """Found by a helper's attack on generated returns: six councils, three of which nobody
    was asked at. Council 03's 4 white leavers who had experienced racism can be 1 to 5 for a
    reader (it and council 04 are withheld throughout, and no regional count says otherwise);
    HiGHS with its presolve called 2 the largest, with a solution that keeps every constraint.
    The exact range (asked without a number of values that is enough) must hold the truth."""
    las = [f"Synthetic Council 0{i}" for i in range(6)]
    q = ("experienced_racism", "able_to_report", "reported", "supported", "race_factor")
    follow_ons = {"able_to_report": q[0], "reported": q[0], "supported": "reported"}
    c, x = xd.WITHHELD, xd.NOBODY
    shares = {(la, question): x for la in las for question in q}
    shares |= {(las[1], question): c for question in q[:4]} | {(las[1], q[4]): 0.0}
    shares |= {(la, question): c for la in las[3:5] for question in q}
    release = xd.ExitRelease(
        las=las,
        questions=list(q),
        follow_ons=follow_ons,
        interviewed=dict(zip(las, (0, 40, 0, None, 8, 0), strict=True)),
        shares=shares,
        region_yes={**dict.fromkeys(q), "supported": c},
        region_interviewed=None,
    )
    cell = (las[3], "experienced_racism")
    assert xd.ranges(release, [cell]) == {cell: (1, 5)}
