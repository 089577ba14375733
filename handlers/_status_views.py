"""The chair's status views as text: overview, one unit, one task, one history."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.periods import format_day, format_deadline
from bot.domain.text import escape, shorten
from bot.kernel.context import Context
from bot.services.status import BlocStatus, bloc_status
from handlers._progress_views import local_time, status_text, update_body
from storage.records import Member, ProgressStatus, ProgressUpdate, Task, Unit

NOTE_PREVIEW = 80
COUNTED = (ProgressStatus.DONE, ProgressStatus.IN_PROGRESS, ProgressStatus.BLOCKED,
           ProgressStatus.NOT_STARTED)


async def current_status(ctx: Context) -> BlocStatus:
    """The bloc's status for the current period, read once per event (views share it)."""
    return await ctx.memo("bloc_status",
                          lambda: bloc_status(ctx.repo, ctx.bloc, ctx.now()))


def deadline_line(ctx: Context, status: BlocStatus,
                  t: Callable[..., str] | None = None) -> str | None:
    """``Hạn báo cáo: Thứ Sáu, 05/12/2026 — còn 11 ngày`` (in ``t``'s language if given)."""
    if status.period is None or status.period.report_deadline is None:
        return None
    t = t or ctx.t
    left = status.days_left(ctx.zone)
    assert left is not None
    if status.deadline_passed(ctx.now()):
        when = "status.days_over" if left < 0 else "status.passed_today"
    else:
        when = "status.days_left" if left > 0 else "status.due_today"
    return t("status.deadline", when=format_deadline(status.period.report_deadline, ctx.zone, t),
             left=t(when, days=abs(left)))


def completeness_line(ctx: Context, status: BlocStatus) -> str:
    """``Đã báo cáo đủ: 7/13 đơn vị · báo cáo chưa đủ: 3 · chưa báo cáo: 3.`` (of the units
    some task concerns; a period without tasks says so)."""
    if not status.tasks:
        return ctx.t("status.no_tasks")
    return ctx.t("status.reported", complete=len(status.complete_units),
                 partial=len(status.partial_units), silent=len(status.silent_units),
                 total=status.concerned_units)


def missing_lines(ctx: Context, status: BlocStatus) -> list[str]:
    """Each unit still owing a report on some task: how many it has sent of how many, the
    task numbers missing (or that it has sent none), and its contacts' names."""
    lines = []
    for progress in status.incomplete:
        unit = progress.unit
        names = ", ".join(_contact_name(ctx, status, m) for m in status.contacts.get(unit.id, []))
        contacts = names or ctx.t("status.no_contact")
        if progress.silent:
            lines.append(ctx.t("status.silent_unit", unit=escape(unit.short_name),
                               contacts=contacts))
        else:
            lines.append(ctx.t("status.partial_unit", unit=escape(unit.short_name),
                               done=progress.reported, required=progress.required,
                               tasks=", ".join(str(t.position) for t in progress.missing),
                               contacts=contacts))
    return lines


def overdue_lines(ctx: Context, status: BlocStatus) -> list[str]:
    """Each task past its own deadline: its deadline and the units that have not reported it
    done."""
    return [ctx.t("status.overdue_item", number=task.position,
                  title=escape(shorten(task.title, NOTE_PREVIEW)),
                  when=format_deadline(task.deadline, ctx.zone, ctx.t) if task.deadline else "",
                  count=len(units), units=escape(", ".join(u.short_name for u in units)))
            for task, units in status.overdue_tasks()]


def _contact_name(ctx: Context, status: BlocStatus, contact: Member) -> str:
    """A contact's name; away today, until when and who covers for them."""
    name = escape(contact.display_name)
    absence = status.away(contact, status.today)
    if absence is None:
        return name
    backup = status.backup(absence)
    return ctx.t("status.away", name=name, until=format_day(absence.ends, ctx.t),
                 backup=escape(backup.display_name) if backup else ctx.t("status.no_backup"))


def blocked_lines(ctx: Context, status: BlocStatus) -> list[str]:
    """Every blocked unit × task with the help it asked for."""
    return [ctx.t("status.blocked_item", unit=escape(unit.short_name), task=task.position,
                  help=escape(shorten(update.help_needed or update.note, NOTE_PREVIEW)))
            for unit, task, update in status.blocked()]


