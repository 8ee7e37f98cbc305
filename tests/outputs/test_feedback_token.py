"""A fresh workbook attached to a council's feedback is one that was sent out: it carries the
issue token the build recorded for that council, so collating it with --manifest accepts it."""

from __future__ import annotations

import email
import io
import zipfile

from collate.generator.build import ISSUE_TOKEN, build_workbooks
from collate.intake.manifest import load_manifest
from collate.run import run_collation


def test_fresh_workbook_in_feedback_carries_the_councils_issue_token(
    settings, instrument, tmp_path
):
    built = build_workbooks(settings, tmp_path / "built", instrument=instrument, emails=False)
    manifest = load_manifest(tmp_path / "built" / "manifest.csv")
    empty = tmp_path / "returns"
    empty.mkdir()
    run_collation(empty, tmp_path / "out", settings, instrument, report=False, manifest=manifest)
    essex = next(b for b in built if b.la.name == "Essex")
    message = email.message_from_bytes(
        (tmp_path / "out" / "feedback" / f"{essex.la.slug}.eml").read_bytes()
    )
    attached = [p for p in message.walk() if p.get_filename("").endswith(".xlsx")]
    assert len(attached) == 1  # not received: this round's workbook, no empty feedback
    with zipfile.ZipFile(io.BytesIO(attached[0].get_payload(decode=True))) as z:
        custom = z.read("docProps/custom.xml").decode("utf-8")
    assert ISSUE_TOKEN in custom and essex.token in custom
