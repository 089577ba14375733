"""One lock per person: their events are handled one at a time, in order."""

from __future__ import annotations

import asyncio
import weakref


class PersonLocks:
    """A lock per (channel, person), alive while someone holds or awaits it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary())

    def __call__(self, channel: str, user_id: str) -> asyncio.Lock:
        """The lock of ``user_id`` on ``channel``."""
        key = (channel, user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock
