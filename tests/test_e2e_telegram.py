"""End to end: the real PTB application long-polls the local Bot API server over HTTP.

Several people (contacts of different units, the chair, a group) talk to the
bot at once; each test asserts what they see in their chats.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi
from tests.conftest import SMALL_BLOC
from tests.e2e import make_invite, running_bot, start_bot, while_the_clock_runs


async def test_registration_greets_by_name_and_bad_tokens_are_refused(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    good = await make_invite(tg_settings, clock=clock)
    short_lived = await make_invite(tg_settings, validity=timedelta(minutes=30), clock=clock)
    an, binh, cuong, stranger = (api.user(1, "An", "Nguyễn"), api.user(2, "Bình"),
                                 api.user(3, "Cường"), api.user(4, "Khách"))
    clock.advance(timedelta(hours=1))  # the short-lived invite is now expired
    async with running_bot(tg_settings, clock):
        api.send_text(an, f"/start {good}")
        welcome = await api.wait_for_message(an.id)
        assert "Xin chào đồng chí An Nguyễn" in (welcome.plain_text or "")
        assert "Đầu mối — Viện Khoa học sở hữu trí tuệ" in (welcome.plain_text or "")
        assert "/nhiemvu" in (welcome.plain_text or "")

        api.send_text(binh, f"/start {good}")
        assert "đã hết số lần sử dụng" in ((await api.wait_for_message(binh.id)).plain_text or "")
        api.send_text(cuong, f"/start {short_lived}")
        assert "hết hạn" in ((await api.wait_for_message(cuong.id)).plain_text or "")
        api.send_text(stranger, "/start thisisnotatokenatall")
        assert "không hợp lệ" in ((await api.wait_for_message(stranger.id)).plain_text or "")
        api.send_text(stranger, "cho tôi xem nhiệm vụ")
        polite = await api.wait_for_message(stranger.id)
        assert "đường dẫn mời" in (polite.plain_text or "")
        assert len(api.messages_to(stranger.id)) == 2  # one short answer per message


async def test_task_list_in_vietnamese_and_english(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    token = await make_invite(tg_settings, clock=clock)
    an = api.user(11, "An")
    async with running_bot(tg_settings, clock):
        api.send_text(an, f"/start {token}")
        await api.wait_for_message(an.id)
        api.send_text(an, "/nhiemvu")
        vi = await api.wait_for_message(an.id)
        assert vi.parse_mode == "HTML"
        assert "Hạn: 14:30 Thứ Ba, 15/12/2026" in (vi.plain_text or "")
        assert "Biểu dương điển hình <tiên tiến> & nhân tố mới" in (vi.plain_text or "")

        api.send_text(an, "/lang")
        menu = await api.wait_for_message(an.id)
        assert menu.button_texts == ["Tiếng Việt", "English"]
        api.press(an, menu, menu.find_button("English"))
        switched = await api.wait_for_message(an.id)
        assert switched.plain_text == "Switched to English."
        assert "→ English" in (menu.plain_text or "") and not menu.buttons
        api.send_text(an, "/tasks")
        en = await api.wait_for_message(an.id)
        assert "Tasks for 6 tháng cuối năm 2026" in (en.plain_text or "")
        assert "Due: 14:30 Tuesday, 15/12/2026" in (en.plain_text or "")


async def test_chair_invites_a_contact_with_buttons_and_the_link_works(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    chair_token = await make_invite(tg_settings, Role.CHAIR, None, clock=clock)
    chair, newcomer = api.user(21, "Nhân", "Hoàng Ngọc"), api.user(22, "Mai")
    async with running_bot(tg_settings, clock):
        api.send_text(chair, f"/start {chair_token}")
        assert "/moi" in ((await api.wait_for_message(chair.id)).plain_text or "")
        api.send_text(chair, "/moi")
        roles = await api.wait_for_message(chair.id)
        api.press(chair, roles, roles.find_button("Đầu mối"))
        units = await api.wait_for_message(chair.id)
        assert units.button_texts == ["Viện ƯDCN", "VP CNCL", "Viện KHSHTT", "Quay lại", "Đóng"]
        api.press(chair, units, units.find_button("Viện KHSHTT"))
        validity = await api.wait_for_message(chair.id)
        api.press(chair, validity, validity.find_button("7 ngày"))
        made = await api.wait_for_message(chair.id)
        link = re.search(r"https://t\.me/thidua_test_bot\?start=(\S+)", made.plain_text or "")
        assert link is not None, made.plain_text

        api.send_text(newcomer, f"/start {link[1]}")
        joined = await api.wait_for_message(newcomer.id)
        assert "Viện Khoa học sở hữu trí tuệ" in (joined.plain_text or "")


async def test_old_button_is_answered_out_of_date(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    chair_token = await make_invite(tg_settings, Role.CHAIR, None, clock=clock)
    chair = api.user(31, "Chủ")
    async with running_bot(tg_settings, clock):
        api.send_text(chair, f"/start {chair_token}")
        await api.wait_for_message(chair.id)
        api.send_text(chair, "/moi")
        roles = await api.wait_for_message(chair.id)
        data = roles.find_button("Khối phó")
        api.press(chair, roles, data)
        await api.wait_for_message(chair.id)
        api.send_text(chair, "/huy")
        await api.wait_for_message(chair.id)
        api.press(chair, roles, data, force=True)  # the same old button, e.g. from another device
        answer = await api.wait_for_call(
            "answerCallbackQuery", lambda call: bool(call.params.get("text")))
        assert answer.params["text"] == "Danh sách lựa chọn này đã cũ, không còn sử dụng được."
        await api.wait_for_message(chair.id, lambda m: "đã cũ" in (m.plain_text or ""))
        assert len(api.messages_to(chair.id)) == 5  # greeting, 2 questions, cancel, outdated note


async def test_restart_in_the_middle_of_a_conversation_continues_it(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    chair_token = await make_invite(tg_settings, Role.CHAIR, None, clock=clock)
    chair = api.user(41, "Chủ")
    bot = await start_bot(tg_settings, clock)
    api.send_text(chair, f"/start {chair_token}")
    await api.wait_for_message(chair.id)
    api.send_text(chair, "/moi")
    roles = await api.wait_for_message(chair.id)
    api.press(chair, roles, roles.find_button("Đầu mối"))
    units = await api.wait_for_message(chair.id)
    await bot.shutdown()

    async with running_bot(tg_settings, clock):
        api.press(chair, units, units.find_button("VP CNCL"))  # keyboard sent before the restart
        validity = await api.wait_for_message(chair.id)
        assert "bao lâu" in (validity.plain_text or "")
        api.send_text(chair, "30d")
        made = await api.wait_for_message(chair.id)
        assert "Văn phòng Công nhận Chất lượng" in (made.plain_text or "")


async def test_redelivered_update_gets_one_answer(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    token = await make_invite(tg_settings, clock=clock)
    an = api.user(51, "An")
    async with running_bot(tg_settings, clock):
        api.send_text(an, f"/start {token}")
        await api.wait_for_message(an.id)
        api.send_text(an, "/nhiemvu")
        await api.wait_for_message(an.id)
        api.redeliver_last_update()
        await api.wait_until_consumed()
        api.send_text(an, "/trogiup")
        await api.wait_for_message(an.id)
        assert len(api.messages_to(an.id)) == 3


async def test_missing_set_my_commands_and_flaky_sends_do_not_stop_the_bot(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    token = await make_invite(tg_settings, clock=clock)
    an = api.user(61, "An")
    api.remove_method("setMyCommands")
    async with running_bot(tg_settings, clock):
        api.fail("sendMessage", status=429, retry_after=1, times=1)
        api.send_text(an, f"/start {token}")
        assert "Xin chào đồng chí An" in ((await api.wait_for_message(an.id)).plain_text or "")
        api.fail("sendMessage", status=500, times=2)
        api.send_text(an, "/nhiemvu")
        # one short retry, then the outbox sends it after its backoff (on the bot's clock)
        tasks = await while_the_clock_runs(
            clock, lambda timeout: api.wait_for_message(an.id, timeout=timeout),
            step=timedelta(seconds=1))
        assert "Tổ chức Hội nghị" in (tasks.plain_text or "")
        assert len(api.messages_to(an.id)) == 2  # each delivered exactly once


async def test_command_menu_is_set_in_both_languages(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    async with running_bot(tg_settings, clock):
        vi = [c["command"] for c in api.commands_for()]
        en = [c["command"] for c in api.commands_for(language_code="en")]
    # every listed command, Vietnamese names for the default menu and English aliases for "en"
    pairs = dict(zip(vi, en, strict=True))
    assert pairs == {
        "trogiup": "help", "nhiemvu": "tasks", "capnhat": "update", "cuatoi": "mine",
        "vangmat": "away",
        "tinhhinh": "status", "hanbaocao": "deadline", "bando": "matrix", "xuat": "export",
        "baocao": "report", "tongket": "yearreport",
        "dangnhiemvu": "posttasks", "nhacnho": "remind", "thongbao": "announce",
        "lichnhac": "schedule", "hoinghi": "meetings", "giaouoc": "covenant",
        "chamdiem": "score",
        "thamdinh": "review", "chotdiem": "settle", "xephang": "ranking",
        "binhchon": "vote", "khenthuong": "awards", "chuyengiao": "handover",
        "khoi": "bloc", "sosanh": "compare",
        "quanlynhiemvu": "managetasks",
        "moi": "invite", "ngonngu": "lang", "huy": "cancel",
    }
    assert vi[:2] == ["trogiup", "nhiemvu"]  # help and the task list come first


async def test_long_task_list_is_split_and_groups_get_commands_only(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock, tmp_path: Path,
) -> None:
    many = "".join(f"      - {{code: \"T{i}\", title: \"{'Nhiệm vụ rất dài ' * 12}số {i}\"}}\n"
                   for i in range(30))
    big = SMALL_BLOC.split("    tasks:\n")[0] + "    tasks:\n" + many
    bloc_file = tmp_path / "big.yaml"
    bloc_file.write_text(big, encoding="utf-8")
    big_settings = tg_settings.model_copy(update={"bloc_file": bloc_file})
    token = await make_invite(big_settings, clock=clock)
    an, group = api.user(71, "An"), api.group(-100777, "Khối thi đua")
    async with running_bot(big_settings, clock):
        api.send_text(an, f"/start {token}")
        await api.wait_for_message(an.id)
        api.send_text(an, "/nhiemvu")
        await api.wait_for_message(an.id, lambda m: "số 29" in (m.plain_text or ""))
        parts = api.messages_to(an.id)[1:]
        assert len(parts) == 2 and all(len(p.text or "") <= 4096 for p in parts)
        assert "số 0" in (parts[0].plain_text or "")

        api.send_text(an, "chào cả nhà", chat=group)
        api.send_text(an, "/nhiemvu@other_bot", chat=group)
        api.send_text(an, "/trogiup@thidua_test_bot", chat=group)
        answer = await api.wait_for_message(group.id)
        assert "Các lệnh có thể sử dụng" in (answer.plain_text or "")
        assert len(api.messages_to(group.id)) == 1


async def test_angle_brackets_typed_by_a_user_never_cost_them_their_answer(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    token = await make_invite(tg_settings, clock=clock)
    an = api.user(81, "An <Admin>")
    async with running_bot(tg_settings, clock):
        api.send_text(an, f"/start {token}")
        welcome = await api.wait_for_message(an.id)
        assert "An <Admin>" in (welcome.plain_text or "")
        for text, expected in (("/lang <b", "“<b”"), ("/foo<b", "/foo<b"),
                               ("/ngonngu\tEN", "Switched to English")):
            api.send_text(an, text)
            answer = await api.wait_for_message(an.id)
            assert expected in (answer.plain_text or ""), text
        api.send_text(an, "/lang")
        await api.wait_for_message(an.id)
        api.send_text(an, "<i am typing")
        assert "“<i am typing”" in ((await api.wait_for_message(an.id)).plain_text or "")


async def test_invite_tokens_never_reach_the_log_even_at_debug(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    from bot.app.logs import configure_logging

    token = await make_invite(tg_settings, clock=clock)
    an = api.user(71, "An")
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    try:
        configure_logging("DEBUG", tg_settings.secrets())
        async with running_bot(tg_settings, clock):
            api.send_text(an, f"/start {token}")
            assert "Xin chào đồng chí An" in ((await api.wait_for_message(an.id)).plain_text or "")
        logged = capsys.readouterr().err
    finally:
        root.handlers[:] = kept[0]
        root.setLevel(kept[1])
    assert "/start" in logged  # the dumps are there, at DEBUG (and SQLite's driver's)
    assert "aiosqlite" in logged or not isinstance(tg_settings.database, Path)
    assert token not in logged
    assert "/start <redacted>" in logged
