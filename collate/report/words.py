"""Small wording helpers shared by the report's facts, summary and "since last round" section."""

from __future__ import annotations

from collate.analysis.model import Analysis


def short_names(an: Analysis) -> dict[str, str]:
    return {la.name: la.short_name for la in an.settings.local_authorities}


def answer_phrase(label: str) -> str:
    """An exit result row's label as a phrase: "Said they reported racism" → "reported racism"."""
    text = label.strip()
    for prefix in ("Said they ", "said they "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text[:1].lower() + text[1:]


def names(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' (no Oxford comma, GOV.UK style)."""
    items = [str(i) for i in items if str(i)]
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
