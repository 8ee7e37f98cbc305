"""Progress since the last round: movement by council and pledge, trends, criteria that moved.

A trend in a ratio (a children's representation ratio, or an SC-WRES relative likelihood) is
called a change only when the two rounds' 95% confidence intervals do not overlap. Two intervals
that do not overlap mean the two figures differ at well beyond the 5% level; intervals can
overlap when the figures still differ, so the test is conservative: it may miss a real change
but rarely calls noise a change (Schenker N and Gentleman JF, "On judging the significance of
differences by examining the overlap between confidence intervals", The American Statistician
55(3), 2001, pages 182 to 186). Each interval is the Katz log interval of
`collate.measures.intervals`. A figure without an interval (too few events) is never called a
change.

Every frame named ``*_published`` is built only from published (suppressed) figures and is what
the report uses; the others are the programme manager's own and go only into collated.xlsx.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from collate.analysis.model import Analysis
from collate.measures.intervals import ratio_interval
from collate.rounds.history import ItemChange, PastRound

LEVEL_ORDER = {"Developing": 1, "Established": 2, "Leading": 3}
LIKELIHOOD_INDICATORS = ("2", "3", "4", "5", "8")
UP, DOWN, SAME, NO_CLEAR = "up", "down", "no change", "no clear change"
NOT_COMPARABLE = "not comparable"
TEST = (
    "a change is called only when the two rounds' 95% confidence intervals do not overlap "
    "(Schenker and Gentleman, The American Statistician 55(3), 2001, pages 182 to 186)"
)

PLEDGE_COLUMNS = [
    "la",
    "pledge",
    "pledge_title",
    "points_before",
    "points_now",
    "points_change",
    "level_before",
    "level_now",
    "level_movement",
]
CRITERIA_COLUMNS = [
    "pledge",
    "criterion",
    "criterion_text",
    "councils_compared",
    "average_points_before",
    "average_points_now",
    "average_change",
    "councils_up",
    "councils_down",
]
CHILDREN_COLUMNS = [
    "la",
    "stage",
    "stage_label",
    "group",
    "ratio_before",
    "low_before",
    "high_before",
    "ratio_now",
    "low_now",
    "high_now",
    "trend",
]
WRES_COLUMNS = [
    "la",
    "indicator",
    "indicator_name",
    "value_before",
    "low_before",
    "high_before",
    "value_now",
    "low_now",
    "high_now",
    "trend",
]
LONG_COLUMNS = [
    "round",
    "la",
    "measure",
    "pledge",
    "item",
    "item_label",
    "stage",
    "group",
    "value",
    "low",
    "high",
]


@dataclass
class Progress:
    """This round against the last (and every kept round, for the long table)."""

    round: str
    previous_round: str
    pledges: pd.DataFrame
    criteria: pd.DataFrame
    children: pd.DataFrame
    children_published: pd.DataFrame
    wres: pd.DataFrame
    wres_published: pd.DataFrame
    long: pd.DataFrame
    items: list[ItemChange] = field(default_factory=list)
    test: str = TEST
    # The earlier rounds themselves, oldest first (the dashboard draws their trends).
    history: list[PastRound] = field(default_factory=list)


def compare_rounds(
    now: Analysis, history: list[PastRound], items: list[ItemChange] | None = None
) -> Progress:
    """Progress of `now` since the last of `history` (oldest first; at least one round)."""
    if not history:
        raise ValueError("no earlier round to compare with")
    before = history[-1].analysis
    return Progress(
        round=now.settings.round,
        previous_round=history[-1].name,
        pledges=pledge_movement(before, now),
        criteria=criteria_movement(before, now),
        children=ratio_trend(before.cf_measures, now.cf_measures),
        children_published=ratio_trend(before.cf_measures_published, now.cf_measures_published),
        wres=likelihood_trend(before.wres, now.wres),
        wres_published=likelihood_trend(before.wres_published, now.wres_published),
        long=pd.concat(
            [long_table(r.name, r.analysis) for r in history]
            + [long_table(now.settings.round, now)],
            ignore_index=True,
        ),
        items=list(items or []),
        history=list(history),
    )


def _movement(before: str, now: str) -> str:
    if before not in LEVEL_ORDER or now not in LEVEL_ORDER:
        return NOT_COMPARABLE
    diff = LEVEL_ORDER[now] - LEVEL_ORDER[before]
    return UP if diff > 0 else DOWN if diff < 0 else SAME


def _number(x) -> float | None:
    if x is None or isinstance(x, str) or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x)


def pledge_movement(before: Analysis, now: Analysis) -> pd.DataFrame:
    """Each council's points and level for each pledge, last round and this."""
    old = {(r.la, str(r.pledge)): r for r in before.scores.itertuples(index=False)}
    rows = []
    for r in now.scores.itertuples(index=False):
        o = old.get((r.la, str(r.pledge)))
        if o is None:
            continue
        p_now, p_before = _number(r.points), _number(o.points)
        level_before, level_now = str(o.level or ""), str(r.level or "")
        rows.append(
            {
                "la": r.la,
                "pledge": r.pledge,
                "pledge_title": r.pledge_title,
                "points_before": p_before,
                "points_now": p_now,
                "points_change": None if p_now is None or p_before is None else p_now - p_before,
                "level_before": level_before,
                "level_now": level_now,
                "level_movement": _movement(level_before, level_now),
            }
        )
    return pd.DataFrame(rows, columns=PLEDGE_COLUMNS)


