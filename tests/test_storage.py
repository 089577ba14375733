"""Storage on a real database (a SQLite file, or PostgreSQL in the run on it): migrations,
idempotent bloc loading, constraints, concurrency."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from config.bloc import BlocConfig, parse_bloc_text
from config.database import DatabaseAddress
from storage.migrations import LATEST_VERSION
from storage.opening import open_repository
from storage.records import (
    DialogState,
    NewProgressUpdate,
    ProgressStatus,
    RedeemOutcome,
    Role,
)
from storage.repository import Repository
from storage.sqlite import SqliteRepository
from tests.conftest import EXAMPLE_BLOC, SMALL_BLOC
from tests.databases import query

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def small_config(**changes: object) -> BlocConfig:
    data = yaml.safe_load(SMALL_BLOC)
    data.update(changes)
    data.setdefault("timezone", "Asia/Ho_Chi_Minh")
    return parse_bloc_text(yaml.safe_dump(data, allow_unicode=True))


async def test_new_file_is_created_migrated_and_pragmas_set(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "bot.db"
    repo = await SqliteRepository.open(path)
    await repo.close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()
    again = await SqliteRepository.open(path)  # opening twice applies nothing twice
    await again.close()


async def test_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    raw.close()
    with pytest.raises(RuntimeError, match="newer than this program"):
        await SqliteRepository.open(path)


async def test_loading_the_example_bloc_twice_changes_nothing(
    database: DatabaseAddress,
) -> None:
    config = parse_bloc_text(EXAMPLE_BLOC.read_text(encoding="utf-8"))
    config = config.model_copy(update={"timezone": "Asia/Ho_Chi_Minh"})
    repo = await open_repository(database)
    first = await repo.sync_bloc(config, NOW)
    audit_rows = len(await repo.list_audit())
    second = await repo.sync_bloc(config, NOW)
    assert first.changed and not second.changed
    assert len(await repo.list_audit()) == audit_rows  # a no-op load is not an event
    bloc = await repo.get_bloc("vp-vien")
    assert bloc is not None
    units = await repo.list_units(bloc.id)
    assert len(units) == 13
    assert next(u for u in units if u.id == bloc.chair_unit_id).name == "Viện Ứng dụng công nghệ"
    await repo.close()


async def test_edited_task_title_keeps_its_id_and_removed_task_is_retired(
    database: DatabaseAddress,
) -> None:
    repo = await open_repository(database)
    await repo.sync_bloc(small_config(), NOW)
    bloc = await repo.get_bloc("test-bloc")
    assert bloc is not None
    period = (await repo.list_periods(bloc.id))[0]
    before = {task.code: task for task in await repo.list_tasks(period.id)}

    data = yaml.safe_load(SMALL_BLOC)
    data["periods"][0]["tasks"][0]["title"] = "Tổ chức Hội nghị Tổng kết năm 2026"
    del data["periods"][0]["tasks"][1]
    summary = await repo.sync_bloc(
        parse_bloc_text(yaml.safe_dump(data, allow_unicode=True)).model_copy(
            update={"timezone": "Asia/Ho_Chi_Minh"}), NOW)
    after = await repo.list_tasks(period.id)
    assert summary.updated == 1 and summary.retired == 1
    assert [task.id for task in after] == [before["1"].id]
    assert after[0].title.endswith("năm 2026")
    await repo.close()


async def test_deadlines_are_stored_in_utc_and_read_back_in_local_time(
    database: DatabaseAddress,
) -> None:
    repo = await open_repository(database)
    await repo.sync_bloc(small_config(), NOW)
    await repo.close()
    (stored,) = query(database, "SELECT deadline_at, deadline_all_day FROM tasks "
                                "WHERE code = '1'")
    # 15/12/2026 14:30 in Hà Nội (UTC+7) is 07:30 UTC
    assert stored == ("2026-12-15T07:30:00.000000+00:00", 0)


async def test_invite_is_used_once_and_counts_cannot_exceed_limit(
    database: DatabaseAddress,
) -> None:
    repo = await open_repository(database)
    summary = await repo.sync_bloc(small_config(), NOW)
    await repo.create_invite(bloc_id=summary.bloc_id, token_hash="h1", unit_id=None,
                             role=Role.LIAISON, max_uses=1, expires_at=NOW + timedelta(days=1),
                             created_by="test", now=NOW)
    first = await repo.redeem_invite(token_hash="h1", channel="t", external_id="1",
                                     display_name="A", now=NOW)
    second = await repo.redeem_invite(token_hash="h1", channel="t", external_id="2",
                                      display_name="B", now=NOW)
    assert first.outcome is RedeemOutcome.REGISTERED
    assert second.outcome is RedeemOutcome.USED_UP
    assert await repo.get_member("t", "2") is None
    await repo.close()


async def test_concurrent_redemptions_of_a_single_use_invite_register_one_person(
    database: DatabaseAddress,
) -> None:
    setup = await open_repository(database)
    summary = await setup.sync_bloc(small_config(), NOW)
    await setup.create_invite(bloc_id=summary.bloc_id, token_hash="race", unit_id=None,
                              role=Role.LIAISON, max_uses=1, expires_at=NOW + timedelta(days=1),
                              created_by="test", now=NOW)
    # two processes' worth of connections, ten people racing for the same token
    repos = [setup, await open_repository(database)]
    results = await asyncio.gather(*(
        repos[i % 2].redeem_invite(token_hash="race", channel="t", external_id=str(i),
                                   display_name=f"P{i}", now=NOW)
        for i in range(10)
    ))
    assert sum(r.outcome is RedeemOutcome.REGISTERED for r in results) == 1
    assert len(await setup.list_members(summary.bloc_id)) == 1
    for repo in repos:
        await repo.close()


async def test_dialog_place_survives_reopening_the_database(
    database: DatabaseAddress,
) -> None:
    repo = await open_repository(database)
    await repo.save_dialog(DialogState("telegram", "42", "invite", "unit",
                                       {"role": "contact", "note": "Ghi chú có dấu ✓"}, 7), NOW)
    await repo.close()
    reopened = await open_repository(database)
    state = await reopened.load_dialog("telegram", "42")
    assert state is not None
    assert (state.form, state.step, state.token) == ("invite", "unit", 7)
    assert state.answers == {"role": "contact", "note": "Ghi chú có dấu ✓"}
    await reopened.close()


async def test_an_update_is_processed_once(
    database: DatabaseAddress,
) -> None:
    repo = await open_repository(database)
    assert await repo.mark_handled("telegram", "100", NOW)
    assert not await repo.mark_handled("telegram", "100", NOW)
    assert await repo.mark_handled("zalo", "100", NOW)
    await repo.close()


async def test_a_task_added_in_the_middle_of_the_file_keeps_the_files_order(
    database: DatabaseAddress,
) -> None:
    repo = await open_repository(database)
    await repo.sync_bloc(small_config(), NOW)
    data = yaml.safe_load(SMALL_BLOC)
    data["periods"][0]["tasks"].insert(1, {"code": "1b", "title": "Nhiệm vụ chen giữa"})
    config = parse_bloc_text(yaml.safe_dump(data, allow_unicode=True))
    await repo.sync_bloc(config.model_copy(update={"timezone": "Asia/Ho_Chi_Minh"}), NOW)
    period = (await repo.list_periods(1))[0]
    assert [t.code for t in await repo.list_tasks(period.id)] == ["1", "1b", "2"]
    await repo.close()


async def test_a_blocs_members_are_found_without_reading_every_member(tmp_path: Path) -> None:
    """One deployment may hold a whole ministry's blocs (bench/: 2,250 people)."""
    repo = await SqliteRepository.open(tmp_path / "x.db")
    try:
        plan = await repo._all(  # type: ignore[attr-defined]
            "EXPLAIN QUERY PLAN SELECT * FROM members WHERE bloc_id = ? AND active = 1", (1,))
        assert "USING INDEX members_by_bloc" in " ".join(str(row["detail"]) for row in plan)
    finally:
        await repo.close()


