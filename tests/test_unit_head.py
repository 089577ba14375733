"""The unit head (lãnh đạo đơn vị): invited for a unit, sees it like its contact, and is the
reminder ladder's step before the chair."""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

import yaml

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from storage.records import Role
from storage.sqlite import SqliteRepository
from tests.chat import Person, plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_reminders import local


async def test_the_chair_invites_a_unit_head_who_sees_the_unit_like_its_contact(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    roles = (await chair.say("/moi")).replies[-1]
    assert "Lãnh đạo đơn vị" in [o.label for o in roles.options]
    await chair.press(roles, "Lãnh đạo đơn vị")
    await chair.say("VIPRI")  # which unit
    made = plain(await chair.say("7 ngày"))
    assert "Lãnh đạo đơn vị — Viện Khoa học sở hữu trí tuệ" in made
    token = made.split("/start ")[1].split()[0]
    head = Person(runtime.dispatcher, "50", "Trần Văn Hải")
    welcome = plain(await head.say(f"/start {token}"))
    assert "vai trò: Lãnh đạo đơn vị — Viện Khoa học sở hữu trí tuệ" in welcome
    own = plain(await head.say("/tinhhinh"))
    assert own.startswith("Viện Khoa học sở hữu trí tuệ")  # their unit, as a contact sees it
    assert "Lệnh" in plain(await head.say("/moi"))  # and no more than a contact may


async def test_the_unit_head_is_reminded_from_the_day_before_the_deadline(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:
    await registered(runtime, "10", unit="SHTT")
    await registered(runtime, "50", Role.HEAD, unit="SHTT", name="Trần Văn Hải")

    async def reminded_on(day: date) -> set[str]:
        clock.set(local(day))
        await runtime.reminders.plan()
        return {r.chat_id for r in await runtime.repo.outbox_rows()
                if r.dedup_key.startswith("remind:deadline:1@") and f"{day}" in str(r.due_at)}

    assert await reminded_on(date(2026, 11, 30)) == {"10"}  # 7 days before: the contact
    assert await reminded_on(date(2026, 12, 4)) == {"10", "50"}  # 1 day before: the head too
    data = yaml.safe_load(SMALL_BLOC)
    data["reminders"] = {"head_days": 0}  # this bloc: the head only on the day
    small_bloc_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(small_bloc_file, (small_bloc_file.stat().st_mtime + 5,) * 2)
    await runtime._reload()
    occasions = await runtime.reminders.occasions()
    one_day = next(o for o in occasions if o.key.startswith("deadline:1@") and o.label == "1d")
    notices, _ = await runtime.reminders.notices.for_deadline(one_day, snoozable=False)
    assert {n.member.external_id for n in notices} == {"10"}


async def test_the_upgrade_to_13_keeps_every_member_and_what_refers_to_them(
    tmp_path: Path,
) -> None:
    from tests.test_storage_upgrades import UNDO_12, _seeded

    path = tmp_path / "x.db"
    await _seeded(path)
    with sqlite3.connect(path) as db:
        before = db.execute("SELECT id, role, display_name FROM members").fetchall()
        db.executescript(UNDO_12)
        db.execute("PRAGMA user_version = 11")
    repo = await SqliteRepository.open(path)
    await repo.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT id, role, display_name FROM members").fetchall() == before
        db.execute("PRAGMA foreign_keys = ON")
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        db.execute("UPDATE members SET role = 'head' WHERE id = ?", (before[0][0],))
        assert "REFERENCES members(id)" in db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'progress_updates'").fetchone()[0]