def criteria_movement(before: Analysis, now: Analysis) -> pd.DataFrame:
    """Across the region, each criterion's average points last round and this (councils that
    rated it in both), largest movement first."""
    key = ["la", "criterion"]
    b = before.criteria[[*key, "points"]].rename(columns={"points": "before"})
    n = now.criteria[[*key, "pledge", "criterion_text", "points"]].rename(columns={"points": "now"})
    both = n.merge(b, on=key)
    both["before"] = pd.to_numeric(both["before"], errors="coerce")
    both["now"] = pd.to_numeric(both["now"], errors="coerce")
    both = both.dropna(subset=["before", "now"])
    rows = []
    for (pledge, ref, text), g in both.groupby(
        ["pledge", "criterion", "criterion_text"], sort=False
    ):
        diff = g["now"] - g["before"]
        rows.append(
            {
                "pledge": pledge,
                "criterion": ref,
                "criterion_text": text,
                "councils_compared": len(g),
                "average_points_before": round(float(g["before"].mean()), 2),
                "average_points_now": round(float(g["now"].mean()), 2),
                "average_change": round(float(diff.mean()), 2),
                "councils_up": int((diff > 0).sum()),
                "councils_down": int((diff < 0).sum()),
            }
        )
    out = pd.DataFrame(rows, columns=CRITERIA_COLUMNS)
    if out.empty:
        return out
    order = out["average_change"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)


def trend(before: tuple, now: tuple) -> str:
    """Up, down or no clear change, from two (value, low, high) triples: see the module's test."""
    (v0, lo0, hi0), (v1, lo1, hi1) = before, now
    if v0 is None or v1 is None:
        return NOT_COMPARABLE
    if None in (lo0, hi0, lo1, hi1):
        return NO_CLEAR
    if lo1 > hi0:
        return UP
    if hi1 < lo0:
        return DOWN
    return NO_CLEAR


