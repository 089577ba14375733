"""End to end over HTTP: the bot on Zalo, where menus are numbered and files are links."""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook

import handlers.matrix
from bot.channels import zalo as zalo_channel
from bot.channels.zalo import ZaloChannel
from bot.clock import FixedClock
from bot.events import Option, Reply
from bot.heatmap import HeatMap
from config.settings import Settings
from storage.records import Role
from tests.e2e import make_invite
from tests.test_e2e_progress import stored_updates
from tests.zalo_e2e import (
    RunningZaloBot,
    after,
    ask,
    free_port,
    join,
    menu_number,
    running_zalo_bot,
    zalo_settings,
)
from tests.zaloapi import FakeZaloApi

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
STRANGER = "Bot này phục vụ các đơn vị thành viên của Khối thi đua"
OUTDATED = "Menu này đã cũ, không còn dùng được."
URL = re.compile(r"https?://\S+")


@pytest.fixture
def zsettings(settings: Settings, zalo: FakeZaloApi) -> Settings:
    """The test settings pointed at the fake Zalo server, long polling."""
    return zalo_settings(settings, zalo)


def channel_of(bot: RunningZaloBot) -> ZaloChannel:
    port = bot.runtime.core.channels["zalo"]
    assert isinstance(port, ZaloChannel)
    return port


async def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``condition()`` holds (checked every 20 ms)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.02)


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
            "Xin chào An! Bạn đã được đăng ký vào Khối thi đua Thử nghiệm với vai trò: "
            "Đầu mối — Viện Khoa học sở hữu trí tuệ.")
        assert "<" not in (welcome.text or "")  # Zalo shows text plain: no HTML tags
        mine = await ask(zalo, an, "/cuatoi")
        assert (mine.text or "").startswith("Cập nhật của Viện KHSHTT — 6 tháng cuối năm 2026")


async def test_a_guided_update_answered_with_numbers_and_once_with_a_label(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    an = zalo.user("An")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, an)
        tasks = await ask(zalo, an, "/capnhat")
        assert tasks.text == (
            "Bạn muốn cập nhật nhiệm vụ nào?\n\n"
            "Trả lời bằng số (hoặc gõ tên lựa chọn):\n"
            "1. Tổ chức Hội nghị Tổng kết — chưa cập nhật\n"
            "2. Biểu dương điển hình <tiên tiến> & nhân tố mới — chưa cập nhật\n"
            "0. Thoát")
        statuses = await ask(zalo, an, menu_number(tasks, "Tổ chức Hội nghị"))
        assert "2. Đang thực hiện" in (statuses.text or "")
        percent = await ask(zalo, an, "dang thuc hien")  # the label, typed without marks
        assert "bao nhiêu phần trăm" in (percent.text or "")
        note = await ask(zalo, an, "70%")
        assert "làm được những gì" in (note.text or "")
        files = await ask(zalo, an, "Đã họp trù bị với 2 doanh nghiệp")
        summary = await ask(zalo, an, menu_number(files, "Xong"))
        assert "Tình trạng: Đang thực hiện 70%" in (summary.text or "")
        assert "Kết quả: Đã họp trù bị với 2 doanh nghiệp" in (summary.text or "")
        done = await ask(zalo, an, menu_number(summary, "Gửi"), contains="Đã ghi nhận")
        assert (done.text or "").startswith(
            "✅ Đã ghi nhận cập nhật số 1: Viện KHSHTT, nhiệm vụ 1 — Đang thực hiện 70%")
        offer = await zalo.wait_for_message(an, lambda m: "cập nhật tiếp" in (m.text or ""))
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
        await ask(zalo, an, "1", contains="Đã ghi nhận cập nhật số 1")

        overview = await ask(zalo, chair, "/tinhhinh")
        assert "1/3 đơn vị đã cập nhật." in (overview.text or "")
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


async def test_the_chairs_nudge_reaches_a_silent_zalo_contact_through_the_outbox(
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
        assert "1 đầu mối của 1 đơn vị" in (ack.text or "")
        nudge = await zalo.wait_for_message(binh, nudged)
        assert "Khối thi đua chưa nhận được cập nhật tiến độ" in (nudge.text or "")
        assert (nudge.text or "").endswith("1. Cập nhật ngay")  # no "0. Thoát": not a form
        report = await zalo.wait_for_message(
            chair, lambda m: "Kết quả nhắc nhở" in (m.text or ""), timeout=10)
        assert (report.text or "").startswith("Kết quả nhắc nhở: đã gửi 1/1 tin")
        assert not [m for m in zalo.messages_to(an)  # SHTT has reported
                    if "chưa nhận được cập nhật" in (m.text or "")]

        tasks = await ask(zalo, binh, "1")  # "update now" from the nudge's menu
        assert (tasks.text or "").startswith("Bạn muốn cập nhật nhiệm vụ nào?")


async def test_a_deadline_reminder_reaches_zalo_once_and_leaves_a_form_alone(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    binh = zalo.user("Bình")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        await join(zalo, zsettings, clock, binh, unit="CNCL")
        await ask(zalo, binh, "/capnhat")
        statuses = await ask(zalo, binh, "1")  # Bình is choosing a status when…
        assert "1. Chưa bắt đầu" in (statuses.text or "")
        reminded = after(zalo)
        clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=HANOI))  # …Monday 8:00 comes
        await bot.runtime.core.reminders.plan()
        reminder = await zalo.wait_for_message(binh, reminded, timeout=10)
        assert "hạn gửi báo cáo" in (reminder.text or "")
        assert "Thứ Bảy, 05/12/2026" in (reminder.text or "")
        # mid-form the reminder's option is shown as its command, not as a number
        assert (reminder.text or "").endswith("• Cập nhật ngay: gõ /capnhat")
        assert "1. Cập nhật ngay" not in (reminder.text or "")
        await bot.runtime.core.reminders.plan()  # planning again sends nothing twice
        await bot.runtime.core.outbox.drain()
        note = await ask(zalo, binh, "1")  # still "Chưa bắt đầu", not the reminder's option
        assert "làm được những gì" in (note.text or "")
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
        await bot.runtime.core.send("zalo", an.id, Reply(
            html, options=(Option("Xem chi tiết", "/tinhhinh"),)))
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


