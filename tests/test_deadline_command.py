"""``/hanbaocao`` (``/deadline``): the report deadline and the units still missing, for the
chair, the deputy and the liaison (a command added by its handler module alone)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi
from tests.chat import plain
from tests.e2e import make_invite, running_bot
from tests.test_core import registered


async def test_the_chair_sees_the_deadline_and_who_is_missing(runtime: Runtime) -> None:
    an = await registered(runtime, "1", unit="SHTT", name="Nguyễn Văn An")
    await registered(runtime, "2", unit="CNCL", name="Trần Thị Bình")
    for text in ("/capnhat 1 60% Đã họp trù bị", "Gửi", "Để sau"):
        await an.say(text)
    chair = await registered(runtime, "9", Role.CHAIR, None, name="Hoàng Ngọc Nhân")
    text = plain(await chair.say("/hanbaocao"))
    assert text.splitlines()[:3] == [
        "Hạn báo cáo — 6 tháng cuối năm 2026",
        "Hạn báo cáo: Thứ Bảy, 05/12/2026 — còn 11 ngày",
        "Đã báo cáo đủ: 0/3 đơn vị · báo cáo chưa đủ: 1 · chưa báo cáo: 2."]
    assert "Còn 3 đơn vị chưa báo cáo đủ:" in text
    assert "• VP CNCL — chưa báo cáo nhiệm vụ nào — đầu mối: Trần Thị Bình" in text
    assert "• Viện ƯDCN — chưa báo cáo nhiệm vụ nào — đầu mối: chưa có đầu mối đăng ký" in text
    # one task of two is not "reported": the task it lacks is named
    assert ("• Viện KHSHTT — đã báo cáo 1/2 nhiệm vụ, còn thiếu NV 2 — đầu mối: Nguyễn Văn An"
            in text)


async def test_the_liaison_may_ask_and_a_contact_may_not(runtime: Runtime) -> None:
    contact = await registered(runtime, "1", unit="SHTT")
    liaison = await registered(runtime, "8", Role.LIAISON, None)
    assert "Hạn báo cáo — 6 tháng cuối năm 2026" in plain(await liaison.say("/deadline"))
    refused = plain(await contact.say("/hanbaocao"))
    assert "chỉ dành cho người có vai trò phù hợp" in refused
    assert "Hạn báo cáo —" not in refused


async def test_once_every_unit_has_reported_on_every_task_it_says_so(
    runtime: Runtime,
) -> None:
    for user, unit in (("1", "SHTT"), ("2", "CNCL"), ("3", "UDCN")):
        person = await registered(runtime, user, unit=unit)
        for text in ("/capnhat 1 100% Đã hoàn thành", "Gửi", "Để sau",
                     "/capnhat 2 50% Đã lập danh sách", "Gửi"):
            await person.say(text)
    chair = await registered(runtime, "9", Role.CHAIR, None)
    text = plain(await chair.say("/hanbaocao"))
    assert "Đã báo cáo đủ: 3/3 đơn vị · báo cáo chưa đủ: 0 · chưa báo cáo: 0." in text
    assert "Tất cả các đơn vị đã báo cáo đủ các nhiệm vụ." in text


async def test_over_telegram_after_the_deadline_it_counts_the_days_past(
    api: FakeBotApi, tg_settings: Settings,
) -> None:
    clock = FixedClock(datetime(2026, 12, 8, 2, 0, tzinfo=UTC))  # 08/12 09:00 in Hà Nội
    chair = api.user(1, "Nhân")
    async with running_bot(tg_settings, clock):
        invite = await make_invite(tg_settings, Role.CHAIR, None, clock=clock)
        api.send_text(chair, f"/start {invite}")
        await api.wait_for_message(chair.id)
        api.send_text(chair, "/hanbaocao")
        answer = await api.wait_for_message(chair.id, lambda m: "Hạn báo cáo —" in (
            m.plain_text or ""))
    text = answer.plain_text or ""
    assert "Hạn báo cáo: Thứ Bảy, 05/12/2026 — đã quá hạn 3 ngày" in text
    assert "Còn 3 đơn vị chưa báo cáo đủ:" in text
    assert "hanbaocao" in [c["command"] for c in api.commands_for()]  # the command menu
