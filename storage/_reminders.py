"""Which reminders went out, and which are paused (per unit, per period's deadline)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from storage._sql import SqlParts
from storage._time import from_db, to_db
from storage.records import Absence, Snooze


class SqlReminders(SqlParts):
    """The reminders' part of the repository."""

    async def sent_reminders(self, occasions: Iterable[str]) -> set[str]:
        """Those of ``occasions`` (keys such as ``deadline:3@1764867600:7d``) already sent
        (or skipped for good)."""
        wanted = list(dict.fromkeys(occasions))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # SQLite's limit on parameters
            chunk = wanted[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = await self._all(
                f"SELECT occasion FROM reminders_sent WHERE occasion IN ({marks})",  # noqa: S608
                tuple(chunk))
            found.update(str(row[0]) for row in rows)
        return found

    async def mark_reminder_sent(self, occasion: str, now: datetime) -> None:
        """The occasion is done: sent, or skipped for a later one."""
        await self._write_alone(
            "INSERT OR IGNORE INTO reminders_sent (occasion, sent_at) VALUES (?, ?)",
            (occasion, to_db(now)))

    async def paused_units(self) -> set[int]:
        """The units whose contacts get no reminders now."""
        return {int(row[0]) for row in await self._all("SELECT unit_id FROM paused_units")}

    async def paused_periods(self) -> set[int]:
        """The periods whose report deadline is reminded to nobody now."""
        return {int(row[0]) for row in await self._all("SELECT period_id FROM paused_periods")}

    async def pause_unit(self, unit_id: int, paused: bool, now: datetime) -> None:
        """Pause (or resume) the reminders of one unit."""
        if paused:
            await self._write_alone("INSERT OR IGNORE INTO paused_units (unit_id, paused_at) "
                                    "VALUES (?, ?)", (unit_id, to_db(now)))
        else:
            await self._write_alone("DELETE FROM paused_units WHERE unit_id = ?", (unit_id,))

    async def pause_period(self, period_id: int, paused: bool, now: datetime) -> None:
        """Pause (or resume) the reminders of one period's report deadline."""
        if paused:
            await self._write_alone("INSERT OR IGNORE INTO paused_periods (period_id, paused_at) "
                                    "VALUES (?, ?)", (period_id, to_db(now)))
        else:
            await self._write_alone("DELETE FROM paused_periods WHERE period_id = ?",
                                    (period_id,))

    async def snooze(self, snooze: Snooze) -> bool:
        """Put off a reminder for one person; ``False`` if they already did (once each)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO snoozes (member_id, occasion, origin_kind, origin_id, "
                "fire_at) VALUES (?, ?, ?, ?, ?)",
                (snooze.member_id, snooze.occasion, snooze.origin[0], snooze.origin[1],
                 to_db(snooze.fire_at)))
            return cursor.rowcount == 1

    async def pending_snoozes(self) -> list[Snooze]:
        """The reminders put off and not yet sent again, soonest first."""
        rows = await self._all("SELECT * FROM snoozes WHERE done_at IS NULL ORDER BY fire_at")
        return [Snooze(int(row["member_id"]), row["occasion"],
                       (row["origin_kind"], int(row["origin_id"])), from_db(row["fire_at"]))
                for row in rows]

    async def snooze_done(self, member_id: int, occasion: str, now: datetime) -> None:
        """The put-off reminder due by ``now`` went out again (or was no longer needed); one
        held over to a later morning meanwhile stays pending."""
        await self._write_alone("UPDATE snoozes SET done_at = ? WHERE member_id = ? AND "
                                "occasion = ? AND fire_at <= ?",
                                (to_db(now), member_id, occasion, to_db(now)))

    async def hold_over(self, snooze: Snooze) -> None:
        """Hold a reminder for one person until ``snooze.fire_at`` (they were told something
        else that day already), whether or not it was put off before."""
        await self._write_alone(
            "INSERT INTO snoozes (member_id, occasion, origin_kind, origin_id, fire_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (member_id, occasion) DO UPDATE SET "
            "fire_at = excluded.fire_at, done_at = NULL",
            (snooze.member_id, snooze.occasion, snooze.origin[0], snooze.origin[1],
             to_db(snooze.fire_at)))

    async def record_letter(self, letter: str, occasions: Iterable[str]) -> None:
        """What a letter of several reminders held (its outbox key → their occasions)."""
        async with self._transaction() as db:
            await db.executemany("INSERT OR IGNORE INTO letter_items (letter, occasion) "
                                 "VALUES (?, ?)", [(letter, occasion) for occasion in occasions])

    async def letter_items(self, letter: str) -> list[str]:
        """The occasions a letter held, or none for a letter not recorded."""
        rows = await self._all("SELECT occasion FROM letter_items WHERE letter = ? "
                               "ORDER BY occasion", (letter,))
        return [row["occasion"] for row in rows]

    async def letters_on(self, since: datetime, until: datetime,
                         kind: str) -> dict[tuple[str, str], set[str]]:
        """The messages of ``kind`` queued (and not dropped) in ``[since, until)``: their keys
        by ``(channel, chat)``."""
        rows = await self._all(
            "SELECT channel, chat_id, dedup_key FROM outbox WHERE kind = ? AND created_at >= ? "
            "AND created_at < ? AND status IN ('pending', 'sending', 'sent')",
            (kind, to_db(since), to_db(until)))
        found: dict[tuple[str, str], set[str]] = {}
        for row in rows:
            found.setdefault((row["channel"], row["chat_id"]), set()).add(row["dedup_key"])
        return found

    async def set_absence(self, absence: Absence, now: datetime) -> None:
        """Record (or replace) a person's absence and who covers for them."""
        await self._write_alone(
            "INSERT INTO absences (member_id, starts, ends, backup_member_id, set_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET "
            "starts = excluded.starts, ends = excluded.ends, "
            "backup_member_id = excluded.backup_member_id, set_at = excluded.set_at",
            (absence.member_id, absence.starts.isoformat(), absence.ends.isoformat(),
             absence.backup_member_id, to_db(now)))

    async def clear_absence(self, member_id: int) -> None:
        """The person is back (or was never going)."""
        await self._write_alone("DELETE FROM absences WHERE member_id = ?", (member_id,))

    async def absences(self) -> dict[int, Absence]:
        """Every recorded absence, by the absent person's member id."""
        rows = await self._all("SELECT * FROM absences")
        return {int(row["member_id"]): Absence(
            int(row["member_id"]), date.fromisoformat(row["starts"]),
            date.fromisoformat(row["ends"]),
            int(row["backup_member_id"]) if row["backup_member_id"] is not None else None)
            for row in rows}
