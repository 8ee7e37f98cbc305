"""Write report.docx: render the jinja2 templates to markup, then the markup to Word.

The wording is in templates/report/report.md.j2 (and the files it includes); the look is in
templates/report/reference.docx, whose styles every paragraph and table uses. Both are read from
the round's templates folder, so a round can carry its own.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
from pathlib import Path

import jinja2
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from collate.analysis.model import REGION, Analysis
from collate.errors import ReportError
from collate.report import charts, markup
from collate.report import docx_helpers as dh
from collate.report import numbers as fmt
from collate.report.facts import build_facts, quote
from collate.report.summary import count_of, noun
from collate.report.tables import Cell, TableData, builders
from collate.report.words import names
from collate.settings import TEMPLATES

log = logging.getLogger("collate")
REPORT_TEMPLATE = "report.md.j2"
REFERENCE = "reference.docx"
SAMPLE_TEXT = "SYNTHETIC SAMPLE DATA"
KEEP_TOGETHER_ROWS = 16
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
}


def template_folders(an: Analysis) -> list[Path]:
    """The round's templates/report/ first, then the toolkit's own as a fallback."""
    own = an.settings.templates_folder / "report"
    default = TEMPLATES / "report"
    return [own] if own.resolve() == default.resolve() else [own, default]


def _one_line(value) -> str:
    """Every {{ value }} becomes one line, so an LA's text cannot break the markup."""
    if value is None:
        return ""
    return re.sub(r"\s*[\r\n]+\s*", " ", str(value))


def environment(folders: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_one_line,
        autoescape=False,
    )
    env.filters.update(
        {
            "count": fmt.count,
            "ratio": fmt.ratio,
            "rate": fmt.rate,
            "percent": fmt.percent,
            "points": fmt.points,
            "names": names,
            "quote": quote,
            # Grammar from inflect: {{ n|count_of("LA") }} gives "1 LA" or "11 LAs",
            # {{ n|noun("example") }} the noun alone.
            "count_of": count_of,
            "noun": noun,
            "band": fmt.band_text,
        }
    )
    return env


def render_markup(an: Analysis, facts: dict) -> str:
    env = environment(template_folders(an))
    try:
        return env.get_template(REPORT_TEMPLATE).render(**facts)
    except jinja2.TemplateError as exc:
        where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        name = getattr(exc, "filename", None) or getattr(exc, "name", None) or REPORT_TEMPLATE
        raise ReportError(f"report template {name}{where}: {exc}") from None


