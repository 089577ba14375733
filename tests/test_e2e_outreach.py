"""End to end over HTTP: the chair nudges silent units and announces, through the outbox."""

from __future__ import annotations

from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi
from tests.e2e import make_invite, running_bot, while_the_clock_runs


async def test_nudge_reaches_silent_units_once_despite_429_and_500_and_reports_back(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    chair = api.user(1, "Nhân")
    an, binh, hoa, cuong = (api.user(2, "An"), api.user(3, "Bình"), api.user(4, "Hoa"),
                            api.user(5, "Cường"))
    async with running_bot(tg_settings, clock):
        for user, role, unit in ((chair, Role.CHAIR, None), (an, Role.CONTACT, "SHTT"),
                                 (binh, Role.CONTACT, "CNCL"), (hoa, Role.CONTACT, "CNCL"),
                                 (cuong, Role.CONTACT, "UDCN")):
            api.send_text(user, f"/start {await make_invite(tg_settings, role, unit, clock=clock)}")
            await api.wait_for_message(user.id)
        for task in (1, 2):  # SHTT reports on both its tasks, so it is not nudged
            api.send_text(an, f"/capnhat {task} 50% Đã họp")
            summary = await api.wait_for_message(an.id, lambda m: "Gửi" in m.button_texts)
            api.press(an, summary, summary.find_button("Gửi"))
            await api.wait_for_message(an.id, lambda m: "Đã ghi nhận" in (m.plain_text or ""))
        api.block(cuong.id)  # Cường blocked the bot
        api.fail("sendMessage", status=429, retry_after=1, times=1)
        api.fail("sendMessage", status=500, times=2)

        api.send_text(chair, "/nhacnho")
        ack = await api.wait_for_message(chair.id, timeout=10)
        assert "3 đầu mối của 2 đơn vị" in (ack.plain_text or "")
        report = await while_the_clock_runs(clock, lambda timeout: api.wait_for_message(
            chair.id, lambda m: "Kết quả nhắc nhở" in (m.plain_text or ""), timeout))
        assert report.plain_text == (  # nothing failed: not said
            "Kết quả nhắc nhở: đã gửi 2/3 tin; 1 người đã chặn bot.")
        for user in (binh, hoa):
            nudges = [m for m in api.messages_to(user.id)
                      if "chưa nhận được báo cáo" in (m.plain_text or "")]
            assert len(nudges) == 1, user
            assert nudges[0].button_texts == ["Cập nhật ngay"]
            assert "• 1. Tổ chức Hội nghị Tổng kết" in (nudges[0].plain_text or "")
        assert not [m for m in api.messages_to(an.id) if "chưa nhận được" in (m.plain_text or "")]

        nudge = next(m for m in api.messages_to(binh.id) if m.button_texts)
        api.press(binh, nudge, nudge.find_button("Cập nhật ngay"))
        tasks = await api.wait_for_message(binh.id, lambda m: "Chọn nhiệm vụ cần báo cáo" in (
            m.plain_text or ""))
        assert tasks.button_texts[0].startswith("1. Tổ chức Hội nghị Tổng kết")


async def test_announcement_to_chosen_units_and_to_everyone_with_the_group(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    deputy, group = api.user(11, "Bách"), api.group(-100900, "Khối")
    an, binh = api.user(12, "An"), api.user(13, "Bình")
    async with running_bot(tg_settings, clock):
        for user, role, unit in ((deputy, Role.DEPUTY, None), (an, Role.CONTACT, "SHTT"),
                                 (binh, Role.CONTACT, "CNCL")):
            api.send_text(user, f"/start {await make_invite(tg_settings, role, unit, clock=clock)}")
            await api.wait_for_message(user.id)
        api.send_text(deputy, "/dangnhiemvu", chat=group)  # the bot learns the group
        await api.wait_for_message(group.id)

        api.send_text(deputy, "/thongbao")
        audience = await api.wait_for_message(deputy.id)
        api.press(deputy, audience, audience.find_button("Một số"))
        await api.wait_for_message(deputy.id)
        api.send_text(deputy, "vipri")
        await api.wait_for_message(deputy.id)
        api.send_text(deputy, "Nộp báo cáo <trước> thứ Sáu")
        review = await api.wait_for_message(deputy.id)
        assert "gửi tới 1 người" in (review.plain_text or "")
        api.press(deputy, review, review.find_button("Gửi"))
        note = await api.wait_for_message(an.id, timeout=10)
        assert "Nộp báo cáo <trước> thứ Sáu" in (note.plain_text or "")
        assert "từ Bách" in (note.plain_text or "")
        await api.wait_for_message(deputy.id, lambda m: "Kết quả thông báo: đã gửi 1/1" in (
            m.plain_text or ""), timeout=10)
        assert not [m for m in api.messages_to(binh.id) if "Nộp báo cáo" in (m.plain_text or "")]

        api.send_text(deputy, "/announce")
        audience = await api.wait_for_message(deputy.id, lambda m: "tới ai" in (
            m.plain_text or ""))
        api.press(deputy, audience, audience.find_button("Tất cả"))
        await api.wait_for_message(deputy.id)
        api.send_text(deputy, "Chúc mừng năm mới")
        review = await api.wait_for_message(deputy.id)
        api.press(deputy, review, review.find_button("Gửi"))
        in_group = await api.wait_for_message(
            group.id, lambda m: "Chúc mừng năm mới" in (m.plain_text or ""), timeout=10)
        assert in_group is not None
        for user in (an, binh):
            await api.wait_for_message(
                user.id, lambda m: "Chúc mừng năm mới" in (m.plain_text or ""), timeout=10)
