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
    from collate.analysis.round import analyse_collation
    from collate.rounds.progress import attach_progress

    return write_report(attach_progress(analyse_collation(collation), list(rounds)), Path(out_dir))


def write_report_from_collated(
    collated_xlsx: Path, out_dir: Path, settings, instrument, rounds=()
) -> Path:
    """Rewrite the report from a collated.xlsx written earlier (`collate report`), with the
    progress since the last of `rounds` (earlier rounds, oldest first) when there are any.

    The report replaces the old one only once it is complete, and never replaces one the
    manager has edited (see collate.outputs.folder)."""
    from collate.analysis.round import analysis_from_collated
    from collate.outputs.folder import locked, staged
    from collate.rounds.progress import attach_progress

    an = attach_progress(
        analysis_from_collated(Path(collated_xlsx), settings, instrument), list(rounds)
    )
    out_dir = Path(out_dir)
    kept: list = []
    with locked(out_dir), staged(out_dir, kept) as stage:
        written = write_report(an, stage)
    for k in kept:  # the manager had edited report.docx: it is kept, the new one beside it
        if k.name == written.name:
            return k.new_path
    return out_dir / written.name
