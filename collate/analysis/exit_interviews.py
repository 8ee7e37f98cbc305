"""Exit interviews: the regional question set's results by ethnic group, protected."""

from __future__ import annotations

from typing import Any

import pandas as pd

from collate import measures as m
from collate.analysis.model import EXIT_ALL_ASKED, REGION, Analysis, _groups
from collate.analysis.workforce import _count_text
from collate.instrument.model import Instrument
from collate.workers import ordered_map, worker_count


def exit_follow_ons(instrument: Instrument) -> dict[str, str]:
    """Follow-on exit questions and the earlier question each is asked after (its base).

    Read from the regional question set's ``asked_if`` (exit_question_set.yaml), for the questions
    the return counts.
    """
    from collate.errors import InstrumentError
    from collate.instrument.model import QuestionSetBlock
    from collate.measures.exit_interviews import asked_if_parent

    counted = {r.id for r in instrument.table("exit_interviews", "results").rows}
    out = {}
    for block in instrument.section("exit_interviews").blocks:
        if isinstance(block, QuestionSetBlock):
            for q in block.questions:
                if not q.asked_if or q.id not in counted:
                    continue
                try:
                    parent = asked_if_parent(q.asked_if)
                except ValueError as exc:
                    raise InstrumentError(f"{block.title}, question {q.id}: {exc}") from None
                if parent not in counted:
                    raise InstrumentError(
                        f"{block.title}, question {q.id}: it is asked after '{parent}', but the "
                        "exit interview results do not count 'Yes' answers to that question, so "
                        "there is no number of leavers asked to count its answers against"
                    )
                out[q.id] = parent
    return out


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _exit(an: Analysis) -> None:
    table = an.instrument.table("exit_interviews", "results")
    questions = [r for r in table.rows if r.id != "interviewed"]
    labels = {r.id: r.label for r in questions}
    follow_ons = exit_follow_ons(an.instrument)
    per_la: dict[str, tuple[dict[str, int], dict[str, dict[str, int]]]] = {}
    for la in an.las:
        v = an.values[la]
        if not any(k.startswith("exit_interviews.results.interviewed.") for k in v):
            continue
        interviewed = _groups(v, "exit_interviews.results.interviewed")
        yes = {q.id: _groups(v, f"exit_interviews.results.{q.id}") for q in questions}
        per_la[la] = (interviewed, yes)
    out: dict[bool, list[dict]] = {True: [], False: []}
    if per_la:
        region_int = m.sum_by_group(i for i, _ in per_la.values())
        region_yes = {q.id: m.sum_by_group(y[q.id] for _, y in per_la.values()) for q in questions}
        items = [*per_la.items(), (REGION, (region_int, region_yes))]
        for publish in (False, True):
            opts = {"suppress": publish, "lower": an.suppress_from, "upper": an.suppress_to}
            for la, (interviewed, yes) in items:
                summary = m.exit_interview_summary(interviewed, yes, asked_after=follow_ons, **opts)
                for qs in summary.questions:
                    asked = (
                        f"leavers who {_lower_first(labels[qs.asked_after])}"
                        if qs.asked_after
                        else EXIT_ALL_ASKED
                    )
                    for g in summary.groups:
                        share = qs.shares[g]
                        n_yes = qs.yes[g]
                        out[publish].append(
                            {
                                "la": la,
                                "group": g,
                                "question": qs.question,
                                "question_label": labels[qs.question],
                                "asked": asked,
                                "yes": _count_text(n_yes, opts) if publish else n_yes,
                                "base": _count_text(qs.base[g], opts) if publish else qs.base[g],
                                "share": share.percent,
                                "reason": share.reason or "",
                                "_true_yes": n_yes,
                                "_true_base": qs.base[g],
                            }
                        )
        if EXIT_COMPLEMENTS:
            # Few leavers answering "no" are as disclosive as few answering yes.
            from collate.measures.exit_disclosure import withhold_complements

            withhold_complements(
                out[True], follow_ons, an.suppress_from, an.suppress_to, EXIT_SECONDARY
            )
        for rows in out.values():
            for r in rows:
                del r["_true_yes"], r["_true_base"]
    if per_la:
        _protect_exit(out[True], out[False], follow_ons, an)
    cols = ["la", "group", "question", "question_label", "asked", "yes", "base", "share", "reason"]
    an.exit = pd.DataFrame(out[False], columns=cols)
    an.exit_published = pd.DataFrame(out[True], columns=cols)


#: Withhold exit shares whose "no" count is 1 to 5 (a switch for the weakened-protection tests).
EXIT_COMPLEMENTS = True


#: Check the exit figures as each council would, knowing its own counts (a switch likewise).
EXIT_INSIDERS = True


#: Why a regional exit figure is withheld although its own counts are not small.
EXIT_SECONDARY = "small numbers: withheld so that an LA's count cannot be worked out"


