"""The bloc chair's draft half-year report as a Word document (.docx).

Layout after Decree 30/2020/NĐ-CP, Appendix I (A4, Times New Roman, issuer and national motto
side by side, "BÁO CÁO" over the subject, "Nơi nhận" and the signer at the end), then on its own
page an appendix table of units × tasks. All fixed wording comes from a TOML template
(``config/report.vi.toml``); a key missing from a custom template keeps the default's value.
"""

from __future__ import annotations

import datetime
import io
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from bot.domain.periods import written_date
from bot.services.exports.data import ExportData, UpdateRow
from storage.records import ProgressStatus

DEFAULT_TEMPLATE = Path(str(resources.files("config") / "report.vi.toml")).resolve()

_FONT = "Times New Roman"
_BODY_PT = 14
_BODY_STYLE = "Report Body"
_PAGE_MM = (210, 297)
_MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
_TEXT_MM = _PAGE_MM[0] - _MARGINS_MM["left"] - _MARGINS_MM["right"]
# The header's two columns. "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (bold, 12 pt) sets 76 mm
# wide in Times New Roman and its metric twin Liberation Serif, but 107 mm in DejaVu Serif,
# the widest serif LibreOffice substitutes on a machine without them: in a 91 mm column it
# wrapped ("…VIỆT / NAM") and the issuer's lines ran into the motto's column. The national
# column is wide enough for any of them; the header reaches 7 mm into each margin so that
# the issuer's column keeps 70 mm ("KHỐI THI ĐUA VĂN PHÒNG – VIỆN" sets 65 mm in Times).
_NATION_MM = 109.0
_HEADER_OUT_MM = 7.0
_ISSUER_MM = _TEXT_MM + 2 * _HEADER_OUT_MM - _NATION_MM
_LANDSCAPE_FROM = 9  # tasks from which the appendix page turns landscape (and 9 pt)
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STATUSES = ("done", "in_progress", "not_started", "blocked")

Container = DocxDocument | _Cell


class ReportTemplateError(ValueError):
    """A wording template that cannot be used (wrong type, unknown placeholder)."""


class Wording:
    """The report's fixed wording: a template file laid over the default one."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    @classmethod
    def load(cls, template: Path = DEFAULT_TEMPLATE) -> Wording:
        """Read ``template``; keys it lacks fall back to :data:`DEFAULT_TEMPLATE`'s."""
        values = tomllib.loads(DEFAULT_TEMPLATE.read_text(encoding="utf-8"))
        if template.resolve() != DEFAULT_TEMPLATE:
            values = _merge(values, tomllib.loads(template.read_text(encoding="utf-8")))
        return cls(values)

    def _get(self, key: str) -> object:
        node: object = self._values
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def text(self, key: str, **values: object) -> str:
        """The text at dotted ``key`` with its ``{placeholders}`` filled from ``values``."""
        pattern = self._get(key)
        if not isinstance(pattern, str):
            raise ReportTemplateError(f"report template key {key!r} must be a string")
        try:
            return pattern.format_map(values)
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise ReportTemplateError(f"report template key {key!r}: placeholder {exc}") from exc

    def lines(self, key: str) -> list[str]:
        """The list of strings at dotted ``key``."""
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ReportTemplateError(f"report template key {key!r} must be a list of strings")
        return [str(item) for item in value]


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        old = merged.get(key)
        nested = isinstance(old, dict) and isinstance(value, dict)
        merged[key] = _merge(old, value) if nested else value  # type: ignore[arg-type]
    return merged


def render_docx(data: ExportData, template: Path = DEFAULT_TEMPLATE) -> bytes:
    """Render the draft half-year report for ``data`` as .docx bytes.

    Only the latest standing update of each unit × task (``data.latest``) is reported;
    withdrawn ones are left out. Raises :class:`ReportTemplateError` for a broken template.
    """
    words = Wording.load(template)
    doc = Document()
    _setup(doc)
    out = _Writer(doc, words)
    day, month, year = written_date(datetime.date(*reversed(data.report_date))).split("/")
    date = {"day": day, "month": month, "year": year}
    subject = words.text("title.subject", period=data.period_title, bloc=data.bloc_name)
    _heading_block(out, data, date, subject)
    rows = [row for row in data.latest.values() if not row.withdrawn]
    order = {unit.code: index for index, unit in enumerate(data.units)}
    rows.sort(key=lambda row: (order.get(row.unit.code, len(order)), row.unit.name))
    _results(out, data, rows, date)
    _movements(out, data)
    _next_period(out, data)
    _closing(out, data)
    _appendix(out, data, rows, date)
    properties = doc.core_properties
    properties.title, properties.author = f"{words.text('title.kind')} {subject}", data.bloc_name
    properties.language = "vi-VN"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _xml(tag: str, *children: BaseOxmlElement, **attributes: str) -> BaseOxmlElement:
    """A WordprocessingML element ``w:tag`` with ``w:`` attributes and children."""
    element: BaseOxmlElement = OxmlElement(f"w:{tag}")
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    element.extend(children)
    return element


