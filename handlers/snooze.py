"""``/nhaclai`` (``/snooze``): "Nhắc lại sáng mai" under a reminder puts it off to the next
working morning, once per reminder and person, never past its deadline."""

from __future__ import annotations

from bot.domain.access import Action
from bot.domain.periods import format_deadline
from bot.kernel.context import Context
from bot.kernel.router import Router
from storage.records import Deadline

router = Router()


@router.command("nhaclai", "snooze", action=Action.REPORT, help_key="help.cmd_snooze",
                listed=False)
async def snooze(ctx: Context) -> None:
    """The reminder's button: put it off (the button carries the reminder's key)."""
    key = ctx.args.strip()
    if ctx.member is None or not key:
        ctx.reply(ctx.t("reminders.snooze_gone"))
        return
    outcome, when = await ctx.reminders.snooze(ctx.member.id, key)
    if when is not None:  # put off, or already planned by then
        ctx.reply(ctx.t("reminders.snoozed" if outcome == "snoozed" else "reminders.snooze_planned",
                        when=format_deadline(Deadline(when, all_day=False), ctx.zone, ctx.t)))
    else:
        ctx.reply(ctx.t(f"reminders.snooze_{outcome}"))
