"""What goes back to each council: the feedback workbook quotes its cells exactly, and each of the
five situations has its own email, worded right for any number of problems.

Real files: the shipped flawed samples, a good sample, and the flawed Luton return re-saved
through LibreOffice (as a council using LibreOffice would send it).
"""

from __future__ import annotations

import email
import email.policy
import shutil
from pathlib import Path

import openpyxl
import pytest

from collate.checks.catalogue import as_text
from collate.emails import render_text
from collate.intake.collation import collate_folder
from collate.outputs.feedback import TEMPLATES, write_feedback
from collate.samples.libreoffice import resave_xlsx
from collate.settings import ROOT

SAMPLES = ROOT / "sample_returns"
FLAWED = SAMPLES / "flawed"
LUTON = "Luton return FINAL v2.xlsx"


@pytest.fixture(scope="module")
def returns(tmp_path_factory, libreoffice) -> Path:
    """The flawed samples (Luton re-saved through LibreOffice) and Essex's good sample."""
    folder = tmp_path_factory.mktemp("returns")
    for path in FLAWED.glob("*.xlsx"):
        if path.name != LUTON:
            shutil.copy2(path, folder / path.name)
    resaved = resave_xlsx(FLAWED / LUTON, tmp_path_factory.mktemp("lo"))
    shutil.copy2(resaved, folder / LUTON)
    essex = next(SAMPLES.glob("SAMPLE_Essex_*.xlsx"))
    shutil.copy2(essex, folder / essex.name)
    return folder


@pytest.fixture(scope="module")
def feedback(returns, settings, instrument, tmp_path_factory):
    collation = collate_folder(returns, settings, instrument)
    out = tmp_path_factory.mktemp("out")
    write_feedback(collation, out)
    return collation, out / "feedback"


def read_eml(path: Path):
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",)).get_content()
    return msg, body, [a.get_filename() for a in msg.iter_attachments()]


def what_to_fix(path: Path) -> list[dict[str, str]]:
    ws = openpyxl.load_workbook(path)["What to fix"]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "What to do")
    header = rows[header_at]
    found = rows[header_at + 1 :]
    return [dict(zip(header, r, strict=True)) for r in found if r[0] and r[1]]


# ---------------------------------------------------------------------------------------------
# Item 1: the value found is what the cell holds


def test_feedback_quotes_exactly_what_each_cell_holds(feedback, returns):
    collation, folder = feedback
    checked = 0
    for result in collation.results.values():
        path = folder / f"{result.la.slug}.xlsx"
        if not path.exists():
            continue
        source = openpyxl.load_workbook(returns / result.record.file_name)
        for row in what_to_fix(path):
            if ", cell " not in row["Where"]:
                continue
            sheet, cell = row["Where"].split(", cell ")
            held = as_text(source[sheet][cell].value)
            assert (row["Value found"] or "") == held, (result.la.name, row)
            checked += 1
    assert checked >= 4


def test_a_computed_sum_is_in_the_message_not_the_value(feedback, returns):
    collation, folder = feedback
    rows = what_to_fix(folder / "Luton.xlsx")
    (cf01,) = [r for r in rows if r["Code"] == "CF01"]
    sheet, cell = cf01["Where"].split(", cell ")
    held = openpyxl.load_workbook(returns / LUTON)[sheet][cell].value
    finding = next(f for f in collation.results["Luton"].findings if f.code == "CF01")
    rows_sum = int(finding.message.split("the rows add up to ")[1].split()[0])
    assert int(cf01["Value found"]) == held == rows_sum + 12  # the sample adds 12 to the total
    assert f"your total is {held}" in cf01["Problem and what to do"]


def test_a_text_answer_is_not_told_to_enter_0(feedback):
    collation, _ = feedback
    (req,) = [f for f in collation.results["Luton"].findings if f.code == "REQ01"]
    assert req.field_id == "foundations.highlights"
    assert "enter 0" not in req.message.lower() and "0 if" not in req.message


# ---------------------------------------------------------------------------------------------
# Item 2: one email per situation


def test_every_email_goes_to_the_council_with_the_programme_in_copy(feedback, settings):
    _, folder = feedback
    for la in settings.local_authorities:
        msg, _, _ = read_eml(folder / f"{la.slug}.eml")
        assert la.email and msg["To"] == la.email
        assert msg["Cc"] == settings.contact.email
        assert msg["From"] == settings.contact.email


def test_not_received_is_a_reminder_with_the_workbook_and_no_feedback(feedback, settings):
    _, folder = feedback
    msg, body, attached = read_eml(folder / "Cambridgeshire.eml")
    assert "Thank you" not in body
    assert "We have not yet received Cambridgeshire's return" in body
    assert not (folder / "Cambridgeshire.xlsx").exists()
    assert len(attached) == 1 and attached[0].endswith(f"return_{settings.round}.xlsx")
    assert "Cambridgeshire" in attached[0] and "Feedback" not in attached[0]


def test_old_round_workbook_is_not_usable_and_gets_this_rounds_workbook(feedback, settings):
    _, folder = feedback
    msg, body, attached = read_eml(folder / "Bedford.eml")
    assert "could not use" in msg["Subject"]
    assert "round 2025-26" in body and "This round's workbook for Bedford is attached" in body
    assert attached[0] == f"Feedback_Bedford_{settings.round}.xlsx"
    assert attached[1].startswith("SAMPLE_Bedford") and settings.round in attached[1]
    payload = [a for a in msg.iter_attachments()][1].get_content()
    wb = openpyxl.load_workbook(__import__("io").BytesIO(payload))
    ((sheet, ref),) = wb.defined_names["ie_meta_round"].destinations
    assert wb[sheet][ref.replace("$", "")].value == settings.round


