"""Bot API methods that send, edit, delete and pin messages."""

from __future__ import annotations

import time

from ._markup import check_reply_markup, to_plain
from ._models import (
    JSON,
    BotMessage,
    FakeChat,
    StoredFile,
    Upload,
    bad_request,
    utf16_len,
)
from ._registry import chat_param, int_param, method
from ._state import WorldState

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current message"
)


def _find(state: WorldState, p: JSON, what: str, bot_only: bool) -> BotMessage | JSON:
    chat = chat_param(state, p)
    key = (chat.id, int_param(p, "message_id"))
    message = state.messages.get(key)  # type: ignore[arg-type]
    if message is None:
        raise bad_request(f"message to {what} not found")
    if bot_only:
        bot_message = state.bot_messages.get(key)  # type: ignore[arg-type]
        if bot_message is None:
            raise bad_request("message can't be edited")
        return bot_message
    return message


def _reply_and_markup(state: WorldState, chat: FakeChat, p: JSON) -> JSON:
    extra: JSON = {}
    reply = p.get("reply_parameters") or {}
    reply_id = reply.get("message_id") if isinstance(reply, dict) else None
    reply_id = reply_id or p.get("reply_to_message_id")
    if reply_id:
        target = state.messages.get((chat.id, int(reply_id)))
        if target is not None:
            extra["reply_to_message"] = target
        elif not (p.get("allow_sending_without_reply") or reply.get("allow_sending_without_reply")):
            raise bad_request("message to be replied not found")
    markup = check_reply_markup(p.get("reply_markup"))
    if markup and "inline_keyboard" in markup:
        extra["reply_markup"] = markup
    return extra


def _store(
    state: WorldState,
    chat: FakeChat,
    content: JSON,
    p: JSON,
    text: str | None,
    plain: str | None,
    kind: str = "text",
    file: StoredFile | None = None,
) -> JSON:
    content.update(_reply_and_markup(state, chat, p))
    message = state.new_message(chat, state.bot_user, content)
    record = BotMessage(
        chat.id,
        message["message_id"],
        text,
        plain,
        p.get("parse_mode"),
        p.get("reply_markup"),
        message,
        kind,
        file,
        params=p,
    )
    state.bot_messages[(chat.id, record.message_id)] = record
    state.sent.append(record)
    state.on_sent(record)
    return message


@method("sendMessage")
def send_message(state: WorldState, p: JSON) -> JSON:
    """Send a text message; checks empty/too long text and parse_mode markup."""
    chat = chat_param(state, p, sending=True)
    text = p.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    plain = to_plain(text, p.get("parse_mode"))
    if utf16_len(plain) > 4096:
        raise bad_request("message is too long")
    content: JSON = {"text": plain}
    if p.get("entities"):
        content["entities"] = p["entities"]
    return _store(state, chat, content, p, text, plain)


def _file_input(state: WorldState, p: JSON, field: str, kind: str) -> StoredFile:
    value = p.get(field)
    if isinstance(value, str) and value.startswith("attach://"):
        value = p.get(value[len("attach://") :])
    if isinstance(value, Upload):
        if not value.content:
            raise bad_request("file must be non-empty")
        return state.new_file(kind, value.content, value.name, value.mime_type)
    if isinstance(value, str) and value in state.files:
        known = state.files[value]
        return state.new_file(kind, known.content, known.name, known.mime_type, known.url)
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        name = value.rsplit("/", 1)[-1] or None
        return state.new_file(kind, None, name, None, url=value)
    if value is None or value == "":
        raise bad_request(f"there is no {field} in the request")
    raise bad_request("wrong file identifier/HTTP URL specified")


def _send_file(state: WorldState, p: JSON, kind: str) -> JSON:
    chat = chat_param(state, p, sending=True)
    stored = _file_input(state, p, kind, kind)
    caption = p.get("caption")
    plain = to_plain(caption, p.get("parse_mode")) if caption else None
    if plain is not None and utf16_len(plain) > 1024:
        raise bad_request("message caption is too long")
    if kind == "photo":
        content: JSON = {"photo": state.photo_sizes(stored, 1280, 960)}
    else:
        content = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": stored.name or "document",
                "mime_type": stored.mime_type or "application/octet-stream",
                "file_size": stored.size,
            }
        }
    if plain:
        content["caption"] = plain
    return _store(state, chat, content, p, caption, plain, kind, stored)


@method("sendDocument")
def send_document(state: WorldState, p: JSON) -> JSON:
    """Send a document (multipart upload, attach://, known file_id or URL)."""
    return _send_file(state, p, "document")


