"""The report's tables, built from the analysis's published frames.

Each builder returns a `TableData`: header rows, body rows of `Cell`s, relative column widths and
a note. Every figure goes through `collate.report.numbers`, so it reads exactly as in
collated.xlsx's published sheets. LAs with no usable return have no row: they are named in the
text instead, never shown as zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from collate.analysis.model import EXIT_ALL_ASKED, REGION, Analysis
from collate.measures import SUPPRESSED
from collate.measures.workforce import (
    CLEARLY_HIGHER,
    CLEARLY_LOWER,
    TOO_FEW_TO_BE_SURE,
    WITHIN_BAND,
)
from collate.report import numbers as fmt
from collate.report.facts import likelihood_text
from collate.report.summary import count_of
from collate.report.table_words import TableWords
from collate.report.words import names, short_names

LEVEL_SHADES = {"Leading": "9DC3CC", "Established": "D2E4E8", "Developing": "F2F2F2"}
OVER_SHADE = "F4D6C6"
OUTSIDE_SHADE = "F4D6C6"
RELATIVE = ("2", "3", "4", "5", "8")
SURVEY = ("6", "7a", "7b")
#: How each finding of a relative likelihood reads in a table cell (None: nothing added).
FINDING_WORDS = {
    CLEARLY_HIGHER: "clearly higher",
    CLEARLY_LOWER: "clearly lower",
    TOO_FEW_TO_BE_SURE: "outside band",
}


@dataclass
class Cell:
    text: str
    bold: bool = False
    shade: str | None = None
    align: str = "left"  # left, right, center


@dataclass
class HeaderCell:
    text: str | None  # None: merged with the cell above
    span: int = 1


@dataclass
class TableData:
    caption: str
    header: list[list[HeaderCell]]
    rows: list[list[Cell]]
    widths: list[float]
    note: str | None = None
    font_size: float | None = None
    description: str = ""
    empty_text: str = "No figures to show."
    meta: dict[str, Any] = field(default_factory=dict)


def _h(*texts: str) -> list[HeaderCell]:
    return [HeaderCell(t) for t in texts]


def _num(text: str, **kw) -> Cell:
    return Cell(text, align="right", **kw)


def returns_table(an: Analysis) -> TableData:
    rows = []
    for la in an.expected:
        status = an.not_usable.get(la)
        text = "Return used" if status is None else f"{status.capitalize()}: figures left out"
        rows.append([Cell(la, bold=True), Cell(text, bold=status is not None)])
    words = TableWords(an, "returns")
    return TableData(
        words.caption(),
        [_h("Local authority", "Return")],
        rows,
        [2, 3],
        note=words.note(),
        description=words.description(),
    )


def snapshot_a(an: Analysis, facts: dict) -> TableData:
    f = facts["found"]
    words = TableWords(an, "snapshot_a")

    def listing(groups: dict[str, list[str]], labels: dict[str, str]) -> str:
        parts = [f"{labels.get(k, k)}: {names(v)}." for k, v in groups.items() if v]
        return " ".join(parts)

    n = facts["n_las"]
    pledge = f["pledge"]
    if len(pledge.get("Yes", [])) == n:
        pledge_text = words.say("pledge_all", n=n)
    else:
        pledge_text = listing(
            pledge, {"Yes": "Adopted", "In development": "In development", "No": "Not adopted"}
        )
    scwres = listing(f["scwres"], {"Yes": "Yes", "Planned for this year": "Planned", "No": "No"})
    edi_yes = f["edi"].get("Yes", [])
    edi = words.say("edi_present", n_edi=len(edi_yes), las=count_of(n, "LA"))
    if f["edi"].get("In development"):
        edi += f" In development: {names(f['edi']['In development'])}."
    if f["edi"].get("No"):
        edi += f" None: {names(f['edi']['No'])}."
    if facts["cs_titles"]:
        titles = "; ".join(f"{la} ({t})" for la, t in facts["cs_titles"])
        edi += " " + words.say("cs_strategies", titles=titles)
    rows = [
        [Cell("Eastern Region Anti-Racist Pledge", bold=True), Cell(pledge_text)],
        [Cell("SC-WRES/WRES participation", bold=True), Cell(scwres)],
        [Cell("Corporate EDI strategies", bold=True), Cell(edi)],
    ]
    return TableData(
        words.caption(),
        [_h("Area", "Regional position")],
        rows,
        [1.3, 3.7],
        note=words.note(),
        description=words.description(),
    )


def snapshot_b(an: Analysis) -> TableData:
    short = short_names(an)
    rows = [
        [
            Cell(short[r.la], bold=True),
            Cell(str(r.induction_status or "No answer")),
            Cell(str(r.induction_description or "")),
        ]
        for r in an.foundations.itertuples()
    ]
    words = TableWords(an, "snapshot_b")
    return TableData(
        words.caption(),
        [_h("Authority", "Induction status", "What the LA told us")],
        rows,
        [1.2, 1.6, 3.2],
        note=words.note(),
        description=words.description(),
    )


def snapshot_c(an: Analysis, facts: dict) -> TableData:
    rows = [
        [Cell(level, bold=True), Cell(names(las) if las else "None")]
        for level, las in facts["found"]["procurement"].items()
    ]
    words = TableWords(an, "snapshot_c")
    return TableData(
        words.caption(),
        [_h("Alignment level", "Authorities")],
        rows,
        [2, 3],
        note=words.note(),
        description=words.description(),
    )


def score_cell(level: str, points: Any, max_points: Any) -> str:
    words = level or "Not scored"
    return f"{words}\n{fmt.count(points)} of {fmt.count(max_points)}"


def scores_table(an: Analysis) -> TableData:
    short = short_names(an)
    pledges = an.instrument.pledges
    unit = pledges[0].unit.lower() if pledges else "pledge"
    header = [
        [HeaderCell("Local authority")] + [HeaderCell(f"{p.number}. {p.title}") for p in pledges]
    ]
    rows = []
    s = an.scores.set_index(["la", "pledge"])
    notes = []
    for la in an.las:
        row = [Cell(short[la], bold=True)]
        for p in pledges:
            r = s.loc[(la, p.number)]
            row.append(
                Cell(
                    score_cell(r["level"], r["points"], r["max_points"]),
                    shade=LEVEL_SHADES.get(r["level"]),
                    align="center",
                )
            )
            if r["note"]:
                notes.append(f"{short[la]}, {unit} {p.number}: {r['note']}")
        rows.append(row)
    ranges = list(dict.fromkeys(an.scores["ranges"]))
    if len(ranges) > 1:  # ranges differ between pledges: say whose are whose
        by_pledge = dict(zip(an.scores["pledge"], an.scores["ranges"], strict=True))
        ranges = [f"{pledges[0].unit} {n}: {r}" for n, r in by_pledge.items()]
    words = TableWords(an, "scores")
    note = words.note(ranges=" / ".join(ranges), unit=unit) or ""
    if notes:
        note += " " + "; ".join(notes) + "."
    return TableData(
        words.caption(unit=unit),
        header,
        rows,
        [2.2] + [1.6] * len(pledges),
        note=note.strip() or None,
        font_size=8,
        description=words.description(unit=unit),
    )


def _stage_measures(an: Analysis, stage: str) -> dict[tuple[str, str], dict]:
    m = an.cf_measures_published
    part = m[m["stage"] == stage]
    return {(r["la"], r["group"]): r for r in part.to_dict("records")}


def _basis(an: Analysis) -> str:
    return an.denominator.short_name if an.denominator else "see the notes on method"


def cf_stage_table(an: Analysis, stage: str) -> TableData | None:
    if stage not in an.cf_published:
        return None
    label = next(lbl for s, lbl, _ in an.stages if s == stage)
    frame = an.cf_published[stage]
    measures = _stage_measures(an, stage)
    rates = an.cf_rates_published
    rates = (
        {r["la"]: r for r in rates[rates["stage"] == stage].to_dict("records")}
        if not rates.empty
        else {}
    )
    known = [g for g in an.groups if g not in an.instrument.ethnicity.not_known_groups]
    unknown = [g for g in an.groups if g in an.instrument.ethnicity.not_known_groups]
    short = short_names(an)
    top = [HeaderCell("Local authority"), HeaderCell("All children", span=2)]
    top += [HeaderCell(g, span=2) for g in known] + [HeaderCell(g) for g in unknown]
    second = [HeaderCell(None), HeaderCell("Count"), HeaderCell("Per 10,000")]
    for _ in known:
        second += [HeaderCell("Count"), HeaderCell("Ratio")]
    second += [HeaderCell(None) for _ in unknown]
    rows = []
    for la in frame.index:
        name = "All returning LAs" if la == REGION else short.get(la, la)
        rate = rates.get(la, {})
        row = [
            Cell(name, bold=True),
            _num(fmt.count(frame.loc[la, "All children"])),
            _num(fmt.rate(rate.get("rate_per_10k"), rate.get("reason"))),
        ]
        for g in known:
            row.append(_num(fmt.count(frame.loc[la, g])))
            mr = measures.get((la, g), {})
            text = fmt.ratio(mr.get("representation_ratio"), mr.get("reason"))
            over = mr.get("over_represented") == "yes"
            unsure = mr.get("flag") == "higher, but too few to be sure"
            mark = "*" if over else ("†" if unsure else "")
            row.append(_num(text + mark, bold=over, shade=OVER_SHADE if over else None))
        for g in unknown:
            row.append(_num(fmt.count(frame.loc[la, g])))
        rows.append(row)
    words = TableWords(an, "cf_stage")
    values = {"stage": label, "basis": _basis(an), "threshold": fmt.ratio(an.threshold)}
    return TableData(
        words.caption(**values),
        [top, second],
        rows,
        [2.6, 1.35, 1.35] + [1.15, 1.05] * len(known) + [1.3] * len(unknown),
        note=words.note(**values),
        font_size=7.5,
        description=words.description(**values),
        meta={"stage": stage},
    )


def cf_over_table(an: Analysis) -> TableData:
    oc = an.cf_over_counts
    stages = [(s, lbl) for s, lbl, _ in an.stages if s in an.cf_published]
    header = [[HeaderCell("Ethnic group")] + [HeaderCell(lbl) for _, lbl in stages]]
    by = {(r.stage, r.group): r for r in oc.itertuples()}
    rows = []
    for g in dict.fromkeys(oc["group"]):
        row = [Cell(g, bold=True)]
        for s, _ in stages:
            r = by.get((s, g))
            row.append(
                _num(
                    f"{r.n_over} of {r.n_with_data}" if r else fmt.NOT_AVAILABLE,
                    bold=bool(r and r.n_with_data and r.n_over > r.n_with_data / 2),
                )
            )
        rows.append(row)
    words = TableWords(an, "cf_over")
    eth = an.instrument.ethnicity
    values = {
        "threshold": fmt.ratio(an.threshold),
        "global_majority": eth.global_majority_label,
        "white_groups": names(list(eth.white_groups)),
    }
    return TableData(
        words.caption(**values),
        header,
        rows,
        [2.4] + [1.3] * len(stages),
        note=words.note(**values),
        font_size=8,
        description=words.description(**values),
    )


def cf_quality_table(an: Analysis) -> TableData:
    q = an.cf_quality
    stages = [(s, lbl) for s, lbl, _ in an.stages if s in an.cf_published]
    short = short_names(an)
    header = [[HeaderCell("Local authority")] + [HeaderCell(lbl) for _, lbl in stages]]
    by = {(r["la"], r["stage"]): r for r in q.to_dict("records")}
    rows = []
    for la in dict.fromkeys(q["la"]):
        row = [Cell(short.get(la, la), bold=True)]
        for s, _ in stages:
            r = by.get((la, s))
            if r is None:
                row.append(_num(fmt.NOT_AVAILABLE))
                continue
            n = r["refused_or_not_obtained"]
            # A percentage is withheld when its count or the stage's total is withheld.
            withheld = fmt.count(n) == fmt.WITHHELD or fmt.count(r["children"]) == fmt.WITHHELD
            reason = "small numbers" if withheld else None
            pct = fmt.percent(r["percent"], reason)
            row.append(_num(f"{fmt.count(n)} ({pct}{'%' if pct[0].isdigit() else ''})"))
        rows.append(row)
    words = TableWords(an, "cf_quality")
    return TableData(
        words.caption(),
        header,
        rows,
        [2.4] + [1.3] * len(stages),
        note=words.note(),
        font_size=8,
        description=words.description(),
    )


def _is_clear(r: dict) -> bool:
    return r.get("finding") in (CLEARLY_HIGHER, CLEARLY_LOWER)


def _wres_cell(r: dict | None) -> Cell:
    if r is None:
        return _num(fmt.NOT_AVAILABLE)
    if r["measure"] == "relative likelihood":
        text = likelihood_text(r, "\n")
        words = FINDING_WORDS.get(r.get("finding"))
        if words:
            text += "\n" + words
        clear = _is_clear(r)
        return _num(text, bold=clear, shade=OUTSIDE_SHADE if clear else None)
    kind = "percent" if r["measure"].startswith("%") else "points"
    return _num(fmt.fmt(r["value"], kind, r["reason"]))


def _wres_index(an: Analysis) -> dict[tuple[str, str], dict]:
    """Each place's figure for each indicator: the relative likelihood where there is one."""
    out = {}
    for r in an.wres_published.to_dict("records"):
        ind = r["indicator"]
        if ind == "1" and not str(r["indicator_name"]).endswith("whole workforce"):
            continue  # pay bands are in collated.xlsx; the report shows the whole workforce
        if ind in SURVEY and r["measure"] != "relative likelihood":
            continue  # the gap in points is in the staff survey table
        out[(r["la"], ind)] = r
    return out


