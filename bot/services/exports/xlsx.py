"""The chair's Excel workbook and CSV of a bloc-period export.

:func:`render_xlsx` builds four sheets from an :class:`~bot.services.exports.data.ExportData`:

1. *matrix*: a three-line title block (bloc, period, export time), then units down (short
   names) and tasks across ("NV1"…); each cell reads "Đang thực hiện 60%" ("—" with no
   update) on the status colour of :data:`bot.services.heatmap.STATUS_COLOURS`, so it matches the
   heat map. The header row and the unit column are frozen (panes at ``B5``). Full task
   titles are comments on the "NV…" header cells and, so that they also print, a task list
   under the matrix.
2. *updates*: one row per stored version, oldest first (withdrawn ones in grey italics);
   units by short name; header frozen and autofiltered.
3. *late*: units with no update ("Tất cả đơn vị đã báo cáo" when none is late).
4. *attendance*: answers to conference invitations, units by short name, then the liaison.
An empty table gets a "Chưa có dữ liệu" row under its header.

Columns are as wide as their longest line (capped: 40, notes and help 60); rows with wrapped
text are made tall enough for it, since viewers do not reliably do so on opening. Bloc, period
and export time are also the workbook's document properties. :func:`render_csv`
writes the updates sheet's columns and values as UTF-8 with a BOM and CRLF line ends, so that
Excel opens Vietnamese correctly; it has no "no data" row, only the header.

Text is written as text: a note starting with "=" stays a string, never a formula. In the
workbook, two things XML or Excel cannot hold are changed: control characters other than tab,
LF and CR are dropped, and a value longer than Excel's 32 767 characters is cut there. The CSV
keeps every value exactly as given (so Excel, opening it, may still evaluate "=…").

Headings come from ``data.labels`` (the ``[export]`` catalog section); a missing key falls
back to the Vietnamese default in :data:`DEFAULT_LABELS`. The keys: ``sheet_matrix``,
``sheet_updates``, ``sheet_late``, ``sheet_attendance``; column headings ``unit``,
``short_name``, ``task``, ``task_title``, ``status``, ``percent``, ``note``, ``help``,
``author``, ``time``, ``version``, ``withdrawn``, ``on_behalf``, ``attachments``,
``contacts``, ``conference``, ``when``, ``answer``, ``attendee``; values and captions ``yes``
("Có"), ``no`` ("—"), ``no_update`` ("—"), ``no_data``, ``all_reported``, ``generated``
("Xuất lúc"), ``task_prefix`` ("NV"), ``deadline`` ("Hạn"), ``tasks_heading``.

Cells are written, and tables sized, by :mod:`bot.services.exports.worksheet`. Rendering keeps no
global state and may run in a worker thread.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from copy import copy
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from bot.services.exports.data import ExportData, UpdateRow
from bot.services.exports.worksheet import (
    BOLD,
    CENTRE,
    GREY,
    ITALIC,
    Value,
    clean,
    finish_table,
    fit_widths,
    new_sheet,
    put,
    put_row,
)
from bot.services.heatmap import (
    NOT_APPLICABLE,
    OVERDUE_EDGE,
    SILENT,
    STATUS_COLOURS,
    text_colour,
)

__all__ = [
    "DEFAULT_LABELS", "MATRIX_HEADER_ROW", "UPDATE_COLUMNS", "render_csv", "render_xlsx",
    "update_values",
]

DEFAULT_LABELS: Mapping[str, str] = MappingProxyType({
    "sheet_matrix": "Tổng hợp", "sheet_updates": "Báo cáo", "sheet_late": "Chưa báo cáo",
    "sheet_attendance": "Tham dự hội nghị",
    "unit": "Đơn vị", "short_name": "Tên viết tắt", "task": "Nhiệm vụ",
    "task_title": "Nội dung nhiệm vụ", "status": "Tình trạng", "percent": "Tỷ lệ (%)",
    "note": "Kết quả", "help": "Khó khăn, vướng mắc; đề xuất, kiến nghị",
    "author": "Người báo cáo",
    "time": "Thời gian", "version": "Phiên bản", "withdrawn": "Đã rút lại",
    "on_behalf": "Báo cáo thay", "attachments": "Tệp đính kèm", "contacts": "Đầu mối",
    "conference": "Hội nghị", "when": "Thời gian", "answer": "Trả lời",
    "attendee": "Người tham dự", "yes": "Có", "no": "—", "no_update": "—",
    "no_data": "Chưa có dữ liệu", "all_reported": "Tất cả đơn vị đã báo cáo đủ",
    "generated": "Xuất lúc", "task_prefix": "NV", "deadline": "Hạn",
    "tasks_heading": "Danh sách nhiệm vụ", "reported_of": "Đã báo cáo",
    "missing_tasks": "Nhiệm vụ còn thiếu", "none_reported": "chưa báo cáo nhiệm vụ nào",
    "overdue": "quá hạn", "not_applicable": "Không áp dụng", "latest": "Bản mới nhất",
    "no_word": "Không", "legend": "Chú thích", "silent": "Chưa báo cáo",
    "totals": "Số đơn vị đã báo cáo",
    "reported_units": "Đã báo cáo", "past": "đã diễn ra", "answers": "Tổng hợp trả lời",
    "status_done": "Hoàn thành", "status_in_progress": "Đang thực hiện",
    "status_blocked": "Gặp khó khăn", "status_not_started": "Chưa bắt đầu",
})
# The updates sheet's (and the CSV's) columns, as label keys, in order.
UPDATE_COLUMNS = (
    "unit", "task", "task_title", "status", "percent", "note", "help", "author", "time",
    "version", "withdrawn", "on_behalf", "attachments", "latest",
)
EXCEL_TIME = "DD/MM/YYYY HH:MM"  # how a report's time shows (a real date: it sorts and filters)
MATRIX_HEADER_ROW = 4  # under the title block (bloc, period, export time)
_NOTE_WIDTH = 60  # the notes and help columns may be wider than the others (40)


def _label(data: ExportData, key: str) -> str:
    """The caller's label for ``key``, else the Vietnamese default."""
    return data.labels.get(key) or DEFAULT_LABELS[key]


