"""One collation run, end to end: read the returns, write every output, say where each is."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collate.collation import Collation, collate_folder
from collate.instrument import Instrument
from collate.outputs.feedback import write_feedback
from collate.outputs.returns_table import returns_table
from collate.outputs.validation import write_validation
from collate.settings import RoundSettings

log = logging.getLogger("collate")


@dataclass
class RunResult:
    collation: Collation
    outputs: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # outputs that could not be written

    @property
    def exit_code(self) -> int:
        return 0 if self.collation.all_accepted and not self.problems else 1


def start_log(out: Path) -> logging.Handler:
    out.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(out / "collate.log", mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
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
    previous: Path | None = None,
    history: Path | None = None,
) -> RunResult:
    """Collate `folder` into `out`. Every output is attempted even if another fails.

    `previous` (an earlier round's collated.xlsx) or `history` (the folder of kept rounds) adds
    the progress since the last round; with `history`, this round is then kept there too.
    """
    from collate.analysis import analyse_collation
    from collate.rounds.history import earlier_rounds
    from collate.rounds.progress import attach_progress

    rounds = earlier_rounds(previous, history, settings, instrument)
    handler = start_log(out)
    try:
        log.info(
            "collating %s for round %s (instrument version %s)",
            folder,
            settings.round,
            instrument.version,
        )
        collation = collate_folder(folder, settings, instrument, progress)
        result = RunResult(collation)
        # One analysis for every output (with the progress since the last round, if any).
        analysis = functools.cache(lambda: attach_progress(analyse_collation(collation), rounds))
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
            ("benchmark packs", lambda: _packs(out, analysis)),
        ]
        if report:
            steps.append(("report", lambda: _report(out, analysis)))
        if history is not None:
            steps.append(("round history", lambda: _keep(out, history, settings.round)))
        for name, step in steps:
            try:
                result.outputs.update(step())
            except Exception as exc:  # noqa: BLE001 - write what can be written, then say so
                log.exception("could not write the %s", name)
                result.problems.append(f"could not write the {name}: {exc}")
        result.outputs["log"] = out / "collate.log"
        return result
    finally:
        log.removeHandler(handler)
        handler.close()


def _returns(collation: Collation, out: Path) -> dict[str, Path]:
    path = out / "returns.csv"
    returns_table(collation).to_csv(path, index=False, encoding="utf-8-sig")
    return {"returns.csv": path}


def _collated(collation: Collation, out: Path, analysis: Callable[[], Any]) -> dict[str, Path]:
    from collate.outputs.collated import write_collated

    return write_collated(collation, out, analysis())


def _dashboard(out: Path, analysis: Callable[[], Any]) -> dict[str, Path]:
    from collate.outputs.dashboard import write_dashboard

    return {"dashboard.xlsx": write_dashboard(analysis(), out)}


def _packs(out: Path, analysis: Callable[[], Any]) -> dict[str, Path]:
    from collate.outputs.la_packs import write_la_packs

    write_la_packs(analysis(), out)
    return {"benchmark packs": out / "la_packs"}


def _report(out: Path, analysis: Callable[[], Any]) -> dict[str, Path]:
    from collate.report import write_report

    return {"report.docx": write_report(analysis(), out)}


def _keep(out: Path, history: Path, name: str) -> dict[str, Path]:
    from collate.rounds.history import keep_round

    return {"kept as round": keep_round(out / "collated.xlsx", history, name)}
