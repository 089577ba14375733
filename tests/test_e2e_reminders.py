"""End to end over HTTP: reminders reach the right people once, through faults and downtime."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi
from tests.e2e import make_invite, running_bot, while_the_clock_runs

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def reminders_to(api: FakeBotApi, chat: int) -> list[str]:
    return [m.plain_text or "" for m in api.messages_to(chat)
            if "hạn gửi báo cáo" in (m.plain_text or "")]


async def test_deadline_reminders_reach_silent_units_once_and_stale_ones_never(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=HANOI))
    an, binh, cuong, chair = (api.user(1, "An"), api.user(2, "Bình"), api.user(3, "Cường"),
                              api.user(9, "Nhân"))
    async with running_bot(tg_settings, clock):
        for user, role, unit in ((an, Role.CONTACT, "SHTT"), (binh, Role.CONTACT, "CNCL"),
                                 (cuong, Role.CONTACT, "UDCN"), (chair, Role.CHAIR, None)):
            api.send_text(user, f"/start {await make_invite(tg_settings, role, unit, clock=clock)}")
            await api.wait_for_message(user.id)
        api.send_text(an, "/capnhat 1 60% Đã họp trù bị")
        summary = await api.wait_for_message(an.id)
        api.press(an, summary, summary.find_button("Gửi"))
        await api.wait_for_message(an.id)

    # the bot is down over the weekend and comes back on Monday at 8:00, with Telegram flaky
    clock.set(datetime.combine(date(2026, 11, 30), time(8, 0), tzinfo=HANOI))
    api.fail("sendMessage", status=429, retry_after=1, times=1)
    api.fail("sendMessage", status=500, times=2)
    async with running_bot(tg_settings, clock):
        for user in (binh, cuong):
            reminder = await while_the_clock_runs(
                clock, lambda timeout, user=user: api.wait_for_message(
                    user.id, lambda m: "hạn gửi báo cáo" in (m.plain_text or ""), timeout),
                step=timedelta(seconds=2))
            assert "Thứ Bảy, 05/12/2026" in (reminder.plain_text or "")
            assert reminder.button_texts == ["Cập nhật ngay", "Nhắc lại sáng mai"]
        await api.wait_until_consumed()
    assert [len(reminders_to(api, user.id)) for user in (an, binh, cuong)] == [0, 1, 1]

    # down again until long after the deadline: nothing stale is sent, not even the escalation
    clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=HANOI))
    async with running_bot(tg_settings, clock) as bot:
        await bot.runtime.outbox.drain()
        api.send_text(chair, "/lichnhac")
        schedule = await api.wait_for_message(chair.id, lambda m: "Lịch nhắc" in (
            m.plain_text or ""))
        assert "Không có nhắc nhở nào sắp tới" in (schedule.plain_text or "")
    assert [len(reminders_to(api, user.id)) for user in (an, binh, cuong)] == [0, 1, 1]
    # (the notice that task 1, due 15/12, is overdue is still useful: it may go out)
    assert not [m for m in api.messages_to(binh.id)
                if "đã quá hạn gửi báo cáo" in (m.plain_text or "")]
