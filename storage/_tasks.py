"""Tasks and periods changed in chat by the chair: audited, and kept through file reloads."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from storage._bloc_sync import renumber
from storage._sql import SqlParts
from storage._time import day_to_db, to_db
from storage.records import Deadline

_UNSET: Any = object()


class SqlTasks(SqlParts):
    """The chat-managed task list part of the repository."""

    async def add_task(self, *, period_id: int, title: str, description: str | None,
                       deadline: Deadline | None, unit_ids: list[int] | None, actor: str,
                       now: datetime) -> int:
        """Append a task to a period; returns its id."""
        async with self._transaction() as db:
            row = await self._one(
                "SELECT COALESCE(MAX(position), 0) + 1, COUNT(*) + 1 FROM tasks "
                "WHERE period_id = ?", (period_id,))
            position, serial = (int(row[0]), int(row[1])) if row else (1, 1)
            cursor = await db.execute(
                """
                INSERT INTO tasks (period_id, code, position, title, description, deadline_at,
                                   deadline_all_day, unit_ids, managed_in_chat)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                """,
                (period_id, f"chat-{serial}-{int(now.timestamp())}", position, title,
                 description, to_db(deadline.at) if deadline else None,
                 int(deadline.all_day) if deadline else 0,
                 json.dumps(unit_ids) if unit_ids else None))
            task_id = int(cursor.lastrowid or 0)
            await self._insert_audit(db, actor=actor, action="task.add", subject=f"task:{task_id}",
                                     details={"title": title, "period_id": period_id}, now=now)
            await renumber(db, period_id)
        return task_id

    async def change_task(self, task_id: int, *, actor: str, now: datetime,
                          title: str = _UNSET, description: str | None = _UNSET,
                          deadline: Deadline | None = _UNSET,
                          unit_ids: list[int] | None = _UNSET) -> None:
        """Change some fields of a task; the change wins over the bloc file from now on."""
        changes: dict[str, Any] = {}
        if title is not _UNSET:
            changes["title"] = title
        if description is not _UNSET:
            changes["description"] = description
        if deadline is not _UNSET:
            changes["deadline_at"] = to_db(deadline.at) if deadline else None
            changes["deadline_all_day"] = int(deadline.all_day) if deadline else 0
        if unit_ids is not _UNSET:
            changes["unit_ids"] = json.dumps(unit_ids) if unit_ids else None
        if not changes:
            return
        assignments = ", ".join(f"{column} = ?" for column in changes)
        async with self._transaction() as db:
            await db.execute(
                f"UPDATE tasks SET {assignments}, managed_in_chat = 1 WHERE id = ?",  # noqa: S608
                (*changes.values(), task_id))
            await self._insert_audit(db, actor=actor, action="task.change",
                                     subject=f"task:{task_id}", details=changes, now=now)

    async def move_task(self, task_id: int, position: int, *, actor: str, now: datetime) -> None:
        """Put a task at ``position`` (1 = first); the period keeps this order from now on."""
        async with self._transaction() as db:
            row = await self._one("SELECT period_id FROM tasks WHERE id = ?", (task_id,))
            if row is None:
                return
            period_id = int(row[0])
            rows = await self._all("SELECT id FROM tasks WHERE period_id = ? AND active = 1 "
                                   "ORDER BY position, id", (period_id,))
            order = [r[0] for r in rows if r[0] != task_id]
            order.insert(max(0, min(position - 1, len(order))), task_id)
            await db.executemany("UPDATE tasks SET position = ? WHERE id = ?",
                                 [(number, tid) for number, tid in enumerate(order, 1)])
            await db.execute("UPDATE periods SET order_in_chat = 1 WHERE id = ?", (period_id,))
            await self._insert_audit(db, actor=actor, action="task.move",
                                     subject=f"task:{task_id}", details={"position": position},
                                     now=now)

    async def close_task(self, task_id: int, *, actor: str, now: datetime) -> None:
        """Take a task off the list (its updates stay in the history)."""
        async with self._transaction() as db:
            row = await self._one("SELECT period_id FROM tasks WHERE id = ?", (task_id,))
            await db.execute("UPDATE tasks SET active = 0, managed_in_chat = 1 WHERE id = ?",
                             (task_id,))
            await self._insert_audit(db, actor=actor, action="task.close",
                                     subject=f"task:{task_id}", details={}, now=now)
            if row is not None:
                await renumber(db, int(row[0]))

    async def set_report_deadline(self, period_id: int, deadline: Deadline | None, *,
                                  actor: str, now: datetime) -> None:
        """Set (or clear) a period's report deadline in chat; later reloads of the bloc file
        keep it."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE periods SET report_deadline_at = ?, report_deadline_all_day = ?, "
                "deadline_in_chat = 1 WHERE id = ?",
                (to_db(deadline.at) if deadline else None,
                 int(deadline.all_day) if deadline else 0, period_id))
            await self._insert_audit(
                db, actor=actor, action="period.deadline", subject=f"period:{period_id}",
                details={"deadline": to_db(deadline.at) if deadline else None,
                         "all_day": deadline.all_day if deadline else None}, now=now)

    async def open_period(self, *, bloc_id: int, title: str, start: date, end: date,
                          deadline: Deadline | None, actor: str, now: datetime) -> int:
        """Open a new reporting period in chat; returns its id."""
        async with self._transaction() as db:
            cursor = await db.execute(
                """
                INSERT INTO periods (bloc_id, code, title, start_date, end_date,
                    report_deadline_at, report_deadline_all_day, managed_in_chat,
                    deadline_in_chat)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)
                """,
                (bloc_id, f"chat-{start.isoformat()}-{int(now.timestamp())}", title,
                 day_to_db(start), day_to_db(end), to_db(deadline.at) if deadline else None,
                 int(deadline.all_day) if deadline else 0))
            period_id = int(cursor.lastrowid or 0)
            await self._insert_audit(db, actor=actor, action="period.open",
                                     subject=f"period:{period_id}",
                                     details={"title": title, "start": start.isoformat(),
                                              "end": end.isoformat()}, now=now)
        return period_id
