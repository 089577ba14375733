"""How progress updates read in chat: status labels, task labels, summaries (shared by handlers)."""

from __future__ import annotations

from pydantic import Field

from bot.domain.periods import current_period, format_moment
from bot.domain.reporting import ASKS_PERCENT, implied_percent
from bot.domain.text import escape, shorten
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from storage.records import Attachment, Period, ProgressStatus, ProgressUpdate, Task


def status_text(ctx: Context, status: ProgressStatus, percent: int,
                lang: str | None = None) -> str:
    """``Đang thực hiện 60%`` / ``Hoàn thành`` in the reader's language (or ``lang``)."""
    label = ctx.t(f"progress.status_{status.value}", lang=lang)
    return ctx.t("progress.status_percent", lang=lang, status=label, percent=percent) if (
        status in ASKS_PERCENT) else label


async def period_tasks(ctx: Context) -> tuple[Period | None, list[Task]]:
    """The current period and its tasks (read once per event)."""

    async def read() -> tuple[Period | None, list[Task]]:
        period = current_period(await ctx.repo.list_periods(ctx.bloc.id), ctx.today())
        return period, (await ctx.repo.list_tasks(period.id) if period else [])

    return await ctx.memo("period_tasks", read)


def local_time(ctx: Context, update: ProgressUpdate) -> str:
    """When an update was sent, in the bloc's time zone."""
    return format_moment(update.created_at, ctx.zone)


def task_label(ctx: Context, task: Task, latest: ProgressUpdate | None) -> str:
    """``3. Đẩy mạnh công tác cải cách… — đang thực hiện 60%`` (plain text, for a button)."""
    state = (status_text(ctx, latest.status, latest.percent) if latest
             else ctx.t("progress.not_reported"))
    return f"{task.position}. {shorten(task.title)} — {state}"


class ReportDraft(Answers):
    """A report as it is being written: the unit, the task, the status (with the percent
    or the help it asks for), what was done, the files."""

    unit: int | None = None
    task: int | None = None
    status: ProgressStatus | None = None
    help: str | None = None
    percent: int | None = None
    note: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)

    @classmethod
    def of(cls, update: ProgressUpdate) -> ReportDraft:
        """A stored report, to be changed into its next version."""
        return cls(unit=update.unit_id, task=update.task_id, status=update.status,
                   percent=update.percent, note=update.note, help=update.help_needed or None,
                   attachments=list(update.attachments))


async def summary(ctx: Context, answers: ReportDraft, *, heading: str) -> str:
    """The review of a draft update, before it is sent (HTML, user text escaped)."""
    unit = await ctx.repo.get_unit(answers.unit) if answers.unit is not None else None
    _, tasks = await period_tasks(ctx)
    task = next((t for t in tasks if t.id == answers.task), None)
    status = answers.status or ProgressStatus.IN_PROGRESS
    percent = implied_percent(status, answers.percent)
    lines = [ctx.t(heading)]
    if unit is not None:
        lines.append(ctx.t("progress.summary_unit", unit=escape(unit.name)))
    if task is not None:
        lines.append(ctx.t("progress.summary_task", number=task.position,
                           title=escape(shorten(task.title, 120))))
    lines.append(ctx.t("progress.summary_status", status=status_text(ctx, status, percent)))
    if status is ProgressStatus.BLOCKED and answers.help:
        lines.append(ctx.t("progress.summary_help", help=escape(answers.help)))
    lines.append(ctx.t("progress.summary_note", note=escape(answers.note or "")))
    files = answers.attachments
    names = ", ".join(escape(f.name or ctx.t("progress.photo")) for f in files)
    lines.append(ctx.t("progress.summary_files", count=len(files), names=names or "—"))
    return "\n".join(lines)


def update_body(ctx: Context, update: ProgressUpdate) -> list[str]:
    """A stored update in full: status, help asked, the whole note, its files (HTML lines)."""
    lines = [ctx.t("progress.summary_status",
                   status=status_text(ctx, update.status, update.percent))]
    if update.help_needed:
        lines.append(ctx.t("progress.summary_help", help=escape(update.help_needed)))
    lines.append(ctx.t("progress.summary_note", note=escape(update.note)))
    if update.attachments:
        names = ", ".join(escape(a.name or ctx.t("progress.photo")) for a in update.attachments)
        lines.append(ctx.t("progress.summary_files", count=len(update.attachments), names=names))
    return lines
