"""Reminders with a fake clock: the default plan, working hours, Tết, downtime, who is reminded."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.domain.occasions import conference_occasions, deadline_occasions
from bot.domain.workcalendar import WorkCalendar
from storage.records import Conference, Deadline, OutboxStatus, Period, Role
from tests.chat import plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkCalendar(HANOI)


def local(day: date, clock: time = time(8, 0)) -> datetime:
    return datetime.combine(day, clock, tzinfo=HANOI)


def period(deadline: datetime) -> tuple[Period, Deadline]:
    due = Deadline(deadline.astimezone(UTC), all_day=deadline.time() == time(23, 59, 59))
    return Period(1, 1, "p", "Kỳ", date(2025, 1, 1), date(2025, 6, 30), due), due


def plan(deadline: datetime) -> list[tuple[str, datetime]]:
    p, due = period(deadline)
    return [(o.label, o.fire_at.astimezone(HANOI)) for o in deadline_occasions(p, due, CALENDAR)]


def test_a_saturday_deadline_moves_reminders_into_the_working_week() -> None:
    assert plan(local(date(2026, 12, 5), time(23, 59, 59))) == [
        ("7d", local(date(2026, 11, 30))),  # Sat 28/11 → Monday
        ("3d", local(date(2026, 12, 2))),
        ("1d", local(date(2026, 12, 4))),
        # the morning of the day is a Saturday: its next slot is after the deadline, so none
        ("after", local(date(2026, 12, 7))),
    ]


def test_tet_2025_holidays_are_not_working_days() -> None:
    assert plan(local(date(2025, 1, 31), time(17, 0))) == [
        ("7d", local(date(2025, 1, 24))),
        ("after", local(date(2025, 2, 3))),  # 27/1–1/2 is Tết: nothing is sent then
    ]


def test_tet_2024_and_hung_kings_day() -> None:
    # 7 days before is Tết (8–14/2/2024): it lands on the 15th with the 1-day one, which wins
    assert plan(local(date(2024, 2, 16), time(17, 0))) == [
        ("1d", local(date(2024, 2, 15))), ("day", local(date(2024, 2, 16))),
        # after it: the next working morning (the morning reminder was that day's letter)
        ("after", local(date(2024, 2, 19)))]
    assert not CALENDAR.is_working_day(date(2025, 4, 7))  # Giỗ Tổ Hùng Vương
    assert CALENDAR.next_slot(local(date(2025, 4, 4), time(18, 0))) == local(date(2025, 4, 8))


def test_working_hours_shift_late_and_early_moments() -> None:
    assert CALENDAR.next_slot(local(date(2026, 11, 25), time(7, 0))) == local(date(2026, 11, 25))
    assert CALENDAR.next_slot(local(date(2026, 11, 25), time(17, 31))) == local(
        date(2026, 11, 26))
    inside = local(date(2026, 11, 25), time(10, 15))
    assert CALENDAR.next_slot(inside) == inside
    # 24/11 is Vietnam Culture Day, a public holiday from 2026 (the library knows it)
    assert CALENDAR.next_slot(local(date(2026, 11, 24), time(9, 0))) == local(
        date(2026, 11, 25))


def test_a_conference_is_announced_7_days_1_day_and_2_hours_before() -> None:
    starts = local(date(2026, 12, 10), time(14, 0))
    conference = Conference(1, 1, "c", "tong_ket", "Hội nghị Tổng kết",
                            Deadline(starts.astimezone(UTC), False), "Hà Nội", ())
    assert [(o.label, o.fire_at.astimezone(HANOI)) for o in
            conference_occasions(conference, CALENDAR)] == [
        ("7d", local(date(2026, 12, 3))), ("1d", local(date(2026, 12, 9))),
        ("2h", local(date(2026, 12, 10), time(12, 0)))]


def test_two_hours_before_an_early_conference_is_the_morning_of_it_and_says_so() -> None:
    starts = local(date(2026, 12, 10), time(8, 30))  # 06:30 is before working hours
    conference = Conference(1, 1, "c", "tong_ket", "Hội nghị Tổng kết",
                            Deadline(starts.astimezone(UTC), False), "Hà Nội", ())
    assert [(o.label, o.fire_at.astimezone(HANOI)) for o in
            conference_occasions(conference, CALENDAR)][-1] == (
        "day", local(date(2026, 12, 10)))


async def outbox(runtime: Runtime) -> list[tuple[str, str]]:
    return sorted((row.dedup_key.split(":")[-1], row.chat_id)
                  for row in await runtime.repo.outbox_rows()
                  if row.dedup_key.startswith("remind:"))


async def test_units_owing_a_report_are_reminded_of_what_they_lack_once_unless_paused(
    runtime: Runtime, clock: FixedClock,
) -> None:
    shtt = await registered(runtime, "10", unit="SHTT")
    await registered(runtime, "11", unit="CNCL")
    await registered(runtime, "12", unit="UDCN")
    await registered(runtime, "9", Role.CHAIR, None)
    await shtt.say("/capnhat 1 50% Đã họp")
    await shtt.say("Gửi")
    udcn = next(u for u in await runtime.repo.list_units(1) if u.code == "UDCN")
    await runtime.repo.pause_unit(udcn.id, True, clock.now())  # it asked for an extension
    clock.set(local(date(2026, 11, 30)))  # the 7-day reminder is due
    await runtime.reminders.plan()
    await runtime.reminders.plan()  # planning again sends nothing more
    members = {m.external_id: m.id for m in await runtime.repo.list_members(1)}
    # SHTT reported task 1 of its 2: it is reminded of task 2 only; UDCN is paused
    assert await outbox(runtime) == [(str(members["10"]), "10"), (str(members["11"]), "11")]
    row = next(r for r in await runtime.repo.outbox_rows() if r.chat_id == "11")
    assert "Thứ Bảy, 05/12/2026" in row.payload["text"]
    assert "• 1. Tổ chức Hội nghị Tổng kết" in row.payload["text"]
    assert "• 2. Biểu dương điển hình" in row.payload["text"]
    assert row.payload["options"][0] == ["Cập nhật ngay", "/capnhat"]
    assert row.payload["options"][1][0] == "Nhắc lại sáng mai"  # put off once, if need be
    partial = next(r for r in await runtime.repo.outbox_rows() if r.chat_id == "10")
    assert "• 2. Biểu dương điển hình" in partial.payload["text"]
    assert "Tổ chức Hội nghị Tổng kết" not in partial.payload["text"]


async def test_after_a_long_downtime_only_the_latest_useful_reminder_goes_out(
    runtime: Runtime, clock: FixedClock,
) -> None:
    await registered(runtime, "11", unit="CNCL")
    await registered(runtime, "9", Role.CHAIR, None)
    clock.set(local(date(2026, 12, 4), time(9, 0)))  # down since before the 7-day reminder
    await runtime.reminders.plan()
    keys = [row.dedup_key for row in await runtime.repo.outbox_rows()]
    assert len(keys) == 1 and keys[0].startswith("remind:deadline:1@")
    assert keys[0].endswith(":1d:" + str(next(m.id for m in await runtime.repo.list_members(1)
                                              if m.external_id == "11")))

    clock.set(local(date(2026, 12, 20)))  # down again until well after the escalation
    await runtime.reminders.plan()
    # nothing stale of the report is sent (task 1, due 15/12, is overdue: that notice goes)
    assert [row.dedup_key for row in await runtime.repo.outbox_rows()
            if ":task" not in row.dedup_key] == keys


async def test_escalation_is_firm_and_tells_the_chair_who_is_silent(
    runtime: Runtime, clock: FixedClock,
) -> None:
    await registered(runtime, "11", unit="CNCL")
    chair = await registered(runtime, "9", Role.CHAIR, None)
    clock.set(local(date(2026, 12, 7), time(8, 30)))
    await runtime.reminders.plan()
    rows = {row.chat_id: row for row in await runtime.repo.outbox_rows()}
    assert "đã quá hạn gửi báo cáo" in rows["11"].payload["text"]
    assert "còn <b>3</b> đơn vị chưa báo cáo đủ: Viện ƯDCN, VP CNCL, Viện KHSHTT" in rows[
        "9"].payload["text"]
    assert rows["9"].status is OutboxStatus.PENDING
    assert "Hạn báo cáo" in plain(await chair.say("/tinhhinh"))
    assert timedelta(0) < rows["11"].expires_at - clock.now() <= timedelta(days=7)  # type: ignore[operator]


async def test_the_chair_sees_the_schedule_and_pauses_a_unit(
    runtime: Runtime, clock: FixedClock,
) -> None:
    await registered(runtime, "10", unit="SHTT")
    await registered(runtime, "11", unit="CNCL")
    chair = await registered(runtime, "9", Role.CHAIR, None)
    clock.set(local(date(2026, 11, 25), time(10, 0)))
    overview = plain(await chair.say("/lichnhac"))
    assert ("• 08:00 Thứ Hai, 30/11/2026 — nhắc hạn báo cáo (trước 7 ngày) — "
            "2 đầu mối của 3 đơn vị chưa báo cáo đủ") in overview
    assert "nhắc lần cuối sau hạn và báo Khối trưởng" in overview
    await chair.say("Tạm dừng nhắc một đơn vị")
    assert "Đã tạm dừng nhắc nhở: Viện Khoa học sở hữu trí tuệ" in plain(
        await chair.say("Viện KHSHTT"))
    assert "Đang tạm dừng nhắc: Viện KHSHTT" in plain(await chair.say("/schedule"))
    await chair.say("Đóng")
    clock.set(local(date(2026, 11, 30)))
    await runtime.reminders.plan()
    assert {row.chat_id for row in await runtime.repo.outbox_rows()} == {"11"}
    await chair.say("/lichnhac")
    await chair.say("Tạm dừng nhắc hạn kỳ này")
    clock.set(local(date(2026, 12, 2)))
    await runtime.reminders.plan()
    assert {row.chat_id for row in await runtime.repo.outbox_rows()} == {"11"}  # nothing new


async def test_the_monday_digest_goes_to_the_chair_once_a_week(
    runtime: Runtime, clock: FixedClock,
) -> None:

    an = await registered(runtime, "10", unit="SHTT")
    await registered(runtime, "9", Role.CHAIR, None)
    clock.set(local(date(2026, 11, 27), time(10, 0)))
    await an.say("/capnhat 1 50% Đã họp")
    await an.say("Gửi")
    clock.set(local(date(2026, 11, 30), time(8, 0)))
    assert await runtime.digest.send() == 1
    assert await runtime.digest.send() == 0  # once per week and person
    text = next(r for r in await runtime.repo.outbox_rows() if r.kind == "digest").payload["text"]
    assert "Tuần qua có 1 báo cáo mới của 1 đơn vị." in text
    assert "Hạn gửi báo cáo trong tuần này: Thứ Bảy, 05/12/2026." in text
    # SHTT reported one task of two: it still owes a report
    assert "Còn 3 đơn vị chưa báo cáo đủ: Viện ƯDCN, VP CNCL, Viện KHSHTT." in text


async def test_the_plan_can_be_changed_per_bloc_and_per_deadline(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:
    data = yaml.safe_load(SMALL_BLOC)
    data["reminders"] = {"deadline_days": [2], "deadline_morning": False,
                         "working_hours": "07:30-16:30"}
    path = small_bloc_file
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(path, (path.stat().st_mtime + 5, path.stat().st_mtime + 5))
    await runtime._reload()
    labels = [(o.label, o.fire_at.astimezone(HANOI)) for o in
              await runtime.reminders.occasions() if o.task_id is None]  # the report's
    assert labels == [("2d", local(date(2026, 12, 3), time(7, 30))),
                      ("after", local(date(2026, 12, 7), time(7, 30)))]
    data["periods"][0]["reminder_days"] = [5, 0]  # this deadline: 5 days before and the day
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(path, (path.stat().st_mtime + 10, path.stat().st_mtime + 10))
    await runtime._reload()
    assert [o.label for o in await runtime.reminders.occasions()
            if o.task_id is None] == ["5d", "after"]


async def test_the_digest_moment_is_configurable(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:

    await registered(runtime, "9", Role.CHAIR, None)
    data = yaml.safe_load(SMALL_BLOC)
    data["reminders"] = {"digest": "t6 16h"}  # Friday afternoon
    small_bloc_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(small_bloc_file, (small_bloc_file.stat().st_mtime + 5,) * 2)
    await runtime._reload()
    clock.set(local(date(2026, 11, 30), time(9, 0)))  # Monday: not this bloc's digest day
    assert await runtime.digest.send() == 0
    clock.set(local(date(2026, 12, 4), time(16, 5)))
    assert await runtime.digest.send() == 1


async def test_an_extended_deadline_and_a_past_periods_report_are_still_reminded(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:
    await registered(runtime, "11", unit="CNCL")
    clock.set(local(date(2026, 11, 30)))
    await runtime.reminders.plan()  # the 7-day reminder of 5/12
    data = yaml.safe_load(SMALL_BLOC)
    data["periods"][0]["report_deadline"] = "18/12/2026"  # the chair extends the deadline
    data["periods"][0]["end"] = "18/12/2026"  # and the next period begins the day after
    data["periods"].append({"code": "2027-H1", "title": "kỳ tiếp theo",
                            "start": "19/12/2026", "end": "30/6/2027"})
    small_bloc_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(small_bloc_file, (small_bloc_file.stat().st_mtime + 5,) * 2)
    await runtime._reload()
    clock.set(local(date(2026, 12, 11)))
    await runtime.reminders.plan()  # the new deadline's own 7-day reminder
    assert len([r for r in await runtime.repo.outbox_rows() if r.chat_id == "11"]) == 2
    clock.set(local(date(2026, 12, 21), time(9, 0)))  # next period begun; escalation still due
    await runtime.reminders.plan()
    letter = next(r for r in await runtime.repo.outbox_rows() if r.chat_id == "11")  # newest
    # the report's and task 1's, both past, in one letter
    assert "1) Đã quá hạn gửi báo cáo" in letter.payload["text"]
    assert ("2) Nhiệm vụ <b>1. Tổ chức Hội nghị Tổng kết</b> đã quá hạn hoàn thành"
            in letter.payload["text"])


async def test_a_conferences_report_deadline_is_reminded_like_a_periods(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:
    await registered(runtime, "11", unit="CNCL")
    data = yaml.safe_load(SMALL_BLOC)
    del data["periods"][0]["report_deadline"]
    data["conferences"] = [{"code": "tk-2026", "kind": "tong_ket", "title": "Tổng kết 2026",
                            "when": "22/12/2026 8h30", "report_deadline": "15/12/2026"}]
    small_bloc_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(small_bloc_file, (small_bloc_file.stat().st_mtime + 5,) * 2)
    await runtime._reload()
    labels = [(o.kind, o.label) for o in await runtime.reminders.occasions()]
    assert ("deadline", "7d") in labels and ("escalation", "after") in labels
    assert ("conference", "7d") in labels
    clock.set(local(date(2026, 12, 8)))
    await runtime.reminders.plan()
    rows = [r for r in await runtime.repo.outbox_rows() if r.chat_id == "11"]
    assert len(rows) == 1 and "Thứ Ba, 15/12/2026" in rows[0].payload["text"]


async def test_a_clock_that_jumps_forward_never_sends_early_nor_drops_what_is_ahead(
    runtime: Runtime, clock: FixedClock,
) -> None:
    import asyncio

    async def reminders_sent(count: int) -> list[str]:
        for _ in range(100):
            labels = [label for label, _ in await outbox(runtime)]
            if len(labels) >= count:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # and nothing more comes
        return sorted(row.dedup_key.split(":")[-2] for row in await runtime.repo.outbox_rows()
                      if row.dedup_key.startswith("remind:"))

    await registered(runtime, "11", unit="CNCL")
    await registered(runtime, "9", Role.CHAIR, None)
    await runtime.start()
    try:
        await runtime.reminders.plan()
        clock.set(local(date(2026, 12, 1), time(9, 0)))  # +7 days: only the 7-day one is due
        assert await reminders_sent(1) == ["7d"]
        planned = runtime.scheduler.planned()
        assert {key.split(":")[-1] for key in planned if key.startswith("reminder:deadline")
                and ":task" not in key} == {"3d", "1d"}  # still ahead, not marked done
        clock.set(local(date(2026, 12, 7), time(9, 0)))  # past the deadline: the escalation
        # the escalation to the unit and to the chair, not the 3- and 1-day ones late
        assert await reminders_sent(3) == ["7d", "after", "chair"]
    finally:
        await runtime.stop()


def test_a_deadline_at_midnight_is_due_the_day_before() -> None:
    # "5/12/2026 0h00" (Saturday's first instant): the last day to report is Friday 4/12
    assert plan(local(date(2026, 12, 5), time(0, 0))) == [
        ("7d", local(date(2026, 11, 27))),
        ("3d", local(date(2026, 12, 1))),
        ("1d", local(date(2026, 12, 3))),
        ("day", local(date(2026, 12, 4))),
        ("after", local(date(2026, 12, 7))),
    ]


async def test_the_chair_reads_a_timed_deadline_by_its_time(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:
    data = yaml.safe_load(SMALL_BLOC)
    data["periods"][0]["report_deadline"] = "5/12/2026 0h00"
    small_bloc_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(small_bloc_file, (small_bloc_file.stat().st_mtime + 5,) * 2)
    await runtime._reload()
    chair = await registered(runtime, "9", Role.CHAIR, None)
    clock.set(local(date(2026, 12, 4), time(9, 0)))
    assert "hạn là hôm nay" in plain(await chair.say("/tinhhinh"))
    clock.set(local(date(2026, 12, 5), time(9, 0)))
    status = plain(await chair.say("/tinhhinh"))
    assert "đã quá hạn 1 ngày" in status and "hạn là hôm nay" not in status
    data["periods"][0]["report_deadline"] = "5/12/2026 14h30"
    small_bloc_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(small_bloc_file, (small_bloc_file.stat().st_mtime + 10,) * 2)
    await runtime._reload()
    clock.set(local(date(2026, 12, 5), time(15, 0)))
    assert "đã hết hạn hôm nay" in plain(await chair.say("/tinhhinh"))
    late = plain(await chair.say("đơn vị nào trễ hạn?"))
    assert "dù đã hết hạn hôm nay" in late


async def test_an_empty_week_is_said_in_words(runtime: Runtime, clock: FixedClock) -> None:
    await registered(runtime, "9", Role.CHAIR, None)
    clock.set(local(date(2026, 11, 30), time(8, 0)))
    assert await runtime.digest.send() == 1
    text = next(r for r in await runtime.repo.outbox_rows() if r.kind == "digest").payload["text"]
    assert "Tuần qua không có báo cáo mới." in text and "0 báo cáo" not in text


async def test_the_blocs_own_days_off_and_make_up_saturdays_move_reminders(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:
    data = yaml.safe_load(SMALL_BLOC)
    # 5/12/2026 is a Saturday worked in exchange for Monday 7/12; 4/12 is a day off
    data["reminders"] = {"working_saturdays": ["5/12/2026"],
                         "days_off": ["4/12/2026", "7/12/2026"]}
    small_bloc_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(small_bloc_file, (small_bloc_file.stat().st_mtime + 5,) * 2)
    await runtime._reload()
    calendar = runtime.reminders.calendar()
    assert calendar.is_working_day(date(2026, 12, 5)) and not calendar.is_working_day(
        date(2026, 12, 7))
    labels = [(o.label, o.fire_at.astimezone(HANOI)) for o in
              await runtime.reminders.occasions() if o.task_id is None]
    # the 1-day reminder (4/12, a day off) goes on the make-up Saturday, with the day's own;
    # the one after the deadline skips Monday 7/12
    assert ("day", local(date(2026, 12, 5))) in labels
    assert ("after", local(date(2026, 12, 8))) in labels
    assert all(moment.date() != date(2026, 12, 4) for _, moment in labels)
