"""Build the return workbooks for a round: one per LA, a manifest and a covering email each."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from collate.emails import draft_email, render_text
from collate.errors import ToolkitError
from collate.instrument import Instrument, load_instrument
from collate.layout import build_layout
from collate.settings import LocalAuthority, RoundSettings
from collate.workbook import render


@dataclass(frozen=True)
class BuiltWorkbook:
    la: LocalAuthority
    path: Path
    sha256: str
    email: Path | None


def workbook_name(la: LocalAuthority, settings: RoundSettings, sample: bool = False) -> str:
    prefix = "SAMPLE_" if sample else ""
    return f"{prefix}{la.slug}_anti-racist-practice-return_{settings.round}.xlsx"


def choose_las(settings: RoundSettings, names: Iterable[str]) -> list[LocalAuthority]:
    names = list(names)
    if not names:
        return list(settings.local_authorities)
    chosen: list[LocalAuthority] = []
    for name in names:
        la = settings.la_by_name(name)
        if la is None:
            known = ", ".join(x.name for x in settings.local_authorities)
            raise ToolkitError(f"'{name}' is not one of this round's councils: {known}")
        if la not in chosen:  # --la Essex --la essex builds Essex once
            chosen.append(la)
    return chosen


def workbook_bytes(
    instrument: Instrument, settings: RoundSettings, la: LocalAuthority, sample: bool = False
) -> bytes:
    layout = build_layout(instrument, settings, la, sample)
    properties = {
        "title": f"{instrument.title} {settings.round}: {la.name}",
        "subject": settings.programme,
        "author": settings.organisation,
        "company": settings.organisation,
        "comments": ("SYNTHETIC SAMPLE DATA. " if sample else "")
        + f"Return workbook for {la.name} ({la.gss_code}), round {settings.round}, "
        f"instrument version {instrument.version}.",
    }
    return render(layout, settings.password, properties)


def build_workbooks(
    settings: RoundSettings,
    out_dir: Path,
    las: list[LocalAuthority] | None = None,
    instrument: Instrument | None = None,
    emails: bool = True,
    sample: bool = False,
    progress: Callable[[LocalAuthority], None] | None = None,
) -> list[BuiltWorkbook]:
    """Write one workbook per LA to `out_dir`, with manifest.csv and covering emails."""
    instrument = instrument or load_instrument(settings.instrument_folder)
    las = las or list(settings.local_authorities)
    out_dir.mkdir(parents=True, exist_ok=True)
    built = []
    for la in las:
        data = workbook_bytes(instrument, settings, la, sample)
        path = out_dir / workbook_name(la, settings, sample)
        path.write_bytes(data)
        email_path = None
        if emails:
            email_path = out_dir / "emails" / f"{la.slug}.eml"
            email_path.parent.mkdir(exist_ok=True)
            email_path.write_bytes(covering_email(settings, la, path.name, data))
        built.append(BuiltWorkbook(la, path, hashlib.sha256(data).hexdigest(), email_path))
        if progress:
            progress(la)
    with (out_dir / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["la", "gss_code", "file", "sha256", "instrument_version", "round"])
        for b in built:
            w.writerow(
                [
                    b.la.name,
                    b.la.gss_code,
                    b.path.name,
                    b.sha256,
                    instrument.version,
                    settings.round,
                ]
            )
    return built


def covering_email(
    settings: RoundSettings, la: LocalAuthority, file_name: str, data: bytes
) -> bytes:
    context = {
        "programme": settings.programme,
        "round": settings.round,
        "la_name": la.name,
        "deadline": settings.deadline.strftime("%d %B %Y").lstrip("0"),
        "figures_year_ending": settings.figures_year_ending.strftime("%d %B %Y").lstrip("0")
        if settings.figures_year_ending
        else "",
        "contact_name": settings.contact.name,
        "contact_role": settings.contact.role,
        "contact_email": settings.contact.email,
        "organisation": settings.organisation,
        "organisation_strapline": settings.organisation_strapline,
    }
    subject, body = render_text(
        settings.templates_folder / "email", "covering_email.txt.j2", context
    )
    return draft_email(subject, body, settings.contact.email, la.email, (file_name, data))
