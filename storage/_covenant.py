"""The year's covenant: opened for signing by the chair, signed once by each unit."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage._sql import Row, SqlParts
from storage._time import from_db, to_db
from storage.records import Deadline
from storage.year_records import Covenant, CovenantSignature


def covenant_of(row: Row) -> Covenant | None:
    """The covenant stored with a year, and when it was opened."""
    if not row["covenant"]:
        return None
    data: dict[str, Any] = json.loads(row["covenant"])
    return Covenant(
        text=tuple(data["text"]),
        deadline=Deadline(from_db(data["deadline"]), bool(data.get("deadline_all_day"))),
        title=data.get("title"),
        targets={key: tuple(items) for key, items in (data.get("targets") or {}).items()},
        opens=from_db(data["opens"]) if data.get("opens") else None,
        reminder_days=tuple(data["reminder_days"]) if data.get("reminder_days") is not None
        else None,
        opened_at=from_db(row["covenant_opened_at"]) if row["covenant_opened_at"] else None)


class SqlCovenant(SqlParts):
    """The covenant part of the repository."""

    async def open_covenant(self, year_id: int, *, member_id: int | None, actor: str,
                            now: datetime) -> bool:
        """Open the year's covenant for signing; ``False`` if it was open already."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE emulation_years SET covenant_opened_at = ?, covenant_opened_by = ? "
                "WHERE id = ? AND covenant IS NOT NULL AND covenant_opened_at IS NULL",
                (to_db(now), member_id, year_id))
            if cursor.rowcount != 1:
                return False
            await self._insert_audit(db, actor=actor, action="covenant.open",
                                     subject=f"year:{year_id}", details={}, now=now)
        return True

    async def sign_covenant(self, year_id: int, unit_id: int, *, member_id: int | None,
                            signer_name: str, signer_title: str, actor: str,
                            now: datetime) -> bool:
        """The unit's signature; ``False`` if the unit has signed already or the covenant
        is not open."""
        async with self._transaction() as db:
            async with db.execute("SELECT covenant_opened_at FROM emulation_years WHERE id = ?",
                                  (year_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None or row["covenant_opened_at"] is None:
                return False
            cursor = await db.execute(
                "INSERT INTO covenant_signatures (year_id, unit_id, member_id, signer_name, "
                "signer_title, signed_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (year_id, unit_id) DO NOTHING",
                (year_id, unit_id, member_id, signer_name, signer_title, to_db(now)))
            if cursor.rowcount != 1:
                return False
            await self._insert_audit(db, actor=actor, action="covenant.sign",
                                     subject=f"year:{year_id}:unit:{unit_id}",
                                     details={"name": signer_name, "title": signer_title},
                                     now=now)
        return True

    async def covenant_signatures(self, year_id: int) -> dict[int, CovenantSignature]:
        """Each unit's signature, by unit."""
        rows = await self._all("SELECT * FROM covenant_signatures WHERE year_id = ?",
                               (year_id,))
        return {row["unit_id"]: CovenantSignature(
            row["unit_id"], row["member_id"], row["signer_name"], row["signer_title"],
            from_db(row["signed_at"])) for row in rows}
