"""The returns table: one row per expected LA, plus any file that could not be identified."""

from __future__ import annotations

import pandas as pd

from collate.collation import NOT_RECEIVED, Collation
from collate.reader import ReturnRecord

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
        rows.append(row)
    for record in collation.unidentified:
        row = {
            "la": "(council not identified)",
            "gss_code": record.identity.get("la_code", ""),
            "status": "not usable",
        }
        row.update(_file_row(record))
        rows.append(row)
    df = pd.DataFrame(rows).reindex(columns=COLUMNS).fillna("")
    return df


def summary_line(collation: Collation) -> str:
    from collate.collation import ACCEPTED, ACCEPTED_WITH_QUERIES, MUST_RESUBMIT

    n = len(collation.results)
    return (
        f"{n} councils expected: {collation.count(ACCEPTED)} accepted, "
        f"{collation.count(ACCEPTED_WITH_QUERIES)} accepted with queries, "
        f"{collation.count(MUST_RESUBMIT)} must resubmit, "
        f"{collation.count(NOT_RECEIVED)} not received."
    )
