"""The regional dashboard (outputs/dashboard.xlsx): native Excel charts over published figures.

For sharing across the region, so it holds only published (suppressed) figures, with the same
disclosure control as the report: pledge levels, children's representation ratios for the region
by stage, SC-WRES relative likelihoods against the non-adverse band, and, given earlier rounds,
the trends across rounds. A withheld figure is left blank in a chart's data (a gap, never a zero
bar) and marked [c] beside it. Charts are XlsxWriter charts, so they stay live in Excel and
LibreOffice; no text is ever written as a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from collate.analysis.model import REGION, Analysis
from collate.outputs.sheets import SAMPLE_NOTE
from collate.report.numbers import SYMBOLS_KEY, WITHHELD

PUBLISHED = (
    "Published figures only: counts from {lo} to {hi}, and any figure that would reveal one, "
    "are withheld ([c]). Safe to share within the region."
)
LEVELS = ("Developing", "Established", "Leading")
LEVEL_COLOURS = {"Developing": "#F4B183", "Established": "#A9D18E", "Leading": "#548235"}
LIKELIHOODS = {
    "2": "Appointed from shortlisting",
    "3": "Formal disciplinary process",
    "4": "Referred to Social Work England",
    "5": "Non-mandatory training",
    "8": "Leaving",
}
SERIES_COLOURS = ["#1F4E79", "#C55A11", "#7F6000", "#2E75B6", "#A5A5A5", "#70AD47", "#7030A0"]


def _number(x: Any) -> float | None:
    if x is None or isinstance(x, str):
        return None
    try:
        return None if pd.isna(x) else float(x)
    except (TypeError, ValueError):
        return None


class _Dashboard:
    def __init__(self, path: Path, an: Analysis):
        self.an = an
        self.wb = xlsxwriter.Workbook(
            path,
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        wb = self.wb
        self.title = wb.add_format({"bold": True, "font_size": 16, "font_color": "#1F4E79"})
        self.h2 = wb.add_format({"bold": True, "font_size": 12})
        self.banner = wb.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": "#C00000", "text_wrap": False}
        )
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.head = wb.add_format(
            {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.cell = wb.add_format({"border": 1})
        self.ratio = wb.add_format({"border": 1, "num_format": "0.00"})
        self.points = wb.add_format({"border": 1, "num_format": "0.0"})
        self.withheld = wb.add_format({"border": 1, "align": "right", "font_color": "#595959"})
        self.levels = {
            lv: wb.add_format({"border": 1, "bg_color": c, "font_color": "#000000"})
            for lv, c in LEVEL_COLOURS.items()
        }
        lo, hi = an.suppress_from, an.suppress_to
        self.banners = [PUBLISHED.format(lo=lo, hi=hi)] + ([SAMPLE_NOTE] if an.is_sample else [])
        self.short = {la.name: la.short_name for la in an.settings.local_authorities}

    def sheet(self, name: str, heading: str):
        ws = self.wb.add_worksheet(name)
        ws.hide_gridlines(2)
        ws.write_string(0, 0, heading, self.title)
        for i, text in enumerate(self.banners, start=1):
            # Merged across the page, so the whole warning shows however narrow column A is.
            ws.merge_range(i, 0, i, 9, text, self.banner)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        return ws, len(self.banners) + 2

    def chart(self, kind: str, subtype: str | None = None):
        opts = {"type": kind}
        if subtype:
            opts["subtype"] = subtype
        return self.wb.add_chart(opts)

    # --- sheets ---------------------------------------------------------------------------

    def about(self, previous: list[str]) -> None:
        an = self.an
        ws, row = self.sheet("About", f"{an.settings.programme}: regional dashboard")
        lines = [
            f"Round {an.settings.round}: returns from {len(an.las)} of {len(an.expected)} "
            "local authorities"
            + (
                f"; figures for the year ending {an.settings.figures_year_ending:%d %B %Y}."
                if an.settings.figures_year_ending
                else "."
            ),
            "Pledge levels: each council's self-assessed level for each of the pledges, and how "
            "many councils are at each level.",
            "Children: the region's representation ratio for each ethnic group at each stage "
            f"(a group's share at the stage ÷ its share of the child population; "
            f"{an.threshold:g} or more is flagged in the report).",
            "Workforce: SC-WRES relative likelihoods (minority ethnic ÷ white) for each council "
            f"and the region, against the non-adverse band {an.band[0]:.2f} to {an.band[1]:.2f}.",
        ]
        if previous:
            lines.append(
                "Trends: the region's average pledge points and representation ratios in each "
                f"round ({', '.join([*previous, an.settings.round])})."
            )
        lines.append(f"Symbols: {SYMBOLS_KEY}")
        for i, text in enumerate(lines, start=row):
            ws.write_string(i, 0, text)
        ws.set_column(0, 0, 120)

    def pledges(self) -> None:
        an = self.an
        ws, row = self.sheet("Pledge levels", "Pledge levels by council")
        if an.scores.empty:  # no usable return yet: nothing to chart
            ws.write_string(row, 0, "No usable return has been received yet.", self.cell)
            return
        pledges = sorted(an.scores["pledge"].unique())
        titles = dict(zip(an.scores["pledge"], an.scores["pledge_title"], strict=False))
        ws.write_string(row, 0, "Council", self.head)
        for j, p in enumerate(pledges, start=1):
            ws.write_string(row, j, f"Pledge {p}: {titles[p]}", self.head)
        ws.set_row(row, 60)
        ws.set_column(0, 0, 22)
        ws.set_column(1, len(pledges), 14)
        levels = an.scores.set_index(["la", "pledge"])["level"]
        for i, la in enumerate(an.las, start=row + 1):
            ws.write_string(i, 0, self.short.get(la, la), self.cell)
            for j, p in enumerate(pledges, start=1):
                lv = str(levels.get((la, p), "") or "")
                ws.write_string(i, j, lv or "not scored", self.levels.get(lv, self.cell))
        # Councils at each level, by pledge: the chart's data.
        top = row + len(an.las) + 3
        ws.write_string(top - 1, 0, "Councils at each level", self.h2)
        ws.write_string(top, 0, "Pledge", self.head)
        for k, lv in enumerate(LEVELS, start=1):
            ws.write_string(top, k, lv, self.head)
        for i, p in enumerate(pledges, start=top + 1):
            ws.write_string(i, 0, f"Pledge {p}", self.cell)
            part = an.scores[an.scores["pledge"] == p]
            for k, lv in enumerate(LEVELS, start=1):
                ws.write_number(i, k, int((part["level"] == lv).sum()), self.cell)
        chart = self.chart("bar", "stacked")
        last = top + len(pledges)
        for k, lv in enumerate(LEVELS, start=1):
            chart.add_series(
                {
                    "name": ["Pledge levels", top, k],
                    "categories": ["Pledge levels", top + 1, 0, last, 0],
                    "values": ["Pledge levels", top + 1, k, last, k],
                    "fill": {"color": LEVEL_COLOURS[lv]},
                    "border": {"color": "#404040"},
                    "data_labels": {"value": True},
                }
            )
        chart.set_title({"name": "Councils at each level, by pledge", "name_font": {"size": 11}})
        chart.set_x_axis({"name": "Councils", "min": 0, "max": len(an.las), "major_unit": 1})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 720, "height": 420})
        ws.insert_chart(top - 1, len(LEVELS) + 2, chart)
        # Each council's points, pledge by pledge: the chart's data, then a stacked bar chart.
        ptop = max(last + 3, top + 23)
        ws.write_string(ptop - 1, 0, "Points by council and pledge", self.h2)
        ws.write_string(ptop, 0, "Council", self.head)
        for j, p in enumerate(pledges, start=1):
            ws.write_string(ptop, j, f"Pledge {p}", self.head)
        points = an.scores.set_index(["la", "pledge"])["points"]
        for i, la in enumerate(an.las, start=ptop + 1):
            ws.write_string(i, 0, self.short.get(la, la), self.cell)
            for j, p in enumerate(pledges, start=1):
                v = _number(points.get((la, p)))
                if v is None:
                    ws.write_blank(i, j, None, self.cell)
                else:
                    ws.write_number(i, j, v, self.cell)
        plast = ptop + len(an.las)
        chart = self.chart("bar", "stacked")
        for j, p in enumerate(pledges, start=1):
            chart.add_series(
                {
                    "name": ["Pledge levels", ptop, j],
                    "categories": ["Pledge levels", ptop + 1, 0, plast, 0],
                    "values": ["Pledge levels", ptop + 1, j, plast, j],
                    "fill": {"color": SERIES_COLOURS[(j - 1) % len(SERIES_COLOURS)]}
                    if j <= len(SERIES_COLOURS)
                    else {},
                    "border": {"color": "#FFFFFF"},
                    "gap": 40,
                }
            )
        chart.set_title({"name": "Points by council, pledge by pledge", "name_font": {"size": 11}})
        chart.set_x_axis({"name": "Points (all pledges)", "min": 0})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 720, "height": 460})
        ws.insert_chart(plast + 2, 0, chart)

    def children(self) -> None:
        an = self.an
        ws, row = self.sheet("Children", "Children's representation by stage: the region")
        eth = an.instrument.ethnicity
        if eth is None or an.cf_measures_published.empty:
            ws.write_string(row, 0, "No children's figures were returned.", self.note)
            return
        groups = [g for g in an.groups if g not in eth.not_known_groups]
        pub = an.cf_measures_published
        region = pub[pub["la"] == REGION].set_index(["stage", "group"])
        stages = [(s, label) for s, label, _ in an.stages if s in an.cf_counts]
        ws.write_string(row, 0, "Stage", self.head)
        for j, g in enumerate(groups, start=1):
            ws.write_string(row, j, g, self.head)
        ws.set_row(row, 45)
        ws.set_column(0, 0, 34)
        ws.set_column(1, len(groups), 13)
        for i, (stage, label) in enumerate(stages, start=row + 1):
            ws.write_string(i, 0, label, self.cell)
            for j, g in enumerate(groups, start=1):
                v = _number(region["representation_ratio"].get((stage, g)))
                if v is None:
                    ws.write_blank(i, j, None, self.withheld)
                else:
                    ws.write_number(i, j, v, self.ratio)
        last = row + len(stages)
        # The threshold as a line, drawn across the stages.
        tcol = len(groups) + 1
        ws.write_string(row, tcol, f"Threshold ({an.threshold:g})", self.head)
        for i in range(row + 1, last + 1):
            ws.write_number(i, tcol, an.threshold, self.ratio)
        chart = self.chart("column")
        for j, g in enumerate(groups, start=1):
            chart.add_series(
                {
                    "name": ["Children", row, j],
                    "categories": ["Children", row + 1, 0, last, 0],
                    "values": ["Children", row + 1, j, last, j],
                    "fill": {"color": SERIES_COLOURS[(j - 1) % len(SERIES_COLOURS)]},
                    "gap": 80,
                }
            )
        line = self.chart("line")
        line.add_series(
            {
                "name": ["Children", row, tcol],
                "categories": ["Children", row + 1, 0, last, 0],
                "values": ["Children", row + 1, tcol, last, tcol],
                "line": {"color": "#C00000", "dash_type": "dash", "width": 1.5},
                "marker": {"type": "none"},
            }
        )
        chart.combine(line)
        chart.set_title(
            {
                "name": "Representation ratio by stage and ethnic group (region)",
                "name_font": {"size": 11},
            }
        )
        chart.set_y_axis({"name": "Ratio (1.00 = as in the child population)", "min": 0})
        chart.set_legend({"position": "bottom"})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 900, "height": 440})
        ws.insert_chart(last + 2, 0, chart)
        note_row = last + 2 + 23
        ws.write_string(
            note_row,
            0,
            f"Child population: {an.population_basis}. Blank: withheld ({WITHHELD}) or not "
            "available. Each council's figures are in the report's stage tables.",
            self.note,
        )

    def workforce(self) -> None:
        an = self.an
        ws, row = self.sheet("Workforce", "SC-WRES relative likelihoods against the band")
        if an.wres_published.empty:  # no workforce figures (or none in this instrument)
            ws.write_string(row, 0, "No workforce figures were returned.", self.note)
            return
        pub = an.wres_published[an.wres_published["measure"] == "relative likelihood"]
        values = pub.set_index(["la", "indicator"])["value"]
        places = [*an.las, REGION] if (REGION in set(pub["la"])) else list(an.las)
        places = [p for p in places if p in set(pub["la"])]
        # An indicator withheld or not computable everywhere gets no empty chart.
        shown = pub.dropna(subset=["value"])
        indicators = [i for i in LIKELIHOODS if i in set(shown["indicator"].astype(str))]
        lo, hi = an.band
        ws.write_string(row, 0, "Council", self.head)
        col = 1
        cols: dict[str, int] = {}
        for ind in indicators:
            cols[ind] = col
            ws.write_string(row, col, f"{ind}. {LIKELIHOODS[ind]}", self.head)
            ws.write_string(row, col + 1, "", self.head)
            col += 2
        band_lo, band_hi = col, col + 1
        ws.write_string(row, band_lo, f"Band: lower ({lo:.2f})", self.head)
        ws.write_string(row, band_hi, f"Band: upper ({hi:.2f})", self.head)
        ws.set_row(row, 45)
        ws.set_column(0, 0, 22)
        ws.set_column(1, band_hi, 11)
        for i, la in enumerate(places, start=row + 1):
            ws.write_string(i, 0, "Region (all returning LAs)" if la == REGION else self.short.get(la, la))
            for ind in indicators:
                v = _number(values.get((la, ind)))
                if v is None:
                    ws.write_blank(i, cols[ind], None, self.withheld)
                    ws.write_string(i, cols[ind] + 1, WITHHELD, self.withheld)
                else:
                    ws.write_number(i, cols[ind], v, self.ratio)
                    ws.write_blank(i, cols[ind] + 1, None, self.cell)
            ws.write_number(i, band_lo, lo, self.ratio)
            ws.write_number(i, band_hi, hi, self.ratio)
        last = row + len(places)
        chart_row = last + 2
        for n, ind in enumerate(indicators):
            chart = self.chart("column")
            chart.add_series(
                {
                    "name": LIKELIHOODS[ind],
                    "categories": ["Workforce", row + 1, 0, last, 0],
                    "values": ["Workforce", row + 1, cols[ind], last, cols[ind]],
                    "fill": {"color": "#2E75B6"},
                    "points": [None] * (len(places) - 1) + [{"fill": {"color": "#1F4E79"}}],
                    "gap": 60,
                }
            )
            band = self.chart("line")
            for c, name in ((band_lo, "lower"), (band_hi, "upper")):
                band.add_series(
                    {
                        "name": f"Band {name}",
                        "categories": ["Workforce", row + 1, 0, last, 0],
                        "values": ["Workforce", row + 1, c, last, c],
                        "line": {"color": "#C00000", "dash_type": "dash", "width": 1.25},
                        "marker": {"type": "none"},
                    }
                )
            chart.combine(band)
            chart.set_title(
                {
                    "name": f"{ind}. {LIKELIHOODS[ind]} (minority ethnic ÷ white)",
                    "name_font": {"size": 11},
                }
            )
            chart.set_y_axis({"min": 0, "name": "Relative likelihood"})
            chart.set_legend({"none": True})
            chart.show_blanks_as("gap")
            chart.set_size({"width": 620, "height": 300})
            ws.insert_chart(chart_row + (n // 2) * 16, (n % 2) * 7, chart)
        ws.write_string(
            chart_row + ((len(indicators) + 1) // 2) * 16,
            0,
            f"Dashed lines: the non-adverse band {lo:.2f} to {hi:.2f}. A gap: withheld "
            f"({WITHHELD}, small numbers) or not computable.",
            self.note,
        )

    def trends(self, history: list[tuple[str, Analysis]]) -> None:
        an = self.an
        rounds = [*history, (an.settings.round, an)]
        ws, row = self.sheet("Trends", "Trends across rounds: the region")
        pledges = sorted(an.scores["pledge"].unique())
        ws.write_string(row, 0, "Round", self.head)
        for j, p in enumerate(pledges, start=1):
            ws.write_string(row, j, f"Pledge {p}", self.head)
        for i, (name, a) in enumerate(rounds, start=row + 1):
            ws.write_string(i, 0, name, self.cell)
            both = a.scores[a.scores["la"].isin(an.las)]
            for j, p in enumerate(pledges, start=1):
                pts = pd.to_numeric(both.loc[both["pledge"] == p, "points"], errors="coerce")
                if pts.notna().any():
                    ws.write_number(i, j, float(pts.mean()), self.points)
                else:
                    ws.write_blank(i, j, None, self.cell)
        last = row + len(rounds)
        chart = self.chart("line")
        for j, p in enumerate(pledges, start=1):
            chart.add_series(
                {
                    "name": ["Trends", row, j],
                    "categories": ["Trends", row + 1, 0, last, 0],
                    "values": ["Trends", row + 1, j, last, j],
                    "marker": {"type": "circle", "size": 6},
                }
            )
        chart.set_title(
            {"name": "Average pledge points across councils, by round", "name_font": {"size": 11}}
        )
        chart.set_y_axis({"name": "Average points", "min": 0})
        chart.set_legend({"position": "right"})
        chart.set_size({"width": 620, "height": 340})
        ws.insert_chart(row, len(pledges) + 2, chart)
        # Representation ratios for the region, by round, at each stage.
        eth = an.instrument.ethnicity
        groups = [
            g for g in an.groups if g not in eth.not_known_groups and g != eth.reference_group
        ]
        r0 = max(last + 3, row + 19)
        for n, (stage, label, _) in enumerate(s for s in an.stages if s[0] in an.cf_counts):
            top = r0 + n * 20
            ws.write_string(top, 0, label, self.h2)
            ws.write_string(top + 1, 0, "Round", self.head)
            for j, g in enumerate(groups, start=1):
                ws.write_string(top + 1, j, g, self.head)
            ws.set_row(top + 1, 45)
            for i, (name, a) in enumerate(rounds, start=top + 2):
                pub = a.cf_measures_published
                reg = pub[(pub["la"] == REGION) & (pub["stage"] == stage)].set_index("group")
                ws.write_string(i, 0, name, self.cell)
                for j, g in enumerate(groups, start=1):
                    v = _number(reg["representation_ratio"].get(g)) if len(reg) else None
                    if v is None:
                        ws.write_blank(i, j, None, self.withheld)
                    else:
                        ws.write_number(i, j, v, self.ratio)
            end = top + 1 + len(rounds)
            chart = self.chart("line")
            for j, g in enumerate(groups, start=1):
                chart.add_series(
                    {
                        "name": ["Trends", top + 1, j],
                        "categories": ["Trends", top + 2, 0, end, 0],
                        "values": ["Trends", top + 2, j, end, j],
                        "marker": {"type": "circle", "size": 6},
                        "line": {"color": SERIES_COLOURS[(j - 1) % len(SERIES_COLOURS)]},
                        "marker_fill": {"color": SERIES_COLOURS[(j - 1) % len(SERIES_COLOURS)]},
                    }
                )
            chart.set_title(
                {
                    "name": f"{label}: representation ratio by round (region)",
                    "name_font": {"size": 11},
                }
            )
            chart.set_y_axis({"name": "Ratio", "min": 0})
            chart.set_legend({"position": "right"})
            chart.show_blanks_as("gap")
            chart.set_size({"width": 620, "height": 300})
            ws.insert_chart(top, len(pledges) + 2, chart)
        self._wres_trend(ws, rounds, r0 + len(an.stages) * 20, len(pledges) + 2)
        ws.set_column(0, 0, 30)
        ws.set_column(1, max(len(pledges), len(groups), len(LIKELIHOODS) + 2), 13)

    def _wres_trend(self, ws, rounds: list[tuple[str, Analysis]], top: int, chart_col: int) -> None:
        """The region's SC-WRES relative likelihoods in each round (published), with the band."""
        ws.write_string(top, 0, "SC-WRES relative likelihoods (region)", self.h2)
        ws.write_string(top + 1, 0, "Round", self.head)
        inds = list(LIKELIHOODS)
        for j, ind in enumerate(inds, start=1):
            ws.write_string(top + 1, j, f"{ind}. {LIKELIHOODS[ind]}", self.head)
        lo, hi = self.an.band
        ws.write_string(top + 1, len(inds) + 1, f"Band: lower ({lo:.2f})", self.head)
        ws.write_string(top + 1, len(inds) + 2, f"Band: upper ({hi:.2f})", self.head)
        ws.set_row(top + 1, 45)
        for i, (name, a) in enumerate(rounds, start=top + 2):
            pub = a.wres_published
            reg = pub[(pub["la"] == REGION) & (pub["measure"] == "relative likelihood")]
            values = dict(zip(reg["indicator"].astype(str), reg["value"], strict=True))
            ws.write_string(i, 0, name, self.cell)
            for j, ind in enumerate(inds, start=1):
                v = _number(values.get(ind))
                if v is None:
                    ws.write_blank(i, j, None, self.withheld)
                else:
                    ws.write_number(i, j, v, self.ratio)
            ws.write_number(i, len(inds) + 1, lo, self.ratio)
            ws.write_number(i, len(inds) + 2, hi, self.ratio)
        end = top + 1 + len(rounds)
        chart = self.chart("line")
        for j in range(1, len(inds) + 3):
            band = j > len(inds)
            colour = "#C00000" if band else SERIES_COLOURS[(j - 1) % len(SERIES_COLOURS)]
            chart.add_series(
                {
                    "name": ["Trends", top + 1, j],
                    "categories": ["Trends", top + 2, 0, end, 0],
                    "values": ["Trends", top + 2, j, end, j],
                    "line": {"color": colour, "dash_type": "dash" if band else "solid"},
                    "marker": {"type": "none"}
                    if band
                    else {"type": "circle", "size": 6, "fill": {"color": colour}},
                }
            )
        chart.set_title(
            {
                "name": "SC-WRES relative likelihoods by round (region), with the band",
                "name_font": {"size": 11},
            }
        )
        chart.set_y_axis({"name": "Relative likelihood", "min": 0})
        chart.set_legend({"position": "right"})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 620, "height": 300})
        ws.insert_chart(top, chart_col, chart)


def write_dashboard(an: Analysis, out: Path) -> Path:
    """Write out/dashboard.xlsx from the analysis (and `an.progress`, for the trends)."""
    history: list[tuple[str, Analysis]] = []
    progress = getattr(an, "progress", None)
    if progress is not None:
        history = [(r.name, r.analysis) for r in progress.history]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "dashboard.xlsx"
    d = _Dashboard(path, an)
    d.about([name for name, _ in history])
    d.pledges()
    # Only the measures the instrument has (a self-assessment has no children's or workforce
    # figures).
    if not an.cf_measures.empty:
        d.children()
    if not an.wres.empty:
        d.workforce()
    if history:
        d.trends(history)
    d.wb.close()
    return path
