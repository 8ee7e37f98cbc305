"""collated.xlsx's round sheets: which round it is (so a history of rounds can name it) and,
given an earlier round, the progress since then (unsuppressed, like the rest of the workbook)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from collate.outputs.sheets import SheetWriter
from collate.rounds.history import ABOUT_SHEET, about_rows
from collate.rounds.progress import Progress


def write_round_sheets(
    w: SheetWriter, settings, instrument, progress: Progress | None, banners: Sequence[str]
) -> None:
    """The 'About this round' sheet, then the progress sheets when there is an earlier round."""
    ws = w.wb.add_worksheet(ABOUT_SHEET)
    rows = about_rows(settings, instrument)
    if progress is not None:
        rows.append(("Compared with round", progress.previous_round))
    # The markings first, as on every sheet; then what the history reads back.
    for i, text in enumerate(banners):
        ws.write_string(i, 0, text, w.banner)
    for i, (key, value) in enumerate(rows, start=len(banners) + 1):
        ws.write_string(i, 0, key, w.header)
        ws.write_string(i, 1, value, w.plain)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 40)
    if progress is None:
        return
    since = f"since round {progress.previous_round}"
    w.table(
        "Progress by pledge",
        progress.pledges,
        banners=banners,
        title=f"Each council's points and level for each pledge, {since}",
    )
    w.table(
        "Criteria that moved",
        progress.criteria,
        banners=banners,
        title=f"Each criterion's average points across the region, {since} (councils that "
        "rated it in both rounds; largest movement first)",
        widths={"criterion_text": 50},
        wrap=["criterion_text"],
    )
    w.table(
        "Children trend",
        progress.children,
        banners=banners,
        title=f"Representation ratios with 95% confidence intervals, {since}: {progress.test}",
    )
    w.table(
        "Workforce trend",
        progress.wres,
        banners=banners,
        title=f"SC-WRES relative likelihoods with 95% confidence intervals, {since}: "
        f"{progress.test}",
    )
    w.table(
        "Every round (long)",
        progress.long,
        banners=banners,
        title="Every kept round's measures, one figure a row: insert a pivot table with "
        "round as columns to compare rounds",
        widths={"item_label": 40},
    )
    items = pd.DataFrame(
        [(c.kind, c.item, c.wording) for c in progress.items],
        columns=["change", "item", "wording"],
    )
    w.table(
        "New and retired items",
        items,
        banners=banners,
        title=f"Questions and criteria new, retired or reworded {since} (matched by their "
        "fixed reference, so a reworded criterion is still compared)",
        widths={"wording": 70},
        wrap=["wording"],
    )
