"""The bot's place in a chat changed: a person blocked or unblocked it, or it was added to
or removed from a group (Telegram's ``my_chat_member``).

Each change is recorded in the audit log, and the chair and the deputy are told once —
a contact who blocked the bot gets no reminder until they unblock it, and a group the
bot left can no longer show the pinned task list.
"""

from __future__ import annotations

import logging

from bot.domain.events import ChatKind, Membership, Reply
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.outbox import Outgoing
from bot.services.tasklist import bloc_group_of
from storage.records import Bloc, Role

log = logging.getLogger(__name__)

router = Router()
MESSENGERS = {"telegram": "Telegram", "zalo": "Zalo"}  # proper names, the same in every language


@router.membership
async def bot_status_changed(ctx: Context) -> None:
    """Record the change and tell the bloc's officers."""
    event, change = ctx.event, ctx.event.membership
    assert change is not None
    private = event.chat_kind is ChatKind.PRIVATE
    if private and ctx.member is None:
        log.info("%s %s the bot; not a member, nobody to tell", ctx.actor, change.value)
        return
    await ctx.repo.audit(actor=ctx.actor, action=f"chat.{change.value}",
                         subject=f"{event.channel}:{event.chat_id}",
                         details={"title": event.chat_title}, now=ctx.now())
    bloc = ctx.bloc
    if ctx.member is None and not private:  # someone not registered: the group's own bloc
        owner = await _bloc_of_group(ctx, event.channel, event.chat_id)
        if owner is None and len(ctx.served_blocs) > 1:
            log.info("the bot's place in group %s changed; no bloc's group, nobody to tell",
                     event.chat_id)
            return
        bloc = owner or bloc
    ours = not private and event.chat_id == await bloc_group_of(ctx.repo, bloc, event.channel)
    unit = (await ctx.repo.get_unit(ctx.member.unit_id)
            if ctx.member is not None and ctx.member.unit_id is not None else None)
    messages = []
    for officer in await ctx.repo.list_members(bloc.id):
        if officer.role not in (Role.CHAIR, Role.DEPUTY) or (
                officer.channel == event.channel and officer.external_id == event.user_id):
            continue
        t = ctx.translator(officer.language)
        text = t(f"membership.{change.value}", name=escape(ctx.display_name),
                 unit=escape(unit.short_name if unit else t("membership.no_unit")),
                 title=escape(event.chat_title or event.chat_id),
                 messenger=MESSENGERS.get(event.channel, event.channel))
        if change is Membership.REMOVED and ours:
            text += "\n" + t("membership.bloc_group_lost")
        messages.append(Outgoing(
            dedup_key=f"membership:{event.channel}:{event.update_key}:{officer.id}",
            channel=officer.channel, chat_id=officer.external_id, kind="membership",
            reply=Reply(text, language=officer.language), due_at=ctx.now()))
    await ctx.outbox.enqueue(messages)


async def _bloc_of_group(ctx: Context, channel: str, chat: str) -> Bloc | None:
    """The served bloc whose group ``chat`` is, if one's is."""
    for bloc in ctx.served_blocs:
        if chat == await bloc_group_of(ctx.repo, bloc, channel):
            return bloc
    return None
