"""Collate a folder of returns: read each, keep the newest per LA, decide each LA's status."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from collate.checks.findings import Finding
from collate.contract import OUTPUT_LOCK_NAME
from collate.instrument.model import Instrument
from collate.intake.manifest import IssuedWorkbook
from collate.intake.reader import ReturnRecord, read_return, should_skip
from collate.settings import LocalAuthority, RoundSettings
from collate.workers import ordered_map, worker_count

log = logging.getLogger("collate")

ACCEPTED = "accepted"
ACCEPTED_WITH_QUERIES = "accepted with queries"
MUST_RESUBMIT = "must resubmit"
NOT_RECEIVED = "not received"
USABLE = (ACCEPTED, ACCEPTED_WITH_QUERIES)
# A save time more than this far ahead of the collation is a wrong clock, not a real time.
FUTURE_TOLERANCE = dt.timedelta(hours=1)


@dataclass
class LAResult:
    """Where one expected LA stands: its status and the return that counts, if any."""

    la: LocalAuthority
    status: str
    record: ReturnRecord | None = None
    set_aside: list[ReturnRecord] = field(default_factory=list)
    # Files that could not be matched to any council but whose names name this one.
    unusable_files: list[ReturnRecord] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return self.status in USABLE

    @property
    def findings(self) -> list[Finding]:
        return self.record.findings if self.record else []


@dataclass
class Collation:
    settings: RoundSettings
    instrument: Instrument
    folder: Path
    records: list[ReturnRecord]
    results: dict[str, LAResult]  # LA name → result, in settings order
    skipped: list[Path]
    unidentified: list[ReturnRecord]
    in_subfolders: list[Path] = field(default_factory=list)  # listed, not read
    # The build's manifest, when given (token → the workbook it was issued in).
    manifest: dict[str, IssuedWorkbook] | None = None

    def issued_token(self, gss_code: str) -> str | None:
        """The issue token of this round's workbook sent to a council, so that a fresh copy
        attached to its feedback is one that was sent out (the newest, if several)."""
        tokens = [
            w.token
            for w in (self.manifest or {}).values()
            if w.gss_code == gss_code and w.round == self.settings.round
        ]
        return tokens[-1] if tokens else None

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.records for f in r.findings]

    @property
    def usable(self) -> list[LAResult]:
        return [r for r in self.results.values() if r.usable]

    @property
    def all_accepted(self) -> bool:
        return all(r.usable for r in self.results.values())

    @property
    def is_sample(self) -> bool:
        return any(r.record.is_sample for r in self.usable if r.record)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results.values() if r.status == status)


def status_of(record: ReturnRecord) -> str:
    if record.errors or not record.readable:
        return MUST_RESUBMIT
    if record.queries:
        return ACCEPTED_WITH_QUERIES
    return ACCEPTED


def _saved_at(record: ReturnRecord) -> dt.datetime:
    if record.last_saved_at:
        return record.last_saved_at.replace(tzinfo=None)
    try:
        return dt.datetime.fromtimestamp(record.path.stat().st_mtime, dt.UTC).replace(tzinfo=None)
    except OSError:
        return dt.datetime.min


def _folder_time(record: ReturnRecord) -> float:
    try:
        return record.path.stat().st_mtime
    except OSError:
        return 0.0


def _in_future(record: ReturnRecord, now: dt.datetime) -> bool:
    return _saved_at(record) > now + FUTURE_TOLERANCE


def _rank(record: ReturnRecord, now: dt.datetime) -> tuple:
    """Which of a council's returns counts: the highest rank (see the README's rule)."""
    return (
        not record.identity_doubt,  # a trusted identity first
        not _in_future(record, now),  # then a save time that can be believed
        _saved_at(record),  # then the latest save
        _folder_time(record),  # then the latest to arrive in the folder
        record.file_name,  # and last, by name, so the choice never depends on chance
    )


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M:%S")


def set_aside_reason(
    other: ReturnRecord, kept: ReturnRecord, now: dt.datetime
) -> tuple[str, dict[str, str]]:
    """The code and wording that say truthfully why `other` was set aside for `kept`."""
    if other.sha256 and other.sha256 == kept.sha256:
        return "FILE29", {"other": kept.file_name}
    mine, theirs = _saved_at(other), _saved_at(kept)
    if other.identity_doubt and not kept.identity_doubt:
        reason = f"this one cannot be trusted to be the council's own ({other.identity_doubt})"
    elif _in_future(other, now) and not _in_future(kept, now):
        reason = (
            f"this one's save time ({_when(mine)}) is in the future, so the clock of the "
            f"computer that saved it was wrong; the other's ({_when(theirs)}) can be believed"
        )
    elif mine == theirs:
        if _folder_time(kept) != _folder_time(other):
            tie = "it was put in the returns folder later"
        else:
            tie = "its name comes later in alphabetical order"
        reason = (
            f"both were saved at the same moment ({_when(mine)}), and the other was used "
            f"because {tie}"
        )
    else:
        reason = f"the other was saved more recently ({_when(theirs)}, against {_when(mine)})"
    return "FILE11", {"other": kept.file_name, "reason": reason}


def list_returns(folder: Path) -> tuple[list[Path], list[Path]]:
    """Files to read, and files skipped without a finding (lock files, hidden files)."""
    files, skipped = [], []
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            continue
        (skipped if should_skip(path) else files).append(path)
    return files, skipped


def files_in_subfolders(folder: Path) -> list[Path]:
    """Files in the returns folder's subfolders, which are listed but not read.

    Returns are read from the folder itself only: a subfolder is where people keep earlier
    attempts, examples (sample_returns/flawed) or files put aside on purpose. Hidden folders,
    shortcuts to folders (which could loop) and an outputs folder are passed over entirely."""
    found: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() and not (path / OUTPUT_LOCK_NAME).exists():
            found += _files_below(path)
    return found


def _files_below(folder: Path) -> list[Path]:
    if folder.name.startswith(".") or folder.is_symlink():
        return []
    found: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            found += _files_below(path)
        elif not should_skip(path):
            found.append(path)
    return found


def collate_folder(
    folder: Path,
    settings: RoundSettings,
    instrument: Instrument,
    progress: Callable[[Path], None] | None = None,
    manifest: dict[str, IssuedWorkbook] | None = None,
) -> Collation:
    """Read every return in `folder` (its subfolders are listed, not read) and decide each
    LA's status.

    With `manifest` (read from the build's manifest.csv) a return must carry the issue token
    of a workbook issued to the council it names (see collate.intake.manifest)."""
    files, skipped = list_returns(folder)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    layouts: dict = {}
    records = []
    # Memory stays flat however many files there are: once a return has been read and checked,
    # only its typed answers are needed, and only while it is its council's newest return. An
    # older copy keeps its findings (it is still reported) but lets go of its answers.
    newest: dict[str, ReturnRecord] = {}

    def read(path: Path) -> ReturnRecord:
        record = read_return(
            path, instrument, settings, layouts, manifest, path.relative_to(folder).as_posix()
        )
        record.raw = {}
        record.cells = {}
        return record

    # Read in two processes where the computer has two cores (collate.workers): the records
    # come back in the files' order, so everything after is as with one process.
    for path, record in zip(files, ordered_map(read, files, worker_count(settings)), strict=True):
        name = path.relative_to(folder).as_posix()
        log.info(
            "read %s: %s, %d error(s), %d query(ies)",
            name,
            record.la_name or "council not identified",
            len(record.errors),
            len(record.queries),
        )
        records.append(record)
        if record.la is None:
            record.values = {}
        else:
            current = newest.get(record.la.name)
            if current is None or _rank(record, now) > _rank(current, now):
                newest[record.la.name] = record
                if current is not None:
                    current.values = {}
            else:
                record.values = {}
        if progress:
            progress(path)
    for path in skipped:
        log.info("skipped %s (lock file, hidden or system file)", path.name)
    in_subfolders = files_in_subfolders(folder)
    for path in in_subfolders:
        log.warning(
            "not read %s: it is in a subfolder; if it is a return, move it into %s itself",
            path.relative_to(folder).as_posix(),
            folder.name,
        )

    by_la: dict[str, list[ReturnRecord]] = {}
    unidentified = []
    for record in records:
        if record.la is None:
            unidentified.append(record)
        else:
            by_la.setdefault(record.la.name, []).append(record)

    results: dict[str, LAResult] = {}
    for la in settings.local_authorities:
        candidates = sorted(by_la.get(la.name, []), key=lambda r: _rank(r, now), reverse=True)
        if not candidates:
            results[la.name] = LAResult(la, NOT_RECEIVED)
            continue
        kept = newest[la.name]
        older = [r for r in candidates if r is not kept]
        for other in older:
            code, context = set_aside_reason(other, kept, now)
            finding = Finding.of_file(
                instrument.checks.file_checks[code],
                file=other.file_name,
                la=la.name,
                **context,
            )
            other.findings.append(finding)
            log.info("set aside %s: %s", other.file_name, finding.message)
        results[la.name] = LAResult(la, status_of(kept), kept, older)
    for record in unidentified:
        for la in councils_named_in(record.file_name, settings.local_authorities):
            results[la.name].unusable_files.append(record)
    return Collation(
        settings,
        instrument,
        folder,
        records,
        results,
        skipped,
        unidentified,
        in_subfolders,
        manifest,
    )


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


def councils_named_in(file_name: str, las: list[LocalAuthority]) -> list[LocalAuthority]:
    """The councils whose name (or short name) is in a file's name, as whole words."""
    words = _words(Path(file_name).stem)
    return [
        la
        for la in las
        if any(_words(n) in words for n in (la.name, la.short_name, la.slug) if n.strip())
    ]