async def _report(repo: Repository, unit_id: int, task_id: int, member_id: int,
                  percent: int) -> int:
    stored = await repo.record_update(NewProgressUpdate(
        unit_id=unit_id, task_id=task_id, status=ProgressStatus.IN_PROGRESS, percent=percent,
        note=f"{percent}%", help_needed=None, author_member_id=member_id, author_name="An",
        on_behalf=False), NOW)
    return stored.id


async def test_the_matrix_shows_the_newest_version_still_standing(
    database: DatabaseAddress,
) -> None:
    """Withdrawing the standing version brings back the one before; withdrawing an older one
    changes nothing; withdrawing every version leaves the unit silent on the task."""
    repo = await open_repository(database)
    try:
        bloc_id = (await repo.sync_bloc(small_config(), NOW)).bloc_id
        period = (await repo.list_periods(bloc_id))[0]
        task = (await repo.list_tasks(period.id))[0]
        unit = (await repo.list_units(bloc_id))[0]
        member = await repo.upsert_member(bloc_id=bloc_id, channel="test", external_id="1",
                                          display_name="An", unit_id=unit.id,
                                          role=Role.CONTACT, now=NOW)

        async def standing() -> list[int]:
            return [u.percent for u in await repo.latest_for_period(period.id)]

        first, second, third = [await _report(repo, unit.id, task.id, member.id, p)
                                for p in (10, 20, 30)]
        assert await standing() == [30]
        await repo.withdraw_update(third, member.id, NOW)
        assert await standing() == [20]
        assert (await repo.latest_updates(unit.id, [task.id]))[task.id].percent == 20
        await repo.withdraw_update(first, member.id, NOW)
        assert await standing() == [20]
        await repo.withdraw_update(second, member.id, NOW)
        assert await standing() == []
        assert await _report(repo, unit.id, task.id, member.id, 40) and await standing() == [40]
    finally:
        await repo.close()
