"""``/hanbaocao`` (``/deadline``): when the period's report is due and who is still missing.

A read-only view for the chair, the deputy and the liaison: the deadline and the days
left (or past), how many units have reported, and each unit still missing with the
names of its contacts.
"""

from __future__ import annotations

from bot.domain.access import Action
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.router import Router
from handlers._status_views import current_status, deadline_line, silent_lines

router = Router()


@router.command("hanbaocao", "deadline", action=Action.SEE_ALL, help_key="help.cmd_deadline")
async def show_deadline(ctx: Context) -> None:
    """The report deadline and the units that have not reported yet."""
    status = await current_status(ctx)
    if status.period is None:
        ctx.reply(ctx.t("tasks.no_period"))
        return
    lines = [ctx.t("deadline.title", period=escape(status.period.title)),
             deadline_line(ctx, status) or ctx.t("deadline.none"),
             ctx.t("deadline.reported", done=len(status.reported_units),
                   total=len(status.units))]
    missing = silent_lines(ctx, status)
    lines += (["", ctx.t("deadline.missing", count=len(missing)), *missing] if missing
              else [ctx.t("deadline.all_in")])
    ctx.reply("\n".join(lines))
