"""Trying a messenger's API call again: the one retry loop every channel uses.

Each channel says, per error, whether trying again can help and after how long
(a 429's ``retry_after``); network errors and 5xx answers wait 0.5 s, 1 s, 2 s….

Who retries is decided once: a message the outbox sends is tried once per attempt
(the outbox owns its retries, with backoff, across restarts), an interactive reply
gets one short retry (a ``retry_after`` longer than a few seconds hands it to the
outbox instead of keeping the person waiting) — see :func:`plan`. Stacked, the
three layers there were made up to 96 calls for one message under a 429 storm.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

log = logging.getLogger(__name__)

ATTEMPTS = 4
FIRST_DELAY = 0.5
BACKOFF = 0.0
"""What a classifier returns for "try again after the next growing delay"."""

ONCE = 1  # the outbox's sends: it retries them itself
INTERACTIVE, SHORT_WAIT = 2, 3.0  # a reply: one retry, waiting at most SHORT_WAIT seconds

T = TypeVar("T")
_PLAN: ContextVar[tuple[int, float]] = ContextVar("retry_plan", default=(ATTEMPTS, math.inf))


@contextmanager
def plan(attempts: int, longest_wait: float = math.inf) -> Iterator[None]:
    """Inside the block, each call gets ``attempts`` tries and no wait longer than
    ``longest_wait`` seconds (a longer ``retry_after`` is given up at once)."""
    token = _PLAN.set((attempts, longest_wait))
    try:
        yield
    finally:
        _PLAN.reset(token)

START_TRIES = 4  # connecting at start: 1 s, 2 s, 4 s between tries — a network blip passes
START_FIRST_WAIT = 1.0


async def at_start(call: Callable[[], Awaitable[T]], what: str,
                   blip: Callable[[Exception], bool]) -> T:
    """Connect at start, trying again while ``blip`` says the failure may pass (the network,
    the server restarting); anything else, or the last try's failure, is raised."""
    wait = START_FIRST_WAIT
    for attempt in range(1, START_TRIES + 1):
        try:
            return await call()
        except Exception as exc:
            if attempt == START_TRIES or not blip(exc):
                raise
            log.warning("%s failed (%s); trying again in %.0f s", what,
                        (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200], wait)
            await asyncio.sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")


Classify = Callable[[Exception], float | None]
"""Seconds to wait before trying again, :data:`BACKOFF`, or ``None``: give up now."""


async def with_retries(call: Callable[[], Awaitable[T]], what: str, classify: Classify) -> T:
    """Run ``call``, trying again while ``classify`` says it may help (within the
    current :func:`plan`); the last error is raised as it came."""
    attempts, longest_wait = _PLAN.get()
    delay = FIRST_DELAY
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except Exception as exc:
            wait = classify(exc)
            if wait is None or attempt == attempts:
                raise
            if wait == BACKOFF:
                wait, delay = delay, delay * 2
            if wait > longest_wait:
                raise
            log.warning("%s failed (%s), retrying in %.1fs", what, exc, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