async def test_exports_and_the_heat_map_are_download_links_in_webhook_mode(
    zalo: FakeZaloApi, settings: Settings, clock: FixedClock,
) -> None:
    chair = zalo.user("Nhân")
    hooked = zalo_settings(settings, zalo, webhook=True)
    async with running_zalo_bot(hooked, zalo, clock), httpx.AsyncClient() as http:
        await join(zalo, hooked, clock, chair, Role.CHAIR, "UDCN")
        offer = await ask(zalo, chair, "/xuat", contains="tải về tại", timeout=20)
        assert "Tệp Tong-hop-6-thang-cuoi-nam-2026.xlsx (" in (offer.text or "")
        assert "đường dẫn dùng được đến" in (offer.text or "")
        link = URL.findall(offer.text or "")[0]
        assert link.startswith(f"{hooked.webhook_url}/files/")
        got = await http.get(link)
        assert got.status_code == 200
        assert got.content.startswith(b"PK")
        assert "Tổng hợp" in load_workbook(io.BytesIO(got.content)).sheetnames
        assert "Tong-hop-6-thang-cuoi-nam-2026.xlsx" in got.headers["content-disposition"]
        tampered = re.sub(r"sig=([0-9a-f])", lambda m: "sig=" + "0123456789abcdef"[
            (int(m.group(1), 16) + 1) % 16], link)
        assert (await http.get(tampered)).status_code == 404
        assert (await http.get(link.replace("exp=", "exp=1"))).status_code == 404

        fresh = after(zalo)
        await chair.say("/bando")
        photo = await zalo.wait_for_message(
            chair, lambda m: fresh(m) and m.kind == "photo", timeout=20)
        assert photo.caption == "Bản đồ tiến độ 6 tháng cuối năm 2026: 0/3 đơn vị đã cập nhật."
        assert photo.photo is not None and photo.photo.startswith(f"{hooked.webhook_url}/files/")
        image = await http.get(photo.photo)
        assert image.status_code == 200
        assert image.content.startswith(b"\x89PNG")

        clock.advance(timedelta(hours=25))  # the links have expired
        assert (await http.get(link)).status_code == 404


async def test_files_need_a_public_address_when_polling(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    chair = zalo.user("Nhân")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, chair, Role.CHAIR, "UDCN")
        sorry = await ask(zalo, chair, "/xuat", contains="Chưa gửi được tệp", timeout=20)
        assert ("Chưa gửi được tệp Tong-hop-6-thang-cuoi-nam-2026.xlsx qua Zalo: bot đang "
                "chạy không có địa chỉ web công khai") in (sorry.text or "")
        picture = await ask(zalo, chair, "/bando", contains="Chưa gửi được tệp", timeout=20)
        assert "ban-do-tien-do.png" in (picture.text or "")
    assert not [m for m in zalo.messages_to(chair) if m.kind == "photo" or URL.search(
        m.text or "")]


