"""The chair's everyday questions get true answers: who has reported, when the report is
due, when the conference is and who comes. A held-out set of phrasings, written apart from
the parser's tables and never used to tune them, measures how much more it understands."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.app.runtime import Runtime
from bot.domain.questions import Intent, parse_question
from storage.records import Deadline, Role
from tests.chat import Person, plain
from tests.test_core import registered
from tests.test_status import seed

# Intent → phrasings nobody looked at while writing the tables (kept as first written).
HELD_OUT: dict[Intent, tuple[str, ...]] = {
    Intent.REPORTED: ("có mấy đơn vị nộp báo cáo rồi?", "which units have already reported?",
                      "đơn vị nào gửi báo cáo rồi", "đã có bao nhiêu đơn vị gửi báo cáo",
                      "how many reports are in?"),
    Intent.DEADLINE: ("khi nào hết hạn nộp báo cáo?", "When are reports due?",
                      "thời hạn gửi báo cáo là bao giờ", "hạn chót nộp báo cáo ngày nào?",
                      "deadline là ngày nào"),
    Intent.CONFERENCE: ("bao giờ họp sơ kết?", "when is the next meeting?",
                        "hội nghị tổ chức ở đâu?", "lịch hội nghị tổng kết",
                        "cuộc họp khối khi nào diễn ra"),
    Intent.ATTENDANCE: ("những đơn vị nào sẽ có mặt ở hội nghị",
                        "who is attending the conference?", "đơn vị nào chưa trả lời tham dự",
                        "bao nhiêu đơn vị xác nhận dự họp", "ai không dự hội nghị"),
    # written by a helper that saw neither the rules nor the table, after OVERDUE was added
    Intent.OVERDUE: ("Khối mình có những nhiệm vụ nào đã quá hạn hoàn thành mà chưa xong?",
                     "nhiem vu nao cua khoi dang tre han chua hoan thanh vay em",
                     "Đề nghị thống kê danh sách các nhiệm vụ của Khối thi đua đã quá thời hạn "
                     "hoàn thành nhưng chưa được thực hiện xong.",
                     "ds viec nao qua deadline ma chua lam xong the?",
                     "Which tasks in the bloc's task list are overdue and still not completed?",
                     "show me bloc tasks past their due date that aren't done yet"),
}
HELD_OUT_UNDERSTOOD = 25  # of 26; it may only grow. The rules added in stop 22 (lateness
# before a deadline word, asking when, counting) were written after seeing this set's misses,
# so it no longer measures them: the fresh set below does.
# Written in stop 22 by a helper that saw neither the rules, the table nor the set above; 22
# of its 30 were understood before that stop's rules, 26 after.
HELD_OUT_FRESH: dict[Intent, tuple[str, ...]] = {
    Intent.REPORTED: ("Đến thời điểm này đã có bao nhiêu đơn vị gửi báo cáo rồi?",
                      "ds dv da nop bc ky nay",
                      "Which units have already submitted their progress reports?",
                      "Đề nghị cho biết danh sách các đơn vị đã hoàn thành việc báo cáo kết quả "
                      "thực hiện nhiệm vụ.",
                      "co bao nhieu don vi bao cao roi em"),
    Intent.DEADLINE: ("Hạn chót nộp báo cáo kỳ này là ngày nào?", "han bc la bao gio vay",
                      "When is the report deadline for this half-year?",
                      "Xin cho biết thời hạn các đơn vị phải gửi báo cáo tiến độ thực hiện "
                      "nhiệm vụ.",
                      "bao gio thi het han gui bao cao"),
    Intent.CONFERENCE: ("Hội nghị sơ kết của khối tổ chức vào ngày nào, ở đâu?",
                        "khi nao hop khoi vay, dia diem o dau",
                        "When and where is the next bloc conference?",
                        "Đề nghị cho biết thời gian, địa điểm tổ chức Hội nghị tổng kết công tác "
                        "thi đua năm nay.",
                        "lich hoi nghi so ket sap toi the nao e"),
    Intent.ATTENDANCE: ("Bao nhiêu đơn vị đã xác nhận tham dự hội nghị sơ kết?",
                        "dv nao chua xac nhan di hop khoi",
                        "Who has confirmed attendance for the upcoming conference?",
                        "Đề nghị tổng hợp danh sách các đơn vị đã đăng ký tham dự Hội nghị tổng "
                        "kết.",
                        "How many units are attending the bloc meeting?"),
    Intent.OVERDUE: ("Những nhiệm vụ nào đã quá hạn mà chưa hoàn thành?",
                     "nv nao tre han chua xong",
                     "Which tasks are past their deadline and still not completed?",
                     "Đề nghị rà soát các nhiệm vụ đã hết thời hạn thực hiện nhưng chưa hoàn "
                     "thành.",
                     "co nhiem vu nao qua deadline chua lam xong ko"),
    Intent.NOT_REPORTED: ("Còn đơn vị nào chưa gửi báo cáo không?", "ds dv chua nop bc",
                          "Which units haven't reported yet?",
                          "Đề nghị cho biết các đơn vị chưa nộp báo cáo để kịp thời đôn đốc.",
                          "con may dv chua bc vay"),
}
HELD_OUT_FRESH_UNDERSTOOD = 26  # of 30; it may only grow


@pytest.mark.parametrize(("held_out", "floor"), [(HELD_OUT, HELD_OUT_UNDERSTOOD),
                                                  (HELD_OUT_FRESH, HELD_OUT_FRESH_UNDERSTOOD)])
def test_the_held_out_phrasings_are_mostly_understood(
    held_out: dict[Intent, tuple[str, ...]], floor: int,
) -> None:
    understood = [text for intent, texts in held_out.items() for text in texts
                  if parse_question(text, [], 6).intent is intent]
    assert len(understood) >= floor, understood


async def _with_a_conference(runtime: Runtime) -> dict[str, Person]:
    people = await seed(runtime)  # SHTT reported both tasks, CNCL one of two, UDCN none
    starts = Deadline(datetime(2026, 12, 18, 1, 30, tzinfo=runtime.clock.now().tzinfo), False)
    conference_id = await runtime.repo.schedule_conference(
        bloc_id=runtime.bloc.id, kind="tong_ket", title="Hội nghị tổng kết năm 2026",
        starts=starts, place="Hội trường Bộ", agenda=[], actor="test", now=runtime.clock.now())
    shtt = next(u for u in await runtime.repo.list_units(runtime.bloc.id) if u.code == "SHTT")
    an = await runtime.repo.get_member("test", "1")
    assert an is not None
    await runtime.repo.answer_attendance(
        conference_id=conference_id, unit_id=shtt.id, answer="attend", attendee_name=None,
        attendee_title=None, member_id=an.id, now=runtime.clock.now())
    return people


@pytest.mark.parametrize("question", [
    "bao nhiêu đơn vị đã báo cáo?", "đơn vị nào đã báo cáo rồi?",
    "How many units have reported so far?"])
async def test_who_has_reported_counts_in_full_and_in_part(
    runtime: Runtime, question: str,
) -> None:
    people = await seed(runtime)
    answer = plain(await people["chair"].say(question))
    assert answer.startswith("Đã báo cáo đủ: 1/3 đơn vị · báo cáo chưa đủ: 1 · chưa báo cáo: 1.")
    assert "Đã báo cáo đủ:\n• Viện KHSHTT" in answer
    assert "Đã báo cáo nhưng chưa đủ:\n• VP CNCL — đã báo cáo 1/2 nhiệm vụ" in answer
    assert "nhiệm vụ nào" not in answer.lower()  # not a task menu ("nhiêu" is not "nhiệm vụ")


async def test_when_the_report_is_due(runtime: Runtime) -> None:
    people = await seed(runtime)
    answer = plain(await people["liaison"].say("hạn báo cáo là khi nào?"))
    assert answer.startswith("Hạn báo cáo: Thứ Bảy, 05/12/2026 — còn 11 ngày")


async def test_when_the_conference_is_and_who_comes(runtime: Runtime) -> None:
    people = await _with_a_conference(runtime)
    chair = people["chair"]
    when = plain(await chair.say("hội nghị tổng kết khi nào?"))
    assert "Hội nghị tổng kết năm 2026" in when and "18/12/2026" in when
    assert "Hội trường Bộ" in when
    counts = plain(await chair.say("bao nhiêu đơn vị tham dự hội nghị?"))
    assert counts.startswith("Hội nghị tổng kết năm 2026 (08:30 Thứ Sáu, 18/12/2026): "
                             "1 đơn vị tham dự, 0 đơn vị cử người khác, 0 đơn vị không tham "
                             "dự, 2/3 đơn vị chưa xác nhận.")
    missing = plain(await chair.say("ai chưa xác nhận tham dự?"))
    assert "Chưa xác nhận tham dự (2 đơn vị):\n• Viện ƯDCN\n• VP CNCL" in missing


async def test_without_a_conference_ahead_it_says_so(runtime: Runtime) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    assert "chưa có hội nghị nào sắp tới" in plain(await chair.say("hội nghị sơ kết khi nào?"))
