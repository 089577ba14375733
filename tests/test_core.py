"""The core as people meet it: registration, roles, languages, guided conversations.

These drive the real core, handlers and SQLite file through channel-neutral
events; the same behaviour over real Telegram HTTP is in ``test_e2e_telegram``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.app.runtime import Runtime, open_runtime
from bot.domain.clock import FixedClock
from bot.domain.events import ChatKind, Choice, Inbound
from bot.services import invites
from config.settings import Settings
from storage.records import Role
from tests.chat import Person, plain


async def invite_token(runtime: Runtime, role: Role = Role.CONTACT, unit: str | None = "SHTT",
                       uses: int = 1, validity: timedelta = timedelta(days=7)) -> str:
    made = await invites.create_invite(
        runtime.repo, runtime.bloc, role=role, unit_code=unit, uses=uses,
        validity=validity, created_by="test", now=runtime.clock.now(),
    )
    return made.token


async def registered(runtime: Runtime, user_id: str, role: Role = Role.CONTACT,
                     unit: str | None = "SHTT", name: str = "Nguyễn Văn An") -> Person:
    person = Person(runtime.dispatcher, user_id, name)
    token = await invite_token(runtime, role, unit)
    await person.say(f"/start {token}")
    return person


async def test_stranger_is_told_how_to_join_and_nothing_else(runtime: Runtime) -> None:
    stranger = Person(runtime.dispatcher, "999", "Người lạ")
    for text in ("xin chào", "/nhiemvu", "/moi", "/khonglenhnao", "/start"):
        answer = plain(await stranger.say(text))
        assert "đường dẫn mời" in answer
        assert "Thử nghiệm" not in answer and "Tổ chức" not in answer  # nothing about the bloc


async def test_registration_with_a_valid_invite_greets_by_name_with_role_commands(
    runtime: Runtime,
) -> None:
    person = Person(runtime.dispatcher, "101", "Trần Thị Bình")
    token = await invite_token(runtime)
    answer = plain(await person.say(f"/start {token}"))
    assert "Trần Thị Bình" in answer
    assert "Đầu mối — Viện Khoa học sở hữu trí tuệ" in answer
    assert "/nhiemvu" in answer and "/moi" not in answer
    member = await runtime.repo.get_member("test", "101")
    assert member is not None and member.role is Role.CONTACT


@pytest.mark.parametrize(("how", "expected"), [
    ("garbage", "không hợp lệ"), ("used", "đã hết số lần sử dụng"), ("expired", "hết hạn"),
])
async def test_bad_invites_are_refused_politely(runtime: Runtime, clock: FixedClock,
                                                how: str, expected: str) -> None:
    token = "not-a-real-token-at-all-xyz"
    if how == "used":
        token = await invite_token(runtime)
        await Person(runtime.dispatcher, "1").say(f"/start {token}")
    if how == "expired":
        token = await invite_token(runtime, validity=timedelta(hours=1))
        clock.advance(timedelta(hours=2))
    answer = plain(await Person(runtime.dispatcher, "2").say(f"/start {token}"))
    assert expected in answer
    assert await runtime.repo.get_member("test", "2") is None


async def test_multi_use_invite_registers_several_contacts(runtime: Runtime) -> None:
    token = await invite_token(runtime, uses=2)
    for user in ("1", "2"):
        assert "Đầu mối" in plain(await Person(runtime.dispatcher, user).say(f"/start {token}"))
    third = plain(await Person(runtime.dispatcher, "3").say(f"/start {token}"))
    assert "đã hết số lần sử dụng" in third


async def test_task_list_shows_period_deadlines_in_local_time_and_escapes_text(
    runtime: Runtime,
) -> None:
    contact = await registered(runtime, "5")
    response = await contact.say("/nhiemvu")
    html = response.replies[0].text
    text = plain(response)
    # dates as an official document writes them (Decree 30): a zero before days under 10
    # and months 1 and 2 only
    assert "Nhiệm vụ 6 tháng cuối năm 2026 (từ Thứ Tư, 01/7/2026 đến Thứ Năm, 31/12/2026)" in text
    assert "Hạn gửi báo cáo: Thứ Bảy, 05/12/2026" in text
    assert "1. Tổ chức Hội nghị Tổng kết" in text
    assert "Hạn: 14:30 Thứ Ba, 15/12/2026" in text
    assert "Biểu dương điển hình <tiên tiến> & nhân tố mới" in text
    assert "&lt;tiên tiến&gt; &amp;" in html  # user-supplied text is escaped in HTML
    assert "Đoàn kết, đổi mới" in text and "đồng hành cùng doanh nghiệp" in text


async def test_help_lists_only_what_the_role_may_do(runtime: Runtime) -> None:
    contact = await registered(runtime, "6")
    chair = await registered(runtime, "7", Role.CHAIR, None)
    liaison = await registered(runtime, "8", Role.LIAISON, None)
    assert "/moi" not in plain(await contact.say("/help"))
    assert "/moi" in plain(await chair.say("/trogiup"))
    assert "/moi" not in plain(await liaison.say("/help"))
    assert "chỉ dành cho" in plain(await contact.say("/moi"))


async def test_language_switch_is_remembered(runtime: Runtime) -> None:
    contact = await registered(runtime, "9")
    reply = (await contact.say("/ngonngu")).replies[-1]
    assert [o.label for o in reply.options] == ["Tiếng Việt", "English"]
    assert "Switched to English" in plain(await contact.press(reply, "English"))
    assert "Tasks for 6 tháng cuối năm 2026" in plain(await contact.say("/tasks"))
    assert "Due: 14:30 Tuesday, 15/12/2026" in plain(await contact.say("/nhiemvu"))
    assert "Tiếng Việt" in plain(await contact.say("/lang vi"))
    assert "Nhiệm vụ" in plain(await contact.say("/tasks"))


async def test_invite_conversation_with_wrong_answers_then_a_working_token(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "10", Role.CHAIR, None)
    asked = await chair.say("/moi")
    assert "vai trò nào" in plain(asked)
    wrong = plain(await chair.say("không biết"))
    assert "Vui lòng chọn một trong 5 mục" in wrong and "vai trò nào" in wrong
    assert "đơn vị nào" in plain(await chair.say("1"))  # by number
    assert "bao lâu" in plain(await chair.say("vipri"))  # by alias, no diacritics needed
    assert "không phải là thời hạn hợp lệ" in plain(await chair.say("mãi mãi"))
    made = plain(await chair.say("14d"))
    assert "Đầu mối — Viện Khoa học sở hữu trí tuệ" in made
    assert "Hiệu lực đến 09:00 08/12/2026" in made  # 14 days, bloc time
    token = re.search(r"/start (\S+)", made)
    assert token is not None
    joined = plain(await Person(runtime.dispatcher, "11", "Lê Văn Cường").say(f"/start {token[1]}"))
    assert "Lê Văn Cường" in joined and "Viện Khoa học sở hữu trí tuệ" in joined


async def test_chair_invite_skips_the_unit_question(runtime: Runtime) -> None:
    deputy = await registered(runtime, "12", Role.DEPUTY, None)
    await deputy.say("/invite")
    assert "bao lâu" in plain(await deputy.say("Khối trưởng"))  # by label; no unit asked
    assert "Khối trưởng — Viện Ứng dụng công nghệ" in plain(await deputy.say("7 ngày"))


async def test_old_menu_is_out_of_date_and_the_current_question_is_asked_again(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "13", Role.CHAIR, None)
    first = (await chair.say("/moi")).replies[-1]
    await chair.press(first, "Đầu mối")
    stale = await chair.press(first, "Khối phó")  # same old keyboard pressed again
    assert stale.notice == "Danh sách lựa chọn này đã cũ, không còn sử dụng được."
    assert "đơn vị nào" in plain(stale)
    crafted = await chair.say("", choice=Choice(chair.last_reply().token, "NOT-A-UNIT"))
    assert "không còn hợp lệ" in plain(crafted)
    state = await runtime.repo.load_dialog("test", "13")
    assert state is not None and state.answers == {"role": "contact"}


async def test_cancel_leaves_the_conversation(runtime: Runtime) -> None:
    chair = await registered(runtime, "14", Role.CHAIR, None)
    assert "không có thao tác" in plain(await chair.say("/huy"))
    await chair.say("/moi")
    assert "Đã hủy" in plain(await chair.say("/cancel"))
    assert "chưa hiểu" in plain(await chair.say("1"))  # no longer in the form


async def test_conversation_continues_after_a_restart(settings: Settings,
                                                      clock: FixedClock) -> None:
    first = await open_runtime(settings, clock=clock)
    chair = await registered(first, "15", Role.CHAIR, None)
    menu = (await chair.say("/moi")).replies[-1]
    await first.close()

    second = await open_runtime(settings, clock=clock)
    again = Person(second.dispatcher, "15")
    assert "đơn vị nào" in plain(await again.press(menu, "Đầu mối"))  # pre-restart keyboard
    await again.say("SHTT")
    assert "Viện Khoa học sở hữu trí tuệ" in plain(await again.say("1"))
    await second.close()


async def test_admin_from_settings_has_every_right_without_registering(
    settings: Settings, clock: FixedClock,
) -> None:
    admin_settings = settings.model_copy(update={"admin_ids": frozenset({4242})})
    runtime = await open_runtime(admin_settings, clock=clock)
    admin = Person(runtime.dispatcher, "4242", "Quản trị", channel="telegram")
    assert "vai trò nào" in plain(await admin.say("/moi"))
    await runtime.close()


async def test_groups_hear_commands_only(runtime: Runtime) -> None:
    await registered(runtime, "16")

    async def in_group(text: str) -> str:
        event = Inbound(channel="test", user_id="16", chat_id="-100", chat_kind=ChatKind.GROUP,
                        display_name="X", text=text)
        return plain(await runtime.dispatcher.handle(event))

    assert await in_group("chào cả nhà") == ""
    assert "Nhiệm vụ" in await in_group("/nhiemvu")
    assert "trả lời riêng đồng chí" in await in_group("/ngonngu")


async def test_redelivered_update_is_handled_once(runtime: Runtime) -> None:
    contact = await registered(runtime, "17")
    assert (await contact.say("/nhiemvu", update_key="u-1")).replies
    assert not (await contact.say("/nhiemvu", update_key="u-1")).replies


async def test_a_failing_handler_gets_a_polite_apology(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    contact = await registered(runtime, "18")

    async def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(runtime.repo, "list_periods", broken)
    assert "đã có lỗi" in plain(await contact.say("/nhiemvu"))


async def test_a_contact_opening_their_own_invite_again_is_told_they_are_registered(
    runtime: Runtime,
) -> None:
    token = await invite_token(runtime)
    contact = Person(runtime.dispatcher, "92", "Phạm Thu Hà")
    assert "Đầu mối — Viện Khoa học sở hữu trí tuệ" in plain(await contact.say(f"/start {token}"))
    again = plain(await contact.say(f"/start {token}"))  # the same link, tapped once more
    assert again.startswith("Đồng chí đã đăng ký sử dụng bot")
    assert "đã hết số lần sử dụng" not in again and "Phạm Thu Hà" in again
    stranger = plain(await Person(runtime.dispatcher, "93", "Lạ").say(f"/start {token}"))
    assert "Mã mời này đã hết số lần sử dụng" in stranger  # for anyone else it is spent


async def test_a_member_tapping_an_invite_keeps_their_role_and_the_invite_stays_unused(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "90", Role.CHAIR, None)
    token = await invite_token(runtime)  # a contact invite the chair just made
    answer = plain(await chair.say(f"/start {token}"))
    assert "Đồng chí đã đăng ký nên mã mời này chưa được sử dụng" in answer
    assert "Khối trưởng" in answer
    member = await runtime.repo.get_member("test", "90")
    assert member is not None and member.role is Role.CHAIR
    newcomer = plain(await Person(runtime.dispatcher, "91", "Mới").say(f"/start {token}"))
    assert "Đầu mối — Viện Khoa học sở hữu trí tuệ" in newcomer


async def test_unicode_digits_are_not_option_numbers(runtime: Runtime) -> None:
    chair = await registered(runtime, "95", Role.CHAIR, None)
    await chair.say("/moi")
    assert "Vui lòng chọn một trong 5 mục" in plain(await chair.say("²"))
    assert "Vui lòng chọn một trong 5 mục" in plain(await chair.say("٣"))


async def test_a_number_outside_the_menu_says_which_numbers_there_are(runtime: Runtime) -> None:
    chair = await registered(runtime, "96", Role.CHAIR, None)
    await chair.say("/moi")
    answer = plain(await chair.say("9"))
    assert answer.startswith("Không có mục số 9. Vui lòng chọn từ 1 đến 5.")
    assert "vai trò nào" in answer  # and the question is asked again
    assert "Vui lòng chọn từ 1 đến 5" in plain(await chair.say("0."))
