"""Shared practice: the councils' examples, as they wrote them."""

from __future__ import annotations

import pandas as pd

from collate.analysis.model import Analysis


def _sharing(an: Analysis) -> None:
    rows = []
    cats = ["within_organisation", "children_families", "communities", "partners", "research"]
    cat_labels = {
        "within_organisation": "within the organisation",
        "children_families": "with children and families",
        "communities": "with communities",
        "partners": "with partners",
        "research": "through research",
    }
    for la in an.las:
        v = an.values[la]
        for entry in an.instrument.repeats("sharing_practice", "entry"):
            prefix = f"sharing_practice.entry{entry.number}"
            title = v.get(f"{prefix}.title")
            if not title:
                continue
            rows.append(
                {
                    "la": la,
                    "entry": entry.number,
                    "categories": "; ".join(
                        cat_labels[c] for c in cats if v.get(f"{prefix}.{c}") == "Yes"
                    ),
                    **{
                        k: v.get(f"{prefix}.{k}", "")
                        for k in (
                            "title",
                            "description",
                            "impact",
                            "resources",
                            "contact_name",
                            "contact_email",
                        )
                    },
                }
            )
    an.sharing = pd.DataFrame(
        rows,
        columns=[
            "la",
            "entry",
            "categories",
            "title",
            "description",
            "impact",
            "resources",
            "contact_name",
            "contact_email",
        ],
    )
