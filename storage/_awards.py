"""The year's commendation proposals: the forms the bloc file gives, each unit's nominations
of its exemplary collectives and individuals, and the chair's decision on each. Every change
is written to the audit log."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any, Literal

from config.awards import AwardFormConfig
from storage._sql import Row, SqlParts
from storage._time import from_db, to_db
from storage.records import Attachment, Deadline
from storage.year_records import Awards, Nomination

Decided = Literal["done", "over_quota", "gone"]


def awards_of(stored: str | None) -> Awards | None:
    """The year's proposals' rules as stored with it (see ``_bloc_sync._awards``)."""
    if not stored:
        return None
    data: dict[str, Any] = json.loads(stored)
    return Awards(
        recipient=data["recipient"], grounds=tuple(data.get("grounds") or ()),
        forms=tuple(AwardFormConfig.model_validate(form) for form in data["forms"]),
        deadline=Deadline(from_db(data["deadline"]), bool(data.get("deadline_all_day"))),
        opens=from_db(data["opens"]) if data.get("opens") else None)


def _nomination(row: Row) -> Nomination:
    return Nomination(
        id=row["id"], year_id=row["year_id"], unit_id=row["unit_id"], form=row["form"],
        nominee=row["nominee"], position=row["position"], summary=row["summary"],
        files=tuple(Attachment(**item) for item in json.loads(row["files"])),
        submitted_at=from_db(row["submitted_at"]),
        included=None if row["included"] is None else bool(row["included"]),
        decided_at=from_db(row["decided_at"]) if row["decided_at"] else None)


class SqlAwards(SqlParts):
    """The commendation proposals part of the repository."""

    async def nominate(self, year_id: int, unit_id: int, form: str, nominee: str,
                       position: str | None, summary: str, files: tuple[Attachment, ...], *,
                       per_unit: int | None, member_id: int | None, actor: str,
                       now: datetime) -> int | None:
        """A unit's nomination; ``None`` when the unit has nominated its ``per_unit`` for
        the form already (counted in the same transaction as the write; one the chair left
        out does not count, so the unit may put another forward)."""
        async with self._transaction() as db:
            if per_unit is not None:
                async with db.execute(
                        "SELECT COUNT(*) FROM award_nominations WHERE year_id = ? AND "
                        "unit_id = ? AND form = ? AND (included IS NULL OR included = 1)",
                        (year_id, unit_id, form)) as cursor:
                    row = await cursor.fetchone()
                if row is not None and row[0] >= per_unit:
                    return None
            cursor = await db.execute(
                "INSERT INTO award_nominations (year_id, unit_id, form, nominee, position, "
                "summary, files, submitted_by, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (year_id, unit_id, form, nominee, position, summary,
                 json.dumps([dataclasses.asdict(item) for item in files], ensure_ascii=False),
                 member_id, to_db(now)))
            number = cursor.lastrowid
            assert number is not None
            await self._insert_audit(db, actor=actor, action="awards.nominate",
                                     subject=f"year:{year_id}:nomination:{number}",
                                     details={"unit_id": unit_id, "form": form,
                                              "nominee": nominee, "files": len(files)},
                                     now=now)
        return number

    async def withdraw_nomination(self, nomination_id: int, unit_id: int, *, actor: str,
                                  now: datetime) -> bool:
        """The unit takes back a nomination the chair has not decided on; ``False`` else."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM award_nominations WHERE id = ? AND unit_id = ? AND "
                "included IS NULL", (nomination_id, unit_id))
            if cursor.rowcount != 1:
                return False
            await self._insert_audit(db, actor=actor, action="awards.withdraw",
                                     subject=f"nomination:{nomination_id}", details={},
                                     now=now)
        return True

    async def nominations(self, year_id: int) -> list[Nomination]:
        """The year's nominations, in the order they came."""
        rows = await self._all("SELECT * FROM award_nominations WHERE year_id = ? ORDER BY id",
                               (year_id,))
        return [_nomination(row) for row in rows]

    async def decide_nomination(self, nomination_id: int, include: bool, *,
                                quota: int | None, member_id: int | None, actor: str,
                                now: datetime) -> Decided:
        """The chair includes a nomination in the bloc's proposal or leaves it out.

        ``over_quota`` (nothing written) when including it would pass the form's quota,
        counted in the same transaction; ``gone`` when no such nomination is left."""
        async with self._transaction() as db:
            async with db.execute("SELECT year_id, form, included FROM award_nominations "
                                  "WHERE id = ?", (nomination_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return "gone"
            if include and not row["included"] and quota is not None:
                async with db.execute(
                        "SELECT COUNT(*) FROM award_nominations WHERE year_id = ? AND form = ? "
                        "AND included = 1", (row["year_id"], row["form"])) as cursor:
                    counted = await cursor.fetchone()
                if counted is not None and counted[0] >= quota:
                    return "over_quota"
            await db.execute(
                "UPDATE award_nominations SET included = ?, decided_by = ?, decided_at = ? "
                "WHERE id = ?", (int(include), member_id, to_db(now), nomination_id))
            await self._insert_audit(db, actor=actor, action="awards.decide",
                                     subject=f"nomination:{nomination_id}",
                                     details={"included": include, "before": row["included"]},
                                     now=now)
        return "done"
