"""End to end over HTTP: the chair posts and pins the task list, and reads status privately."""

from __future__ import annotations

import os
import struct
from pathlib import Path

from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi
from tests.conftest import SMALL_BLOC
from tests.e2e import make_invite, running_bot


async def test_task_list_is_pinned_and_edited_in_place_when_the_list_changes(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock, small_bloc_file: Path,
) -> None:
    chair, group = api.user(1, "Nhân"), api.group(-100200, "Khối thi đua Văn phòng – Viện")
    async with running_bot(tg_settings, clock) as bot:
        chair_invite = await make_invite(tg_settings, Role.CHAIR, None, clock=clock)
        api.send_text(chair, f"/start {chair_invite}")
        await api.wait_for_message(chair.id)
        api.send_text(chair, "/dangnhiemvu@thidua_test_bot", chat=group)
        posted = await api.wait_for_message(group.id)
        await api.wait_for_call("pinChatMessage")
        assert posted.pinned and "1. Tổ chức Hội nghị Tổng kết" in (posted.plain_text or "")

        before = small_bloc_file.stat().st_mtime
        small_bloc_file.write_text(SMALL_BLOC.replace("Tổ chức Hội nghị Tổng kết",
                                                      "Tổ chức Hội nghị Tổng kết năm 2026"),
                                   encoding="utf-8")
        os.utime(small_bloc_file, (before + 5, before + 5))
        await bot.runtime_reload()
        await api.wait_for_call("editMessageText",
                                lambda call: call.params.get("message_id") == posted.message_id)
        assert "Tổng kết năm 2026" in (posted.plain_text or "")

        api.send_text(chair, "/posttasks")  # from the private chat: the known group
        confirm = await api.wait_for_message(chair.id)
        assert "không đăng bài mới" in (confirm.plain_text or "")
        assert len(api.messages_to(group.id)) == 1  # still the one pinned message


async def test_a_bot_without_the_right_to_pin_says_so(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    chair, group = api.user(2, "Nhân"), api.group(-100300, "Khối")
    api.set_bot_rights(group.id, can_pin=False)
    async with running_bot(tg_settings, clock):
        chair_invite = await make_invite(tg_settings, Role.CHAIR, None, clock=clock)
        api.send_text(chair, f"/start {chair_invite}")
        await api.wait_for_message(chair.id)
        api.send_text(chair, "/dangnhiemvu", chat=group)
        posted = await api.wait_for_message(group.id)
        assert not posted.pinned
        explained = await api.wait_for_message(group.id)
        assert "không ghim được" in (explained.plain_text or "")


async def test_status_asked_in_the_group_is_answered_privately(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    chair, group = api.user(3, "Nhân"), api.group(-100400, "Khối")
    contact = api.user(4, "An")
    async with running_bot(tg_settings, clock):
        chair_invite = await make_invite(tg_settings, Role.CHAIR, None, clock=clock)
        api.send_text(chair, f"/start {chair_invite}")
        await api.wait_for_message(chair.id)
        api.send_text(contact, f"/start {await make_invite(tg_settings, clock=clock)}")
        await api.wait_for_message(contact.id)
        api.send_text(contact, "/capnhat 1 50% Ghi chú nội bộ của đơn vị")
        summary = await api.wait_for_message(contact.id)
        api.press(contact, summary, summary.find_button("Gửi"))
        await api.wait_for_message(contact.id)

        api.send_text(chair, "/tinhhinh", chat=group)
        notice = await api.wait_for_message(group.id)
        assert "trả lời riêng" in (notice.plain_text or "")
        overview = await api.wait_for_message(chair.id)
        assert "Đã báo cáo đủ: 0/3 đơn vị · báo cáo chưa đủ: 1" in (overview.plain_text or "")
        assert all("Ghi chú nội bộ" not in (m.plain_text or "") for m in api.messages_to(group.id))


async def test_matrix_is_sent_as_a_png_of_the_bloc(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    chair, contact = api.user(5, "Nhân"), api.user(6, "An")
    async with running_bot(tg_settings, clock):
        chair_invite = await make_invite(tg_settings, Role.CHAIR, None, clock=clock)
        api.send_text(chair, f"/start {chair_invite}")
        await api.wait_for_message(chair.id)
        api.send_text(contact, f"/start {await make_invite(tg_settings, clock=clock)}")
        await api.wait_for_message(contact.id)
        api.send_text(contact, "/bando")
        refused = await api.wait_for_message(contact.id)
        assert "chỉ dành cho" in (refused.plain_text or "")
        api.send_text(chair, "/matrix")
        photo = await api.wait_for_message(chair.id, timeout=15)
    assert photo.photo is not None
    png = photo.photo.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 600 and height > 400
    assert "0/3 đơn vị đã báo cáo đủ" in (photo.plain_text or "")


async def test_a_group_that_became_a_supergroup_gets_the_post_at_its_new_id(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    chair, group = api.user(1, "Nhân"), api.group(-100200, "Khối thi đua Văn phòng – Viện")
    supergroup = api.group(-1001234567890, "Khối thi đua Văn phòng – Viện")
    async with running_bot(tg_settings, clock):
        chair_invite = await make_invite(tg_settings, Role.CHAIR, None, clock=clock)
        api.send_text(chair, f"/start {chair_invite}")
        await api.wait_for_message(chair.id)
        api.fail("sendMessage", migrate_to_chat_id=supergroup.id)  # Telegram: "upgraded"
        api.send_text(chair, "/dangnhiemvu@thidua_test_bot", chat=group)
        posted = await api.wait_for_message(supergroup.id, timeout=10)
        assert "1. Tổ chức Hội nghị Tổng kết" in (posted.plain_text or "")
        api.send_text(chair, "/tinhhinh", chat=group)  # later answers go there directly
        note = await api.wait_for_message(supergroup.id, timeout=10)
        assert "trả lời riêng" in (note.plain_text or "")
        assert api.messages_to(group.id) == []  # nothing lost to the old id
        assert len([c for c in api.calls if c.response_status == 400]) == 1
