"""The emulation year's scores: what each unit gave itself, its evidence files, and the
sheet it submitted once. Every change is written to the audit log."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from storage._awards import awards_of
from storage._covenant import covenant_of
from storage._sql import Row, SqlParts
from storage._time import from_db, to_db
from storage._votes import vote_rules_of
from storage.records import Attachment, Deadline
from storage.year_records import EmulationYear, StoredScore


def _year(row: Row) -> EmulationYear:
    deadline = row["scoring_deadline_at"]
    return EmulationYear(
        id=row["id"], bloc_id=row["bloc_id"], year=row["year"],
        criteria=json.loads(row["criteria"]) if row["criteria"] else None,
        scoring_opens=from_db(row["scoring_opens_at"]) if row["scoring_opens_at"] else None,
        scoring_deadline=Deadline(from_db(deadline), bool(row["scoring_deadline_all_day"]))
        if deadline else None,
        scoring_rules=json.loads(row["scoring_rules"] or "{}"),
        vote_rules=vote_rules_of(row["vote_rules"]),
        settled_at=from_db(row["settled_at"]) if row["settled_at"] else None,
        covenant=covenant_of(row),
        awards=awards_of(row["awards"]),
        chair_unit_id=row["chair_unit_id"], deputy_unit_id=row["deputy_unit_id"],
        handed_over_at=from_db(row["handed_over_at"]) if row["handed_over_at"] else None,
        closed_at=from_db(row["closed_at"]) if row["closed_at"] else None,
        theme=row["theme"],
        movements=tuple(json.loads(row["movements"])) if row["movements"] else None,
    )


class SqlScores(SqlParts):
    """The scoring part of the repository."""

    async def emulation_year(self, bloc_id: int, year: int) -> EmulationYear | None:
        """The bloc's year as loaded from its file."""
        row = await self._one("SELECT * FROM emulation_years WHERE bloc_id = ? AND year = ?",
                              (bloc_id, year))
        return _year(row) if row else None

    async def set_self_score(self, year_id: int, unit_id: int, code: str, points: Decimal,
                             justification: str | None, files: tuple[Attachment, ...], *,
                             member_id: int | None, actor: str, now: datetime) -> bool:
        """Store the unit's score on one line (replacing the one before) with the files sent
        for it; ``False``, and nothing stored, once the unit has submitted its sheet."""
        async with self._transaction() as db:
            async with db.execute("SELECT 1 FROM score_submissions WHERE year_id = ? AND "
                                  "unit_id = ?", (year_id, unit_id)) as cursor:
                if await cursor.fetchone() is not None:
                    return False
            await db.execute(
                "INSERT INTO self_scores (year_id, unit_id, code, points, justification, "
                "scored_by, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (year_id, unit_id, code) DO UPDATE SET points = excluded.points, "
                "justification = excluded.justification, scored_by = excluded.scored_by, "
                "scored_at = excluded.scored_at",
                (year_id, unit_id, code, str(points), justification, member_id, to_db(now)))
            await db.executemany(
                "INSERT INTO score_evidence (year_id, unit_id, code, channel, file_id, kind, "
                "name, mime_type, size, added_by, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(year_id, unit_id, code, f.channel, f.file_id, f.kind, f.name, f.mime_type,
                  f.size, member_id, to_db(now)) for f in files])
            await self._insert_audit(db, actor=actor, action="score.self",
                                     subject=f"year:{year_id}:unit:{unit_id}:{code}",
                                     details={"points": str(points), "files": len(files)},
                                     now=now)
        return True

    async def self_scores(self, year_id: int,
                          unit_id: int | None = None) -> dict[int, dict[str, StoredScore]]:
        """Each unit's scores by line code (one unit's only, when given)."""
        where, params = ("AND unit_id = ?", (year_id, unit_id)) if unit_id else ("", (year_id,))
        rows = await self._all(f"SELECT * FROM self_scores WHERE year_id = ? {where}", params)  # noqa: S608
        files: dict[tuple[int, str], list[Attachment]] = defaultdict(list)
        for row in await self._all(
                f"SELECT * FROM score_evidence WHERE year_id = ? {where} ORDER BY id", params):  # noqa: S608
            files[(row["unit_id"], row["code"])].append(Attachment(
                channel=row["channel"], file_id=row["file_id"], kind=row["kind"],
                name=row["name"], mime_type=row["mime_type"], size=row["size"]))
        sheets: dict[int, dict[str, StoredScore]] = defaultdict(dict)
        for row in rows:
            sheets[row["unit_id"]][row["code"]] = StoredScore(
                unit_id=row["unit_id"], code=row["code"], points=Decimal(row["points"]),
                justification=row["justification"], scored_by=row["scored_by"],
                scored_at=from_db(row["scored_at"]),
                files=tuple(files.get((row["unit_id"], row["code"]), ())))
        return dict(sheets)

    async def submit_scores(self, year_id: int, unit_id: int, *, member_id: int | None,
                            actor: str, now: datetime) -> bool:
        """Mark the unit's sheet submitted; ``False`` if it already was (submitted once)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO score_submissions (year_id, unit_id, submitted_by, submitted_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (year_id, unit_id) DO NOTHING",
                (year_id, unit_id, member_id, to_db(now)))
            if cursor.rowcount != 1:
                return False
            await self._insert_audit(db, actor=actor, action="score.submit",
                                     subject=f"year:{year_id}:unit:{unit_id}", details={},
                                     now=now)
        return True

    async def score_submissions(self, year_id: int) -> dict[int, datetime]:
        """When each unit that has submitted its sheet did so."""
        rows = await self._all("SELECT unit_id, submitted_at FROM score_submissions "
                               "WHERE year_id = ?", (year_id,))
        return {row["unit_id"]: from_db(row["submitted_at"]) for row in rows}
