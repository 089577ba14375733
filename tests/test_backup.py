"""Backup while the bot runs, and a restore that checks the copy and never hits a running bot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.app.runtime import Runtime
from config.settings import Settings
from storage.backup import BackupError, backup, restore, running_lock
from storage.sqlite import SqliteRepository
from tests.test_cli import thidua
from tests.test_core import registered


async def test_backup_of_a_live_database_and_a_guarded_restore(
    runtime: Runtime, settings: Settings, tmp_path: Path,
) -> None:
    an = await registered(runtime, "1", unit="SHTT")
    await an.say("/capnhat 1 50% Trước khi sao lưu")
    await an.say("Gửi")
    copy = tmp_path / "copy.db"
    with running_lock(settings.database):  # the bot is running
        assert backup(settings.database, copy) > 0
        await an.say("/capnhat 1 90% Sau khi sao lưu")
        await an.say("Gửi")
        with pytest.raises(BackupError) as refused:
            restore(copy, settings.database)
        assert refused.value.kind == "in_use"
    await runtime.close()
    assert restore(copy, settings.database) >= 1
    repo = await SqliteRepository.open(settings.database)
    update = await repo.get_update(1)
    assert update is not None and update.note == "Trước khi sao lưu"
    assert await repo.get_update(2) is None  # the later update is not in the copy
    await repo.close()


def test_restore_refuses_what_is_not_a_good_copy(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 100)
    other = tmp_path / "other.db"
    import sqlite3

    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.close()
    for source, kind in ((garbage, "not_a_database"), (other, "not_ours"),
                         (tmp_path / "nothing.db", "missing")):
        with pytest.raises(BackupError) as refused:
            restore(source, tmp_path / "live.db")
        assert refused.value.kind == kind


async def test_restore_refuses_a_copy_whose_schema_is_not_exactly_ours(tmp_path: Path) -> None:
    import sqlite3

    from storage.sqlite import SqliteRepository

    good = tmp_path / "good.db"
    repo = await SqliteRepository.open(good)
    await repo.close()
    live = tmp_path / "live.db"
    restore(good, live)  # an exact copy is taken

    trap = tmp_path / "trap.db"
    backup(good, trap)
    connection = sqlite3.connect(trap)
    connection.execute("CREATE TRIGGER promote AFTER INSERT ON members BEGIN "
                       "UPDATE members SET role = 'chair'; END")
    connection.commit()
    connection.close()
    skeleton = tmp_path / "skeleton.db"
    connection = sqlite3.connect(skeleton)
    connection.execute("CREATE TABLE blocs (id INTEGER PRIMARY KEY)")
    connection.execute("PRAGMA user_version = 7")
    connection.commit()
    connection.close()
    for copy, named in ((trap, "trigger promote"), (skeleton, "index audit_by_time")):
        with pytest.raises(BackupError) as refused:
            restore(copy, live)
        assert refused.value.kind == "schema_differs" and named in refused.value.detail


def test_backup_and_restore_from_the_command_line(tmp_path: Path) -> None:
    from tests.conftest import SMALL_BLOC

    (tmp_path / "bloc.yaml").write_text(SMALL_BLOC, encoding="utf-8")
    common = ("--database", str(tmp_path / "live.db"), "--bloc-file", str(tmp_path / "bloc.yaml"))
    assert thidua("db", "migrate", *common, cwd=tmp_path).returncode == 0
    made = thidua("backup", "--out", str(tmp_path / "nightly.db"), *common, cwd=tmp_path)
    assert made.returncode == 0 and "Đã sao lưu" in made.stdout
    back = thidua("restore", str(tmp_path / "nightly.db"), *common, cwd=tmp_path)
    assert back.returncode == 0 and "Đã khôi phục" in back.stdout
    bad = thidua("restore", str(tmp_path / "bloc.yaml"), *common, cwd=tmp_path)
    assert bad.returncode == 1 and "không phải là cơ sở dữ liệu" in bad.stderr


async def test_the_database_its_wal_backups_and_downloads_are_readable_by_the_bot_only(
    tmp_path: Path,
) -> None:
    import stat
    from datetime import UTC, datetime

    from bot.domain.events import OutFile
    from bot.services.downloads import DownloadStore
    from storage.backup import backup
    from storage.sqlite import SqliteRepository

    old = os.umask(0o022)  # a usual umask: files would be world-readable
    try:
        db = tmp_path / "data" / "bot.db"
        repo = await SqliteRepository.open(db)
        try:
            await repo.set_bot_username("k", "v")
            copy = tmp_path / "copies" / "bot-copy.db"
            backup(db, copy)
            offered = DownloadStore(tmp_path / "files", b"k" * 32, "https://x.vn/h").offer(
                OutFile("Tổng hợp.xlsx", b"PK", "application/zip"),
                datetime(2026, 11, 24, tzinfo=UTC))
            download = next((tmp_path / "files").iterdir())
            files = [db, db.with_name("bot.db-wal"), db.with_name("bot.db-shm"), copy, download]
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
        finally:
            await repo.close()
    finally:
        os.umask(old)
    assert offered.url
    assert modes == {name: 0o600 for name in modes}, modes
