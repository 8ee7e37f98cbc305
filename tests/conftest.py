"""Shared fixtures: the round's settings and instrument, one build of every workbook, and
LibreOffice re-saved copies.

Everything expensive is session-scoped: the 11 workbooks are built once, and each LibreOffice
conversion runs once, however many tests look at its result.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from collate.generator.build import BuiltWorkbook, build_workbooks
from collate.instrument.model import Instrument
from collate.load import load_instrument
from collate.samples.libreoffice import resave_xlsx, soffice
from collate.settings import RoundSettings, load_settings

ALLOW_NO_LIBREOFFICE = "IE_ALLOW_NO_LIBREOFFICE"


def require_libreoffice() -> None:
    """Skip when LibreOffice is missing, but only if the developer asked for that.

    CI installs LibreOffice, so there a missing `soffice` is a broken environment, not a reason
    to pass quietly: fail loudly unless IE_ALLOW_NO_LIBREOFFICE=1.
    """
    if soffice() is not None:
        return
    if os.environ.get(ALLOW_NO_LIBREOFFICE) == "1":
        pytest.skip("LibreOffice (soffice) is not installed and IE_ALLOW_NO_LIBREOFFICE=1")
    pytest.fail(
        "LibreOffice (soffice) is not installed, and these tests need it. Install LibreOffice, "
        f"or set {ALLOW_NO_LIBREOFFICE}=1 to skip the LibreOffice tests on this machine.",
        pytrace=False,
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("libreoffice") is not None:
        require_libreoffice()


@dataclass(frozen=True)
class BuiltRound:
    """The folder a full build went to, and what build_workbooks said it wrote."""

    folder: Path
    workbooks: list[BuiltWorkbook]

    def for_la(self, name: str) -> BuiltWorkbook:
        matches = [b for b in self.workbooks if b.la.name == name]
        assert len(matches) == 1, f"expected one workbook for {name}, got {len(matches)}"
        return matches[0]


@pytest.fixture(scope="session")
def settings() -> RoundSettings:
    return load_settings()


@pytest.fixture(scope="session")
def instrument(settings: RoundSettings) -> Instrument:
    return load_instrument(settings.instrument_folder)


@pytest.fixture(scope="session")
def built(settings, instrument, tmp_path_factory) -> BuiltRound:
    """All 11 workbooks, the manifest and the covering emails, built once."""
    folder = tmp_path_factory.mktemp("built")
    workbooks = build_workbooks(settings, folder, instrument=instrument)
    return BuiltRound(folder, workbooks)


@pytest.fixture(scope="session")
def essex_path(built) -> Path:
    return built.for_la("Essex").path


def open_workbook(path: Path, data_only: bool = False) -> openpyxl.Workbook:
    """Open a workbook in openpyxl's full mode (styles, validations, merges)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
        return openpyxl.load_workbook(path, data_only=data_only)


@pytest.fixture(scope="session")
def open_xlsx():
    """The function tests use to open a workbook (full mode; `data_only` for cached values)."""
    return open_workbook


@pytest.fixture(scope="session")
def essex_wb(essex_path) -> openpyxl.Workbook:
    """Essex's fresh workbook, formulas as written. Tests only read it."""
    return open_workbook(essex_path)


@pytest.fixture(scope="session")
def essex_values_wb(essex_path) -> openpyxl.Workbook:
    """Essex's fresh workbook with cached formula results (what a user sees on first open)."""
    return open_workbook(essex_path, data_only=True)


@pytest.fixture(scope="session")
def libreoffice() -> None:
    """Depend on this from any fixture that runs LibreOffice."""
    require_libreoffice()


@pytest.fixture(scope="session")
def corpus(libreoffice, settings, instrument, tmp_path_factory):
    """The broken corpus (tests/broken.py), built once for every test that reads it."""
    from broken import build_corpus

    return build_corpus(tmp_path_factory.mktemp("broken-corpus"), settings, instrument)


@pytest.fixture(scope="session")
def lo_resaved(libreoffice, essex_path, tmp_path_factory) -> Path:
    """Essex's fresh workbook opened and saved by LibreOffice Calc, as an LA using it would."""
    return resave_xlsx(essex_path, tmp_path_factory.mktemp("lo-resaved"))