_OVERDUE_SIDE = Side(style="thick", color="FF" + OVERDUE_EDGE[1:])
_OVERDUE_BORDER = Border(left=_OVERDUE_SIDE, right=_OVERDUE_SIDE, top=_OVERDUE_SIDE,
                         bottom=_OVERDUE_SIDE)


def _sheet(wb: Any, data: ExportData, key: str, headers: Sequence[str]) -> Any:
    """A new sheet titled by the label ``key`` (its default if none of it is a safe title)."""
    return new_sheet(wb, _label(data, key), DEFAULT_LABELS[key], headers)


def update_values(data: ExportData, row: UpdateRow) -> list[Value]:
    """One update as the cells of the updates sheet (and the fields of the CSV)."""
    yes, no = _label(data, "yes"), _label(data, "no")
    return [
        row.unit.short_name, row.task.number, row.task.title, row.status_label, row.percent,
        row.note, row.help_needed, row.author, row.time, row.version,
        yes if row.withdrawn else no, yes if row.on_behalf else no, "; ".join(row.attachments),
        yes if row.standing else _label(data, "no_word"),
    ]


def _matrix(wb: Any, data: ExportData) -> None:
    """Units × tasks, coloured by status, under a title block."""
    ws = _sheet(wb, data, "sheet_matrix", ())
    put(ws, 1, 1, data.bloc_name, Font(bold=True, size=14))
    put(ws, 2, 1, f"{data.period_title} — {data.scope}" if data.scope else data.period_title,
        BOLD)
    put(ws, 3, 1, f"{_label(data, 'generated')}: {data.generated_at}", ITALIC)
    top = MATRIX_HEADER_ROW
    prefix, deadline = _label(data, "task_prefix"), _label(data, "deadline")
    put(ws, top, 1, _label(data, "unit"), BOLD)
    for col, task in enumerate(data.tasks, start=2):
        head = put(ws, top, col, f"{prefix}{task.number}", BOLD)
        head.alignment = CENTRE
        tip = task.title + (f"\n{deadline}: {task.deadline}" if task.deadline else "")
        head.comment = Comment(clean(tip), "thidua-bot", width=320, height=120)
    no_update, overdue = _label(data, "no_update"), _label(data, "overdue")
    for r, unit in enumerate(data.units, start=top + 1):
        put(ws, r, 1, unit.short_name, BOLD)
        for col, task in enumerate(data.tasks, start=2):
            latest = data.latest.get((unit.code, task.number))
            if not task.concerns(unit.code):
                text, face = _label(data, "not_applicable"), STATUS_COLOURS[NOT_APPLICABLE]
            elif latest is None:
                text, face = no_update, STATUS_COLOURS[SILENT]
            else:
                text = f"{latest.status_label} {latest.percent}%"
                face = STATUS_COLOURS[latest.status.value]
            late = unit.name in task.overdue
            if late:
                text = f"{text} ({overdue})"
            cell = put(ws, r, col, text, Font(color="FF" + text_colour(face)[1:], bold=late))
            cell.fill = PatternFill("solid", fgColor="FF" + face[1:].upper())
            cell.alignment = CENTRE
            if late:
                cell.border = _OVERDUE_BORDER
    if data.units and data.tasks:
        _totals(ws, data, top)
    if not data.units or not data.tasks:
        put(ws, top + 1, 2 if data.units else 1, _label(data, "no_data"), ITALIC)
    ws.freeze_panes = ws.cell(row=top + 1, column=2).coordinate
    fit_widths(ws, top)
    if data.tasks:  # printable titles, below and outside the sized area
        heading = ws.max_row + 2
        put(ws, heading, 1, _label(data, "tasks_heading"), BOLD)
        for r, task in enumerate(data.tasks, start=heading + 1):
            put(ws, r, 1, f"{prefix}{task.number}", BOLD)
            extra = f" ({deadline}: {task.deadline})" if task.deadline else ""
            if task.overdue:
                extra += f" — {overdue}: {'; '.join(task.overdue)}"
            if task.description:
                extra += f"\n{task.description}"
            put(ws, r, 2, task.title + extra)
        _legend(ws, data, ws.max_row + 2)
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = f"{top}:{top}"
    ws.print_title_cols = "A:A"


