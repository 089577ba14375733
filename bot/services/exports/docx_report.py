"""The bloc chair's draft half-year report as a Word document (.docx).

Layout after Decree 30/2020/NĐ-CP, Appendix I (A4, Times New Roman, issuer and national motto
side by side, "BÁO CÁO" over the subject, "Nơi nhận" and the signer at the end), then on its own
page an appendix table of units × tasks. This module says what goes where, section by section;
the page and the python-docx writing are in :mod:`bot.services.exports.docx_writer`, and all
fixed wording comes from a TOML template (``config/report.vi.toml``) read by
:mod:`bot.services.exports.docx_wording`, where a key missing from a custom template keeps the
default's value.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.shared import Mm, Pt

from bot.domain.periods import written_date
from bot.services.exports.data import ExportData, UpdateRow
from bot.services.exports.docx_wording import DEFAULT_TEMPLATE, ReportTemplateError, Wording
from bot.services.exports.docx_writer import (
    PAGE_MM,
    TEXT_MM,
    Writer,
    fitting_size,
    new_writer,
    saved,
    text_mm,
    xml_element,
)
from storage.records import ProgressStatus

# render_docx's default template and its error, so that callers import them with it
__all__ = ["DEFAULT_TEMPLATE", "ReportTemplateError", "closing", "movements", "render_docx",
           "results", "sentence", "standing_rows"]

# The header's two columns. "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (bold, 12 pt) sets 76 mm
# wide in Times New Roman and its metric twin Liberation Serif, but 107 mm in DejaVu Serif,
# the widest serif LibreOffice substitutes on a machine without them: in a 91 mm column it
# wrapped ("…VIỆT / NAM") and the issuer's lines ran into the motto's column. The national
# column is wide enough for any of them; the header reaches 7 mm into each margin so that
# the issuer's column keeps 70 mm ("KHỐI THI ĐUA VĂN PHÒNG – VIỆN" sets 65 mm in Times).
_NATION_MM = 109.0
_HEADER_OUT_MM = 7.0
_ISSUER_MM = TEXT_MM + 2 * _HEADER_OUT_MM - _NATION_MM
_LANDSCAPE_FROM = 9  # tasks from which the appendix page turns landscape (and 9 pt)
_STATUSES = ("done", "in_progress", "not_started", "blocked")


def render_docx(data: ExportData, template: Path = DEFAULT_TEMPLATE) -> bytes:
    """Render the draft half-year report for ``data`` as .docx bytes.

    Only the latest standing update of each unit × task (``data.latest``) is reported;
    withdrawn ones are left out. Raises :class:`ReportTemplateError` for a broken template.
    """
    out = new_writer(template)
    words = out.words
    day, month, year = written_date(datetime.date(*reversed(data.report_date))).split("/")
    date = {"day": day, "month": month, "year": year}
    subject = words.text("title.subject", period=data.period_title, bloc=data.bloc_name)
    _heading_block(out, data, date, subject)
    rows = standing_rows(data)
    results(out, data, rows, date)
    _movements(out, data)
    _next_period(out, data)
    closing(out, data.signer_name, data.signer_title)
    _appendix(out, data, rows, date)
    return saved(out, f"{words.text('title.kind')} {subject}", data.bloc_name)


def _heading_block(out: Writer, data: ExportData, date: dict[str, str], subject: str) -> None:
    """Issuer and national motto side by side, then "BÁO CÁO" over the subject."""
    words, widths = out.words, [_ISSUER_MM, _NATION_MM]
    table = out.table(2, widths, pad_mm=0, indent_mm=-_HEADER_OUT_MM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    out.para(left, data.ministry.upper(), size=12, center=True)
    out.para(left, data.bloc_name.upper(), bold=True, center=True,
             size=fitting_size(data.bloc_name.upper(), widths[0], 12))
    out.rule(left, 25, widths[0])
    out.para(right, words.text("header.nation"), size=12, bold=True, center=True)
    motto = words.text("header.motto")
    out.para(right, motto, size=13, bold=True, center=True)
    out.rule(right, text_mm(motto, 13), widths[1])
    out.para(table.cell(1, 0), words.text("header.number"), size=13, center=True, before=6)
    out.para(table.cell(1, 1), words.text("header.date", place=data.place, **date), size=13,
             italic=True, center=True, before=6)
    out.para(out.doc, words.text("title.kind"), bold=True, center=True, before=24)
    out.para(out.doc, subject, bold=True, center=True)
    out.rule(out.doc, 45, TEXT_MM)
    out.say("title.intro", {"year": data.year, "bloc": data.bloc_name,
                            "period": data.period_title}, before=12)


def _listed(clauses: list[str], words: Wording) -> str:
    """``A, B và C``: clauses as a sentence lists them."""
    if len(clauses) <= 1:
        return "".join(clauses)
    return ", ".join(clauses[:-1]) + words.text("results.and") + clauses[-1]


def standing_rows(data: ExportData) -> list[UpdateRow]:
    """The units' standing reports (withdrawn ones left out), in the bloc's order of units."""
    rows = [row for row in data.latest.values() if not row.withdrawn]
    order = {unit.code: index for index, unit in enumerate(data.units)}
    rows.sort(key=lambda row: (order.get(row.unit.code, len(order)), row.unit.name))
    return rows


def results(out: Writer, data: ExportData, rows: list[UpdateRow], day: dict[str, str], *,
            heading: bool = True) -> None:
    """Section I: the summary, then task by task what each unit reported, then difficulties
    (the year report gives each period's under its own heading)."""
    date = f"{day['day']}/{day['month']}/{day['year']}"  # "20/11/2023", "01/7/2023"
    if heading:
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


def _movements(out: Writer, data: ExportData) -> None:
    """Section II: the bloc's theme and the movements its units carried on."""
    movements(out, "movements.heading", data.year, data.theme, data.movements, data.exemplary)


def movements(out: Writer, heading: str, year: int, theme: str | None,
              carried: Sequence[str], exemplary: Sequence[str], *,
              intro: str = "movements.intro", none: str = "movements.none") -> None:
    """The theme, the movements carried on, and the exemplary collectives and people the
    units nominated (or the line for the chair to fill in): the half-year's section II and
    the year-end report's."""
    out.say(heading, bold=True, keep=True, before=12)
    if theme:
        out.say("movements.theme", {"year": year, "theme": theme})
    out.say(intro if carried else none)
    for index, movement in enumerate(carried, start=1):
        last = index == len(carried)
        out.say("movements.item_last" if last else "movements.item", {"movement": movement})
    if not exemplary:
        out.say("movements.exemplary", italic=True)
        return
    out.say("movements.exemplary_intro")
    for line in exemplary:
        out.say("movements.exemplary_item", {"text": line})


def _next_period(out: Writer, data: ExportData) -> None:
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


def closing(out: Writer, signer_name: str | None, signer_title: str | None) -> None:
    """"Nơi nhận" bottom left, the signer's title bottom right, kept with the last line."""
    if out.doc.paragraphs:
        out.doc.paragraphs[-1].paragraph_format.keep_with_next = True
    words, table = out.words, out.table(1, [80.0, TEXT_MM - 80.0])
    left, right = table.cell(0, 0), table.cell(0, 1)
    out.para(left, words.text("closing.recipients_heading"), size=12, bold=True, italic=True,
             before=12)
    for line in words.lines("closing.recipients"):
        out.para(left, line, size=11)
    out.para(right, words.text("closing.signer_title"), bold=True, center=True, before=12)
    if signer_title:
        out.para(right, signer_title.upper(), bold=True, center=True)
    out.para(right, words.text("closing.signer_hint"), italic=True, center=True)
    out.para(right, signer_name or words.text("closing.signer_name"), bold=True,
             center=True, before=72)


def _appendix(out: Writer, data: ExportData, rows: list[UpdateRow],
              date: dict[str, str]) -> None:
    """On a new page (landscape for a long task list): the units × tasks table."""
    section = out.doc.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False
    many = len(data.tasks) >= _LANDSCAPE_FROM
    if many:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(PAGE_MM[1]), Mm(PAGE_MM[0])
    words, width = out.words, TEXT_MM + (PAGE_MM[1] - PAGE_MM[0] if many else 0)
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
    header._tr.get_or_add_trPr().append(xml_element("tblHeader"))  # repeated on every page
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


def _legend(out: Writer, words: Wording, empty: str) -> None:
    """The appendix's key: task numbers, status marks, the empty and "not concerned" cells."""
    statuses = "; ".join(words.text("appendix.legend_item", status=words.text(f"status.{s}"),
                                    short=words.text(f"appendix.status.{s}")) for s in _STATUSES)
    out.para(out.doc, words.text("appendix.legend", statuses=statuses, empty=empty,
                                 na=words.text("appendix.cell_na")), size=12,
             italic=True, body=True)
