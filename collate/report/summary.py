"""The executive summary, written from the figures.

The findings are chosen and ranked here (which pledges are most and least established, which
disparities are clear, the exit-interview gap, data quality); the words come from
templates/report/wording.yaml, where the programme manager can change them. Plurals, agreement
and lists come from the ``inflect`` library, so one return reads as well as eleven.
"""

from __future__ import annotations

import copy
import functools
import re
import string
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from collate.analysis.exit_interviews import exit_follow_ons
from collate.analysis.model import REGION, Analysis
from collate.errors import ReportError
from collate.report import numbers as fmt
from collate.report.words import answer_phrase


def _inflect():
    """The inflect module, imported without typeguard instrumenting it. inflect decorates its
    engine with typeguard's @typechecked, which re-parses and recompiles inflect's source on
    every import: about 2 s of processor time a run, for run-time checks of argument types that
    this module always passes right. Should typeguard change, inflect is imported as usual."""
    import sys
    import warnings

    if "inflect" in sys.modules:
        return sys.modules["inflect"]
    try:
        from typeguard import _decorators
    except ImportError:  # pragma: no cover - inflect without typeguard
        import inflect

        return inflect
    original = getattr(_decorators, "instrument", None)
    if original is None:  # pragma: no cover - a typeguard without this hook
        import inflect

        return inflect
    _decorators.instrument = lambda f: "the toolkit imports inflect uninstrumented"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import inflect
    finally:
        _decorators.instrument = original
    return inflect


_grammar = _inflect().engine()
# inflect keeps the case of what it is given, so an acronym's plural would come out "LAS": the
# acronyms the report counts are named here, everything else is inflect's.
ACRONYMS = {"LA": "LAs"}


def wording_path(an: Analysis) -> Path:
    """The round's report/wording.yaml, or the toolkit's own when the round has none (as for
    report.md.j2 and reference.docx)."""
    from collate.settings import TEMPLATES

    own = an.settings.templates_folder / "report" / "wording.yaml"
    return own if own.exists() else TEMPLATES / "report" / "wording.yaml"


@functools.lru_cache(maxsize=8)
def _parsed_wording(path: str, mtime_ns: int, size: int) -> dict:
    """The wording file as parsed, kept while the file is unchanged (the report asks for it
    some forty times); its modification time and size are in the key, so an edited file is
    read again."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def load_wording(path: Path) -> dict[str, dict[str, str]]:
    """The wording file, checked: every entry a piece of text."""
    try:
        stat = Path(path).stat()
        data = copy.deepcopy(_parsed_wording(str(path), stat.st_mtime_ns, stat.st_size))
    except (OSError, yaml.YAMLError) as exc:
        raise ReportError(f"{path}: the report's wording could not be read ({exc})") from None
    for part, entries in data.items():
        if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
            raise ReportError(f"{path}: '{part}' must be a list of named sentences")
    return data


class Wording:
    """Named sentences with {placeholders}, filled strictly: a misspelt placeholder is an error
    that names the file, the sentence and the word, not a silent gap in the report."""

    def __init__(self, path: Path, part: str) -> None:
        self.path, self.part = path, part
        self.entries = load_wording(path).get(part, {})

    def say(self, key: str, **values: Any) -> str:
        if key not in self.entries:
            raise ReportError(f"{self.path}: '{self.part}' has no sentence called '{key}'")
        text = " ".join(self.entries[key].split())
        for _, name, _, _ in string.Formatter().parse(text):
            if name is not None and name not in values:
                known = ", ".join(sorted(values))
                raise ReportError(
                    f"{self.path}: sentence '{self.part}: {key}' uses {{{name}}}, which the "
                    f"report cannot fill here (it can fill: {known})"
                )
        return text.format(**values)


def count_of(n: int, noun: str) -> str:
    """'1 LA', '11 LAs', '1 local authority', '2 local authorities'."""
    if noun in ACRONYMS:
        return f"{n} {noun if n == 1 else ACRONYMS[noun]}"
    return f"{n} {_grammar.plural_noun(noun, n)}"


def noun(n: int, word: str) -> str:
    """The noun for a count: 'LA' or 'LAs', 'example' or 'examples'."""
    if word in ACRONYMS:
        return word if n == 1 else ACRONYMS[word]
    return _grammar.plural_noun(word, n)


def join(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' (no serial comma, as GOV.UK writes)."""
    return _grammar.join([str(i) for i in items], final_sep="") if items else ""


def _pledge_list(pledges: list) -> str:
    word = _grammar.plural_noun("pledge", len(pledges))
    return f"{word} " + join([f"{p.number} ({p.title.lower()})" for p in pledges])


