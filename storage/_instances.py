"""The bot's processes on one database: who is alive, who holds the scheduler's lease."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage._sql import SqlParts
from storage._time import from_db, to_db

ALIVE_FOR = timedelta(seconds=15)
"""A process not heard of for this long is taken for dead (it says it is alive every 5 s)."""


class SqlInstances(SqlParts):
    """The instances part of the repository."""

    async def heartbeat(self, now: datetime) -> None:
        await self._write_alone(
            "INSERT INTO instances (id, lock_key, started_at, seen_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
            (self.instance, self._lock_key, to_db(now), to_db(now)))

    async def take_lease(self, name: str, now: datetime, ttl: timedelta) -> bool:
        async with self._transaction() as db:
            async with db.execute("SELECT holder, expires_at FROM leases WHERE name = ?",
                                  (name,)) as cursor:
                held = await cursor.fetchone()
            if held is not None and held["holder"] != self.instance \
                    and from_db(held["expires_at"]) > now \
                    and held["holder"] in await self._live_instances(now):
                return False
            await db.execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "expires_at = excluded.expires_at", (name, self.instance, to_db(now + ttl)))
            return True

    async def leave(self) -> None:
        async with self._transaction() as db:
            await db.execute("DELETE FROM leases WHERE holder = ?", (self.instance,))
            await db.execute("UPDATE outbox SET status = 'pending', claimed_by = NULL "
                             "WHERE status = 'sending' AND claimed_by = ?", (self.instance,))
            await db.execute("DELETE FROM instances WHERE id = ?", (self.instance,))

    async def _live_instances(self, now: datetime) -> set[str]:
        """The processes alive ``now``: heard of lately (and, where the engine can tell at
        once that a process is gone, not gone)."""
        rows = await self._all("SELECT id, lock_key FROM instances WHERE seen_at >= ?",
                               (to_db(now - ALIVE_FOR),))
        held = await self._held_lock_keys()
        return {self.instance} | {row["id"] for row in rows
                                  if held is None or row["lock_key"] in held}
