"""End to end over HTTP: conversations on Zalo, where menus are numbered."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.clock import FixedClock
from bot.domain.events import Option, Reply
from config.settings import Settings
from storage.records import Role
from tests.e2e import make_invite
from tests.test_e2e_progress import stored_updates
from tests.zalo_e2e import (
    after,
    ask,
    join,
    menu_number,
    running_zalo_bot,
)
from tests.zaloapi import FakeZaloApi

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
STRANGER = "Bot này phục vụ các đơn vị thành viên của Khối thi đua"
OUTDATED = "Danh sách lựa chọn này đã cũ, không còn sử dụng được."


async def test_a_stranger_is_answered_politely_and_dangky_registers(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    stranger, an = zalo.user("Người lạ"), zalo.user("An")
    async with running_zalo_bot(zsettings, zalo, clock):
        hello = await ask(zalo, stranger, "Xin chào, cho hỏi đây là bot gì?")
        assert STRANGER in (hello.text or "")
        assert STRANGER in ((await ask(zalo, stranger, "/capnhat")).text or "")
        wrong = await ask(zalo, stranger, "dangky khong-co-ma-nay")
        assert (wrong.text or "").startswith("Mã mời không hợp lệ.")

        token = await make_invite(zsettings, Role.CONTACT, "SHTT", clock=clock)
        welcome = await ask(zalo, an, f"Đăng ký {token}")  # as typed on a phone, with marks
        assert (welcome.text or "").startswith(
            "Xin chào đồng chí An! Đồng chí đã được đăng ký vào Khối thi đua Thử nghiệm với "
            "vai trò: "
            "Đầu mối — Viện Khoa học sở hữu trí tuệ.")
        assert "<" not in (welcome.text or "")  # Zalo shows text plain: no HTML tags
        mine = await ask(zalo, an, "/cuatoi")
        assert (mine.text or "").startswith("Báo cáo của Viện KHSHTT — 6 tháng cuối năm 2026")


async def test_a_guided_update_answered_with_numbers_and_once_with_a_label(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    an = zalo.user("An")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, an)
        tasks = await ask(zalo, an, "/capnhat")
        assert tasks.text == (
            "Chọn nhiệm vụ cần báo cáo:\n\n"
            "Trả lời bằng số (hoặc gõ tên lựa chọn):\n"
            "1. Tổ chức Hội nghị Tổng kết — chưa báo cáo\n"
            "2. Biểu dương điển hình <tiên tiến> & nhân tố mới — chưa báo cáo\n"
            "0. Thoát")
        statuses = await ask(zalo, an, menu_number(tasks, "Tổ chức Hội nghị"))
        assert "2. Đang thực hiện" in (statuses.text or "")
        percent = await ask(zalo, an, "dang thuc hien")  # the label, typed without marks
        assert "bao nhiêu phần trăm" in (percent.text or "")
        note = await ask(zalo, an, "70%")
        assert "Kết quả đơn vị đã thực hiện" in (note.text or "")
        files = await ask(zalo, an, "Đã họp trù bị với 2 doanh nghiệp")
        summary = await ask(zalo, an, menu_number(files, "Xong"))
        assert "Tình trạng: Đang thực hiện 70%" in (summary.text or "")
        assert "Kết quả: Đã họp trù bị với 2 doanh nghiệp" in (summary.text or "")
        done = await ask(zalo, an, menu_number(summary, "Gửi"), contains="Đã ghi nhận")
        assert (done.text or "").startswith(
            "✅ Đã ghi nhận báo cáo số 1: Viện KHSHTT, nhiệm vụ 1 — Đang thực hiện 70%")
        offer = await zalo.wait_for_message(an, lambda m: "tiếp tục báo cáo" in (m.text or ""))
        assert "1. Tiếp: 2. Biểu dương" in (offer.text or "")
        mine = await ask(zalo, an, "/cuatoi")
        assert "Đang thực hiện 70%" in (mine.text or "")
    assert await stored_updates(zsettings) == [
        ("SHTT", 1, "in_progress", 70, "Đã họp trù bị với 2 doanh nghiệp")]


async def test_zero_leaves_a_form_and_an_out_of_date_menu_is_refused(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    an = zalo.user("An")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, an)
        tasks = await ask(zalo, an, "/capnhat")
        assert "0. Thoát" in (tasks.text or "")
        left = await ask(zalo, an, "0")
        assert (left.text or "").startswith("Đã hủy.")
        stale = await ask(zalo, an, "2")  # a number from the menu that is gone
        assert stale.text == OUTDATED

        await ask(zalo, an, "/capnhat")
        await ask(zalo, an, "1")
        assert ((await ask(zalo, an, "/huy")).text or "").startswith("Đã hủy.")
        assert (await ask(zalo, an, "Hoàn thành")).text == OUTDATED  # a label of the old menu
        await asyncio.sleep(0.3)
        assert [m.text for m in zalo.messages_to(an)].count(OUTDATED) == 2  # said once each
    assert await stored_updates(zsettings) == []


async def test_the_one_liner_and_the_chair_drills_into_a_unit_by_number(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    an, chair = zalo.user("An"), zalo.user("Nhân")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, an)
        await join(zalo, zsettings, clock, chair, Role.CHAIR, "UDCN")
        quick = await ask(zalo, an, "/capnhat 1 80% Đã tổ chức hội thảo")
        assert "Tình trạng: Đang thực hiện 80%" in (quick.text or "")
        assert (quick.text or "").endswith("1. Gửi\n2. Sửa\n3. Hủy\n0. Thoát")
        await ask(zalo, an, "1", contains="Đã ghi nhận báo cáo số 1")

        overview = await ask(zalo, chair, "/tinhhinh")
        assert "Đã báo cáo đủ: 0/3 đơn vị · báo cáo chưa đủ: 1" in (overview.text or "")
        assert (overview.text or "").endswith(
            "1. Xem một đơn vị\n2. Xem một nhiệm vụ\n3. Đóng\n0. Thoát")
        units = await ask(zalo, chair, menu_number(overview, "Xem một đơn vị"))
        assert "1. Viện ƯDCN\n2. VP CNCL\n3. Viện KHSHTT" in (units.text or "")
        unit = await ask(zalo, chair, menu_number(units, "Viện KHSHTT"))
        assert (unit.text or "").startswith("Viện Khoa học sở hữu trí tuệ")
        assert "Đang thực hiện 80%" in (unit.text or "")
        assert (await ask(zalo, chair, menu_number(unit, "Đóng"))).text == "Đã đóng."
    assert await stored_updates(zsettings) == [
        ("SHTT", 1, "in_progress", 80, "Đã tổ chức hội thảo")]


async def test_the_chairs_nudge_reaches_zalo_contacts_owing_a_report_through_the_outbox(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    chair, an, binh = zalo.user("Nhân"), zalo.user("An"), zalo.user("Bình")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, chair, Role.CHAIR, "UDCN")
        await join(zalo, zsettings, clock, an, unit="SHTT")
        await join(zalo, zsettings, clock, binh, unit="CNCL")
        quick = await ask(zalo, an, "/capnhat 2 100% Đã khen thưởng")
        await ask(zalo, an, menu_number(quick, "Gửi"), contains="Đã ghi nhận")

        nudged = after(zalo)
        ack = await ask(zalo, chair, "/nhacnho")
        assert "2 đầu mối của 2 đơn vị" in (ack.text or "")
        nudge = await zalo.wait_for_message(binh, nudged)
        assert "Khối thi đua chưa nhận được báo cáo" in (nudge.text or "")
        assert "• 1. Tổ chức Hội nghị Tổng kết" in (nudge.text or "")
        assert (nudge.text or "").endswith("1. Cập nhật ngay")  # no "0. Thoát": not a form
        report = await zalo.wait_for_message(
            chair, lambda m: "Kết quả nhắc nhở" in (m.text or ""), timeout=10)
        assert (report.text or "").startswith("Kết quả nhắc nhở: đã gửi 2/2 tin")
        # SHTT reported task 2 of its 2: it is asked for task 1 only
        partial = [m.text or "" for m in zalo.messages_to(an)
                   if "chưa nhận được báo cáo" in (m.text or "")]
        assert len(partial) == 1 and "• 1. Tổ chức Hội nghị Tổng kết" in partial[0]
        assert "• 2." not in partial[0]

        tasks = await ask(zalo, binh, "1")  # "update now" from the nudge's menu
        assert (tasks.text or "").startswith("Chọn nhiệm vụ cần báo cáo:")


async def test_a_deadline_reminder_reaches_zalo_once_and_leaves_a_form_alone(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    binh = zalo.user("Bình")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        await join(zalo, zsettings, clock, binh, unit="CNCL")
        clock.set(datetime(2026, 11, 29, 20, 0, tzinfo=HANOI))  # Sunday evening
        await ask(zalo, binh, "/capnhat")
        statuses = await ask(zalo, binh, "1")  # Bình is choosing a status when…
        assert "1. Chưa bắt đầu" in (statuses.text or "")
        reminded = after(zalo)
        clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=HANOI))  # …Monday 8:00 comes
        await bot.runtime.reminders.plan()
        reminder = await zalo.wait_for_message(binh, reminded, timeout=10)
        assert "hạn gửi báo cáo" in (reminder.text or "")
        assert "Thứ Bảy, 05/12/2026" in (reminder.text or "")
        # mid-form the reminder's option is shown as its command, not as a number
        # a form is open: the reminder's own options are written out, not numbered
        assert "\n• Cập nhật ngay: gõ /capnhat\n• Nhắc lại sáng mai: gõ /nhaclai deadline:" in (
            reminder.text or "")
        assert "1. Cập nhật ngay" not in (reminder.text or "")
        await bot.runtime.reminders.plan()  # planning again sends nothing twice
        await bot.runtime.outbox.drain()
        note = await ask(zalo, binh, "1")  # still "Chưa bắt đầu", not the reminder's option
        assert "Kết quả đơn vị đã thực hiện" in (note.text or "")
    assert len([m for m in zalo.messages_to(binh) if "hạn gửi báo cáo" in (m.text or "")]) == 1


async def test_stickers_and_unsupported_messages_get_text_or_pictures_only(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    an = zalo.user("An")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, an)
        fresh = after(zalo)
        await an.send_sticker()
        polite = await zalo.wait_for_message(an, fresh)
        assert polite.text == ("Bot chỉ đọc được tin nhắn chữ và hình ảnh. Vui lòng gõ nội "
                               "dung bằng chữ (gõ /trogiup để xem các lệnh).")
        fresh = after(zalo)
        await an.send_unsupported()
        assert (await zalo.wait_for_message(an, fresh)).text == polite.text


def long_report() -> str:
    """A reply of about 6,300 characters: 60 numbered lines and one line of 2,500."""
    lines = [f"{n:02d}. Viện số {n} — đã báo cáo <đủ> & đúng hạn; ghi chú: " + "x" * 40
             for n in range(1, 61)]
    lines.insert(30, " ".join(f"từ{n}" for n in range(500)))  # longer than one Zalo message
    return "\n".join(lines)


async def test_a_long_reply_is_split_at_line_boundaries_with_nothing_lost(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    an = zalo.user("An")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        await join(zalo, zsettings, clock, an)
        text = long_report()
        assert len(text) > 5000
        fresh = after(zalo)
        html = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        shown = await bot.runtime.presenter.present("zalo", Reply(
            html, options=(Option("Xem chi tiết", "/tinhhinh"),)), "vi")
        await bot.runtime.channels.send("zalo", an.id, shown.messages)
        await zalo.wait_for_message(an, lambda m: fresh(m) and "1. Xem chi tiết" in (
            m.text or ""))
    pieces = [m.text or "" for m in zalo.messages_to(an) if fresh(m)]
    assert len(pieces) >= 4
    assert all(len(piece) <= 2000 for piece in pieces)
    whole = "\n".join(pieces)
    assert whole.endswith("Trả lời bằng số (hoặc gõ tên lựa chọn):\n1. Xem chi tiết")
    for line in text.splitlines()[:30] + text.splitlines()[31:]:  # whole lines stay whole
        assert sum(line in piece.splitlines() for piece in pieces) == 1, line
    assert whole.split() == (text + "\n\nTrả lời bằng số (hoặc gõ tên lựa chọn):\n"
                             "1. Xem chi tiết").split()  # and no word is lost
