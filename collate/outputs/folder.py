"""The outputs folder: written whole or not at all, by one run at a time.

A run writes everything into a hidden folder inside the outputs folder (`.collate-new-…`), and
only when every file is complete does it move them into place. The moves are renames on the same
disk, which take a moment; a marker file (`.complete`) written before the first move lets the
next run finish the job should the computer stop in between. A run that stops before the marker
(killed, out of disk space, no permission) leaves the previous outputs exactly as they were, and
the next run throws its half-written folder away.

A lock file (`.collate.lock`) stops a second run writing into the same folder at the same time:
it is told plainly that another run is under way. The lock is held by the operating system, so it
is released even if a run is killed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from collate.errors import ToolkitError

LOCK_NAME = ".collate.lock"
STAGING_PREFIX = ".collate-new-"
COMPLETE = ".complete"
OLD_PREFIX = ".old-"

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
            _move_into_place(stage, out)
        else:
            shutil.rmtree(stage, ignore_errors=True)


def _move_into_place(stage: Path, out: Path) -> None:
    for entry in sorted(stage.iterdir()):
        if entry.name == COMPLETE or entry.name.startswith(OLD_PREFIX):
            continue
        target = out / entry.name
        if entry.is_dir():
            if target.exists():
                old = stage / (OLD_PREFIX + entry.name)
                if old.exists():
                    shutil.rmtree(old)
                os.replace(target, old)
            os.replace(entry, target)
        else:
            os.replace(entry, target)
    shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A hidden folder inside `out` to write into; moved into place if the block completes.

    Call inside `locked(out)`. An OSError while writing becomes an OutputError with a plain
    message; any failure leaves the previous outputs untouched.
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
        _move_into_place(stage, out)
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
