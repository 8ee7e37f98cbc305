"""Answers in tidy form (one row per LA and item) and back again.

The tidy table is what `collated.xlsx` keeps, so `collate report` can rebuild every figure from
the collated workbook alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from collate.instrument.model import Instrument

TIDY_COLUMNS = [
    "la",
    "la_code",
    "section",
    "sheet",
    "pledge",
    "criterion",
    "table",
    "row",
    "column",
    "ethnicity_code",
    "stage",
    "group",
    "field_id",
    "label",
    "value",
]


def tidy_answers(
    answers: Mapping[str, tuple[str, Mapping[str, Any]]], instrument: Instrument
) -> pd.DataFrame:
    """`answers`: LA name → (GSS code, {field id: value}). Unanswered fields get no row."""
    rows = []
    for la, (code, values) in answers.items():
        for f in instrument.fields:
            if f.id not in values:
                continue
            dims = dict(f.dims)
            parts = f.id.split(".")
            table = dims.get("table", "")
            rows.append(
                {
                    "la": la,
                    "la_code": code,
                    "section": f.section,
                    "sheet": f.sheet,
                    "pledge": dims.get("pledge", ""),
                    "criterion": dims.get("criterion", ""),
                    "table": table,
                    "row": parts[2] if table else "",
                    "column": parts[3] if table else "",
                    "ethnicity_code": dims.get("ethnicity_code", ""),
                    "stage": dims.get("stage", ""),
                    "group": dims.get("group", ""),
                    "field_id": f.id,
                    "label": f.label,
                    "value": values[f.id],
                }
            )
    return pd.DataFrame(rows, columns=TIDY_COLUMNS)


def values_from_tidy(df: pd.DataFrame, instrument: Instrument) -> dict[str, dict[str, Any]]:
    """The reverse: LA name → {field id: typed value}, restoring numbers and dates."""
    out: dict[str, dict[str, Any]] = {}
    for la, field_id, value in df[["la", "field_id", "value"]].itertuples(index=False):
        f = instrument.fields_by_id.get(field_id)
        if f is None or value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        if f.type == "whole":
            value = int(float(value))
        elif f.is_number:
            value = float(value)
        elif f.type == "date" and isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        elif f.type == "date" and isinstance(value, dt.datetime):
            value = value.date()
        else:
            value = str(value)
        out.setdefault(str(la), {})[field_id] = value
    return out
