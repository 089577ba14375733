"""The year's self-scoring deadline is reminded as a report deadline is (7, 3, 1 days
before and its morning, in working hours, or the bloc file's ``scoring.reminder_days``), to
the units that have not submitted their sheets; after it, the chair and deputy get the list
of those units; ``/lichnhac`` shows what will go out."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from storage.records import Role
from tests.chat import plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_self_scoring import CRITERIA
from tests.test_task_admin import reload_with
from tests.test_vote import _submit

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# the period's own report deadline is left out: only the scoring deadline is reminded here
BLOC = SMALL_BLOC.replace("    report_deadline: 5/12/2026\n", "") + CRITERIA


def at(day: date, clock_time: time = time(9, 0)) -> datetime:
    return datetime.combine(day, clock_time, tzinfo=HANOI)


@pytest.fixture
async def year(runtime: Runtime, small_bloc_file: Path) -> Runtime:
    await reload_with(runtime, small_bloc_file, BLOC)
    return runtime


async def _texts(runtime: Runtime) -> dict[str, str]:
    return {row.chat_id: row.payload["text"] for row in await runtime.repo.outbox_rows()
            if row.dedup_key.startswith("remind:")}


async def test_units_yet_to_submit_are_reminded_and_the_chair_gets_the_list_after(
        year: Runtime, clock: FixedClock) -> None:
    chair = await registered(year, "1", Role.CHAIR, "UDCN", name="Trần Chủ Tịch")
    deputy = await registered(year, "2", Role.DEPUTY, "CNCL", name="Lê Phó")
    await registered(year, "3", Role.CONTACT, "SHTT", name="Nguyễn An")
    await _submit(deputy, "1.1 10", "1.2 10", "2.1 10")  # VP CNCL is done
    assert "1.2" in plain(await chair.say("/chamdiem 1.2 5 Chưa đủ"))

    schedule = plain(await chair.say("/lichnhac"))
    assert "nhắc hạn nộp bảng tự chấm điểm (trước 7 ngày)" in schedule
    assert "gửi 2 đơn vị chưa nộp bảng điểm" in schedule

    clock.set(at(date(2026, 12, 3)))  # seven days before 10/12
    await year.reminders.plan()
    await year.reminders.plan()  # planning again sends nothing more
    texts = await _texts(year)
    assert set(texts) == {"1", "3"}  # the chair's own unit too; VP CNCL has submitted
    assert ("hạn nộp bảng tự chấm điểm thi đua năm 2026 là <b>17:00 Thứ Năm, 10/12/2026</b>. "
            "Đơn vị đã chấm 1/3 tiêu chí") in texts["1"]
    assert "Đơn vị đã chấm 0/3 tiêu chí" in texts["3"]
    row = next(r for r in await year.repo.outbox_rows() if r.chat_id == "3")
    assert row.payload["options"][0] == ["Chấm điểm ngay", "/chamdiem"]
    assert "chọn “Chấm điểm ngay” bên dưới hoặc gõ /chamdiem" in texts["3"]

    clock.set(at(date(2026, 12, 11)))  # the first working morning after the deadline
    await year.reminders.plan()
    after = [row for row in await year.repo.outbox_rows() if "escalation" in row.dedup_key]
    assert {row.chat_id for row in after} == {"1", "2"}  # the chair and deputy only
    assert ("<b>2</b> đơn vị chưa nộp bảng điểm: Viện ƯDCN, Viện KHSHTT"
            in after[0].payload["text"])


async def test_the_bloc_files_own_days_and_no_reminder_before_the_window_opens(
        runtime: Runtime, small_bloc_file: Path, clock: FixedClock) -> None:
    text = BLOC.replace("  opens: 20/11/2026\n", "  opens: 2/12/2026\n  reminder_days: [10, 2]\n")
    await reload_with(runtime, small_bloc_file, text)
    await registered(runtime, "3", Role.CONTACT, "SHTT")
    labels = [o.label for o in await runtime.reminders.occasions()
              if o.origin[0] == "scoring"]
    # 10 days before (30/11) falls before the window opens on 2/12: it is not sent
    assert labels == ["2d", "day", "after"]


async def test_the_weekly_digest_names_the_scoring_deadline_of_the_week(
        year: Runtime, clock: FixedClock) -> None:
    await registered(year, "1", Role.CHAIR, "UDCN", name="Trần Chủ Tịch")
    clock.set(at(date(2026, 12, 7), time(8, 0)))  # the Monday of the deadline's week
    assert await year.digest.send() == 1
    text = next(r for r in await year.repo.outbox_rows() if r.kind == "digest").payload["text"]
    assert ("Hạn nộp bảng tự chấm điểm thi đua trong tuần này: 17:00 Thứ Năm, 10/12/2026 "
            "(3 đơn vị chưa nộp).") in text


async def test_a_letter_with_the_report_and_the_scoring_offers_a_button_for_each(
        runtime: Runtime, small_bloc_file: Path, clock: FixedClock) -> None:
    text = SMALL_BLOC + CRITERIA.replace("deadline: 10/12/2026 17h00", "deadline: 7/12/2026 17h00")
    await reload_with(runtime, small_bloc_file, text)
    await registered(runtime, "3", Role.CONTACT, "SHTT")
    clock.set(at(date(2026, 12, 4)))  # the report's 1-day and the scoring's 3-day reminders
    await runtime.reminders.plan()
    letters = [row for row in await runtime.repo.outbox_rows() if row.chat_id == "3"]
    assert len(letters) == 1  # one letter a day
    payload = letters[0].payload
    assert "Khối thi đua xin nhắc đồng chí 2 nội dung sau" in payload["text"]
    assert "Hạn nộp bảng tự chấm điểm thi đua năm 2026" in payload["text"]
    assert "chọn các nút tương ứng bên dưới" in payload["text"]
    assert [option[1] for option in payload["options"][:2]] == ["/capnhat", "/chamdiem"]
