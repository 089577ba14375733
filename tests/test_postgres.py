"""PostgreSQL beside SQLite: the same schema, a SQLite deployment moved over whole, the ballot
box's secrecy on a server that keeps row versions, and a password that is never shown.

The tests that need a server run in the PostgreSQL run of ``make test`` (which starts one,
``tests/postgres_cluster.sh``); the others run in both.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.app.cli import main
from bot.app.runtime import open_runtime
from bot.domain.clock import FixedClock
from config.database import ServerDatabase
from config.settings import Settings
from storage.failures import is_storage_failure
from storage.opening import open_repository
from storage.records import Deadline, Role
from storage.year_records import VoteRules
from tests.databases import query, read_tables
from tests.test_core import registered
from tests.test_storage import NOW, small_config

PASSWORD = "m4t-khau-bi-mat"


def _sqlite_columns(path: Path) -> dict[str, set[tuple[str, bool, bool]]]:
    with closing(sqlite3.connect(path)) as db:
        tables = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: {(column, bool(notnull) and not pk, default is not None)
                        for _, column, _, notnull, default, pk
                        in db.execute(f'PRAGMA table_info("{table}")')} for table in tables}


async def test_the_schema_on_postgresql_is_the_schema_on_sqlite(
    postgres: ServerDatabase, tmp_path: Path,
) -> None:
    await (await open_repository(tmp_path / "a.db")).close()
    expected = _sqlite_columns(tmp_path / "a.db")
    indexes = {name for (name,) in query(
        tmp_path / "a.db", "SELECT name FROM sqlite_master WHERE type = 'index' "
        "AND name NOT LIKE 'sqlite_%'")}
    connection = await asyncpg.connect(postgres.connection_string())
    try:
        rows = await connection.fetch(
            "SELECT c.table_name, c.column_name, c.is_nullable = 'NO' AS not_null, "
            "EXISTS (SELECT 1 FROM information_schema.key_column_usage k JOIN "
            "information_schema.table_constraints t ON t.constraint_name = k.constraint_name "
            "WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name AND "
            "k.column_name = c.column_name) AS in_key, c.column_default IS NOT NULL AS "
            "has_default FROM information_schema.columns c "
            "WHERE c.table_schema = current_schema() AND c.table_name <> 'thidua_schema'")
        found: dict[str, set[tuple[str, bool, bool]]] = {}
        for row in rows:
            found.setdefault(row["table_name"], set()).add(
                (row["column_name"], row["not_null"] and not row["in_key"],
                 row["has_default"]))
        pg_indexes = {row["indexname"] for row in await connection.fetch(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
    finally:
        await connection.close()
    assert found == expected
    assert indexes <= pg_indexes  # (and PostgreSQL's own, for keys and unique columns)


async def test_a_sqlite_deployment_moves_to_postgresql_whole(
    postgres: ServerDatabase, tmp_path: Path, small_bloc_file: Path, clock: FixedClock,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "thidua.db"
    settings = Settings(database=source, bloc_file=small_bloc_file)
    async with await open_runtime(settings, clock=clock) as runtime:
        chair = await registered(runtime, "1", Role.CHAIR, "UDCN", "Trần Chủ Tịch")
        contact = await registered(runtime, "2", Role.CONTACT, "SHTT", "Nguyễn Đầu Mối")
        await contact.say("/capnhat 1 60% Đã gửi giấy mời")
        await contact.say("Gửi")
        await chair.say("/tinhhinh")
    before = read_tables(source)
    target = ServerDatabase(postgres.connection_string().replace(
        "postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@"))

    assert await asyncio.to_thread(main, [
        "db", "copy", "--database", str(source), "--to", target.connection_string()]) == 0
    said = capsys.readouterr()
    assert "số dòng từng bảng đã đối chiếu khớp" in said.out
    assert PASSWORD not in said.out + said.err and "postgres:***@" in said.out
    after = read_tables(postgres)
    assert after == before and after["progress_updates"] and after["members"]

    # the bot runs on it, and what it writes next takes ids after the copied ones
    moved = settings.model_copy(update={"database": postgres})
    async with await open_runtime(moved, clock=clock) as runtime:
        await registered(runtime, "3", Role.CONTACT, "CNCL", "Lê Mới")
    members = query(postgres, "SELECT id, external_id FROM members ORDER BY id")
    assert [external for _, external in members] == ["1", "2", "3"]
    assert members[-1][0] > members[-2][0]

    # a second copy into the same database is refused, and nothing is doubled
    assert await asyncio.to_thread(main, [
        "db", "copy", "--database", str(source), "--to", postgres.connection_string()]) == 1
    assert "đã có dữ liệu" in capsys.readouterr().err
    assert len(query(postgres, "SELECT id FROM members")) == 3


async def test_each_ballot_rewrites_every_count_of_its_round(postgres: ServerDatabase) -> None:
    """On PostgreSQL each row version names the transaction that wrote it, as the voter's
    "has voted" row does: were only the chosen count rewritten, the two would match."""
    repo = await open_repository(postgres)
    try:
        bloc_id = (await repo.sync_bloc(small_config(), NOW)).bloc_id
        units = {unit.code: unit.id for unit in await repo.list_units(bloc_id)}
        year = await repo.emulation_year(bloc_id, 2026)
        assert year is not None
        rules = VoteRules(closes=Deadline(NOW + timedelta(days=1), False))
        vote = await repo.open_vote(year.id, (units["UDCN"], units["CNCL"]), rules,
                                    member_id=None, actor="test", now=NOW)
        assert vote is not None
        for voter, choice in (("SHTT", "CNCL"), ("UDCN", "CNCL"), ("CNCL", "UDCN")):
            assert await repo.cast_ballot(vote.id, units[voter], units[choice],
                                          f"R-{voter}", actor="test", now=NOW)
            versions = query(postgres, "SELECT DISTINCT xmin::text FROM vote_tallies")
            voted = query(postgres, "SELECT xmin::text FROM vote_voters WHERE unit_id = ?",
                          (units[voter],))
            assert versions == voted  # every count written by the ballot's transaction
        tally = await repo.tally(vote.id)
        assert tally.counts == {units["CNCL"]: 2, units["UDCN"]: 1}
        await repo.erase_journal()  # the earlier versions of the counts rewritten away
    finally:
        await repo.close()


def test_backup_and_restore_on_postgresql_name_the_servers_tools(
    settings: Settings, capsys: pytest.CaptureFixture[str],
) -> None:
    address = f"postgresql://thidua:{PASSWORD}@db.bo.gov.vn:5432/thidua"
    assert main(["backup", "--database", address, "--out", "thidua.dump"]) == 1
    said = capsys.readouterr().err
    assert "pg_dump --format=custom --file=thidua.dump" in said
    assert "'--dbname=postgresql://thidua:***@db.bo.gov.vn:5432/thidua'" in said
    assert main(["restore", "--database", address, "thidua.dump"]) == 1
    said += capsys.readouterr().err
    assert "pg_restore --clean --if-exists" in said and PASSWORD not in said


def test_a_password_never_reaches_the_terminal_the_log_or_a_repr(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    address = f"postgresql://thidua:{PASSWORD}@127.0.0.1:1/thidua"  # nothing listens there
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    try:
        assert main(["db", "migrate", "--database", address, "--log-level", "DEBUG"]) == 2
    finally:  # the log's handlers write to this test's captured stream: put back the others
        root.handlers[:] = kept[0]
        root.setLevel(kept[1])
    said = capsys.readouterr()
    assert "Không kết nối được cơ sở dữ liệu PostgreSQL postgresql://thidua:***@127.0.0.1:1" \
        in said.err
    # an option or a setting that cannot be used is named, its password hidden
    with pytest.raises(SystemExit):
        main(["db", "migrate", "--database", f"postgresql://thidua:{PASSWORD}@h:port/x"])
    monkeypatch.setenv("THIDUA_DATABASE", f"postgres://thidua:{PASSWORD}@h:cong/x")
    assert main(["db", "migrate"]) == 2
    said2 = capsys.readouterr()
    assert "THIDUA_DATABASE" in said2.err
    for text in (said.out, said.err, said2.out, said2.err,
                 repr(Settings(database=address)), str(Settings(database=address))):
        assert PASSWORD not in text
    assert Settings(database=address).secrets() == [PASSWORD]  # redacted from every log line


def test_what_the_server_says_of_itself_is_kept_for_later_and_a_bad_statement_is_not() -> None:
    assert is_storage_failure(asyncpg.exceptions.AdminShutdownError("shutting down"))
    assert is_storage_failure(asyncpg.exceptions.DiskFullError("disk full"))
    assert is_storage_failure(asyncpg.exceptions.DeadlockDetectedError("deadlock"))
    assert is_storage_failure(ConnectionResetError())
    assert not is_storage_failure(asyncpg.exceptions.UniqueViolationError("duplicate"))
    assert not is_storage_failure(asyncpg.exceptions.UndefinedColumnError("no column"))


async def test_two_processes_behind_one_webhook_must_share_its_secret(
    tg_settings: Settings, postgres: ServerDatabase,
) -> None:
    from bot.app.runtime import StartupError
    from bot.app.serve import serve

    shared = tg_settings.model_copy(update={
        "database": postgres, "webhook_url": "https://bot.example.gov.vn/thidua",
        "webhook_secret": None})
    with pytest.raises(StartupError, match="THIDUA_WEBHOOK_SECRET"):
        await serve(shared, asyncio.Event())
