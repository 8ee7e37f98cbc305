"""The foundations and the pledge scores: each council's level and points on each pledge."""

from __future__ import annotations

from typing import Any

import pandas as pd

from collate import measures as m
from collate.analysis.model import FOUNDATION_KEYS, Analysis


def _foundations(an: Analysis) -> None:
    short = {la.name: la.short_name for la in an.settings.local_authorities}
    rows = []
    has_section = any(s.id == "foundations" for s in an.instrument.sections)
    for la in an.las if has_section else []:
        v = an.values[la]
        rows.append(
            {
                "la": la,
                "short_name": short[la],
                **{k: v.get(f"foundations.{k}", "") for k in FOUNDATION_KEYS},
            }
        )
    an.foundations = pd.DataFrame(rows, columns=["la", "short_name", *FOUNDATION_KEYS])


def range_text(ranges: m.ScoreRanges) -> str:
    """'Developing 0–10; Established 11–18; Leading 19–22' (empty bands left out)."""
    return "; ".join(
        f"{name} {band[0]}–{band[1]}" for name, band in ranges.as_dict().items() if band
    )


def ranges_compared(pledge, derived: m.ScoreRanges) -> dict[str, Any]:
    """A pledge's derived score ranges beside any the instrument says were published, with
    which were used and why (the derived ones, always: they follow from the criteria)."""
    row: dict[str, Any] = {
        "pledge": pledge.number,
        "pledge_title": pledge.title,
        "derived_ranges": range_text(derived),
        "published_ranges": "",
        "agree": "",
        "ranges_used": "derived",
        "why": "Derived from the levels each criterion offers, by the Standard's method.",
    }
    if pledge.published_ranges is None:
        return row
    pub = pledge.published_ranges
    published = m.ScoreRanges(
        developing=tuple(pub.developing),
        established=tuple(pub.established) if pub.established else None,
        leading=tuple(pub.leading) if pub.leading else None,
    )
    row["published_ranges"] = range_text(published)
    row["published"] = published
    if published == derived:
        row["agree"] = "yes"
        row["why"] = "The published ranges follow from the criteria: the two are the same."
    else:
        row["agree"] = "no"
        row["why"] = (
            "The published ranges do not follow from the criteria as printed, which give "
            f"{range_text(derived)} by the published method; levels here use the ranges "
            "derived from the criteria, so that every level can be reproduced from the answers."
            + (f" {pledge.published_ranges_note}" if pledge.published_ranges_note else "")
        )
    return row


def _scores(an: Analysis) -> None:
    points = an.instrument.level_points()
    names = {p: n for n, p in points.items()}
    rows, crit_rows, range_rows = [], [], []
    for pledge in an.instrument.pledges:
        offered = [
            frozenset(points[lv] for lv in c.level.choices if points[lv] > 0)
            for c in pledge.criteria
        ]
        ranges = m.score_ranges(offered)
        compared = ranges_compared(pledge, ranges)
        published = compared.pop("published", None)
        range_rows.append(compared)
        ranges_shown = range_text(ranges)
        for la in an.las:
            v = an.values[la]
            answers = [
                points.get(v.get(c.level.id)) if v.get(c.level.id) else None
                for c in pledge.criteria
            ]
            score = m.score_pledge(answers, offered)
            # Where published ranges differ from the derived ones, the level they would give.
            other = ""
            if published is not None and published != ranges and score.level:
                try:
                    other = m.level_for(score.points, published)
                except ValueError:  # beyond the published maximum
                    other = f"above the published maximum of {published.max_points}"
            rows.append(
                {
                    "la": la,
                    "pledge": pledge.number,
                    "pledge_title": pledge.title,
                    "points": score.points,
                    "max_points": score.max_points,
                    "level": score.level or "",
                    "ranges": ranges_shown,
                    "note": score.reason or "",
                    "level_by_published_ranges": other,
                }
            )
            for c, ans in zip(pledge.criteria, answers, strict=True):
                crit_rows.append(
                    {
                        "la": la,
                        "pledge": pledge.number,
                        "criterion": c.ref,
                        "criterion_text": c.text,
                        "level": names.get(ans, "") if ans is not None else "",
                        "points": ans if ans is not None else "",
                        "example": v.get(c.example.id, "") if c.example is not None else "",
                        "evidence": v.get(c.evidence.id, ""),
                    }
                )
    an.scores = pd.DataFrame(
        rows,
        columns=[
            "la",
            "pledge",
            "pledge_title",
            "points",
            "max_points",
            "level",
            "ranges",
            "note",
            "level_by_published_ranges",
        ],
    )
    an.ranges = pd.DataFrame(
        range_rows,
        columns=[
            "pledge",
            "pledge_title",
            "derived_ranges",
            "published_ranges",
            "agree",
            "ranges_used",
            "why",
        ],
    )
    an.criteria = pd.DataFrame(
        crit_rows,
        columns=[
            "la",
            "pledge",
            "criterion",
            "criterion_text",
            "level",
            "points",
            "example",
            "evidence",
        ],
    )
