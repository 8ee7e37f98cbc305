"""Feedback for each LA: its findings in plain English with cell references, a verdict and an
email draft to send them with.

Each council is in one of five situations (accepted, accepted with queries, must resubmit, file
received but not usable, not received), and each situation has its own email wording in
templates/email/feedback_<situation>.txt.j2. A council whose fix is a fresh copy of this round's
workbook (an old template, last round's workbook, a damaged layout) gets one attached; a council
with no return gets no feedback workbook, only the reminder with its workbook attached.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from collate.intake.collation import (
    ACCEPTED,
    ACCEPTED_WITH_QUERIES,
    MUST_RESUBMIT,
    NOT_RECEIVED,
    Collation,
    LAResult,
)
from collate.emails import draft_email, render_text
from collate.checks.findings import Finding
from collate.generator.layout import text_lines
from collate.outputs.safe import safe_workbook
from collate.intake.reader import ReturnRecord

# The finding that only counts the unexplained queries: not a problem of its own.
SUMMARY_CODES = ("QRY01",)
NOT_USABLE = "not usable"

ALL_EXPLAINED = "all queries explained"
WORDS_FILE = "feedback_words.yaml"
TEMPLATES = {
    ACCEPTED: "feedback_accepted.txt.j2",
    ACCEPTED_WITH_QUERIES: "feedback_accepted_with_queries.txt.j2",
    MUST_RESUBMIT: "feedback_must_resubmit.txt.j2",
    NOT_USABLE: "feedback_not_usable.txt.j2",
    NOT_RECEIVED: "feedback_not_received.txt.j2",
}
COLUMNS = {  # heading → width (characters); they fit a landscape A4 page at about 100%
    "What to do": 15,
    "Where": 20,
    "Question or figure": 26,
    "Value found": 11,
    "Problem and what to do": 40,
    "Your explanation": 24,
    "Code": 7,
}
FILE_COLUMN = ("File", 18)


@dataclass(frozen=True)
class Counts:
    """The problems in a council's return, as the feedback and the email state them."""

    errors: int
    queries: int
    explained: int

    @property
    def unexplained(self) -> int:
        return self.queries - self.explained


def record_for(result: LAResult) -> ReturnRecord | None:
    """The file a council hears about: its return that counts or, when it has none, a file that
    names it but could not be used (so it is not told that nothing arrived)."""
    if result.record is not None:
        return result.record
    return result.unusable_files[0] if result.unusable_files else None


def problems(result: LAResult) -> list[Finding]:
    """The findings on the return that counts, without summary lines."""
    record = record_for(result)
    found = record.findings if record else []
    return [f for f in found if f.code not in SUMMARY_CODES]


def counts(result: LAResult) -> Counts:
    found = problems(result)
    queries = [f for f in found if f.severity == "query"]
    return Counts(
        errors=sum(1 for f in found if f.severity == "error"),
        queries=len(queries),
        explained=sum(1 for f in queries if f.explanation),
    )


def situation(result: LAResult) -> str:
    """Which of the five emails a council gets."""
    record = record_for(result)
    if record is None:
        return NOT_RECEIVED
    if result.record is None or not record.readable:
        return NOT_USABLE
    return result.status


def needs_fresh_workbook(result: LAResult, collation: Collation) -> bool:
    record = record_for(result)
    if record is None:
        return True
    file_checks = collation.instrument.checks.file_checks
    return any(
        f.code in file_checks and file_checks[f.code].fresh_workbook for f in record.findings
    )


def where(f: Finding) -> str:
    if f.sheet and f.cell:
        return f"{f.sheet}, cell {f.cell}"
    return f.sheet or "The whole file"


def load_words(collation: Collation) -> dict:
    """The feedback workbook's words (templates/email/feedback_words.yaml), with the status
    words of the check catalogue."""
    path = collation.settings.templates_folder / "email" / WORDS_FILE
    words = yaml.safe_load(path.read_text(encoding="utf-8"))
    status = collation.instrument.checks.status_words
    words["error"], words["query"] = status.error, status.query
    return words


