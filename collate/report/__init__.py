"""The Word diagnostic report (outputs/report.docx), in the form of the January 2026 report.

Wording: templates/report/*.md.j2 (jinja2 rendering a small markup, see `markup`).
Look: templates/report/reference.docx (its styles). Figures: the analysis's published frames,
formatted by `numbers`, so every figure matches collated.xlsx.
"""

from __future__ import annotations

from pathlib import Path

from collate.report.builder import ReportError, write_report

__all__ = [
    "ReportError",
    "write_report",
    "write_report_for_collation",
    "write_report_from_collated",
]


def write_report_for_collation(collation, out_dir: Path, rounds=()) -> Path:
    """The report for a collation run: analyse it, then write out_dir/report.docx (with the
    progress since the last of `rounds`, earlier rounds oldest first, when there are any)."""
    from collate.analysis import analyse_collation
    from collate.rounds.progress import attach_progress

    return write_report(attach_progress(analyse_collation(collation), list(rounds)), Path(out_dir))


def write_report_from_collated(
    collated_xlsx: Path, out_dir: Path, settings, instrument, rounds=()
) -> Path:
    """Rewrite the report from a collated.xlsx written earlier (`collate report`), with the
    progress since the last of `rounds` (earlier rounds, oldest first) when there are any."""
    from collate.analysis import analysis_from_collated
    from collate.rounds.progress import attach_progress

    an = analysis_from_collated(Path(collated_xlsx), settings, instrument)
    return write_report(attach_progress(an, list(rounds)), Path(out_dir))
