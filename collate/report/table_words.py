"""The words around each report table (its caption, the note under it and its description for
screen readers), read from templates/report/tables.yaml so the programme manager can change
them. The tables' figures and the choice of what to say stay in report/tables.py; here the
words are only looked up and filled, strictly, as the report's other sentences are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collate.analysis.model import Analysis
from collate.report.summary import Wording

TABLES_FILE = "tables.yaml"


def tables_path(an: Analysis) -> Path:
    """The round's report/tables.yaml, or the toolkit's own when the round has none."""
    from collate.settings import TEMPLATES

    own = an.settings.templates_folder / "report" / TABLES_FILE
    return own if own.exists() else TEMPLATES / "report" / TABLES_FILE


class TableWords:
    """One table's words. Every note may use {symbols} and {interval_note} from `common`."""

    def __init__(self, an: Analysis, table: str) -> None:
        path = tables_path(an)
        self.words = Wording(path, table)
        common = Wording(path, "common")
        self.shared = {key: common.say(key) for key in common.entries}

    def say(self, key: str, **values: Any) -> str:
        return self.words.say(key, **{**self.shared, **values})

    def caption(self, **values: Any) -> str:
        return self.say("caption", **values)

    def description(self, **values: Any) -> str:
        return self.say("description", **values)

    def note(self, **values: Any) -> str | None:
        """The note under the table; None when the file gives the table none."""
        return self.say("note", **values) if "note" in self.words.entries else None
