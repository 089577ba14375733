"""``/nhiemvu`` (``/tasks``): the current period's task list, theme and movements."""

from __future__ import annotations

from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.tasklist import task_list_text

router = Router()


@router.command("nhiemvu", "tasks", help_key="help.cmd_tasks")
async def show_tasks(ctx: Context) -> None:
    """Show the task list of the current period."""
    ctx.reply(await task_list_text(ctx.repo, ctx.bloc, ctx.today(), ctx.t))
