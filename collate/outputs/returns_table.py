"""The returns table: one row per expected LA, plus any file that could not be identified."""

from __future__ import annotations

import pandas as pd

from collate.intake.collation import NOT_RECEIVED, Collation
from collate.intake.reader import ReturnRecord

COLUMNS = [
    "la",
    "gss_code",
    "status",
    "received",
    "file",
    "sha256",
    "application",
    "last_saved_by",
    "last_saved_at",
    "template_version",
    "errors",
    "queries",
    "set_aside_files",
    "problem",
]


def _file_row(record: ReturnRecord) -> dict:
    return {
        "received": "yes",
        "file": record.file_name,
        "sha256": record.sha256,
        "application": record.application,
        "last_saved_by": record.last_saved_by,
        "last_saved_at": record.last_saved_at.isoformat(sep=" ") if record.last_saved_at else "",
        "template_version": record.identity.get("instrument_version", ""),
        "errors": len(record.errors),
        "queries": len(record.queries),
    }


def returns_table(collation: Collation) -> pd.DataFrame:
    rows = []
    for name, result in collation.results.items():
        row = {
            "la": name,
            "gss_code": result.la.gss_code,
            "status": result.status,
            "received": "no",
            "errors": 0,
            "queries": 0,
        }
        if result.record:
            row.update(_file_row(result.record))
        row["set_aside_files"] = "; ".join(r.file_name for r in result.set_aside)
        if result.record and result.record.errors:
            row["problem"] = first_problem(result.record)
        elif result.status == NOT_RECEIVED and result.unusable_files:
            row["problem"] = "A file naming this council could not be used: " + "; ".join(
                f"{r.file_name} ({first_problem(r)})" for r in result.unusable_files
            )
        rows.append(row)
    for record in collation.unidentified:
        row = {
            "la": "(council not identified)",
            "gss_code": record.identity.get("la_code", ""),
            "status": "not usable",
        }
        row.update(_file_row(record))
        row["problem"] = first_problem(record)
        rows.append(row)
    for path in collation.in_subfolders:
        rows.append(
            {
                "la": "(in a subfolder: not read)",
                "status": "not read",
                "received": "yes",
                "file": path.relative_to(collation.folder).as_posix(),
                "problem": "Files in subfolders are not read: if this is a return, move it into "
                "the returns folder itself and collate again.",
            }
        )
    df = pd.DataFrame(rows).reindex(columns=COLUMNS).astype(object).fillna("")
    return df


def first_problem(record: ReturnRecord) -> str:
    """The first error found in a file, as its title: what the manager reads first."""
    errors = record.errors or record.findings
    return f"{errors[0].code} {errors[0].title}" if errors else ""


def summary_line(collation: Collation) -> str:
    from collate.intake.collation import ACCEPTED, ACCEPTED_WITH_QUERIES, MUST_RESUBMIT

    n = len(collation.results)
    return (
        f"{n} councils expected: {collation.count(ACCEPTED)} accepted, "
        f"{collation.count(ACCEPTED_WITH_QUERIES)} accepted with queries, "
        f"{collation.count(MUST_RESUBMIT)} must resubmit, "
        f"{collation.count(NOT_RECEIVED)} not received."
    )


def attention_lines(collation: Collation) -> list[str]:
    """What the manager must see on screen: files not matched to a council, files not read."""
    from collate.intake.collation import councils_named_in
    from collate.outputs.folder import escape_for_log

    lines: list[str] = []
    if collation.unidentified:
        lines.append(
            f"ATTENTION: {len(collation.unidentified)} file(s) could not be matched to a "
            "council (see returns.csv and validation.xlsx):"
        )
        for record in collation.unidentified:
            named = councils_named_in(record.file_name, collation.settings.local_authorities)
            who = f" [named {', '.join(la.name for la in named)}]" if named else ""
            lines.append(f"  {escape_for_log(record.file_name)}{who}: {first_problem(record)}")
    if collation.in_subfolders:
        lines.append(
            f"ATTENTION: {len(collation.in_subfolders)} file(s) in subfolders were not read "
            "(move any return into the returns folder itself):"
        )
        for path in collation.in_subfolders:
            lines.append(f"  {escape_for_log(path.relative_to(collation.folder).as_posix())}")
    return lines
