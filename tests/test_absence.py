"""A contact away (nghỉ phép, đi công tác) names who covers: reminders go to that colleague
meanwhile, and the chair sees who covers."""

from __future__ import annotations

from datetime import date

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from storage.records import Role
from tests.chat import plain
from tests.test_core import registered
from tests.test_reminders import local


async def _reminded(runtime: Runtime, occasion: str) -> set[str]:
    return {r.chat_id for r in await runtime.repo.outbox_rows()
            if r.dedup_key.startswith("remind:deadline:1@") and f":{occasion}:" in r.dedup_key}


async def test_reminders_go_to_the_colleague_covering_and_the_chair_sees_who(
    runtime: Runtime, clock: FixedClock,
) -> None:
    an = await registered(runtime, "10", unit="SHTT", name="Nguyễn Văn An")
    await registered(runtime, "11", unit="SHTT", name="Trần Thị Bình")  # a second contact
    chair = await registered(runtime, "9", Role.CHAIR, None)
    await an.say("/vangmat")
    assert "đã qua" in plain(await an.say("1/11/2026"))  # not in the past
    await an.say("1/12/2026")
    assert "phải sau" in plain(await an.say("30/11/2026"))
    backups = (await an.say("7/12/2026")).replies[-1]
    assert [o.label for o in backups.options][:2] == ["Trần Thị Bình", "Không có người thay"]
    review = plain(await an.press(backups, "Trần Thị Bình"))
    assert review == ("Vắng mặt từ Thứ Ba, 01/12/2026 đến Thứ Hai, 07/12/2026; người nhận "
                      "nhắc nhở thay: Trần Thị Bình. Lưu?")
    assert plain(await an.say("Lưu")).startswith("Đã lưu.")

    clock.set(local(date(2026, 11, 30)))  # before the absence: both contacts
    await runtime.reminders.plan()
    assert await _reminded(runtime, "7d") == {"10", "11"}
    clock.set(local(date(2026, 12, 4)))  # during it: Bình covers, An is left alone
    await runtime.reminders.plan()
    assert await _reminded(runtime, "1d") == {"11"}
    overview = plain(await chair.say("/tinhhinh"))
    assert ("đầu mối: Nguyễn Văn An (vắng đến Thứ Hai, 07/12/2026; Trần Thị Bình thay), "
            "Trần Thị Bình") in overview

    current = plain(await an.say("/vangmat"))
    assert current.startswith("Đồng chí đã báo vắng mặt từ Thứ Ba, 01/12/2026")
    assert plain(await an.say("Hủy lịch vắng mặt")).startswith("Đã hủy lịch vắng mặt")
    assert "vắng đến" not in plain(await chair.say("/tinhhinh"))


async def test_an_absent_contact_with_nobody_covering_leaves_it_to_the_unit_head(
    runtime: Runtime, clock: FixedClock,
) -> None:
    an = await registered(runtime, "10", unit="SHTT", name="Nguyễn Văn An")
    await registered(runtime, "50", Role.HEAD, unit="SHTT", name="Trần Văn Hải")
    await an.say("/vangmat")
    for answer in ("24/11/2026", "10/12/2026", "Không có người thay", "Lưu"):
        await an.say(answer)
    clock.set(local(date(2026, 11, 30)))  # 7 days before: the head, since nobody else can
    await runtime.reminders.plan()
    assert await _reminded(runtime, "7d") == {"50"}
