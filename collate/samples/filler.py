"""Fill a return workbook as an LA user would: typing only into unlocked answer cells.

Used by the sample-return script and the tests. It refuses to write to a locked cell, so a
filled workbook is exactly what a person could have produced in Excel without removing
protection. (It writes through openpyxl, which Excel then recalculates on open; tests re-save
through LibreOffice where the Checks sheet's values matter.)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl

from collate.instrument.model import defined_name


class LockedCellError(RuntimeError):
    pass


def fill_workbook(
    source: Path,
    target: Path,
    answers: Mapping[str, Any],
    explanations: Mapping[str, str] | None = None,
) -> Path:
    """Copy `source` to `target` with `answers` (field id → value) typed into their cells.

    `explanations` maps a check's explanation name (ie_explain_...) to the LA's text.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(source)
    targets = {defined_name(fid): value for fid, value in answers.items()}
    targets.update(explanations or {})
    for name, value in targets.items():
        dn = wb.defined_names.get(name)
        if dn is None:
            raise KeyError(f"{source.name} has no answer cell named {name}")
        ((sheet, ref),) = list(dn.destinations)
        cell = wb[sheet][ref.replace("$", "")]
        if cell.protection.locked:
            raise LockedCellError(f"{name} points at a locked cell ({sheet}!{ref})")
        cell.value = value
    wb.save(target)
    return target
