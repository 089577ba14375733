"""The bot's processes on one database: who is alive, who holds the scheduler's lease."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage._sql import SqlParts
from storage._time import from_db, to_db

ALIVE_FOR = timedelta(seconds=30)
"""A process not heard of for this long is taken for dead (it says it is alive every 5 s;
longer than the scheduler's lease, whose holder steps down once it cannot renew it)."""


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
                    and not await self._gone(held["holder"]):
                return False  # (until it runs out, unless its holder is surely gone)
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

    async def _gone(self, instance: str) -> bool:
        """Whether ``instance`` surely stopped: it left, or its lock in the server went
        with its connection (a process cut off from the server still holds it)."""
        row = await self._one("SELECT lock_key FROM instances WHERE id = ?", (instance,))
        if row is None:
            return True
        held = await self._held_lock_keys()
        return held is not None and row["lock_key"] not in held

    async def live_instances(self, now: datetime) -> set[str]:
        """The processes alive ``now``: heard of lately (and, where the engine can tell at
        once that a process is gone, not gone)."""
        rows = await self._all("SELECT id, lock_key FROM instances WHERE seen_at >= ?",
                               (to_db(now - ALIVE_FOR),))
        held = await self._held_lock_keys()
        return {self.instance} | {row["id"] for row in rows
                                  if held is None or row["lock_key"] in held}