def overview(ctx: Context, status: BlocStatus) -> str:
    """The whole bloc for the current period, blocked items first."""
    if status.period is None:
        return ctx.t("tasks.no_period")
    lines = [ctx.t("status.title", period=escape(status.period.title))]
    if (deadline := deadline_line(ctx, status)) is not None:
        lines.append(deadline)
    lines.append(completeness_line(ctx, status))
    if blocked := blocked_lines(ctx, status):
        lines += ["", ctx.t("status.blocked_title"), *blocked]
    if overdue := overdue_lines(ctx, status):
        lines += ["", ctx.t("status.overdue_title", count=len(overdue)), *overdue]
    lines += ["", ctx.t("status.by_task")]
    for summary in status.task_summaries():
        counts = " · ".join(
            ctx.t(f"status.count_{state.value}", count=summary.counts.get(state, 0))
            for state in COUNTED)
        mean = (ctx.t("status.mean", percent=int(summary.mean_percent + 0.5),
                      units=summary.reported) if summary.mean_percent is not None else "")
        lines.append(ctx.t("status.task_line", number=summary.task.position, counts=counts,
                           silent=summary.silent, mean=mean)
                     + _overdue_mark(ctx, status, summary.task))
    if missing := missing_lines(ctx, status):
        lines += ["", ctx.t("status.silent_title", count=len(missing)), *missing]
    return "\n".join(lines)


def _overdue_mark(ctx: Context, status: BlocStatus, task: Task,
                  unit: Unit | None = None) -> str:
    """`` — ⏰ quá hạn (hạn …)`` after a task (for one unit, or for some unit)."""
    late = (status.overdue(unit.id, task) if unit is not None
            else bool(status.overdue_units(task)))
    if not late or task.deadline is None:
        return ""
    return ctx.t("status.overdue_mark", when=format_deadline(task.deadline, ctx.zone, ctx.t))


def unit_view(ctx: Context, status: BlocStatus, unit: Unit) -> str:
    """One unit: every task with its latest status, a note preview and who reported when."""
    lines = [ctx.t("status.unit_title", unit=escape(unit.name))]
    for task, update in status.unit_updates(unit.id):
        lines.append(ctx.t("status.unit_task", number=task.position,
                           title=escape(shorten(task.title)), state=_state(ctx, update))
                     + _overdue_mark(ctx, status, task, unit))
        if update is not None:
            lines.append(ctx.t("status.unit_note", note=escape(shorten(update.note,
                                                                       NOTE_PREVIEW)),
                               name=escape(update.author_name), time=local_time(ctx, update),
                               files=len(update.attachments)))
    return "\n".join(lines)


def task_view(ctx: Context, status: BlocStatus, task: Task) -> str:
    """One task: every unit's latest status on it."""
    lines = [ctx.t("status.task_title", number=task.position, title=escape(task.title))]
    if task.description:
        lines.append(ctx.t("status.task_description", text=escape(task.description)))
    if task.deadline is not None:
        late = status.overdue_units(task)
        lines.append(ctx.t("status.task_deadline_over" if late else "status.task_deadline",
                           when=format_deadline(task.deadline, ctx.zone, ctx.t),
                           count=len(late)))
    lines += [ctx.t("status.task_unit", unit=escape(unit.short_name), state=_state(ctx, update))
              + _overdue_mark(ctx, status, task, unit)
              for unit, update in status.task_updates(task.id)]
    return "\n".join(lines)


def detail_view(ctx: Context, unit: Unit, task: Task, update: ProgressUpdate) -> str:
    """One unit × task in full: the whole note, help asked, files, author, version."""
    lines = [ctx.t("status.detail_title", unit=escape(unit.short_name), number=task.position,
                   title=escape(shorten(task.title, 120))),
             *update_body(ctx, update)]
    lines.append(ctx.t("status.detail_by", version=update.version,
                       name=escape(update.author_name), time=local_time(ctx, update)))
    if update.on_behalf:
        lines.append(ctx.t("mine.on_behalf"))
    return "\n".join(lines)


def history_view(ctx: Context, unit: Unit, task: Task, versions: list[ProgressUpdate]) -> str:
    """Every version of a unit's report on a task, oldest first, withdrawn ones marked."""
    lines = [ctx.t("status.history_title", unit=escape(unit.short_name), number=task.position)]
    for version in versions:
        lines.append(ctx.t(
            "status.history_line", version=version.version, time=local_time(ctx, version),
            name=escape(version.author_name),
            state=status_text(ctx, version.status, version.percent),
            note=escape(shorten(version.note, NOTE_PREVIEW)),
            withdrawn=ctx.t("status.withdrawn") if version.withdrawn_at else ""))
    return "\n".join(lines)


def _state(ctx: Context, update: ProgressUpdate | None) -> str:
    return (status_text(ctx, update.status, update.percent) if update is not None
            else ctx.t("progress.not_reported"))
