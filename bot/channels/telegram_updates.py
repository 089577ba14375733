"""Telegram updates as the core's events: versioned callback data and ``to_inbound``."""

from __future__ import annotations

from typing import Any

from bot.domain.events import ChatKind, Choice, Inbound, InboundFile, Membership

CHANNEL = "telegram"
CALLBACK_VERSION = "1"
SECRET_VERSION = "s"  # noqa: S105 - not a password: an option of a ballot (see ``storable``)


def encode_choice(token: int, value: str, *, secret: bool = False) -> str:
    """Callback data for an option: version, dialog token, value (at most 64 bytes)."""
    data = f"{SECRET_VERSION if secret else CALLBACK_VERSION}:{token}:{value}"
    if len(data.encode("utf-8")) > 64:
        raise ValueError(f"option value too long for Telegram callback data: {value!r}")
    return data


def decode_choice(data: str | None) -> Choice | None:
    """The option behind callback data, or ``None`` for data of another version or shape."""
    if not data:
        return None
    version, _, rest = data.partition(":")
    token, _, value = rest.partition(":")
    if version not in {CALLBACK_VERSION, SECRET_VERSION} or not (
            token.isascii() and token.isdigit()):
        return None
    return Choice(int(token), value)


IN = frozenset({"member", "administrator", "creator", "restricted"})
OUT = frozenset({"left", "kicked"})

Json = dict[str, Any]


def _object(value: Any) -> Json:
    """A JSON object of the update, or an empty one for a missing or malformed field."""
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _id(value: Any) -> str | None:
    """A Telegram id (an integer) as the core keeps it; ``None`` if it is not one."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _size(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def full_name(user: Json) -> str:
    """``first_name last_name``, as Telegram clients show a person."""
    parts = (_text(user.get("first_name")), _text(user.get("last_name")))
    return " ".join(part for part in parts if part)


def _membership(change: Json, key: str) -> Inbound | None:
    """``my_chat_member``: a person blocked or unblocked the bot, or it joined or left a
    group; ``None`` for a change that is neither (a promotion, a restriction)."""
    chat, person = _object(change.get("chat")), _object(change.get("from"))
    old = _object(change.get("old_chat_member")).get("status")
    new = _object(change.get("new_chat_member")).get("status")
    chat_id, user_id = _id(chat.get("id")), _id(person.get("id"))
    if chat_id is None or user_id is None:
        return None
    private = chat.get("type") == "private"
    if private:
        kind = (Membership.BLOCKED if new == "kicked" else
                Membership.UNBLOCKED if old == "kicked" and new in IN else None)
    else:
        kind = (Membership.ADDED if old in OUT and new in IN else
                Membership.REMOVED if old in IN and new in OUT else None)
    if kind is None:
        return None
    return Inbound(
        channel=CHANNEL, user_id=user_id, chat_id=chat_id,
        chat_kind=ChatKind.PRIVATE if private else ChatKind.GROUP,
        display_name=full_name(person), update_key=key, membership=kind,
        chat_title=_text(chat.get("title")))


def _file(message: Json) -> InboundFile | None:
    """The document, or the largest size of the photo, a message carries."""
    document = _object(message.get("document"))
    if _text(document.get("file_id")):
        return InboundFile(document["file_id"], _text(document.get("file_name")),
                           _text(document.get("mime_type")), _size(document.get("file_size")),
                           "document")
    photos = [p for p in message.get("photo") or () if isinstance(p, dict)
              and _text(p.get("file_id"))] if isinstance(message.get("photo"), list) else []
    if photos:
        photo = photos[-1]
        return InboundFile(photo["file_id"], None, "image/jpeg", _size(photo.get("file_size")),
                           "photo")
    return None


def storable(body: Any) -> Any:
    """The update as the inbox may keep it: a press on a ballot's button (secret callback
    data) without the message it was pressed under, whose buttons pair each candidate with
    its code; only the message's chat and id are kept (a ballot's code says nothing once
    the bot has forgotten the ballot). Any other update as it came."""
    query = _object(_object(body).get("callback_query"))
    data = _text(query.get("data")) or ""
    message = _object(query.get("message"))
    if not data.startswith(SECRET_VERSION + ":") or not message:
        return body
    kept = {key: message[key] for key in ("message_id", "chat", "date") if key in message}
    return {**body, "callback_query": {**query, "message": kept}}


def to_inbound(body: Json) -> Inbound | None:
    """The event for a Telegram update (the Bot API's JSON, read as is: turning it into PTB
    objects first was the largest part of the bot's time per update), or ``None`` for kinds
    the bot ignores and shapes it cannot read."""
    key = _id(body.get("update_id"))
    if key is None:
        return None
    if "my_chat_member" in body:
        return _membership(_object(body["my_chat_member"]), key)
    query = _object(body.get("callback_query"))
    if query:
        person = _object(query.get("from"))
        user_id = _id(person.get("id"))
        if user_id is None:
            return None
        chat = _object(_object(query.get("message")).get("chat"))
        data = _text(query.get("data"))
        return Inbound(
            channel=CHANNEL, user_id=user_id, chat_id=_id(chat.get("id")) or user_id,
            chat_kind=(ChatKind.PRIVATE if not chat or chat.get("type") == "private"
                       else ChatKind.GROUP),
            display_name=full_name(person), choice=decode_choice(data),
            raw_choice=data or "", update_key=key,
        )
    message = _object(body.get("message"))
    person, chat = _object(message.get("from")), _object(message.get("chat"))
    user_id, chat_id = _id(person.get("id")), _id(chat.get("id"))
    if user_id is None or chat_id is None or person.get("is_bot") is True:
        return None
    text = _text(message.get("text"))
    return Inbound(
        channel=CHANNEL, user_id=user_id, chat_id=chat_id,
        chat_kind=ChatKind.PRIVATE if chat.get("type") == "private" else ChatKind.GROUP,
        display_name=full_name(person),
        text=text if text is not None else _text(message.get("caption")),
        file=_file(message), update_key=key,
    )
