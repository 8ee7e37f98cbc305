"""Headless LibreOffice: convert files (xlsx re-save, pdf) as a real desktop user's copy would.

Each call gets its own user profile, so parallel or left-over instances never block each other,
and a time limit. The profile is seeded so that LibreOffice recalculates every formula when it
loads an .xlsx: by default it trusts the cached values, which is the opposite of what a test of
the Checks sheet needs.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    pass


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(
    source: Path,
    out_dir: Path,
    to: str = "xlsx",
    timeout: float = 180,
    recalc: bool = True,
    filter_name: str | None = None,
) -> Path:
    """Convert `source` into `out_dir` (e.g. to="xlsx" to re-save, "pdf" to print)."""
    target = f"{to}:{filter_name}" if filter_name else to
    result = _run(
        [source],
        out_dir,
        target,
        recalc,
        timeout,
        f"LibreOffice took over {timeout}s converting {source}",
    )
    produced = out_dir / (source.stem + "." + to.split(":")[0])
    if result.returncode != 0 or not produced.exists():
        raise LibreOfficeError(
            f"LibreOffice could not convert {source}: {result.stderr.strip() or result.stdout}"
        )
    return produced


def resave_xlsx(source: Path, out_dir: Path, timeout: float = 180) -> Path:
    """Open and save an .xlsx in LibreOffice Calc, as an LA using LibreOffice would."""
    return convert(source, out_dir, "xlsx", timeout=timeout, filter_name="Calc MS Excel 2007 XML")


def convert_many(
    sources: list[Path], out_dir: Path, to: str = "xlsx", timeout: float = 300
) -> None:
    """Convert several files in one LibreOffice run (recalculating every formula), since
    starting LibreOffice costs far more than converting one small workbook."""
    target = f"{to}:Calc MS Excel 2007 XML" if to == "xlsx" else to
    result = _run(
        sources, out_dir, target, True, timeout, f"LibreOffice took over {timeout}s converting"
    )
    missing = [s.name for s in sources if not (out_dir / (s.stem + "." + to)).exists()]
    if result.returncode != 0 or missing:
        raise LibreOfficeError(
            f"LibreOffice could not convert {', '.join(missing)}: "
            f"{result.stderr.strip() or result.stdout}"
        )


def _run(
    sources: list[Path], out_dir: Path, target: str, recalc: bool, timeout: float, too_long: str
) -> subprocess.CompletedProcess:
    """One headless LibreOffice run converting `sources` into `out_dir`, with its own user
    profile (so parallel or left-over instances never block it)."""
    exe = soffice()
    if exe is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ie-lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        if recalc:
            (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
        cmd = [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *[str(s) for s in sources],
        ]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(too_long) from exc
