"""End to end over HTTP: the bot's place in a chat changes (Telegram's ``my_chat_member``):
a contact blocks and unblocks it, it is added to and removed from the bloc's group. The
change is recorded and the chair is told once."""

from __future__ import annotations

from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi
from tests.e2e import make_invite, running_bot


async def _join(api: FakeBotApi, settings: Settings, clock: FixedClock, user_id: int,
                name: str, role: Role, unit: str | None) -> None:
    user = api.user(user_id, name)
    api.send_text(user, f"/start {await make_invite(settings, role, unit, clock=clock)}")
    await api.wait_for_message(user.id)


async def test_a_contact_blocking_and_unblocking_the_bot_is_told_to_the_chair_once(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    async with running_bot(tg_settings, clock) as bot:
        await _join(api, tg_settings, clock, 1, "Nhân", Role.CHAIR, None)
        await _join(api, tg_settings, clock, 2, "Lan", Role.CONTACT, "SHTT")
        lan = api.user(2, "Lan")
        api.bot_status_changed(lan, None, "member", "kicked")
        told = await api.wait_for_message(1, lambda m: "đã chặn bot" in (m.plain_text or ""))
        assert told.plain_text == (
            "Đồng chí Lan (Viện KHSHTT) đã chặn bot trên Telegram: bot không gửi được nhắc "
            "nhở, thông báo cho đồng chí ấy cho đến khi đồng chí ấy bỏ chặn.")
        api.redeliver_last_update()  # Telegram sends it again: nobody is told twice
        api.bot_status_changed(lan, None, "kicked", "member")
        await api.wait_for_message(1, lambda m: "đã bỏ chặn bot" in (m.plain_text or ""))
        await api.wait_until_consumed()
        await bot.runtime.outbox.drain()
        texts = [m.plain_text or "" for m in api.messages_to(1)]
        assert sum("đã chặn bot" in t for t in texts) == 1
        assert sum("đã bỏ chặn bot" in t for t in texts) == 1
        assert not [m for m in api.messages_to(2) if "chặn" in (m.plain_text or "")]
        audit = [(e.action, e.subject) for e in await bot.runtime.repo.list_audit()]
        assert ("chat.blocked", "telegram:2") in audit
        assert ("chat.unblocked", "telegram:2") in audit


async def test_the_bot_added_to_and_removed_from_the_blocs_group(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    group = api.group(-100777, "Khối thi đua Văn phòng – Viện")
    async with running_bot(tg_settings, clock):
        await _join(api, tg_settings, clock, 1, "Nhân", Role.CHAIR, None)
        await _join(api, tg_settings, clock, 3, "Bình", Role.DEPUTY, "CNCL")
        chair, binh = api.user(1, "Nhân"), api.user(3, "Bình")
        api.bot_status_changed(chair, group, "left", "member")
        added = await api.wait_for_message(3, lambda m: "thêm vào nhóm" in (m.plain_text or ""))
        assert added.plain_text == (
            "Bot đã được Nhân thêm vào nhóm “Khối thi đua Văn phòng – Viện” trên Telegram. "
            "Gõ /dangnhiemvu trong nhóm để đăng và ghim danh sách nhiệm vụ.")
        api.send_text(chair, "/dangnhiemvu", chat=group)  # now it is the bloc's group
        await api.wait_for_message(group.id)
        api.bot_status_changed(binh, group, "administrator", "kicked")
        removed = await api.wait_for_message(1, lambda m: "xóa khỏi nhóm" in (
            m.plain_text or ""))
        assert "Bot đã bị Bình xóa khỏi nhóm “Khối thi đua Văn phòng – Viện”" in (
            removed.plain_text or "")
        assert "Đây là nhóm của Khối" in (removed.plain_text or "")
        # the one who acted is not told what they did
        assert not [m for m in api.messages_to(3) if "xóa khỏi nhóm" in (m.plain_text or "")]


async def test_a_stranger_blocking_the_bot_troubles_nobody(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    async with running_bot(tg_settings, clock) as bot:
        await _join(api, tg_settings, clock, 1, "Nhân", Role.CHAIR, None)
        before = len(api.messages_to(1))
        api.bot_status_changed(api.user(99, "Người lạ"), None, "member", "kicked")
        await api.wait_until_consumed()
        await bot.runtime.outbox.drain()
        assert len(api.messages_to(1)) == before
