"""Build the return workbooks for a round: one per LA, a manifest and a covering email each."""

from __future__ import annotations

import csv
import hashlib
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from collate.contract import ISSUE_TOKEN
from collate.emails import draft_email, render_text
from collate.errors import ToolkitError
from collate.generator.layout import SharedLayout, shared_layout
from collate.generator.workbook import render
from collate.instrument.model import Instrument
from collate.load import load_instrument
from collate.settings import LocalAuthority, RoundSettings
from collate.workers import ordered_map, worker_count

MANIFEST_COLUMNS = [
    "la",
    "gss_code",
    "file",
    "sha256",
    "instrument_version",
    "round",
    "token",
]


@dataclass(frozen=True)
class BuiltWorkbook:
    la: LocalAuthority
    path: Path
    sha256: str
    email: Path | None
    token: str = ""  # the random issue token inside it, also in manifest.csv


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


_SHARED: list = []  # the last round's (key, instrument, layout): one round at a time


def _shared(instrument: Instrument, settings: RoundSettings, sample: bool) -> SharedLayout:
    """One layout for every council of a round (see collate.generator.layout.SharedLayout)."""
    key = (id(instrument), instrument.fingerprint, settings.model_dump_json(), sample)
    if _SHARED and _SHARED[0][0] == key and _SHARED[0][1] is instrument:
        return _SHARED[0][2]
    shared = shared_layout(instrument, settings, sample)
    _SHARED[:] = [(key, instrument, shared)]
    return shared


def workbook_bytes(
    instrument: Instrument,
    settings: RoundSettings,
    la: LocalAuthority,
    sample: bool = False,
    token: str | None = None,
) -> bytes:
    layout = _shared(instrument, settings, sample).for_council(la)
    properties = {
        "title": f"{instrument.title} {settings.round}: {la.name}",
        "subject": settings.programme,
        "author": settings.organisation,
        "company": settings.organisation,
        "comments": ("SYNTHETIC SAMPLE DATA. " if sample else "")
        + f"Return workbook for {la.name} ({la.gss_code}), round {settings.round}, "
        f"instrument version {instrument.version}.",
    }
    custom = {ISSUE_TOKEN: token} if token else None
    return render(layout, settings.password, properties, custom)


def build_workbooks(
    settings: RoundSettings,
    out_dir: Path,
    las: list[LocalAuthority] | None = None,
    instrument: Instrument | None = None,
    emails: bool = True,
    sample: bool = False,
    progress: Callable[[LocalAuthority], None] | None = None,
    tokens: Mapping[str, str] | None = None,
    prefill: Callable[[LocalAuthority, bytes], bytes] | None = None,
) -> list[BuiltWorkbook]:
    """Write one workbook per LA to `out_dir`, with manifest.csv and covering emails.

    Each workbook carries a new random issue token (or, for rebuilding the very same file, the
    one in `tokens`, by council code), recorded in manifest.csv. Rows of an earlier manifest in
    `out_dir` are kept after the new ones, so that a workbook already sent out is still known.
    `prefill`, given a council and its blank workbook's bytes, returns them with last round's
    answers carried forward (see collate.rounds.carried).
    """
    instrument = instrument or load_instrument(settings.instrument_folder)
    las = las or list(settings.local_authorities)
    out_dir.mkdir(parents=True, exist_ok=True)
    earlier = _earlier_manifest_rows(out_dir / "manifest.csv")
    # Tokens drawn here, in this process, before any work is shared out.
    tokens_of = {
        la.gss_code: (tokens or {}).get(la.gss_code) or secrets.token_hex(16) for la in las
    }
    if emails:
        (out_dir / "emails").mkdir(exist_ok=True)

    def build(la: LocalAuthority) -> BuiltWorkbook:
        token = tokens_of[la.gss_code]
        data = workbook_bytes(instrument, settings, la, sample, token=token)
        if prefill is not None:
            data = prefill(la, data)
        path = out_dir / workbook_name(la, settings, sample)
        path.write_bytes(data)
        email_path = None
        if emails:
            email_path = out_dir / "emails" / f"{la.slug}.eml"
            email_path.write_bytes(covering_email(settings, la, path.name, data, instrument))
        return BuiltWorkbook(la, path, hashlib.sha256(data).hexdigest(), email_path, token)

    # Two processes where the computer has two cores (collate.workers); same files, same order.
    built = []
    for la, done in zip(las, ordered_map(build, las, worker_count(settings)), strict=True):
        built.append(done)
        if progress:
            progress(la)
    with (out_dir / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(MANIFEST_COLUMNS)
        for b in built:
            w.writerow(
                [
                    b.la.name,
                    b.la.gss_code,
                    b.path.name,
                    b.sha256,
                    instrument.version,
                    settings.round,
                    b.token,
                ]
            )
        new_tokens = {b.token for b in built}
        for row in earlier:
            if row["token"] not in new_tokens:
                w.writerow([row.get(c, "") for c in MANIFEST_COLUMNS])
    return built


def _earlier_manifest_rows(path: Path) -> list[dict[str, str]]:
    """Rows (with a token) of a manifest already in the folder; none if there is none."""
    if not path.is_file():
        return []
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return [row for row in csv.DictReader(fh) if row.get("token")]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def covering_email(
    settings: RoundSettings,
    la: LocalAuthority,
    file_name: str,
    data: bytes,
    instrument: Instrument | None = None,
) -> bytes:
    """The draft email that sends a council its workbook. The Checks sheet's words in it (its
    status words and its verdict) are the catalogue's, so rewording them in checks.yaml
    rewords the email too."""
    catalogue = (instrument or load_instrument(settings.instrument_folder)).checks
    context = {
        "must_fix": catalogue.status_words.error,
        "fix_or_explain": catalogue.status_words.query,
        "ready_to_send": catalogue.verdict.ready,
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
    # To the council's contact, with the programme mailbox in copy so the thread is on file.
    return draft_email(
        subject,
        body,
        settings.contact.email,
        la.email,
        (file_name, data),
        cc=settings.contact.email,
    )
