"""End to end over HTTP: the Zalo Bot Platform as it really is.

Images carry their address in ``photo_url`` (``photo`` is the legacy field and may be an
object); a polled update may come without ``event_name``; voice messages exist; most bots
may not join groups (``getMe.can_join_groups``); polling is for development and a
webhook must be https. The fake server follows the published shapes by default.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.channels.zalo import ZaloStartError
from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.conftest import ROOT, SMALL_BLOC
from tests.e2e import start_serving
from tests.zalo_e2e import after, ask, join, running_zalo_bot, zalo_settings
from tests.zaloapi import FakeZaloApi


async def test_a_photo_given_by_photo_url_or_the_legacy_field_is_attached_to_the_report(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    lan = zalo.user("Lan")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        await join(zalo, zsettings, clock, lan, Role.CONTACT, "SHTT")
        await ask(zalo, lan, "/capnhat 1 50%", contains="Kết quả đơn vị đã thực hiện")
        await ask(zalo, lan, "Đã họp trù bị với doanh nghiệp", contains="Nếu có báo cáo")
        fresh = after(zalo)
        await lan.send_image(url="https://photo.zalo.example/img/hop-tru-bi.jpg")
        await zalo.wait_for_message(lan, lambda m: fresh(m) and "Đã nhận 1 tệp" in (
            m.shown_text or ""))
        fresh = after(zalo)
        # the legacy shape: "photo" as an object holding the address, and no event name
        await lan.send_legacy_image({"url": "https://photo.zalo.example/img/bien-ban.jpg",
                                     "width": 1280}, event_name=False)
        await zalo.wait_for_message(lan, lambda m: fresh(m) and "Đã nhận 2 tệp" in (
            m.shown_text or ""))
        dialog = await bot.runtime.repo.load_dialog("zalo", lan.id)
        assert dialog is not None
        assert [a["file_id"] for a in dialog.answers["attachments"]] == [
            "https://photo.zalo.example/img/hop-tru-bi.jpg",
            "https://photo.zalo.example/img/bien-ban.jpg"]


async def test_a_text_without_its_event_name_is_answered_and_a_voice_message_explained(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    lan = zalo.user("Lan")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, lan, Role.CONTACT, "SHTT")
        fresh = after(zalo)
        await lan.say("/trogiup", event_name=False)
        helped = await zalo.wait_for_message(lan, fresh)
        assert "/capnhat" in (helped.shown_text or "")
        fresh = after(zalo)
        await lan.send_voice()
        told = await zalo.wait_for_message(lan, fresh)
        assert told.shown_text == ("Bot chỉ đọc được tin nhắn chữ và hình ảnh. Vui lòng gõ "
                                   "nội dung bằng chữ (gõ /trogiup để xem các lệnh).")


async def test_a_bot_that_may_not_join_groups_sends_the_task_list_to_each_contact(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    assert zalo.can_join_groups is False  # the platform's default
    chair, lan, minh = zalo.user("Nhân"), zalo.user("Lan"), zalo.user("Minh")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        assert not bot.runtime.channels.has_groups("zalo")
        await join(zalo, zsettings, clock, chair, Role.CHAIR, None)
        await join(zalo, zsettings, clock, lan, Role.CONTACT, "SHTT")
        await join(zalo, zsettings, clock, minh, Role.CONTACT, "CNCL")
        told = await ask(zalo, chair, "/dangnhiemvu", contains="gửi riêng")
        assert "gửi riêng cho 2 đầu mối trên Zalo" in (told.shown_text or "")
        for contact in (lan, minh):
            listed = await zalo.wait_for_message(
                contact, lambda m: "1. Tổ chức Hội nghị Tổng kết" in (m.shown_text or ""),
                timeout=10)
            assert "Khối thi đua Thử nghiệm" in (listed.shown_text or "")
        report = await zalo.wait_for_message(
            chair, lambda m: "gửi danh sách nhiệm vụ" in (m.shown_text or ""), timeout=10)
        assert "đã gửi 2/2 tin" in (report.shown_text or "")
        again = await ask(zalo, chair, "/dangnhiemvu", contains="danh sách nhiệm vụ")
        assert "đã nhận danh sách nhiệm vụ này rồi" in (again.shown_text or "")
        assert {m.chat_id for m in zalo.sent} == {chair.id, lan.id, minh.id}  # no group


async def test_a_bot_that_may_join_groups_posts_in_the_group(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    zalo.can_join_groups = True
    chair, group = zalo.user("Nhân"), zalo.group("Khối thi đua Văn phòng – Viện")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, chair, Role.CHAIR, None)
        await chair.say("/dangnhiemvu", group=group)
        posted = await zalo.wait_for_message(group, timeout=10)
        assert "1. Tổ chức Hội nghị Tổng kết" in (posted.shown_text or "")


async def test_a_webhook_over_plain_http_is_refused_unless_it_is_this_machine(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    outside = zsettings.model_copy(update={"webhook_url": "http://thidua.example.gov.vn/hook"})
    with pytest.raises(ZaloStartError) as refused:
        await start_serving(outside, clock)
    assert refused.value.kind == "cli.zalo_webhook_insecure"
    assert zalo.calls_of("setWebhook") == []
    local = zalo_settings(zsettings, zalo, webhook=True)  # http://127.0.0.1:…: accepted
    async with running_zalo_bot(local, zalo, clock):
        assert zalo.webhook_url == f"{local.webhook_url}/zalo"


async def test_thidua_run_says_polling_is_for_development_and_groups_are_closed(
    zalo: FakeZaloApi, tmp_path: Path,
) -> None:
    (tmp_path / "bloc.yaml").write_text(SMALL_BLOC, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("THIDUA_") and k != "TELEGRAM_BOT_TOKEN"}
    env.update({"PYTHONPATH": str(ROOT), "ZALO_BOT_TOKEN": zalo.token,
                "THIDUA_ZALO_API_URL": zalo.url, "THIDUA_DATABASE": str(tmp_path / "bot.db"),
                "THIDUA_BLOC_FILE": str(tmp_path / "bloc.yaml")})
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app.cli", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert bot.stdout is not None
        line = await asyncio.wait_for(bot.stdout.readline(), 20)
        assert "Bot Zalo “Thi đua (test)” đang chạy." in line.decode()
    finally:
        bot.terminate()
        _, stderr = await asyncio.wait_for(bot.communicate(), 20)
    said = stderr.decode()
    assert "chỉ dành cách này cho giai đoạn thử nghiệm" in said
    assert "chưa được phép tham gia nhóm (getMe: can_join_groups = false)" in said
