"""Words the instrument owns: rewording them in templates/ carries through, and a check on an
answer that does not exist is refused when the instrument loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from collate.errors import InstrumentError
from collate.generator.build import build_workbooks
from collate.load import load_instrument
from collate.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def templates_copy(tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_reworded_status_keeps_its_colour_on_the_checks_sheet(templates_copy, tmp_path):
    _edit(
        templates_copy / "instrument" / "checks.yaml", 'error: "Must fix"', 'error: "Must correct"'
    )
    settings = load_settings(templates_copy / "round.yaml")
    instrument = load_instrument(settings.instrument_folder)
    assert instrument.checks.status_words.error == "Must correct"
    built = build_workbooks(
        settings,
        tmp_path / "out",
        [settings.la_by_name("Essex")],
        instrument=instrument,
    )
    import email
    import zipfile

    # The covering email tells the council what to fix in the catalogue's words.
    msg = email.message_from_bytes(built[0].email.read_bytes())
    body = next(
        p.get_payload(decode=True).decode("utf-8")
        for p in msg.walk()
        if p.get_content_type() == "text/plain"
    )
    assert 'marked "Must correct"' in body and "Must fix" not in body

    with zipfile.ZipFile(built[0].path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(z.read(n).decode("utf-8") for n in sheets)
        styles = z.read("xl/styles.xml").decode("utf-8")
    # The colour rule tests for the new word, and nothing still tests for the old one.
    assert '<formula>"Must correct"</formula>' in xml
    assert '<formula>"Must fix"</formula>' not in xml
    assert "F4B6B6" in styles  # the must-fix red is still used
    # The cover's instructions use the new word too.
    from collate.generator.layout import build_layout

    layout = build_layout(instrument, settings, settings.la_by_name("Essex"))
    cover = " ".join(str(c.value) for c in layout.sheets[0].cells if isinstance(c.value, str))
    assert "Must correct" in cover and "Must fix" not in cover


def test_a_check_on_an_answer_that_does_not_exist_is_refused(templates_copy):
    _edit(
        templates_copy / "instrument" / "checks.yaml",
        'when: {field: foundations.edi_strategy, in: ["Yes"]}',
        'when: {field: foundations.edi_strategy, in: ["Yess"]}',
    )
    with pytest.raises(InstrumentError) as err:
        load_instrument(templates_copy / "instrument")
    message = str(err.value)
    assert (
        "checks.yaml" in message and "'Yess'" in message and "foundations.edi_strategy" in message
    )


def test_rewording_a_choice_the_report_counts_is_caught_at_build(templates_copy):
    # Rewording the choice in the answer list alone would make the report count no council with
    # compulsory induction; the instrument refuses to load until report_answers says it too.
    path = templates_copy / "instrument" / "instrument.yaml"
    text = path.read_text(encoding="utf-8")
    old = "Compulsory specialist-led anti-racist induction"
    assert text.count(old) >= 2
    lists_at = text.index("\nlists:")
    path.write_text(
        text[:lists_at] + text[lists_at:].replace(old, "Compulsory induction led by a specialist"),
        encoding="utf-8",
    )
    with pytest.raises(InstrumentError) as err:
        load_instrument(templates_copy / "instrument")
    message = str(err.value)
    assert "instrument.yaml" in message and "report_answers: compulsory_induction" in message
    assert repr(old) in message


def _replace_everywhere(obj, old: str, new: str):
    if isinstance(obj, str):
        return obj.replace(old, new)
    if isinstance(obj, dict):
        return {k: _replace_everywhere(v, old, new) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_replace_everywhere(v, old, new) for v in obj]
    return obj


def _docx_text(path: Path) -> str:
    import docx

    doc = docx.Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_reworded_words_reach_the_workbook_feedback_emails_and_report(templates_copy, tmp_path):
    """The manager rewords a status word and an answer choice in templates/ only. The workbook's
    dropdown and colour rules, the feedback workbook, the emails and the report all follow,
    and the report still counts the council whose answer is the reworded choice."""
    import email
    import random
    import zipfile

    import openpyxl

    from collate.analysis.population import load_population
    from collate.generator.build import workbook_bytes, workbook_name
    from collate.run import run_collation
    from collate.samples.filler import fill_workbook
    from collate.samples.returns import SEED, answers_for, load_sample_answers

    old_choice = "Compulsory specialist-led anti-racist induction"
    new_choice = "Compulsory induction led by a specialist"
    for path in templates_copy.rglob("*.yaml"):  # the list, report_answers, and any check on it
        text = path.read_text(encoding="utf-8")
        if old_choice in text:
            path.write_text(text.replace(old_choice, new_choice), encoding="utf-8")
    _edit(
        templates_copy / "instrument" / "checks.yaml", 'error: "Must fix"', 'error: "Must correct"'
    )
    settings = load_settings(templates_copy / "round.yaml")
    instrument = load_instrument(settings.instrument_folder)
    assert new_choice in instrument.field("foundations.induction_status").choices

    sample = _replace_everywhere(load_sample_answers(), old_choice, new_choice)
    population = load_population(settings.population_path, instrument.ethnicity)
    returns = tmp_path / "returns"
    returns.mkdir()
    # Essex answers the reworded choice; Hertfordshire gives general induction only, and leaves
    # a required answer empty, so its feedback has a must-fix problem to word.
    for name in ("Essex", "Hertfordshire"):
        la = settings.la_by_name(name)
        rng = random.Random(f"{SEED}-{la.gss_code}")
        answers = answers_for(la, instrument, settings, sample, population[la.gss_code], rng)
        if name == "Hertfordshire":
            answers.pop("workforce.scope")
        blank = tmp_path / workbook_name(la, settings, sample=True)
        blank.write_bytes(workbook_bytes(instrument, settings, la, sample=True))
        fill_workbook(blank, returns / blank.name, answers)
        if name == "Essex":  # the dropdown offers the new words, and the answer is one of them
            with zipfile.ZipFile(returns / blank.name) as z:
                xml = "".join(
                    z.read(n).decode("utf-8", "replace")
                    for n in z.namelist()
                    if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml"
                )
            assert new_choice in xml and old_choice not in xml

    out = tmp_path / "outputs"
    run_collation(returns, out, settings, instrument)

    # Feedback: Hertfordshire's problem is marked with the new status word, never the old one.
    feedback = next((out / "feedback").glob("*Hertfordshire*.xlsx"))
    wb = openpyxl.load_workbook(feedback, read_only=True)
    words = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row}
    assert "Must correct" in words and "Must fix" not in words
    # Emails: the must-resubmit draft names the Checks sheet's verdict as the catalogue words it.
    drafts = list((out / "feedback").rglob("*.eml")) + list(out.rglob("emails/*.eml"))
    assert drafts
    bodies = []
    for d in drafts:
        msg = email.message_from_bytes(d.read_bytes())
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                bodies.append(part.get_payload(decode=True).decode("utf-8"))
    assert any(instrument.checks.verdict.ready in b for b in bodies)
    assert not any("Must fix" in b for b in bodies)

    # The report counts Essex's reworded answer as compulsory induction, and quotes it.
    text = _docx_text(out / "report.docx")
    assert new_choice in text and old_choice not in text
    import re

    counted = re.search(r"compulsory induction in (\w+) of (\w+)", text)
    assert counted, "the report no longer says how many councils have compulsory induction"
    assert counted.group(1) in ("1", "one")
