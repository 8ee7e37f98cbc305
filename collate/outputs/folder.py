"""The outputs folder: written whole or not at all, by one run at a time.

A run writes everything into a hidden folder inside the outputs folder (`.collate-new-…`), and
only when every file is complete does it move them into place. The moves are renames on the same
disk, which take a moment; a marker file (`.complete`) written before the first move lets the
next run finish the job should the computer stop in between. A run that stops before the marker
(killed, out of disk space, no permission) leaves the previous outputs exactly as they were, and
the next run throws its half-written folder away.

Nothing the programme manager has edited is lost: the run records a fingerprint (SHA-256) of every
file it moves into place (`.written.json`). If a file in the outputs folder no longer matches its
fingerprint (the report edited in Word, say), the run leaves it as it is and puts its new file
beside it under a dated name, e.g. `report (new 2026-11-23 1412).docx`, and says so. A report
written before fingerprints were kept is treated as edited, to be safe.

A lock file (`.collate.lock`) stops a second run writing into the same folder at the same time:
it is told plainly that another run is under way. The lock is held by the operating system, so it
is released even if a run is killed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from collate.contract import OUTPUT_LOCK_NAME
from collate.errors import ToolkitError

LOCK_NAME = OUTPUT_LOCK_NAME
STAGING_PREFIX = ".collate-new-"
COMPLETE = ".complete"
OLD_PREFIX = ".old-"
FINGERPRINTS = ".written.json"
LOG_NAME = "collate.log"
# Files the programme manager is expected to edit and that older versions wrote without a
# fingerprint: with no fingerprint on record, these are kept rather than replaced.
KEEP_WITHOUT_FINGERPRINT = ("report.docx",)

try:  # the lock: fcntl on Linux and macOS, msvcrt on Windows
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


class OutputError(ToolkitError):
    """The outputs could not be written; the previous outputs are as they were."""


def plain_reason(exc: OSError, out: Path) -> str:
    """What went wrong writing to `out`, and what to do, in plain words."""
    unchanged = "Nothing in it has been changed: the outputs of the last run are as they were."
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"The disk holding the outputs folder {out} is full, so the outputs could not be "
            f"written. {unchanged} Free some space, or choose another folder with --out, and "
            "run the collation again."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"The outputs folder {out} cannot be written to (you do not have permission, or the "
            f"disk is read-only). {unchanged} Choose a folder you can save files in with --out, "
            "or ask IT for permission, and run the collation again."
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST) or (out.exists() and not out.is_dir()):
        return (
            f"The outputs folder {out} cannot be made: a file of that name (or of one of the "
            "folders above it) is in the way. Choose another folder with --out, and run the "
            "collation again."
        )
    what = exc.strerror or type(exc).__name__
    where = f" ({exc.filename})" if exc.filename else ""
    return (
        f"The outputs could not be written to {out}: {what}{where}. {unchanged} Check the "
        "folder and the disk, and run the collation again."
    )


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the outputs folder for this run; refuse plainly if another run holds it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = (out / LOCK_NAME).open("a+", encoding="utf-8")
    except OSError as exc:
        raise OutputError(plain_reason(exc, out)) from None
    try:
        try:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:  # pragma: no cover - Windows
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            raise OutputError(
                f"Another collation is writing to {out} at this moment. Wait for it to finish "
                "and run this again, or choose another folder with --out. Nothing has been "
                "changed."
            ) from None
        with contextlib.suppress(OSError):  # who holds the lock: information only
            handle.seek(0)
            handle.truncate()
            handle.write(f"process {os.getpid()}, started {dt.datetime.now():%Y-%m-%d %H:%M}\n")
            handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def recover(out: Path) -> None:
    """Finish a run that stopped while moving its outputs in; discard any that stopped sooner."""
    for stage in sorted(out.glob(STAGING_PREFIX + "*")):
        if not stage.is_dir():
            continue
        if (stage / COMPLETE).exists():
            _move_into_place(stage, out, [])
        else:
            shutil.rmtree(stage, ignore_errors=True)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fingerprints(root: Path, entry: Path) -> dict[str, str]:
    """Fingerprints of a file, or of every file in a folder, by path relative to `root`."""
    files = [entry] if entry.is_file() else sorted(p for p in entry.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): _digest(p) for p in files}


def _read_record(out: Path) -> dict[str, str] | None:
    try:
        data = json.loads((out / FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _edited(out: Path, target: Path, record: dict[str, str] | None) -> bool:
    """True when `target` (a file or folder in `out`) differs from what the toolkit wrote."""
    if not target.exists():
        return False
    now = _fingerprints(out, target)
    if record is None:
        return target.name in KEEP_WITHOUT_FINGERPRINT
    if target.name == LOG_NAME:  # the log is appended to run by run, never edited by hand
        return False
    known = {k: v for k, v in record.items() if k == target.name or k.startswith(target.name + "/")}
    return any(record.get(name) != digest for name, digest in now.items()) or not known


def _beside(target: Path, stamp: str) -> Path:
    """A dated name next to `target` for a new file that must not replace an edited one."""
    name = (
        f"{target.stem} (new {stamp}){target.suffix}"
        if target.is_file()
        else f"{target.name} (new {stamp})"
    )
    candidate, n = target.with_name(name), 2
    while candidate.exists():
        candidate = target.with_name(name.replace(f"(new {stamp})", f"(new {stamp}, {n})"))
        n += 1
    return candidate


@dataclass(frozen=True)
class Kept:
    """An output left as the manager edited it, and where its new version went instead."""

    name: str
    new_path: Path

    @property
    def message(self) -> str:
        return (
            f"{self.name} has been changed since the collator wrote it, so it has been kept as "
            f"it is. The new one is {self.new_path.name}: copy across what you need."
        )


def _move_into_place(stage: Path, out: Path, kept: list[Kept] | None = None) -> None:
    record = _read_record(out)
    new_record = dict(record or {})
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H%M")
    for entry in sorted(stage.iterdir()):
        if entry.name in (COMPLETE, FINGERPRINTS) or entry.name.startswith(OLD_PREFIX):
            continue
        target = out / entry.name
        if _edited(out, target, record):
            beside = _beside(target, stamp)
            os.replace(entry, beside)
            if kept is not None:
                kept.append(Kept(target.name, beside))
            continue
        if entry.is_dir():
            if target.exists():
                old = stage / (OLD_PREFIX + entry.name)
                if old.exists():
                    shutil.rmtree(old)
                os.replace(target, old)
            os.replace(entry, target)
        else:
            os.replace(entry, target)
        for name in [k for k in new_record if k == entry.name or k.startswith(entry.name + "/")]:
            del new_record[name]
        new_record.update(_fingerprints(out, target))
    with contextlib.suppress(OSError):
        tmp = out / (FINGERPRINTS + ".tmp")
        tmp.write_text(json.dumps(new_record, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, out / FINGERPRINTS)
    shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def staged(out: Path, kept: list[Kept] | None = None) -> Iterator[Path]:
    """A hidden folder inside `out` to write into; moved into place if the block completes.

    Call inside `locked(out)`. An OSError while writing becomes an OutputError with a plain
    message; any failure leaves the previous outputs untouched. Where an output has been edited
    since the toolkit wrote it, the new one goes beside it and a sentence saying so is added to
    `kept`.
    """
    try:
        stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    except OSError as exc:
        raise OutputError(plain_reason(exc, out)) from None
    committed = False
    try:
        yield stage
        try:
            marker = stage / COMPLETE
            with marker.open("w", encoding="utf-8") as fh:
                fh.write("complete\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise OutputError(plain_reason(exc, out)) from None
        committed = True
        _move_into_place(stage, out, kept)
    except OSError as exc:
        if committed:  # pragma: no cover - a rename failing after the marker: finish next run
            raise OutputError(
                f"The outputs in {out} could not all be moved into place ({exc.strerror}). "
                "Run the collation again: it finishes the job before anything else."
            ) from None
        raise OutputError(plain_reason(exc, out)) from None
    finally:
        if not committed:
            shutil.rmtree(stage, ignore_errors=True)


def escape_for_log(text: str) -> str:
    """`text` on one line: control, format and line-separator characters written as escapes."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)
