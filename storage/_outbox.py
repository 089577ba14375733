"""The outbox in SQLite: messages the bot sends on its own, each under a unique key.

A ``dedup_key`` unique per channel makes enqueueing idempotent (planning the same
reminder twice stores it once); the status column makes sending resumable after a crash.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from storage._sql import Row, SqlParts
from storage._time import from_db, to_db
from storage.records import (
    BatchReport,
    OutboxRow,
    OutboxStatus,
    OutgoingMessage,
    ReplyOutcome,
)

TERMINAL = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.BLOCKED, OutboxStatus.EXPIRED)


def _row(row: Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"], dedup_key=row["dedup_key"], batch_id=row["batch_id"],
        channel=row["channel"], chat_id=row["chat_id"], kind=row["kind"],
        payload=json.loads(row["payload"]), due_at=from_db(row["due_at"]),
        expires_at=from_db(row["expires_at"]) if row["expires_at"] else None,
        status=OutboxStatus(row["status"]), attempts=row["attempts"],
        last_error=row["last_error"],
        sent_at=from_db(row["sent_at"]) if row["sent_at"] else None,
        file=row["file"],
    )


# the message a row is part of: a long text is rows "key", "key#2", … (the outbox's parts)
_MESSAGE = ("CASE WHEN instr(o.dedup_key, '#') > 0 "
            "THEN substr(o.dedup_key, 1, instr(o.dedup_key, '#') - 1) ELSE o.dedup_key END")


class SqlOutbox(SqlParts):
    """The outbox part of the repository."""

    async def create_batch(self, *, channel: str, report_chat: str | None, language: str,
                           kind: str, now: datetime) -> int:
        """A group of messages whose outcome is reported to ``report_chat`` once settled."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO outbox_batches (channel, report_chat, report_language, kind, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (channel, report_chat, language, kind, to_db(now)))
            return int(cursor.lastrowid or 0)

    async def enqueue(self, messages: list[OutgoingMessage], now: datetime) -> int:
        """Store messages to send; one whose key is already stored is left as it is.

        Returns how many were new, counting a message the messenger shows in several
        parts (``part`` > 1: a long text cut, a file and its text) once.
        """
        insert = """
            INSERT OR IGNORE INTO outbox (dedup_key, batch_id, channel, chat_id, kind,
                payload, due_at, expires_at, next_attempt_at, created_at, file)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

        def rows(part_one: bool) -> list[tuple[object, ...]]:
            return [(m.dedup_key, m.batch_id, m.channel, m.chat_id, m.kind,
                     json.dumps(m.payload, ensure_ascii=False), to_db(m.due_at),
                     to_db(m.expires_at) if m.expires_at else None, to_db(m.due_at),
                     to_db(now), m.file)
                    for m in messages if (m.part == 1) == part_one]

        async with self._transaction() as db:
            added = await db.executemany(insert, rows(True))  # its rowcount: the rows added
            await db.executemany(insert, rows(False))
            return int(added.rowcount)

    async def record_replies(self, messages: list[OutgoingMessage], now: datetime) -> list[int]:
        """Store an event's replies, already claimed for sending (status ``sending``) by the
        sender that will deliver them right after the commit; returns their row ids.

        If the process dies before they are settled, the next start puts them back in
        the queue (:meth:`recover_in_flight`) and the outbox sends them.
        """
        if not messages:
            return []
        rows = [(m.dedup_key, m.batch_id, m.channel, m.chat_id, m.kind,
                 json.dumps(m.payload, ensure_ascii=False), to_db(m.due_at),
                 to_db(m.expires_at) if m.expires_at else None, to_db(m.due_at), to_db(now),
                 m.file, self.instance) for m in messages]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', ?, ?)"] * len(rows))
        sql = ("INSERT INTO outbox (dedup_key, batch_id, channel, chat_id, kind, payload, "  # noqa: S608 - placeholders only
               "due_at, expires_at, next_attempt_at, created_at, status, file, claimed_by) "
               f"VALUES {values} RETURNING id")
        # one statement: one trip to SQLite's thread
        async with self._transaction() as db, db.execute(
                sql, [value for row in rows for value in row]) as cursor:
            ids = {int(row[0]) for row in await cursor.fetchall()}
        return sorted(ids)  # in insertion order: rowids only grow while the lock is held

    async def settle_replies(self, outcomes: list[ReplyOutcome], now: datetime) -> None:
        """Record how an event's replies went, in one transaction: sent, to retry (back to
        the queue, the outbox's from now on), or refused for good."""
        if all(outcome.status is OutboxStatus.SENT for outcome in outcomes):
            # the usual case, one statement (atomic by itself): said and done, nothing kept
            marks = ", ".join("?" * len(outcomes))
            await self._write_alone(f"DELETE FROM outbox WHERE id IN ({marks})",  # noqa: S608
                                    tuple(outcome.row_id for outcome in outcomes))
            return
        async with self._transaction() as db:
            for outcome in outcomes:
                if outcome.status is OutboxStatus.PENDING:
                    await db.execute(
                        "UPDATE outbox SET status = 'pending', next_attempt_at = ?, "
                        "last_error = ?, attempts = attempts + 1, claimed_by = NULL "
                        "WHERE id = ?",
                        (to_db(outcome.retry_at or now), outcome.error, outcome.row_id))
                elif outcome.status is OutboxStatus.SENT:  # said and done: nothing to keep
                    await db.execute("DELETE FROM outbox WHERE id = ?", (outcome.row_id,))
                else:
                    await db.execute(
                        "UPDATE outbox SET status = ?, last_error = ?, attempts = attempts + 1, "
                        "file = NULL, claimed_by = NULL WHERE id = ?",
                        (outcome.status.value, outcome.error, outcome.row_id))

    async def expire_pending(self, key_prefix: str, now: datetime) -> int:
        """Drop unsent messages whose key starts with ``key_prefix`` (their occasion is gone)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE outbox SET status = 'expired', last_error = 'withdrawn' "
                "WHERE status = 'pending' AND substr(dedup_key, 1, ?) = ?",
                (len(key_prefix), key_prefix))
            return max(cursor.rowcount, 0)

    async def outbox_has(self, channel: str, dedup_key: str) -> bool:
        """Whether a message with this key was ever queued on ``channel``."""
        return await self._one("SELECT 1 FROM outbox WHERE channel = ? AND dedup_key = ?",
                               (channel, dedup_key)) is not None

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxRow]:
        """Take up to ``limit`` messages due now, oldest first, marking them as being sent."""
        async with self._transaction() as db:
            rows = await self._all(
                "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
                "ORDER BY next_attempt_at, id LIMIT ?", (to_db(now), limit))
            await db.executemany("UPDATE outbox SET status = 'sending', claimed_by = ? "
                                 "WHERE id = ?", [(self.instance, row["id"]) for row in rows])
        return [replace(_row(row), status=OutboxStatus.SENDING) for row in rows]

    async def settle(self, row_id: int, status: OutboxStatus, now: datetime,
                     error: str | None = None, attempted: bool = True) -> None:
        """Record a final outcome (sent, failed, blocked, expired)."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE outbox SET status = ?, last_error = ?, sent_at = ?, "
                "attempts = attempts + ?, file = NULL, claimed_by = NULL WHERE id = ?",
                (status.value, error, to_db(now) if status is OutboxStatus.SENT else None,
                 int(attempted), row_id))

    async def retry_later(self, row_id: int, at: datetime, error: str,
                          attempted: bool = True) -> None:
        """Put a message back in the queue for another attempt at ``at``.

        ``attempted`` is false when nothing was tried (it waited behind another message,
        or the messenger asked to wait): such a wait does not count towards giving up.
        """
        async with self._transaction() as db:
            await db.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?, "
                "attempts = attempts + ?, claimed_by = NULL WHERE id = ?",
                (to_db(at), error, int(attempted), row_id))

    async def recover_in_flight(self, now: datetime) -> list[OutboxRow]:
        """After a crash: messages that a process no longer alive was sending go back to the
        queue (returned); those of the live ones (this one's included) are theirs still."""
        async with self._transaction() as db:
            live = await self.live_instances(now)
            rows = [row for row in await self._all(
                "SELECT * FROM outbox WHERE status = 'sending'")
                if row["claimed_by"] is None or row["claimed_by"] not in live]
            await db.executemany("UPDATE outbox SET status = 'pending', claimed_by = NULL "
                                 "WHERE id = ?", [(row["id"],) for row in rows])
        return [_row(row) for row in rows]

    async def next_due(self) -> datetime | None:
        """When the earliest pending message is due."""
        row = await self._one(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'")
        return from_db(row[0]) if row and row[0] else None

    async def outbox_counts(self) -> dict[OutboxStatus, int]:
        """How many rows the outbox holds in each status."""
        rows = await self._all("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {OutboxStatus(row["status"]): row["n"] for row in rows}

    async def outbox_rows(self, status: OutboxStatus | None = None,
                          limit: int = 100) -> list[OutboxRow]:
        """Messages in the outbox (newest first), optionally of one status."""
        sql, params = "SELECT * FROM outbox", ()  # type: tuple[str, tuple[object, ...]]
        if status is not None:
            sql, params = sql + " WHERE status = ?", (status.value,)
        rows = await self._all(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [_row(row) for row in rows]

    async def last_sent_at(self) -> datetime | None:
        """When the outbox last delivered a message (whichever was queued first)."""
        rows = await self._all("SELECT MAX(sent_at) AS latest FROM outbox WHERE status = 'sent'",
                               slow=True)  # every sent row is read: not on the loop's thread
        return from_db(rows[0]["latest"]) if rows and rows[0]["latest"] else None

    async def settled_batches(self) -> list[BatchReport]:
        """Batches not yet reported whose every message has reached a final state.

        A message shown in several parts (rows ``key``, ``key#2``…) counts once, with the
        worst outcome of its parts: the chair reads how many people got the message.
        """
        rows = await self._all(
            f"""
            WITH messages AS (
                SELECT o.batch_id, {_MESSAGE} AS message,
                       MAX(CASE o.status WHEN 'blocked' THEN 4 WHEN 'failed' THEN 3
                           WHEN 'expired' THEN 2 ELSE 1 END) AS worst
                FROM outbox AS o JOIN outbox_batches AS b ON b.id = o.batch_id
                WHERE b.reported_at IS NULL
                GROUP BY o.batch_id, message)
            SELECT b.*, m.worst AS worst, COUNT(*) AS n FROM outbox_batches AS b
            JOIN messages AS m ON m.batch_id = b.id
            WHERE NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.batch_id = b.id
                              AND p.status IN ('pending', 'sending'))
            GROUP BY b.id, m.worst
            """, slow=True)  # noqa: S608 (constants only); a batch may have thousands of rows
        outcome = {4: OutboxStatus.BLOCKED, 3: OutboxStatus.FAILED, 2: OutboxStatus.EXPIRED,
                   1: OutboxStatus.SENT}
        reports: dict[int, BatchReport] = {}
        for row in rows:
            report = reports.setdefault(row["id"], BatchReport(
                row["id"], row["channel"], row["report_chat"], row["report_language"],
                row["kind"], {}))
            report.counts[outcome[row["worst"]]] = row["n"]
        return list(reports.values())

    async def settle_later_parts(self, channel: str, dedup_key: str, status: OutboxStatus,
                                 error: str) -> int:
        """A part of a message was refused for good: its later parts (``key#2``…) are not
        sent either and share its outcome; returns how many."""
        message = dedup_key.split("#", 1)[0]
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE outbox SET status = ?, last_error = ?, file = NULL "
                "WHERE channel = ? AND status = 'pending' AND substr(dedup_key, 1, ?) = ?",
                (status.value, error, channel, len(message) + 1, message + "#"))
            return max(cursor.rowcount, 0)

    async def mark_batch_reported(self, batch_id: int, now: datetime) -> None:
        """Remember that a batch's outcome was reported."""
        async with self._transaction() as db:
            await db.execute("UPDATE outbox_batches SET reported_at = ? WHERE id = ?",
                             (to_db(now), batch_id))