def _totals(ws: Any, data: ExportData, top: int) -> None:
    """Each unit's "n/m" after its row, each task's "k/n units" under its column."""
    reported_col, totals_row = len(data.tasks) + 2, top + len(data.units) + 1
    put(ws, top, reported_col, _label(data, "reported_units"), BOLD).alignment = CENTRE
    for r, unit in enumerate(data.units, start=top + 1):
        required = [task for task in data.tasks if task.concerns(unit.code)]
        done = sum(1 for task in required if (unit.code, task.number) in data.latest)
        put(ws, r, reported_col, f"{done}/{len(required)}", BOLD).alignment = CENTRE
    put(ws, totals_row, 1, _label(data, "totals"), BOLD)
    for col, task in enumerate(data.tasks, start=2):
        concerned = [unit for unit in data.units if task.concerns(unit.code)]
        done = sum(1 for unit in concerned if (unit.code, task.number) in data.latest)
        put(ws, totals_row, col, f"{done}/{len(concerned)}", BOLD).alignment = CENTRE


def _legend(ws: Any, data: ExportData, top: int) -> None:
    """What the matrix's colours and frames mean, below the task list."""
    put(ws, top, 1, _label(data, "legend"), BOLD)
    keys = [("done", "status_done"), ("in_progress", "status_in_progress"),
            ("blocked", "status_blocked"), ("not_started", "status_not_started"),
            (SILENT, "silent"), (NOT_APPLICABLE, "not_applicable")]
    for r, (colour, label) in enumerate(keys, start=top + 1):
        face = STATUS_COLOURS[colour]
        swatch = put(ws, r, 1, " ")
        swatch.fill = PatternFill("solid", fgColor="FF" + face[1:].upper())
        put(ws, r, 2, _label(data, label))
    overdue = put(ws, top + len(keys) + 1, 1, " ")
    overdue.border = _OVERDUE_BORDER
    put(ws, top + len(keys) + 1, 2, _label(data, "overdue"))


def _updates(wb: Any, data: ExportData) -> None:
    """Every stored version, whole notes wrapped, header autofiltered."""
    headers = [_label(data, key) for key in UPDATE_COLUMNS]
    ws = _sheet(wb, data, "sheet_updates", headers)
    styles: dict[int, Any] = {}
    when = UPDATE_COLUMNS.index("time") + 1
    timed: dict[int, Any] = {}  # font id → the style of a time cell in that font
    for r, row in enumerate(data.updates, start=2):
        font = None if row.standing else GREY  # superseded and withdrawn versions greyed
        put_row(ws, r, update_values(data, row), font, styles)
        if row.at is not None:  # a real date and time, not text: it sorts and filters
            cell = ws.cell(row=r, column=when)
            cell.value = row.at
            if (key := id(font)) not in timed:
                cell.number_format = EXCEL_TIME
                timed[key] = copy(cell._style)
            else:
                cell._style = copy(timed[key])
    note = UPDATE_COLUMNS.index("note") + 1
    finish_table(ws, _label(data, "no_data"), {note: _NOTE_WIDTH, note + 1: _NOTE_WIDTH})
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{ws.max_row}"


