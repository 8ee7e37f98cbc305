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
        emails=False,
    )
    import zipfile

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
