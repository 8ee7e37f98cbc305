"""The report's remaining figure-dependent sentences, chosen and filled here so that
templates/report/report.md.j2 stays readable text with placeholders and simple loops.

Which sentence applies (one return or several, any not received, a figure withheld) is decided
here; the words are in templates/report/wording.yaml (parts `report` and `since`), and every
figure is written by the one formatter (`collate.report.numbers`), so numbers read the same way
throughout: thousands separators always, ratios to 2 decimal places.
"""

from __future__ import annotations

from typing import Any

from collate.analysis.model import Analysis
from collate.report import numbers as fmt
from collate.report.summary import Wording, count_of, wording_path
from collate.report.words import names


def add_sentences(an: Analysis, facts: dict[str, Any]) -> None:
    """Put each sentence into `facts` where the template reads it."""
    w = Wording(wording_path(an), "report")
    not_usable = facts["not_usable"]
    facts["not_included"] = ""
    if not_usable:
        facts["not_included"] = w.say(
            "not_included",
            las=", ".join(f"{x['name']} ({x['status']})" for x in not_usable),
            their_figures="its figures are" if len(not_usable) == 1 else "their figures are",
        )
        facts["not_usable_appendix"] = w.say(
            "not_usable_appendix",
            return_returns="return" if len(not_usable) == 1 else "returns",
            las=", ".join(f"{x['name']} ({x['status']})" for x in not_usable),
        )
    else:
        facts["not_usable_appendix"] = ""
    missing = ""
    if facts["not_received"]:
        missing += w.say(
            "scope_not_received", las=names([x["name"] for x in facts["not_received"]])
        )
    if facts["must_resubmit"]:
        missing += w.say(
            "scope_must_resubmit", las=names([x["name"] for x in facts["must_resubmit"]])
        )
    scope = w.say(
        "scope",
        n_expected=count_of(facts["n_expected"], "local authority"),
        expected=names([x.name for x in facts["expected"]]),
        n_las=fmt.count(facts["n_las"]),
        n_total=fmt.count(facts["n_expected"]),
        missing=missing,
    )
    facts["scope"] = scope + (" " + w.say("scope_left_out") if not_usable else "")

    for pledge in facts["pledges"]:
        for g in pledge.gaps:
            g["line"] = _gap(w, g)
    facts["no_gaps"] = w.say("no_gaps")
    for r in facts["cf"]["rates"]:
        r["line"] = _rate(w, r)
    wres = facts["wres"]
    wres["lines"] = [_likelihood(w, r) for r in wres["clearly"] + wres["too_few"] + wres["within"]]
    ex = facts["exit"]
    ex["adoption_lines"] = [
        w.say("exit_adoption", choice=choice, las=names(las))
        for choice, las in ex["adoption"].items()
        if las
    ]
    ex["follow_on_text"] = (
        w.say(
            "exit_follow_ons",
            items="; ".join(
                w.say("exit_follow_on", questions=names(f["questions"]), after=f["after"])
                for f in ex["follow_ons"]
            ),
        )
        if ex["follow_ons"]
        else ""
    )
    ranges = list(dict.fromkeys(p.ranges for p in facts["pledges"]))
    facts["score_ranges"] = w.say("score_ranges", ranges="; ".join(ranges)) if ranges else ""
    facts["grouping_text"] = _grouping(w, facts["grouping"])
    for e in facts["sharing"]:
        e["details"] = _sharing_details(e)
    if facts.get("since"):
        add_since_sentences(an, facts)


def _gap(w: Wording, g: dict[str, Any]) -> str:
    if g["gap"]:
        return w.say("gap", gap=g["gap"], ref=g["ref"], n_weak=g["n_weak"], n=g["n"])
    not_yet = w.say("gap_not_yet", las=names(g["not_yet"])) if g["not_yet"] else ""
    return w.say(
        "gap_unworded",
        ref=g["ref"],
        text=g["text"],
        n_weak=g["n_weak"],
        las=count_of(g["n"], "LA"),
        not_yet=not_yet,
    )


def _rate(w: Wording, r: dict[str, Any]) -> str:
    spread = ""
    if r["lowest"]:
        spread = w.say(
            "rate_spread",
            lowest=fmt.rate(r["lowest"][1]),
            lowest_la=r["lowest"][0],
            highest=fmt.rate(r["highest"][1]),
            highest_la=r["highest"][0],
        )
    return w.say("rate", stage=r["label"], region=fmt.rate(r["region"]), spread=spread)


