"""Exit interviews: leavers interviewed by group and the share answering yes to each question.

Question ids are data (the instrument's regional questions), not code. A share is not computed
when its base or its yes count is small (1 to 5 by default), unless ``suppress=False`` for the
programme manager's own figures. The region sums every LA's counts first, then computes.

A follow-on question is asked only of leavers who answered yes to an earlier question (its
``asked_if`` in exit_question_set.yaml, e.g. "experienced_racism = Yes"), so its share is of
those asked: the number answering yes to the earlier question, in the same group. Where nobody in
a group was asked, there is no share (reason :data:`NOBODY_ASKED`), not a share of 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from collate.measures.proportion import Proportion, check_count, proportion

#: The reason a follow-on question has no share: nobody in the group was asked it.
NOBODY_ASKED = "nobody was asked"
#: The reason a follow-on question has no share: more said yes than were asked (a return error).
MORE_THAN_ASKED = "more said yes than were asked: check the return"


def asked_if_parent(asked_if: str) -> str:
    """The earlier question a follow-on is asked after, from ``"question_id = Yes"``.

    Only "Yes" answers are counted in the return, so only a "= Yes" condition can give a base.
    """
    parent, sep, answer = (part.strip() for part in asked_if.partition("="))
    if not sep or not parent or answer.lower() != "yes":
        raise ValueError(
            f"asked_if {asked_if!r}: expected 'question_id = Yes' (only 'Yes' answers are counted)"
        )
    return parent


@dataclass(frozen=True)
class QuestionShares:
    """One question: the share answering yes, by group.

    ``base`` is how many in each group were asked (answered) the question. ``asked_after`` is the
    earlier question whose yes answers are the base of a follow-on question, else ``None``.
    """

    question: str
    yes: Mapping[str, int]
    base: Mapping[str, int]
    shares: Mapping[str, Proportion]
    asked_after: str | None = None


@dataclass(frozen=True)
class ExitInterviewSummary:
    """Leavers interviewed by group and each question's shares."""

    groups: tuple[str, ...]
    interviewed: Mapping[str, int]
    questions: tuple[QuestionShares, ...]

    def question(self, question_id: str) -> QuestionShares:
        """One question's shares, by id."""
        for result in self.questions:
            if result.question == question_id:
                return result
        raise KeyError(f"no question {question_id!r}")


def exit_interview_summary(
    interviewed: Mapping[str, int],
    yes: Mapping[str, Mapping[str, int]],
    answered: Mapping[str, Mapping[str, int]] | None = None,
    asked_after: Mapping[str, str] | None = None,
    **options,
) -> ExitInterviewSummary:
    """Shares answering yes to each question, by group, for one LA (or summed counts).

    ``interviewed``: leavers interviewed per group. ``yes``: per question id, the number per
    group answering yes. ``answered``: per question id, the number per group who answered it, when
    not everyone interviewed was asked; otherwise the base is ``interviewed``. ``asked_after``:
    per follow-on question id, the earlier question (also in ``yes``) whose yes answers are its
    base (see :func:`asked_if_parent`). ``options`` go to
    :func:`collate.measures.proportion.proportion` (``suppress``, ``lower``, ``upper``).
    """
    groups = tuple(interviewed)
    interviewed = {g: check_count(n, f"interviewed, {g}") for g, n in interviewed.items()}
    asked_after = dict(asked_after or {})
    for question, parent in asked_after.items():
        if parent not in yes:
            raise ValueError(f"question {question} follows {parent!r}, which has no yes counts")
        if parent == question:
            raise ValueError(f"question {question} cannot follow itself")
    questions = []
    for question, yes_by_group in yes.items():
        unknown = sorted(set(yes_by_group) - set(groups))
        if unknown:
            raise ValueError(f"question {question}: group(s) {unknown} have no interview count")
        parent = asked_after.get(question)
        if parent is not None:
            if answered is not None and question in answered:
                raise ValueError(f"question {question}: give answered counts or asked_after")
            base = {g: check_count(yes[parent].get(g, 0), f"{parent}, {g}") for g in groups}
            counts = {g: check_count(yes_by_group.get(g, 0), f"{question}, {g}") for g in groups}
            shares = {g: _follow_on_share(counts[g], base[g], **options) for g in groups}
            questions.append(QuestionShares(question, counts, base, shares, parent))
            continue
        base = dict(interviewed)
        if answered is not None and question in answered:
            base = {
                g: check_count(answered[question].get(g, 0), f"{question}, {g}") for g in groups
            }
            over = [g for g in groups if base[g] > interviewed[g]]
            if over:
                raise ValueError(f"question {question}: more answered than interviewed in {over}")
        counts = {g: check_count(yes_by_group.get(g, 0), f"{question}, {g}") for g in groups}
        shares = {}
        for g in groups:
            if counts[g] > base[g]:
                raise ValueError(
                    f"question {question}, {g}: {counts[g]} answered yes of {base[g]} asked"
                )
            shares[g] = proportion(counts[g], base[g], **options)
        questions.append(QuestionShares(question, counts, base, shares))
    return ExitInterviewSummary(groups=groups, interviewed=interviewed, questions=tuple(questions))


def _follow_on_share(yes: int, asked: int, **options) -> Proportion:
    """A follow-on question's share of those asked, with the reason where there is none."""
    if asked == 0:
        return Proportion(yes, asked, None, NOBODY_ASKED)
    if yes > asked:
        # The earlier answer is the base; more yes answers than were asked is a return error,
        # which the returns checks cannot yet catch, so it is reported, not computed.
        return Proportion(yes, asked, None, MORE_THAN_ASKED)
    return proportion(yes, asked, **options)


def _sum(mappings: list[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for each in mappings:
        for key, value in each.items():
            total[key] = total.get(key, 0) + check_count(value, key)
    return total


def regional_exit_interview_summary(
    interviewed_by_la: Mapping[str, Mapping[str, int]],
    yes_by_la: Mapping[str, Mapping[str, Mapping[str, int]]],
    answered_by_la: Mapping[str, Mapping[str, Mapping[str, int]]] | None = None,
    asked_after: Mapping[str, str] | None = None,
    **options,
) -> ExitInterviewSummary:
    """The region's summary: each LA's counts summed, then the shares computed once.

    A follow-on question's base (``asked_after``) is the region's summed yes answers to the
    earlier question, so only LAs whose leavers were asked it add to it.

    An LA with interview counts but no answers to a question adds to that question's base only
    through ``answered_by_la``; without it, every interviewed leaver counts in every base, so give
    every LA's yes counts (0 where none).
    """
    if set(yes_by_la) - set(interviewed_by_la):
        raise ValueError(
            f"yes counts for LA(s) with no interview counts: "
            f"{sorted(set(yes_by_la) - set(interviewed_by_la))}"
        )
    interviewed = _sum(list(interviewed_by_la.values()))
    questions: list[str] = []
    for by_question in yes_by_la.values():
        questions += [q for q in by_question if q not in questions]
    yes = {q: _sum([by_q[q] for by_q in yes_by_la.values() if q in by_q]) for q in questions}
    answered = None
    if answered_by_la is not None:
        answered = {}
        for q in questions:
            # An LA that did not report who answered counts everyone it interviewed.
            answered[q] = _sum(
                [
                    answered_by_la.get(la, {}).get(q, interviewed_by_la[la])
                    for la in interviewed_by_la
                ]
            )
    return exit_interview_summary(interviewed, yes, answered, asked_after, **options)
