"""A finding: one problem with one return, worded so that an LA knows what to fix and where."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from collate.checks.catalogue import FileCheck, Rule, as_text

FINDING_COLUMNS = [
    "file",
    "la",
    "severity",
    "code",
    "title",
    "sheet",
    "cell",
    "field",
    "value",
    "message",
    "explanation",
    "check_id",
    "field_id",
]


@dataclass(frozen=True)
class Finding:
    file: str
    la: str
    severity: str  # "error" (must fix) or "query" (fix or explain)
    code: str
    title: str
    message: str  # the rule's own sentence: what is wrong and what to do
    sheet: str = ""
    cell: str = ""
    field: str = ""  # the field's label, as the LA sees it
    value: str = ""
    explanation: str = ""
    check_id: str = ""
    field_id: str = ""

    @classmethod
    def of_file(
        cls,
        check: FileCheck,
        *,
        file: str,
        la: str,
        sheet: str = "",
        cell: str = "",
        value: Any = "",
        **context: Any,
    ) -> Finding:
        """A finding of a check on the file itself (FILE.., QRY..), worded by the catalogue;
        `context` fills the message's other placeholders."""
        context.setdefault("la", la)
        context.setdefault("sheet", sheet)
        context.setdefault("cell", cell)
        context.setdefault("value", as_text(value))
        return cls(
            file=file,
            la=la,
            severity=check.severity,
            code=check.code,
            title=check.title,
            message=check.text(**context),
            sheet=sheet,
            cell=cell,
            value=as_text(value),
        )

    @classmethod
    def of_rule(cls, rule: Rule, message: str, *, file: str, la: str, **where: Any) -> Finding:
        """A finding of a rule over an answer: `where` gives sheet, cell, field (its label),
        value, field_id and, for a query, the council's explanation and the check's id."""
        return cls(
            file=file,
            la=la,
            severity=rule.severity,
            code=rule.code,
            title=rule.title,
            message=message,
            **where,
        )

    @property
    def full_message(self) -> str:
        """The message with its place: file, sheet, cell and field, then the value and the fix."""
        where = [f"File {self.file}"]
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.cell:
            where.append(f"cell {self.cell}")
        text = ", ".join(where)
        if self.field:
            text += f" ({self.field})"
        found = (
            f" Value found: '{self.value}'."
            if self.value and self.value not in self.message
            else ""
        )
        return f"{text}: {self.message}{found}"

    def row(self) -> dict[str, str]:
        d = asdict(self)
        d["message"] = self.full_message
        return {k: as_text(d.get(k, "")) for k in FINDING_COLUMNS}
