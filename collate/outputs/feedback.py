"""Feedback for each LA: its findings in plain English with cell references, a verdict and an
email draft to send them with."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from collate.collation import NOT_RECEIVED, Collation, LAResult
from collate.emails import draft_email, render_text
from collate.outputs.safe import safe_workbook
from collate.outputs.sheets import SheetWriter

# The verdict for a council with no usable return but a file naming it that could not be read:
# it must not be told that nothing was received.
FILE_NOT_USABLE = "file not usable"

VERDICT_TEXT = {
    "accepted": "Accepted: nothing more to do.",
    "accepted with queries": "Accepted with queries: explain or fix each query below.",
    "must resubmit": "Must resubmit: fix every error below and send the workbook again.",
    "not received": "Not received: please send your return.",
    FILE_NOT_USABLE: "A file that seems to be your return was received but could not be used: "
    "see 'What to fix', then send the return workbook again.",
}


def feedback_frame(result: LAResult) -> pd.DataFrame:
    rows = []
    records = ([result.record] if result.record else []) + result.set_aside
    if result.status == NOT_RECEIVED:
        records += result.unusable_files
    for record in records:
        for f in sorted(record.findings, key=lambda f: (f.severity != "error", f.sheet, f.code)):
            rows.append(
                {
                    "What to do": "Must fix"
                    if f.severity == "error"
                    else ("Explained: no action" if f.explanation else "Fix or explain"),
                    "Sheet": f.sheet,
                    "Cell": f.cell,
                    "Question or figure": f.field,
                    "Value found": f.value,
                    "Problem and what to do": f.message,
                    "Your explanation": f.explanation,
                    "Code": f.code,
                    "File": f.file,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "What to do",
            "Sheet",
            "Cell",
            "Question or figure",
            "Value found",
            "Problem and what to do",
            "Your explanation",
            "Code",
            "File",
        ],
    )


def verdict_of(result: LAResult) -> str:
    """The council's status, or FILE_NOT_USABLE when a file naming it could not be read."""
    if result.status == NOT_RECEIVED and result.unusable_files:
        return FILE_NOT_USABLE
    return result.status


def write_feedback(collation: Collation, out: Path, today: dt.date | None = None) -> list[Path]:
    folder = out / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    settings = collation.settings
    today = today or dt.date.today()
    written = []
    for result in collation.results.values():
        la = result.la
        verdict = verdict_of(result)
        unusable = result.unusable_files if verdict == FILE_NOT_USABLE else []
        path = folder / f"{la.slug}.xlsx"
        wb = safe_workbook(path)
        writer = SheetWriter(wb)
        ws = wb.add_worksheet("Verdict")
        ws.set_column(0, 0, 26)
        ws.set_column(1, 1, 64)
        ws.write(0, 0, f"Feedback on {la.name}'s return", writer.title)
        ws.write(1, 0, f"{settings.programme}, round {settings.round}")
        row = 3
        if result.record and result.record.is_sample:
            ws.merge_range(
                2, 0, 2, 1, "SYNTHETIC SAMPLE DATA: this feedback is on a made-up return.", writer.banner
            )
            row = 4
        facts = [
            ("Verdict", VERDICT_TEXT[verdict]),
            (
                "File checked",
                result.record.file_name
                if result.record
                else "; ".join(r.file_name for r in unusable) or "(none received)",
            ),
            ("Errors (must fix)", str(len(result.record.errors)) if result.record else "0"),
            ("Queries (fix or explain)", str(len(result.record.queries)) if result.record else "0"),
            ("Checked on", today.strftime("%d %B %Y").lstrip("0")),
            ("Reply by", settings.deadline.strftime("%d %B %Y").lstrip("0")),
            ("Contact", f"{settings.contact.name}, {settings.contact.email}"),
        ]
        for label, value in facts:
            ws.write(row, 0, label, writer.header)
            ws.write(row, 1, value, writer.wrap)
            row += 1
        ws.merge_range(
            row + 1,
            0,
            row + 1,
            1,
            "The sheet 'What to fix' lists every problem with its sheet and cell in your workbook.",
            writer.wrap,
        )
        ws.set_paper(9)  # A4, portrait, one page wide
        ws.fit_to_pages(1, 0)
        ws.print_area(0, 0, row + 1, 1)
        frame = feedback_frame(result)
        writer.table(
            "What to fix",
            frame,
            title=f"What to fix in {la.name}'s return",
            widths={
                "What to do": 14,
                "Sheet": 16,
                "Cell": 7,
                "Question or figure": 32,
                "Value found": 14,
                "Problem and what to do": 56,
                "Your explanation": 28,
                "Code": 7,
                "File": 24,
            },
            wrap=["Problem and what to do", "Question or figure", "Your explanation", "File"],
        )
        wb.close()
        written.append(path)
        data = path.read_bytes()
        context = {
            "programme": settings.programme,
            "round": settings.round,
            "la_name": la.name,
            "verdict": verdict,
            "file": result.record.file_name
            if result.record
            else "; ".join(r.file_name for r in unusable),
            "problems": [f.message for r in unusable for f in r.errors],
            "errors": len(result.record.errors) if result.record else 0,
            "queries": len(result.record.queries) if result.record else 0,
            "deadline": settings.deadline.strftime("%d %B %Y").lstrip("0"),
            "contact_name": settings.contact.name,
            "contact_role": settings.contact.role,
            "contact_email": settings.contact.email,
            "organisation": settings.organisation,
        }
        subject, body = render_text(
            settings.templates_folder / "email", "feedback_email.txt.j2", context
        )
        eml = draft_email(
            subject,
            body,
            settings.contact.email,
            la.email,
            (f"Feedback_{la.slug}_{settings.round}.xlsx", data),
        )
        (folder / f"{la.slug}.eml").write_bytes(eml)
    return written
