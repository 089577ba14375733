"""``/capnhat`` on one line records what the person meant, however they wrote it, and says
exactly what it could not take instead of dropping it."""

from __future__ import annotations

import unicodedata

import pytest

from bot.app.runtime import Runtime
from bot.domain.reporting import parse_quick_update
from storage.records import ProgressStatus, Task
from tests.chat import plain
from tests.test_core import registered
from tests.test_progress import updates_of

TASKS = [Task(i, 1, str(i), i, f"Nhiệm vụ {i}", None, None) for i in range(1, 8)]
DONE, GOING, NOT_YET, BLOCKED = (ProgressStatus.DONE, ProgressStatus.IN_PROGRESS,
                                 ProgressStatus.NOT_STARTED, ProgressStatus.BLOCKED)


@pytest.mark.parametrize(("text", "task", "percent", "status", "note", "help_needed"), [
    ("5 hoàn thành Đã tổ chức hội nghị", 5, None, DONE, "Đã tổ chức hội nghị", None),
    ("5 hoan thanh Da to chuc", 5, None, DONE, "Da to chuc", None),
    ("6 chưa bắt đầu", 6, None, NOT_YET, None, None),
    ("7 0% Chưa triển khai", 7, 0, NOT_YET, "Chưa triển khai", None),
    ("7 30% khó khăn: thiếu kinh phí", 7, 30, BLOCKED, None, "thiếu kinh phí"),
    ("3 50% Đã họp. Khó khăn: thiếu người", 3, 50, BLOCKED, "Đã họp", "thiếu người"),
    ("nv6 30% Đã họp với doanh nghiệp", 6, 30, GOING, "Đã họp với doanh nghiệp", None),
    ("nhiệm vụ 2 100% Đã xong", 2, 100, DONE, "Đã xong", None),
    ("4 - 80 % - Đã hoàn thành phần lớn", 4, 80, GOING, "Đã hoàn thành phần lớn", None),
    ("3 khoảng 70% Đang làm", 3, 70, GOING, "Đang làm", None),
    ("2 80% Đã tổ chức hội thảo", 2, 80, GOING, "Đã tổ chức hội thảo", None),
    ("1 100% Xong", 1, 100, DONE, "Xong", None),  # the percent says it: the word is the note
    ("2 100% Đã hoàn thành. Khó khăn, vướng mắc: Không", 2, 100, DONE, "Đã hoàn thành", None),
    ("2 50% Đã gửi văn bản kiến nghị: xin kinh phí", 2, 50, GOING,
     "Đã gửi văn bản kiến nghị: xin kinh phí", None),  # "kiến nghị:" in prose is the note
    ("3 Khó khăn đã được khắc phục", 3, None, None, "Khó khăn đã được khắc phục", None),
    ("2 Hoàn thành 50% kế hoạch", 2, None, None, "Hoàn thành 50% kế hoạch", None),  # asked
    ("2 đang thực hiện 60% đã họp", 2, 60, GOING, "đã họp", None),
    ("2 Hoàn thành hội thảo ngày 12/11", 2, None, DONE, "Hoàn thành hội thảo ngày 12/11", None),
    ("3 xấp xỉ 70% Đang làm", 3, 70, GOING, "Đang làm", None),
    ("3\n80%\nĐã họp", 3, 80, GOING, "Đã họp", None),
    ("3 xong  ", 3, None, DONE, None, None),
    ("3 50% Đã họp. Khó khăn: thiếu người", 3, 50, BLOCKED, "Đã họp", "thiếu người"),
])
def test_a_one_liner_is_read_as_meant(text: str, task: int, percent: int | None,
                                      status: ProgressStatus | None, note: str | None,
                                      help_needed: str | None) -> None:
    for typed in (text, unicodedata.normalize("NFD", text)):  # Unikey's "Unicode tổ hợp" too
        quick = parse_quick_update(typed, TASKS)
        assert quick.task is not None and quick.task.position == task
        assert (quick.percent, quick.status, quick.note, quick.help_needed) == (
            percent, status, note, help_needed)
        assert quick.problems == ()


def test_what_cannot_be_taken_is_named_not_dropped() -> None:
    quick = parse_quick_update("99 200%", TASKS)
    assert [p.key for p in quick.problems] == ["progress.quick_no_task",
                                               "progress.quick_bad_percent"]
    assert quick.task is None and quick.percent is None
    assert [p.key for p in parse_quick_update("1 abc% Đã họp", TASKS).problems] == [
        "progress.quick_bad_percent"]


async def test_a_malformed_one_liner_says_what_is_wrong(runtime: Runtime) -> None:
    an = await registered(runtime, "1")
    answer = plain(await an.say("/capnhat 99 200%"))
    assert ("Câu lệnh nhanh có chỗ chưa đúng: không có nhiệm vụ 99 (đơn vị có 2 nhiệm vụ trong "
            "kỳ này); tỷ lệ phải từ 0 đến 100% (đồng chí gõ “200%”).") in answer
    assert "Chọn nhiệm vụ cần báo cáo" in answer  # and it asks for the task
    await an.say("/huy")
    negative = plain(await an.say("/capnhat 1 -10% Đã họp"))  # a minus, not a dash
    assert "tỷ lệ phải từ 0 đến 100% (đồng chí gõ “-10%”)" in negative
    await an.say("/huy")
    dashed = plain(await an.say("/capnhat 1 - 10% - Đã họp"))  # dashes between the parts
    assert "Tình trạng: Đang thực hiện 10%" in dashed


async def test_a_difficulty_goes_under_the_difficulty_field(runtime: Runtime) -> None:
    an = await registered(runtime, "1")
    await an.say("/capnhat 2 30% Đã lập danh sách. Khó khăn: thiếu kinh phí")
    review = plain(an.history[-1])
    assert "Tình trạng: Gặp khó khăn 30%" in review
    assert "Khó khăn, vướng mắc; đề xuất, kiến nghị: thiếu kinh phí" in review
    assert "Kết quả: Đã lập danh sách" in review
    await an.say("Gửi")
    assert await updates_of(runtime, "SHTT") == [(2, "blocked", 30, "Đã lập danh sách")]


async def test_a_status_in_words_records_that_status(runtime: Runtime) -> None:
    an = await registered(runtime, "1")
    review = plain(await an.say("/capnhat 1 hoàn thành Đã tổ chức hội nghị"))
    assert "Tình trạng: Hoàn thành" in review
    await an.say("Gửi")
    assert await updates_of(runtime, "SHTT") == [(1, "done", 100, "Đã tổ chức hội nghị")]
