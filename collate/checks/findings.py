"""A finding: one problem with one return, worded so that an LA knows what to fix and where."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from collate.checks.catalogue import as_text

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