def feedback_frame(result: LAResult, words: dict) -> pd.DataFrame:
    """One row per problem with a council's return, in the words of `load_words`."""
    rows = []
    record = record_for(result)
    records = ([record] if record else []) + result.set_aside
    several_files = len(records) > 1
    for record in records:
        found = [f for f in record.findings if f.code not in SUMMARY_CODES]
        for f in sorted(found, key=lambda f: (f.severity != "error", f.sheet, f.cell, f.code)):
            row = {
                "What to do": words["error"]
                if f.severity == "error"
                else (words["explained"] if f.explanation else words["query"]),
                "Where": where(f),
                "Question or figure": f.field,
                "Value found": f.value,
                "Problem and what to do": f.message,
                "Your explanation": f.explanation,
                "Code": f.code,
            }
            if several_files:
                row[FILE_COLUMN[0]] = f.file
            rows.append(row)
    columns = list(COLUMNS) + ([FILE_COLUMN[0]] if several_files else [])
    return pd.DataFrame(rows, columns=columns)


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "Arial", "font_size": 10, "valign": "top", "text_wrap": True}
        self.text = wb.add_format(base)
        self.bold = wb.add_format({**base, "bold": True})
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "border": 1})
        self.cell = wb.add_format({**base, "border": 1, "border_color": "#BFBFBF"})
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "text_wrap": False})
        self.banner = wb.add_format(
            {**base, "bold": True, "font_color": "#FFFFFF", "bg_color": "#C00000"}
        )


def _page(ws, la_name: str, landscape: bool) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    # One page wide; the widths are chosen so that this is at (or very near) full size.
    ws.fit_to_pages(1, 0)
    ws.set_footer(f"&LFeedback on {la_name}'s return: &A&RPage &P of &N")


def _row_height(texts: list[tuple[str, float]]) -> float:
    lines = max((text_lines(text, width) for text, width in texts), default=1)
    return max(15.0, 13.0 * lines + 6)


def write_feedback_workbook(
    path: Path, collation: Collation, result: LAResult, today: dt.date, words: dict | None = None
) -> None:
    """`words` is `load_words(collation)`, read once for every council's feedback."""
    settings = collation.settings
    la = result.la
    n = counts(result)
    wb = safe_workbook(path)
    # Arial as the default font keeps column widths the same wherever Calibri is missing.
    wb.formats[0].set_font_name("Arial")
    wb.formats[0].set_font_size(10)
    fmt = _Formats(wb)
    words = words if words is not None else load_words(collation)
    ws = wb.add_worksheet("Verdict")
    widths = (28, 60)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    ws.write_string(0, 0, f"Feedback on {la.name}'s return", fmt.title)
    ws.set_row(0, 22)
    ws.merge_range(1, 0, 1, 1, f"{settings.programme}, round {settings.round}", fmt.text)
    row = 3
    if result.record and result.record.is_sample:
        ws.merge_range(
            2, 0, 2, 1, "SYNTHETIC SAMPLE DATA: this feedback is on a made-up return.", fmt.banner
        )
        row = 4
    verdict = words["verdict"][situation(result)]
    if situation(result) == ACCEPTED_WITH_QUERIES and n.unexplained == 0:
        verdict = words["verdict"][ALL_EXPLAINED]
    facts = [
        ("Verdict", verdict),
        (
            "File checked",
            record_for(result).file_name if record_for(result) else "(none received)",
        ),
        ("Problems to fix", str(n.errors)),
        ("Queries to fix or explain", str(n.queries)),
        ("Queries already explained", str(n.explained)),
        ("Checked on", today.strftime("%d %B %Y").lstrip("0")),
        ("Reply by", settings.deadline.strftime("%d %B %Y").lstrip("0")),
        ("Contact", f"{settings.contact.name}, {settings.contact.email}"),
    ]
    for label, value in facts:
        ws.write_string(row, 0, label, fmt.header)
        ws.write_string(row, 1, value, fmt.cell)
        ws.set_row(row, _row_height([(label, widths[0]), (value, widths[1])]))
        row += 1
    note = "The sheet 'What to fix' lists every problem with its sheet and cell in your workbook."
    ws.merge_range(row + 1, 0, row + 1, 1, note, fmt.text)
    ws.set_row(row + 1, _row_height([(note, sum(widths))]))
    _page(ws, la.name, landscape=False)
    ws.print_area(0, 0, row + 1, 1)

    frame = feedback_frame(result, words)
    ws = wb.add_worksheet("What to fix")
    col_widths = [dict([*COLUMNS.items(), FILE_COLUMN])[c] for c in frame.columns]
    for j, w in enumerate(col_widths):
        ws.set_column(j, j, w)
    ws.write_string(0, 0, f"What to fix in {la.name}'s return", fmt.title)
    ws.set_row(0, 22)
    header = 2
    for j, col in enumerate(frame.columns):
        ws.write_string(header, j, col, fmt.header)
    ws.set_row(header, _row_height([(c, w) for c, w in zip(frame.columns, col_widths)]))
    for i, record in enumerate(frame.itertuples(index=False), start=header + 1):
        texts = []
        for j, value in enumerate(record):
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else value
            # Always text: a value a council typed ("=1+1") must never become a formula here.
            ws.write_string(i, j, str(text), fmt.cell)
            texts.append((str(text), col_widths[j]))
        ws.set_row(i, _row_height(texts))
    if frame.empty:
        ws.merge_range(
            header + 1, 0, header + 1, len(col_widths) - 1, "Nothing to fix.", fmt.cell
        )
    last_row = header + max(len(frame), 1)
    ws.autofilter(header, 0, last_row, len(col_widths) - 1)
    ws.freeze_panes(header + 1, 0)
    ws.repeat_rows(header)
    _page(ws, la.name, landscape=True)
    ws.print_area(0, 0, last_row, len(col_widths) - 1)
    wb.close()