async def test_while_polling_a_public_address_is_enough_for_download_links(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    port = free_port()
    polling = zsettings.model_copy(update={"public_url": f"http://127.0.0.1:{port}/bot",
                                           "webhook_listen": f"127.0.0.1:{port}"})
    chair = zalo.user("Nhân")
    async with running_zalo_bot(polling, zalo, clock), httpx.AsyncClient() as http:
        await join(zalo, polling, clock, chair, Role.CHAIR, "UDCN")
        sent = await ask(zalo, chair, "/xuat", contains="tải về tại", timeout=20)
        link = URL.search(sent.text or "")
        assert link is not None and link.group(0).startswith(f"http://127.0.0.1:{port}/bot/")
        download = await http.get(link.group(0))
        assert download.status_code == 200 and download.content.startswith(b"PK")
        assert zalo.webhook_url in ("", None)  # still polling


async def test_while_polling_the_health_check_runs_when_a_listen_address_is_given(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    port = free_port()
    polling = zsettings.model_copy(update={"webhook_listen": f"127.0.0.1:{port}"})
    async with running_zalo_bot(polling, zalo, clock) as bot, httpx.AsyncClient() as http:
        healthy = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert healthy.status_code == 200
        assert healthy.json()["channels"] == {"zalo": "up"}
        await zalo.wait_for_call("getUpdates")  # still polling: no webhook was set
        assert zalo.webhook_url in ("", None)
        await bot.runtime.core.channels["zalo"].stop()  # type: ignore[attr-defined]
        down = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert down.status_code == 503 and down.json()["channels"] == {"zalo": "down"}


async def test_quick_messages_are_answered_in_the_order_they_were_sent(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = handlers.matrix.render_heatmap

    def slow(data: HeatMap) -> bytes:  # a big bloc's picture takes a while
        time.sleep(0.3)
        return real(data)

    monkeypatch.setattr(handlers.matrix, "render_heatmap", slow)
    chair = zalo.user("Nhân")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, chair, Role.CHAIR, "UDCN")
        fresh = after(zalo)
        for text in ("/bando", "/bando", "/nhiemvu"):
            await chair.say(text)
        await zalo.wait_for_message(chair, lambda m: "Bản đồ tiến độ" in (m.text or ""))
        await chair.say("/trogiup")  # while the second picture is being drawn
        await zalo.wait_until(lambda: len([m for m in zalo.messages_to(chair) if fresh(m)]) >= 4,
                              timeout=5)
    answers = [(m.text or "").split("\n")[0] for m in zalo.messages_to(chair) if fresh(m)]
    assert answers == ["Bản đồ tiến độ 6 tháng cuối năm 2026: 0/3 đơn vị đã cập nhật.",
                       "Bản đồ tiến độ 6 tháng cuối năm 2026: 0/3 đơn vị đã cập nhật.",
                       "Khối thi đua Thử nghiệm — năm 2026", "Các lệnh bạn có thể dùng"]


# -- the long-polling loop --------------------------------------------------------------------

def poll_gaps(zalo: FakeZaloApi, statuses: set[int | None]) -> list[float]:
    """Seconds from each failed getUpdates to the next getUpdates."""
    polls = zalo.calls_of("getUpdates")
    return [later.at - call.at for call, later in itertools.pairwise(polls)
            if call.status in statuses]


async def test_long_polls_that_end_empty_are_normal(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock, caplog: pytest.LogCaptureFixture,
) -> None:
    zalo.max_poll_wait = 0.05
    an = zalo.user("An")
    caplog.set_level(logging.INFO, logger="bot")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        await zalo.wait_until(lambda: len(zalo.calls_of("getUpdates")) >= 6, timeout=5)
        assert {call.status for call in zalo.calls_of("getUpdates")} == {408}
        assert channel_of(bot).healthy()
        welcome = await join(zalo, zsettings, clock, an)
        assert (welcome.text or "").startswith("Xin chào An!")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_429_5xx_and_dropped_connections_are_retried_with_growing_waits(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(zalo_channel, "POLL_BACKOFF_FIRST", 0.1)
    monkeypatch.setattr(zalo_channel, "FAILING_AFTER", 0.0)
    an = zalo.user("An")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        channel = channel_of(bot)
        await join(zalo, zsettings, clock, an)
        zalo.fail("getUpdates", 429)
        zalo.fail("getUpdates", 500)
        zalo.fail("getUpdates", 502)
        zalo.drop("getUpdates")
        await eventually(lambda: not channel.healthy())
        zalo.fail("sendMessage", 503)  # and the answer is retried too
        answer = await ask(zalo, an, "/nhiemvu", timeout=10)
        assert "Tổ chức Hội nghị Tổng kết" in (answer.text or "")
        assert channel.healthy()
    failed = [c.status for c in zalo.calls_of("getUpdates") if c.status != 408]
    assert failed[failed.index(429):][:5] == [429, 500, 502, None, 200]
    gaps = poll_gaps(zalo, {429, 500, 502, None})
    assert [round(gap, 1) >= 0.1 * 2 ** n for n, gap in enumerate(gaps)] == [True] * 4
    assert [c.status for c in zalo.calls_of("sendMessage")][-2:] == [503, 200]


async def test_a_rejected_token_mid_run_is_logged_and_retried_slowly(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(zalo_channel, "POLL_BACKOFF_FIRST", 0.05)
    monkeypatch.setattr(zalo_channel, "FAILING_AFTER", 0.0)
    monkeypatch.setattr(zalo_channel, "POLL_BACKOFF_MAX", 0.6)
    an = zalo.user("An")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        await join(zalo, zsettings, clock, an)
        zalo.fail("getUpdates", 401, times=2)
        await eventually(lambda: not channel_of(bot).healthy())
        answer = await ask(zalo, an, "/nhiemvu", timeout=10)
        assert "Tổ chức Hội nghị Tổng kết" in (answer.text or "")
        assert not bot.task.done()
    gaps = poll_gaps(zalo, {401})
    assert len(gaps) == 2 and min(gaps) >= 0.6  # not every 50 ms: at the longest wait
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and all("401" in r.getMessage() for r in errors)
    assert zalo.token not in caplog.text
