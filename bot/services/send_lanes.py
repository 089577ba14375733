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
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

WINDOW = 1.0  # seconds the budget is counted over
LIMIT = 29  # what any message waits beyond in a WINDOW (the messenger takes 30: one spare,
# as a message's arrival at the server may fall in another second than its start here)


# posts of the outbox's message whose turn (:meth:`SendLane.bulk`) counted them already
_PREPAID: ContextVar[list[int] | None] = ContextVar("outbox_turn", default=None)


@contextmanager
def outbox_turn() -> Iterator[None]:
    """The outbox posts one message inside, counted when its turn was given: its first post
    is not counted again (a second part of it is)."""
    token = _PREPAID.set([1])
    try:
        yield
    finally:
        _PREPAID.reset(token)


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

    def _forget_old(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - WINDOW:
            self._sent.popleft()

    @property
    def _limit(self) -> int:
        return max(1, int(LIMIT * self.share))

    async def posting(self) -> None:
        """A message is being posted now (the channel tells, for each one, as it goes out):
        at once, unless the last second's messages reached the messenger's limit (a burst
        of replies beside a fan-out): then it waits for a slot, a few milliseconds, instead
        of a 429. The outbox's message counted at its turn is not counted twice."""
        prepaid = _PREPAID.get()
        if prepaid is not None and prepaid[0] > 0:
            prepaid[0] -= 1
            return
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            self._forget_old(now)
            if len(self._sent) < self._limit:
                break
            await asyncio.sleep(self._sent[0] + WINDOW - now)
        self._sent.append(loop.time())

    def sent(self, count: int = 1) -> None:
        """``count`` messages were posted now (as :meth:`posting`, without waiting)."""
        now = asyncio.get_running_loop().time()
        self._forget_old(now)
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
                # at least one slot of every second is left to the replies
                threshold = max(1, min(int(self._budget), self._limit - 1))
                full = len(self._sent) >= threshold and self._sent
                wait = max(spacing, (self._sent[0] + WINDOW - now) if full else 0.0)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self._last_bulk = loop.time()
            self._sent.append(self._last_bulk)  # counted now (see outbox_turn)