def _survey_gaps(an: Analysis) -> dict[tuple[str, str], dict]:
    w = an.wres_published
    return {
        (r["la"], r["indicator"]): r
        for r in w.to_dict("records")
        if r["indicator"] in SURVEY and r["measure"] == "percentage points"
    }


def short_indicator(an: Analysis, indicator: str) -> str:
    """An SC-WRES indicator's short name for a table column (workforce.yaml's `indicators`)."""
    return an.instrument.indicators[indicator].short


def wres_indicators(an: Analysis) -> list[str]:
    present = set(an.wres_published["indicator"]) if not an.wres_published.empty else set()
    return [i for i in an.instrument.indicators if i in present]  # in their own order


def _places(an: Analysis) -> list[str]:
    return [p for p in dict.fromkeys(an.wres_published["la"]) if p != REGION]


def wres_table(an: Analysis) -> TableData | None:
    if an.wres_published.empty:
        return None
    by = _wres_index(an)
    inds = [i for i in wres_indicators(an) if i not in SURVEY]
    short = short_names(an)
    places = _places(an)
    header = [
        [HeaderCell("Local authority")]
        + [HeaderCell(f"{i}. {short_indicator(an, i)}") for i in inds]
    ]
    rows = []
    for p in [*places, REGION]:
        row = [Cell("Region (all returning LAs)" if p == REGION else short.get(p, p), bold=True)]
        row += [_wres_cell(by.get((p, i))) for i in inds]
        rows.append(row)
    words = TableWords(an, "wres")
    return TableData(
        words.caption(),
        header,
        rows,
        [2.6] + [1.45] * len(inds),
        note=words.note(band=fmt.band_text(an.band)),
        font_size=7.5,
        description=words.description(),
    )


