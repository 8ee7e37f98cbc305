"""A blank return workbook printed (through LibreOffice, to PDF) can be read: A4 pages and body
text of at least 8 points on paper, measured from the PDF with `pdftotext -bbox`."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess

import pytest

from collate.samples.libreoffice import convert

A4_POINTS = sorted((595.3, 841.9))
WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


@pytest.fixture(scope="module")
def printed(essex_path, tmp_path_factory, libreoffice) -> str:
    """Essex's blank workbook printed to PDF, as word boxes (pdftotext -bbox)."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is not installed; ./test.sh installs it")
    folder = tmp_path_factory.mktemp("printed")
    pdf = convert(essex_path, folder, "pdf", timeout=240)
    boxes = folder / "boxes.html"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(boxes)], check=True, timeout=120)
    return boxes.read_text(encoding="utf-8")


def heights(boxes: str) -> list[float]:
    return [float(b) - float(a) for a, b in WORD.findall(boxes)]


@pytest.mark.libreoffice
def test_every_page_is_a4(printed):
    pages = PAGE.findall(printed)
    assert len(pages) > 5
    for w, h in pages:
        assert sorted((round(float(w), 1), round(float(h), 1))) == A4_POINTS


@pytest.mark.libreoffice
def test_printed_text_is_at_least_8_points(printed):
    sizes = heights(printed)
    assert len(sizes) > 1000
    assert statistics.median(sizes) >= 8.0, statistics.median(sizes)
    # Not only the middle: nine words in ten print at 7.5 points or more.
    assert sorted(sizes)[len(sizes) // 10] >= 7.5


def test_every_visible_sheet_keeps_its_titles_in_view_and_on_every_page(essex_wb, instrument):
    for name in [*instrument.sheet_names, "Checks"]:
        ws = essex_wb[name]
        assert ws.print_title_rows, f"{name}: no rows repeated on each printed page"
        assert ws.freeze_panes, f"{name}: no rows frozen on screen"
        assert ws.page_setup.paperSize == 9, f"{name}: not A4"
