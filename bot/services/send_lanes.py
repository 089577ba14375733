"""One messenger token's sending budget, shared by a person's replies and the outbox.

Telegram takes about 30 messages a second from one bot, all chats together. An event's
replies are sent at once, after its commit (a person is waiting); the outbox's messages —
reminders, digests, a fan-out of 2,000 — go one at a time, spaced, and each waits while the
last second's sends, replies included, have used the budget. So a reply never queues
behind a fan-out, and the two together stay within the messenger's limit. With several
processes of the bot on one token, each process's outbox takes its share of the budget.
"""

from __future__ import annotations

import asyncio
from collections import deque

WINDOW = 1.0  # seconds the budget is counted over


class SendLane:
    """The budget of one channel: ``rate`` messages a second for everything sent."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.share = 1.0  # of the budget this process may use (1 / the processes sending)
        self._sent: deque[float] = deque()  # when each send of the last WINDOW went
        self._last_bulk = float("-inf")
        self._lock = asyncio.Lock()

    @property
    def _budget(self) -> float:
        return self.rate * self.share

    def interactive(self, count: int = 1) -> None:
        """``count`` replies went now (they do not wait; they are counted)."""
        now = asyncio.get_running_loop().time()
        self._sent.extend([now] * count)

    async def bulk(self) -> None:
        """Wait for the outbox's next turn: spaced ``1 / budget`` apart, and while the last
        second's sends (replies included) are fewer than the budget. Spacing is measured
        from when the previous one really went, not from a timetable: after a busy moment
        of the event loop, waiting senders do not all go at once to catch up (a timetable
        did exactly that after a restart, and Telegram answered 26 of them with 429)."""
        async with self._lock:
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                while self._sent and self._sent[0] <= now - WINDOW:
                    self._sent.popleft()
                spacing = self._last_bulk + 1.0 / self._budget - now
                full = len(self._sent) >= int(self._budget) and self._sent
                wait = max(spacing, (self._sent[0] + WINDOW - now) if full else 0.0)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self._last_bulk = loop.time()
            self._sent.append(self._last_bulk)