def executive_summary(an: Analysis, facts: dict[str, Any]) -> dict[str, str]:
    """The summary's paragraphs by name (foundations, pledges, children, exit, quality,
    closing); a paragraph with nothing to say is an empty string."""
    w = Wording(wording_path(an), "executive_summary")
    n = len(an.las)
    out = dict.fromkeys(
        ("foundations", "pledges", "children", "workforce", "exit", "quality", "closing"), ""
    )
    if n == 0:
        return out
    las = count_of(n, "LA")
    found = facts["found"]

    ins = an.instrument

    def with_answer(kind: str, key: str) -> int:
        return sum(len(found[kind].get(a, [])) for a in ins.answers(key))

    adopted = with_answer("pledge", "pledge_adopted")
    if adopted == n:
        all_las = (
            "the one returning local authority"
            if n == 1
            else f"all {n} returning local authorities"
        )
        first = w.say(
            "pledge_all", region=an.settings.region, all_las=all_las, has_have=_verb("has", n)
        )
    else:
        first = w.say(
            "pledge_some",
            region=an.settings.region,
            n_adopted=adopted,
            las=count_of(n, "returning local authority"),
        )
    second = w.say(
        "foundations",
        n_scwres=with_answer("scwres", "scwres_used"),
        las=las,
        n_edi=f"{with_answer('edi', 'edi_strategy')} of {n}",
        n_induction=f"{len(facts['compulsory_induction'])} of {n}",
    )
    out["foundations"] = f"{first} {second}"

    pledges = facts["pledges"]
    if pledges:
        counts = [len(p.in_place) for p in pledges]
        high, low = max(counts), min(counts)
        if high == 0:
            text = w.say("pledges_none")
        elif high == low:
            text = w.say("pledges_even", strong_count=high, las=las)
        else:
            text = w.say(
                "pledges_strongest",
                pledges_strong=_pledge_list([p for p in pledges if len(p.in_place) == high]),
                strong_count=high,
                pledges_weak=_pledge_list([p for p in pledges if len(p.in_place) == low]),
                weak_count=low,
                las=las,
            )
        weakest = sorted(
            (c for p in pledges for c in p.criteria if n and c["n_weak"] > n / 2),
            key=lambda c: (-c["n_weak"], c["ref"]),
        )[:3]
        if weakest:
            items = [
                f"{_lower_first(c['gap'])} ({c['ref']}: {c['n_weak']} of {n})"
                if c.get("gap")
                else f"{c['ref']} {_lower_first(c['text'])} ({c['n_weak']} of {n})"
                for c in weakest
            ]
            text += " " + w.say("weakest_criteria", criteria="; ".join(items))
        out["pledges"] = text
    out["children"] = _children(an, w)
    out["workforce"] = _workforce(w, facts.get("wres") or {}, an.band)
    out["exit"] = _exit_gap(an, w) or ""
    out["quality"] = _quality(an, w) or ""
    out["closing"] = w.say("closing", round=an.settings.round)
    return out


def _workforce(w: Wording, wres: dict[str, Any], band: tuple[float, float]) -> str:
    """The SC-WRES likelihoods clearly higher or lower for minority ethnic staff, then how many
    more are outside the band on too few staff to be sure."""
    if not wres.get("n_las"):
        return ""

    def items(rows: list[dict]) -> str:
        return "; ".join(
            w.say(
                "workforce_item",
                what=r["what"],
                value=fmt.ratio(r["value"]),
                interval=r["interval_words"],
            )
            for r in rows
        )

    higher = [r for r in wres["clearly"] if r["higher"]]
    lower = [r for r in wres["clearly"] if not r["higher"]]
    parts = []
    if higher:
        parts.append(w.say("workforce_higher", items=items(higher)))
    if lower:
        key = "workforce_lower_too" if higher else "workforce_lower"
        parts.append(w.say(key, items=items(lower)))
    if not parts:
        parts.append(w.say("workforce_none", band=fmt.band_text(band)))
    n_more = len(wres.get("too_few") or [])
    if n_more:
        parts.append(
            w.say(
                "workforce_too_few",
                n_more=n_more,
                is_are=_verb("is", n_more),
                rest_rests="rests" if n_more == 1 else "rest",
            )
        )
    return " ".join(parts)


def _verb(verb: str, n: int) -> str:
    return verb if n == 1 else _grammar.plural_verb(verb, 2)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _children(an: Analysis, w: Wording) -> str:
    oc = an.cf_over_counts
    threshold = fmt.ratio(an.threshold)
    if oc.empty:
        return w.say("children_none", threshold=threshold)
    phrases = {s: phrase for s, _, phrase in an.stages}
    gm = an.instrument.ethnicity.global_majority_label
    rows = oc[(oc["n_over"] >= 2) & (oc["group"] != gm)]
    rows = rows.sort_values(["n_over", "n_with_data"], ascending=[False, True], kind="stable")
    findings = [
        w.say(
            "children_finding",
            group=r.group,
            stage_phrase=phrases.get(r.stage, r.stage_label),
            n_over=r.n_over,
            n_with_data=count_of(int(r.n_with_data), "LA"),
        )
        for r in rows.head(3).itertuples()
    ]
    if not findings:
        return w.say("children_none", threshold=threshold)
    return w.say("children_clear", findings="; ".join(findings), threshold=threshold)


