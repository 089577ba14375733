"""Conferences scheduled, moved or cancelled in chat, and each unit's attendance."""

from __future__ import annotations

import json
from datetime import datetime

from storage._sql import SqlParts
from storage._time import from_db, to_db
from storage.records import Attendance, Deadline


class SqlConferences(SqlParts):
    """The conference part of the repository."""

    async def schedule_conference(self, *, bloc_id: int, kind: str, title: str,
                                  starts: Deadline, place: str | None, agenda: list[str],
                                  actor: str, now: datetime) -> int:
        """A new conference from chat; returns its id."""
        async with self._transaction() as db:
            # unique even for two scheduled in the same second (the second gets "-2")
            stamp = f"chat-{int(now.timestamp())}"
            async with db.execute("SELECT COUNT(*) FROM conferences WHERE bloc_id = ? AND "
                                  "(code = ? OR code LIKE ?)",
                                  (bloc_id, stamp, stamp + "-%")) as taken:
                row = await taken.fetchone()
            same_second = int(row[0]) if row else 0
            code = stamp if same_second == 0 else f"{stamp}-{same_second + 1}"
            cursor = await db.execute(
                """
                INSERT INTO conferences (bloc_id, code, kind, title, starts_at, all_day, place,
                                         agenda, managed_in_chat)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                """,
                (bloc_id, code, kind, title, to_db(starts.at),
                 int(starts.all_day), place, json.dumps(agenda, ensure_ascii=False)))
            conference_id = int(cursor.lastrowid or 0)
            await self._insert_audit(db, actor=actor, action="conference.schedule",
                                     subject=f"conference:{conference_id}",
                                     details={"title": title, "starts": to_db(starts.at)},
                                     now=now)
        return conference_id

    async def move_conference(self, conference_id: int, starts: Deadline, *, actor: str,
                              now: datetime) -> None:
        """Change a conference's time (its reminders are planned again from it)."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE conferences SET starts_at = ?, all_day = ?, managed_in_chat = 1 "
                "WHERE id = ?", (to_db(starts.at), int(starts.all_day), conference_id))
            # answers were for the old time: each unit confirms again
            await db.execute("UPDATE conference_attendance SET stale = 1 "
                             "WHERE conference_id = ?", (conference_id,))
            await db.execute("UPDATE liaison_attendance SET stale = 1 "
                             "WHERE conference_id = ?", (conference_id,))
            await self._insert_audit(db, actor=actor, action="conference.move",
                                     subject=f"conference:{conference_id}",
                                     details={"starts": to_db(starts.at)}, now=now)

    async def cancel_conference(self, conference_id: int, *, actor: str, now: datetime) -> None:
        """Cancel a conference (kept for the record, no longer listed or reminded)."""
        async with self._transaction() as db:
            await db.execute("UPDATE conferences SET active = 0, managed_in_chat = 1 "
                             "WHERE id = ?", (conference_id,))
            await self._insert_audit(db, actor=actor, action="conference.cancel",
                                     subject=f"conference:{conference_id}", details={},
                                     now=now)

    async def answer_attendance(self, *, conference_id: int, unit_id: int, answer: str,
                                attendee_name: str | None, attendee_title: str | None,
                                member_id: int, now: datetime,
                                reason: str | None = None) -> None:
        """Record (or change) a unit's answer; the latest answer counts."""
        async with self._transaction() as db:
            await db.execute(
                """
                INSERT INTO conference_attendance (conference_id, unit_id, answer, attendee_name,
                    attendee_title, member_id, answered_at, reason, stale)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)
                ON CONFLICT (conference_id, unit_id) DO UPDATE SET answer = excluded.answer,
                    attendee_name = excluded.attendee_name,
                    attendee_title = excluded.attendee_title, member_id = excluded.member_id,
                    answered_at = excluded.answered_at, reason = excluded.reason, stale = 0
                """,
                (conference_id, unit_id, answer, attendee_name, attendee_title, member_id,
                 to_db(now), reason))

    async def answer_liaison_attendance(self, *, conference_id: int, member_id: int,
                                        answer: str, attendee_name: str | None,
                                        attendee_title: str | None, now: datetime,
                                        reason: str | None = None) -> None:
        """Record (or change) the liaison's own answer; the latest answer counts."""
        async with self._transaction() as db:
            await db.execute(
                """
                INSERT INTO liaison_attendance (conference_id, member_id, answer,
                    attendee_name, attendee_title, reason, answered_at, stale)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                ON CONFLICT (conference_id, member_id) DO UPDATE SET answer = excluded.answer,
                    attendee_name = excluded.attendee_name,
                    attendee_title = excluded.attendee_title, reason = excluded.reason,
                    answered_at = excluded.answered_at, stale = 0
                """,
                (conference_id, member_id, answer, attendee_name, attendee_title, reason,
                 to_db(now)))

    async def liaison_attendance(self, conference_id: int) -> dict[int, Attendance]:
        """The liaisons' standing answers to a conference, by member id."""
        rows = await self._all("SELECT * FROM liaison_attendance WHERE conference_id = ? "
                               "AND stale = 0", (conference_id,))
        return {row["member_id"]: Attendance(
            None, row["answer"], row["attendee_name"], row["attendee_title"],
            row["member_id"], from_db(row["answered_at"]), row["reason"]) for row in rows}

    async def attendance(self, conference_id: int) -> dict[int, Attendance]:
        """Every unit's standing answer to a conference, by unit id (an answer given before
        the conference moved no longer stands)."""
        rows = await self._all("SELECT * FROM conference_attendance WHERE conference_id = ? "
                               "AND stale = 0", (conference_id,))
        return {row["unit_id"]: Attendance(
            row["unit_id"], row["answer"], row["attendee_name"], row["attendee_title"],
            row["member_id"], from_db(row["answered_at"]), row["reason"]) for row in rows}

    async def set_conference_report_deadline(self, conference_id: int,
                                             deadline: Deadline | None, *, actor: str,
                                             now: datetime) -> None:
        """Set (or clear) when units report before a conference; the conference is then
        managed in chat (later reloads of the bloc file leave it alone)."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE conferences SET report_deadline_at = ?, report_deadline_all_day = ?, "
                "managed_in_chat = 1 WHERE id = ?",
                (to_db(deadline.at) if deadline else None,
                 int(deadline.all_day) if deadline else 0, conference_id))
            await self._insert_audit(
                db, actor=actor, action="conference.deadline",
                subject=f"conference:{conference_id}",
                details={"deadline": to_db(deadline.at) if deadline else None}, now=now)