def ratio_trend(before: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Each representation ratio last round and this, with intervals and the trend."""
    key = ["la", "stage", "group"]
    cols = ["representation_ratio", "ratio_low", "ratio_high"]
    b = before[[*key, *cols]].rename(
        columns=dict(zip(cols, ["ratio_before", "low_before", "high_before"], strict=True))
    )
    n = now[[*key, "stage_label", *cols]].rename(
        columns=dict(zip(cols, ["ratio_now", "low_now", "high_now"], strict=True))
    )
    both = n.merge(b, on=key)
    rows = []
    for r in both.to_dict("records"):
        for c in ("ratio_before", "low_before", "high_before", "ratio_now", "low_now", "high_now"):
            r[c] = _number(r[c])
        if r["ratio_before"] is None and r["ratio_now"] is None:
            continue
        r["trend"] = trend(
            (r["ratio_before"], r["low_before"], r["high_before"]),
            (r["ratio_now"], r["low_now"], r["high_now"]),
        )
        rows.append(r)
    return pd.DataFrame(rows, columns=CHILDREN_COLUMNS)


_OF = re.compile(r"^\s*(\d+) of (\d+)\s*$")


def likelihood_interval(row) -> tuple[float | None, float | None, float | None]:
    """An SC-WRES relative likelihood with its 95% interval, from its 'events of base' texts
    (a withheld or missing figure gives no value and no interval)."""
    value = _number(row["value"])
    me, w = _OF.match(str(row["minority_ethnic"])), _OF.match(str(row["white"]))
    if value is None or not me or not w:
        return value, None, None
    a, n, c, m_ = (int(x) for x in (*me.groups(), *w.groups()))
    if n == 0 or m_ == 0 or c == 0:
        return value, None, None
    ci = ratio_interval(a, n, c, m_)
    return value, ci.low, ci.high


def likelihood_trend(before: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Each SC-WRES relative likelihood last round and this, with intervals and the trend."""

    def by_key(frame: pd.DataFrame) -> dict:
        part = frame[frame["measure"] == "relative likelihood"]
        return {(r["la"], str(r["indicator"])): r for r in part.to_dict("records")}

    old = by_key(before)
    rows = []
    for k, r in by_key(now).items():
        if k not in old:
            continue
        b, n = likelihood_interval(old[k]), likelihood_interval(r)
        if b[0] is None and n[0] is None:
            continue
        rows.append(
            {
                "la": r["la"],
                "indicator": r["indicator"],
                "indicator_name": r["indicator_name"],
                "value_before": b[0],
                "low_before": b[1],
                "high_before": b[2],
                "value_now": n[0],
                "low_now": n[1],
                "high_now": n[2],
                "trend": trend(b, n),
            }
        )
    return pd.DataFrame(rows, columns=WRES_COLUMNS)


def long_table(round_name: str, an: Analysis) -> pd.DataFrame:
    """One round's measures as long rows (one figure a row), for a pivot table across rounds.
    Unsuppressed: for collated.xlsx only."""
    rows = []
    for r in an.scores.to_dict("records"):
        base = {"round": round_name, "la": r["la"], "pledge": r["pledge"], "stage": "", "group": ""}
        rows.append(
            {
                **base,
                "measure": "pledge points",
                "item": f"pledge {r['pledge']}",
                "item_label": r["pledge_title"],
                "value": _number(r["points"]),
            }
        )
        rows.append(
            {
                **base,
                "measure": "pledge level (1 Developing, 2 Established, 3 Leading)",
                "item": f"pledge {r['pledge']}",
                "item_label": r["pledge_title"],
                "value": LEVEL_ORDER.get(str(r["level"])),
            }
        )
    for r in an.criteria.to_dict("records"):
        rows.append(
            {
                "round": round_name,
                "la": r["la"],
                "measure": "criterion points",
                "pledge": r["pledge"],
                "item": f"criterion {r['criterion']}",
                "item_label": r["criterion_text"],
                "stage": "",
                "group": "",
                "value": _number(r["points"]) if r["points"] != "" else None,
            }
        )
    for r in an.cf_measures.to_dict("records"):
        if _number(r["representation_ratio"]) is None:
            continue
        rows.append(
            {
                "round": round_name,
                "la": r["la"],
                "measure": "representation ratio",
                "pledge": "",
                "item": r["stage_label"],
                "item_label": r["stage_label"],
                "stage": r["stage_label"],
                "group": r["group"],
                "value": _number(r["representation_ratio"]),
                "low": _number(r["ratio_low"]),
                "high": _number(r["ratio_high"]),
            }
        )
    for r in an.wres.to_dict("records"):
        if r["measure"] != "relative likelihood":
            continue
        value, low, high = likelihood_interval(r)
        if value is None:
            continue
        rows.append(
            {
                "round": round_name,
                "la": r["la"],
                "measure": "relative likelihood",
                "pledge": "",
                "item": f"SC-WRES indicator {r['indicator']}",
                "item_label": r["indicator_name"],
                "stage": "",
                "group": "minority ethnic against white",
                "value": value,
                "low": low,
                "high": high,
            }
        )
    return pd.DataFrame(rows, columns=LONG_COLUMNS)


def attach_progress(an: Analysis, rounds: list[PastRound]) -> Analysis:
    """Set `an.progress` from the earlier `rounds` (oldest first); no rounds, no progress."""
    from collate.rounds.history import item_changes

    if rounds:
        an.progress = compare_rounds(an, rounds, item_changes(rounds[-1], an.instrument))
    return an
