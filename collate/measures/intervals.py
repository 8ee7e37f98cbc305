"""95% confidence intervals for a ratio of two proportions.

Both the children's representation ratio (a group's share at a stage ÷ its share of the child
population) and the SC-WRES relative likelihood (minority ethnic staff's rate ÷ white staff's rate)
are ratios of two proportions, so both use the same interval: the Katz log method (Katz D,
Baptista J, Azen SP and Pike MC, "Obtaining confidence intervals for the risk ratio in cohort
studies", Biometrics 34 (1978) 469-474; "Method C"). On the log scale the ratio is roughly normal
with standard error

    sqrt(1/a - 1/n + 1/c - 1/m)

for a of n against c of m, so the interval is exp(log(ratio) ± 1.96 × that). It is what SciPy's
``scipy.stats.contingency.relative_risk`` computes, and this module uses SciPy for it.

When either numerator is zero the log method has no interval; the interval is then ``None`` with
a reason, and no claim of a clear difference can rest on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.stats.contingency import relative_risk

#: The confidence level used throughout (95%).
CONFIDENCE = 0.95
#: Source, for the notes on method.
METHOD = (
    "Katz log method (Katz, Baptista, Azen and Pike, 'Obtaining confidence intervals for the "
    "risk ratio in cohort studies', Biometrics 34, 1978, pages 469 to 474)"
)
NO_EVENTS = "no interval: one of the two groups has none"


@dataclass(frozen=True)
class RatioInterval:
    """A ratio of two proportions with its 95% confidence interval (bounds may be None)."""

    ratio: float
    low: float | None
    high: float | None
    reason: str | None = None

    @property
    def clearly_above_one(self) -> bool:
        """True when the whole interval lies above 1 (a difference unlikely to be chance)."""
        return self.low is not None and self.low > 1

    @property
    def clearly_below_one(self) -> bool:
        """True when the whole interval lies below 1."""
        return self.high is not None and self.high < 1


def ratio_interval(a: int, n: int, c: int, m: int, confidence: float = CONFIDENCE) -> RatioInterval:
    """The ratio (a/n) ÷ (c/m) and its Katz log interval.

    ``a`` of ``n`` is the group of interest (e.g. Mixed children among children in need, or minority
    ethnic staff who left among minority ethnic staff); ``c`` of ``m`` the comparison (the group's
    child population among all children, or white leavers among white staff).
    """
    for name, value in (("a", a), ("n", n), ("c", c), ("m", m)):
        if isinstance(value, bool) or int(value) != value or value < 0:
            raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}")
    if n == 0 or m == 0:
        raise ValueError("a proportion needs a total above 0")
    if a > n or c > m:
        raise ValueError("a part cannot be larger than its total")
    if c == 0:
        raise ValueError("the comparison proportion is zero, so there is no ratio")
    result = relative_risk(int(a), int(n), int(c), int(m))
    ratio = float(result.relative_risk)
    if a == 0:
        return RatioInterval(ratio, None, None, NO_EVENTS)
    ci = result.confidence_interval(confidence)
    return RatioInterval(ratio, float(ci.low), float(ci.high))
