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


def write_report_for_collation(collation, out_dir: Path) -> Path:
    """The report for a collation run: analyse it, then write out_dir/report.docx."""
    from collate.analysis import analyse_collation

    return write_report(analyse_collation(collation), Path(out_dir))


def write_report_from_collated(collated_xlsx: Path, out_dir: Path, settings, instrument) -> Path:
    """Rewrite the report from a collated.xlsx written earlier (`collate report`).

    The report replaces the old one only once it is complete (see collate.outputs.folder)."""
    from collate.analysis import analysis_from_collated
    from collate.outputs.folder import locked, staged

    an = analysis_from_collated(Path(collated_xlsx), settings, instrument)
    out_dir = Path(out_dir)
    kept: list = []
    with locked(out_dir), staged(out_dir, kept) as stage:
        written = write_report(an, stage)
    for k in kept:  # the manager had edited report.docx: it is kept, the new one beside it
        if k.name == written.name:
            return k.new_path
    return out_dir / written.name
