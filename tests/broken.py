"""A corpus of broken returns, each with the finding it must produce.

Every file is made afresh from the current templates (so the corpus never goes stale): a
council's workbook is generated, filled with a complete, valid set of answers (the synthetic
sample answers, which pass every check) and then broken in one way only, the way returns break in
practice: saved in the wrong format, protection removed, a figure typed as words, and so on.
Good returns for some councils sit in the same folder, as they would on the day.

    make_corpus(folder, settings, instrument)  -> {file name: code it must produce}
    build_corpus(folder, settings, instrument) -> Corpus, with the detail tests look at

Cases and how each file is broken:

    FILE01  not a workbook: a text file named .pdf
    FILE02  damaged: the first half of a good .xlsx; random bytes named .xlsx
    FILE03  password to open: an OLE2 compound file holding EncryptionInfo and EncryptedPackage
            streams, as Excel writes one (crafted here: LibreOffice 7.4's --convert-to cannot
            set a password on an .xlsx, and olefile cannot write)
    FILE04  saved as .xls (by LibreOffice)
    FILE05  saved as .ods (by LibreOffice)
    FILE06  macro-enabled: xl/vbaProject.bin added, named .xlsm
    FILE07  not our template: a plain workbook; a workbook with ie_ properties of another form
    FILE08  made from version 0.9 of the instrument (a copy of templates/ with the version changed)
    FILE09  identity tampered: the Identity sheet names another council's code
    FILE10  a council not in this round (built with settings that include Rutland)
    FILE27  a workbook never issued (no token; the corpus is collated with its manifest)
    FILE28  a council's issued workbook rewritten, everywhere, to Bedford's identity: Bedford's
            own return must still be the one used
    FILE11  two returns from one council: the older one is set aside
    FILE29  the same file twice: the copy is a duplicate
    FILE12  protection removed from one sheet
    FILE13  fixed wording changed
    FILE14  a sheet added
    FILE15  last round's workbook
    FILE16  an answer cell's name deleted
    FILE17  a return with 300 MB of zeros packed inside it (a "zip bomb")
    FILE19  a PDF named .xlsx
    FILE20  a Word .docx
    FILE21  a web page (as Excel's Save As Web Page makes) named .xls
    FILE22  a CSV file
    FILE23  a zip holding a good return
    FILE24  a return saved as Strict Open XML (namespaces rewritten as Excel writes them)
    FILE25  an answer cell's name widened to two cells
    FILE26  two answer names pointing at one cell
    VAL10   "45%" typed into a count (stored as 0.45, shown as a percentage)
    VAL01-07, VAL09, REQ01, WF02, CF01, DIA01 (+ QRY01): one bad answer each (VAL07 twice: a
            formula, and a formula behind a tab; VAL09: a zero-width space after a valid answer)
    DIA01 explained: the query's explanation typed beside it on the Checks sheet

Lock files (~$...) and hidden files (.…) are put in the folder too and must be skipped silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import shutil
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from collate.analysis.population import load_population
from collate.contract import IDENTITY_SHEET, META_PREFIX
from collate.generator.build import workbook_bytes
from collate.generator.layout import build_layout
from collate.instrument.model import Instrument, defined_name
from collate.load import load_instrument
from collate.samples.filler import fill_workbook
from collate.samples.libreoffice import convert
from collate.samples.returns import answers_for, load_sample_answers
from collate.settings import LocalAuthority, RoundSettings, load_settings

SEED = "broken-corpus"
# Councils whose returns in the corpus are all good; Essex also sends an older copy (FILE11).
GOOD_LAS = ("Bedford", "Cambridgeshire", "Essex")
# A council with nothing in the folder.
MISSING_LA = "Thurrock"
# Councils the broken returns are made for, in turn.
BROKEN_LAS = (
    "Central Bedfordshire",
    "Hertfordshire",
    "Luton",
    "Norfolk",
    "Peterborough",
    "Southend-on-Sea",
    "Suffolk",
)
# A real council outside the region, for FILE10.
OUTSIDER = LocalAuthority(
    name="Rutland", short_name="Rutland", gss_code="E06000017", dfe_number=857
)
SKIPPED = ("~$lockfile.xlsx", ".hidden.xlsx")
# Transitional namespaces and their Strict Open XML equivalents (ECMA-376 Part 1, Strict).
STRICT_NAMESPACES = (
    (
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    ),
    (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    ),
)
LEVELS_NEEDING_EVIDENCE = ("Developing", "Established", "Leading")

# Every broken file the corpus holds, with the code it must produce (build_corpus checks that it
# made exactly these, so tests can be parametrised before the corpus exists).
EXPECTED = {
    "Essex return (first go).xlsx": "FILE11",
    "Cambridgeshire return (copy).xlsx": "FILE29",
    "return notes.pdf": "FILE01",
    "covering letter.docx": "FILE20",
    "printed to PDF.xlsx": "FILE19",
    "saved as web page.xls": "FILE21",
    "saved as csv.csv": "FILE22",
    "returns.zip": "FILE23",
    "strict open xml.xlsx": "FILE24",
    "answer name widened.xlsx": "FILE25",
    "two names one cell.xlsx": "FILE26",
    "VAL10 a percentage in a count.xlsx": "VAL10",
    "truncated.xlsx": "FILE02",
    "noise.xlsx": "FILE02",
    "encrypted.xlsx": "FILE03",
    "saved as xls.xls": "FILE04",
    "saved as ods.ods": "FILE05",
    "macro enabled.xlsm": "FILE06",
    "our own spreadsheet.xlsx": "FILE07",
    "another form.xlsx": "FILE07",
    "old version.xlsx": "FILE08",
    "identity altered.xlsx": "FILE09",
    "Rutland return.xlsx": "FILE10",
    "never issued.xlsx": "FILE27",
    "borrowed identity.xlsx": "FILE28",
    "protection removed.xlsx": "FILE12",
    "wording changed.xlsx": "FILE13",
    "sheet added.xlsx": "FILE14",
    "last round.xlsx": "FILE15",
    "answer name deleted.xlsx": "FILE16",
    "huge inside.xlsx": "FILE17",
    "VAL01 words in a count.xlsx": "VAL01",
    "VAL02 a negative count.xlsx": "VAL02",
    "VAL03 half a person.xlsx": "VAL03",
    "VAL04 an answer not on the list.xlsx": "VAL04",
    "VAL05 text over the limit.xlsx": "VAL05",
    "VAL06 not a date.xlsx": "VAL06",
    "VAL07 a formula in an answer cell.xlsx": "VAL07",
    "VAL07 a tab before a formula.xlsx": "VAL07",
    "VAL09 an invisible space in an answer.xlsx": "VAL09",
    "REQ01 a required answer left out.xlsx": "REQ01",
    "WF02 more appointed than shortlisted.xlsx": "WF02",
    "CF01 rows add to more than the total.xlsx": "CF01",
    "DIA01 level without evidence, unexplained.xlsx": "DIA01",
    "DIA01 level without evidence, explained.xlsx": "DIA01",
}


@dataclass(frozen=True)
class BrokenCase:
    """One broken file: the code it must produce and where the finding must point."""

    code: str
    why: str
    la: str = ""  # the council whose workbook was broken, if any
    field_id: str = ""  # the answer the finding is about, for value checks
    sheet: str = ""
    cell: str = ""
    value: str = ""  # text the message must show as found
    also: tuple[str, ...] = ()  # further codes the same file must produce
    explanation: str = ""  # for an explained query


@dataclass
class Corpus:
    folder: Path
    cases: dict[str, BrokenCase]  # file name → case
    good: dict[str, tuple[str, dict[str, Any]]]  # file name → (council, answers typed)
    skipped: tuple[str, ...] = SKIPPED
    missing_la: str = MISSING_LA
    set_aside: dict[str, str] = field(default_factory=dict)  # older file → newer file kept
    manifest: Path | None = None  # the manifest.csv of the workbooks the corpus was made from

    @property
    def codes(self) -> dict[str, str]:
        return {name: case.code for name, case in self.cases.items()}


def make_corpus(folder: Path, settings: RoundSettings, instrument: Instrument) -> dict[str, str]:
    """Write the broken corpus (and good returns) into `folder`; return {file name: code}."""
    return build_corpus(folder, settings, instrument).codes


def build_corpus(folder: Path, settings: RoundSettings, instrument: Instrument) -> Corpus:
    """Write the corpus into `folder` and say what each file is and what it must produce."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ie-broken-") as tmp:
        maker = _Maker(folder, Path(tmp), settings, instrument)
        maker.good_returns()
        maker.file_cases()
        maker.value_cases()
        maker.skipped_files()
        made = {name: case.code for name, case in maker.cases.items()}
        assert made == EXPECTED, "the corpus and EXPECTED disagree"
        manifest = folder.parent / f"{folder.name}-manifest.csv"
        maker.write_manifest(manifest)
        return Corpus(folder, maker.cases, maker.good, set_aside=maker.set_aside, manifest=manifest)


