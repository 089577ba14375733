"""The vote for the leading unit: its rounds, the units that have voted, and the ballot box.

A ballot is counted in the transaction that writes its unit's "has voted" row, so the box
never holds more or fewer votes than units marked as voted. The box keeps no ballot: each
candidate's count goes up by one (a row per ballot would keep, in where SQLite puts it on
its page, the order the ballots came in, and with the voters' order, each one's choice),
and the voter's receipt is kept apart, naming no candidate. The audit log says that a unit
voted, never for whom.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage._sql import Row, SqlParts
from storage._time import from_db, to_db
from storage.records import Deadline
from storage.year_records import Tally, Vote, VoteRules


def vote_rules_of(stored: str | None) -> VoteRules | None:
    """The vote's rules as written by the bloc file's sync (times in UTC)."""
    if not stored:
        return None
    data: dict[str, Any] = json.loads(stored)
    return VoteRules(
        closes=Deadline(from_db(data["closes"]), bool(data.get("closes_all_day"))),
        opens=from_db(data["opens"]) if data.get("opens") else None,
        candidates=data.get("candidates"), self_vote=bool(data.get("self_vote")),
        majority_percent=int(data.get("majority_percent", 50)),
        majority_of=str(data.get("majority_of", "units")))


def vote_rules_json(rules: VoteRules) -> str:
    """The vote's rules as stored, with the year (from the bloc file) and with each round."""
    return json.dumps({
        "closes": to_db(rules.closes.at), "closes_all_day": rules.closes.all_day,
        "opens": to_db(rules.opens) if rules.opens else None, "candidates": rules.candidates,
        "self_vote": rules.self_vote, "majority_percent": rules.majority_percent,
        "majority_of": rules.majority_of}, sort_keys=True)


def _vote(row: Row) -> Vote:
    rules = vote_rules_of(row["rules"])
    assert rules is not None, "a vote is opened with its rules"
    return Vote(id=row["id"], year_id=row["year_id"], round=row["round"],
                candidates=tuple(json.loads(row["candidates"])), rules=rules,
                opened_at=from_db(row["opened_at"]),
                closed_at=from_db(row["closed_at"]) if row["closed_at"] else None,
                result=json.loads(row["result"]) if row["result"] else None)


class SqlVotes(SqlParts):
    """The voting part of the repository."""

    async def latest_vote(self, year_id: int) -> Vote | None:
        """The year's last round (open or closed), if the chair has opened one."""
        row = await self._one("SELECT * FROM votes WHERE year_id = ? ORDER BY round DESC "
                              "LIMIT 1", (year_id,))
        return _vote(row) if row else None

    async def votes_of(self, year_id: int) -> list[Vote]:
        """Every round of the year's vote, the first first."""
        rows = await self._all("SELECT * FROM votes WHERE year_id = ? ORDER BY round",
                               (year_id,))
        return [_vote(row) for row in rows]

    async def open_vote(self, year_id: int, candidates: tuple[int, ...], rules: VoteRules, *,
                        member_id: int | None, actor: str, now: datetime) -> Vote | None:
        """Open the next round with ``candidates``; ``None`` while one is still open."""
        async with self._transaction() as db:
            async with db.execute("SELECT round, closed_at FROM votes WHERE year_id = ? "
                                  "ORDER BY round DESC LIMIT 1", (year_id,)) as cursor:
                last = await cursor.fetchone()
            if last is not None and last["closed_at"] is None:
                return None
            round_ = (last["round"] + 1) if last is not None else 1
            cursor = await db.execute(
                "INSERT INTO votes (year_id, round, candidates, rules, opened_by, opened_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (year_id, round_, json.dumps(list(candidates)), vote_rules_json(rules),
                 member_id, to_db(now)))
            vote_id = cursor.lastrowid
            # every candidate's count from the start: a ballot then rewrites them all alike
            await db.executemany("INSERT INTO vote_tallies (vote_id, candidate_unit_id, votes) "
                                 "VALUES (?, ?, 0)", [(vote_id, unit) for unit in candidates])
            await self._insert_audit(db, actor=actor, action="vote.open",
                                     subject=f"year:{year_id}:vote:{vote_id}",
                                     details={"round": round_, "candidates": list(candidates)},
                                     now=now)
        return Vote(id=int(vote_id or 0), year_id=year_id, round=round_,
                    candidates=candidates, rules=rules, opened_at=now)

    async def cast_ballot(self, vote_id: int, unit_id: int, candidate_unit_id: int,
                          receipt: str, *, actor: str, now: datetime) -> bool:
        """The unit's one ballot: its "has voted" row and, apart, the ballot; ``False``,
        and nothing written, when the unit has voted already or the round is closed."""
        async with self._transaction() as db:
            async with db.execute("SELECT closed_at FROM votes WHERE id = ?",
                                  (vote_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None or row["closed_at"] is not None:
                return False
            cursor = await db.execute(
                "INSERT INTO vote_voters (vote_id, unit_id, voted_at) VALUES (?, ?, ?) "
                "ON CONFLICT (vote_id, unit_id) DO NOTHING", (vote_id, unit_id, to_db(now)))
            if cursor.rowcount != 1:
                return False
            # Every count of the round is rewritten, the chosen one by one more: which row a
            # ballot changed is not in what the transaction wrote (on PostgreSQL, each row's
            # version names the transaction that wrote it, the same as the voter's row's).
            # A round opened before counts were made at its opening gets its row here.
            await db.execute(
                "INSERT INTO vote_tallies (vote_id, candidate_unit_id, votes) VALUES (?, ?, 0) "
                "ON CONFLICT (vote_id, candidate_unit_id) DO NOTHING",
                (vote_id, candidate_unit_id))
            await db.execute(
                "UPDATE vote_tallies SET votes = votes + CASE WHEN candidate_unit_id = ? "
                "THEN 1 ELSE 0 END WHERE vote_id = ?", (candidate_unit_id, vote_id))
            await db.execute("INSERT INTO vote_receipts (vote_id, receipt) VALUES (?, ?)",
                             (vote_id, receipt))
            await self._insert_audit(db, actor=actor, action="vote.cast",
                                     subject=f"vote:{vote_id}:unit:{unit_id}", details={},
                                     now=now)
        return True

    async def tally(self, vote_id: int) -> Tally:
        """The votes per candidate, the receipts (sorted) and the units that have voted."""
        counts = {row["candidate_unit_id"]: row["votes"] for row in await self._all(
            "SELECT candidate_unit_id, votes FROM vote_tallies WHERE vote_id = ?", (vote_id,))}
        receipts = tuple(row["receipt"] for row in await self._all(
            "SELECT receipt FROM vote_receipts WHERE vote_id = ? ORDER BY receipt",
            (vote_id,)))
        voters = {row["unit_id"]: from_db(row["voted_at"]) for row in await self._all(
            "SELECT unit_id, voted_at FROM vote_voters WHERE vote_id = ?", (vote_id,))}
        return Tally(counts, receipts, voters)

    async def close_vote(self, vote_id: int, result: dict[str, Any], *, actor: str,
                         now: datetime) -> bool:
        """Close the round with its ``result``; ``False`` if it was closed already."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE votes SET closed_at = ?, result = ? WHERE id = ? AND closed_at IS NULL",
                (to_db(now), json.dumps(result, sort_keys=True), vote_id))
            if cursor.rowcount != 1:
                return False
            await self._insert_audit(db, actor=actor, action="vote.close",
                                     subject=f"vote:{vote_id}", details=result, now=now)
        return True
