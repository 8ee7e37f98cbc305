"""Progress since the last round, on small hand-worked tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from collate.rounds.progress import (
    DOWN,
    NO_CLEAR,
    NOT_COMPARABLE,
    SAME,
    UP,
    criteria_movement,
    likelihood_interval,
    likelihood_trend,
    pledge_movement,
    ratio_trend,
    trend,
)


class _An:
    """Just the frames progress reads."""

    def __init__(self, **frames):
        self.__dict__.update(frames)


def test_trend_is_called_only_when_intervals_do_not_overlap():
    assert trend((1.5, 1.2, 1.9), (1.0, 0.8, 1.19)) == DOWN
    assert trend((1.0, 0.8, 1.19), (1.5, 1.2, 1.9)) == UP
    # Touching or overlapping intervals: within the noise.
    assert trend((1.5, 1.2, 1.9), (1.0, 0.8, 1.2)) == NO_CLEAR
    assert trend((1.5, 1.2, 1.9), (1.1, 0.9, 1.3)) == NO_CLEAR
    # No interval in either round (too few events): never a change.
    assert trend((3.0, None, None), (0.5, 0.4, 0.6)) == NO_CLEAR
    assert trend((None, None, None), (0.5, 0.4, 0.6)) == NOT_COMPARABLE


def test_sc_wres_interval_hand_worked():
    # Minority ethnic 20 of 100 against white 50 of 1000: 0.2 / 0.05 = 4.0.
    # Katz: se = sqrt(1/20 - 1/100 + 1/50 - 1/1000) = sqrt(0.059) = 0.242899;
    # 4 × exp(∓1.959964 × 0.242899) = 2.4850 to 6.4386.
    row = {"value": 4.0, "minority_ethnic": "20 of 100", "white": "50 of 1000"}
    value, low, high = likelihood_interval(row)
    se = math.sqrt(1 / 20 - 1 / 100 + 1 / 50 - 1 / 1000)
    assert value == 4.0
    assert low == pytest.approx(4 * math.exp(-1.959964 * se), abs=1e-4)
    assert high == pytest.approx(4 * math.exp(1.959964 * se), abs=1e-4)
    assert low == pytest.approx(2.4850, abs=1e-3) and high == pytest.approx(6.4386, abs=1e-3)


def test_withheld_likelihood_has_no_interval():
    assert likelihood_interval({"value": None, "minority_ethnic": "c", "white": "c"}) == (
        None,
        None,
        None,
    )


def _wres(la: str, me: str, w: str, value: float | None) -> dict:
    return {
        "la": la,
        "indicator": "8",
        "indicator_name": "Relative likelihood of leaving",
        "measure": "relative likelihood",
        "value": value,
        "minority_ethnic": me,
        "white": w,
    }


def test_likelihood_trend():
    before = pd.DataFrame(
        [_wres("A", "60 of 200", "50 of 1000", 6.0), _wres("B", "c", "30 of 300", None)]
    )
    now = pd.DataFrame(
        [_wres("A", "12 of 200", "50 of 1000", 1.2), _wres("B", "20 of 100", "30 of 300", 2.0)]
    )
    out = likelihood_trend(before, now).set_index("la")
    # A: 6.0 (4.26 to 8.46) against 1.2 (0.65 to 2.21): intervals apart, so down.
    assert out.loc["A", "trend"] == DOWN
    assert out.loc["A", "value_before"] == 6.0 and out.loc["A", "value_now"] == 1.2
    # B was withheld last round: not compared.
    assert out.loc["B", "trend"] == NOT_COMPARABLE


def test_pledge_movement_points_and_level():
    cols = ["la", "pledge", "pledge_title", "points", "level"]
    before = _An(
        scores=pd.DataFrame(
            [("A", 1, "Lead", 4, "Developing"), ("B", 1, "Lead", 9, "Established")], columns=cols
        )
    )
    now = _An(
        scores=pd.DataFrame(
            [("A", 1, "Lead", 7, "Established"), ("B", 1, "Lead", 8, "Established")],
            columns=cols,
        )
    )
    out = pledge_movement(before, now).set_index("la")
    assert out.loc["A", "points_change"] == 3 and out.loc["A", "level_movement"] == UP
    assert out.loc["B", "points_change"] == -1 and out.loc["B", "level_movement"] == SAME


def test_criteria_that_moved_most_come_first():
    cols = ["la", "pledge", "criterion", "criterion_text", "points"]
    before = _An(
        criteria=pd.DataFrame(
            [
                ("A", 1, "1.1", "Board", 1),
                ("B", 1, "1.1", "Board", 1),
                ("A", 1, "1.2", "Data", 0),
                ("B", 1, "1.2", "Data", 2),
            ],
            columns=cols,
        )
    )
    now = _An(
        criteria=pd.DataFrame(
            [
                ("A", 1, "1.1", "Board (reworded)", 1),
                ("B", 1, "1.1", "Board (reworded)", 2),
                ("A", 1, "1.2", "Data", 3),
                ("B", 1, "1.2", "Data", 1),
            ],
            columns=cols,
        )
    )
    out = criteria_movement(before, now)
    # 1.2: (3 + 1) / 2 - (0 + 2) / 2 = +1.0; 1.1: (1 + 2) / 2 - (1 + 1) / 2 = +0.5.
    assert list(out["criterion"]) == ["1.2", "1.1"]
    assert list(out["average_change"]) == [1.0, 0.5]
    assert out.iloc[0][["councils_up", "councils_down"]].tolist() == [1, 1]
    # Matched by reference, so the reworded criterion still compares.
    assert out.iloc[1]["criterion_text"] == "Board (reworded)"


def test_ratio_trend_skips_figures_withheld_in_both_rounds():
    cols = ["la", "stage", "stage_label", "group", "representation_ratio", "ratio_low"]
    cols += ["ratio_high"]
    before = pd.DataFrame(
        [
            ("A", "cla", "Looked after", "Mixed", 2.0, 1.6, 2.5),
            ("A", "cla", "Looked after", "Asian", None, None, None),
        ],
        columns=cols,
    )
    now = pd.DataFrame(
        [
            ("A", "cla", "Looked after", "Mixed", 1.2, 1.0, 1.45),
            ("A", "cla", "Looked after", "Asian", None, None, None),
        ],
        columns=cols,
    )
    out = ratio_trend(before, now)
    assert list(out["group"]) == ["Mixed"]
    assert out.iloc[0]["trend"] == DOWN
