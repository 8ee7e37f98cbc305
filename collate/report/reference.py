"""Build templates/report/reference.docx: the styles the report uses.

The report takes every style from this file, so the programme manager changes the look (fonts,
colours, spacing, table borders, header row shading) by editing reference.docx in Word, with no
Python. This module only makes the first version: `python -m collate.report.reference [PATH]`.

Styles the report uses: Title, Subtitle, Heading 1 to 3, Normal, List Bullet, List Bullet 2,
Caption, TOC 1, TOC 2, Header, Footer, and these of its own: Table Text, Table Heading, Note,
Sample Banner, Title Page Text, and the table style Report Table.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt, RGBColor

FONT = "Arial"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEAL = RGBColor(0x1F, 0x4E, 0x5A)
DARK = RGBColor(0x26, 0x26, 0x26)
GREY = RGBColor(0x40, 0x40, 0x40)
RED = RGBColor(0xA0, 0x00, 0x00)

TABLE_STYLE = f"""<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="ReportTable">
  <w:name w:val="Report Table"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="17"/></w:rPr>
  <w:tblPr>
    <w:tblBorders>
      <w:top w:val="single" w:sz="4" w:space="0" w:color="7F7F7F"/>
      <w:left w:val="single" w:sz="4" w:space="0" w:color="7F7F7F"/>
      <w:bottom w:val="single" w:sz="4" w:space="0" w:color="7F7F7F"/>
      <w:right w:val="single" w:sz="4" w:space="0" w:color="7F7F7F"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
      <w:insideV w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>
      <w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/></w:rPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="D6E3E7"/></w:tcPr>
  </w:tblStylePr>
</w:style>"""


def _para_style(doc, name: str, base: str = "Normal"):
    styles = doc.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        return style


def _font(
    style,
    size: float,
    bold: bool | None = None,
    color: RGBColor | None = None,
    italic: bool | None = False,
) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    if color is not None:
        style.font.color.rgb = color
    # East Asian and complex-script fonts too, or Word falls back to the theme font for them.
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
    if fonts is not None:
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(f"{{{W_NS}}}{attr}", FONT)
        for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
            fonts.attrib.pop(
                f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{attr}", None
            )


def _spacing(style, before: float = 0, after: float = 6, line: float | None = None) -> None:
    pf = style.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line:
        pf.line_spacing = line


def build_reference(path: Path) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    s = doc.styles
    _font(s["Normal"], 10.5, color=DARK)
    _spacing(s["Normal"], 0, 6, 1.15)
    _font(s["Title"], 24, True, TEAL)
    _spacing(s["Title"], 24, 12)
    title_ppr = s["Title"].element.pPr
    if title_ppr is not None:  # the default Title has a bottom border; keep the page plain
        for el in title_ppr.findall(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr"
        ):
            title_ppr.remove(el)
    _font(s["Subtitle"], 14, False, GREY)
    _spacing(s["Subtitle"], 0, 6)
    for name, size, before, after in (
        ("Heading 1", 16, 18, 8),
        ("Heading 2", 13, 14, 6),
        ("Heading 3", 11, 10, 4),
    ):
        _font(s[name], size, True, TEAL if name != "Heading 3" else DARK)
        _spacing(s[name], before, after)
        s[name].paragraph_format.keep_with_next = True
    _font(s["Caption"], 9.5, True, DARK)
    _spacing(s["Caption"], 8, 4)
    s["Caption"].paragraph_format.keep_with_next = True
    for name in ("List Bullet", "List Bullet 2"):
        _font(s[name], 10.5, color=DARK)
        _spacing(s[name], 0, 4, 1.15)
    for name, indent in (("TOC 1", 0), ("TOC 2", 0.6)):
        st = _para_style(doc, name)
        _font(st, 10.5, name == "TOC 1", DARK)
        _spacing(st, 2 if name == "TOC 1" else 0, 2)
        st.paragraph_format.left_indent = Cm(indent)
    tt = _para_style(doc, "Table Text")
    _font(tt, 8.5, color=DARK)
    _spacing(tt, 0, 0, 1.0)
    th = _para_style(doc, "Table Heading", "Table Text")
    _font(th, 8.5, True)
    _spacing(th, 0, 0, 1.0)
    note = _para_style(doc, "Note")
    _font(note, 8.5, color=GREY)
    _spacing(note, 2, 8, 1.0)
    banner = _para_style(doc, "Sample Banner")
    _font(banner, 12, True, RED)
    _spacing(banner, 6, 6)
    banner.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tp = _para_style(doc, "Title Page Text")
    _font(tp, 12, False, GREY)
    _spacing(tp, 0, 6)
    for name in ("Header", "Footer"):
        st = _para_style(doc, name)
        _font(st, 8.5, False, GREY)
    doc.styles.element.append(parse_xml(TABLE_STYLE))
    # British English for spelling and grammar checking.
    rpr = s["Normal"].element.get_or_add_rPr()
    lang = parse_xml(f'<w:lang {nsdecls("w")} w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/>')
    for old in rpr.findall(lang.tag):
        rpr.remove(old)
    rpr.append(lang)
    doc.core_properties.title = "Report reference styles"
    doc.core_properties.language = "en-GB"
    doc.add_paragraph(
        "Reference document for the diagnostic report. Its text is ignored: only its styles, "
        "page size and margins are used. Edit the styles (Home > Styles > Modify), then save.",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    from collate.settings import TEMPLATES

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES / "report" / "reference.docx"
    print(build_reference(target))
