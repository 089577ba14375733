"""Cross-checks (thẩm định) and the chair's settlement of the year's scores.

The chair assigns each unit's sheet to a reviewing unit; the reviewer proposes a score per
line with its reason; the chair settles the final score of any line with a reason, then
makes the whole settlement final (the ranking is read from it from then on). Every change
is written to the audit log with the points before and after, so a unit can be told why its
score moved; nothing changes once the settlement is final.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from storage._sql import SqlParts, Statements
from storage._time import from_db, to_db
from storage.year_records import ProposedScore, ReviewAssignment, SettledScore


class SqlReviews(SqlParts):
    """The cross-check and settlement part of the repository."""

    async def _settled(self, db: Statements, year_id: int) -> bool:
        async with db.execute("SELECT settled_at FROM emulation_years WHERE id = ?",
                              (year_id,)) as cursor:
            row = await cursor.fetchone()
        return row is None or row["settled_at"] is not None

    async def assign_reviewers(self, year_id: int, pairs: list[tuple[int, int]], *,
                               member_id: int | None, actor: str, now: datetime) -> bool:
        """Each ``(unit, reviewer unit)``, replacing the year's earlier assignment (the
        scores proposed so far stay, under the unit that proposed them); ``False`` once
        the settlement is final."""
        async with self._transaction() as db:
            if await self._settled(db, year_id):
                return False
            await db.execute("DELETE FROM score_reviewers WHERE year_id = ?", (year_id,))
            await db.executemany(
                "INSERT INTO score_reviewers (year_id, unit_id, reviewer_unit_id, assigned_by, "
                "assigned_at) VALUES (?, ?, ?, ?, ?)",
                [(year_id, unit, reviewer, member_id, to_db(now)) for unit, reviewer in pairs])
            await self._insert_audit(db, actor=actor, action="review.assign",
                                     subject=f"year:{year_id}",
                                     details={"pairs": [list(pair) for pair in pairs]}, now=now)
        return True

    async def review_assignments(self, year_id: int) -> dict[int, ReviewAssignment]:
        """Each reviewed unit's reviewer (and when it finished)."""
        rows = await self._all("SELECT * FROM score_reviewers WHERE year_id = ?", (year_id,))
        return {row["unit_id"]: ReviewAssignment(
            row["unit_id"], row["reviewer_unit_id"],
            from_db(row["done_at"]) if row["done_at"] else None) for row in rows}

    async def propose_score(self, year_id: int, unit_id: int, code: str, reviewer_unit_id: int,
                            points: Decimal, reason: str, *, member_id: int | None, actor: str,
                            now: datetime) -> bool:
        """The reviewer's score for one line (replacing its earlier one); ``False`` once the
        settlement is final or when ``reviewer_unit_id`` no longer reviews the unit."""
        async with self._transaction() as db:
            if await self._settled(db, year_id):
                return False
            async with db.execute(
                    "SELECT 1 FROM score_reviewers WHERE year_id = ? AND unit_id = ? AND "
                    "reviewer_unit_id = ?", (year_id, unit_id, reviewer_unit_id)) as cursor:
                if await cursor.fetchone() is None:
                    return False
            await db.execute(
                "INSERT INTO score_reviews (year_id, unit_id, code, reviewer_unit_id, points, "
                "reason, reviewed_by, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (year_id, unit_id, code) DO UPDATE SET "
                "reviewer_unit_id = excluded.reviewer_unit_id, points = excluded.points, "
                "reason = excluded.reason, reviewed_by = excluded.reviewed_by, "
                "reviewed_at = excluded.reviewed_at",
                (year_id, unit_id, code, reviewer_unit_id, str(points), reason, member_id,
                 to_db(now)))
            await db.execute("UPDATE score_reviewers SET done_at = NULL WHERE year_id = ? AND "
                             "unit_id = ?", (year_id, unit_id))
            await self._insert_audit(db, actor=actor, action="review.propose",
                                     subject=f"year:{year_id}:unit:{unit_id}:{code}",
                                     details={"points": str(points), "reason": reason,
                                              "reviewer": reviewer_unit_id}, now=now)
        return True

    async def finish_review(self, year_id: int, unit_id: int, reviewer_unit_id: int, *,
                            actor: str, now: datetime) -> bool:
        """The reviewer has checked the whole sheet; ``False`` if it does not review it or
        the settlement is final."""
        async with self._transaction() as db:
            if await self._settled(db, year_id):
                return False
            cursor = await db.execute(
                "UPDATE score_reviewers SET done_at = ? WHERE year_id = ? AND unit_id = ? AND "
                "reviewer_unit_id = ?", (to_db(now), year_id, unit_id, reviewer_unit_id))
            if cursor.rowcount != 1:
                return False
            await self._insert_audit(db, actor=actor, action="review.done",
                                     subject=f"year:{year_id}:unit:{unit_id}", details={},
                                     now=now)
        return True

    async def proposed_scores(self, year_id: int) -> dict[int, dict[str, ProposedScore]]:
        """Each unit's proposed scores by line code."""
        found: dict[int, dict[str, ProposedScore]] = defaultdict(dict)
        for row in await self._all("SELECT * FROM score_reviews WHERE year_id = ?", (year_id,)):
            found[row["unit_id"]][row["code"]] = ProposedScore(
                row["unit_id"], row["code"], row["reviewer_unit_id"], Decimal(row["points"]),
                row["reason"], from_db(row["reviewed_at"]))
        return dict(found)

    async def settle_score(self, year_id: int, unit_id: int, code: str, points: Decimal,
                           reason: str | None, *, member_id: int | None, actor: str,
                           now: datetime) -> bool:
        """The chair's final score for one line; ``False`` once the settlement is final."""
        async with self._transaction() as db:
            if await self._settled(db, year_id):
                return False
            async with db.execute(
                    "SELECT points FROM self_scores WHERE year_id = ? AND unit_id = ? AND "
                    "code = ?", (year_id, unit_id, code)) as cursor:
                own = await cursor.fetchone()
            await db.execute(
                "INSERT INTO settled_scores (year_id, unit_id, code, points, reason, settled_by, "
                "settled_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (year_id, unit_id, code) DO UPDATE SET points = excluded.points, "
                "reason = excluded.reason, settled_by = excluded.settled_by, "
                "settled_at = excluded.settled_at",
                (year_id, unit_id, code, str(points), reason, member_id, to_db(now)))
            await self._insert_audit(db, actor=actor, action="score.settle",
                                     subject=f"year:{year_id}:unit:{unit_id}:{code}",
                                     details={"self": own["points"] if own else None,
                                              "final": str(points), "reason": reason}, now=now)
        return True

    async def settled_scores(self, year_id: int) -> dict[int, dict[str, SettledScore]]:
        """Each unit's settled lines by code."""
        found: dict[int, dict[str, SettledScore]] = defaultdict(dict)
        for row in await self._all("SELECT * FROM settled_scores WHERE year_id = ?",
                                   (year_id,)):
            found[row["unit_id"]][row["code"]] = SettledScore(
                row["unit_id"], row["code"], Decimal(row["points"]), row["reason"],
                from_db(row["settled_at"]))
        return dict(found)

    async def finalize_settlement(self, year_id: int, *, member_id: int | None, actor: str,
                                  now: datetime) -> bool:
        """Make the year's scores final; ``False`` if they already were."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE emulation_years SET settled_at = ?, settled_by = ? WHERE id = ? AND "
                "settled_at IS NULL", (to_db(now), member_id, year_id))
            if cursor.rowcount != 1:
                return False
            await self._insert_audit(db, actor=actor, action="score.final",
                                     subject=f"year:{year_id}", details={}, now=now)
        return True
