"""In-memory world of the fake Zalo Bot API: people, groups, calls, sent messages, the queue.

The wait helpers live here, update delivery in ``_delivery.py``, the HTTP layer in
``server.py`` and the API methods in ``_methods.py`` / ``_messaging.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
from collections.abc import Callable
from typing import TypeVar

from tests.waiting import next_unseen

from ._models import JSON, Call, ChatAction, SentMessage, WebhookDelivery, now_ms
from ._people import ZaloGroup, ZaloUser

T = TypeVar("T")
ChatRef = str | ZaloUser | ZaloGroup


def chat_id_of(chat: ChatRef) -> str:
    """The chat id for a chat id, a user (their private chat) or a group."""
    return chat if isinstance(chat, str) else chat.id


class ZaloWorld:
    """State shared by the fake server's test helpers and its API method implementations."""

    def __init__(
        self,
        token: str,
        bot_id: str,
        bot_name: str,
        max_poll_wait: float,
        wrap_webhook_body: bool,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.max_poll_wait = max_poll_wait
        self.wrap_webhook_body = wrap_webhook_body
        self.can_join_groups = False
        self.users: dict[str, ZaloUser] = {}
        self.groups: dict[str, ZaloGroup] = {}
        self.calls: list[Call] = []
        self.sent: list[SentMessage] = []
        self.chat_actions: list[ChatAction] = []
        self.updates: list[JSON] = []  # every update produced, in order, however delivered
        self.queue: list[JSON] = []  # updates waiting for getUpdates
        self.deliveries: list[WebhookDelivery] = []
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_updated_at = now_ms()
        self.closing = False
        self.active_polls = 0  # getUpdates requests currently waiting (the bot is polling)
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._seen_messages: set[int] = set()
        self._seen_calls: set[int] = set()

    # ----------------------------------------------------------------- ids
    def new_id(self, kind: str, length: int) -> str:
        """A fresh opaque hex id (deterministic per server: same test, same ids)."""
        return hashlib.sha1(f"{kind}-{next(self._ids)}".encode()).hexdigest()[:length]

    # ----------------------------------------------------------------- people and groups
    def group(self, name: str, group_id: str | None = None) -> ZaloGroup:
        """A new group the bot is in (20 hex chars id), or the existing one for ``group_id``."""
        if group_id is not None and group_id in self.groups:
            return self.groups[group_id]
        chat = ZaloGroup(group_id or self.new_id("group", 20), name)
        self.groups[chat.id] = chat
        return chat

    def block(self, user: ZaloUser | str, blocked: bool = True) -> None:
        """Simulate the user blocking the bot: sends to their private chat answer 403."""
        self.users[chat_id_of(user)].blocked = blocked

    # ----------------------------------------------------------------- queries and waits
    def messages_to(self, chat: ChatRef) -> list[SentMessage]:
        """Every message the bot sent to a chat, in order."""
        chat_id = chat_id_of(chat)
        return [m for m in self.sent if m.chat_id == chat_id]

    def calls_of(self, method: str) -> list[Call]:
        """Every answered (or dropped) call of ``method``, in order."""
        return [c for c in self.calls if c.method == method]

    @property
    def webhook_statuses(self) -> list[int | None]:
        """The bot's HTTP status for each webhook POST, in order (``None``: no answer)."""
        return [d.status for d in self.deliveries]

    def pending_updates(self) -> int:
        """Updates queued for getUpdates and not handed out yet."""
        return len(self.queue)

    def notify(self) -> None:
        """Wake every waiter; called on each call, delivery and state change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, condition: Callable[[], T | None], timeout: float) -> T | None:
        """Re-evaluate ``condition`` on every change until truthy (returned) or ``timeout``.

        Returns ``None`` on timeout (it does not raise).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            result = condition()
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
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,
    ) -> SentMessage:
        """Wait for a message the bot sends to ``chat``.

        Without predicate: the first one sent after this call. With predicate: the first
        matching one not yet returned by an earlier wait (earlier messages included).
        Raises AssertionError with what the chat received and recent calls on timeout.
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
            self.calls, start, self._seen_calls, lambda c: c.method == method, predicate), timeout)
        if found is None:
            raise AssertionError(
                f"no {'matching ' if predicate else ''}{method} call within "
                f"{timeout}s\n{self.describe_calls()}"
            )
        self._seen_calls.add(id(found))
        return found

    async def wait_until_consumed(self, timeout: float = 5.0) -> None:
        """Wait until getUpdates handed out every queued update."""
        if await self.wait_until(lambda: not self.queue, timeout) is None:
            raise AssertionError(
                f"{len(self.queue)} update(s) not consumed within {timeout}s: "
                f"{self.queue}\n{self.describe_calls()}"
            )

    def describe_calls(self, last: int = 15) -> str:
        """Readable list of the last calls, for failure messages."""
        lines = [
            f"  {c.method} -> {c.status}"
            f"{' ' + c.description if c.description else ''} {_short(c.params)}"
            for c in self.calls
            if c.method != "getUpdates"
        ][-last:]
        return "recent calls (getUpdates omitted):\n" + ("\n".join(lines) or "  (none)")


def _short(params: JSON) -> str:
    text = repr(params)
    return text if len(text) < 160 else text[:157] + "..."