def wres_survey_table(an: Analysis) -> TableData | None:
    """Indicators 6 and 7 by LA: the relative likelihood (with its interval) and the gap."""
    if an.wres_published.empty:
        return None
    inds = [i for i in wres_indicators(an) if i in SURVEY]
    if not inds:
        return None
    by = _wres_index(an)
    gaps = _survey_gaps(an)
    short = short_names(an)
    top = [HeaderCell("Local authority")]
    top += [HeaderCell(f"{i}. {short_indicator(an, i)}", span=2) for i in inds]
    second = [HeaderCell(None)] + _h("Relative likelihood", "Gap (points)") * len(inds)
    rows = []
    for p in _places(an):
        if not any((p, i) in by for i in inds):
            continue
        row = [Cell(short.get(p, p), bold=True)]
        for i in inds:
            row.append(_wres_cell(by.get((p, i))))
            gap = gaps.get((p, i))
            row.append(_num(fmt.points(gap["value"], gap["reason"]) if gap else fmt.NOT_AVAILABLE))
        rows.append(row)
    words = TableWords(an, "wres_survey")
    return TableData(
        words.caption(),
        [top, second],
        rows,
        [2.6] + [1.5, 1.1] * len(inds),
        note=words.note(),
        font_size=7.5,
        description=words.description(),
    )


