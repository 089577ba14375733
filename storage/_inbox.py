"""Updates written down on receipt, until handled: by the process that received them, or,
when it died, by another (storage/_instances.py says which are alive)."""

from __future__ import annotations

from datetime import datetime

from storage._sql import SqlParts
from storage._time import to_db


class SqlInbox(SqlParts):
    """The inbox part of the repository."""

    async def inbox_add(self, channel: str, updates: list[tuple[str, str, str | None]],
                        now: datetime) -> list[int | None]:
        """Write down ``(key, body, sender)`` updates in one transaction; each one's inbox
        row, or ``None`` for one already waiting."""
        stored: list[int | None] = []
        async with self._transaction() as db:
            for key, body, sender in updates:
                cursor = await db.execute(
                    "INSERT OR IGNORE INTO inbox (channel, update_key, body, received_at, "
                    "received_by, sender) VALUES (?, ?, ?, ?, ?, ?)",
                    (channel, key, body, to_db(now), self.instance, sender))
                stored.append(int(cursor.lastrowid)
                              if cursor.rowcount > 0 and cursor.lastrowid else None)
        return stored

    async def inbox_waiting(self, channel: str, now: datetime) -> list[tuple[int, str]]:
        """Updates received but not yet handled, oldest first: by this process (the database
        refused them a moment ago), or by one no longer alive (a crash, this one's last
        run included); another live process's are its own to handle."""
        live = await self.live_instances(now)
        rows = await self._all("SELECT id, body, received_by FROM inbox WHERE channel = ? "
                               "ORDER BY id", (channel,))
        return [(int(row["id"]), str(row["body"])) for row in rows
                if row["received_by"] is None or row["received_by"] == self.instance
                or row["received_by"] not in live]

    async def inbox_before(self, channel: str, sender: str,
                           receipt: int) -> list[tuple[int, str]]:
        """The sender's updates written down before ``receipt`` and not yet handled, by
        whichever process: handled first, their order is the person's."""
        rows = await self._all("SELECT id, body FROM inbox WHERE channel = ? AND sender = ? "
                               "AND id < ? ORDER BY id", (channel, sender, receipt))
        return [(int(row["id"]), str(row["body"])) for row in rows]

    async def inbox_remove(self, inbox_id: int) -> None:
        """The update was handled: it leaves the inbox."""
        async with self._transaction() as db:
            await db.execute("DELETE FROM inbox WHERE id = ?", (inbox_id,))
