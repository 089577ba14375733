"""One lock per person: their events are handled one at a time, in order."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from storage.repository import Database


class PersonLocks:
    """A lock per (channel, person), alive while someone holds or awaits it; and, where
    several processes of the bot share the database, the person's lock in it too (taken
    second: a process waits for its own turn before it asks the others)."""

    def __init__(self, database: Database | None = None) -> None:
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary())
        self._database = database

    def __call__(self, channel: str, user_id: str) -> AbstractAsyncContextManager[None]:
        """The lock of ``user_id`` on ``channel``, to hold with ``async with``."""
        key = (channel, user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return self._held(lock, channel, user_id)

    @asynccontextmanager
    async def _held(self, lock: asyncio.Lock, channel: str, user_id: str) -> AsyncIterator[None]:
        async with lock:
            if self._database is None:
                yield
                return
            async with self._database.person_lock(channel, user_id):
                yield
