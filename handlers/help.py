"""``/help`` (``/trogiup``): the commands the caller's role may use."""

from __future__ import annotations

from bot.kernel.context import Context
from bot.kernel.router import Router

router = Router()


def command_list(ctx: Context) -> str:
    """One line per command this person may run, in their language."""
    lines = []
    for command in ctx.commands():
        if not command.listed or not command.allows(ctx.role):
            continue
        first = command.name_for(ctx.language)
        others = [f"/{name}" for name in command.names if name != first]
        alias = ctx.t("help.alias", names=", ".join(others)) if others else ""
        lines.append(ctx.t("help.line", name=f"/{first}", alias=alias,
                           text=ctx.t(command.help_key)))
    return "\n".join(lines)


@router.command("trogiup", "help", help_key="help.cmd_help")
async def show_help(ctx: Context) -> None:
    """List what the caller can do."""
    ctx.reply(ctx.t("help.title") + "\n\n" + command_list(ctx) + "\n\n" + ctx.t("help.footer"))
