"""Charts for the report, drawn with matplotlib from the published (suppressed) frames only.

Every chart returns PNG bytes with a title and a description for its alt text. Nothing is said
by colour alone: bars carry hatching and value labels, markers differ in shape as well as colour,
and the band of acceptable values is labelled in words.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from collate.report import numbers as fmt  # noqa: E402

PALETTE = ["#1F4E5A", "#D98E04", "#6A8EAE", "#9C4F96", "#3E7C17", "#8C2D04"]
HATCHES = ["", "//", "..", "xx", "\\\\", "--"]
plt.rcParams.update(
    {
        "font.family": "sans-serif",
        "font.sans-serif": ["Liberation Sans", "Arial", "Helvetica", "DejaVu Sans"],
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


@dataclass(frozen=True)
class Chart:
    png: bytes
    title: str
    description: str
    width_cm: float


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def over_representation(
    rows: list[dict], stages: list[tuple[str, str]], threshold: float, width_cm: float = 16.0
) -> Chart | None:
    """Grouped bars: in how many LAs each group is over-represented at each stage.

    rows: dicts with stage, group, n_over, n_with_data (the analysis's cf_over_counts).
    """
    if not rows:
        return None
    groups = list(dict.fromkeys(r["group"] for r in rows))
    stage_ids = [s for s, _ in stages if any(r["stage"] == s for r in rows)]
    labels = {s: label for s, label in stages}
    by = {(r["stage"], r["group"]): r for r in rows}
    height = 0.9 + 0.42 * len(groups) * len(stage_ids) / 2
    fig, ax = plt.subplots(figsize=(width_cm / 2.54, max(3.5, height)))
    bar_h = 0.8 / len(groups)
    y_ticks = []
    for i, stage in enumerate(stage_ids):
        centre = len(stage_ids) - 1 - i
        y_ticks.append(centre)
        for j, g in enumerate(groups):
            r = by.get((stage, g))
            if not r:
                continue
            y = centre + 0.4 - bar_h * (j + 0.5)
            ax.barh(
                y,
                r["n_over"],
                height=bar_h * 0.9,
                color=PALETTE[j % len(PALETTE)],
                hatch=HATCHES[j % len(HATCHES)],
                edgecolor="white",
                label=g if i == 0 else None,
            )
            ax.text(
                r["n_over"] + 0.1,
                y,
                f"{r['n_over']} of {r['n_with_data']}",
                va="center",
                fontsize=6,
            )
    ax.set_yticks(y_ticks, [_wrap(labels[s], 22) for s in stage_ids])
    most = max(r["n_with_data"] for r in rows)
    ax.set_xlim(0, most + 1.6)
    ax.set_xlabel(
        f"Number of LAs where the group is clearly over-represented "
        f"(ratio of {fmt.ratio(threshold)} or more, 95% interval above 1)"
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=7.5, frameon=False)
    title = "LAs where each ethnic group is clearly over-represented, by stage"
    parts = []
    for stage in stage_ids:
        found = [
            f"{g} {by[(stage, g)]['n_over']} of {by[(stage, g)]['n_with_data']}"
            for g in groups
            if (stage, g) in by
        ]
        parts.append(f"{labels[stage]}: " + ", ".join(found))
    desc = (
        f"Bar chart of the number of LAs in which each ethnic group is clearly "
        f"over-represented (representation ratio of {fmt.ratio(threshold)} or more with its "
        "95% confidence interval above 1), by stage. " + "; ".join(parts) + "."
    )
    return Chart(_png(fig), title, desc, width_cm)


def regional_ratios(
    rows: list[dict], stages: list[tuple[str, str]], threshold: float, width_cm: float = 16.0
) -> Chart | None:
    """Regional representation ratio of each group at each stage, with the threshold marked.

    rows: dicts with stage, group, representation_ratio for the region row (published).
    """
    rows = [r for r in rows if r.get("representation_ratio") is not None]
    if not rows:
        return None
    groups = list(dict.fromkeys(r["group"] for r in rows))
    stage_ids = [s for s, _ in stages if any(r["stage"] == s for r in rows)]
    labels = {s: label for s, label in stages}
    by = {(r["stage"], r["group"]): r["representation_ratio"] for r in rows}
    fig, ax = plt.subplots(figsize=(width_cm / 2.54, 3.4 + 0.25 * len(groups)))
    width = 0.8 / len(stage_ids)
    for j, stage in enumerate(stage_ids):
        xs, ys = [], []
        for i, g in enumerate(groups):
            if (stage, g) in by:
                xs.append(i - 0.4 + width * (j + 0.5))
                ys.append(by[(stage, g)])
        ax.bar(
            xs,
            ys,
            width=width * 0.92,
            color=PALETTE[j % len(PALETTE)],
            hatch=HATCHES[j % len(HATCHES)],
            edgecolor="white",
            label=labels[stage],
        )
    ax.axhline(1.0, color="#404040", linewidth=0.8, label="1.00: equal to share of children")
    ax.axhline(
        threshold,
        color="#A00000",
        linewidth=1,
        linestyle="--",
        label=f"{fmt.ratio(threshold)}: threshold for over-representation",
    )
    ax.set_xticks(range(len(groups)), [_wrap(g, 16) for g in groups], fontsize=7.5)
    ax.set_ylabel("Representation ratio (share at stage ÷ share of children)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=7.5, frameon=False)
    title = "Representation ratio by ethnic group and stage, all returning LAs"
    parts = []
    for g in groups:
        vals = [f"{labels[s]} {fmt.ratio(by[(s, g)])}" for s in stage_ids if (s, g) in by]
        parts.append(f"{g}: " + ", ".join(vals))
    desc = (
        f"Bar chart of the representation ratio of each ethnic group at each stage for all "
        f"returning LAs together, against the threshold of {fmt.ratio(threshold)}. "
        + "; ".join(parts)
        + "."
    )
    return Chart(_png(fig), title, desc, width_cm)


def likelihoods(
    rows: list[dict],
    indicators: list[tuple[str, str]],
    places: list[str],
    band: tuple[float, float],
    width_cm: float = 16.0,
) -> Chart | None:
    """Dot plots, one panel per relative-likelihood indicator, with the band shaded and labelled
    and each likelihood's 95% confidence interval drawn as a line through its dot.

    rows: dicts with la, indicator, value, low, high, in_band, finding and reason (published);
    places: LAs then the region. A withheld or missing likelihood is not drawn, and the description
    says why it is missing rather than naming a band.
    """
    every = {(r["la"], r["indicator"]): r for r in rows}
    rows = [r for r in rows if not fmt.is_missing(r.get("value"))]
    if not rows:
        return None
    inds = [(i, n) for i, n in indicators if any(r["indicator"] == i for r in rows)]
    ncols = 2
    nrows = (len(inds) + 1) // 2
    many = len(places) > 30
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(width_cm / 2.54, nrows * (0.5 + 0.2 * min(len(places), 16))),
        sharey=True,
        squeeze=False,
    )
    lo, hi = band
    by = {(r["la"], r["indicator"]): r for r in rows}
    ys = {p: len(places) - 1 - k for k, p in enumerate(places)}
    for ax, (ind, name) in zip(axes.flat, inds, strict=False):
        # The axis reaches past every likelihood, so no dot is ever moved off its value; only
        # an interval's far end may run on past the edge (drawn with an arrowhead).
        values = [by[(p, ind)]["value"] for p in places if (p, ind) in by]
        highs = [
            by[(p, ind)]["high"]
            for p in places
            if (p, ind) in by and not fmt.is_missing(by[(p, ind)].get("high"))
        ]
        top = max(hi * 1.3 * 1.15, max(values) * 1.15, min(max(highs, default=0), 2.5) * 1.05)
        ax.axvspan(lo, hi, color="#E6E6E6", zorder=0)
        ax.axvline(1.0, color="#808080", linewidth=0.6, zorder=1)
        for p in places:
            r = by.get((p, ind))
            if r is None:
                # Not a gap without a reason: the row says why there is no dot.
                why = every.get((p, ind))
                symbol = fmt.missing_symbol(why.get("reason")) if why else fmt.NOT_AVAILABLE
                ax.text(top * 0.02, ys[p], symbol, fontsize=6, color="#595959", va="center")
                continue
            inside = r["in_band"] == "yes"
            colour = PALETTE[0] if inside else "#A00000"
            x = min(r["value"], top * 0.97)
            if not fmt.is_missing(r.get("low")) and not fmt.is_missing(r.get("high")):
                ax.plot(
                    [min(r["low"], top * 0.97), min(r["high"], top * 0.97)],
                    [ys[p], ys[p]],
                    color=colour,
                    linewidth=0.9,
                    zorder=2,
                )
                if r["high"] > top * 0.97:  # the interval runs on past the edge
                    ax.plot(top * 0.97, ys[p], marker=">", markersize=3, color=colour, zorder=2)
            ax.plot(
                x,
                ys[p],
                marker="o" if inside else "D",
                markersize=4.5,
                color=colour,
                markerfacecolor=colour if inside else "white",
                zorder=3,
            )
            if many and p != places[-1]:
                continue
            ax.text(
                x,
                ys[p] + 0.3,
                fmt.ratio(r["value"]) + ("" if x == r["value"] else " →"),
                fontsize=5.5,
                ha="center",
                va="bottom",
            )
        ax.set_title(_wrap(f"{ind}. {name}", 46), fontsize=8)
        ax.set_xlim(0, top)
        ax.set_ylim(-0.7, len(places) - 0.2)
        if many:  # too many LAs to name: dots only, the region named
            ax.set_yticks([ys[places[-1]]], [places[-1]], fontsize=7)
        else:
            ax.set_yticks(list(ys.values()), list(ys.keys()), fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], marker="o", linestyle="", color=PALETTE[0], label="within the band"),
        Line2D(
            [],
            [],
            marker="D",
            linestyle="",
            color="#A00000",
            markerfacecolor="white",
            label="outside the band",
        ),
        Line2D([], [], color="#808080", linewidth=0.9, label="95% confidence interval"),
        Patch(color="#E6E6E6", label=f"non-adverse band {fmt.band_text(band)}"),
        Patch(color="none", label="[c] withheld (small numbers), [x] not available"),
    ]
    spare = list(axes.flat)[len(inds) :]
    for ax in spare:
        ax.axis("off")
    if spare:
        spare[0].legend(
            handles=handles,
            loc="center",
            fontsize=7.5,
            frameon=False,
            title="Minority ethnic ÷ white",
            title_fontsize=7.5,
        )
        fig.tight_layout()
    else:
        fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=7.5, frameon=False)
        # Room below the panels for the legend's two rows, so it never covers an axis.
        fig.tight_layout(rect=(0, 0.09 / nrows, 1, 1))
    title = "SC-WRES relative likelihoods by LA, with the non-adverse band"
    parts = []
    for ind, name in inds:
        vals = [f"{p} {_likelihood_words(every[(p, ind)])}" for p in places if (p, ind) in every]
        parts.append(f"{name}: " + "; ".join(vals))
    desc = (
        f"Dot plots of relative likelihoods (minority ethnic ÷ white) for each LA and the "
        f"region, each with its 95% confidence interval, with the {fmt.band_text(band)} "
        "non-adverse band shaded. " + ". ".join(parts) + "."
    )
    return Chart(_png(fig), title, desc, width_cm)


def _likelihood_words(r: dict) -> str:
    """One likelihood for alt text: its value, interval and finding, or why it is missing."""
    if fmt.is_missing(r.get("value")):
        if fmt.missing_symbol(r.get("reason")) == fmt.WITHHELD:
            return "withheld (small numbers)"
        return f"not available ({r.get('reason') or 'no figure'})"
    text = fmt.ratio(r["value"])
    if not fmt.is_missing(r.get("low")) and not fmt.is_missing(r.get("high")):
        text += f" (95% interval {fmt.ratio(r['low'])} to {fmt.ratio(r['high'])})"
    finding = r.get("finding") or ""
    if finding:
        text += f", {finding}"
    return text


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)
