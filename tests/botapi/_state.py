"""In-memory world of the fake Bot API: users, chats, messages, files, the update queue.

The wait helpers live here, the update-injection helpers in ``_inject.py``, the HTTP layer in
``server.py`` and the API methods in ``_methods.py`` / ``_messaging.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tests.waiting import next_unseen

from ._models import JSON, BotMessage, Call, FakeChat, FakeUser, StoredFile

T = TypeVar("T")
ChatRef = int | FakeUser | FakeChat


def chat_id_of(chat: ChatRef) -> int:
    """The chat id for a chat id, a user (their private chat) or a chat record."""
    return chat if isinstance(chat, int) else chat.id


@dataclass
class QueuedUpdate:
    """An update waiting for the bot; ``redelivery`` ones survive offsets until delivered."""

    update: JSON
    redelivery: bool = False
    delivered: bool = False

    @property
    def update_id(self) -> int:
        """The update's id."""
        return int(self.update["update_id"])


class WorldState:
    """State shared by the fake server's test helpers and its API method implementations."""

    def __init__(self, token: str, bot_username: str, bot_first_name: str) -> None:
        self.token = token
        head = token.split(":", 1)[0]
        self.bot_user = FakeUser(
            int(head) if head.isdigit() else 123456,
            bot_first_name,
            username=bot_username,
            language_code=None,
            is_bot=True,
        )
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.calls: list[Call] = []
        self.sent: list[BotMessage] = []
        self.answered_callbacks: list[JSON] = []
        self.files: dict[str, StoredFile] = {}
        self.downloads: list[str] = []
        self.my_commands: dict[tuple[str, str], list[JSON]] = {}
        self.webhook_url = ""
        self.allowed_updates: list[str] = []
        self.messages: dict[tuple[int, int], JSON] = {}
        self.bot_messages: dict[tuple[int, int], BotMessage] = {}
        self.open_callbacks: set[str] = set()
        self.queue: list[QueuedUpdate] = []
        self.closing = False
        self.active_polls = 0  # getUpdates requests currently waiting (the bot is polling)
        self._next_update_id = 1
        self._last_update: JSON | None = None
        self._message_ids: dict[int, int] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._seen_messages: set[int] = set()
        self._seen_calls: set[int] = set()

    # ----------------------------------------------------------------- people and chats
    def user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
    ) -> FakeUser:
        """Register a user (and their private chat, id == user id) and return it."""
        person = FakeUser(user_id, first_name, last_name, username, language_code)
        self.users[user_id] = person
        self.chats[user_id] = FakeChat(id=user_id, type="private", user=person, bot_status="member")
        return person

    def group(self, chat_id: int, title: str, chat_type: str | None = None) -> FakeChat:
        """Register a group; ids starting with -100 are supergroups unless told otherwise."""
        kind = chat_type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        chat = FakeChat(id=chat_id, type=kind, title=title)
        self.chats[chat_id] = chat
        return chat

    def set_bot_rights(
        self, chat_id: int, can_pin: bool = True, is_admin: bool | None = None
    ) -> None:
        """Make the bot an admin (default) or a plain member; plain members cannot pin."""
        chat = self.chats[chat_id]
        admin = can_pin if is_admin is None else is_admin
        chat.bot_status = "administrator" if admin else "member"
        chat.bot_can_pin = can_pin

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for a user: creator/administrator/member/left/kicked."""
        self.chats[chat_id].member_status[user_id] = status

    def block(self, user_id: int, blocked: bool = True) -> None:
        """Simulate the user blocking the bot: sends to their private chat answer 403."""
        self.chats[user_id].blocked = blocked

    def chat(self, chat: ChatRef) -> FakeChat:
        """The registered chat for a chat reference (KeyError if unknown)."""
        return self.chats[chat_id_of(chat)]

    # ----------------------------------------------------------------- building messages
    def new_message(self, chat: FakeChat, sender: FakeUser, content: JSON) -> JSON:
        """Create a message in ``chat`` with the next message_id (shared by everyone)."""
        message_id = self._message_ids.get(chat.id, 0) + 1
        self._message_ids[chat.id] = message_id
        message: JSON = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat.to_dict(),
            "from": sender.to_dict(),
            **content,
        }
        self.messages[(chat.id, message_id)] = message
        return message

    def new_file(
        self,
        kind: str,
        content: bytes | None,
        name: str | None,
        mime_type: str | None,
        url: str | None = None,
    ) -> StoredFile:
        """Register a file so getFile and the download route know it."""
        n = next(self._ids)
        ext = (name or "").rsplit(".", 1)[-1] if name and "." in name else "bin"
        folder = {"photo": "photos", "sticker": "stickers"}.get(kind, "documents")
        stored = StoredFile(
            file_id=f"fake-{kind}-{n}",
            file_unique_id=f"uniq-{n}",
            file_path=f"{folder}/file_{n}.{'jpg' if kind == 'photo' else ext}",
            name=name,
            mime_type=mime_type,
            size=len(content or b""),
            content=content,
            url=url,
        )
        self.files[stored.file_id] = stored
        return stored

    def photo_sizes(self, stored: StoredFile, width: int, height: int) -> list[JSON]:
        """PhotoSize list like Telegram's (small to large); every size serves the same bytes."""
        sizes: list[JSON] = []
        for scale in (90, 320, max(width, height)):
            factor = min(1.0, scale / max(width, height, 1))
            n = next(self._ids)
            size_file = StoredFile(
                f"{stored.file_id}-s{n}",
                f"{stored.file_unique_id}-s{n}",
                stored.file_path,
                stored.name,
                stored.mime_type,
                stored.size,
                stored.content,
            )
            self.files[size_file.file_id] = size_file
            sizes.append(
                {
                    "file_id": size_file.file_id,
                    "file_unique_id": size_file.file_unique_id,
                    "width": max(1, int(width * factor)),
                    "height": max(1, int(height * factor)),
                    "file_size": stored.size,
                }
            )
        return sizes

    def _resolve_chat(self, sender: FakeUser, chat: ChatRef | None) -> FakeChat:
        if chat is None:
            if sender.id not in self.chats:
                self.user(
                    sender.id,
                    sender.first_name,
                    sender.last_name,
                    sender.username,
                    sender.language_code,
                )
            return self.chats[sender.id]
        return self.chat(chat)

    def on_sent(self, message: BotMessage) -> None:
        """Called for every message the bot sends; the server feeds per-chat inboxes."""

    # ----------------------------------------------------------------- queries and waits
    def messages_to(self, chat: ChatRef) -> list[BotMessage]:
        """Every message the bot sent to a chat, in order."""
        chat_id = chat_id_of(chat)
        return [m for m in self.sent if m.chat_id == chat_id]

    def pending_updates(self) -> int:
        """Updates injected but not yet confirmed by the bot's getUpdates offset."""
        return len(self.queue)

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list set with setMyCommands for a scope/language (default scope)."""
        return self.my_commands.get((scope_key(scope), language_code), [])

    def notify(self) -> None:
        """Wake every waiter; called on each call, injection and offset change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, check: Callable[[], T | None], seconds: float) -> T | None:
        """Re-evaluate ``check`` on every change until truthy or ``seconds`` have passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            changed = self._changed
            result = check()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def wait_for_message(
        self,
        chat: ChatRef,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 5.0,
    ) -> BotMessage:
        """Wait for a message the bot sends to ``chat``.

        Without predicate: the first one sent after this call. With predicate: the first
        matching one not yet returned by an earlier wait (earlier messages included).
        Raises AssertionError with what the chat received and recent failed calls on timeout.
        """
        chat_id = chat_id_of(chat)
        start = len(self.sent)

        found = await self.wait_until(lambda: next_unseen(
            self.sent, start, self._seen_messages, lambda m: m.chat_id == chat_id, predicate),
            timeout)
        if found is None:
            received = "\n".join(f"  {m.describe()}" for m in self.messages_to(chat_id))
            raise AssertionError(
                f"no {'matching ' if predicate else ''}message to chat "
                f"{chat_id} within {timeout}s; the chat received:\n"
                f"{received or '  (nothing)'}\n{self.describe_calls()}"
            )
        self._seen_messages.add(id(found))
        return found

    async def wait_for_call(
        self, method: str, predicate: Callable[[Call], bool] | None = None, timeout: float = 5.0
    ) -> Call:
        """Wait for an answered call of ``method`` (same rules as ``wait_for_message``)."""
        start = len(self.calls)

        found = await self.wait_until(lambda: next_unseen(
            self.calls, start, self._seen_calls,
            lambda c: c.method.lower() == method.lower(), predicate), timeout)
        if found is None:
            raise AssertionError(
                f"no {'matching ' if predicate else ''}{method} call within "
                f"{timeout}s\n{self.describe_calls()}"
            )
        self._seen_calls.add(id(found))
        return found

    async def wait_until_consumed(self, timeout: float = 5.0) -> None:
        """Wait until the bot's getUpdates offset confirmed every injected update."""
        if await self.wait_until(lambda: not self.queue, timeout) is None:
            raise AssertionError(
                f"{len(self.queue)} update(s) not consumed within {timeout}s: "
                f"{[q.update for q in self.queue]}\n{self.describe_calls()}"
            )

    def describe_calls(self, last: int = 15) -> str:
        """Readable list of the last calls, for failure messages."""
        lines = [
            f"  {c.method} -> {c.response_status}"
            f"{' ' + c.description if c.description else ''} {_short(c.params)}"
            for c in self.calls
            if c.method.lower() != "getupdates"
        ][-last:]
        return "recent calls (getUpdates omitted):\n" + ("\n".join(lines) or "  (none)")


def _short(params: JSON) -> str:
    text = repr({k: v for k, v in params.items() if k != "reply_markup"})
    return text if len(text) < 160 else text[:157] + "..."


def scope_key(scope: Any) -> str:
    """Canonical key of a BotCommandScope (None means the default scope)."""
    if not isinstance(scope, dict) or scope == {"type": "default"}:
        return "default"
    return ",".join(f"{k}={scope[k]}" for k in sorted(scope))
