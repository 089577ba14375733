"""``/huy`` (``/cancel``): leave any guided conversation."""

from __future__ import annotations

from bot.kernel.context import Context
from bot.kernel.router import Router

router = Router()


@router.command("huy", "cancel", help_key="help.cmd_cancel")
async def cancel(ctx: Context) -> None:
    """Drop the conversation in progress, if any."""
    if await ctx.cancel_form():
        ctx.reply(ctx.t("dialog.cancelled"))
    else:
        ctx.reply(ctx.t("dialog.nothing_to_cancel"))
