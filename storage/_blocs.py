"""The bloc as loaded from its file, the updates received and handled, and the audit log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from config.bloc import BlocConfig
from storage import _bloc_sync
from storage._sql import Row, SqlParts
from storage._time import day_from_db, from_db, to_db
from storage.records import (
    AuditEntry,
    Bloc,
    Conference,
    Deadline,
    Period,
    SyncSummary,
    Task,
    Unit,
)


def _deadline(at: str | None, all_day: int) -> Deadline | None:
    return Deadline(from_db(at), bool(all_day)) if at else None


def period_of(row: Row) -> Period:
    return Period(
        id=row["id"], bloc_id=row["bloc_id"], code=row["code"], title=row["title"],
        start=day_from_db(row["start_date"]), end=day_from_db(row["end_date"]),
        report_deadline=_deadline(row["report_deadline_at"], row["report_deadline_all_day"]),
        reminder_plan=json.loads(row["reminder_plan"]) if row["reminder_plan"] else None,
    )


def task_of(row: Row) -> Task:
    return Task(
        id=row["id"], period_id=row["period_id"], code=row["code"],
        position=row["position"], title=row["title"], description=row["description"],
        deadline=_deadline(row["deadline_at"], row["deadline_all_day"]),
        unit_ids=tuple(json.loads(row["unit_ids"])) if row["unit_ids"] else None,
    )


def unit_of(row: Row) -> Unit:
    return Unit(
        id=row["id"], bloc_id=row["bloc_id"], code=row["code"], name=row["name"],
        short_name=row["short_name"], aliases=tuple(json.loads(row["aliases"])),
        position=row["position"],
    )


def _bloc(row: Row) -> Bloc:
    return Bloc(
        id=row["id"], code=row["code"], name=row["name"], ministry=row["ministry"],
        year=row["year"], theme=row["theme"], timezone=row["timezone"],
        chair_unit_id=row["chair_unit_id"], deputy_unit_id=row["deputy_unit_id"],
        liaison_organisation=row["liaison_organisation"],
        liaison_person=row["liaison_person"], groups=json.loads(row["groups"]),
        announce_updates=bool(row["announce_updates"]),
        reminder_plan=json.loads(row["reminder_plan"] or "{}"),
        signer_name=row["signer_name"], signer_title=row["signer_title"],
        handover=json.loads(row["handover"]) if row["handover"] else None,
    )


class SqlBlocs(SqlParts):
    """The bloc's part of the repository, and its bookkeeping."""

    # -- the bloc ---------------------------------------------------------------------------

    async def sync_bloc(self, config: BlocConfig, now: datetime) -> SyncSummary:
        async with self._transaction() as db:
            bloc_id, counter = await _bloc_sync.sync_bloc(db, config)
            summary = SyncSummary(bloc_id, counter.created, counter.updated, counter.retired,
                                  tuple(counter.skipped))
            await db.execute("UPDATE blocs SET loaded_at = ? WHERE id = ?",
                             (to_db(now), bloc_id))
            if summary.changed:
                await self._insert_audit(
                    db, actor="bloc-file", action="bloc.sync", subject=config.code, now=now,
                    details={"created": summary.created, "updated": summary.updated,
                             "retired": summary.retired},
                )
        return summary

    async def get_bloc(self, code: str) -> Bloc | None:
        row = await self._one("SELECT * FROM blocs WHERE code = ?", (code,))
        return _bloc(row) if row is not None else None

    async def bloc_by_id(self, bloc_id: int) -> Bloc | None:
        row = await self._one("SELECT * FROM blocs WHERE id = ?", (bloc_id,))
        return _bloc(row) if row is not None else None

    async def last_loaded_bloc(self) -> Bloc | None:
        """The bloc the bloc file loaded last (kept when a later edit of the file is broken)."""
        row = await self._one("SELECT * FROM blocs WHERE loaded_at IS NOT NULL "
                              "ORDER BY loaded_at DESC LIMIT 1")
        return _bloc(row) if row is not None else None

    async def list_units(self, bloc_id: int) -> list[Unit]:
        rows = await self._all(
            "SELECT * FROM units WHERE bloc_id = ? AND active = 1 ORDER BY position", (bloc_id,)
        )
        return [unit_of(row) for row in rows]

    async def get_unit(self, unit_id: int) -> Unit | None:
        row = await self._one("SELECT * FROM units WHERE id = ?", (unit_id,))
        return unit_of(row) if row else None

    async def list_movements(self, bloc_id: int) -> list[str]:
        rows = await self._all(
            "SELECT name FROM movements WHERE bloc_id = ? AND active = 1 ORDER BY position",
            (bloc_id,),
        )
        return [row["name"] for row in rows]

    async def list_periods(self, bloc_id: int) -> list[Period]:
        rows = await self._all(
            "SELECT * FROM periods WHERE bloc_id = ? AND active = 1 ORDER BY start_date, id",
            (bloc_id,),
        )
        return [period_of(row) for row in rows]

    async def list_tasks(self, period_id: int) -> list[Task]:
        rows = await self._all(
            "SELECT * FROM tasks WHERE period_id = ? AND active = 1 ORDER BY position",
            (period_id,),
        )
        return [task_of(row) for row in rows]

    async def list_conferences(self, bloc_id: int) -> list[Conference]:
        rows = await self._all(
            "SELECT * FROM conferences WHERE bloc_id = ? AND active = 1 ORDER BY starts_at",
            (bloc_id,),
        )
        return [
            Conference(
                id=row["id"], bloc_id=row["bloc_id"], code=row["code"], kind=row["kind"],
                title=row["title"], starts=Deadline(from_db(row["starts_at"]),
                                                    bool(row["all_day"])),
                place=row["place"], agenda=tuple(json.loads(row["agenda"])),
                reminder_plan=json.loads(row["reminder_plan"]) if row["reminder_plan"] else None,
                report_deadline=_deadline(row["report_deadline_at"],
                                          row["report_deadline_all_day"]),
            )
            for row in rows
        ]

    # -- bookkeeping ------------------------------------------------------------------------

    async def mark_handled(self, channel: str, update_key: str, now: datetime) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO processed_updates (channel, update_key, processed_at) "
                "VALUES (?, ?, ?)",
                (channel, update_key, to_db(now)),
            )
            return cursor.rowcount == 1

    async def was_handled(self, channel: str, update_key: str) -> bool:
        return await self._one(
            "SELECT 1 FROM processed_updates WHERE channel = ? AND update_key = ?",
            (channel, update_key)) is not None

    async def forget_handled(self, before: datetime) -> int:
        async with self._transaction() as db:
            cursor = await db.execute("DELETE FROM processed_updates WHERE processed_at < ?",
                                      (to_db(before),))
            return max(cursor.rowcount, 0)

    # -- audit ------------------------------------------------------------------------------

    async def audit(
        self, *, actor: str, action: str, subject: str, details: dict[str, Any], now: datetime
    ) -> None:
        async with self._transaction() as db:
            await self._insert_audit(
                db, actor=actor, action=action, subject=subject, details=details, now=now
            )

    async def list_audit(self, limit: int = 100) -> list[AuditEntry]:
        rows = await self._all("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,),
                               slow=True)
        return [
            AuditEntry(
                id=row["id"], at=from_db(row["at"]), actor=row["actor"], action=row["action"],
                subject=row["subject"], details=json.loads(row["details"]),
            )
            for row in rows
        ]
