"""The draft report's test data and readers, shared by the tests/test_export_docx*.py files.

A bloc of thirteen real unit names, :func:`export` to build an
:class:`~bot.services.exports.data.ExportData` as the builder would, :func:`big_export` for a
full-size period, and :func:`read` to render a report and read it back with python-docx.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.table import Table

from bot.services.exports.data import ExportData, LateUnit, TaskRow, UnitRow, UpdateRow
from bot.services.exports.docx_report import DEFAULT_TEMPLATE, render_docx
from storage.records import ProgressStatus

UNIT_NAMES = [
    ("HVKHCN", "Học viện Khoa học, Công nghệ và Đổi mới sáng tạo", "Học viện KHCN&ĐMST"),
    ("NLNT", "Viện Năng lượng nguyên tử Việt Nam", "Viện NLNTVN"),
    ("UDCN", "Viện Ứng dụng công nghệ", "Viện ƯDCN"),
    ("NCPTV", "Viện Nghiên cứu và Phát triển Vùng", "Viện NC&PT Vùng"),
    ("DGKH", "Viện Đánh giá khoa học và Định giá công nghệ", "Viện ĐGKH&ĐGCN"),
    ("SHTT", "Viện Khoa học sở hữu trí tuệ", "Viện KHSHTT"),
    ("NCSC", "Viện Nghiên cứu sáng chế và Khai thác công nghệ", "Viện NCSC&KTCN"),
    ("HNQT", "Trung tâm Nghiên cứu và Phát triển hội nhập khoa học và công nghệ quốc tế",
     "Trung tâm HNQT"),
    ("CTTD", "Văn phòng các Chương trình trọng điểm cấp nhà nước", "VP Chương trình trọng điểm"),
    ("CTQG", "Văn phòng các Chương trình khoa học và công nghệ quốc gia", "VP Chương trình QG"),
    ("CNCL", "Văn phòng Công nhận Chất lượng", "VP Công nhận Chất lượng"),
    ("DKHD", "Văn phòng Đăng ký hoạt động khoa học và công nghệ", "VP Đăng ký hoạt động"),
    ("UBVT", "Văn phòng Ủy ban Vũ trụ Việt Nam", "VP Ủy ban Vũ trụ"),
]
UNITS = tuple(UnitRow(code, name, short) for code, name, short in UNIT_NAMES)
STATUS_WORD = {
    ProgressStatus.NOT_STARTED: "chưa bắt đầu",
    ProgressStatus.IN_PROGRESS: "đang thực hiện",
    ProgressStatus.DONE: "hoàn thành",
    ProgressStatus.BLOCKED: "gặp khó khăn",
}
HEADINGS = (
    "I. KẾT QUẢ THỰC HIỆN",
    "II. CÁC PHONG TRÀO THI ĐUA VÀ ĐIỂN HÌNH",
    "III. PHƯƠNG HƯỚNG KỲ TỚI",
)
MOVEMENTS = (
    "Khoa học và Công nghệ đồng hành cùng doanh nghiệp",
    "Cả nước chung tay vì người nghèo",
)


def update(unit: UnitRow, task: TaskRow, status: ProgressStatus, percent: int, note: str, *,
           help_needed: str | None = None, version: int = 1,
           withdrawn: bool = False) -> UpdateRow:
    """One stored version of a unit's report."""
    return UpdateRow(unit=unit, task=task, status=status, status_label=status.value,
                     percent=percent, note=note, help_needed=help_needed, author="Nguyễn Văn A",
                     time=f"09:{version:02d} 0{version}/12/2023", version=version,
                     withdrawn=withdrawn, on_behalf=False, attachments=())


