"""``/dangnhiemvu`` (``/posttasks``): post the task list in the bloc's group and pin it.

Posting again (or a change of the list) edits the pinned message in place
instead of adding a new one.
"""

from __future__ import annotations

from bot.domain.access import Action
from bot.domain.events import ChatKind, Reply
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.tasklist import POSTED_KEY, task_list_text

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
    port = ctx.core.channels.get(channel)
    if port is None:
        ctx.reply(ctx.t("error.internal"))
        return
    key = POSTED_KEY.format(channel=channel, chat=group)
    previous = await ctx.repo.get_meta(key)
    text = await task_list_text(ctx.repo, ctx.bloc, ctx.today(), ctx.core.translator())
    published = await port.publish(group, Reply(text), pin=True, replace=previous)
    await ctx.repo.set_meta(key, published.message_id)
    if in_group and not ctx.bloc.groups.get(channel):
        await ctx.repo.set_meta(GROUP_KEY.format(channel=channel), group)
    await ctx.repo.audit(actor=ctx.actor, action="tasks.post", subject=f"{channel}:{group}",
                         details={"message_id": published.message_id,
                                  "edited": previous == published.message_id},
                         now=ctx.now())
    if published.pin_refused:
        ctx.reply(ctx.t("posting.pin_refused"))
    elif published.pin_unsupported and not in_group:
        ctx.reply(ctx.t("posting.posted_unpinned"))
    elif not in_group:
        edited = previous is not None and previous == published.message_id
        ctx.reply(ctx.t("posting.edited" if edited else "posting.posted"))