# ---------------------------------------------------------------------------------------------


class _Maker:
    def __init__(self, folder: Path, tmp: Path, settings: RoundSettings, instrument: Instrument):
        self.folder = folder
        self.tmp = tmp
        self.settings = settings
        self.ins = instrument
        self.population = load_population(settings.population_path, instrument.ethnicity)
        self.sample = load_sample_answers()
        self.cases: dict[str, BrokenCase] = {}
        self.good: dict[str, tuple[str, dict[str, Any]]] = {}
        self.set_aside: dict[str, str] = {}
        self._turn = 0
        self._names: dict[str, dict[str, tuple[str, str]]] = {}
        self.issued: list[tuple[LocalAuthority, str, str]] = []  # council, file, token

    # -- building blocks ------------------------------------------------------------------

    def la(self, name: str) -> LocalAuthority:
        la = self.settings.la_by_name(name)
        assert la is not None, name
        return la

    def next_la(self) -> LocalAuthority:
        """The broken returns go to each broken council in turn."""
        la = self.la(BROKEN_LAS[self._turn % len(BROKEN_LAS)])
        self._turn += 1
        return la

    def answers(self, la: LocalAuthority, pop_of: LocalAuthority | None = None) -> dict:
        """A complete answer set that passes every check (the sample answers, seeded)."""
        pop = self.population[(pop_of or la).gss_code]
        rng = random.Random(f"{SEED}-{la.gss_code}")
        return answers_for(la, self.ins, self.settings, self.sample, pop, rng)

    def blank(
        self,
        la: LocalAuthority,
        settings: RoundSettings | None = None,
        instrument: Instrument | None = None,
        tag: str = "",
    ) -> Path:
        path = self.tmp / f"blank-{tag}{la.slug}.xlsx"
        if not path.exists():
            # Issued as the generator issues them: each with its own token, in the manifest.
            token = random.Random(f"{SEED}-token-{tag}{la.gss_code}").randbytes(16).hex()
            self.issued.append((la, path.name, token))
            path.write_bytes(
                workbook_bytes(instrument or self.ins, settings or self.settings, la, token=token)
            )
        return path

    def cells(self, la: LocalAuthority) -> dict[str, tuple[str, str]]:
        """Defined name → (sheet, cell) in this council's workbook, read from the file."""
        if la.name not in self._names:
            wb = _open(self.blank(la))
            self._names[la.name] = {
                name: (sheet, ref.replace("$", ""))
                for name, dn in wb.defined_names.items()
                for sheet, ref in dn.destinations
            }
        return self._names[la.name]

    def fill(
        self,
        name: str,
        la: LocalAuthority,
        answers: dict | None = None,
        explanations: dict[str, str] | None = None,
        **blank_kw: Any,
    ) -> Path:
        source = self.blank(la, **blank_kw)
        target = self.folder / name
        fill_workbook(
            source, target, answers if answers is not None else self.answers(la), explanations
        )
        return target

    def tampered(self, name: str, la: LocalAuthority, change: Callable[[Any], None]) -> Path:
        """A filled return opened in openpyxl, changed by `change(wb)` and saved."""
        path = self.fill(name, la)
        wb = _open(path)
        change(wb)
        wb.save(path)
        return path

    def write_manifest(self, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["la", "gss_code", "file", "sha256", "instrument_version", "round", "token"])
            for la, name, token in self.issued:
                w.writerow([la.name, la.gss_code, name, "", "", "", token])

    def add(self, name: str, case: BrokenCase) -> None:
        assert name not in self.cases and (self.folder / name).exists(), name
        self.cases[name] = case

    # -- good returns ---------------------------------------------------------------------

    def good_returns(self) -> None:
        for name in GOOD_LAS:
            la = self.la(name)
            answers = self.answers(la)
            path = self.fill(f"{la.slug} return.xlsx", la, answers)
            self.good[path.name] = (la.name, answers)
        # Essex sent an earlier copy too; the later one (saved 20 January) is the one used.
        essex = self.la("Essex")
        newer = self.folder / f"{essex.slug} return.xlsx"
        older = self.fill(f"{essex.slug} return (first go).xlsx", essex)
        set_modified(older, dt.datetime(2027, 1, 10, 9, 30))
        set_modified(newer, dt.datetime(2027, 1, 20, 16, 5))
        self.set_aside[older.name] = newer.name
        self.add(
            older.name,
            BrokenCase("FILE11", "an older second return from Essex", la="Essex", value=newer.name),
        )
        # Cambridgeshire sent the same file twice: a duplicate, counted once. copy2 keeps the
        # file's time, so the tie is settled by name and the original is the one kept.
        original = self.folder / "Cambridgeshire return.xlsx"
        copy = self.folder / "Cambridgeshire return (copy).xlsx"
        shutil.copy2(original, copy)
        self.set_aside[copy.name] = original.name
        self.add(
            copy.name,
            BrokenCase("FILE29", "an identical copy", la="Cambridgeshire", value=original.name),
        )

    # -- file cases -----------------------------------------------------------------------

    def file_cases(self) -> None:
        folder = self.folder
        # FILE01: not a workbook at all.
        (folder / "return notes.pdf").write_text(
            "Dear Rachel, our figures are attached. Kind regards\n", encoding="utf-8"
        )
        self.add("return notes.pdf", BrokenCase("FILE01", "a text file named .pdf"))
        (folder / "covering letter.docx").write_bytes(_docx())
        self.add("covering letter.docx", BrokenCase("FILE20", "a Word document"))
        (folder / "printed to PDF.xlsx").write_bytes(
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
        )
        self.add("printed to PDF.xlsx", BrokenCase("FILE19", "a PDF named .xlsx"))
        (folder / "saved as web page.xls").write_text(
            '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">\n<head><meta name=ProgId '
            "content=Excel.Sheet></head>\n<body><table><tr><td>Headcount</td><td>120</td></tr>"
            "</table></body></html>\n",
            encoding="utf-8",
        )
        self.add("saved as web page.xls", BrokenCase("FILE21", "a web page named .xls"))
        (folder / "saved as csv.csv").write_text(
            "Workforce,,\nGroup,Headcount,Leavers\nWhite,120,8\nMinority ethnic,45,5\n",
            encoding="utf-8",
        )
        self.add("saved as csv.csv", BrokenCase("FILE22", "one sheet saved as CSV"))

        # FILE02: damaged.
        data = (folder / "Bedford return.xlsx").read_bytes()
        (folder / "truncated.xlsx").write_bytes(data[: len(data) // 2])
        self.add("truncated.xlsx", BrokenCase("FILE02", "first half of a good file"))
        noise = random.Random(SEED).randbytes(20_000)
        (folder / "noise.xlsx").write_bytes(b"\x00\x01" + noise)
        self.add("noise.xlsx", BrokenCase("FILE02", "random bytes"))

        # FILE03: a password to open.
        # Only the container and its stream names matter, and the hand-built compound file
        # holds one FAT sector (about 60 KB of streams): a slice of the workbook will do.
        (folder / "encrypted.xlsx").write_bytes(encrypted_package(data[:32_768]))
        self.add("encrypted.xlsx", BrokenCase("FILE03", "an encrypted OOXML package"))

        # FILE04 and FILE05: saved by LibreOffice as .xls and .ods.
        for to, code in (("xls", "FILE04"), ("ods", "FILE05")):
            source = self.tmp / f"saved as {to}.xlsx"
            shutil.copyfile(folder / "Cambridgeshire return.xlsx", source)
            produced = convert(source, self.tmp / to, to, recalc=False)
            shutil.copyfile(produced, folder / produced.name)
            self.add(produced.name, BrokenCase(code, f"saved as .{to}", la="Cambridgeshire"))

        # FILE06: macro-enabled.
        add_part(
            folder / "Bedford return.xlsx",
            folder / "macro enabled.xlsm",
            "xl/vbaProject.bin",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        )
        self.add("macro enabled.xlsm", BrokenCase("FILE06", "a vbaProject.bin added", la="Bedford"))

        # FILE07: not our template.
        wb = openpyxl.Workbook()
        wb.active.title = "Figures"
        wb.active["A1"] = "Our workforce figures"
        wb.save(folder / "our own spreadsheet.xlsx")
        self.add("our own spreadsheet.xlsx", BrokenCase("FILE07", "a plain workbook"))
        wb = openpyxl.Workbook()
        la = self.next_la()
        for key, value in (
            ("instrument_id", "eastern-region-send-return"),
            ("instrument_version", "1.0"),
            ("la_code", la.gss_code),
            ("la_name", la.name),
            ("round", self.settings.round),
        ):
            wb.custom_doc_props.append(
                openpyxl.packaging.custom.StringProperty(name=f"ie_{key}", value=value)
            )
        wb.save(folder / "another form.xlsx")
        self.add("another form.xlsx", BrokenCase("FILE07", "ie_ properties of another form"))

        # FILE08: an older version of the instrument.
        la = self.next_la()
        old_settings, old_instrument = instrument_version(
            self.tmp / "old-templates", self.settings, "0.9"
        )
        self.fill(
            "old version.xlsx", la, settings=old_settings, instrument=old_instrument, tag="v0.9-"
        )
        self.add(
            "old version.xlsx",
            BrokenCase("FILE08", "made from version 0.9", la=la.name, value="0.9"),
        )

        # FILE09: identity tampered, pointing at another (broken) council's code.
        la = self.next_la()
        other = self.la(BROKEN_LAS[(self._turn + 1) % len(BROKEN_LAS)])

        def retarget(wb) -> None:
            ((sheet, ref),) = wb.defined_names[META_PREFIX + "la_code"].destinations
            assert sheet == IDENTITY_SHEET
            wb[sheet][ref.replace("$", "")] = other.gss_code

        self.tampered("identity altered.xlsx", la, retarget)
        self.add(
            "identity altered.xlsx",
            BrokenCase("FILE09", "Identity sheet carries another council's code", la=la.name),
        )

        # FILE27: a workbook that was never issued (made without a token, as an old build was).
        la = self.next_la()
        unissued = self.tmp / f"unissued-{la.slug}.xlsx"
        unissued.write_bytes(workbook_bytes(self.ins, self.settings, la))
        fill_workbook(unissued, folder / "never issued.xlsx", self.answers(la))
        self.add("never issued.xlsx", BrokenCase("FILE27", "no issue token", la=la.name))

        # FILE28: a council's issued workbook rewritten, everywhere, to another council.
        la = self.next_la()
        other = self.la(GOOD_LAS[0])

        def rewrite(wb) -> None:
            values = {
                "la_name": other.name,
                "la_code": other.gss_code,
                "dfe_number": str(other.dfe_number),
            }
            for key, value in values.items():
                ((sheet, ref),) = wb.defined_names[META_PREFIX + key].destinations
                wb[sheet][ref.replace("$", "")] = value
                for prop in wb.custom_doc_props.props:
                    if prop.name == f"ie_{key}":
                        prop.value = value

        self.tampered("borrowed identity.xlsx", la, rewrite)
        self.add(
            "borrowed identity.xlsx",
            BrokenCase("FILE28", f"{la.name}'s workbook rewritten to {other.name}", la=other.name),
        )

        # FILE10: a council not in this round.
        bigger = self.settings.model_copy(
            update={"local_authorities": [*self.settings.local_authorities, OUTSIDER]}
        )
        self.fill(
            "Rutland return.xlsx",
            OUTSIDER,
            self.answers(OUTSIDER, pop_of=self.la("Bedford")),
            settings=bigger,
        )
        self.add(
            "Rutland return.xlsx",
            BrokenCase("FILE10", "Rutland is not in this round", value="Rutland"),
        )

        # FILE12: protection removed from one sheet.
        la = self.next_la()

        def unprotect(wb) -> None:
            wb["Workforce"].protection.sheet = False

        self.tampered("protection removed.xlsx", la, unprotect)
        self.add(
            "protection removed.xlsx",
            BrokenCase(
                "FILE12",
                "Workforce unprotected (no sheetProtection element, as Excel leaves it)",
                la=la.name,
                sheet="Workforce",
            ),
        )

        # FILE13: fixed wording changed.
        la = self.next_la()
        sheet = build_layout(self.ins, self.settings, la).sheet("Workforce")
        (r, c), text = next(iter(sorted(sheet.static_text().items())))
        cell = f"{openpyxl.utils.get_column_letter(c + 1)}{r + 1}"

        def reword(wb) -> None:
            wb["Workforce"][cell] = "Our own heading"

        self.tampered("wording changed.xlsx", la, reword)
        self.add(
            "wording changed.xlsx",
            BrokenCase(
                "FILE13",
                f"{text!r} replaced",
                la=la.name,
                sheet="Workforce",
                cell=cell,
                value="Our own heading",
            ),
        )

        # FILE14: a sheet added.
        la = self.next_la()

        def add_sheet(wb) -> None:
            wb.create_sheet("My notes")["A1"] = "working"

        self.tampered("sheet added.xlsx", la, add_sheet)
        self.add(
            "sheet added.xlsx", BrokenCase("FILE14", "a sheet added", la=la.name, value="My notes")
        )

        # FILE15: last round's workbook.
        la = self.next_la()
        last_round = self.settings.model_copy(update={"round": "2025-26"})
        self.fill("last round.xlsx", la, settings=last_round, tag="2025-26-")
        self.add(
            "last round.xlsx",
            BrokenCase("FILE15", "last round's workbook", la=la.name, value="2025-26"),
        )

        # FILE16: an answer cell's name deleted.
        la = self.next_la()
        fid = "workforce.events.cpd.white"

        def unname(wb) -> None:
            del wb.defined_names[defined_name(fid)]

        self.tampered("answer name deleted.xlsx", la, unname)
        self.add(
            "answer name deleted.xlsx",
            BrokenCase("FILE16", "a defined name deleted", la=la.name, field_id=fid),
        )

        # FILE23: a good return sent inside a zip.
        with zipfile.ZipFile(folder / "returns.zip", "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("Bedford return.xlsx", (folder / "Bedford return.xlsx").read_bytes())
        self.add("returns.zip", BrokenCase("FILE23", "a zip holding a return"))

        # FILE24: saved as Strict Open XML: the same parts under the ISO namespaces.
        la = self.next_la()
        path = self.fill("strict open xml.xlsx", la)

        def strict(name: str, data: bytes) -> bytes | None:
            if not name.endswith((".xml", ".rels")):
                return None
            for old, new in STRICT_NAMESPACES:
                data = data.replace(old, new)
            return data

        _rewrite_zip(path, path, strict, {})
        self.add(
            "strict open xml.xlsx", BrokenCase("FILE24", "Strict Open XML namespaces", la=la.name)
        )

        # FILE25: an answer cell's name widened to two cells.
        la = self.next_la()
        fid = "workforce.events.leavers.white"

        def widen(wb) -> None:
            dn = wb.defined_names[defined_name(fid)]
            ((sheet, ref),) = dn.destinations
            col, row = openpyxl.utils.cell.coordinate_from_string(ref.replace("$", ""))
            dn.attr_text = f"'{sheet}'!${col}${row}:${col}${row + 1}"

        self.tampered("answer name widened.xlsx", la, widen)
        self.add(
            "answer name widened.xlsx",
            BrokenCase("FILE25", "a name over two cells", la=la.name, field_id=fid),
        )

        # FILE26: two answers' names on one cell.
        la = self.next_la()
        moved, onto = "workforce.events.leavers.white", "workforce.events.leavers.minority_ethnic"

        def share(wb) -> None:
            wb.defined_names[defined_name(moved)].attr_text = wb.defined_names[
                defined_name(onto)
            ].attr_text

        self.tampered("two names one cell.xlsx", la, share)
        sheet, cell = self.cells(la)[defined_name(onto)]
        self.add(
            "two names one cell.xlsx",
            BrokenCase("FILE26", "two names, one cell", la=la.name, sheet=sheet, cell=cell),
        )

        # FILE17: a good return with 300 MB of zeros packed inside (a few hundred KB on disk).
        path = self.fill("huge inside.xlsx", self.next_la())
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
            with z.open("xl/media/padding.bin", "w", force_zip64=True) as member:
                chunk = bytes(1024 * 1024)
                for _ in range(300):
                    member.write(chunk)
        self.add("huge inside.xlsx", BrokenCase("FILE17", "300 MB of zeros inside"))

    # -- value cases ----------------------------------------------------------------------

    def value_case(
        self, code: str, fid: str, value: Any, shown: str, why: str, also: tuple[str, ...] = ()
    ) -> None:
        la = self.next_la()
        answers = self.answers(la)
        if value is None:
            answers.pop(fid, None)
        else:
            answers[fid] = value
        name = f"{code} {why}.xlsx"
        self.fill(name, la, answers)
        sheet, cell = self.cells(la)[defined_name(fid)]
        self.add(
            name,
            BrokenCase(
                code, why, la=la.name, field_id=fid, sheet=sheet, cell=cell, value=shown, also=also
            ),
        )

    def check_case(
        self,
        code: str,
        fid: str,
        change: Callable[[dict], Any],
        why: str,
        also: tuple[str, ...] = (),
        explain: str = "",
        tag: str = "",
    ) -> None:
        """A return whose answers are each valid but break check `code` on field `fid`."""
        la = self.next_la()
        answers = self.answers(la)
        shown = change(answers)
        explanations = {}
        if explain:
            check = next(
                c for c in self.ins.checks.checks if c.code == code and c.primary_field == fid
            )
            explanations[check.explanation_name] = explain
        name = f"{code} {why}.xlsx"
        self.fill(name, la, answers, explanations)
        sheet, cell = self.cells(la)[defined_name(fid)]
        self.add(
            name,
            BrokenCase(
                code,
                why,
                la=la.name,
                field_id=fid,
                sheet=sheet,
                cell=cell,
                value=as_shown(shown),
                also=also,
                explanation=explain,
            ),
        )

    def value_cases(self) -> None:
        self.value_case(
            "VAL01", "workforce.events.cpd.white", "about 40", "about 40", "words in a count"
        )
        self.value_case(
            "VAL02", "workforce.events.leavers.minority_ethnic", -5, "-5", "a negative count"
        )
        self.value_case(
            "VAL03", "workforce.events.disciplinary.white", 12.5, "12.5", "half a person"
        )
        self.value_case(
            "VAL04", "workforce.scope", "Some of them", "Some of them", "an answer not on the list"
        )
        self.value_case(
            "VAL05",
            "cover.respondent_name",
            "A very long name " * 10,
            "A very long name",
            "text over the limit",
        )
        self.value_case(
            "VAL06", "workforce.headcount_date", "next Tuesday", "next Tuesday", "not a date"
        )
        self.value_case(
            "VAL07",
            "workforce.events.cpd.not_known",
            "=10+2",
            "=10+2",
            "a formula in an answer cell",
        )
        # Text is cleaned before it is checked: a tab in front of a formula does not hide it.
        self.value_case(
            "VAL07",
            "cover.respondent_role",
            '\t=HYPERLINK("http://evil.example","click")',
            '=HYPERLINK("http://evil.example","click")',
            "a tab before a formula",
        )
        # A zero-width space copied in after a valid answer: read as the answer, and named.
        la = self.la(BROKEN_LAS[self._turn % len(BROKEN_LAS)])
        self.value_case(
            "VAL09",
            "workforce.scope",
            self.answers(la)["workforce.scope"] + "\u200b",
            "zero width space (U+200B)",
            "an invisible space in an answer",
        )
        # "45%" typed into a count: Excel stores 0.45 and formats the cell as a percentage.
        la = self.next_la()
        fid = "workforce.events.leavers.white"
        sheet, cell = self.cells(la)[defined_name(fid)]
        name = "VAL10 a percentage in a count.xlsx"
        path = self.fill(name, la)
        wb = _open(path)
        wb[sheet][cell].value = 0.45
        wb[sheet][cell].number_format = "0%"
        wb.save(path)
        self.add(
            name,
            BrokenCase(
                "VAL10",
                "45% in a count",
                la=la.name,
                field_id=fid,
                sheet=sheet,
                cell=cell,
                value="45%",
            ),
        )
        self.value_case("REQ01", "cover.respondent_role", None, "", "a required answer left out")

        def more_appointed(answers: dict) -> int:
            answers["workforce.events.appointed.white"] = (
                answers["workforce.events.shortlisted.white"] + 5
            )
            return answers["workforce.events.appointed.white"]

        self.check_case(
            "WF02",
            "workforce.events.appointed.white",
            more_appointed,
            "more appointed than shortlisted",
        )

        def rows_off(answers: dict) -> int:
            key = next(
                k
                for k in answers
                if k.startswith("children_families.counts.") and k.endswith(".cla")
            )
            answers[key] += 3
            return sum(
                v
                for k, v in answers.items()
                if k.startswith("children_families.counts.") and k.endswith(".cla")
            )

        self.check_case(
            "CF01", "children_families.totals.all.cla", rows_off, "rows add to more than the total"
        )

        for explained in (False, True):
            la_answers = self.answers(self.la(BROKEN_LAS[self._turn % len(BROKEN_LAS)]))
            level = next(
                k
                for k, v in la_answers.items()
                if k.startswith("diagnostic.")
                and k.endswith(".level")
                and v in LEVELS_NEEDING_EVIDENCE
                and k.replace(".level", ".evidence") in la_answers
            )
            evidence = level.replace(".level", ".evidence")

            def drop_evidence(answers: dict, evidence: str = evidence) -> str:
                answers.pop(evidence)
                return ""

            if explained:
                self.check_case(
                    "DIA01",
                    evidence,
                    drop_evidence,
                    "level without evidence, explained",
                    explain="Evidence is in our annual report, section 3.",
                )
            else:
                self.check_case(
                    "DIA01",
                    evidence,
                    drop_evidence,
                    "level without evidence, unexplained",
                    also=("QRY01",),
                )

    def skipped_files(self) -> None:
        # An Excel lock file, and a hidden copy of a good return: read, it would make a
        # second return from Bedford.
        (self.folder / SKIPPED[0]).write_bytes(b"\x0bRachel Black" + bytes(150))
        shutil.copyfile(self.folder / "Bedford return.xlsx", self.folder / SKIPPED[1])


# ---------------------------------------------------------------------------------------------
# File surgery


def _open(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def as_shown(value: Any) -> str:
    return "" if value is None else str(value)


def _rewrite_zip(
    source: Path,
    target: Path,
    change: Callable[[str, bytes], bytes | None],
    extra: dict[str, bytes],
) -> None:
    """Copy a zip part by part, letting `change` rewrite (or, returning None, keep) each."""
    with zipfile.ZipFile(source) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            new = change(info.filename, data)
            zout.writestr(info, new if new is not None else data)
        for name, data in extra.items():
            zout.writestr(name, data)
    target.write_bytes(buffer.getvalue())


def set_modified(path: Path, when: dt.datetime) -> None:
    """Set the 'last saved' time in docProps/core.xml (openpyxl stamps 'now' on every save)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def change(name: str, data: bytes) -> bytes | None:
        if name != "docProps/core.xml":
            return None
        new, n = re.subn(
            rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
            rb"\g<1>" + stamp + rb"\g<2>",
            data,
        )
        assert n == 1, "no dcterms:modified in docProps/core.xml"
        return new

    _rewrite_zip(path, path, change, {})


def add_part(source: Path, target: Path, part: str, data: bytes) -> None:
    _rewrite_zip(source, target, lambda _n, _d: None, {part: data})


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Our return</w:t></w:r>'
            "</w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def encrypted_package(plain: bytes) -> bytes:
    """An OLE2 compound file laid out as Excel saves a workbook with a password to open.

    The streams' contents are not real encryption (nothing here needs to decrypt them): what
    matters is the container and the stream names a reader sees.
    """
    info = (
        b"\x04\x00\x04\x00\x40\x00\x00\x00"
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
        b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"/>'
        b"</encryption>"
    )
    scrambled = bytes(b ^ 0x5A for b in plain)
    package = struct.pack("<Q", len(plain)) + scrambled
    return compound_file({"EncryptionInfo": info, "EncryptedPackage": package})


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal version-3 OLE2 compound file holding `streams` at its root.

    Streams are padded to the 4,096-byte mini-stream cut-off so that all of them live in
    ordinary 512-byte sectors: one FAT sector, one directory sector, then the streams.
    """
    sector = 512
    free, end, fat_sect, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    assert len(streams) <= 3, "one directory sector holds the root and three streams"
    fat = [fat_sect, end]
    body = b""
    entries = []
    for name, data in streams.items():
        data = data.ljust(max(4096, -(-len(data) // sector) * sector), b"\0")
        start = len(fat)
        count = len(data) // sector
        fat.extend(list(range(start + 1, start + count)) + [end])
        entries.append((name, start, len(data)))
        body += data
    assert len(fat) <= sector // 4, "the streams must fit one FAT sector"
    fat += [free] * (sector // 4 - len(fat))

    def entry(
        name: str,
        kind: int,
        start: int,
        size: int,
        left: int = no_stream,
        right: int = no_stream,
        child: int = no_stream,
    ) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            raw,
            len(raw),
            kind,
            1,
            left,
            right,
            child,
            bytes(16),
            0,
            0,
            0,
            start,
            size,
        )

    # Directory order: shorter names first, so a chain of right siblings keeps the tree sorted.
    order = sorted(range(len(entries)), key=lambda i: (len(entries[i][0]), entries[i][0].upper()))
    directory = entry("Root Entry", 5, end, 0, child=order[0] + 1)
    for i, (name, start, size) in enumerate(entries):
        rank = order.index(i)
        right = order[rank + 1] + 1 if rank + 1 < len(order) else no_stream
        directory += entry(name, 2, start, size, right=right)
    while len(directory) < sector:
        directory += entry("", 0, 0, 0)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    assert len(header) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + body


def instrument_version(
    folder: Path, settings: RoundSettings, version: str
) -> tuple[RoundSettings, Instrument]:
    """A copy of templates/ whose instrument has another version, with its settings."""
    shutil.copytree(settings.templates_folder, folder)
    path = folder / "instrument" / "instrument.yaml"
    text, n = re.subn(
        r'(?m)^version:\s*"?[^"\n]*"?\s*$',
        f'version: "{version}"',
        path.read_text(encoding="utf-8"),
    )
    assert n == 1, "no version line in instrument.yaml"
    path.write_text(text, encoding="utf-8")
    copy = load_settings(folder / "round.yaml")
    return copy, load_instrument(copy.instrument_folder)
