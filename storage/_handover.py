"""The hand-over (chuyển giao): the outgoing chair closes the year and the next year's
officers take office, in one transaction with every role it moves."""

from __future__ import annotations

import json
from datetime import datetime

from storage._sql import SqlParts
from storage._time import to_db
from storage.records import Role
from storage.year_records import HandOver


class SqlHandover(SqlParts):
    """The hand-over part of the repository."""

    async def hand_over(self, bloc_id: int, year: int, *, chair_unit_id: int,
                        deputy_unit_id: int | None, member_id: int | None, actor: str,
                        now: datetime) -> HandOver | None:
        """Close ``year`` and open the next with these officers: the bloc moves to it, the
        outgoing officers become their units' contacts and the incoming units' contacts
        their officers. ``None`` (nothing written) when the bloc is no longer in ``year``."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE blocs SET year = ?, chair_unit_id = ?, deputy_unit_id = ? "
                "WHERE id = ? AND year = ?",
                (year + 1, chair_unit_id, deputy_unit_id, bloc_id, year))
            if cursor.rowcount != 1:
                return None
            await db.execute(
                "INSERT INTO emulation_years (bloc_id, year) VALUES (?, ?) "
                "ON CONFLICT (bloc_id, year) DO NOTHING", (bloc_id, year))
            # the closed year keeps its theme and movements (the next year's file brings its
            # own); officer invites not yet used would make someone an officer of the old year
            async with db.execute("SELECT name FROM movements WHERE bloc_id = ? AND active = 1 "
                                  "ORDER BY position", (bloc_id,)) as cursor:
                movements = [row["name"] for row in await cursor.fetchall()]
            await db.execute(
                "UPDATE emulation_years SET closed_at = ?, theme = (SELECT theme FROM blocs "
                "WHERE id = ?), movements = ? WHERE bloc_id = ? AND year = ?",
                (to_db(now), bloc_id, json.dumps(movements, ensure_ascii=False), bloc_id, year))
            await db.execute(
                "UPDATE invites SET expires_at = ? WHERE bloc_id = ? AND role IN (?, ?) "
                "AND expires_at > ? AND uses < max_uses",
                (to_db(now), bloc_id, Role.CHAIR.value, Role.DEPUTY.value, to_db(now)))
            await db.execute(
                "INSERT INTO emulation_years (bloc_id, year, chair_unit_id, deputy_unit_id, "
                "handed_over_at, handed_over_by) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (bloc_id, year) DO UPDATE SET chair_unit_id = "
                "excluded.chair_unit_id, deputy_unit_id = excluded.deputy_unit_id, "
                "handed_over_at = excluded.handed_over_at, "
                "handed_over_by = excluded.handed_over_by",
                (bloc_id, year + 1, chair_unit_id, deputy_unit_id, to_db(now), member_id))
            async with db.execute(
                    "SELECT id, unit_id, role FROM members WHERE bloc_id = ? AND active = 1 "
                    "AND role IN (?, ?, ?)",
                    (bloc_id, Role.CHAIR.value, Role.DEPUTY.value, Role.CONTACT.value)) as rows:
                members = [(row["id"], row["unit_id"], Role(row["role"]))
                           for row in await rows.fetchall()]
            moved: dict[int, Role] = {}
            for member, unit, role in members:
                wanted = Role.CHAIR if unit == chair_unit_id else Role.DEPUTY \
                    if unit == deputy_unit_id else Role.CONTACT
                if wanted is not role:
                    moved[member] = wanted
            await db.executemany("UPDATE members SET role = ? WHERE id = ?",
                                 [(role.value, member) for member, role in moved.items()])
            await self._insert_audit(db, actor=actor, action="year.hand_over",
                                     subject=f"bloc:{bloc_id}:year:{year}", details={
                                         "next_year": year + 1, "chair_unit_id": chair_unit_id,
                                         "deputy_unit_id": deputy_unit_id,
                                         "roles": {str(k): v.value for k, v in moved.items()}},
                                     now=now)
        return HandOver(year, year + 1, chair_unit_id, deputy_unit_id, moved)