def _events_text(value: object) -> str:
    """'961 of 3,766' (counts with thousands separators, as everywhere in the report), a
    share as given, a withheld figure as its symbol."""
    text = "" if fmt.is_missing(value) else str(value)
    if text == SUPPRESSED:
        return fmt.WITHHELD
    return re.sub(r"(?<![\d.,])\d{4,}(?![\d.,])", lambda m: fmt.count(m.group()), text)


def wres_region_table(an: Analysis) -> TableData | None:
    if an.wres_published.empty:
        return None
    by = _wres_index(an)
    rows = []
    findings = {
        WITHIN_BAND: "Within band",
        CLEARLY_HIGHER: "Outside band: clearly higher",
        CLEARLY_LOWER: "Outside band: clearly lower",
        TOO_FEW_TO_BE_SURE: "Outside band: too few to be sure",
    }
    for i in wres_indicators(an):
        r = by.get((REGION, i))
        if r is None:
            continue
        if r["measure"] == "relative likelihood":
            value = likelihood_text(r)
        else:
            kind = "percent" if r["measure"].startswith("%") else "points"
            value = fmt.fmt(r["value"], kind, r["reason"])
        clear = _is_clear(r)
        rows.append(
            [
                Cell(f"{i}. {r['indicator_name']}"),
                Cell(r["measure"]),
                _num(value, bold=clear),
                Cell(_events_text(r["minority_ethnic"])),
                Cell(_events_text(r["white"])),
                Cell(findings.get(r.get("finding"), ""), bold=clear),
                Cell(str(r["direction"])),
            ]
        )
    words = TableWords(an, "wres_region")
    return TableData(
        words.caption(),
        [
            _h(
                "Indicator",
                "Measure",
                "Value (95% interval)",
                "Minority ethnic",
                "White",
                f"Band {fmt.band_text(an.band)}",
                "Direction",
            )
        ],
        rows,
        [4.0, 1.4, 1.5, 1.2, 1.2, 1.4, 3.0],
        font_size=7.5,
        note=words.note(),
        description=words.description(),
    )


