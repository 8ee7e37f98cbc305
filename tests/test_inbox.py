"""The inbox: whatever a council sends, the collator says what it is and what to do."""

from __future__ import annotations

import shutil
from pathlib import Path

from collate.collation import collate_folder
from collate.settings import ROOT

SAMPLES = ROOT / "sample_returns"


def _codes(collation, file_name: str) -> list[str]:
    return [f.code for r in collation.records if r.file_name == file_name for f in r.findings]


def test_a_file_that_cannot_be_read_from_the_disk_is_reported(
    settings, instrument, tmp_path, monkeypatch
):
    folder = tmp_path / "returns"
    folder.mkdir()
    sample = sorted(SAMPLES.glob("*.xlsx"))[0]
    shutil.copyfile(sample, folder / "locked by Excel.xlsx")
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "locked by Excel.xlsx":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    collation = collate_folder(folder, settings, instrument)
    assert _codes(collation, "locked by Excel.xlsx") == ["FILE18"]
    (finding,) = [f for r in collation.records for f in r.findings]
    assert "Permission denied" in finding.full_message
    assert "close it" in finding.message
