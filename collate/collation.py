"""Collate a folder of returns: read each, keep the newest per LA, decide each LA's status."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from collate.findings import Finding
from collate.instrument import Instrument
from collate.reader import ReturnRecord, read_return, should_skip
from collate.settings import LocalAuthority, RoundSettings

log = logging.getLogger("collate")

ACCEPTED = "accepted"
ACCEPTED_WITH_QUERIES = "accepted with queries"
MUST_RESUBMIT = "must resubmit"
NOT_RECEIVED = "not received"
USABLE = (ACCEPTED, ACCEPTED_WITH_QUERIES)


@dataclass
class LAResult:
    """Where one expected LA stands: its status and the return that counts, if any."""

    la: LocalAuthority
    status: str
    record: ReturnRecord | None = None
    set_aside: list[ReturnRecord] = field(default_factory=list)

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
        return record.last_saved_at
    return dt.datetime.fromtimestamp(record.path.stat().st_mtime)


def list_returns(folder: Path) -> tuple[list[Path], list[Path]]:
    """Files to read, and files skipped without a finding (lock files, hidden files)."""
    files, skipped = [], []
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            continue
        (skipped if should_skip(path) else files).append(path)
    return files, skipped


def collate_folder(
    folder: Path,
    settings: RoundSettings,
    instrument: Instrument,
    progress: Callable[[Path], None] | None = None,
) -> Collation:
    """Read every return in `folder` (not its subfolders) and decide each LA's status."""
    files, skipped = list_returns(folder)
    layouts: dict = {}
    records = []
    # Memory stays flat however many files there are: once a return has been read and checked,
    # only its typed answers are needed, and only while it is its council's newest return. An
    # older copy keeps its findings (it is still reported) but lets go of its answers.
    newest: dict[str, ReturnRecord] = {}
    for path in files:
        record = read_return(path, instrument, settings, layouts)
        record.raw = {}
        record.cells = {}
        log.info(
            "read %s: %s, %d error(s), %d query(ies)",
            path.name,
            record.la_name or "council not identified",
            len(record.errors),
            len(record.queries),
        )
        records.append(record)
        if record.la is None:
            record.values = {}
        else:
            current = newest.get(record.la.name)
            if current is None or _saved_at(record) > _saved_at(current):
                newest[record.la.name] = record
                if current is not None:
                    current.values = {}
            else:
                record.values = {}
        if progress:
            progress(path)
    for path in skipped:
        log.info("skipped %s (lock file, hidden or system file)", path.name)

    by_la: dict[str, list[ReturnRecord]] = {}
    unidentified = []
    for record in records:
        if record.la is None:
            unidentified.append(record)
        else:
            by_la.setdefault(record.la.name, []).append(record)

    results: dict[str, LAResult] = {}
    for la in settings.local_authorities:
        candidates = sorted(by_la.get(la.name, []), key=_saved_at, reverse=True)
        if not candidates:
            results[la.name] = LAResult(la, NOT_RECEIVED)
            continue
        kept = newest[la.name]
        older = [r for r in candidates if r is not kept]
        fc = instrument.checks.file_checks["FILE11"]
        for other in older:
            other.findings.append(
                Finding(
                    file=other.file_name,
                    la=la.name,
                    severity=fc.severity,
                    code=fc.code,
                    title=fc.title,
                    message=fc.text(la=la.name, other=kept.file_name),
                )
            )
            log.info("set aside %s: %s is newer", other.file_name, kept.file_name)
        results[la.name] = LAResult(la, status_of(kept), kept, older)
    return Collation(settings, instrument, folder, records, results, skipped, unidentified)