@method("sendPhoto")
def send_photo(state: WorldState, p: JSON) -> JSON:
    """Send a photo (multipart upload, attach://, known file_id or URL)."""
    return _send_file(state, p, "photo")


def _edit(state: WorldState, p: JSON, field: str | None) -> JSON | bool:
    """Shared editMessage*: absent reply_markup removes the keyboard, as in real Telegram."""
    if p.get("inline_message_id"):
        return True
    record = _find(state, p, "edit", bot_only=True)
    assert isinstance(record, BotMessage)
    text = plain = None
    if field:
        if (field == "text") != (record.kind == "text"):
            raise bad_request(f"there is no {field} in the message to edit")
        text = p.get(field)
        if field == "text" and (not isinstance(text, str) or not text.strip()):
            raise bad_request("message text is empty")
        plain = to_plain(text, p.get("parse_mode")) if text else None
    markup = check_reply_markup(p.get("reply_markup"))
    same_text = not field or (text == record.text and plain == record.plain_text)
    if same_text and markup == record.reply_markup:
        raise bad_request(NOT_MODIFIED)
    record.history.append((record.text, record.reply_markup))
    if field:
        record.text, record.plain_text, record.parse_mode = text, plain, p.get("parse_mode")
        record.edited_texts.append(text)
        record.raw.pop(field, None)
        if plain is not None:
            record.raw[field] = plain
    record.reply_markup = markup
    record.raw.pop("reply_markup", None)
    if markup and "inline_keyboard" in markup:
        record.raw["reply_markup"] = markup
    record.raw["edit_date"] = int(time.time())
    return record.raw


@method("editMessageText")
def edit_message_text(state: WorldState, p: JSON) -> JSON | bool:
    """Edit the text of a text message the bot sent."""
    return _edit(state, p, "text")


@method("editMessageCaption")
def edit_message_caption(state: WorldState, p: JSON) -> JSON | bool:
    """Edit (or, without caption, remove) the caption of a media message the bot sent."""
    return _edit(state, p, "caption")


@method("editMessageReplyMarkup")
def edit_message_reply_markup(state: WorldState, p: JSON) -> JSON | bool:
    """Replace (or, without reply_markup, remove) the inline keyboard of a bot message."""
    return _edit(state, p, None)


@method("deleteMessage")
def delete_message(state: WorldState, p: JSON) -> bool:
    """Delete a live message of the chat (bot-sent or, as bots may, a user's)."""
    message = _find(state, p, "delete", bot_only=False)
    assert isinstance(message, dict)
    key = (message["chat"]["id"], message["message_id"])
    del state.messages[key]
    if key in state.bot_messages:
        state.bot_messages[key].deleted = True
    return True


def _pin_chat(state: WorldState, p: JSON) -> FakeChat:
    chat = chat_param(state, p)
    if chat.type != "private" and not (chat.bot_status == "administrator" and chat.bot_can_pin):
        raise bad_request("not enough rights to manage pinned messages in the chat")
    return chat


def _set_pinned(state: WorldState, chat: FakeChat, message_ids: list[int], pinned: bool) -> bool:
    for message_id in message_ids:
        if message_id in chat.pinned:
            chat.pinned.remove(message_id)
        if pinned:
            chat.pinned.append(message_id)
        if (chat.id, message_id) in state.bot_messages:
            state.bot_messages[(chat.id, message_id)].pinned = pinned
    return True


@method("pinChatMessage")
def pin_chat_message(state: WorldState, p: JSON) -> bool:
    """Pin a message; outside private chats the bot needs admin rights with can_pin."""
    chat = _pin_chat(state, p)
    message_id = int_param(p, "message_id")
    if (chat.id, message_id) not in state.messages:
        raise bad_request("message to pin not found")
    return _set_pinned(state, chat, [message_id], pinned=True)  # type: ignore[list-item]


@method("unpinChatMessage")
def unpin_chat_message(state: WorldState, p: JSON) -> bool:
    """Unpin the given message, or the most recently pinned one."""
    chat = _pin_chat(state, p)
    message_id = int_param(p, "message_id", required=False)
    if message_id is None:
        return _set_pinned(state, chat, chat.pinned[-1:], pinned=False)
    if (chat.id, message_id) not in state.messages:
        raise bad_request("message to unpin not found")
    return _set_pinned(state, chat, [message_id], pinned=False)


@method("unpinAllChatMessages")
def unpin_all_chat_messages(state: WorldState, p: JSON) -> bool:
    """Unpin every pinned message of the chat."""
    chat = _pin_chat(state, p)
    return _set_pinned(state, chat, list(chat.pinned), pinned=False)