def test_must_resubmit_counts_its_problems(feedback):
    msg, body, attached = read_eml(feedback[1] / "Luton.eml")
    assert "4 problems need to be fixed" in body
    assert "queries" not in body and "query" not in body
    assert attached == ["Feedback_Luton_2026-27.xlsx"]
    assert "correct and resend" in msg["Subject"]


def test_accepted_with_an_explained_query(feedback):
    msg, body, _ = read_eml(feedback[1] / "Suffolk.eml")
    assert msg["Subject"].endswith("accepted, with 1 query")
    assert "raised a query" in body and "already explained it" in body
    assert "1 queries" not in body and "2 quer" not in body


def test_accepted(feedback):
    msg, body, attached = read_eml(feedback[1] / "Essex.eml")
    assert msg["Subject"].endswith("Essex's return is accepted")
    assert "nothing more you need to do" in body
    assert attached == ["Feedback_Essex_2026-27.xlsx"]


def render(settings, case: str, **counts) -> tuple[str, str]:
    context = {
        "programme": "P",
        "round": "2026-27",
        "la_name": "Essex",
        "file": "x.xlsx",
        "errors": 0,
        "queries": 0,
        "explained": 0,
        "unexplained": 0,
        "problem": "It is not a workbook.",
        "workbook_attached": False,
        "deadline": "29 January 2027",
        "contact_name": "A",
        "contact_role": "B",
        "contact_email": "c@d.org",
        "organisation": "IE",
        "must_fix": "Must fix",
        "fix_or_explain": "Fix or explain",
        "ready_to_send": "Ready to send",
    }
    context.update(counts)
    context["unexplained"] = context["queries"] - context["explained"]
    return render_text(settings.templates_folder / "email", TEMPLATES[case], context)


@pytest.mark.parametrize(
    ("queries", "explained", "subject_end", "wanted", "unwanted"),
    [
        (1, 0, "with 1 query", ["It has no explanation yet", "the figure"], ["each", "every"]),
        (1, 1, "with 1 query", ["already explained it"], ["them"]),
        (2, 0, "with 2 queries", ["None of them has an explanation yet", "of each"], ["1 "]),
        (3, 3, "with 3 queries", ["already explained every one"], ["no explanation"]),
        (3, 1, "with 3 queries", ["You explained 1 of them", "2 queries have no explanation"], []),
        (3, 2, "with 3 queries", ["You explained 2 of them", "1 query has no explanation"], []),
    ],
)
def test_accepted_with_queries_wording(settings, queries, explained, subject_end, wanted, unwanted):
    subject, body = render(settings, "accepted with queries", queries=queries, explained=explained)
    assert subject.endswith(subject_end)
    for text in wanted:
        assert text in body
    for text in unwanted:
        assert text not in body.split("If anything is unclear")[0].split("Thank you")[1]


@pytest.mark.parametrize(
    ("errors", "queries", "wanted"),
    [
        (1, 0, "1 problem needs to be fixed. The attached feedback workbook lists it "),
        (2, 0, "2 problems need to be fixed. The attached feedback workbook lists each one"),
        (1, 1, "1 problem needs to be fixed, and 1 figure needs to be fixed or explained."),
        (3, 2, "3 problems need to be fixed, and 2 figures need to be fixed or explained."),
    ],
)
def test_must_resubmit_wording(settings, errors, queries, wanted):
    _, body = render(settings, "must resubmit", errors=errors, queries=queries)
    assert wanted in body


def test_no_email_thanks_for_a_return_that_did_not_come(settings):
    _, body = render(settings, "not received")
    assert "Thank you" not in body and "not yet received" in body


# ---------------------------------------------------------------------------------------------
# Item 3: nothing cut off or running together


def test_feedback_text_wraps_in_rows_tall_enough_for_it(feedback):
    from openpyxl.utils import get_column_letter

    from collate.generator.layout import text_lines

    _, folder = feedback
    checked = 0
    for path in folder.glob("*.xlsx"):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            merged = {c for rng in ws.merged_cells.ranges for c in rng.cells}
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    if not isinstance(cell.value, str) or (cell.row, cell.column) in merged:
                        continue
                    width = ws.column_dimensions[get_column_letter(cell.column)].width
                    assert cell.alignment.wrap_text, (path.name, ws.title, cell.coordinate)
                    lines = text_lines(cell.value, width)
                    height = ws.row_dimensions[cell.row].height or 15
                    assert height >= 12 * lines, (path.name, ws.title, cell.coordinate)
                    checked += 1
            assert ws.page_setup.paperSize == 9
            assert ws.print_title_rows or ws.title == "Verdict"
    assert checked > 50


def test_where_is_one_readable_phrase(feedback):
    _, folder = feedback
    wheres = [r["Where"] for r in what_to_fix(folder / "Luton.xlsx")]
    assert "Children and families, cell C40" in wheres


def test_every_situation_has_its_verdict_words(feedback):
    from collate.outputs.feedback import ALL_EXPLAINED, load_words

    collation, folder = feedback
    words = load_words(collation)
    assert set(words["verdict"]) == set(TEMPLATES) | {ALL_EXPLAINED}
    verdicts = {}
    for name in ("Luton", "Suffolk", "Bedford", "Essex"):
        ws = openpyxl.load_workbook(folder / f"{name}.xlsx")["Verdict"]
        verdicts[name] = next(r[1] for r in ws.iter_rows(values_only=True) if r[0] == "Verdict")
    assert verdicts == {
        "Luton": words["verdict"]["must resubmit"],
        "Suffolk": words["verdict"][ALL_EXPLAINED],
        "Bedford": words["verdict"]["not usable"],
        "Essex": words["verdict"]["accepted"],
    }
