"""The build's manifest.csv, read back by the collator: which workbooks were issued, to whom.

Each issued workbook carries a random token (a document property); the manifest records it with
the council it was made for. A return whose token is another council's, or is no issued
workbook's, has had its identity rewritten or was never sent out, and is not trusted.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from collate.errors import ToolkitError


@dataclass(frozen=True)
class IssuedWorkbook:
    la: str
    gss_code: str
    file: str
    round: str
    token: str


def load_manifest(path: Path) -> dict[str, IssuedWorkbook]:
    """token → the workbook it was issued in. Raises ToolkitError, in plain words, if unusable."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise ToolkitError(
            f"The manifest {path} does not exist. Give the manifest.csv written when the "
            "workbooks were built (in outputs/templates/ unless you chose another folder)."
        ) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ToolkitError(f"The manifest {path} cannot be read ({exc}).") from None
    if not rows or "token" not in rows[0]:
        raise ToolkitError(
            f"The manifest {path} has no token column: it was made by an older version of the "
            "toolkit, or is not a manifest. Collate without --manifest, or give the manifest "
            "written when this round's workbooks were built."
        )
    issued = {}
    for row in rows:
        token = (row.get("token") or "").strip()
        if token:
            issued[token] = IssuedWorkbook(
                la=row.get("la", ""),
                gss_code=row.get("gss_code", ""),
                file=row.get("file", ""),
                round=row.get("round", ""),
                token=token,
            )
    return issued
