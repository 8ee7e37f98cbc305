"""Looking inside every output for anything live: a formula, a link or a dangerous CSV field."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

from collate.outputs.safe import is_csv_safe

_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
_LINK = re.compile(rb"<(?:\w+:)?hyperlink[ >/]")


def live_things(out: Path) -> list[str]:
    """Everything live in the outputs under `out`: one line per formula, link or CSV field."""
    found: list[str] = []
    for path in sorted(out.rglob("*.xlsx")):
        with zipfile.ZipFile(path) as z:
            for part in z.namelist():
                if part.startswith("xl/externalLinks/"):
                    found.append(f"{path.name}: a link to another workbook ({part})")
                if not part.startswith("xl/worksheets/") or not part.endswith(".xml"):
                    continue
                xml = z.read(part)
                if _FORMULA.search(xml):
                    found.append(f"{path.name} {part}: a formula")
                if _LINK.search(xml):
                    found.append(f"{path.name} {part}: a hyperlink")
    for path in sorted(out.rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for n, row in enumerate(csv.reader(fh), start=1):
                for field in row:
                    if not is_csv_safe(field):
                        found.append(f"{path.name} line {n}: field {field!r} could run")
    return found
