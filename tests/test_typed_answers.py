"""A form's answers are typed: what a person typed stays what they meant, and a conversation
saved before an upgrade either goes on or is closed with a polite word, never a failure."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.app.runtime import Runtime
from bot.domain.periods import current_period
from bot.kernel.answers import Answers
from bot.kernel.forms import Form, Step
from storage.records import DialogState, Role
from tests.chat import plain
from tests.test_core import registered


async def _unit_and_task(runtime: Runtime, code: str) -> tuple[int, int]:
    unit = next(u for u in await runtime.repo.list_units(runtime.bloc.id) if u.code == code)
    period = current_period(await runtime.repo.list_periods(runtime.bloc.id),
                            runtime.clock.now().date())
    assert period is not None
    task = (await runtime.repo.list_tasks(period.id))[0]
    return unit.id, task.id


async def test_a_title_with_commas_and_a_date_stays_the_title_the_chair_typed(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "1", Role.CHAIR, None)
    for answer in ("/quanlynhiemvu", "Sửa nhiệm vụ", "1", "Tên nhiệm vụ"):
        await chair.say(answer)
    review = plain(await chair.say("Hội thảo, tọa đàm 2026-12-15"))
    assert "thành Hội thảo, tọa đàm 2026-12-15?" in review
    assert "Đã" in plain(await chair.say("Lưu"))
    period = max(await runtime.repo.list_periods(runtime.bloc.id), key=lambda p: p.start)
    assert (await runtime.repo.list_tasks(period.id))[0].title == "Hội thảo, tọa đàm 2026-12-15"


async def test_a_new_deadline_is_read_back_as_people_write_it_and_kept_at_its_hour(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "1", Role.CHAIR, None)
    for answer in ("/quanlynhiemvu", "Sửa nhiệm vụ", "1", "Hạn hoàn thành"):
        await chair.say(answer)
    review = plain(await chair.say("15/12/2026 14h30"))
    assert "thành 14:30 Thứ Ba, 15/12/2026?" in review  # not 2026-12-15T14:30:00
    await chair.say("Lưu")
    period = max(await runtime.repo.list_periods(runtime.bloc.id), key=lambda p: p.start)
    deadline = (await runtime.repo.list_tasks(period.id))[0].deadline
    assert deadline is not None and not deadline.all_day
    local = deadline.at.astimezone(ZoneInfo(runtime.bloc.timezone))
    assert (local.day, local.month, local.hour, local.minute) == (15, 12, 14, 30)


async def test_a_report_left_at_its_summary_by_the_previous_version_is_sent(
    runtime: Runtime,
) -> None:
    """The previous version kept every answer as text ("3", "in_progress"); after the
    upgrade the person presses Send and the report is recorded as they wrote it."""
    contact = await registered(runtime, "2", unit="SHTT")
    unit_id, task_id = await _unit_and_task(runtime, "SHTT")
    now = runtime.clock.now()
    await runtime.repo.save_dialog(DialogState(
        "test", "2", "update", "confirm",
        {"unit": str(unit_id), "task": str(task_id), "status": "in_progress", "percent": 40,
         "note": "Đã họp triển khai", "files": "done", "attachments": []}, token=7), now)
    recorded = plain(await contact.say("Gửi"))
    assert "Đã ghi nhận" in recorded
    latest = await runtime.repo.latest_updates(unit_id, [task_id])
    assert latest[task_id].percent == 40 and latest[task_id].note == "Đã họp triển khai"


async def test_answers_the_form_can_no_longer_read_close_the_conversation_politely(
    runtime: Runtime,
) -> None:
    contact = await registered(runtime, "2", unit="SHTT")
    await runtime.repo.save_dialog(DialogState(
        "test", "2", "update", "note", {"unit": "không phải số", "status": "đã xong"},
        token=3), runtime.clock.now())
    answer = plain(await contact.say("Đã tổ chức hội thảo"))
    assert "không còn tiếp tục được" in answer and "bắt đầu lại" in answer
    state = await runtime.repo.load_dialog("test", "2")
    assert state is not None and state.form is None
    # a fresh start works
    assert "Chọn nhiệm vụ cần báo cáo" in plain(await contact.say("/capnhat"))


def test_a_form_whose_answers_have_no_field_for_a_step_is_refused_when_declared() -> None:
    class Few(Answers):
        title: str | None = None

    async def done(ctx: object, answers: Few) -> None:
        return None

    with pytest.raises(TypeError, match="no field for the step"):
        Form(name="broken", answers=Few, finish=done,  # type: ignore[arg-type]
             steps=(Step("title", "x"), Step("place", "y")))


def test_stored_answers_are_json_without_the_questions_not_yet_answered() -> None:
    from handlers.progress import UpdateAnswers

    answers = UpdateAnswers(unit=3)
    answers.task = "12"  # type: ignore[assignment]  # a picker's option value is text
    assert answers.task == 12
    answers.forget("task")
    assert answers.stored() == {"unit": 3, "attachments": []}
    assert not answers.answered("task") and answers.answered("unit")


async def test_a_draft_kept_by_an_earlier_version_that_no_longer_fits_starts_over(
    runtime: Runtime,
) -> None:
    contact = await registered(runtime, "2", unit="SHTT")
    await runtime.repo.park_dialog(DialogState(
        "test", "2", "update", "percent", {"unit": "SHTT", "task": "một"}, token=4),
        runtime.clock.now())
    assert "bản nháp" in plain(await contact.say("/capnhat"))
    answer = plain(await contact.say("Tiếp tục bản nháp"))
    assert "không còn tiếp tục được" in answer and "Chọn nhiệm vụ cần báo cáo" in answer
    assert await runtime.repo.load_draft("test", "2", "update") is None


async def test_a_units_change_left_at_its_review_by_the_previous_version_keeps_its_units(
    runtime: Runtime,
) -> None:
    """The previous version kept the chosen units as "UDCN,CNCL"; saving after the upgrade
    gives the task those two units, not every unit."""
    chair = await registered(runtime, "1", Role.CHAIR, None)
    period = max(await runtime.repo.list_periods(runtime.bloc.id), key=lambda p: p.start)
    task = (await runtime.repo.list_tasks(period.id))[0]
    await runtime.repo.save_dialog(DialogState(
        "test", "1", "task_admin", "confirm",
        {"action": "edit", "task": str(task.id), "field": "units", "value": "UDCN,CNCL"},
        token=5), runtime.clock.now())
    assert "Đã sửa nhiệm vụ" in plain(await chair.say("Lưu"))
    units = {u.id: u.code for u in await runtime.repo.list_units(runtime.bloc.id)}
    changed = next(t for t in await runtime.repo.list_tasks(period.id) if t.id == task.id)
    assert changed.unit_ids is not None
    assert sorted(units[i] for i in changed.unit_ids) == ["CNCL", "UDCN"]


async def test_a_description_that_reads_all_is_read_back_as_typed(runtime: Runtime) -> None:
    chair = await registered(runtime, "1", Role.CHAIR, None)
    for answer in ("/quanlynhiemvu", "Sửa nhiệm vụ", "1", "Mô tả"):
        await chair.say(answer)
    review = plain(await chair.say("all"))
    assert "thành all?" in review and "Tất cả đơn vị" not in review
