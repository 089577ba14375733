"""Upgrading a database left by an earlier version: each migration keeps what the older
schema held (queued messages, standing report versions, what ``meta`` held, deadlines, the
signer), on a real SQLite file taken back to that schema."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.bloc import parse_bloc_text
from storage.migrations import LATEST_VERSION
from storage.records import Role
from storage.sqlite import SqliteRepository
from tests.conftest import EXAMPLE_BLOC
from tests.test_storage import NOW, small_config


async def test_queued_messages_survive_the_upgrade_to_per_channel_outbox_keys(
        tmp_path: Path) -> None:
    """A database left by the Telegram-only version (schema 4) keeps its unsent messages."""
    from storage.migrations import MIGRATIONS

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        for number, script in enumerate(MIGRATIONS[:4], start=1):
            old.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        old.execute(
            "INSERT INTO outbox (dedup_key, channel, chat_id, kind, payload, due_at, "
            "next_attempt_at, created_at) VALUES ('remind:a:1', 'telegram', '42', 'reminder', "
            "'{\"text\": \"Nhắc\"}', '2026-11-24T02:00:00+00:00', '2026-11-24T02:00:00+00:00', "
            "'2026-11-24T02:00:00+00:00')")
    repo = await SqliteRepository.open(path)
    try:
        now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
        assert [row.dedup_key for row in await repo.claim_due(now, 10)] == ["remind:a:1"]
        assert await repo.outbox_has("telegram", "remind:a:1")
        assert not await repo.outbox_has("zalo", "remind:a:1")
    finally:
        await repo.close()


UNDO_12 = """
    DROP TABLE instances; DROP TABLE leases; ALTER TABLE outbox DROP COLUMN claimed_by;
    DROP INDEX inbox_by_sender; ALTER TABLE inbox DROP COLUMN received_by;
    ALTER TABLE inbox DROP COLUMN sender;
    ALTER TABLE members DROP COLUMN viewing_bloc_id; ALTER TABLE members DROP COLUMN all_blocs;
    ALTER TABLE invites DROP COLUMN all_blocs;
    ALTER TABLE blocs DROP COLUMN handover;
    ALTER TABLE blocs DROP COLUMN signer_name; ALTER TABLE blocs DROP COLUMN signer_title;
    ALTER TABLE conference_attendance DROP COLUMN reason;
    ALTER TABLE conference_attendance DROP COLUMN stale;
    DROP TABLE snoozes;
    DROP TABLE absences;
    DROP TABLE liaison_attendance; DROP INDEX outbox_by_kind; DROP TABLE letter_items;
    DROP TABLE award_nominations; DROP TABLE covenant_signatures;
    DROP TABLE settled_scores; DROP TABLE score_reviews; DROP TABLE score_reviewers;
    DROP TABLE vote_tallies; DROP TABLE vote_receipts; DROP TABLE vote_voters;
    DROP TABLE votes;
    DROP TABLE score_submissions; DROP TABLE score_evidence; DROP TABLE self_scores;
    DROP TABLE emulation_years;
