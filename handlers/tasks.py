"""``/nhiemvu`` (``/tasks``): the current period's task list, theme and movements."""

from __future__ import annotations

from bot.context import Context
from bot.periods import current_period, format_day, format_deadline
from bot.router import Router
from bot.text import escape

router = Router("tasks")


async def task_list_text(ctx: Context) -> str:
    """The bloc's current task list as one HTML message."""
    lines = [ctx.t("tasks.header", bloc=escape(ctx.bloc.name), year=ctx.bloc.year)]
    if ctx.bloc.theme:
        lines.append(ctx.t("tasks.theme", theme=escape(ctx.bloc.theme)))
    period = current_period(await ctx.repo.list_periods(ctx.bloc.id), ctx.today())
    if period is None:
        lines += ["", ctx.t("tasks.no_period")]
    else:
        lines += ["", ctx.t("tasks.period", title=escape(period.title),
                            start=format_day(period.start, ctx.t),
                            end=format_day(period.end, ctx.t))]
        if period.report_deadline:
            lines.append(ctx.t("tasks.report_deadline",
                               when=format_deadline(period.report_deadline, ctx.zone, ctx.t)))
        tasks = await ctx.repo.list_tasks(period.id)
        if not tasks:
            lines.append(ctx.t("tasks.empty"))
        for number, task in enumerate(tasks, start=1):
            lines.append(ctx.t("tasks.item", number=number, title=escape(task.title)))
            if task.deadline:
                lines.append(ctx.t("tasks.item_deadline",
                                   when=format_deadline(task.deadline, ctx.zone, ctx.t)))
    movements = await ctx.repo.list_movements(ctx.bloc.id)
    if movements:
        lines += ["", ctx.t("tasks.movements")]
        lines += [ctx.t("tasks.movement", name=escape(name)) for name in movements]
    return "\n".join(lines)


@router.command("nhiemvu", "tasks", help_key="help.cmd_tasks")
async def show_tasks(ctx: Context) -> None:
    """Show the task list of the current period."""
    ctx.reply(await task_list_text(ctx))
