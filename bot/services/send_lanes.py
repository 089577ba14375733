"""One messenger token's sending budget, shared by a person's replies and the outbox.

Telegram takes about 30 messages a second from one bot, all chats together. An event's
replies are sent at once, after its commit (a person is waiting: a reply waits only in the
rare second the limit itself is reached); the outbox's messages —
reminders, digests, a fan-out of 2,000 — go one at a time, spaced, and each waits while the
last second's sends, replies included, have used the budget. So a reply never queues
behind a fan-out, and the two together stay within the messenger's limit. With several
processes of the bot on one token, each process's outbox takes its share of the budget.
"""

from __future__ import annotations

import asyncio
from collections import deque

WINDOW = 1.0  # seconds the budget is counted over
LIMIT = 29  # what any message waits beyond in a WINDOW (the messenger takes 30: one spare,
# as a message's arrival at the server may fall in another second than its start here)


class SendLane:
    """The budget of one channel: ``rate`` messages a second for everything sent."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.share = 1.0  # of the budget this process may use (1 / the processes sending)
        self._sent: deque[float] = deque()  # when each send of the last WINDOW went
        self._last_bulk = float("-inf")
        self._counted_by_channel = False
        self._lock = asyncio.Lock()

    @property
    def _budget(self) -> float:
        return self.rate * self.share

    def _forget_old(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - WINDOW:
            self._sent.popleft()

    async def posting(self) -> None:
        """A message is being posted now (the channel tells, for each one): it goes at once,
        unless the last second's messages reached the messenger's limit (a burst of replies
        beside a fan-out): then it waits for a slot, a few milliseconds, instead of a 429."""
        loop = asyncio.get_running_loop()
        limit = max(1, int(LIMIT * self.share))
        while True:  # (the outbox's own turn was given below the limit: it rarely waits here)
            now = loop.time()
            self._forget_old(now)
            if len(self._sent) < limit:
                break
            await asyncio.sleep(self._sent[0] + WINDOW - now)
        self._sent.append(loop.time())

    def sent(self, count: int = 1) -> None:
        """``count`` messages were posted now (as :meth:`posting`, without waiting)."""
        now = asyncio.get_running_loop().time()
        self._sent.extend([now] * count)

    async def bulk(self) -> None:
        """Wait for the outbox's next turn: spaced ``1 / budget`` apart, and while the last
        second's messages (replies included) are fewer than the budget. Spacing is measured
        from when the previous one really went, not from a timetable: after a busy moment
        of the event loop, waiting senders do not all go at once to catch up (a timetable
        did exactly that after a restart, and Telegram answered 26 of them with 429)."""
        async with self._lock:
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                self._forget_old(now)
                spacing = self._last_bulk + 1.0 / self._budget - now
                full = len(self._sent) >= int(self._budget) and self._sent
                wait = max(spacing, (self._sent[0] + WINDOW - now) if full else 0.0)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self._last_bulk = loop.time()
            if not self._counted_by_channel:
                self._sent.append(self._last_bulk)  # (no channel counts its messages)

    def counted_by_channel(self) -> None:
        """The channel tells of every message it posts (:meth:`sent`), the outbox's too."""
        self._counted_by_channel = True
