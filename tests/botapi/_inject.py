"""Test-facing helpers that inject updates: users sending text, files and button presses.

Every helper returns the injected Message/CallbackQuery JSON and queues an Update with a fresh,
increasing update_id that the bot receives through getUpdates.
"""

from __future__ import annotations

import copy

from ._models import JSON, BotMessage, FakeUser, utf16_len
from ._state import ChatRef, QueuedUpdate, WorldState


class UpdateInjector(WorldState):
    """Mixin of ``FakeBotApi`` with the update-injection helpers."""

    # ----------------------------------------------------------------- injecting updates
    def _queue_update(self, payload: JSON) -> JSON:
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self.queue.append(QueuedUpdate(update))
        self._last_update = update
        self.notify()
        return update

    def send_text(
        self,
        user: FakeUser,
        text: str,
        chat: ChatRef | None = None,
        *,
        reply_to: BotMessage | JSON | None = None,
        entities: list[JSON] | None = None,
    ) -> JSON:
        """Queue a text message from ``user``; a leading /command gets a bot_command entity."""
        content: JSON = {"text": text}
        if entities is None and text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        if entities:
            content["entities"] = entities
        target = self._resolve_chat(user, chat)
        if reply_to is not None:
            replied = self.messages.get(self._message_key(reply_to))
            if replied is not None:  # Telegram omits replies to deleted messages
                content["reply_to_message"] = copy.deepcopy(replied)
        message = self.new_message(target, user, content)
        self._queue_update({"message": message})
        return message

    def send_document(
        self,
        user: FakeUser,
        file_name: str = "bao-cao.pdf",
        content: bytes = b"%PDF-1.4 fake",
        mime_type: str = "application/pdf",
        chat: ChatRef | None = None,
        caption: str | None = None,
    ) -> JSON:
        """Queue a document message from ``user``; its bytes are downloadable via getFile."""
        stored = self.new_file("document", content, file_name, mime_type)
        body: JSON = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": stored.size,
            }
        }
        return self._send_media(user, chat, body, caption)

    def send_photo(
        self,
        user: FakeUser,
        content: bytes = b"\xff\xd8\xff fake jpeg",
        chat: ChatRef | None = None,
        caption: str | None = None,
        *,
        width: int = 1280,
        height: int = 960,
    ) -> JSON:
        """Queue a photo message (three PhotoSize entries, largest last)."""
        stored = self.new_file("photo", content, None, "image/jpeg")
        return self._send_media(
            user, chat, {"photo": self.photo_sizes(stored, width, height)}, caption
        )

    def send_sticker(self, user: FakeUser, chat: ChatRef | None = None) -> JSON:
        """Queue a sticker message, a kind of message the bot is not expected to handle."""
        stored = self.new_file("sticker", b"RIFF fake webp", "sticker.webp", "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": stored.size,
        }
        return self._send_media(user, chat, {"sticker": sticker}, None)

    def _send_media(
        self, user: FakeUser, chat: ChatRef | None, body: JSON, caption: str | None
    ) -> JSON:
        if caption is not None:
            body["caption"] = caption
        message = self.new_message(self._resolve_chat(user, chat), user, body)
        self._queue_update({"message": message})
        return message

    def press(
        self, user: FakeUser, message: BotMessage | JSON, data: str, *, force: bool = False
    ) -> JSON:
        """Queue a callback_query as if ``user`` pressed the button with ``data`` on ``message``.

        Raises ValueError if the message is gone or has no such button (a real client could not
        press it) unless ``force`` is true.
        """
        key = self._message_key(message)
        current = copy.deepcopy(self.messages.get(key))
        if not force:
            bot_message = self.bot_messages.get(key)
            if current is None or bot_message is None:
                raise ValueError(f"message {key} does not exist (deleted or never sent)")
            if data not in [d for row in bot_message.buttons for _, d in row]:
                raise ValueError(f"message {key} has no button {data!r}: {bot_message.buttons}")
        query_id = str(4_000_000_000_000 + next(self._ids))
        query: JSON = {
            "id": query_id,
            "from": user.to_dict(),
            "chat_instance": str(abs(key[0]) * 7 + 3),
            "data": data,
            "message": current
            or {"message_id": key[1], "date": 0, "chat": {"id": key[0], "type": "private"}},
        }
        self.open_callbacks.add(query_id)
        self._queue_update({"callback_query": query})
        return query

    def bot_status_changed(self, by: FakeUser, chat: ChatRef | None, old: str, new: str) -> JSON:
        """Queue a ``my_chat_member`` update: ``by`` changed the bot's status in ``chat`` (the
        private chat with ``by`` when ``None``) from ``old`` to ``new`` — "kicked" in a private
        chat is a person blocking the bot, "member" after it unblocking; in a group, "member"
        or "administrator" after "left" is the bot added, "left" or "kicked" it removed. A
        private chat's block also makes sends to it answer 403, as Telegram does."""
        target = self._resolve_chat(by, chat)
        if target.type == "private":
            target.blocked = new == "kicked"
        def member(status: str) -> JSON:
            # Telegram's ChatMember shapes: a banned member says until when (0: for ever),
            # an administrator what it may do
            found: JSON = {"status": status, "user": self.bot_user.to_dict()}
            if status == "kicked":
                found["until_date"] = 0
            if status == "administrator":
                found.update(can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                             can_delete_messages=True, can_manage_video_chats=False,
                             can_restrict_members=False, can_promote_members=False,
                             can_change_info=False, can_invite_users=True,
                             can_post_stories=False, can_edit_stories=False,
                             can_delete_stories=False, can_pin_messages=True)
            return found

        update: JSON = {"my_chat_member": {
            "chat": target.to_dict(), "from": by.to_dict(), "date": 1_700_000_000,
            "old_chat_member": member(old), "new_chat_member": member(new),
        }}
        return self._queue_update(update)

    def inject_raw_update(self, update: JSON) -> JSON:
        """Queue any update; ``update_id`` is assigned when missing."""
        if "update_id" not in update:
            return self._queue_update(update)
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self.queue.append(QueuedUpdate(update))
        self._last_update = update
        self.notify()
        return update

    def redeliver_last_update(self) -> JSON:
        """Queue the last injected update again with the same update_id (a re-delivery).

        It is served even if the bot's offset already passed it, like Telegram re-sending after
        a bot crashed before confirming.
        """
        if self._last_update is None:
            raise RuntimeError("no update was injected yet")
        self.queue.append(QueuedUpdate(self._last_update, redelivery=True))
        self.notify()
        return self._last_update

    @staticmethod
    def _message_key(message: BotMessage | JSON) -> tuple[int, int]:
        if isinstance(message, BotMessage):
            return message.chat_id, message.message_id
        return int(message["chat"]["id"]), int(message["message_id"])
