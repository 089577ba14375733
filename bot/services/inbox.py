"""The inbox: every update is written down before the messenger is told it arrived.

A webhook body is stored before the bot answers 200; a batch from Telegram's
``getUpdates`` is stored before the next call confirms it (its offset); a Zalo
update is stored as soon as it is received (Zalo's ``getUpdates`` has no offset: it
is gone from Zalo once returned). The row is removed in the same transaction that
handles the update (the core's unit of work), so after a crash anywhere every
update is either handled and gone, or still here to be handled: at the next start,
and every minute while running for those the database could not take (disk full).
One owner retries them: this class.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.domain.clock import Clock
from bot.domain.events import Response
from storage.failures import is_storage_failure
from storage.repository import InboxStore

log = logging.getLogger(__name__)

RETRY_EVERY = timedelta(minutes=1)  # updates the database could not take are tried again
STOP_WAIT = 10.0  # seconds a stop waits for the updates being handled

# A channel's handling of one stored update: the core's response, or None when the body
# held nothing to handle (it is then dropped from the inbox here).
Feed = Callable[[Any, int], Awaitable[Response | None]]


def sender_of(body: Any, depth: int = 3) -> str | None:
    """Who sent an update, as its messenger's JSON says (the ``from`` of its message,
    button press or membership change, on Telegram and Zalo alike), or None."""
    if not isinstance(body, dict) or depth == 0:
        return None
    sender = body.get("from")
    if isinstance(sender, dict) and sender.get("id") is not None:
        return str(sender["id"])
    for value in body.values():
        if isinstance(value, dict) and (found := sender_of(value, depth - 1)) is not None:
            return found
    return None


class Inbox:
    """Stores updates on receipt and hands them, once each, to their channel."""

    def __init__(self, repo: InboxStore, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock
        self._feeds: dict[str, Feed] = {}
        self._busy: dict[int, asyncio.Event] = {}  # rows being handled now: set when done
        self._tasks: set[asyncio.Task[None]] = set()

    def register(self, channel: str, feed: Feed) -> None:
        """Updates of ``channel`` are handled by ``feed(body, receipt)``."""
        self._feeds[channel] = feed

    async def receive(self, channel: str, updates: list[tuple[str, Any]]) -> list[tuple[int, Any]]:
        """Write down ``(key, body)`` updates in one transaction; returns ``(receipt, body)``
        for those not already waiting (a replayed webhook body is stored once).

        Raises when the database cannot take them: the caller then does not confirm
        them to the messenger, which delivers them again.
        """
        stored = await self._repo.inbox_add(
            # ASCII JSON: a lone surrogate in a body (valid JSON, not valid UTF-8) is stored
            # as its escape instead of failing the write
            channel, [(key, json.dumps(body), sender_of(body)) for key, body in updates],
            self._clock.now())
        return [(receipt, body) for receipt, (_, body) in zip(stored, updates, strict=True)
                if receipt is not None]

    def handle_soon(self, channel: str, receipt: int, body: Any) -> None:
        """Handle a stored update in the background (in the order of the calls)."""
        self._busy[receipt] = asyncio.Event()
        self._spawn(self._after_earlier(channel, receipt, body))

    async def handle(self, channel: str, receipt: int, body: Any) -> None:
        """Handle a stored update now (returns when it is handled)."""
        if receipt in self._busy:
            return
        self._busy[receipt] = asyncio.Event()
        await self._after_earlier(channel, receipt, body)

    async def replay(self) -> int:
        """Handle, in order, the updates still waiting (left by a crash, or refused by the
        database); returns how many were waiting. The scheduler calls it every minute."""
        count = 0
        for channel in list(self._feeds):
            try:
                waiting = [(receipt, body) for receipt, body
                           in await self._repo.inbox_waiting(channel, self._clock.now())
                           if receipt not in self._busy]
            except Exception as exc:
                if not is_storage_failure(exc):
                    raise
                log.error("could not read the %s inbox (%s)", channel, type(exc).__name__)
                continue
            if not waiting:
                continue
            log.warning("handling %d %s update(s) received but not yet handled",
                        len(waiting), channel)
            count += len(waiting)
            self._busy.update((receipt, asyncio.Event()) for receipt, _ in waiting)
            self._spawn(self._in_order(channel, [(r, json.loads(b)) for r, b in waiting]))
        return count

    async def settle(self) -> None:
        """Wait until every update being handled now is handled."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def stop(self) -> None:
        """Let the updates being handled finish, for up to ``STOP_WAIT`` seconds; what is
        left is cancelled and waits in the inbox for the next start."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=STOP_WAIT)
        for task in late:
            task.cancel()
        if late:
            log.warning("%d update(s) still being handled at the stop; handled at the next "
                        "start", len(late))
            await asyncio.wait(late)

    # -- inside -----------------------------------------------------------------------------

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _after_earlier(self, channel: str, receipt: int, body: Any) -> None:
        """Handle the sender's earlier updates still waiting first (another process received
        them and died, or is handling them now: the dedup mark then skips them here), so
        a person's updates are handled in the order they sent them."""
        sender = sender_of(body)
        if sender is not None:
            try:
                earlier = await self._repo.inbox_before(channel, sender, receipt)
            except Exception as exc:
                if not is_storage_failure(exc):
                    raise
                earlier = []  # the update itself then meets the same failure, and waits
            for older, older_body in earlier:
                if (handling := self._busy.get(older)) is not None:
                    await handling.wait()  # this process is on it already: after it
                else:
                    self._busy[older] = asyncio.Event()
                    await self._handle(channel, older, json.loads(older_body))
        await self._handle(channel, receipt, body)

    async def _in_order(self, channel: str, updates: list[tuple[int, Any]]) -> None:
        for receipt, body in updates:
            await self._handle(channel, receipt, body)

    async def _handle(self, channel: str, receipt: int, body: Any) -> None:
        feed = self._feeds.get(channel)
        try:
            if feed is None:
                log.error("no %s channel to handle inbox row %s; it waits", channel, receipt)
                return
            try:
                response = await feed(body, receipt)
                if response is None:  # nothing to handle in it
                    await self._repo.inbox_remove(receipt)
            except Exception as exc:
                if is_storage_failure(exc):
                    log.error("could not handle %s update %s (%s); it waits in the inbox",
                              channel, receipt, type(exc).__name__)
                    return
                # a fault of the channel's own code: handling it again would fail again
                log.exception("could not handle %s update %s; dropped", channel, receipt)
                await self._repo.inbox_remove(receipt)
        finally:
            if (handling := self._busy.pop(receipt, None)) is not None:
                handling.set()
