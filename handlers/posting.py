"""``/dangnhiemvu`` (``/posttasks``): post the task list in the bloc's group and pin it.

Posting again (or a change of the list) edits the pinned message in place
instead of adding a new one.
"""

from __future__ import annotations

from bot.domain.access import Action
from bot.domain.events import ChatKind
from bot.kernel.context import Context
from bot.kernel.router import Router

router = Router("posting")

GROUP_KEY = "group:{channel}"


async def bloc_group(ctx: Context) -> str | None:
    """The bloc's group on this channel: from the bloc file, else where the list was posted."""
    channel = ctx.event.channel
    return ctx.bloc.groups.get(channel) or await ctx.repo.get_meta(
        GROUP_KEY.format(channel=channel))


@router.command("dangnhiemvu", "posttasks", action=Action.POST_TASKS,
                help_key="help.cmd_posttasks")
async def post_tasks(ctx: Context) -> None:
    """Post (or refresh) the pinned task list in the group."""
    channel, in_group = ctx.event.channel, ctx.event.chat_kind is ChatKind.GROUP
    group = ctx.event.chat_id if in_group else await bloc_group(ctx)
    if group is None:
        ctx.reply(ctx.t("posting.no_group"))
        return
    posted = await ctx.posted_lists.post(channel, group)
    if posted is None:
        ctx.reply(ctx.t("error.internal"))
        return
    published, edited = posted
    if in_group and not ctx.bloc.groups.get(channel):
        await ctx.repo.set_meta(GROUP_KEY.format(channel=channel), group)
    await ctx.repo.audit(actor=ctx.actor, action="tasks.post", subject=f"{channel}:{group}",
                         details={"message_id": published.message_id, "edited": edited},
                         now=ctx.now())
    if published.pin_refused:
        ctx.reply(ctx.t("posting.pin_refused"))
    elif published.pin_unsupported and not in_group:
        ctx.reply(ctx.t("posting.posted_unpinned"))
    elif not in_group:
        ctx.reply(ctx.t("posting.edited" if edited else "posting.posted"))
