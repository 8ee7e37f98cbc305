"""Facts for the report's "Since last round" section, from published figures only.

Pledge levels are published in the report already; children's ratios and SC-WRES relative
likelihoods come from the published (suppressed) frames, so a figure withheld in either round is
never compared, and nothing here reveals a withheld count.
"""

from __future__ import annotations

from typing import Any

from collate.analysis.model import REGION, Analysis
from collate.report.words import short_names
from collate.rounds.progress import DOWN, LIKELIHOOD_INDICATORS, UP

MOST_CRITERIA = 3  # criteria named as having moved most across the region


def since_facts(an: Analysis) -> dict[str, Any] | None:
    """None when there is no earlier round to compare with."""
    p = an.progress
    if p is None:
        return None
    short = short_names(an)

    def who(la: str) -> str:
        return "the region" if la in (REGION) else short.get(la, la)

    pledges = []
    for number, rows in p.pledges.groupby("pledge", sort=True):
        pledges.append(
            {
                "number": number,
                "title": rows["pledge_title"].iloc[0],
                "up": [who(x) for x in rows.loc[rows["level_movement"] == UP, "la"]],
                "down": [who(x) for x in rows.loc[rows["level_movement"] == DOWN, "la"]],
            }
        )
    moved = [
        r for r in p.criteria.head(MOST_CRITERIA).to_dict("records") if r["average_change"] != 0
    ]
    children = [
        {
            "who": who(r["la"]),
            "region": r["la"] == REGION,
            "stage": r["stage_label"],
            "group": r["group"],
            "before": r["ratio_before"],
            "now": r["ratio_now"],
            "rose": r["trend"] == UP,
        }
        for r in p.children_published.to_dict("records")
        if r["trend"] in (UP, DOWN)
    ]
    order = {label: i for i, (_, label, _) in enumerate(an.stages)}
    children.sort(key=lambda c: (order.get(c["stage"], 99), c["who"]))
    # The region's changes are listed; councils' are counted, so the section stays short.
    by_council: dict[str, dict[str, int]] = {}
    for c in children:
        if not c["region"]:
            tally = by_council.setdefault(c["who"], {"rose": 0, "fell": 0})
            tally["rose" if c["rose"] else "fell"] += 1
    wres = [
        {
            "who": who(r["la"]),
            "indicator": r["indicator_name"],
            "before": r["value_before"],
            "now": r["value_now"],
            "rose": r["trend"] == UP,
        }
        for r in p.wres_published.to_dict("records")
        if r["trend"] in (UP, DOWN) and str(r["indicator"]) in LIKELIHOOD_INDICATORS
    ]
    compared_children = p.children_published.dropna(subset=["ratio_before", "ratio_now"])
    compared_wres = p.wres_published.dropna(subset=["value_before", "value_now"])
    return {
        "previous": p.previous_round,
        "n_councils": p.pledges["la"].nunique(),
        "pledges": pledges,
        "n_up": int((p.pledges["level_movement"] == UP).sum()),
        "n_down": int((p.pledges["level_movement"] == DOWN).sum()),
        "n_pairs": len(p.pledges),
        "moved": moved,
        "children": children,
        "children_region": [c for c in children if c["region"]],
        "children_councils": sorted(by_council.items()),
        "n_children": len(compared_children),
        "wres": wres,
        "n_wres": len(compared_wres),
        "new": [c for c in p.items if c.kind == "new"],
        "retired": [c for c in p.items if c.kind == "retired"],
        "reworded": [c for c in p.items if c.kind == "reworded"],
    }
