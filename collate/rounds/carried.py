"""Answers carried forward from the last round: pre-filling next round's workbooks, and the query
the collator raises for a section sent back exactly as it was carried forward.

Only text and choice answers are carried forward (counts, figures and dates never are: they
must be this year's). Each carried answer's cell gets a note, "Carried forward from round …",
and the workbook records, for each section, a fingerprint of its carried answers (document
properties ``ie_carried_forward_round`` and ``ie_carried_<section>``). When the return comes
back, a section whose answers still match that fingerprint has not been reviewed: the collator
raises query QRY02 for it. Changing any answer in the section clears the query.

The fingerprint, not the answers, is stored as metadata, so nothing a council wrote becomes
document metadata, and no answer text is ever written into a formula. The Checks sheet raises
the same query live (collate/rounds/carried_sheet.py), against plain-text copies of the carried
answers kept in a hidden, locked column of the council's own workbook.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Mapping
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty

from collate.checks.findings import Finding
from collate.contract import CARRIED_ROUND_KEY, CARRIED_SECTION_KEY, property_name
from collate.instrument.model import Field, Instrument, defined_name
from collate.rounds.carried_sheet import add_carried_checks

CARRIED_TYPES = ("text", "long_text", "choice")
ROUND_KEY = CARRIED_ROUND_KEY
SECTION_KEY = CARRIED_SECTION_KEY
AUTHOR = "Improvement East"


def carried_fields(instrument: Instrument) -> dict[str, list[Field]]:
    """Section id → the fields whose answers are carried forward (text and choices only)."""
    out: dict[str, list[Field]] = {}
    for f in instrument.fields:
        if f.type in CARRIED_TYPES and not f.dim("table"):
            out.setdefault(f.section, []).append(f)
    return out


def _norm(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def section_digest(values: Mapping[str, Any], fields: list[Field]) -> str:
    """A fingerprint of a section's carried answers (blank for an unanswered one)."""
    h = hashlib.sha256()
    for f in sorted(fields, key=lambda f: f.id):
        h.update(f"{f.id}\x1f{_norm(values.get(f.id))}\x1e".encode())
    return h.hexdigest()


def carry_forward(
    data: bytes, answers: Mapping[str, Any], instrument: Instrument, previous_round: str
) -> tuple[bytes, list[str]]:
    """A blank workbook's bytes with `answers` (last round's, by field id) carried forward.

    Returns the new bytes and the ids of the answers carried. A locked cell, or a field this
    round no longer asks, is skipped; counts and dates are never carried.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data))
    carried: list[str] = []
    by_section = carried_fields(instrument)
    note = (
        f"Carried forward from round {previous_round}. Check it, and change it if it no longer "
        "holds."
    )
    filled: dict[str, Any] = {}
    for fields in by_section.values():
        for f in fields:
            value = answers.get(f.id)
            if value in (None, "") or (f.type == "choice" and str(value) not in f.choices):
                continue
            dn = wb.defined_names.get(defined_name(f.id))
            if dn is None:
                continue
            ((sheet, ref),) = list(dn.destinations)
            cell = wb[sheet][ref.replace("$", "")]
            if cell.protection.locked:
                continue
            cell.value = str(value)
            cell.data_type = "s"  # an answer beginning "=" stays text, never a live formula
            cell.comment = Comment(note, AUTHOR, width=260, height=70)
            filled[f.id] = str(value)
            carried.append(f.id)
    sections = {f.section for f in instrument.fields if f.id in filled}
    props = [StringProperty(name=property_name(ROUND_KEY), value=previous_round)]
    for section in sorted(sections):
        digest = section_digest(filled, by_section[section])
        props.append(
            StringProperty(name=property_name(SECTION_KEY.format(section=section)), value=digest)
        )
    for p in props:
        wb.custom_doc_props.append(p)
    # The Checks sheet raises the same query live, and clears it when an answer changes.
    add_carried_checks(wb, instrument, {s: by_section[s] for s in sections}, filled, previous_round)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), carried


def unreviewed_sections(
    identity: Mapping[str, str], values: Mapping[str, Any], instrument: Instrument
) -> list[str]:
    """Sections whose carried answers came back unchanged (none if nothing was carried)."""
    if not identity.get(ROUND_KEY):
        return []
    out = []
    for section, fields in carried_fields(instrument).items():
        digest = identity.get(SECTION_KEY.format(section=section))
        if digest and section_digest(values, fields) == digest:
            out.append(section)
    return out


def carried_forward_findings(
    file_name: str,
    la: str,
    identity: Mapping[str, str],
    values: Mapping[str, Any],
    instrument: Instrument,
) -> list[Finding]:
    """Query QRY02 for each section sent back exactly as carried forward."""
    fc = instrument.checks.file_checks.get("QRY02")
    if fc is None:
        return []
    out = []
    for section in unreviewed_sections(identity, values, instrument):
        sheet = instrument.section(section).sheet
        out.append(
            Finding.of_file(fc, file=file_name, la=la, sheet=sheet, found=identity[ROUND_KEY])
        )
    return out