def _exit_gap(an: Analysis, w: Wording) -> str | None:
    e = an.exit_published
    if e.empty:
        return None
    parents = set(exit_follow_ons(an.instrument).values())
    region = e[(e["la"] == REGION) & e["question"].isin(parents)]
    if region.empty:
        return None
    q = region["question"].iloc[0]
    rows = {r["group"]: r for r in region[region["question"] == q].to_dict("records")}
    me, white = rows.get("minority_ethnic"), rows.get("white")
    if me is None:
        return None
    if fmt.is_missing(me.get("share")):
        if me.get("reason") and "withheld" in str(me.get("reason")):
            # Say so: a director would otherwise not know the figures exist.
            return w.say("exit_gap_all_withheld", question=answer_phrase(str(me["question_label"])))
        return None

    common = {
        "minority_share": fmt.percent(me["share"]) + "%",
        "minority_yes": fmt.count(me["yes"]),
        "minority_base": fmt.count(me["base"]),
        "question": answer_phrase(str(me["question_label"])),
    }
    if white is None or fmt.is_missing(white.get("share")):
        return w.say("exit_gap_withheld", **common)
    return w.say(
        "exit_gap",
        **common,
        white_share=fmt.percent(white["share"]) + "%",
        white_yes=fmt.count(white["yes"]),
        white_base=fmt.count(white["base"]),
    )


def _quality(an: Analysis, w: Wording) -> str | None:
    q = an.cf_quality
    if q.empty:
        return None
    region = pd.to_numeric(q[q["la"] == REGION]["percent"], errors="coerce").dropna()
    if region.empty:
        return None
    return w.say(
        "data_quality",
        lowest=fmt.percent(region.min()) + "%",
        highest=fmt.percent(region.max()) + "%",
    )


def example_name(text: str) -> str:
    """A council's name for its example, made safe to print inside the report's brackets.

    The reader has already cleaned it (no invisible characters, at most the field's length);
    here it is kept to one line, stripped of the report markup's bold marks, and its own
    brackets become commas, so the report never nests brackets."""
    text = " ".join(str(text or "").split())
    text = re.sub(r"\*{2,}", "*", text)
    text = re.sub(r"\s*[(\[]\s*([^()\[\]]*?)\s*[)\]]", r", \1", text)
    return text.replace("(", "").replace(")", "").strip(" ,;")


def examples_text(w: Wording, examples: list[tuple[str, str]]) -> str:
    """What goes in a practice's brackets: each council's example by its name, and the council
    alone where it gave none ("Essex Anti-Racist Practice Board; Norfolk; Suffolk: REAP")."""
    named = False
    parts = []
    for la, given in examples:
        name = example_name(given)
        if not name:
            parts.append(la)
        elif la.lower() in name.lower():
            parts.append(name)
            named = True
        else:
            parts.append(w.say("example_of_la", la=la, example=name))
            named = True
    # Names can hold commas and "and": semicolons keep one council's example from the next.
    return "; ".join(parts) if named else join(parts)


def pledge_paragraph(an: Analysis, pledge: Any) -> str:
    """Practice in place for one pledge, in the January 2026 report's style: each practice in a
    few words with the councils' examples in brackets, named as they named them, the most
    widespread first."""
    w = Wording(wording_path(an), "pledges")
    n = len(an.las)
    items = [c for c in pledge.criteria if c["in_place"]]
    items.sort(key=lambda c: (-len(c["in_place"]), c["ref"]))
    level = w.say(
        "pledge_level",
        n_in_place=len(pledge.in_place),
        las=count_of(n, "LA"),
        is_are=_verb("is", len(pledge.in_place)),
    )
    if not items:
        return f"{level} {w.say('no_practice')}"
    listed = []
    for c in items:
        practice = c["practice"] or _lower_first(c["text"])
        listed.append(
            w.say(
                "practice_item",
                practice=practice[:1].upper() + practice[1:],
                n_in_place=len(c["in_place"]),
                las=count_of(n, "LA"),
                examples=examples_text(w, c.get("examples") or [(la, "") for la in c["in_place"]]),
            )
        )
    text = w.say("practice", items=" ".join(listed))
    return f"{level} {text[:1].upper()}{text[1:]}"
