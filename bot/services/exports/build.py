"""Building an :class:`ExportData` for one bloc-period from the repository."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.periods import current_period, format_deadline, format_moment
from bot.domain.text import fold
from bot.services.exports.data import (
    AttendanceRow,
    ExportData,
    LateUnit,
    TaskRow,
    UnitRow,
    UpdateRow,
)
from storage.records import (
    Attendance,
    Bloc,
    Period,
    ProgressStatus,
    ProgressUpdate,
    Role,
    Task,
    Unit,
)
from storage.repository import Repository

Translate = Callable[..., str]
LABEL_KEYS = (
    "sheet_matrix", "sheet_updates", "sheet_late", "sheet_attendance", "unit", "short_name",
    "task", "task_title", "status", "percent", "note", "help", "author", "time", "version",
    "withdrawn", "on_behalf", "attachments", "contacts", "conference", "when", "answer",
    "attendee", "yes", "no_data", "generated", "period", "bloc", "no", "no_update",
    "all_reported", "task_prefix", "deadline", "tasks_heading", "reported_of", "missing_tasks",
    "none_reported", "overdue", "not_applicable", "latest", "no_word", "legend", "silent", "totals",
    "reported_units", "past", "answers",
)


def file_slug(title: str) -> str:
    """``6 tháng cuối năm 2023`` → ``6-thang-cuoi-nam-2023`` (safe in every file system)."""
    words = "".join(ch if ch.isalnum() else " " for ch in fold(title)).split()
    return "-".join(words) or "ky"


async def find_period(repo: Repository, bloc: Bloc, code: str | None,
                      today: date) -> Period | None:
    """The period named by its code (or title), or the current one."""
    periods = await repo.list_periods(bloc.id)
    if code:
        return next((p for p in periods if p.code == code or fold(p.title) == fold(code)), None)
    return current_period(periods, today)


def _answer(given: Attendance | None, t: Translate) -> tuple[str, str | None]:
    """An attendance answer as the sheet shows it: what (and why not), and who attends."""
    if given is None:
        return t("conferences.no_answer"), None
    answer = t(f"conferences.answer_{given.answer}")
    if given.reason:
        answer += t("conferences.absent_why", reason=given.reason)
    attendee = (f"{given.attendee_name}, {given.attendee_title}"
                if given.attendee_name else None)
    return answer, attendee


def _unit_row(unit: Unit) -> UnitRow:
    return UnitRow(unit.code, unit.name, unit.short_name)


def _task_row(task: Task, zone: ZoneInfo, t: Translate, overdue: tuple[str, ...] = (),
              codes: Mapping[int, str] | None = None) -> TaskRow:
    return TaskRow(task.position, task.title,
                   format_deadline(task.deadline, zone, t) if task.deadline else None,
                   task.description or None, overdue,
                   None if task.unit_ids is None or codes is None
                   else tuple(codes[i] for i in task.unit_ids if i in codes))


async def build_export(
    repo: Repository, bloc: Bloc, period: Period, *, t: Translate, now: datetime,
    unit_id: int | None = None,
) -> ExportData:
    """Everything the workbook and the report show, localised with ``t``.

    With ``unit_id`` (a contact's export) only that unit appears.
    """
    zone = ZoneInfo(bloc.timezone)
    units = [u for u in await repo.list_units(bloc.id) if unit_id is None or u.id == unit_id]
    unit_rows = {u.id: _unit_row(u) for u in units}
    tasks = await repo.list_tasks(period.id)
    standing = await repo.latest_for_period(period.id)
    done = {(u.unit_id, u.task_id) for u in standing if u.status is ProgressStatus.DONE}
    standing_ids = {u.id for u in standing}
    task_rows = {task.id: _task_row(task, zone, t, tuple(
        unit.name for unit in units if task.deadline is not None and task.deadline.passed(now)
        and task.concerns(unit.id) and (unit.id, task.id) not in done),
        {unit.id: unit.code for unit in units}) for task in tasks}

    def row(update: ProgressUpdate) -> UpdateRow:
        return UpdateRow(
            unit=unit_rows[update.unit_id], task=task_rows[update.task_id],
            status=update.status, status_label=t(f"progress.status_{update.status.value}"),
            percent=update.percent, note=update.note, help_needed=update.help_needed,
            author=update.author_name,
            time=format_moment(update.created_at, zone),
            version=update.version, withdrawn=update.withdrawn_at is not None,
            on_behalf=update.on_behalf,
            attachments=tuple(a.name or t("progress.photo") for a in update.attachments),
            at=update.created_at.astimezone(zone).replace(tzinfo=None),
            standing=update.id in standing_ids)

    latest = {}
    for update in standing:
        if update.unit_id in unit_rows and update.task_id in task_rows:
            latest[(unit_rows[update.unit_id].code, task_rows[update.task_id].number)] = row(update)
    history = [row(u) for u in await repo.history_for_period(period.id)  # one query, not N
               if u.unit_id in unit_rows and u.task_id in task_rows]
    history.sort(key=lambda r: (r.unit.code, r.task.number, r.version))
    members = await repo.list_members(bloc.id)
    late, unconcerned = [], 0
    for u in units:  # a unit is complete when every task that concerns it has a report
        required = [task for task in tasks if task.concerns(u.id)]
        unconcerned += not required
        missing = tuple(task_rows[task.id].number for task in required
                        if (u.code, task_rows[task.id].number) not in latest)
        if missing:
            late.append(LateUnit(
                unit_rows[u.id], tuple(m.display_name for m in members
                                       if m.unit_id == u.id and m.role is Role.CONTACT),
                reported=len(required) - len(missing), required=len(required),
                missing=missing))
    attendance = []
    liaisons = [m for m in members if m.unit_id is None and m.role is Role.LIAISON]
    for conference in await repo.list_conferences(bloc.id):
        answers = await repo.attendance(conference.id)
        when, past = format_deadline(conference.starts, zone, t), conference.starts.passed(now)
        attendance += [AttendanceRow(conference.title, when, unit_rows[unit.id].short_name,
                                     *_answer(answers.get(unit.id), t), past=past)
                       for unit in units]
        if liaisons and unit_id is None:  # a unit's own export is about the unit only
            own = await repo.liaison_attendance(conference.id)
            organisation = bloc.liaison_organisation or t("conferences.liaison_organisation")
            attendance += [AttendanceRow(conference.title, when,
                                         t("conferences.liaison", organisation=organisation,
                                           name=member.display_name),
                                         *_answer(own.get(member.id), t), past=past, unit=False)
                           for member in liaisons]
    exemplary = await exemplary_lines(repo, bloc, period.start.year, t,
                                      {unit.id: unit.name for unit in units})
    later = [p for p in await repo.list_periods(bloc.id) if p.start > period.start]
    following = min(later, key=lambda p: p.start) if later else None
    local_now = now.astimezone(zone)
    return ExportData(
        ministry=bloc.ministry, bloc_name=bloc.name, year=bloc.year, theme=bloc.theme,
        period_title=period.title, period_code=period.code,
        deadline=format_deadline(period.report_deadline, zone, t)
        if period.report_deadline else None,
        generated_at=format_moment(now, zone), place=t("export.place"),
        report_date=(local_now.day, local_now.month, local_now.year),
        units=tuple(unit_rows.values()), tasks=tuple(task_rows.values()), latest=latest,
        updates=tuple(history), late=tuple(late), unconcerned=unconcerned,
        attendance=tuple(attendance),
        movements=tuple(await repo.list_movements(bloc.id)),
        next_period_title=following.title if following else None,
        next_tasks=tuple(_task_row(task, zone, t) for task in await repo.list_tasks(following.id))
        if following else (),
        labels={**{key: t(f"export.{key}") for key in LABEL_KEYS},
                **{f"status_{s.value}": t(f"progress.status_{s.value}") for s in ProgressStatus}},
        signer_name=bloc.signer_name, signer_title=bloc.signer_title,
        scope=t("export.own_unit_only", unit=units[0].name) if unit_id is not None and units
        else None,
        exemplary=exemplary,
    )


async def exemplary_lines(repo: Repository, bloc: Bloc, year: int, t: Translate,
                          names: Mapping[int, str]) -> tuple[str, ...]:
    """The year's exemplary collectives and people the units nominated (``names``' units
    only), less those the chair left out, as the report lists them."""
    found = await repo.emulation_year(bloc.id, year)
    if found is None:
        return ()
    return tuple(
        t("export.exemplary", nominee=t("awards.person", name=n.nominee, position=n.position)
          if n.position else n.nominee, unit=names[n.unit_id], summary=n.summary)
        for n in await repo.nominations(found.id)
        if n.included is not False and n.unit_id in names)
