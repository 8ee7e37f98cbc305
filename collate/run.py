"""One collation run, end to end: read the returns, write every output, say where each is."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collate.instrument.model import Instrument
from collate.intake.collation import Collation, collate_folder
from collate.intake.manifest import IssuedWorkbook
from collate.outputs.feedback import write_feedback
from collate.outputs.folder import LOG_NAME, Kept, escape_for_log, locked, recover, staged
from collate.outputs.returns_table import returns_table
from collate.outputs.safe import write_csv
from collate.outputs.validation import write_validation
from collate.settings import RoundSettings
from collate.workers import ordered_map, worker_count

log = logging.getLogger("collate")


@dataclass
class RunResult:
    collation: Collation
    outputs: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # outputs that could not be written
    # Outputs edited since the toolkit wrote them, kept as they are (the new one is beside it).
    kept: list[Kept] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0 if self.collation.all_accepted and not self.problems else 1


class _RunLogHandler(logging.FileHandler):
    """The run's own log file. A failure to write it (a full disk) is remembered, not printed."""

    failure: BaseException | None = None

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        import sys

        self.failure = self.failure or sys.exc_info()[1]


class _EscapingFormatter(logging.Formatter):
    """One line per event: a line break or other control character in a file name (or any
    other text) is written as an escape such as \\n, so it cannot forge a line of the log. A
    traceback (a fault in the toolkit) follows its line, every line of it indented."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = escape_for_log(record.getMessage())
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        text = self.formatMessage(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text += "".join("\n    " + line for line in record.exc_text.splitlines())
        return text


def start_log(folder: Path) -> _RunLogHandler:
    handler = _RunLogHandler(folder / LOG_NAME, mode="a", encoding="utf-8")
    handler.setFormatter(_EscapingFormatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler


def run_collation(
    folder: Path,
    out: Path,
    settings: RoundSettings,
    instrument: Instrument,
    progress: Callable[[Path], None] | None = None,
    report: bool = True,
    manifest: dict[str, IssuedWorkbook] | None = None,
    previous: Path | None = None,
    history: Path | None = None,
) -> RunResult:
    """Collate `folder` into `out`, whole or not at all (see collate.outputs.folder).

    Every output is attempted even if another cannot be made (each such problem is listed in
    the result). A folder that cannot be written, a full disk or another run already writing
    to `out` raise OutputError, and leave the previous outputs as they were. `previous` (an
    earlier round's collated.xlsx) or `history` (the folder of kept rounds) adds the progress
    since the last round; with `history`, this round is then kept there too.
    """
    from collate.rounds.history import earlier_rounds

    rounds = earlier_rounds(previous, history, settings, instrument)
    kept: list[Kept] = []
    with locked(out):
        recover(out)
        with staged(out, kept) as stage:
            previous_log = out / LOG_NAME
            if previous_log.is_file():  # the log grows run by run
                shutil.copyfile(previous_log, stage / LOG_NAME)
            handler = start_log(stage)
            try:
                result = _collate_into(
                    stage, folder, settings, instrument, progress, report, manifest, rounds, history
                )
                result.outputs["log"] = stage / LOG_NAME
            finally:
                log.removeHandler(handler)
                handler.close()
            if handler.failure is not None:
                failure = handler.failure
                if isinstance(failure, OSError):
                    raise failure
                raise OSError(errno.EIO, f"the log could not be written ({failure})")
    result.outputs = {  # what was written in the staging folder is now in `out`
        name: out / path.relative_to(stage) if path.is_relative_to(stage) else path
        for name, path in result.outputs.items()
    }
    result.kept = kept
    moved = {k.name: k.new_path for k in kept}
    for name, path in list(result.outputs.items()):
        if not path.is_relative_to(out):
            continue  # e.g. the round kept in the history folder
        top = path.relative_to(out).parts[0]
        if top in moved:
            result.outputs[name] = moved[top] / Path(*path.relative_to(out).parts[1:])
    if kept:  # say so in the log too (it has already been moved into place)
        with contextlib.suppress(OSError), (out / LOG_NAME).open("a", encoding="utf-8") as fh:
            for k in kept:
                fh.write(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} WARNING {k.message}\n")
    return result


def _collate_into(
    out: Path,
    folder: Path,
    settings: RoundSettings,
    instrument: Instrument,
    progress: Callable[[Path], None] | None,
    report: bool,
    manifest: dict[str, IssuedWorkbook] | None = None,
    rounds: list | None = None,
    history: Path | None = None,
) -> RunResult:
    from collate.analysis.round import analyse_collation
    from collate.rounds.progress import attach_progress

    log.info(
        "collating %s for round %s (instrument version %s)",
        folder,
        settings.round,
        instrument.version,
    )
    collation = collate_folder(folder, settings, instrument, progress, manifest)
    result = RunResult(collation)
    # One analysis for every output (with the progress since the last round, if any).
    analysis = functools.cache(
        lambda: attach_progress(analyse_collation(collation), list(rounds or []))
    )
    steps: list[tuple[str, Callable[[], dict[str, Path]]]] = [
        ("returns table", lambda: _returns(collation, out)),
        (
            "validation",
            lambda: dict(
                zip(
                    ("validation.csv", "validation.xlsx"),
                    write_validation(collation, out),
                    strict=True,
                )
            ),
        ),
        ("feedback", lambda: {"feedback": write_feedback(collation, out)[0].parent}),
        ("collated data", lambda: _collated(collation, out, analysis)),
        ("dashboard", lambda: _dashboard(out, analysis)),
        # In two shares, so that they can be written beside the longer outputs (the packs
        # of a national round take as long as the collated data).
        ("benchmark packs", lambda: _packs(out, analysis, 0, 2)),
        ("benchmark packs", lambda: _packs(out, analysis, 1, 2)),
    ]
    if report:
        steps.append(("report", lambda: _report(out, analysis)))
    with contextlib.suppress(Exception):
        # Made once, here, before the outputs are shared between processes. Should it fail,
        # each output that needs it says so (below).
        analysis()
    # Both cores: the outputs are written side by side (collate.workers), the longest first,
    # and taken in their usual order. Each is written exactly as one process writes it.
    order = sorted(range(len(steps)), key=lambda i: LONGEST_FIRST.index(steps[i][0]))
    attempts = ordered_map(_attempt, [steps[i] for i in order], worker_count(settings), min_items=2)
    done = dict(zip(order, attempts, strict=True))
    if history is not None:  # after the collated data, which it keeps
        steps.append(("round history", lambda: _keep(out, history, settings.round)))
        done[len(steps) - 1] = _attempt(steps[-1])
    for i in range(len(steps)):
        outputs, problem = done[i]
        result.outputs.update(outputs)
        if problem and problem not in result.problems:  # the packs' two shares fail alike
            result.problems.append(problem)
    return result


#: The outputs in the order they are started in: the longest first (the packs are in two
#: shares, each shorter than the report).
LONGEST_FIRST = (
    "collated data",
    "report",
    "benchmark packs",
    "feedback",
    "dashboard",
    "validation",
    "returns table",
)


def _attempt(step: tuple[str, Callable[[], dict[str, Path]]]) -> tuple[dict[str, Path], str]:
    """One output written, or why it could not be (its outputs, and a problem or "")."""
    name, write = step
    try:
        return write(), ""
    except OSError:
        raise  # the folder or the disk: nothing is written (see run_collation)
    except Exception as exc:  # noqa: BLE001 - write what can be written, then say so
        log.exception("could not write the %s", name)
        return {}, f"could not write the {name}: {exc}"


def _returns(collation: Collation, out: Path) -> dict[str, Path]:
    path = out / "returns.csv"
    write_csv(returns_table(collation), path)
    return {"returns.csv": path}


def _collated(collation: Collation, out: Path, analysis: Callable[[], Any]) -> dict[str, Path]:
    from collate.outputs.collated import write_collated

    return write_collated(collation, out, analysis())


def _dashboard(out: Path, analysis: Callable[[], Any]) -> dict[str, Path]:
    from collate.outputs.dashboard import write_dashboard

    return {"dashboard.xlsx": write_dashboard(analysis(), out)}


def _packs(out: Path, analysis: Callable[[], Any], part: int, parts: int) -> dict[str, Path]:
    from collate.outputs.la_packs import write_la_packs

    write_la_packs(analysis(), out, part, parts)
    return {"benchmark packs": out / "la_packs"}


def _report(out: Path, analysis: Callable[[], Any]) -> dict[str, Path]:
    from collate.report import write_report

    return {"report.docx": write_report(analysis(), out)}


def _keep(out: Path, history: Path, name: str) -> dict[str, Path]:
    from collate.rounds.history import keep_round

    return {"kept as round": keep_round(out / "collated.xlsx", history, name)}
