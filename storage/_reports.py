"""Progress updates in SQLite: versioned per unit x task, never overwritten."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage._sql import Row, SqlParts
from storage._time import from_db, to_db
from storage.records import (
    Attachment,
    NewProgressUpdate,
    ProgressStatus,
    ProgressUpdate,
)

# the standing version of each unit x task: the newest not withdrawn, marked on every write
# (migration 9), so reading the bloc's matrix reads only the rows it shows
_COLUMNS = ("id, unit_id, task_id, version, status, percent, note, help_needed, "
            "author_member_id, author_name, on_behalf, created_at, withdrawn_at")
_SELECT = f"SELECT {_COLUMNS} FROM progress_updates"  # noqa: S608 (no input in it)
_LATEST = _SELECT + " AS p WHERE p.latest = 1"
_UNMARK = "UPDATE progress_updates SET latest = 0 WHERE unit_id = ? AND task_id = ? AND latest = 1"
_MARK_NEWEST = """
    UPDATE progress_updates SET latest = 1 WHERE id = (
        SELECT id FROM progress_updates
        WHERE unit_id = ? AND task_id = ? AND withdrawn_at IS NULL
        ORDER BY version DESC LIMIT 1)
"""  # after _UNMARK: one statement each, so the one-latest index never sees two


_STATUS = {status.value: status for status in ProgressStatus}  # a dict look-up, not Enum()


def _update(row: Row, attachments: tuple[Attachment, ...]) -> ProgressUpdate:
    """A row of :data:`_SELECT` as a record (by position: a status view maps hundreds)."""
    (update_id, unit_id, task_id, version, status, percent, note, help_needed, author_id,
     author_name, on_behalf, created_at, withdrawn_at) = row
    return ProgressUpdate(
        update_id, unit_id, task_id, version, _STATUS[status], percent, note, help_needed,
        author_id, author_name, bool(on_behalf), from_db(created_at),
        from_db(withdrawn_at) if withdrawn_at else None, attachments)


class SqlReports(SqlParts):
    """The progress-update part of the repository."""

    async def record_update(self, new: NewProgressUpdate, now: datetime) -> ProgressUpdate:
        """Store a new version of the unit's report on the task (numbered, audited)."""
        async with self._transaction() as db:
            row = await self._one(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM progress_updates "
                "WHERE unit_id = ? AND task_id = ?", (new.unit_id, new.task_id))
            version = int(row[0]) if row else 1
            await db.execute(_UNMARK, (new.unit_id, new.task_id))
            cursor = await db.execute(
                """
                INSERT INTO progress_updates (unit_id, task_id, version, status, percent, note,
                    help_needed, author_member_id, author_name, on_behalf, created_at, latest)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                """,
                (new.unit_id, new.task_id, version, new.status.value, new.percent, new.note,
                 new.help_needed, new.author_member_id, new.author_name, int(new.on_behalf),
                 to_db(now)),
            )
            update_id = int(cursor.lastrowid or 0)
            await db.executemany(
                "INSERT INTO update_attachments (update_id, channel, file_id, kind, name, "
                "mime_type, size) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(update_id, a.channel, a.file_id, a.kind, a.name, a.mime_type, a.size)
                 for a in new.attachments],
            )
            await self._insert_audit(
                db, actor=f"member:{new.author_member_id}", action="update.record",
                subject=f"update:{update_id}",
                details={"unit_id": new.unit_id, "task_id": new.task_id, "version": version,
                         "status": new.status.value, "percent": new.percent,
                         "on_behalf": new.on_behalf},
                now=now,
            )
        stored = await self.get_update(update_id)
        assert stored is not None
        return stored

    async def get_update(self, update_id: int) -> ProgressUpdate | None:
        """One stored version by its number."""
        row = await self._one(_SELECT + " WHERE id = ?", (update_id,))
        if row is None:
            return None
        return _update(row, (await self._attachments([update_id])).get(update_id, ()))

    async def latest_updates(self, unit_id: int,
                             task_ids: Sequence[int]) -> dict[int, ProgressUpdate]:
        """The unit's latest standing (not withdrawn) update per task, by task id."""
        if not task_ids:
            return {}
        marks = ", ".join("?" for _ in task_ids)
        rows = await self._all(
            _LATEST + f" AND p.unit_id = ? AND p.task_id IN ({marks})",
            (unit_id, *task_ids),
        )
        attachments = await self._attachments([row["id"] for row in rows])
        return {row["task_id"]: _update(row, attachments.get(row["id"], ())) for row in rows}

    async def latest_for_period(self, period_id: int) -> list[ProgressUpdate]:
        """Every unit's latest standing update on every task of a period (the bloc's matrix)."""
        rows = await self._all(
            _LATEST + " AND p.task_id IN (SELECT id FROM tasks WHERE period_id = ? "  # noqa: S608
            "AND active = 1)",
            (period_id,),
        )
        attachments = await self._attachments([row["id"] for row in rows])
        return [_update(row, attachments.get(row["id"], ())) for row in rows]

    async def history_for_period(self, period_id: int) -> list[ProgressUpdate]:
        """Every version of every unit's report on the period's active tasks, in one query."""
        rows = await self._all(
            _SELECT + " WHERE task_id IN "  # noqa: S608 (constants only)
            "(SELECT id FROM tasks WHERE period_id = ? AND active = 1) "
            "ORDER BY unit_id, task_id, version", (period_id,), slow=True)  # for exports
        attachments = await self._attachments([row["id"] for row in rows], slow=True)
        return [_update(row, attachments.get(row["id"], ())) for row in rows]

    async def update_history(self, unit_id: int, task_id: int) -> list[ProgressUpdate]:
        """Every version of the unit's report on the task, oldest first, withdrawn included."""
        rows = await self._all(
            _SELECT + " WHERE unit_id = ? AND task_id = ? ORDER BY version",
            (unit_id, task_id),
        )
        attachments = await self._attachments([row["id"] for row in rows])
        return [_update(row, attachments.get(row["id"], ())) for row in rows]

    async def withdraw_update(self, update_id: int, member_id: int,
                              now: datetime) -> ProgressUpdate | None:
        """Mark a version withdrawn (kept in history); ``None`` if it was already."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE progress_updates SET withdrawn_at = ?, withdrawn_by = ? "
                "WHERE id = ? AND withdrawn_at IS NULL",
                (to_db(now), member_id, update_id),
            )
            if cursor.rowcount != 1:
                return None
            # the newest version still standing becomes the unit's report on the task again
            pair = await self._one("SELECT unit_id, task_id FROM progress_updates WHERE id = ?",
                                   (update_id,))
            assert pair is not None  # just updated, in this transaction
            await db.execute(_UNMARK, (pair[0], pair[1]))
            await db.execute(_MARK_NEWEST, (pair[0], pair[1]))
            await self._insert_audit(db, actor=f"member:{member_id}", action="update.withdraw",
                                     subject=f"update:{update_id}", details={}, now=now)
        return await self.get_update(update_id)

    async def _attachments(self, update_ids: list[int], *,
                           slow: bool = False) -> dict[int, tuple[Attachment, ...]]:
        if not update_ids:
            return {}
        marks = ", ".join("?" for _ in update_ids)
        rows = await self._all(
            f"SELECT * FROM update_attachments WHERE update_id IN ({marks}) ORDER BY id",  # noqa: S608
            tuple(update_ids), slow=slow,
        )
        found: dict[int, list[Attachment]] = {}
        for row in rows:
            found.setdefault(row["update_id"], []).append(Attachment(
                channel=row["channel"], file_id=row["file_id"], kind=row["kind"],
                name=row["name"], mime_type=row["mime_type"], size=row["size"]))
        return {key: tuple(value) for key, value in found.items()}
