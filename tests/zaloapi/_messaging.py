"""Zalo Bot API methods that send to a chat: text, photo, sticker and chat actions.

Zalo has no buttons, editing, deleting or documents, so neither does the fake.
"""

from __future__ import annotations

import time

from ._models import JSON, ChatAction, SentMessage, bad_request, now_ms
from ._registry import chat_param, method, str_param
from ._state import ZaloWorld

MAX_TEXT = 2000
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})


def _store(
    state: ZaloWorld, method_name: str, chat_id: str, p: JSON, **content: str | None
) -> JSON:
    """Record a message the bot sent and answer its ``{message_id, date}``."""
    record = SentMessage(
        method=method_name,
        chat_id=chat_id,
        message_id=state.new_id("message", 32),
        at=time.monotonic(),
        date=now_ms(),
        params=p,
        **content,
    )
    state.sent.append(record)
    state.notify()
    return {"message_id": record.message_id, "date": record.date}


@method("sendMessage")
def send_message(state: ZaloWorld, p: JSON) -> JSON:
    """Send a text message; empty text or more than 2,000 characters is refused."""
    chat_id = chat_param(state, p)
    text = p.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request(f"text is too long ({len(text)} > {MAX_TEXT} characters)")
    return _store(state, "sendMessage", chat_id, p, text=text)


@method("sendPhoto")
def send_photo(state: ZaloWorld, p: JSON) -> JSON:
    """Send a photo by http(s) URL with an optional caption (its length is not checked)."""
    chat_id = chat_param(state, p)
    photo = str_param(p, "photo")
    if not photo.startswith(("http://", "https://")):
        raise bad_request("photo must be an http(s) URL")
    caption = p.get("caption")
    if caption is not None and not isinstance(caption, str):
        raise bad_request("caption must be a string")
    return _store(state, "sendPhoto", chat_id, p, photo=photo, caption=caption or None)


@method("sendSticker")
def send_sticker(state: ZaloWorld, p: JSON) -> JSON:
    """Send a sticker by id."""
    chat_id = chat_param(state, p)
    return _store(state, "sendSticker", chat_id, p, sticker=str_param(p, "sticker"))


@method("sendChatAction")
def send_chat_action(state: ZaloWorld, p: JSON) -> bool:
    """Show ``typing`` / ``upload_photo``; recorded in ``chat_actions``, not in ``sent``."""
    chat_id = chat_param(state, p)
    action = p.get("action")
    if action not in CHAT_ACTIONS:
        raise bad_request(f"action must be one of {sorted(CHAT_ACTIONS)}")
    state.chat_actions.append(ChatAction(chat_id, action, time.monotonic()))
    state.notify()
    return True
