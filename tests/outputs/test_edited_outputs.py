"""An edited report (or any other output the manager changed) is never overwritten."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from docx import Document

from collate.cli import main
from collate.run import run_collation

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_returns"


def _edit_report(path: Path) -> bytes:
    doc = Document(str(path))
    doc.add_paragraph("The programme manager's own paragraph, added in Word.")
    doc.save(str(path))
    return path.read_bytes()


def test_an_edited_report_survives_a_re_run(settings, instrument, tmp_path):
    out = tmp_path / "outputs"
    first = run_collation(SAMPLES, out, settings, instrument)
    assert first.kept == []
    edited = _edit_report(out / "report.docx")
    before_csv = (out / "validation.csv").read_bytes()

    second = run_collation(SAMPLES, out, settings, instrument)
    assert (out / "report.docx").read_bytes() == edited  # the edits are still there
    assert [k.name for k in second.kept] == ["report.docx"]
    new = second.kept[0].new_path
    assert new.parent == out and new.name.startswith("report (new ") and new.suffix == ".docx"
    assert second.outputs["report.docx"] == new
    assert "programme manager's own paragraph" not in "\n".join(
        p.text for p in Document(str(new)).paragraphs
    )
    # Outputs nobody edited are replaced as usual, with no copies beside them.
    assert (out / "validation.csv").read_bytes() == before_csv
    assert not list(out.glob("validation (new*"))
    log = (out / "collate.log").read_text(encoding="utf-8")
    assert "report.docx has been changed since the collator wrote it" in log

    # A third run keeps the edited report again and does not overwrite the second new one.
    third = run_collation(SAMPLES, out, settings, instrument)
    assert (out / "report.docx").read_bytes() == edited
    assert third.kept[0].new_path != new and new.exists()


def test_collate_report_keeps_an_edited_report_and_says_so(settings, instrument, tmp_path):
    out = tmp_path / "outputs"
    run_collation(SAMPLES, out, settings, instrument)
    edited = _edit_report(out / "report.docx")
    result = CliRunner().invoke(
        main, ["report", "--collated", str(out / "collated.xlsx"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "KEPT YOUR EDITS" in result.output
    assert (out / "report.docx").read_bytes() == edited
    assert list(out.glob("report (new *).docx"))


def test_an_edited_feedback_workbook_is_kept(settings, instrument, tmp_path):
    out = tmp_path / "outputs"
    run_collation(SAMPLES, out, settings, instrument)
    one = sorted((out / "feedback").glob("*.xlsx"))[0]
    one.write_bytes(one.read_bytes() + b"")  # unchanged: still the toolkit's
    second = run_collation(SAMPLES, out, settings, instrument)
    assert second.kept == []
    with one.open("ab") as fh:  # changed by hand
        fh.write(b"\0")
    third = run_collation(SAMPLES, out, settings, instrument)
    assert [k.name for k in third.kept] == ["feedback"]
    assert one.read_bytes().endswith(b"\0")
