"""Progress updates as contacts and the chair live them, through the core (no network).

The same flows over real Telegram HTTP are in ``test_e2e_progress``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app.runtime import Runtime, open_runtime
from bot.domain.clock import FixedClock
from bot.domain.events import Choice, InboundFile, Message, Published, Traits
from bot.domain.text import html_to_plain
from config.settings import Settings
from storage.records import ProgressStatus, Role
from tests.chat import Person, plain
from tests.test_core import registered


async def updates_of(runtime: Runtime, unit_code: str) -> list[tuple[int, str, int, str]]:
    units = {u.code: u for u in await runtime.repo.list_units(runtime.bloc.id)}
    period = (await runtime.repo.list_periods(runtime.bloc.id))[0]
    rows = []
    for task in await runtime.repo.list_tasks(period.id):
        for update in await runtime.repo.update_history(units[unit_code].id, task.id):
            rows.append((task.position, update.status.value, update.percent, update.note))
    return rows


async def test_guided_update_in_progress_with_percent_note_and_files(runtime: Runtime) -> None:
    an = await registered(runtime, "1", name="Nguyễn Văn An")
    tasks = (await an.say("/capnhat")).replies[-1]
    assert [o.label for o in tasks.options] == [
        "1. Tổ chức Hội nghị Tổng kết — chưa báo cáo",
        "2. Biểu dương điển hình <tiên tiến> & nhân tố mới — chưa báo cáo",
        "Đóng",
    ]
    await an.press(tasks, "1. Tổ chức")
    await an.press(an.last_reply(), "Đang thực hiện")
    for wrong in ("abc", "-5", "150", ""):
        answer = plain(await an.say(wrong))
        assert "số nguyên từ 0 đến 100" in answer or "Vui lòng" in answer
    # an estimate is a percent
    assert "Kết quả đơn vị đã thực hiện" in plain(await an.say("khoảng 60 %"))
    await an.say("Đã tổ chức hội thảo với doanh nghiệp <b>tại Hà Nội</b>")
    await an.say("", file=InboundFile("f1", "bien-ban.pdf", "application/pdf", 1000, "document"))
    received = await an.say("", file=InboundFile("f2", None, "image/jpeg", 500, "photo"))
    assert "Đã nhận 2 tệp" in plain(received)
    assert "tài liệu hoặc một ảnh" in plain(await an.say("xong rồi đó"))  # not an option
    review = await an.press(an.last_reply(), "Xong")
    text = plain(review)
    assert "Tình trạng: Đang thực hiện 60%" in text
    assert "Kết quả: Đã tổ chức hội thảo với doanh nghiệp <b>tại Hà Nội</b>" in text
    assert "&lt;b&gt;" in review.replies[-1].text  # the contact's text is escaped
    assert "Tệp đính kèm (2): bien-ban.pdf, ảnh" in text
    sent = plain(await an.press(an.last_reply(), "Gửi"))
    assert "Đã ghi nhận báo cáo số 1" in sent and "lúc 09:00 24/11/2026" in sent
    assert an.last_reply().options[0].label.startswith("Tiếp: 2. Biểu dương")
    stored = await runtime.repo.get_update(1)
    assert stored is not None and len(stored.attachments) == 2
    assert stored.attachments[0].name == "bien-ban.pdf" and stored.author_name == "Nguyễn Văn An"


async def test_done_skips_percent_and_blocked_asks_for_help(runtime: Runtime) -> None:
    an = await registered(runtime, "2")
    await an.say("/capnhat")
    await an.say("1")
    assert "Kết quả đơn vị đã thực hiện" in plain(await an.say("Hoàn thành"))  # no percent question
    await an.say("Đã xong")
    await an.say("Xong")
    assert "Hoàn thành" in plain(an.history[-1])
    await an.say("Gửi")
    more = an.last_reply()
    await an.press(more, "Tiếp: 2.")  # walk on to the next task without an update
    assert "nêu khó khăn, vướng mắc" in plain(await an.say("4"))  # blocked → what help is needed
    assert "bao nhiêu phần trăm" in plain(await an.say("Thiếu kinh phí tổ chức"))
    await an.say("20")
    await an.say("Đã lập kế hoạch")
    review = plain(await an.say("Xong"))
    assert "Gặp khó khăn 20%" in review
    assert "Khó khăn, vướng mắc; đề xuất, kiến nghị: Thiếu kinh phí tổ chức" in review
    assert "đủ các nhiệm vụ" in plain(await an.say("Gửi"))
    assert await updates_of(runtime, "SHTT") == [
        (1, "done", 100, "Đã xong"), (2, "blocked", 20, "Đã lập kế hoạch")]


async def test_edit_from_the_summary_changes_one_thing_and_asks_what_follows(
    runtime: Runtime,
) -> None:
    an = await registered(runtime, "3")
    await an.say("/capnhat 1 40% Đang chuẩn bị")
    assert "Đang thực hiện 40%" in plain(an.history[-1])
    await an.say("Sửa")
    assert "Chọn mục cần sửa" in plain(an.history[-1])
    await an.say("Tình trạng")
    blocked = plain(await an.say("Gặp khó khăn"))
    assert "nêu khó khăn, vướng mắc" in blocked  # the new status needs an answer the draft lacks
    # a new status asks its own percent again (the old one belonged to the old status)
    assert "bao nhiêu phần trăm" in plain(await an.say("Chưa có địa điểm"))
    review = plain(await an.say("40"))
    assert "Gặp khó khăn 40%" in review and "Chưa có địa điểm" in review
    await an.say("Sửa")
    await an.say("Tỷ lệ hoàn thành")
    assert "Gặp khó khăn 55%" in plain(await an.say("55"))
    await an.say("Hủy")
    assert await updates_of(runtime, "SHTT") == []


async def test_one_liner_goes_to_the_summary_and_malformed_falls_back(runtime: Runtime) -> None:
    an = await registered(runtime, "4")
    review = plain(await an.say("/capnhat 2 80% Đã tổ chức hội thảo với doanh nghiệp"))
    assert "Nhiệm vụ 2" in review and "Đang thực hiện 80%" in review
    await an.say("Gửi")
    assert await updates_of(runtime, "SHTT") == [
        (2, "in_progress", 80, "Đã tổ chức hội thảo với doanh nghiệp")]
    fallback = plain(await an.say("/capnhat 1 abc% Đã họp"))
    assert "tỷ lệ phải từ 0 đến 100% (đồng chí gõ “abc%”)" in fallback  # said, not dropped
    assert "Tình trạng thực hiện" in fallback  # task 1 kept
    await an.say("Hoàn thành")
    assert "Kết quả: Đã họp" in plain(await an.say("Xong"))  # the note was kept too
    unknown_task = plain(await an.say("/capnhat 9 50% x"))
    assert "Chọn nhiệm vụ cần báo cáo" in unknown_task


async def test_chair_reports_on_behalf_and_contacts_share_their_units_updates(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "10", Role.CHAIR, None, name="Hoàng Ngọc Nhân")
    await chair.say("/capnhat")
    assert [o.label for o in chair.last_reply().options] == ["Viện ƯDCN", "VP CNCL",
                                                             "Viện KHSHTT", "Đóng"]
    await chair.say("Viện KHSHTT")
    await chair.say("1")
    await chair.say("Hoàn thành")
    await chair.say("Theo báo cáo qua điện thoại")
    await chair.say("Xong")
    await chair.say("Gửi")
    colleague = await registered(runtime, "11", name="Lê Thị Hoa")
    overview = plain(await colleague.say("/cuatoi"))
    assert "1. Tổ chức Hội nghị Tổng kết — Hoàn thành" in overview
    assert "Hoàng Ngọc Nhân" in overview
    detail = plain(await colleague.say("1"))
    assert "Khối trưởng/Khối phó báo cáo thay đơn vị" in detail
    other_unit = await registered(runtime, "12", unit="CNCL")
    assert "Mở" not in plain(await other_unit.say("/mine"))  # nothing of SHTT shows


async def test_edit_creates_a_version_and_withdraw_only_within_a_day(
    runtime: Runtime, clock: FixedClock,
) -> None:
    an = await registered(runtime, "20")
    await an.say("/capnhat 1 30% Bước đầu")
    await an.say("Gửi")
    await an.say("Để sau")
    await an.say("/cuatoi")
    await an.say("1")
    assert "Phiên bản 1/1" in plain(an.history[-1])
    assert "phiên bản mới" in plain(await an.say("Sửa"))
    await an.say("Tỷ lệ hoàn thành")
    await an.say("50")
    await an.say("Gửi")
    assert [row[2] for row in await updates_of(runtime, "SHTT")] == [30, 50]
    clock.advance(timedelta(hours=25))
    await an.say("/cuatoi")
    await an.say("1")
    options = [o.label for o in an.last_reply().options]
    assert "Rút lại" not in options and "Phiên bản 2/2" in plain(an.history[-1])
    clock.advance(timedelta(hours=-24))  # 1 hour after the correction
    await an.say("/huy")
    await an.say("/cuatoi")
    await an.say("1")
    review = plain(await an.say("Rút lại"))  # asked first: nothing is taken back yet
    assert review.startswith("Rút lại báo cáo số") and "lịch sử vẫn được lưu" in review
    assert "Đã rút lại báo cáo số" in plain(await an.say("Rút lại"))
    overview = plain(await an.say("/cuatoi"))
    assert "Đang thực hiện 30%" in overview  # the earlier version stands again


async def test_crafted_choices_cannot_touch_another_units_update(runtime: Runtime) -> None:
    an = await registered(runtime, "30")
    await an.say("/capnhat 1 30% Của SHTT")
    await an.say("Gửi")
    intruder = await registered(runtime, "31", unit="CNCL")
    await intruder.say("/capnhat")
    tasks = intruder.last_reply()
    units = {u.code: u for u in await runtime.repo.list_units(runtime.bloc.id)}
    forged = await intruder.say("", choice=Choice(tasks.token, str(units["SHTT"].id)))
    assert "không còn hợp lệ" in plain(forged)
    await intruder.say("/cuatoi")
    crafted = await intruder.say("", choice=Choice(intruder.last_reply().token, "1"))
    assert "không còn hợp lệ" in plain(crafted)  # update 1 is SHTT's, not offered to CNCL
    update = await runtime.repo.get_update(1)
    assert update is not None and update.withdrawn_at is None


async def test_idle_conversation_is_parked_as_a_draft_and_resumed(
    runtime: Runtime, clock: FixedClock,
) -> None:
    sent: list[tuple[str, str]] = []

    class Recorder:
        traits = Traits()

        async def send(self, chat_id: str, message: Message) -> None:
            sent.append((chat_id, html_to_plain(message.text)))

        async def publish(self, chat_id: str, messages: list[Message], *, pin: bool,
                          replace: str | None = None) -> Published:
            raise AssertionError("nothing is published here")

    runtime.channels.add("test", Recorder())
    an = await registered(runtime, "40")
    await an.say("/capnhat")
    await an.say("1")
    await an.say("2")
    clock.advance(timedelta(hours=47))
    assert await runtime.parking.park() == 0
    clock.advance(timedelta(hours=2))
    assert await runtime.parking.park() == 1
    assert sent == [("40", "Thao tác dở dang đã được đóng sau 48 giờ không có phản hồi. "
                           "Các nội dung đồng chí đã nhập được lưu làm bản nháp.\n"
                           "Gõ /capnhat để tiếp tục bản nháp.")]
    assert "chưa hiểu" in plain(await an.say("70"))  # no longer in the conversation
    offer = plain(await an.say("/capnhat"))
    assert "bản nháp" in offer
    resumed = plain(await an.say("Tiếp tục bản nháp"))
    assert "bao nhiêu phần trăm" in resumed
    await an.say("70")
    await an.say("Ghi chú")
    assert "Nhiệm vụ 1" in plain(await an.say("Xong"))


async def test_restart_mid_update_continues_and_says_so(settings: Settings,
                                                        clock: FixedClock) -> None:
    first = await open_runtime(settings, clock=clock)
    an = await registered(first, "50")
    await an.say("/capnhat")
    await an.say("2")
    await first.close()
    second = await open_runtime(settings, clock=clock)
    again = Person(second.dispatcher, "50")
    continuing = plain(await again.say("/capnhat"))
    assert "báo cáo chưa hoàn tất" in continuing and "Tình trạng thực hiện" in continuing
    await again.say("Hoàn thành")
    await again.say("Xong việc")
    await again.say("Xong")
    assert "Đã ghi nhận báo cáo số 1" in plain(await again.say("Gửi"))
    assert await updates_of(second, "SHTT") == [(2, ProgressStatus.DONE.value, 100, "Xong việc")]
    await second.close()


async def test_liaison_cannot_report(runtime: Runtime) -> None:
    liaison = await registered(runtime, "60", Role.LIAISON, None)
    assert "chỉ dành cho" in plain(await liaison.say("/capnhat"))


@pytest.mark.parametrize(("field", "answers", "expected"), [
    ("Nhiệm vụ", ["2"], "Nhiệm vụ 2: Biểu dương"),
    ("Tình trạng", ["Hoàn thành"], "Tình trạng: Hoàn thành"),
    ("Tỷ lệ hoàn thành", ["90%"], "Đang thực hiện 90%"),
    ("Kết quả", ["Đã họp với 5 doanh nghiệp"], "Kết quả: Đã họp với 5 doanh nghiệp"),
    ("Tệp đính kèm", ["Xong"], "Tệp đính kèm (0): —"),
])
async def test_every_part_can_be_changed_from_the_summary(
    runtime: Runtime, field: str, answers: list[str], expected: str,
) -> None:
    an = await registered(runtime, "70")
    await an.say("/capnhat 1 40% Bước đầu")
    await an.say("Sửa")
    await an.say(field)
    for answer in answers:
        await an.say(answer)
    review = plain(an.history[-1])
    assert "Xem lại trước khi gửi" in review and expected in review
    assert "Đã ghi nhận" in plain(await an.say("Gửi"))
