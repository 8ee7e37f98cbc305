"""Word structure python-docx has no API for: fields (table of contents, page numbers, caption
numbers), repeated header rows, alt text, cell shading, section orientation."""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph


def clear_body(doc: DocumentObject) -> None:
    """Remove the reference document's content, keeping its styles and last section settings."""
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def add_field(paragraph: Paragraph, instruction: str, result: str = "", bold: bool = False) -> None:
    """A complex field (begin, instruction, separate, cached result, end)."""

    def fld(kind: str):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            el.set(qn("w:dirty"), "true")
        run._r.append(el)
        return run

    fld("begin")
    instr_run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run._r.append(instr)
    fld("separate")
    cached = paragraph.add_run(result)
    cached.bold = bold or None
    fld("end")


def add_toc(doc: DocumentObject, entries: list[tuple[int, str]], levels: str = "1-2") -> None:
    """A real TOC field. Its cached result lists the headings (without page numbers), so that a
    reader that does not update fields still shows the contents; Word refreshes it on opening
    (updateFields), and LibreOffice with Tools > Update > Update All."""
    body = doc.element.body
    sect = body[-1] if body[-1].tag == qn("w:sectPr") else None

    def para(style: str):
        p = doc.add_paragraph(style=style if style in _style_names(doc) else None)
        return p

    first = para("TOC 1" if entries else "Normal")
    begin = OxmlElement("w:r")
    fc = OxmlElement("w:fldChar")
    fc.set(qn("w:fldCharType"), "begin")
    fc.set(qn("w:dirty"), "true")
    begin.append(fc)
    first._p.append(begin)
    r = OxmlElement("w:r")
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f' TOC \\o "{levels}" \\h \\z \\u '
    r.append(it)
    first._p.append(r)
    r = OxmlElement("w:r")
    fc = OxmlElement("w:fldChar")
    fc.set(qn("w:fldCharType"), "separate")
    r.append(fc)
    first._p.append(r)
    last = first
    for i, (level, text) in enumerate(entries or [(1, "Update this table to list the contents")]):
        p = first if i == 0 else para(f"TOC {level}")
        p.add_run(text)
        last = p
    r = OxmlElement("w:r")
    fc = OxmlElement("w:fldChar")
    fc.set(qn("w:fldCharType"), "end")
    r.append(fc)
    last._p.append(r)
    if sect is not None:  # keep the section properties last
        body.remove(sect)
        body.append(sect)


def _style_names(doc: DocumentObject) -> set[str]:
    return {s.name for s in doc.styles}


def update_fields_on_open(doc: DocumentObject) -> None:
    settings = doc.settings.element
    el = settings.find(qn("w:updateFields"))
    if el is None:
        el = OxmlElement("w:updateFields")
        settings.append(el)
    el.set(qn("w:val"), "true")


def repeat_header(row: _Row) -> None:
    """Mark a row as a header row, repeated at the top of each page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def cant_split(row: _Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(qn("w:shd")):
        tc_pr.remove(old)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def set_widths(table: Table, widths_cm: list[float]) -> None:
    """Fixed column widths (Word and LibreOffice both honour the grid and each cell's width)."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    total = OxmlElement("w:tblW")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    total.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    total.set(qn("w:type"), "dxa")
    tbl_pr.append(total)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=False):
        col.set(qn("w:w"), str(int(w * 567)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(w)


def table_description(table: Table, title: str, description: str | None = None) -> None:
    """Alternative text for a table (w:tblCaption / w:tblDescription)."""
    tbl_pr = table._tbl.tblPr
    cap = OxmlElement("w:tblCaption")
    cap.set(qn("w:val"), title[:255])
    tbl_pr.append(cap)
    if description:
        desc = OxmlElement("w:tblDescription")
        desc.set(qn("w:val"), description[:2000])
        tbl_pr.append(desc)


def alt_text(inline_shape, title: str, description: str) -> None:
    """Alt text on a picture: docPr's title and descr, which screen readers announce."""
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("title", title)
    doc_pr.set("descr", description)


def new_section(doc: DocumentObject, landscape: bool) -> None:
    """Start a new page in the given orientation (headers and footers carry over)."""
    current = doc.sections[-1]
    want = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    w, h = current.page_width, current.page_height
    if (want == WD_ORIENT.LANDSCAPE) != (w > h):
        w, h = h, w
    section.orientation = want
    section.page_width, section.page_height = w, h


def usable_width_cm(doc: DocumentObject) -> float:
    s = doc.sections[-1]
    return (s.page_width - s.left_margin - s.right_margin) / 360000


def page_break(doc: DocumentObject) -> None:
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def keep_with_next(paragraph: Paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def font_size(paragraph: Paragraph, size: float) -> None:
    for r in paragraph.runs:
        r.font.size = Pt(size)
