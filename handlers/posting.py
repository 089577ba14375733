"""``/dangnhiemvu`` (``/posttasks``): post the task list in the bloc's group and pin it.

Posting again (or a change of the list) edits the pinned message in place
instead of adding a new one. A messenger whose bot may not join groups (most Zalo
Bot Platform bots) gets the list sent privately to each contact instead.
"""

from __future__ import annotations

import hashlib

from bot.domain.access import Action
from bot.domain.events import ChatKind, Reply
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.outbox import Outgoing
from bot.services.tasklist import bloc_group_of, task_list_text
from storage.records import Role

router = Router()



async def bloc_group(ctx: Context) -> str | None:
    """The bloc's group on this channel: from the bloc file, else where the list was posted."""
    return await bloc_group_of(ctx.repo, ctx.bloc, ctx.event.channel)


@router.command("dangnhiemvu", "posttasks", action=Action.POST_TASKS,
                help_key="help.cmd_posttasks")
async def post_tasks(ctx: Context) -> None:
    """Post (or refresh) the pinned task list in the group."""
    channel, in_group = ctx.event.channel, ctx.event.chat_kind is ChatKind.GROUP
    if not ctx.channels.has_groups(channel):
        await _send_privately(ctx)
        return
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
        await ctx.repo.set_bloc_group(ctx.bloc.id, channel, group)
    await ctx.repo.audit(actor=ctx.actor, action="tasks.post", subject=f"{channel}:{group}",
                         details={"message_id": published.message_id, "edited": edited},
                         now=ctx.now())
    if published.pin_refused:
        ctx.reply(ctx.t("posting.pin_refused"))
    elif published.pin_unsupported and not in_group:
        ctx.reply(ctx.t("posting.posted_unpinned"))
    elif not in_group:
        ctx.reply(ctx.t("posting.edited" if edited else "posting.posted"))


async def _send_privately(ctx: Context) -> None:
    """The task list to every contact on this messenger, each in their language, through the
    outbox (the same list is sent once a day; the chair hears how the sending went)."""
    channel = ctx.event.channel
    contacts = [m for m in await ctx.repo.list_members(ctx.bloc.id)
                if m.channel == channel and m.role is Role.CONTACT]
    if not contacts:
        ctx.reply(ctx.t("posting.no_group_no_contacts"))
        return
    batch = await ctx.repo.create_batch(channel=channel, report_chat=ctx.event.user_id,
                                        language=ctx.language, kind="tasklist", now=ctx.now())
    texts: dict[str | None, str] = {}
    messages = []
    for member in contacts:
        if member.language not in texts:
            texts[member.language] = await task_list_text(
                ctx.repo, ctx.bloc, ctx.today(), ctx.translator(member.language))
        text = texts[member.language]
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        messages.append(Outgoing(
            dedup_key=f"tasklist:{ctx.today().isoformat()}:{digest}:{member.id}",
            channel=channel, chat_id=member.external_id, kind="tasklist",
            reply=Reply(text, language=member.language), due_at=ctx.now(), batch_id=batch))
    sent = await ctx.outbox.enqueue(messages)
    await ctx.repo.audit(actor=ctx.actor, action="tasks.post_privately", subject=channel,
                         details={"contacts": len(contacts), "queued": sent}, now=ctx.now())
    ctx.reply(ctx.t("posting.sent_privately", count=sent) if sent
              else ctx.t("posting.already_sent_privately"))
