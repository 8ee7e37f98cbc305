"""Small wording helpers shared by the report's facts, summary and "since last round" section."""

from __future__ import annotations

from collate.analysis.round import Analysis


def short_names(an: Analysis) -> dict[str, str]:
    return {la.name: la.short_name for la in an.settings.local_authorities}


def answer_phrase(label: str) -> str:
    """An exit result row's label as a phrase: "Said they reported racism" → "reported racism"."""
    text = label.strip()
    for prefix in ("Said they ", "said they "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text[:1].lower() + text[1:]
