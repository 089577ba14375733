"""The draft report's page and the python-docx pieces its Word document is written with.

:func:`setup_document` sets the page after Decree 30/2020/NĐ-CP (A4 portrait, its margins,
Times New Roman for every script, black 14 pt text, page numbers from page 2 on) and adds the
justified body paragraph style. :class:`Writer` then adds paragraphs, horizontal rules and
fixed-layout tables, in the template's words (:class:`~bot.services.exports.docx_wording.Wording`).
What python-docx has no API for is written as raw WordprocessingML (:func:`xml_element`).
Nothing here knows what the report says: that is :mod:`bot.services.exports.docx_report`.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from bot.services.exports.docx_wording import DEFAULT_TEMPLATE, Wording

_FONT = "Times New Roman"
_BODY_PT = 14
_BODY_STYLE = "Report Body"
PAGE_MM = (210, 297)
_MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_MM = PAGE_MM[0] - _MARGINS_MM["left"] - _MARGINS_MM["right"]
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Container = DocxDocument | _Cell


def xml_element(tag: str, *children: BaseOxmlElement, **attributes: str) -> BaseOxmlElement:
    """A WordprocessingML element ``w:tag`` with ``w:`` attributes and children."""
    element: BaseOxmlElement = OxmlElement(f"w:{tag}")
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    element.extend(children)
    return element


def setup_document(doc: DocxDocument) -> None:
    """A4 portrait, the decree's margins, Times New Roman for every script, black text."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.orientation = WD_ORIENT.PORTRAIT
    for side, mm in _MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.header_distance = section.footer_distance = Mm(10)
    normal = doc.styles["Normal"]
    normal.font.size, normal.font.color.rgb = Pt(_BODY_PT), RGBColor(0, 0, 0)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_props = [*defaults.iter(qn("w:rPr")), normal.element.get_or_add_rPr()]
    for rpr in run_props:  # explicit names, no theme fonts: Vietnamese stays in Times
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = xml_element("rFonts")
            rpr.insert(0, fonts)
        fonts.attrib.clear()
        for script in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{script}"), _FONT)
        for lang in rpr.iter(qn("w:lang")):
            lang.set(qn("w:val"), "vi-VN")
    for spacing in defaults.iter(qn("w:spacing")):
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
    body = doc.styles.add_style(_BODY_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    fmt = body.paragraph_format
    fmt.alignment, fmt.first_line_indent = WD_ALIGN_PARAGRAPH.JUSTIFY, Cm(1.27)
    fmt.line_spacing, fmt.space_before, fmt.space_after = 1.2, Pt(6), Pt(0)
    section.different_first_page_header_footer = True  # page numbers from page 2 on
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number._p.append(xml_element("fldSimple", instr="PAGE"))


def text_mm(text: str, size_pt: float) -> float:
    """Roughly how wide ``text`` sets in bold Times New Roman, for a rule as long as a line."""
    bases = [unicodedata.normalize("NFD", char)[:1] for char in text]
    em = sum(0.25 if c.isspace() else 0.72 if c.isupper() else 0.52 if c.isalnum() else 0.33
             for c in bases)
    return em * size_pt * 25.4 / 72


def fitting_size(text: str, width_mm: float, size_pt: float, *, smallest: float = 10) -> float:
    """``size_pt``, or the size (by half points, not below ``smallest``) at which ``text``
    keeps to one line ``width_mm`` wide: a header's bloc name ("KHỐI THI ĐUA VĂN PHÒNG –
    VIỆN" sets about 75 mm at 12 pt in its 70 mm column and wrapped)."""
    size = size_pt
    while size > smallest and text_mm(text, size) > width_mm:
        size -= 0.5
    return size


class Writer:
    """Adds paragraphs, rules and tables to the document in the template's words."""

    def __init__(self, doc: DocxDocument, words: Wording) -> None:
        self.doc, self.words = doc, words

    def para(self, where: Container, text: str, *, size: float = _BODY_PT, bold: bool = False,
             italic: bool = False, center: bool = False, body: bool = False, before: float = 0,
             keep: bool = False) -> Paragraph | None:
        """One paragraph in one run; an empty ``text`` (a line the template drops) adds none.

        The text goes in as given, less the control characters XML cannot hold.
        """
        if not text:
            return None
        paragraph = self._new(where)
        if body:
            paragraph.style = _BODY_STYLE
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = paragraph.paragraph_format
        fmt.space_before, fmt.keep_with_next = (Pt(before) if before else None), keep or None
        clean = _BAD_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        run = paragraph.add_run(clean)
        run.font.size, run.font.bold, run.font.italic = Pt(size), bold or None, italic or None
        return paragraph

    def say(self, key: str, values: Mapping[str, object] | None = None, *, bold: bool = False,
            italic: bool = False, keep: bool = False, before: float = 0) -> None:
        """A body paragraph with the template's text at ``key``."""
        text = self.words.text(key, **(values or {}))
        self.para(self.doc, text, body=True, bold=bold, italic=italic, keep=keep, before=before)

    @staticmethod
    def _new(where: Container) -> Paragraph:
        """A new paragraph; a fresh table cell's own empty paragraph is used first."""
        if isinstance(where, _Cell):
            first: list[Paragraph] = where.paragraphs
            if len(first) == 1 and not first[0].runs and first[0]._p.pPr is None:
                return first[0]
        paragraph: Paragraph = where.add_paragraph()
        return paragraph

    def rule(self, where: Container, length_mm: float, width_mm: float) -> None:
        """A centred horizontal line ``length_mm`` long: an empty paragraph's bottom border."""
        paragraph = self._new(where)
        ppr = paragraph._p.get_or_add_pPr()
        border = xml_element("bottom", val="single", sz="6", space="1", color="000000")
        ppr.append(xml_element("pBdr", border))
        fmt = paragraph.paragraph_format
        fmt.left_indent = fmt.right_indent = Mm(max(width_mm - length_mm, 0) / 2)
        fmt.line_spacing = Pt(1)
        ppr.append(xml_element("rPr", xml_element("sz", val="2")))

    def table(self, rows: int, widths_mm: list[float], *, grid: bool = False,
              pad_mm: float | None = None, indent_mm: float = 0) -> Table:
        """A fixed-layout table with these column widths, borderless unless ``grid``;
        ``indent_mm`` moves it left of the text's edge (negative: into the margin)."""
        table: Table = self.doc.add_table(rows=rows, cols=len(widths_mm))
        if indent_mm:
            table._tbl.tblPr.insert_element_before(
                xml_element("tblInd", w=str(Mm(indent_mm).twips), type="dxa"),
                "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                "w:tblCaption", "w:tblDescription", "w:tblPrChange")
        if grid:
            table.style = self.doc.styles["Table Grid"]
        table.autofit = False
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
            for cell in column.cells:
                cell.width = Mm(width)
        if pad_mm is not None:
            pad = str(Mm(pad_mm).twips)
            table._tbl.tblPr.insert_element_before(
                xml_element("tblCellMar", xml_element("left", w=pad, type="dxa"),
                            xml_element("right", w=pad, type="dxa")),
                "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
        for row in table.rows:
            row._tr.get_or_add_trPr().append(xml_element("cantSplit"))
        return table


def new_writer(template: Path = DEFAULT_TEMPLATE) -> Writer:
    """A blank A4 document set up as the decree asks, and its writer in ``template``'s
    words (every document of the bloc's begins so)."""
    doc = Document()
    setup_document(doc)
    return Writer(doc, Wording.load(template))


def saved(out: Writer, title: str, author: str) -> bytes:
    """The document as .docx bytes, titled and authored in its properties (Vietnamese)."""
    properties = out.doc.core_properties
    properties.title, properties.author, properties.language = title, author, "vi-VN"
    buffer = io.BytesIO()
    out.doc.save(buffer)
    return buffer.getvalue()