def export(units: tuple[UnitRow, ...], tasks: tuple[TaskRow, ...],
           updates: tuple[UpdateRow, ...] = (), **changes: object) -> ExportData:
    """An ExportData with ``latest`` and ``late`` derived from ``updates`` as the builder does."""
    latest: dict[tuple[str, int], UpdateRow] = {}
    for row in updates:
        key = (row.unit.code, row.task.number)
        if row.withdrawn:
            latest.pop(key, None)
        else:
            latest[key] = row
    late = []
    for u in units:  # every task concerns every unit here
        missing = tuple(t.number for t in tasks if (u.code, t.number) not in latest)
        if missing:
            late.append(LateUnit(u, (), reported=len(tasks) - len(missing), required=len(tasks),
                                 missing=missing))
    values: dict[str, object] = {
        "ministry": "Bộ Khoa học và Công nghệ", "bloc_name": "Khối thi đua Văn phòng – Viện",
        "year": 2023, "theme": "Kỷ cương, kết nối, đổi mới, thành công",
        "period_title": "6 tháng cuối năm 2023", "period_code": "2023-H2",
        "deadline": "Thứ Sáu, 08/12/2023", "generated_at": "10:00 13/12/2023",
        "place": "Hà Nội", "report_date": (13, 7, 2023), "units": units, "tasks": tasks,
        "latest": latest, "updates": updates,
        "late": tuple(late),
        "attendance": (), "movements": MOVEMENTS, "next_period_title": "năm 2024",
        "next_tasks": (TaskRow(1, "Tổ chức Hội nghị Tổng kết công tác thi đua năm 2023.",
                               "Thứ Sáu, 12/01/2024"),
                       TaskRow(2, "Xây dựng Giao ước thi đua năm 2024.", None)),
    }
    values.update(changes)
    return ExportData(**values)  # type: ignore[arg-type]


def big_export() -> ExportData:
    """13 units × 20 tasks, with several versions, withdrawals and a unit that never reported."""
    tasks = tuple(TaskRow(n, f"Nhiệm vụ thử nghiệm số {n} của Khối thi đua", None)
                  for n in range(1, 21))
    statuses = list(ProgressStatus)
    updates: list[UpdateRow] = []
    for i, unit in enumerate(UNITS[:-1]):  # the last unit stays silent
        for task in tasks:
            if (i + task.number) % 7 == 0:
                continue  # no report on this task
            for version in range(1, 2 + (i + task.number) % 3):
                status = statuses[(i * 7 + task.number + version) % 4]
                percent = {ProgressStatus.DONE: 100, ProgressStatus.NOT_STARTED: 0}.get(
                    status, (i * 13 + task.number * 7 + version) % 90 + 5)
                help_needed = (f"Đề nghị Khối hỗ trợ {unit.code}-{task.number}-{version}"
                               if status is ProgressStatus.BLOCKED else None)
                note = f"{unit.short_name}: nhiệm vụ {task.number}, bản {version} <b>&amp;</b>"
                updates.append(update(unit, task, status, percent, note,
                                      help_needed=help_needed, version=version))
            if (i * task.number) % 11 == 5:  # a withdrawn last version: the one before stands
                updates.append(update(unit, task, ProgressStatus.DONE, 100,
                                      f"rút lại {unit.code}-{task.number}", version=9,
                                      withdrawn=True))
    return export(UNITS, tasks, tuple(updates))


def read(data: ExportData, template: Path = DEFAULT_TEMPLATE) -> DocxDocument:
    """Render and read the bytes back."""
    return Document(io.BytesIO(render_docx(data, template)))


def texts(doc: DocxDocument) -> list[str]:
    """Body paragraphs' texts (tables excluded)."""
    return [p.text for p in doc.paragraphs]


def appendix(doc: DocxDocument) -> Table:
    return doc.tables[-1]


def expected_line(row: UpdateRow) -> str:
    """The report's line of an update: its note as a sentence (ending with a full stop)."""
    note = row.note.strip()
    note += "" if note[-1:] in (".", "!", "?", "…", ":", ";") else "."
    return f"– {row.unit.name} ({STATUS_WORD[row.status]}, {row.percent}%): {note}"

