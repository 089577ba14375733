"""A person is told of deadlines at most once a day: what falls due together (several tasks,
the report) comes as one letter, and what falls due later the same day waits for the next
working morning."""

from __future__ import annotations

import asyncio
from datetime import date, time
from pathlib import Path

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.domain.occasions import deadline_occasions
from storage.records import OutboxRow
from tests.chat import plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_reminders import HANOI, local
from tests.test_task_admin import reload_with

BOTH_TASKS_DUE_FRIDAY = SMALL_BLOC.replace('deadline: "15/12/2026 14h30"',
                                           'deadline: "18/12/2026 14h30"').replace(
    'title: "Biểu dương điển hình <tiên tiến> & nhân tố mới"}',
    'title: "Biểu dương điển hình <tiên tiến> & nhân tố mới", deadline: "18/12/2026 17h"}')


async def letters_to(runtime: Runtime, chat: str, day: date) -> list[OutboxRow]:
    """The deadline letters for ``chat`` due on ``day`` (Hà Nội), oldest first."""
    rows = [r for r in await runtime.repo.outbox_rows() if r.chat_id == chat
            and r.kind == "deadline" and r.due_at.astimezone(HANOI).date() == day]
    return sorted(rows, key=lambda r: r.id)


async def test_two_tasks_due_the_same_day_come_as_one_letter_put_off_together(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:
    assert BOTH_TASKS_DUE_FRIDAY != SMALL_BLOC
    await reload_with(runtime, small_bloc_file, BOTH_TASKS_DUE_FRIDAY)
    contact = await registered(runtime, "10", unit="SHTT")
    clock.set(local(date(2026, 12, 15)))  # Tuesday: 3 days before both tasks' deadline
    await runtime.reminders.plan()
    [letter] = await letters_to(runtime, "10", date(2026, 12, 15))
    text = letter.payload["text"]
    assert text.startswith("⏰ Kính gửi đồng chí Nguyễn Văn An (Viện Khoa học sở hữu trí tuệ): "
                           "Khối thi đua xin nhắc đồng chí 2 nội dung sau.")
    assert "1) Nhiệm vụ <b>1. Tổ chức Hội nghị Tổng kết</b> có hạn hoàn thành" in text
    assert "2) Nhiệm vụ <b>2. Biểu dương điển hình" in text
    assert text.count("Kính gửi") == 1 and text.count("Cập nhật ngay") == 1  # asked once
    assert text.endswith("\n\nĐề nghị đồng chí chọn “Cập nhật ngay” bên dưới hoặc gõ /capnhat "
                         "để báo cáo. Trân trọng cảm ơn!")
    (update_label, update), (snooze_label, snooze) = letter.payload["options"]
    assert (update_label, update) == ("Cập nhật ngay", "/capnhat")  # either task
    assert snooze_label == "Nhắc lại sáng mai" and snooze.startswith("/nhaclai @")
    clock.set(local(date(2026, 12, 15), time(10, 0)))
    assert plain(await contact.say(snooze)) == (
        "Bot sẽ nhắc lại đồng chí lúc 08:00 Thứ Tư, 16/12/2026.")  # both put off
    assert "đã được hoãn một lần" in plain(await contact.say(snooze))
    for text in ("/capnhat 1 100% Đã tổ chức hội nghị", "Gửi", "Để sau"):
        await contact.say(text)  # task 1 is done meanwhile
    clock.set(local(date(2026, 12, 16)))
    await runtime.reminders.plan()
    [again] = await letters_to(runtime, "10", date(2026, 12, 16))
    assert again.dedup_key.startswith("snooze:deadline:task")  # only task 2 is still owed
    assert "nhiệm vụ <b>2. Biểu dương điển hình" in again.payload["text"]
    assert "hoặc gõ /capnhat 2 để báo cáo." in again.payload["text"]  # the one task it is
    assert "1. Tổ chức Hội nghị Tổng kết" not in again.payload["text"]


async def test_what_falls_due_after_the_days_letter_waits_for_the_next_morning(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:
    await reload_with(runtime, small_bloc_file, BOTH_TASKS_DUE_FRIDAY)
    await registered(runtime, "10", unit="SHTT")
    clock.set(local(date(2026, 12, 15)))
    await runtime.reminders.plan()  # the day's letter: both tasks
    clock.set(local(date(2026, 12, 15), time(10, 0)))
    # the report deadline is moved to Friday too: its 3-day reminder is due at once
    await reload_with(runtime, small_bloc_file, BOTH_TASKS_DUE_FRIDAY.replace(
        "report_deadline: 5/12/2026", "report_deadline: 18/12/2026 17h"))
    await runtime.reminders.plan()
    assert len(await letters_to(runtime, "10", date(2026, 12, 15))) == 1  # not a second one
    clock.set(local(date(2026, 12, 16)))
    await runtime.reminders.plan()
    [held] = await letters_to(runtime, "10", date(2026, 12, 16))
    assert "hạn gửi báo cáo 6 tháng cuối năm 2026 là <b>17:00 Thứ Sáu, 18/12/2026</b>" in (
        held.payload["text"])
    clock.set(local(date(2026, 12, 17)))  # the day before: the report's and both tasks'
    await runtime.reminders.plan()
    [letter] = await letters_to(runtime, "10", date(2026, 12, 17))
    assert "3 nội dung" in letter.payload["text"]
    assert letter.payload["text"].index("1) Hạn gửi báo cáo") < letter.payload["text"].index(
        "2) Nhiệm vụ <b>1.")  # the report first
    clock.set(local(date(2026, 12, 18)))  # the morning of the deadlines
    await runtime.reminders.plan()
    assert len(await letters_to(runtime, "10", date(2026, 12, 18))) == 1
    clock.set(local(date(2026, 12, 21)))  # Monday: the next working morning
    await runtime.reminders.plan()
    [late] = await letters_to(runtime, "10", date(2026, 12, 21))
    assert late.payload["text"].startswith("❗ Kính gửi đồng chí")
    assert "1) Đã quá hạn gửi báo cáo" in late.payload["text"]


async def test_the_jobs_of_reminders_due_together_send_one_letter_and_hold_nothing_over(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:
    await reload_with(runtime, small_bloc_file, BOTH_TASKS_DUE_FRIDAY)
    await registered(runtime, "10", unit="SHTT")
    clock.set(local(date(2026, 12, 15)))
    due = [o for o in await runtime.reminders.pending() if o.fire_at <= clock.now()
           and o.task_id is not None]
    assert len(due) == 2  # each task's 3-day reminder has its own job, at the same moment
    await asyncio.gather(*(runtime.reminders.fire(o.key, o.origin) for o in due))
    assert len(await letters_to(runtime, "10", date(2026, 12, 15))) == 1
    clock.set(local(date(2026, 12, 16)))
    await runtime.reminders.plan()
    assert await letters_to(runtime, "10", date(2026, 12, 16)) == []  # nothing was held over


def test_the_reminder_after_a_deadline_just_before_tet_is_still_sent_after_tet() -> None:
    from bot.domain.occasions import still_useful
    from tests.test_reminders import CALENDAR, period

    p, due = period(local(date(2024, 2, 7), time(17, 0)))  # the last working day before Tết
    after = deadline_occasions(p, due, CALENDAR)[-1]
    assert after.label == "after" and after.fire_at == local(date(2024, 2, 15))
    assert still_useful([after], after.fire_at) == [after]  # more than a week on, still sent