"""


def _back_to_schema(path: Path, version: int) -> None:
    """Undo the migrations after ``version`` (9: no meta tables yet; 8: no standing mark)."""
    with sqlite3.connect(path) as db:
        db.executescript(UNDO_12)
        db.executescript("ALTER TABLE periods DROP COLUMN deadline_in_chat;")  # 11
        db.executescript("""
            DROP TABLE reminders_sent; DROP TABLE paused_units; DROP TABLE paused_periods;
            DROP TABLE posted_lists; DROP TABLE bloc_groups; DROP TABLE bot_accounts;
            DROP TABLE moved_chats; DROP TABLE health_probe;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            ALTER TABLE blocs DROP COLUMN loaded_at;
        """)
        if version == 8:
            db.executescript("DROP INDEX progress_latest; "
                             "ALTER TABLE progress_updates DROP COLUMN latest;")
        db.execute(f"PRAGMA user_version = {version}")


async def _seeded(path: Path) -> tuple[int, int, int, int, int]:
    """A database with the small bloc and one contact: (bloc, period, task, unit, member)."""
    repo = await SqliteRepository.open(path)
    try:
        bloc_id = (await repo.sync_bloc(small_config(), NOW)).bloc_id
        period = (await repo.list_periods(bloc_id))[0]
        task = (await repo.list_tasks(period.id))[0]
        unit = (await repo.list_units(bloc_id))[0]
        member = await repo.upsert_member(bloc_id=bloc_id, channel="test", external_id="1",
                                          display_name="An", unit_id=unit.id,
                                          role=Role.CONTACT, now=NOW)
        return bloc_id, period.id, task.id, unit.id, member.id
    finally:
        await repo.close()


async def test_the_upgrade_marks_each_standing_version(tmp_path: Path) -> None:
    """A database of schema 8 has its standing versions marked by migration 9, and SQLite
    refuses a second standing version of one unit x task."""
    path = tmp_path / "old.db"
    _, period, task, unit, member = await _seeded(path)
    _back_to_schema(path, 8)
    with sqlite3.connect(path) as old:
        old.executemany(
            "INSERT INTO progress_updates (unit_id, task_id, version, status, percent, note, "
            "author_member_id, author_name, on_behalf, created_at, withdrawn_at) "
            "VALUES (?, ?, ?, 'in_progress', ?, 'x', ?, 'An', 0, "
            "'2026-11-24T02:00:00.000000+00:00', ?)",
            [(unit, task, 1, 10, member, None), (unit, task, 2, 20, member, None),
             (unit, task, 3, 30, member, "2026-11-24T03:00:00.000000+00:00")])
    repo = await SqliteRepository.open(path)
    try:
        assert [u.percent for u in await repo.latest_for_period(period)] == [20]
    finally:
        await repo.close()
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE progress_updates SET latest = 1 WHERE version = 1")


async def test_the_upgrade_moves_what_meta_held_into_its_tables(tmp_path: Path) -> None:
    """Reminders sent, pauses, posted lists, the bloc's group, the bot's name, a moved
    group and the bloc loaded last: each in its own table after migration 10."""
    path = tmp_path / "old.db"
    bloc_id, period, _, unit, _ = await _seeded(path)
    _back_to_schema(path, 9)
    with sqlite3.connect(path) as old:
        old.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [
            ("fired:deadline:2@1764867600:7d", "2026-11-28T01:00:00+00:00"),
            (f"pause:unit:{unit}", "2026-11-24T02:00:00+00:00"),
            ("pause:unit:999", "2026-11-24T02:00:00+00:00"),  # a unit that no longer exists
            (f"pause:period:{period}", ""),  # resumed: "" meant not paused
            ("tasklist:telegram:-100200", "77"), ("group:telegram", "-100200"),
            ("telegram_username", "thidua_bot"), ("telegram_migrated:-100200", "-100999"),
            ("bloc_code", "test-bloc"), ("health_probe", "ok")])
    repo = await SqliteRepository.open(path)
    try:
        assert await repo.sent_reminders(["deadline:2@1764867600:7d", "other"]) == {
            "deadline:2@1764867600:7d"}
        assert await repo.paused_units() == {unit}
        assert await repo.paused_periods() == set()
        assert await repo.posted_lists() == [("telegram", "-100200", "77")]
        assert await repo.bloc_group(bloc_id, "telegram") == "-100200"
        assert await repo.bot_username("telegram") == "thidua_bot"
        assert await repo.moved_chat("telegram", "-100200") == "-100999"
        last = await repo.last_loaded_bloc()
        assert last is not None and last.id == bloc_id
        assert await repo.ping()
    finally:
        await repo.close()
    with sqlite3.connect(path) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert "meta" not in tables


async def test_the_upgrade_to_11_keeps_every_deadline_and_marks_none_as_set_in_chat(
    tmp_path: Path,
) -> None:
    path = tmp_path / "x.db"
    _bloc, period_id, *_ = await _seeded(path)
    with sqlite3.connect(path) as db:
        before = db.execute("SELECT report_deadline_at FROM periods WHERE id = ?",
                            (period_id,)).fetchone()
        db.executescript(UNDO_12)
        db.executescript("ALTER TABLE periods DROP COLUMN deadline_in_chat;")
        db.execute("PRAGMA user_version = 10")
    repo = await SqliteRepository.open(path)
    await repo.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT report_deadline_at, deadline_in_chat FROM periods "
                          "WHERE id = ?", (period_id,)).fetchone() == (before[0], 0)
        assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


async def test_the_upgrade_to_12_reads_the_signer_from_the_bloc_file(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    await _seeded(path)
    with sqlite3.connect(path) as db:
        db.executescript(UNDO_12)
        db.execute("PRAGMA user_version = 11")
    repo = await SqliteRepository.open(path)
    try:
        config = parse_bloc_text(EXAMPLE_BLOC.read_text(encoding="utf-8"))
        await repo.sync_bloc(config.model_copy(update={"timezone": "Asia/Ho_Chi_Minh"}), NOW)
        bloc = await repo.get_bloc("vp-vien")
        assert bloc is not None
        assert (bloc.signer_name, bloc.signer_title) == (
            "Hoàng Ngọc Nhân", "Phó Viện trưởng phụ trách Viện Ứng dụng công nghệ")
    finally:
        await repo.close()
