"""``/hanbaocao`` (``/deadline``): when the period's report is due and who is still missing.

A read-only view for the chair, the deputy and the liaison: the deadline and the days
left (or past), how many units have reported on every task, on some, on none, and each
unit still owing a report with the tasks it lacks and the names of its contacts.
"""

from __future__ import annotations

from bot.domain.access import Action
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.router import Router
from handlers._status_views import (
    completeness_line,
    current_status,
    deadline_line,
    missing_lines,
)

router = Router()


@router.command("hanbaocao", "deadline", action=Action.SEE_ALL, help_key="help.cmd_deadline")
async def show_deadline(ctx: Context) -> None:
    """The report deadline and the units that have not reported on every task yet."""
    status = await current_status(ctx)
    if status.period is None:
        ctx.reply(ctx.t("tasks.no_period"))
        return
    lines = [ctx.t("deadline.title", period=escape(status.period.title)),
             deadline_line(ctx, status) or ctx.t("deadline.none"),
             completeness_line(ctx, status)]
    missing = missing_lines(ctx, status)
    if missing:
        lines += ["", ctx.t("deadline.missing", count=len(missing)), *missing]
    elif status.tasks:
        lines.append(ctx.t("deadline.all_in"))
    ctx.reply("\n".join(lines))
