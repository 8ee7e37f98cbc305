"""The outputs folder is written whole or not at all, by one run at a time, and its log grows
run by run with one line per event."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from collate.cli import main
from collate.outputs.folder import COMPLETE, STAGING_PREFIX, locked, recover
from collate.settings import ROOT

SAMPLES = ROOT / "sample_returns"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ")


def outputs_snapshot(out: Path) -> dict[str, str]:
    """Every output file under `out` (not the hidden lock or work folders) and its SHA-256."""
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).parts[0].startswith(".")
    }


@pytest.fixture
def returns(tmp_path) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir()
    for path in sorted(SAMPLES.glob("*.xlsx"))[:3]:
        shutil.copy2(path, folder / path.name)
    return folder


def _run(returns: Path, out: Path):
    return CliRunner().invoke(main, [str(returns), "--out", str(out), "--no-report"])


@pytest.fixture
def previous(returns, tmp_path) -> tuple[Path, dict[str, str]]:
    """An outputs folder holding a complete earlier run."""
    out = tmp_path / "out"
    res = _run(returns, out)
    assert res.exit_code == 1, res.output  # 8 councils not received
    before = outputs_snapshot(out)
    assert {"returns.csv", "validation.xlsx", "collated.xlsx", "collate.log"} <= set(before)
    return out, before


def test_the_log_grows_run_by_run(returns, previous):
    out, _before = previous
    first = (out / "collate.log").read_text(encoding="utf-8")
    assert _run(returns, out).exit_code == 1
    second = (out / "collate.log").read_text(encoding="utf-8")
    assert second.startswith(first)
    assert second.count(" collating ") == 2


def test_a_line_break_in_a_file_name_cannot_forge_a_log_line(returns, tmp_path):
    forged = "x\n2027-01-01 09:00:00,000 INFO read Essex.xlsx: Essex, 0 error(s).xlsx"
    shutil.copyfile(next(returns.glob("*.xlsx")), returns / forged)
    out = tmp_path / "out"
    assert _run(returns, out).exit_code == 1
    lines = (out / "collate.log").read_text(encoding="utf-8").splitlines()
    assert lines and all(LOG_LINE.match(line) or line.startswith("    ") for line in lines)
    assert not any(line.startswith("2027-01-01") for line in lines)
    assert any("x\\n2027-01-01 09:00:00,000 INFO read Essex.xlsx" in line for line in lines)


def test_a_second_run_into_the_same_folder_is_refused(returns, previous):
    out, before = previous
    with locked(out):
        res = _run(returns, out)
    assert res.exit_code == 2, res.output
    assert "Another collation is writing to" in res.output
    assert "Traceback" not in res.output
    assert outputs_snapshot(out) == before


def test_an_output_folder_that_cannot_be_made_is_a_plain_message(returns, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    res = _run(returns, blocker / "outputs")
    assert res.exit_code == 2, res.output
    assert "cannot be made" in res.output or "cannot be written" in res.output
    assert "Traceback" not in res.output and "Usage:" not in res.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to any folder")
def test_an_output_folder_without_permission_is_a_plain_message(returns, previous):
    out, before = previous
    out.chmod(0o500)
    try:
        res = _run(returns, out)
    finally:
        out.chmod(0o700)
    assert res.exit_code == 2, res.output
    assert "cannot be written to" in res.output
    assert outputs_snapshot(out) == before


@pytest.mark.parametrize("step", ["write_feedback", "write_validation"])
def test_a_full_disk_leaves_the_previous_outputs_as_they_were(returns, previous, monkeypatch, step):
    out, before = previous
    import collate.run

    real = getattr(collate.run, step)

    def fills_the_disk(collation, folder, *args, **kwargs):
        real(collation, folder, *args, **kwargs)  # some files are written, then the disk fills
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(collate.run, step, fills_the_disk)
    res = _run(returns, out)
    assert res.exit_code == 2, res.output
    assert "is full" in res.output
    assert "Traceback" not in res.output
    assert outputs_snapshot(out) == before
    assert not list(out.glob(STAGING_PREFIX + "*"))


def test_a_log_that_cannot_be_written_stops_the_run_plainly(returns, previous, monkeypatch):
    out, before = previous
    import logging

    def no_space(self, record):
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError:
            self.handleError(record)

    monkeypatch.setattr(logging.FileHandler, "emit", no_space)
    res = _run(returns, out)
    assert res.exit_code == 2, res.output
    assert "is full" in res.output
    assert "Logging error" not in res.output
    assert outputs_snapshot(out) == before


def test_a_run_killed_part_way_leaves_the_previous_outputs_and_the_next_run_tidies_up(
    returns, previous
):
    out, before = previous
    # Enough returns that the run is still going when it is stopped.
    for i, path in enumerate(sorted(SAMPLES.glob("*.xlsx")) * 2):
        shutil.copy2(path, returns / f"copy {i} {path.name}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "collate", str(returns), "--out", str(out), "--no-report"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list(out.glob(STAGING_PREFIX + "*/collate.log")):
            time.sleep(0.05)
        time.sleep(0.5)
        assert proc.poll() is None, "the run finished before it could be stopped"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert outputs_snapshot(out) == before
    assert list(out.glob(STAGING_PREFIX + "*"))  # its half-written work is left, hidden
    assert _run(returns, out).exit_code == 0  # every council now has a return
    assert not list(out.glob(STAGING_PREFIX + "*"))
    assert outputs_snapshot(out) != before


def test_a_run_stopped_while_moving_its_outputs_in_is_finished_by_the_next(tmp_path):
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    (out / "returns.csv").write_text("old", encoding="utf-8")
    (out / "feedback" / "Essex.xlsx").write_text("old", encoding="utf-8")
    stage = out / (STAGING_PREFIX + "abc")
    (stage / "feedback").mkdir(parents=True)
    (stage / "feedback" / "Essex.xlsx").write_text("new", encoding="utf-8")
    (stage / COMPLETE).write_text("complete\n", encoding="utf-8")
    # returns.csv had already been moved in when the run stopped.
    (out / "returns.csv").write_text("new", encoding="utf-8")
    recover(out)
    assert (out / "feedback" / "Essex.xlsx").read_text(encoding="utf-8") == "new"
    assert (out / "returns.csv").read_text(encoding="utf-8") == "new"
    assert not stage.exists()
