"""What an export contains: plain, already-localised rows built from the repository.

Renderers (xlsx, csv, docx) take an :class:`ExportData` and return bytes; they
never read the database, so they are easy to test and safe to run in a worker
thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from storage.records import ProgressStatus

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    short_name: str


@dataclass(frozen=True)
class TaskRow:
    number: int  # its position in the period's list, 1-based
    title: str
    deadline: str | None  # already formatted in the bloc's time zone, e.g. "Thứ Sáu, 05/12/2026"
    description: str | None = None  # as entered with the task
    # past its own deadline: the units it concerns that have not reported it done (names)
    overdue: tuple[str, ...] = ()
    units: tuple[str, ...] | None = None  # the codes of the units it concerns; None: all

    def concerns(self, code: str) -> bool:
        """Whether the unit (by code) must report on this task."""
        return self.units is None or code in self.units


@dataclass(frozen=True)
class UpdateRow:
    """One stored version of a unit's report on a task."""

    unit: UnitRow
    task: TaskRow
    status: ProgressStatus
    status_label: str  # localised, e.g. "Đang thực hiện"
    percent: int
    note: str  # whole, as the contact wrote it
    help_needed: str | None
    author: str
    time: str  # local time, "HH:MM dd/mm/yyyy"
    version: int
    withdrawn: bool
    on_behalf: bool
    attachments: tuple[str, ...]  # file names ("ảnh" for photos)
    at: datetime | None = None  # ``time`` as a local (naive) date and time, for spreadsheets
    standing: bool = True  # the unit's current report on the task (not superseded, withdrawn)


@dataclass(frozen=True)
class LateUnit:
    """A unit still owing a report on some task of the period."""

    unit: UnitRow
    contacts: tuple[str, ...]  # registered contacts' names
    reported: int = 0  # tasks concerning it with a report
    required: int = 0  # tasks concerning it
    missing: tuple[int, ...] = ()  # the numbers of the tasks it lacks

    @property
    def silent(self) -> bool:
        """It has reported on none of its tasks."""
        return self.reported == 0


@dataclass(frozen=True)
class AttendanceRow:
    conference: str  # title
    when: str  # formatted
    who: str  # the unit's short name, or the ministry's liaison (who answers for itself)
    answer: str  # localised ("Tham dự", "Không tham dự", "Cử người khác", "Chưa trả lời")
    attendee: str | None  # "Nguyễn Văn A, Phó Viện trưởng" when someone else is sent
    past: bool = False  # the conference has taken place
    unit: bool = True  # a unit's answer (False: the liaison's own, not counted as a unit's)


@dataclass(frozen=True)
class ExportData:
    """Everything one bloc-period export shows."""

    ministry: str  # "Bộ Khoa học và Công nghệ"
    bloc_name: str  # "Khối thi đua Văn phòng – Viện"
    year: int
    theme: str | None
    period_title: str  # "6 tháng cuối năm 2023"
    period_code: str
    deadline: str | None
    generated_at: str  # local time of the export
    place: str  # for the report's date line, e.g. "Hà Nội"
    report_date: tuple[int, int, int]  # (day, month, year), local
    units: tuple[UnitRow, ...]
    tasks: tuple[TaskRow, ...]
    latest: Mapping[tuple[str, int], UpdateRow]  # (unit code, task number) → latest standing
    updates: tuple[UpdateRow, ...]  # every version, oldest first, withdrawn included
    late: tuple[LateUnit, ...]  # units still owing a report on some task (partial or silent)
    attendance: tuple[AttendanceRow, ...]
    movements: tuple[str, ...]
    next_period_title: str | None = None
    next_tasks: tuple[TaskRow, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)  # localised headings
    unconcerned: int = 0  # units no task of the period concerns (they owe no report)
    signer_name: str | None = None  # the bloc file's signer, under "KHỐI TRƯỞNG"
    signer_title: str | None = None
    scope: str | None = None  # "Chỉ gồm số liệu của …": a contact's export of their own unit
    # the year's exemplary collectives and people the units nominated (not left out by the
    # chair), as the report lists them: "Phòng A (Viện B): its achievements"
    exemplary: tuple[str, ...] = ()

    @property
    def complete(self) -> int:
        """Units that have reported on every task that concerns them."""
        return len(self.units) - len(self.late) - self.unconcerned

    @property
    def partial(self) -> int:
        """Units that have reported on some of their tasks, not all."""
        return sum(1 for late in self.late if not late.silent)

    @property
    def silent(self) -> int:
        """Units that have reported on none of their tasks."""
        return sum(1 for late in self.late if late.silent)
