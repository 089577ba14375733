"""Telegram updates as the core's events: versioned callback data and ``to_inbound``."""

from __future__ import annotations

from telegram import Update

from bot.domain.events import ChatKind, Choice, Inbound, InboundFile, Membership

CHANNEL = "telegram"
CALLBACK_VERSION = "1"


def encode_choice(token: int, value: str) -> str:
    """Callback data for an option: version, dialog token, value (at most 64 bytes)."""
    data = f"{CALLBACK_VERSION}:{token}:{value}"
    if len(data.encode("utf-8")) > 64:
        raise ValueError(f"option value too long for Telegram callback data: {value!r}")
    return data


def decode_choice(data: str | None) -> Choice | None:
    """The option behind callback data, or ``None`` for data of another version or shape."""
    if not data:
        return None
    version, _, rest = data.partition(":")
    token, _, value = rest.partition(":")
    if version != CALLBACK_VERSION or not (token.isascii() and token.isdigit()):
        return None
    return Choice(int(token), value)


IN = frozenset({"member", "administrator", "creator", "restricted"})
OUT = frozenset({"left", "kicked"})


def _membership(update: Update) -> Inbound | None:
    """``my_chat_member``: a person blocked or unblocked the bot, or it joined or left a
    group; ``None`` for a change that is neither (a promotion, a restriction)."""
    change = update.my_chat_member
    if change is None:
        return None
    old, new = change.old_chat_member.status, change.new_chat_member.status
    private = change.chat.type == "private"
    if private:
        kind = (Membership.BLOCKED if new == "kicked" else
                Membership.UNBLOCKED if old == "kicked" and new in IN else None)
    else:
        kind = (Membership.ADDED if old in OUT and new in IN else
                Membership.REMOVED if old in IN and new in OUT else None)
    if kind is None:
        return None
    return Inbound(
        channel=CHANNEL, user_id=str(change.from_user.id), chat_id=str(change.chat.id),
        chat_kind=ChatKind.PRIVATE if private else ChatKind.GROUP,
        display_name=change.from_user.full_name, update_key=str(update.update_id),
        membership=kind, chat_title=change.chat.title)


def to_inbound(update: Update) -> Inbound | None:
    """The event for a Telegram update, or ``None`` for kinds the bot ignores."""
    if update.my_chat_member is not None:
        return _membership(update)
    key = str(update.update_id)
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        return Inbound(
            channel=CHANNEL, user_id=str(query.from_user.id),
            chat_id=str(chat.id if chat else query.from_user.id),
            chat_kind=(ChatKind.PRIVATE if chat is None or chat.type == "private"
                       else ChatKind.GROUP),
            display_name=query.from_user.full_name, choice=decode_choice(query.data),
            raw_choice=query.data or "", update_key=key,
        )
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    file: InboundFile | None = None
    if message.document is not None:
        doc = message.document
        file = InboundFile(doc.file_id, doc.file_name, doc.mime_type, doc.file_size, "document")
    elif message.photo:
        photo = message.photo[-1]
        file = InboundFile(photo.file_id, None, "image/jpeg", photo.file_size, "photo")
    return Inbound(
        channel=CHANNEL, user_id=str(message.from_user.id), chat_id=str(message.chat.id),
        chat_kind=ChatKind.PRIVATE if message.chat.type == "private" else ChatKind.GROUP,
        display_name=message.from_user.full_name,
        text=message.text if message.text is not None else message.caption,
        file=file, update_key=key,
    )