def _group_labels(an: Analysis) -> dict[str, str]:
    return {g.id: g.label for g in an.instrument.ethnicity.workforce_groups}


def exit_region_table(an: Analysis) -> TableData | None:
    e = an.exit_published
    if e.empty:
        return None
    labels = _group_labels(an)
    region = e[e["la"] == REGION]
    groups = list(dict.fromkeys(region["group"]))
    rows = []
    for q in dict.fromkeys(region["question"]):
        part = region[region["question"] == q]
        row = [Cell(str(part["question_label"].iloc[0]))]
        for g in groups:
            r = part[part["group"] == g].iloc[0]
            share = fmt.percent(r["share"], r["reason"])
            # A withheld share is shown as the marker alone: "([c])", never "([c]%)".
            share = f"({share})" if share in (fmt.WITHHELD, fmt.NOT_AVAILABLE) else f"({share}%)"
            row.append(_num(f"{fmt.count(r['yes'])} of {fmt.count(r['base'])}\n{share}"))
        rows.append(row)
    words = TableWords(an, "exit_region")
    return TableData(
        words.caption(),
        [[HeaderCell("Question")] + [HeaderCell(labels.get(g, g)) for g in groups]],
        rows,
        [4.0] + [1.6] * len(groups),
        font_size=8,
        note=words.note(),
        description=words.description(),
    )


def exit_la_table(an: Analysis) -> TableData | None:
    e = an.exit_published
    if e.empty:
        return None
    labels = _group_labels(an)
    short = short_names(an)
    groups = [g for g in ("minority_ethnic", "white") if g in set(e["group"])]
    questions = list(dict.fromkeys(e["question"]))
    qlabels = dict(zip(e["question"], e["question_label"], strict=False))
    asked_all = [q for q in questions if (e[e["question"] == q]["asked"] == EXIT_ALL_ASKED).all()]
    top = [HeaderCell("Local authority"), HeaderCell("Leavers interviewed", span=len(groups))]
    top += [HeaderCell(qlabels[q] + " (%)", span=len(groups)) for q in questions]
    second = [HeaderCell(None)] + [HeaderCell(labels[g]) for g in groups] * (1 + len(questions))
    by = {(r["la"], r["question"], r["group"]): r for r in e.to_dict("records")}
    rows = []
    for la in dict.fromkeys(e["la"]):
        name = "Region (all returning LAs)" if la == REGION else short.get(la, la)
        row = [Cell(name, bold=True)]
        for g in groups:
            r = by[(la, (asked_all or questions)[0], g)]
            row.append(_num(fmt.count(r["base"])))
        for q in questions:
            for g in groups:
                r = by[(la, q, g)]
                row.append(_num(fmt.percent(r["share"], r["reason"])))
        rows.append(row)
    n_cols = len(groups) * (1 + len(questions))
    words = TableWords(an, "exit_las")
    return TableData(
        words.caption(),
        [top, second],
        rows,
        [2.6] + [1.2] * n_cols,
        font_size=7.5,
        note=words.note(),
        description=words.description(),
    )


def builders(an: Analysis, facts: dict) -> dict[str, Callable[[], TableData | None]]:
    out: dict[str, Callable[[], TableData | None]] = {
        "returns": lambda: returns_table(an),
        "snapshot_a": lambda: snapshot_a(an, facts),
        "snapshot_b": lambda: snapshot_b(an),
        "snapshot_c": lambda: snapshot_c(an, facts),
        "scores": lambda: scores_table(an),
        "cf_over": lambda: cf_over_table(an),
        "cf_quality": lambda: cf_quality_table(an),
        "wres": lambda: wres_table(an),
        "wres_survey": lambda: wres_survey_table(an),
        "wres_region": lambda: wres_region_table(an),
        "exit_region": lambda: exit_region_table(an),
        "exit_las": lambda: exit_la_table(an),
    }
    for stage, _label, _phrase in an.stages:
        out[f"cf_{stage}"] = lambda stage=stage: cf_stage_table(an, stage)
    return out