def _setup(doc: DocxDocument) -> None:
    """A4 portrait, the decree's margins, Times New Roman for every script, black text."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(_PAGE_MM[0]), Mm(_PAGE_MM[1])
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
            fonts = _xml("rFonts")
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
    number._p.append(_xml("fldSimple", instr="PAGE"))


def _text_mm(text: str, size_pt: float) -> float:
    """Roughly how wide ``text`` sets in bold Times New Roman, for a rule as long as a line."""
    bases = [unicodedata.normalize("NFD", char)[:1] for char in text]
    em = sum(0.25 if c.isspace() else 0.72 if c.isupper() else 0.52 if c.isalnum() else 0.33
             for c in bases)
    return em * size_pt * 25.4 / 72


class _Writer:
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
        ppr.append(_xml("pBdr", _xml("bottom", val="single", sz="6", space="1", color="000000")))
        fmt = paragraph.paragraph_format
        fmt.left_indent = fmt.right_indent = Mm(max(width_mm - length_mm, 0) / 2)
        fmt.line_spacing = Pt(1)
        ppr.append(_xml("rPr", _xml("sz", val="2")))

    def table(self, rows: int, widths_mm: list[float], *, grid: bool = False,
              pad_mm: float | None = None, indent_mm: float = 0) -> Table:
        """A fixed-layout table with these column widths, borderless unless ``grid``;
        ``indent_mm`` moves it left of the text's edge (negative: into the margin)."""
        table: Table = self.doc.add_table(rows=rows, cols=len(widths_mm))
        if indent_mm:
            table._tbl.tblPr.insert_element_before(
                _xml("tblInd", w=str(Mm(indent_mm).twips), type="dxa"),
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
                _xml("tblCellMar", _xml("left", w=pad, type="dxa"),
                     _xml("right", w=pad, type="dxa")),
                "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
        for row in table.rows:
            row._tr.get_or_add_trPr().append(_xml("cantSplit"))
        return table


def _heading_block(out: _Writer, data: ExportData, date: dict[str, str], subject: str) -> None:
    """Issuer and national motto side by side, then "BÁO CÁO" over the subject."""
    words, widths = out.words, [_ISSUER_MM, _NATION_MM]
    table = out.table(2, widths, pad_mm=0, indent_mm=-_HEADER_OUT_MM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    out.para(left, data.ministry.upper(), size=12, center=True)
    out.para(left, data.bloc_name.upper(), size=12, bold=True, center=True)
    out.rule(left, 25, widths[0])
    out.para(right, words.text("header.nation"), size=12, bold=True, center=True)
    motto = words.text("header.motto")
    out.para(right, motto, size=13, bold=True, center=True)
    out.rule(right, _text_mm(motto, 13), widths[1])
    out.para(table.cell(1, 0), words.text("header.number"), size=13, center=True, before=6)
    out.para(table.cell(1, 1), words.text("header.date", place=data.place, **date), size=13,
             italic=True, center=True, before=6)
    out.para(out.doc, words.text("title.kind"), bold=True, center=True, before=24)
    out.para(out.doc, subject, bold=True, center=True)
    out.rule(out.doc, 45, _TEXT_MM)
    out.say("title.intro", {"year": data.year, "bloc": data.bloc_name,
                            "period": data.period_title}, before=12)


def _listed(clauses: list[str], words: Wording) -> str:
    """``A, B và C``: clauses as a sentence lists them."""
    if len(clauses) <= 1:
        return "".join(clauses)
    return ", ".join(clauses[:-1]) + words.text("results.and") + clauses[-1]


def _results(out: _Writer, data: ExportData, rows: list[UpdateRow],
             day: dict[str, str]) -> None:
    """Section I: the summary, then task by task what each unit reported, then difficulties."""
    date = f"{day['day']}/{day['month']}/{day['year']}"  # "20/11/2023", "01/7/2023"
    out.say("results.heading", bold=True, keep=True, before=12)
    counts = Counter(row.status.value for row in rows)
    if rows:
        words = out.words
        total = len(data.units) - data.unconcerned
        units = [words.text("results.units_complete", complete=data.complete, total=total)
                 if data.complete else words.text("results.units_none_complete")]
        units += [words.text(f"results.units_{kind}", **{kind: count})
                  for kind, count in (("partial", data.partial), ("silent", data.silent))
                  if count]
        states = [words.text(f"results.state_{status}", count=counts[status])
                  for status in _STATUSES if counts[status]]  # only what some item is
        out.say("results.summary", {
            "date": date, "units": _listed(units, words), "tasks": len(data.tasks),
            "reports": len(rows), "states": _listed(states, words)})
        late_tasks = [task for task in data.tasks if task.overdue]
        if late_tasks:
            out.say("results.overdue", {"tasks": "; ".join(
                out.words.text("results.overdue_item", number=task.number,
                               deadline=task.deadline) for task in late_tasks)})
        partial = [late for late in data.late if not late.silent]
        if partial:
            out.say("results.late_partial_units", {"units": "; ".join(
                out.words.text("results.late_partial", unit=late.unit.name,
                               tasks=", ".join(str(n) for n in late.missing))
                for late in partial)})
        silent = [late.unit.name for late in data.late if late.silent]
        if silent:
            out.say("results.late_silent_units", {"units": "; ".join(silent)})
        out.say("results.see_appendix")
    else:
        out.say("results.no_updates", {"date": date})
    if not data.tasks:
        out.say("results.no_tasks")
    troubled: list[tuple[int, str, str]] = []
    for task in data.tasks:
        out.say("results.task", {"number": task.number, "title": task.title}, bold=True,
                keep=True)
        if task.description:
            out.say("results.task_description", {"description": task.description},
                    italic=True)
        if task.overdue:
            out.say("results.task_overdue", {"deadline": task.deadline,
                                             "units": ", ".join(task.overdue)})
        reported = [row for row in rows if row.task.number == task.number]
        if rows and not reported:
            out.say("results.task_empty")
        for row in reported:
            out.say("results.update" if row.note.strip() else "results.update_no_note",
                    {"unit": row.unit.name, "percent": row.percent,
                     "note": sentence(row.note),
                     "status": out.words.text(f"status.{row.status.value}")})
            if row.help_needed:
                out.say("results.help", {"help": sentence(row.help_needed)}, italic=True)
        troubled += [(task.number, row.unit.name, sentence(row.help_needed or row.note))
                     for row in reported
                     if row.status is ProgressStatus.BLOCKED or row.help_needed]
    if rows:
        out.say("results.difficulties", bold=True, italic=True, keep=True)
        if not troubled:
            out.say("results.no_difficulties")
        for number, unit, help_text in troubled:
            out.say("results.difficulty", {"number": number, "unit": unit, "help": help_text,
                                           "units": unit})  # {units}: templates before 12


def _movements(out: _Writer, data: ExportData) -> None:
    """Section II: the bloc's theme and the movements its units carried on."""
    out.say("movements.heading", bold=True, keep=True, before=12)
    if data.theme:
        out.say("movements.theme", {"year": data.year, "theme": data.theme})
    out.say("movements.intro" if data.movements else "movements.none")
    for index, movement in enumerate(data.movements, start=1):
        last = index == len(data.movements)
        out.say("movements.item_last" if last else "movements.item", {"movement": movement})
    out.say("movements.exemplary", italic=True)


def _next_period(out: _Writer, data: ExportData) -> None:
    """Section III: the next period's task list, or a sentence saying it is not set yet."""
    out.say("next.heading", bold=True, keep=True, before=12)
    period = data.next_period_title or out.words.text("next.unknown_period")
    out.say("next.intro" if data.next_tasks else "next.none", {"period": period})
    for task in data.next_tasks:
        out.say("next.task_deadline" if task.deadline else "next.task",
                {"number": task.number, "title": task.title, "deadline": task.deadline})


def sentence(text: str) -> str:
    """A note as a sentence of the report: trimmed, ending with a full stop."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…:;" else text + "."


def _closing(out: _Writer, data: ExportData) -> None:
    """"Nơi nhận" bottom left, the signer's title bottom right, kept with the last line."""
    if out.doc.paragraphs:
        out.doc.paragraphs[-1].paragraph_format.keep_with_next = True
    words, table = out.words, out.table(1, [80.0, _TEXT_MM - 80.0])
    left, right = table.cell(0, 0), table.cell(0, 1)
    out.para(left, words.text("closing.recipients_heading"), size=12, bold=True, italic=True,
             before=12)
    for line in words.lines("closing.recipients"):
        out.para(left, line, size=11)
    out.para(right, words.text("closing.signer_title"), bold=True, center=True, before=12)
    if data.signer_title:
        out.para(right, data.signer_title.upper(), bold=True, center=True)
    out.para(right, words.text("closing.signer_hint"), italic=True, center=True)
    out.para(right, data.signer_name or words.text("closing.signer_name"), bold=True,
             center=True, before=72)


def _appendix(out: _Writer, data: ExportData, rows: list[UpdateRow],
              date: dict[str, str]) -> None:
    """On a new page (landscape for a long task list): the units × tasks table."""
    section = out.doc.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False
    many = len(data.tasks) >= _LANDSCAPE_FROM
    if many:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(_PAGE_MM[1]), Mm(_PAGE_MM[0])
    words, width = out.words, _TEXT_MM + (_PAGE_MM[1] - _PAGE_MM[0] if many else 0)
    out.para(out.doc, words.text("appendix.heading"), bold=True, center=True)
    out.para(out.doc, words.text("appendix.title"), bold=True, center=True)
    attached = out.para(out.doc, words.text("appendix.attached", bloc=data.bloc_name, **date),
                        size=13, italic=True, center=True)
    if attached is not None:
        attached.paragraph_format.space_after = Pt(12)
    tasks = bool(data.tasks)  # without tasks, no totals: units and their numbers only
    number_w, first, total_w = 10.0, 50.0 if tasks else width - 10.0, 20.0 if tasks else 0.0
    task_w = (width - number_w - first - total_w) / max(len(data.tasks), 1)
    widths = [number_w, first, *([task_w] * len(data.tasks)), *([total_w] if tasks else [])]
    table = out.table(len(data.units) + 1 + tasks, widths, grid=True, pad_mm=0.8)
    size = 9 if many else 11
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(_xml("tblHeader"))  # repeated on every page
    titles = [words.text("appendix.number_header"), words.text("appendix.unit_header"),
              *(words.text("appendix.task_header", number=task.number) for task in data.tasks),
              *([words.text("appendix.total_header")] if tasks else [])]
    for cell, title in zip(header.cells, titles, strict=True):
        out.para(cell, title, size=size, bold=True, center=True)
    latest = {(row.unit.code, row.task.number): row for row in rows}
    empty = words.text("appendix.cell_empty")
    for index, (unit, row) in enumerate(zip(data.units, table.rows[1:], strict=False), 1):
        out.para(row.cells[0], str(index), size=size, center=True)
        out.para(row.cells[1], unit.name, size=size)
        row.cells[0].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if not tasks:
            continue
        required = [task for task in data.tasks if task.concerns(unit.code)]
        reported = sum(1 for task in required if (unit.code, task.number) in latest)
        out.para(row.cells[-1], words.text("appendix.total_cell", reported=reported,
                                           required=len(required)), size=size, center=True)
        row.cells[-1].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        for cell, task in zip(row.cells[2:-1], data.tasks, strict=True):
            update = latest.get((unit.code, task.number))
            text = (words.text("appendix.cell_na") if not task.concerns(unit.code)
                    else empty if update is None else words.text(
                "appendix.cell", percent=update.percent,
                status=words.text(f"appendix.status.{update.status.value}")))
            out.para(cell, text, size=size, center=True)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if not tasks:
        _legend(out, words, empty)
        return
    totals = table.rows[-1]
    merged = totals.cells[0].merge(totals.cells[1])
    out.para(merged, words.text("appendix.totals_row"), size=size, bold=True)
    for cell, task in zip(totals.cells[2:-1], data.tasks, strict=True):
        concerned = [unit for unit in data.units if task.concerns(unit.code)]
        done = sum(1 for unit in concerned if (unit.code, task.number) in latest)
        out.para(cell, f"{done}/{len(concerned)}", size=size, bold=True, center=True)
    _legend(out, words, empty)


def _legend(out: _Writer, words: Wording, empty: str) -> None:
    """The appendix's key: task numbers, status marks, the empty and "not concerned" cells."""
    statuses = "; ".join(words.text("appendix.legend_item", status=words.text(f"status.{s}"),
                                    short=words.text(f"appendix.status.{s}")) for s in _STATUSES)
    out.para(out.doc, words.text("appendix.legend", statuses=statuses, empty=empty,
                                 na=words.text("appendix.cell_na")), size=12,
             italic=True, body=True)
