"""The Katz log interval, against a published worked example and a hand calculation."""

import math

import pytest

from collate.measures.intervals import ratio_interval


def test_scipy_documentation_worked_example():
    # SciPy's documentation for scipy.stats.contingency.relative_risk: 10 of 75 against 12 of
    # 225 gives a relative risk of 2.5 with a 95% interval of 1.1262 to 5.5499 (Katz method).
    r = ratio_interval(10, 75, 12, 225)
    assert r.ratio == pytest.approx(2.5)
    assert r.low == pytest.approx(1.1261564, abs=1e-6)
    assert r.high == pytest.approx(5.5498508, abs=1e-6)
    assert r.clearly_above_one


def test_hand_worked_representation_ratio():
    # 15 Mixed children of 148 at a stage, against 2,000 Mixed pupils of 40,000.
    # ratio = (15/148) / (2000/40000) = 2.027; se = sqrt(1/15 - 1/148 + 1/2000 - 1/40000)
    r = ratio_interval(15, 148, 2000, 40000)
    se = math.sqrt(1 / 15 - 1 / 148 + 1 / 2000 - 1 / 40000)
    assert r.ratio == pytest.approx((15 / 148) / 0.05)
    assert r.low == pytest.approx(r.ratio * math.exp(-1.959964 * se), rel=1e-6)
    assert r.high == pytest.approx(r.ratio * math.exp(1.959964 * se), rel=1e-6)
    assert r.low > 1


def test_few_children_give_a_wide_interval_that_spans_one():
    # A ratio of 2 from 2 children of 20 against 5% of the population: too few to be sure.
    r = ratio_interval(2, 20, 500, 10000)
    assert r.ratio == pytest.approx(2.0)
    assert r.low < 1 < r.high
    assert not r.clearly_above_one


def test_none_at_the_stage_has_no_interval():
    r = ratio_interval(0, 50, 500, 10000)
    assert r.ratio == 0
    assert r.low is None and r.high is None and r.reason


@pytest.mark.parametrize("args", [(1, 0, 1, 1), (2, 1, 1, 1), (1, 1, 0, 5), (-1, 5, 1, 5)])
def test_bad_inputs_are_refused(args):
    with pytest.raises(ValueError):
        ratio_interval(*args)
