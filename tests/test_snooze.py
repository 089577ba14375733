"""A reminder put off ("Nhắc lại sáng mai", /nhaclai): once per reminder and person, to the
next working morning, never past its deadline, never on top of a reminder the plan sends
then anyway, and not at all if the unit has reported meanwhile."""

from __future__ import annotations

from datetime import date, time

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from tests.chat import plain
from tests.test_core import registered
from tests.test_reminders import local


async def test_a_reminder_put_off_comes_back_next_morning_once_unless_the_unit_reported(
    runtime: Runtime, clock: FixedClock,
) -> None:
    shtt = await registered(runtime, "10", unit="SHTT")
    cncl = await registered(runtime, "11", unit="CNCL")
    clock.set(local(date(2026, 11, 30)))  # Monday: the 7-day reminder
    await runtime.reminders.plan()
    rows = {r.chat_id: r for r in await runtime.repo.outbox_rows()
            if r.dedup_key.startswith("remind:deadline")}
    label, command = rows["10"].payload["options"][1]
    assert label == "Nhắc lại sáng mai" and command.startswith("/nhaclai deadline:")
    clock.set(local(date(2026, 11, 30), time(10, 0)))
    assert plain(await shtt.say(command)) == (
        "Bot sẽ nhắc lại đồng chí lúc 08:00 Thứ Ba, 01/12/2026.")
    assert "đã được hoãn một lần" in plain(await shtt.say(command))  # once only
    await cncl.say(rows["11"].payload["options"][1][1])
    for text in ("/capnhat 1 50% Đã họp", "Gửi", "Để sau", "/capnhat 2 100% Đã biểu dương",
                 "Gửi"):
        await cncl.say(text)  # CNCL reports both of its tasks meanwhile
    clock.set(local(date(2026, 12, 1), time(8, 0)))
    await runtime.reminders.plan()
    again = [r for r in await runtime.repo.outbox_rows() if r.dedup_key.startswith("snooze:")]
    assert [r.chat_id for r in again] == ["10"]  # CNCL has reported: not reminded again
    assert "Kính gửi đồng chí" in again[0].payload["text"]
    # it can be reported from at once, and is not put off a second time
    assert again[0].payload["options"] == [["Cập nhật ngay", "/capnhat"]]
    await runtime.reminders.plan()
    assert len([r for r in await runtime.repo.outbox_rows()
                if r.dedup_key.startswith("snooze:")]) == 1  # sent once


async def test_a_reminder_cannot_be_put_off_past_its_deadline(
    runtime: Runtime, clock: FixedClock,
) -> None:
    shtt = await registered(runtime, "10", unit="SHTT")
    clock.set(local(date(2026, 12, 4)))  # Friday: the 1-day reminder of Saturday 5/12
    await runtime.reminders.plan()
    row = next(r for r in await runtime.repo.outbox_rows() if r.chat_id == "10"
               and r.dedup_key.startswith("remind:deadline:1@"))
    assert [label for label, _ in row.payload["options"]] == ["Cập nhật ngay"]  # no snooze
    key = row.dedup_key.removeprefix("remind:").rsplit(":", 1)[0]
    answer = plain(await shtt.say(f"/nhaclai {key}"))  # typed anyway
    assert answer.startswith("Không thể hoãn: sáng mai đã quá hạn.")  # Monday is too late


async def test_putting_off_a_reminder_the_plan_repeats_next_morning_adds_none(
    runtime: Runtime, clock: FixedClock,
) -> None:
    shtt = await registered(runtime, "10", unit="SHTT")
    clock.set(local(date(2026, 12, 14)))  # the 1-day reminder of task 1, due 15/12 14h30
    await runtime.reminders.plan()
    row = next(r for r in await runtime.repo.outbox_rows() if ":task1@" in r.dedup_key)
    assert [label for label, _ in row.payload["options"]] == ["Cập nhật ngay"]
    key = row.dedup_key.removeprefix("remind:").rsplit(":", 1)[0]
    answer = plain(await shtt.say(f"/nhaclai {key}"))
    assert answer == "Theo lịch, bot sẽ nhắc lại đồng chí lúc 08:00 Thứ Ba, 15/12/2026."
    clock.set(local(date(2026, 12, 15)))
    await runtime.reminders.plan()
    task_rows = [r.dedup_key for r in await runtime.repo.outbox_rows() if ":task1@" in r.dedup_key]
    assert len(task_rows) == 2 and not any(k.startswith("snooze:") for k in task_rows)