def _late(wb: Any, data: ExportData) -> None:
    """Units still owing a report on some task (partial ones too): how many they sent of how
    many, the tasks they lack, and who reports for them."""
    keys = ("unit", "short_name", "reported_of", "missing_tasks", "contacts")
    ws = _sheet(wb, data, "sheet_late", [_label(data, key) for key in keys])
    prefix = _label(data, "task_prefix")
    for r, late in enumerate(data.late, start=2):
        missing = (_label(data, "none_reported") if late.silent
                   else ", ".join(f"{prefix}{number}" for number in late.missing))
        put_row(ws, r, [late.unit.name, late.unit.short_name,
                        f"{late.reported}/{late.required}", missing, "; ".join(late.contacts)])
    empty = "all_reported" if data.units and data.updates else "no_data"
    finish_table(ws, _label(data, empty))


def _attendance(wb: Any, data: ExportData) -> None:
    """Who comes to which conference."""
    keys = ("conference", "when", "unit", "answer", "attendee")
    ws = _sheet(wb, data, "sheet_attendance", [_label(data, key) for key in keys])
    past = _label(data, "past")
    for r, a in enumerate(data.attendance, start=2):
        when = f"{a.when} ({past})" if a.past else a.when
        put_row(ws, r, [a.conference, when, a.who, a.answer, a.attendee],
                GREY if a.past else None)
    counts: dict[str, Counter[str]] = {}
    for a in data.attendance:
        if a.unit:  # how many units: the liaison's own answer is listed, not counted
            counts.setdefault(a.conference, Counter())[a.answer] += 1
    if counts:  # how many units answered what, per conference
        heading = ws.max_row + 2
        put(ws, heading, 1, _label(data, "answers"), BOLD)
        for r, (conference, answers) in enumerate(counts.items(), start=heading + 1):
            put(ws, r, 1, conference)
            put(ws, r, 4, "; ".join(f"{answer}: {count}" for answer, count in answers.items()))
    finish_table(ws, _label(data, "no_data"))


def render_xlsx(data: ExportData) -> bytes:
    """The export as an .xlsx workbook: matrix, updates, late units, attendance."""
    wb = Workbook()
    wb.remove(wb.active)
    for build in (_matrix, _updates, _late, _attendance):
        build(wb, data)
    props = wb.properties
    props.title = clean(f"{data.bloc_name} – {data.period_title}")
    props.subject = clean(data.theme or data.period_title)
    props.description = clean(f"{_label(data, 'generated')}: {data.generated_at}")
    props.creator = props.lastModifiedBy = "thidua-bot"
    props.keywords = clean(f"{data.ministry}; {data.period_code}; {data.year}")
    props.language = "vi-VN"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render_ministry(blocs: Sequence[ExportData], summary: Sequence[Sequence[Value]],
                   headers: Sequence[str], title: str) -> bytes:
    """The ministry's workbook (the liaison's ``/xuat``): a summary sheet, one row per bloc,
    then each bloc's matrix on a sheet named for the bloc."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, title, "Summary", headers)
    styles: dict[int, Any] = {}
    for row, values in enumerate(summary, start=2):
        put_row(ws, row, values, styles=styles)
    finish_table(ws, _label(blocs[0], "no_data") if blocs else DEFAULT_LABELS["no_data"])
    for data in blocs:
        _matrix(wb, replace(data, labels={**data.labels, "sheet_matrix": data.bloc_name}))
    props = wb.properties
    props.title, props.creator, props.language = clean(title), "thidua-bot", "vi-VN"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render_csv(data: ExportData) -> bytes:
    """Every update, the updates sheet's columns, as UTF-8 with a BOM and CRLF line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_label(data, key) for key in UPDATE_COLUMNS])
    for row in data.updates:
        writer.writerow(["" if v is None else v for v in update_values(data, row)])
    return out.getvalue().encode("utf-8-sig")