def write_feedback(collation: Collation, out: Path, today: dt.date | None = None) -> list[Path]:
    """Write feedback/<council>.xlsx (except for councils with no return) and .eml for each."""
    from collate.generator.build import workbook_bytes, workbook_name

    folder = out / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    settings = collation.settings
    today = today or dt.date.today()
    sample = any(r.is_sample for r in collation.records)
    words = load_words(collation)
    written = []
    for result in collation.results.values():
        la = result.la
        case = situation(result)
        n = counts(result)
        attachments: list[tuple[str, bytes]] = []
        if case != NOT_RECEIVED:
            path = folder / f"{la.slug}.xlsx"
            write_feedback_workbook(path, collation, result, today, words)
            written.append(path)
            attachments.append((f"Feedback_{la.slug}_{settings.round}.xlsx", path.read_bytes()))
        fresh = needs_fresh_workbook(result, collation)
        if fresh:
            attachments.append(
                (
                    workbook_name(la, settings, sample),
                    workbook_bytes(
                        collation.instrument,
                        settings,
                        la,
                        sample,
                        token=collation.issued_token(la.gss_code),
                    ),
                )
            )
        record = record_for(result)
        first_problem = next((f for f in problems(result) if f.severity == "error"), None)
        context = {
            "programme": settings.programme,
            "round": settings.round,
            "la_name": la.name,
            "file": record.file_name if record else "",
            "errors": n.errors,
            "queries": n.queries,
            "explained": n.explained,
            "unexplained": n.unexplained,
            "problem": first_problem.message if first_problem else "",
            "workbook_attached": fresh,
            "deadline": settings.deadline.strftime("%d %B %Y").lstrip("0"),
            "contact_name": settings.contact.name,
            "contact_role": settings.contact.role,
            "contact_email": settings.contact.email,
            "organisation": settings.organisation,
            # The Checks sheet's words, as the catalogue words them.
            "must_fix": collation.instrument.checks.status_words.error,
            "fix_or_explain": collation.instrument.checks.status_words.query,
            "ready_to_send": collation.instrument.checks.verdict.ready,
        }
        subject, body = render_text(settings.templates_folder / "email", TEMPLATES[case], context)
        eml = draft_email(
            subject, body, settings.contact.email, la.email, attachments, cc=settings.contact.email
        )
        eml_path = folder / f"{la.slug}.eml"
        eml_path.write_bytes(eml)
        written.append(eml_path)
    return written