def _likelihood(w: Wording, r: dict[str, Any]) -> str:
    values = {"what": r["what"], "value": fmt.ratio(r["value"]), "interval": r["interval_words"]}
    if "higher" in r:
        return w.say("wres_clear", higher_lower="higher" if r["higher"] else "lower", **values)
    key = "wres_within" if r.get("in_band") != "no" else "wres_too_few"
    return w.say(key, **values)


def _grouping(w: Wording, g: dict[str, Any]) -> str:
    text = names(g["groups"]) if g["groups"] else ""
    if g["not_known"]:
        text += w.say("grouping_not_known", groups=names(g["not_known"]).lower())
    text += "."
    if g["chinese"] and g["chinese_as_census"]:
        text += " " + w.say("grouping_chinese", group=g["chinese"])
    if g["other_white"]:
        text += " " + w.say(
            "grouping_other_white",
            reference=g["reference"],
            groups=names(g["other_white"]),
            codes=names(g["other_white_codes"]),
        )
    return text


def _sharing_details(e: dict[str, Any]) -> str:
    """The category, resources and contact line under an example of shared practice."""
    parts = []
    if e["categories"]:
        parts.append(f"**Category:** {e['categories']}.")
    if e["resources"]:
        parts.append(f"**Resources:** {e['resources']}")
    if e["contact_name"]:
        contact = e["contact_name"] + (f", {e['contact_email']}" if e["contact_email"] else "")
        parts.append(f"**Contact:** {contact}.")
    return " ".join(parts)


def add_since_sentences(an: Analysis, facts: dict[str, Any]) -> None:
    """The "Since last round" section's sentences, into facts["since"]."""
    w = Wording(wording_path(an), "since")
    s = facts["since"]
    s["intro"] = w.say(
        "intro", round=facts["round"], previous=s["previous"], n_councils=s["n_councils"]
    )
    s["levels"] = w.say("pledge_levels", n_up=s["n_up"], n_pairs=s["n_pairs"], n_down=s["n_down"])
    s["pledge_lines"] = []
    for p in s["pledges"]:
        moves = []
        if p["up"]:
            moves.append(w.say("up_in", las=names(p["up"])))
        if p["down"]:
            moves.append(w.say("down_in", las=names(p["down"])))
        if moves:
            s["pledge_lines"].append(
                w.say("pledge_moved", number=p["number"], title=p["title"], moves="; ".join(moves))
            )
    s["criteria_intro"] = w.say("criteria") if s["moved"] else ""
    s["criteria_lines"] = [
        w.say(
            "criterion",
            ref=c["criterion"],
            text=c["criterion_text"],
            before=fmt.ratio(c["average_points_before"]),
            now=fmt.ratio(c["average_points_now"]),
        )
        for c in s["moved"]
    ]
    counts = {
        "n_compared": fmt.count(s["n_children"]),
        "n_changed": fmt.count(len(s["children"])),
    }
    s["children_text"] = w.say("children_some" if s["children"] else "children_none", **counts)
    s["children_region_intro"] = w.say("children_region") if s["children_region"] else ""
    s["children_region_lines"] = [
        w.say(
            "children_change",
            stage=c["stage"],
            group=c["group"],
            rose_fell="rose" if c["rose"] else "fell",
            before=fmt.ratio(c["before"]),
            now=fmt.ratio(c["now"]),
        )
        for c in s["children_region"]
    ]
    tallies = []
    for la, t in s["children_councils"]:
        moves = [f"{t['fell']} fell"] if t["fell"] else []
        moves += [f"{t['rose']} rose"] if t["rose"] else []
        tallies.append(w.say("council_tally", la=la, moves=", ".join(moves)))
    s["children_councils_text"] = (
        w.say("children_councils", items="; ".join(tallies)) if tallies else ""
    )
    counts = {"n_compared": fmt.count(s["n_wres"]), "n_changed": fmt.count(len(s["wres"]))}
    s["workforce_text"] = w.say("workforce_some" if s["wres"] else "workforce_none", **counts)
    s["workforce_lines"] = [
        w.say(
            "workforce_change",
            indicator=x["indicator"],
            who=x["who"],
            rose_fell="rose" if x["rose"] else "fell",
            before=fmt.ratio(x["before"]),
            now=fmt.ratio(x["now"]),
        )
        for x in s["wres"]
    ]
    s["method"] = w.say("method")
    items = []
    for kind in ("new", "retired"):
        if s[kind]:
            listed = "; ".join(w.say("item", item=c.item, wording=c.wording) for c in s[kind])
            items.append(w.say(kind, items=listed))
    if s["reworded"]:
        items.append(w.say("reworded", items=", ".join(c.item for c in s["reworded"])))
    s["items_text"] = " ".join(items)
