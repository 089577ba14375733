"""Telling other people of the bloc: one outbox message per person, in their language, and
(when asked) one to the bloc's group; what the vote, the covenant, the cross-checks, the
settlement and announcements send."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from bot.domain.events import Reply
from bot.domain.i18n import Translate
from bot.kernel.context import Context
from bot.services.outbox import Outgoing
from handlers.posting import bloc_group
from storage.records import Member, Role

# what one person is told (their translator and who they are); None: nothing for them
Say = Callable[[Translate, Member], Reply | None]


def message_to(ctx: Context, key: str, member: Member, reply: Reply) -> Outgoing:
    """``reply`` to ``member``'s private chat, in their language, due now; the outbox kind
    is the key's first part (``vote:12:open:5`` → ``vote``)."""
    return Outgoing(dedup_key=key, channel=member.channel, chat_id=member.external_id,
                    kind=key.split(":", 1)[0], reply=replace(reply, language=member.language),
                    due_at=ctx.now())


def officers(members: Iterable[Member]) -> list[Member]:
    """The bloc's chair and deputy among ``members``."""
    return [member for member in members if member.role in {Role.CHAIR, Role.DEPUTY}]


async def tell(ctx: Context, members: Iterable[Member], key: str, say: Say, *,
               group: Callable[[Translate], Reply] | None = None,
               skip_self: bool = True) -> int:
    """Queue what ``say`` has for each of ``members`` (keyed ``<key>:<member id>``, so it is
    sent once) and, with ``group``, one message to the bloc's group; the caller is left out
    unless ``skip_self`` is false. Returns how many messages were queued."""
    messages = []
    for member in members:
        if skip_self and ctx.member is not None and member.id == ctx.member.id:
            continue
        reply = say(ctx.translator(member.language), member)
        if reply is not None:
            messages.append(message_to(ctx, f"{key}:{member.id}", member, reply))
    chat = await bloc_group(ctx) if group is not None else None
    if group is not None and chat:
        messages.append(Outgoing(
            dedup_key=f"{key}:group", channel=ctx.event.channel, chat_id=chat,
            kind=key.split(":", 1)[0], reply=group(ctx.translator(ctx.group_language)),
            due_at=ctx.now()))
    return await ctx.outbox.enqueue(messages)
