"""End to end over HTTP: contacts of three units and the chair report at once on Telegram."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.opening import open_repository
from storage.records import Role
from tests.botapi import BotMessage, FakeBotApi, FakeUser
from tests.conftest import SMALL_BLOC
from tests.e2e import make_invite, running_bot, start_bot


async def join(api: FakeBotApi, settings: Settings, clock: FixedClock, user: FakeUser,
               role: Role = Role.CONTACT, unit: str | None = "SHTT") -> None:
    token = await make_invite(settings, role, unit, clock=clock)
    api.send_text(user, f"/start {token}")
    await api.wait_for_message(user.id)


async def ask(api: FakeBotApi, user: FakeUser, text: str) -> BotMessage:
    api.send_text(user, text)
    return await api.wait_for_message(user.id)


async def tap(api: FakeBotApi, user: FakeUser, message: BotMessage, label: str) -> BotMessage:
    api.press(user, message, message.find_button(label))
    return await api.wait_for_message(user.id)


async def stored_updates(settings: Settings) -> list[tuple[str, int, str, int, str]]:
    repo = await open_repository(settings.database)
    try:
        rows = await repo._all(  # a direct look at what the database holds
            "SELECT u.code, t.position, p.status, p.percent, p.note FROM progress_updates p "
            "JOIN units u ON u.id = p.unit_id JOIN tasks t ON t.id = p.task_id "
            "ORDER BY u.code, t.position, p.version")
        return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        await repo.close()


async def guided(api: FakeBotApi, user: FakeUser, task: str, status: str, note: str,
                 percent: str | None = None) -> BotMessage:
    tasks = await ask(api, user, "/capnhat")
    statuses = await tap(api, user, tasks, task)
    await tap(api, user, statuses, status)
    if percent is not None:
        await ask(api, user, percent)
    files = await ask(api, user, note)
    summary = await tap(api, user, files, "Xong")
    return await tap(api, user, summary, "Gửi")


async def test_three_units_and_the_chair_report_at_the_same_time(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    an, binh, cuong, chair = (api.user(1, "An"), api.user(2, "Bình"), api.user(3, "Cường"),
                              api.user(9, "Nhân"))
    async with running_bot(tg_settings, clock):
        await join(api, tg_settings, clock, an, unit="SHTT")
        await join(api, tg_settings, clock, binh, unit="CNCL")
        await join(api, tg_settings, clock, cuong, unit="UDCN")
        await join(api, tg_settings, clock, chair, Role.CHAIR, None)
        results = await asyncio.gather(
            guided(api, an, "1. Tổ chức", "Đang thực hiện", "Đã họp trù bị", "60%"),
            guided(api, binh, "2. Biểu dương", "Hoàn thành", "Đã khen thưởng 3 cá nhân"),
            guided(api, cuong, "1. Tổ chức", "Chưa bắt đầu", "Chưa triển khai"),
        )
        for message in results:
            assert "Đã ghi nhận báo cáo số" in (message.plain_text or "")
        units = await ask(api, chair, "/capnhat")
        assert units.button_texts == ["Viện ƯDCN", "VP CNCL", "Viện KHSHTT", "Đóng"]
        tasks = await tap(api, chair, units, "VP CNCL")
        assert "2. Biểu dương điển hình <tiên tiến> & nhân tố mới — Hoàn thành" in (
            tasks.button_texts)
    assert sorted(await stored_updates(tg_settings)) == [
        ("CNCL", 2, "done", 100, "Đã khen thưởng 3 cá nhân"),
        ("SHTT", 1, "in_progress", 60, "Đã họp trù bị"),
        ("UDCN", 1, "not_started", 0, "Chưa triển khai"),
    ]


async def test_attachments_wrong_input_and_the_one_liner(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    an = api.user(11, "An")
    async with running_bot(tg_settings, clock):
        await join(api, tg_settings, clock, an)
        tasks = await ask(api, an, "/update")
        statuses = await tap(api, an, tasks, "2. Biểu dương")
        percent = await tap(api, an, statuses, "Gặp khó khăn")
        assert "nêu khó khăn, vướng mắc" in (percent.plain_text or "")
        await ask(api, an, "Thiếu kinh phí")
        assert "0 đến 100" in ((await ask(api, an, "một trăm")).plain_text or "")
        await api.wait_for_message(an.id)  # the question again
        await ask(api, an, "30")
        files = await ask(api, an, "Đã lập danh sách đề cử")
        api.send_document(an, "bien-ban-hop.pdf", b"%PDF-1.4 minutes", "application/pdf")
        first = await api.wait_for_message(an.id)
        assert "Đã nhận 1 tệp" in (first.plain_text or "")
        api.send_photo(an, b"\xff\xd8\xff photo")
        second = await api.wait_for_message(an.id)
        assert "Đã nhận 2 tệp" in (second.plain_text or "")
        api.send_sticker(an)
        polite = await api.wait_for_message(an.id)
        assert "Vui lòng gửi một tài liệu hoặc một ảnh" in (polite.plain_text or "")
        await api.wait_for_message(an.id)  # and the question again
        summary = await tap(api, an, files, "Xong")  # the first prompt's button still works
        assert "Tệp đính kèm (2): bien-ban-hop.pdf, ảnh" in (summary.plain_text or "")
        done = await tap(api, an, summary, "Gửi")
        assert "Gặp khó khăn 30%" in (done.plain_text or "")
        await api.wait_for_message(an.id)  # the offer to update the next task
        quick = await ask(api, an, "/capnhat 1 80% Đã tổ chức hội thảo với doanh nghiệp")
        assert "Đang thực hiện 80%" in (quick.plain_text or "")
        assert quick.button_texts == ["Gửi", "Sửa", "Hủy"]
        await tap(api, an, quick, "Gửi")
    assert await stored_updates(tg_settings) == [
        ("SHTT", 1, "in_progress", 80, "Đã tổ chức hội thảo với doanh nghiệp"),
        ("SHTT", 2, "blocked", 30, "Đã lập danh sách đề cử"),
    ]


async def test_restart_duplicate_delivery_and_old_summary_buttons(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    an = api.user(21, "An")
    bot = await start_bot(tg_settings, clock)
    await join(api, tg_settings, clock, an)
    tasks = await ask(api, an, "/capnhat")
    statuses = await tap(api, an, tasks, "1. Tổ chức")
    await bot.shutdown()  # the bot goes down mid-conversation

    async with running_bot(tg_settings, clock):
        percent = await tap(api, an, statuses, "Đang thực hiện")  # a button from before
        assert "bao nhiêu phần trăm" in (percent.plain_text or "")
        await ask(api, an, "45")
        files = await ask(api, an, "Đang chuẩn bị địa điểm")
        summary = await tap(api, an, files, "Xong")
        submit = summary.find_button("Gửi")
        api.press(an, summary, submit)
        sent = await api.wait_for_message(an.id)
        assert "Đã ghi nhận báo cáo số 1" in (sent.plain_text or "")
        api.redeliver_last_update()  # Telegram delivers the same press again
        api.press(an, summary, submit, force=True)  # and the same button from a second device
        stale = await api.wait_for_call(
            "answerCallbackQuery", lambda call: bool(call.params.get("text")))
        assert stale.params["text"] == "Danh sách lựa chọn này đã cũ, không còn sử dụng được."
        again = await api.wait_for_message(an.id, lambda m: m.message_id > sent.message_id + 1)
        assert "tiếp tục báo cáo" in (again.plain_text or "")  # where the contact really is
    assert await stored_updates(tg_settings) == [
        ("SHTT", 1, "in_progress", 45, "Đang chuẩn bị địa điểm")]


async def test_a_forged_button_cannot_report_for_another_unit(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    an = api.user(31, "An")
    async with running_bot(tg_settings, clock):
        await join(api, tg_settings, clock, an, unit="CNCL")
        tasks = await ask(api, an, "/capnhat")
        data = tasks.find_button("1. Tổ chức") or ""
        version, token, _ = data.split(":")
        forged = await _press_raw(api, an, tasks, f"{version}:{token}:999")
        assert "không còn hợp lệ" in (forged.plain_text or "")
        await api.wait_for_message(an.id)  # the question again
        api.send_text(an, "/cuatoi")
        mine = await api.wait_for_message(an.id)
        forged = await _press_raw(api, an, mine, f"{version}:{int(token) + 1}:1")
        assert "không còn hợp lệ" in (forged.plain_text or "")
    assert await stored_updates(tg_settings) == []


async def _press_raw(api: FakeBotApi, user: FakeUser, message: BotMessage,
                     data: str) -> BotMessage:
    api.press(user, message, data, force=True)
    return await api.wait_for_message(user.id)


async def test_update_announced_to_the_group_when_the_bloc_asks_for_it(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock, tmp_path: Path,
) -> None:
    bloc_file = tmp_path / "announce.yaml"
    bloc_file.write_text(SMALL_BLOC + "groups: {telegram: -100500}\nannounce_updates: true\n",
                         encoding="utf-8")
    settings = tg_settings.model_copy(update={"bloc_file": bloc_file})
    group, an = api.group(-100500, "Khối thi đua"), api.user(41, "An")
    async with running_bot(settings, clock):
        await join(api, settings, clock, an)
        quick = await ask(api, an, "/capnhat 2 100% Đã tổ chức lễ biểu dương")
        await tap(api, an, quick, "Gửi")
        line = await api.wait_for_message(group.id)
    assert line.plain_text == (
        "Viện Khoa học sở hữu trí tuệ vừa báo cáo nhiệm vụ 2: Hoàn thành.")