def _protect_exit(
    published: list[dict], unsuppressed: list[dict], follow_ons: dict[str, str], an: Analysis
) -> None:
    """Withhold regional exit figures wherever, with everything else shown, they would narrow an
    LA's count of 1 to 5 to fewer than three values (:mod:`collate.measures.exit_disclosure`)."""
    from collate.measures import exit_disclosure as xd
    from collate.measures.exit_interviews import NOBODY_ASKED
    from collate.measures.proportion import ZERO_BASE

    def key(r: dict) -> tuple[str, str, str]:
        return r["la"], r["group"], r["question"]

    rows = {key(r): r for r in published}
    truth = {key(r): r for r in unsuppressed}
    questions = list(dict.fromkeys(r["question"] for r in published))
    first = next(q for q in questions if q not in follow_ons)
    las = [la for la in dict.fromkeys(r["la"] for r in published) if la != REGION]
    opts = {"suppress": True, "lower": an.suppress_from, "upper": an.suppress_to}

    def count(text: Any) -> int | str:
        return xd.WITHHELD if text == m.SUPPRESSED else int(text)

    def withhold_region(g: str, q: str, what: str) -> None:
        r = rows[(REGION, g, q)]
        r[what] = m.SUPPRESSED
        r["share"], r["reason"] = None, EXIT_SECONDARY

    def protect(g: str) -> dict[tuple[str, str, str], dict]:
        """Settle group `g` (its regional rows are changed in place, and returned)."""
        true_counts = {(la, xd.INTERVIEWED): truth[(la, g, first)]["base"] for la in las}
        true_counts |= {(la, q): truth[(la, g, q)]["yes"] for la in las for q in questions}
        if EXIT_COMPLEMENTS:  # the "no" counts are protected only with the rule on
            true_counts |= {
                (la, q + xd.SAID_NO): truth[(la, g, q)]["base"] - truth[(la, g, q)]["yes"]
                for la in las
                for q in questions
            }
        hidden: set[str] = set()  # region yes counts withheld (and INTERVIEWED for the total)
        for _ in range(2 * len(questions) + 2):
            shares: dict[tuple[str, str], float | str] = {}
            for la in las:
                for q in questions:
                    r = rows[(la, g, q)]
                    if r["share"] is not None:
                        shares[(la, q)] = m.round_half_up(r["share"], 1)
                    elif r["reason"] == m.SMALL_NUMBERS:
                        shares[(la, q)] = xd.WITHHELD
                    elif r["reason"] in (NOBODY_ASKED, ZERO_BASE):
                        shares[(la, q)] = xd.NOBODY
            region = {q: rows[(REGION, g, q)] for q in questions}
            release = xd.ExitRelease(
                las=las,
                questions=questions,
                follow_ons=follow_ons,
                interviewed={
                    la: None
                    if rows[(la, g, first)]["base"] == m.SUPPRESSED
                    else int(rows[(la, g, first)]["base"])
                    for la in las
                },
                shares=shares,
                region_yes={q: None if q in hidden else count(r["yes"]) for q, r in region.items()},
                region_interviewed=None
                if xd.INTERVIEWED in hidden
                else count(region[first]["base"]),
                lower=opts["lower"],
                upper=opts["upper"],
                complements=EXIT_COMPLEMENTS,
            )
            leaks = xd.narrowed(release, true_counts, insiders=EXIT_INSIDERS)
            if not leaks:
                break
            for _la, what in leaks:
                what = what.removesuffix(xd.SAID_NO)  # the region's "no" is base less yes
                hidden.add(what)
                if what == xd.INTERVIEWED:
                    # Every question asked of everyone has the interviewed total as its base.
                    for q in questions:
                        if q not in follow_ons:
                            withhold_region(g, q, "base")
                else:
                    withhold_region(g, what, "yes")
                    for q, parent in follow_ons.items():
                        if parent == what:  # its base is this yes count
                            withhold_region(g, q, "base")
        else:
            # Not settled: withhold every regional figure for the group. An LA's own figures
            # alone cannot narrow a count of 1 to 5 (a share is shown only when neither its yes
            # count nor its base is small).
            for q in questions:
                withhold_region(g, q, "yes")
                withhold_region(g, q, "base")
        return {k: r for k, r in rows.items() if k[0] == REGION and k[1] == g}

    # Each group is settled on its own (seconds of integer programmes each at 153 councils),
    # so two processes share them (collate.workers); a worker's changes are copied back here.
    groups = list(dict.fromkeys(r["group"] for r in published))
    for settled in ordered_map(protect, groups, worker_count(an.settings), min_items=2):
        for k, r in settled.items():
            if rows[k] is not r:
                rows[k].clear()
                rows[k].update(r)
