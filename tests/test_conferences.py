"""Conferences in chat: scheduling, attendance, moving and cancelling, each told once."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import openpyxl

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.services.exports.build import build_export
from bot.services.exports.xlsx import render_xlsx
from storage.records import Role
from tests.chat import Person, plain
from tests.test_core import registered

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


async def keys(runtime: Runtime, prefix: str) -> list[str]:
    return sorted(r.dedup_key for r in await runtime.repo.outbox_rows()
                  if r.dedup_key.startswith(prefix))


async def schedule_without_place(chair: Person) -> None:
    """The chair schedules "Hội nghị Tổng kết 2026" on 18/12/2026 8h30: no place, agenda nor
    report deadline; announced."""
    for line in ("/hoinghi", "Lên lịch hội nghị mới", "Tổng kết", "Hội nghị Tổng kết 2026",
                 "18/12/2026 8h30", "-", "-", "Không đặt hạn", "Gửi thông báo"):
        await chair.say(line)


async def test_schedule_answer_move_and_cancel_a_conference(
    runtime: Runtime, clock: FixedClock,
) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    an = await registered(runtime, "1", unit="SHTT")
    binh = await registered(runtime, "2", unit="CNCL")
    await registered(runtime, "8", Role.LIAISON, None)
    for line in ("/hoinghi", "Lên lịch hội nghị mới", "Tổng kết", "Hội nghị Tổng kết 2026",
                 "18/12/2026 8h30", "Hội trường A", "Báo cáo tổng kết\nPhương hướng 2027"):
        await chair.say(line)
    review = plain(await chair.say("11/12/2026 17h"))  # the report due before it
    # a review before anyone is told
    assert review.startswith("Xem lại trước khi thông báo\nHội nghị Tổng kết 2026")
    assert "Hạn gửi báo cáo: 17:00 Thứ Sáu, 11/12/2026" in review
    assert "Bot sẽ thông báo tới 4 người và nhóm của Khối." in review
    assert await keys(runtime, "conf-new:") == []
    assert "Đã lên lịch hội nghị" in plain(await chair.say("Gửi thông báo"))
    told = await keys(runtime, "conf-new:")
    assert len(told) == 4  # every member with a unit (the chair's unit too) and the liaison
    scheduled = (await runtime.repo.list_conferences(runtime.bloc.id))[-1]
    assert scheduled.report_deadline is not None  # its report deadline, reminded like one
    listing = plain(await an.say("/meetings"))
    assert "Hội nghị Tổng kết 2026 (tổng kết)" in listing
    assert "08:30 Thứ Sáu, 18/12/2026, tại Hội trường A" in listing
    assert "– Phương hướng 2027" in listing
    await an.say("1")
    assert "Hủy hội nghị" not in [o.label for o in an.last_reply().options]  # contacts answer
    await an.say("Cử người khác")
    await an.say("Nguyễn Văn A")
    assert "Đã ghi nhận: Cử người khác" in plain(await an.say("Phó Viện trưởng"))
    await binh.say("/hoinghi")
    await binh.say("1")
    assert "lý do" in plain(await binh.say("Không tham dự"))  # not attending: why?
    await binh.say("Trùng lịch tiếp đoàn công tác của Bộ")
    await chair.say("/hoinghi")
    await chair.say("1")
    attendance = plain(await chair.say("Danh sách tham dự"))
    assert ("Tham dự: 0 · cử người khác: 1 · không tham dự: 1 · chưa xác nhận: 1/3 đơn vị"
            in attendance)
    assert "• Viện KHSHTT — Cử người khác (Nguyễn Văn A, Phó Viện trưởng)" in attendance
    assert ("• VP CNCL — Không tham dự — lý do: Trùng lịch tiếp đoàn công tác của Bộ"
            in attendance)
    assert "• Viện ƯDCN — chưa trả lời" in attendance
    period = (await runtime.repo.list_periods(runtime.bloc.id))[0]
    data = await build_export(runtime.repo, runtime.bloc, period,
                              t=runtime.texts.translator("vi"), now=clock.now())
    assert ("Không tham dự — lý do: Trùng lịch tiếp đoàn công tác của Bộ"
            in {row.answer for row in data.attendance})  # the workbook says why, too
    await chair.say("Quay lại")
    await chair.say("Tham dự")  # the chair's own unit attends: who?
    await chair.say("Hoàng Ngọc Nhân")
    await chair.say("Phó Viện trưởng phụ trách")

    await chair.say("/hoinghi")
    await chair.say("1")
    await chair.say("Đổi thời gian")
    assert "đã qua" in plain(await chair.say("1/1/2020"))
    review = plain(await chair.say("19/12/2026 14h"))
    assert "sang 14:00 Thứ Bảy, 19/12/2026?" in review and "xác nhận lại" in review
    assert "Đã đổi thời gian" in plain(await chair.say("Gửi thông báo"))
    assert len(await keys(runtime, "conf-move:")) == 4
    await chair.say("/hoinghi")
    await chair.say("1")
    again = plain(await chair.say("Danh sách tham dự"))  # answers were for the old time
    assert "chưa xác nhận: 3/3 đơn vị" in again
    await chair.say("Đóng")
    clock.set(datetime.combine(date(2026, 12, 18), time(8, 0), tzinfo=HANOI))
    await runtime.reminders.plan()  # the 1-day reminder of the new time
    reminders = await keys(runtime, "remind:conference:")
    assert reminders and all("@" in key and ":1d:" in key for key in reminders)

    await chair.say("/hoinghi")
    await chair.say("1")
    await chair.say("Hủy hội nghị")
    assert "Đã hủy hội nghị" in plain(await chair.say("Hủy hội nghị"))
    assert len(await keys(runtime, "conf-cancel:")) == 4
    assert "chưa có hội nghị nào" in plain(await an.say("/hoinghi"))


async def test_the_liaison_answers_for_itself_and_is_in_the_attendance_list(
    runtime: Runtime, clock: FixedClock,
) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    liaison = await registered(runtime, "8", Role.LIAISON, None, name="Lê Thu Hà")
    contact = await registered(runtime, "1", unit="SHTT")
    await schedule_without_place(chair)
    await liaison.say("/hoinghi")
    await liaison.say("1")
    offered = [o.label for o in liaison.last_reply().options]
    # recording its own attendance is the one thing the liaison writes
    assert offered[:3] == ["Tham dự", "Không tham dự", "Cử người khác"]
    assert "Hủy hội nghị" not in offered and "Danh sách tham dự" not in offered
    assert "Họ tên người tham dự" in plain(await liaison.say("Tham dự"))
    await liaison.say("Lê Thu Hà")
    assert "Đã ghi nhận: Tham dự" in plain(await liaison.say("Chuyên viên chính"))
    await liaison.say("/hoinghi")
    assert "Đồng chí đã xác nhận: Tham dự." in plain(await liaison.say("1"))
    await liaison.say("Đóng")
    await contact.say("/hoinghi")
    await contact.say("1")
    await contact.say("Không tham dự")
    await contact.say("Trùng lịch công tác")

    await chair.say("/hoinghi")
    await chair.say("1")
    listing = plain(await chair.say("Danh sách tham dự"))
    assert "chưa xác nhận: 2/3 đơn vị" in listing  # the units are counted as units
    assert ("• Vụ Thi đua – Khen thưởng (Lê Thu Hà) — Tham dự (Lê Thu Hà, Chuyên viên chính)"
            in listing)
    await chair.say("Đóng")
    answer = plain(await chair.say("bao nhiêu đơn vị tham dự hội nghị?"))
    assert "Vụ Thi đua – Khen thưởng (Lê Thu Hà) — Tham dự" in answer
    period = (await runtime.repo.list_periods(runtime.bloc.id))[0]
    t = runtime.texts.translator("vi")
    data = await build_export(runtime.repo, runtime.bloc, period, t=t, now=clock.now())
    rows = {row.who: row for row in data.attendance}
    assert rows["Vụ Thi đua – Khen thưởng (Lê Thu Hà)"].attendee == "Lê Thu Hà, Chuyên viên chính"
    assert rows["Viện KHSHTT"].answer == "Không tham dự — lý do: Trùng lịch công tác"
    shtt = next(u for u in await runtime.repo.list_units(runtime.bloc.id) if u.code == "SHTT")
    own = await build_export(runtime.repo, runtime.bloc, period, t=t, now=clock.now(),
                             unit_id=shtt.id)
    assert [row.who for row in own.attendance] == ["Viện KHSHTT"]  # the unit's own only
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(data)))
    cells = [cell for row in book["Tham dự hội nghị"].iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)]
    # the answer counts are the units' (the liaison's own "Tham dự" is listed, not counted)
    assert "chưa trả lời: 2; Không tham dự — lý do: Trùng lịch công tác: 1" in cells

    await chair.say("/hoinghi")
    await chair.say("1")
    await chair.say("Đổi thời gian")
    await chair.say("19/12/2026 14h")
    await chair.say("Gửi thông báo")
    await chair.say("/hoinghi")
    await chair.say("1")
    again = plain(await chair.say("Danh sách tham dự"))  # asked again after the move
    assert "• Vụ Thi đua – Khen thưởng (Lê Thu Hà) — chưa trả lời" in again


async def test_a_move_sends_the_notice_not_a_second_reminder_and_a_cancel_drops_pending(
    runtime: Runtime, clock: FixedClock,
) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    await registered(runtime, "1", unit="SHTT")
    await schedule_without_place(chair)
    clock.set(datetime.combine(date(2026, 12, 11), time(8, 0), tzinfo=HANOI))
    await runtime.reminders.plan()  # 7 days before
    clock.set(datetime.combine(date(2026, 12, 11), time(10, 0), tzinfo=HANOI))
    for line in ("/hoinghi", "1", "Đổi thời gian", "18/12/2026 14h", "Gửi thông báo"):
        await chair.say(line)
    await runtime.reminders.plan()
    member = next(m for m in await runtime.repo.list_members(1) if m.external_id == "1")
    mine = [r.dedup_key.split(":")[0] for r in await runtime.repo.outbox_rows()
            if r.chat_id == "1" and "conf" in r.dedup_key]
    keys = sorted(r.dedup_key for r in await runtime.repo.outbox_rows() if r.chat_id == "1")
    assert sorted(mine) == ["conf-move", "conf-new", "remind"], keys  # one reminder, one notice
    assert member is not None
    clock.set(datetime.combine(date(2026, 12, 17), time(8, 0), tzinfo=HANOI))
    await runtime.reminders.plan()  # the 1-day reminder is queued…
    for line in ("/hoinghi", "1", "Hủy hội nghị", "Hủy hội nghị"):
        await chair.say(line)  # …and the conference is cancelled before it is sent
    pending = [r for r in await runtime.repo.outbox_rows()
               if r.dedup_key.startswith("remind:conference") and r.status.value == "pending"]
    assert pending == []


async def test_two_conferences_scheduled_in_the_same_second_are_both_kept(
    runtime: Runtime,
) -> None:
    from storage.records import Deadline

    now = runtime.clock.now()
    starts = Deadline(datetime(2026, 12, 10, 7, 0, tzinfo=ZoneInfo("UTC")), False)
    ids = [await runtime.repo.schedule_conference(
        bloc_id=runtime.bloc.id, kind="khac", title=title, starts=starts, place=None,
        agenda=[], actor="test:9", now=now) for title in ("Họp Khối", "Họp chuyên đề")]
    titles = {c.title for c in await runtime.repo.list_conferences(runtime.bloc.id)}
    assert len(set(ids)) == 2 and {"Họp Khối", "Họp chuyên đề"} <= titles


async def test_the_chair_sets_a_conferences_report_deadline_in_chat(
    runtime: Runtime, clock: FixedClock,
) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    await registered(runtime, "1", unit="SHTT")
    await schedule_without_place(chair)
    for line in ("/hoinghi", "1", "Đặt hạn gửi báo cáo"):
        await chair.say(line)
    done = plain(await chair.say("14/12/2026 17h"))
    assert done.startswith("Đã đặt hạn gửi báo cáo trước Hội nghị Tổng kết 2026: 17:00 Thứ Hai")
    occasions = [o for o in await runtime.reminders.occasions()
                 if o.origin[0] == "conference" and o.kind != "conference"]
    assert occasions and occasions[-1].label == "after"  # reminded like a period's deadline
    schedule = plain(await chair.say("/lichnhac"))
    assert "hạn báo cáo trước hội nghị" in schedule
