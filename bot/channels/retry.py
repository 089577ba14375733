"""Trying a messenger's API call again: the one retry loop every channel uses.

Each channel says, per error, whether trying again can help and after how long
(a 429's ``retry_after``); network errors and 5xx answers wait 0.5 s, 1 s, 2 s….
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

ATTEMPTS = 4
FIRST_DELAY = 0.5
BACKOFF = 0.0
"""What a classifier returns for "try again after the next growing delay"."""

T = TypeVar("T")
Classify = Callable[[Exception], float | None]
"""Seconds to wait before trying again, :data:`BACKOFF`, or ``None``: give up now."""


async def with_retries(call: Callable[[], Awaitable[T]], what: str, classify: Classify,
                       attempts: int = ATTEMPTS) -> T:
    """Run ``call``, trying again while ``classify`` says it may help; the last error is
    raised as it came."""
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
            log.warning("%s failed (%s), retrying in %.1fs", what, exc, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