class DocWriter:
    """Turns markup blocks into a Word document styled by the reference document."""

    def __init__(self, an: Analysis, facts: dict, reference: Path):
        self.an = an
        self.facts = facts
        self.doc = Document(str(reference))
        dh.clear_body(self.doc)
        # Style ids looked up once: python-docx's lookup by name is slow on big tables.
        self.style_ids = {s.name: s.style_id for s in self.doc.styles}
        self.styles = set(self.style_ids)
        self.tables = builders(an, facts)
        self.table_n = 0
        self.figure_n = 0
        self.charts = self._chart_builders()
        self._made: dict = {}  # paragraph and run properties, made once (see _fill)

    # ----- styles and text -------------------------------------------------------------------
    def style(self, name: str, fallback: str = "Normal") -> str | None:
        if name in self.styles:
            return name
        return fallback if fallback in self.styles else None

    def set_style(self, paragraph, name: str | None) -> None:
        if name and name in self.style_ids:
            paragraph._p.get_or_add_pPr().style = self.style_ids[name]

    def add_paragraph(self, style: str | None = None):
        p = self.doc.add_paragraph()
        self.set_style(p, self.style(style or "Normal"))
        return p

    def paragraph(self, text: str, style: str | None = None):
        p = self.add_paragraph(style)
        for part, bold in markup.runs(text):
            run = p.add_run(part)
            if bold:
                run.bold = True
        return p

    # ----- the document ------------------------------------------------------------------------
    def write(self, blocks: list[markup.Block]) -> None:
        self._properties()
        self._header_footer()
        toc = [
            (b.level, b.text.replace("**", ""))
            for b in blocks
            if isinstance(b, markup.Heading) and b.level <= 2
        ]
        for block in blocks:
            if isinstance(block, markup.Heading):
                self.paragraph(block.text.replace("**", ""), f"Heading {block.level}")
            elif isinstance(block, markup.Paragraph):
                self.paragraph(block.text, block.style)
            elif isinstance(block, markup.Bullet):
                self.paragraph(block.text, "List Bullet" if block.level == 1 else "List Bullet 2")
            elif block.name == "toc":
                dh.add_toc(self.doc, toc)
            elif block.name == "pagebreak":
                dh.page_break(self.doc)
            elif block.name in ("landscape", "portrait"):
                self._section(block.name == "landscape")
            elif block.name == "table":
                self._table(block)
            elif block.name == "chart":
                self._chart(block)
        dh.update_fields_on_open(self.doc)

    def _properties(self) -> None:
        cp = self.doc.core_properties
        s = self.an.settings
        cp.title = s.report.title + (f" ({SAMPLE_TEXT})" if self.an.is_sample else "")
        cp.author = s.report.author
        cp.subject = f"{s.programme}, round {s.round}"
        cp.language = "en-GB"
        cp.comments = ""
        cp.created = dt.datetime.combine(self.an.today, dt.time())
        cp.last_modified_by = s.report.author
        cp.keywords = "anti-racist practice; diagnostic; " + s.region

    def _header_footer(self) -> None:
        section = self.doc.sections[0]
        header = section.header
        header.is_linked_to_previous = False
        p = header.paragraphs[0]
        p.style = self.style("Header")
        p.text = ""
        if self.an.is_sample:
            r = p.add_run(f"{SAMPLE_TEXT}: not real returns. ")
            r.bold = True
        p.add_run(f"{self.an.settings.report.title}, {self.an.settings.round}")
        footer = section.footer
        footer.is_linked_to_previous = False
        fp = footer.paragraphs[0]
        fp.style = self.style("Footer")
        fp.text = ""
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fp.add_run("Page ")
        dh.add_field(fp, "PAGE", "1")

    def _section(self, landscape: bool) -> None:
        dh.new_section(self.doc, landscape)

    # ----- tables ------------------------------------------------------------------------------
    def _table(self, block: markup.Directive) -> None:
        name = block.args[0]
        build = self.tables.get(name)
        if build is None:
            known = ", ".join(sorted(self.tables))
            raise ReportError(f"report template: no table called '{name}' (known: {known})")
        data = build()
        if data is None:
            self.paragraph(f"No figures were returned for this table ({name}).", "Note")
            return
        self.add_table(data, block.caption)

    def caption(self, kind: str, text: str) -> None:
        n = self.table_n if kind == "Table" else self.figure_n
        p = self.add_paragraph("Caption")
        p.add_run(f"{kind} ")
        dh.add_field(p, f"SEQ {kind} \\* ARABIC", str(n))
        p.add_run(f": {text}")
        dh.keep_with_next(p)

    def add_table(self, data: TableData, caption: str | None = None) -> None:
        self.table_n += 1
        self.caption("Table", caption or data.caption)
        n_cols = len(data.widths)
        n_header = len(data.header)
        table = self.doc.add_table(rows=n_header + max(len(data.rows), 1), cols=n_cols)
        if "Report Table" in self.styles:
            table.style = self.doc.styles["Report Table"]
        elif "Table Grid" in self.styles:
            table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        width = dh.usable_width_cm(self.doc)
        scale = width / sum(data.widths)
        widths = [w * scale for w in data.widths]
        size = data.font_size
        head_style = self.style("Table Heading", "Normal")
        body_style = self.style("Table Text", "Normal")
        # python-docx's table.rows[i] lists every row first: take them once (rows, not cells,
        # survive the header's merges), else a table costs the square of its length.
        rows = list(table.rows)
        for i, hrow in enumerate(data.header):
            row = rows[i]
            dh.repeat_header(row)
            dh.cant_split(row)
            j = 0
            for hc in hrow:
                cell = row.cells[j]
                if hc.span > 1:
                    cell = cell.merge(row.cells[j + hc.span - 1])
                if hc.text is None:
                    above = rows[i - 1].cells[j]
                    above.merge(cell)
                else:
                    self._fill(
                        cell,
                        Cell(hc.text, bold=True, align="center" if hc.span > 1 else "left"),
                        head_style,
                        size,
                    )
                j += hc.span
        # A short table is kept on one page: every row but the last keeps with the next.
        keep = len(data.rows) <= KEEP_TOGETHER_ROWS
        for i, values in enumerate(data.rows):
            row = rows[n_header + i]
            dh.cant_split(row)
            cells = row.cells
            for j, value in enumerate(values):
                self._fill(cells[j], value, body_style, size)
                if keep and i < len(data.rows) - 1:
                    cells[j].paragraphs[0].paragraph_format.keep_with_next = True
        if not data.rows:
            first = rows[n_header].cells[0].merge(rows[n_header].cells[-1])
            self._fill(first, Cell(data.empty_text), body_style, size)
        dh.set_widths(table, widths)
        dh.table_description(table, caption or data.caption, data.description)
        if data.note:
            self.paragraph(data.note, "Note")
        else:
            self.add_paragraph("Note")

    def _fill(self, cell, value: Cell, style: str | None, size: float | None) -> None:
        p = cell._tc.p_lst[0] if cell._tc.p_lst else None
        text = str(value.text)
        if p is not None and len(p) == 0 and "\t" not in text and "\r" not in text:
            # The XML python-docx writes for this cell, made directly: its wrappers cost about
            # a millisecond a cell, most of a big report's time (copies of properties made
            # once by python-docx itself; tests compare the document with the slow way's).
            p.append(copy.deepcopy(self._paragraph_properties(style, value.align)))
            run_properties = self._run_properties(bool(value.bold), size)
            lines = text.split("\n")
            for k, line in enumerate(lines):
                r = etree.SubElement(p, qn("w:r"))
                if run_properties is not None:
                    r.append(copy.deepcopy(run_properties))
                if line:
                    t = etree.SubElement(r, qn("w:t"))
                    t.text = line
                    if len(line.strip()) < len(line):
                        t.set(qn("xml:space"), "preserve")
                if k < len(lines) - 1:
                    etree.SubElement(r, qn("w:br"))
            if value.shade:
                dh.shade(cell, value.shade)
            return
        self._fill_slowly(cell, value, style, size)

    def _paragraph_properties(self, style: str | None, align: str | None):
        key = (style, align)
        found = self._made.get(key)
        if found is None:
            paragraph = Paragraph(OxmlElement("w:p"), None)
            self.set_style(paragraph, style)
            paragraph.alignment = ALIGN.get(align)
            found = self._made[key] = paragraph._p.pPr
        return found

    def _run_properties(self, bold: bool, size: float | None):
        key = (bold, size)
        if key not in self._made:
            run = Run(OxmlElement("w:r"), None)
            if bold:
                run.bold = True
            if size:
                run.font.size = Pt(size)
            self._made[key] = run._r.rPr
        return self._made[key]

    def _fill_slowly(self, cell, value: Cell, style: str | None, size: float | None) -> None:
        p = cell.paragraphs[0]
        self.set_style(p, style)
        p.alignment = ALIGN.get(value.align)
        lines = str(value.text).split("\n")
        for k, line in enumerate(lines):
            run = p.add_run(line)
            if value.bold:
                run.bold = True
            if size:
                run.font.size = Pt(size)
            if k < len(lines) - 1:
                run.add_break()
        if value.shade:
            dh.shade(cell, value.shade)

    # ----- charts ------------------------------------------------------------------------------
    def _chart_builders(self) -> dict:
        an = self.an
        stages = [(s, label) for s, label, _ in an.stages]
        region = an.cf_measures_published
        region_rows = (
            region[region["la"] == "All returning LAs"].to_dict("records")
            if not region.empty
            else []
        )
        w = an.wres_published
        places = (
            [p for p in dict.fromkeys(w["la"]) if p != REGION] + [REGION] if not w.empty else []
        )
        short = {la.name: la.short_name for la in an.settings.local_authorities}
        wrows = (
            []
            if w.empty
            else [{**r, "la": short.get(r["la"], r["la"])} for r in w.to_dict("records")]
        )
        inds = (
            [
                (i, n)
                for i, n in dict.fromkeys(zip(w["indicator"], w["indicator_name"], strict=True))
                if i in ("2", "3", "4", "5", "8")
            ]
            if not w.empty
            else []
        )
        width = 16.0
        return {
            "cf_over_representation": lambda: charts.over_representation(
                an.cf_over_counts.to_dict("records"), stages, an.threshold, width
            ),
            "cf_region_ratios": lambda: charts.regional_ratios(
                [
                    r
                    for r in region_rows
                    if r["group"] not in an.instrument.ethnicity.not_known_groups
                ],
                stages,
                an.threshold,
                width,
            ),
            "wres_likelihoods": lambda: charts.likelihoods(
                wrows, inds, [short.get(p, p) for p in places], an.band, width
            ),
        }

    def _chart(self, block: markup.Directive) -> None:
        name = block.args[0]
        build = self.charts.get(name)
        if build is None:
            known = ", ".join(sorted(self.charts))
            raise ReportError(f"report template: no chart called '{name}' (known: {known})")
        chart = build()
        if chart is None:
            self.paragraph(f"No figures were returned for this chart ({name}).", "Note")
            return
        self.figure_n += 1
        self.caption("Figure", block.caption or chart.title)
        import io

        width = min(chart.width_cm, dh.usable_width_cm(self.doc))
        p = self.add_paragraph("Normal")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run()
        run.add_picture(io.BytesIO(chart.png), width=Cm(width))
        shape = self.doc.inline_shapes[-1]
        dh.alt_text(shape, block.caption or chart.title, chart.description)


def write_report(an: Analysis, out_dir: Path) -> Path:
    """Write out_dir/report.docx from the analysis; returns its path."""
    facts = build_facts(an)
    text = render_markup(an, facts)
    blocks = markup.parse(text, REPORT_TEMPLATE)
    reference = next(
        (f / REFERENCE for f in template_folders(an) if (f / REFERENCE).exists()), None
    )
    if reference is None:
        raise ReportError(f"no {REFERENCE} in {template_folders(an)[0]}")
    writer = DocWriter(an, facts, reference)
    writer.write(blocks)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.docx"
    writer.doc.save(str(path))
    log.info("wrote %s", path)
    return path
