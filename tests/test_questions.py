"""The status-question parser (``bot/domain/questions.py``): what the chair, deputy or liaison types
in private chat, in Vietnamese with or without diacritics or in English, read against the
13 real units of the example bloc and its 6 tasks.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.questions import Intent, Question, parse_question
from bot.domain.text import fold
from bot.domain.unit_names import UnitRef, match_unit
from config.bloc import load_bloc_file

BLOC = load_bloc_file(Path(__file__).parents[1] / "config" / "bloc.example.yaml")
UNITS = tuple(UnitRef(u.code, u.name, u.short_name, tuple(u.aliases)) for u in BLOC.units)
TASKS = len(BLOC.periods[0].tasks)

NR, OV, TASK, UNIT = Intent.NOT_REPORTED, Intent.OVERVIEW, Intent.TASK, Intent.UNIT
BLOCKED, LATE, UNKNOWN = Intent.BLOCKED, Intent.LATE, Intent.UNKNOWN
REPORTED, DEADLINE = Intent.REPORTED, Intent.DEADLINE
CONFERENCE, ATTENDANCE = Intent.CONFERENCE, Intent.ATTENDANCE
OVERDUE = Intent.OVERDUE

# (what is typed, intent, task_number, unit_code)
TABLE: list[tuple[str, Intent, int | None, str | None]] = [
    # -- who has not reported: negation before a reporting verb, or "chưa"/"yet" after it
    ("Đơn vị nào chưa báo cáo?", NR, None, None),
    ("don vi nao chua bao cao", NR, None, None),
    ("ĐƠN VỊ NÀO CHƯA BÁO CÁO", NR, None, None),
    ("ai chưa cập nhật", NR, None, None),
    ("Ai chưa nộp báo cáo vậy 🤔", NR, None, None),
    ("còn ai chưa gửi không?", NR, None, None),
    ("đã báo cáo chưa", NR, None, None),  # no unit named: the list of who has not
    ("đơn vị nào im lặng", NR, None, None),
    ("who hasn't reported?", NR, None, None),
    ("Who has not submitted yet", NR, None, None),
    ("which units haven't updated", NR, None, None),
    ("missing reports?", NR, None, None),
    # -- overview
    ("tình hình chung thế nào", OV, None, None),
    ("tinh hinh chung the nao", OV, None, None),
    ("Tổng hợp tiến độ", OV, None, None),
    ("status", OV, None, None),
    ("STATUS?", OV, None, None),
    ("😀 tình hình chung? 🙏", OV, None, None),
    ("làm đến đâu rồi", OV, None, None),
    ("overall progress please", OV, None, None),
    ("tổng quan toàn khối", OV, None, None),
    ("tôi muốn xem tình hình", OV, None, None),  # muốn (want) is not muộn (late)
    ("toi muon xem tien do", OV, None, None),  # ... nor without diacritics
    # -- one task, by every form of its number
    ("tiến độ nhiệm vụ 3", TASK, 3, None),
    ("nv3 đến đâu rồi", TASK, 3, None),
    ("NV 3", TASK, 3, None),
    ("task 2 progress", TASK, 2, None),
    ("#3", TASK, 3, None),
    ("Task #1?", TASK, 1, None),
    ("mục 4 thế nào", TASK, 4, None),
    ("số 5", TASK, 5, None),
    ("nhiệm vụ số 6", TASK, 6, None),
    ("nhiem vu thu ba", TASK, 3, None),
    ("NHIỆM VỤ 02!!!", TASK, 2, None),
    ("nhiệm vụ 9", TASK, None, None),  # out of 1..6: ignored, still about a task
    ("nv0", TASK, None, None),
    ("danh sách nhiệm vụ", TASK, None, None),
    ("nhiệm vụ 2 ai chưa báo cáo", TASK, 2, None),  # a valid task number beats status words
    # -- one unit, by code, short name, full name or alias, with typos
    ("viện sở hữu trí tuệ làm đến đâu rồi", UNIT, None, "SHTT"),
    ("VIPRI?", UNIT, None, "SHTT"),
    ("vipri", UNIT, None, "SHTT"),
    ("vien so huu tri tu", UNIT, None, "SHTT"),
    ("Viện Khoa học sở hữu trí tuệ", UNIT, None, "SHTT"),
    ("Viện KHSHTT", UNIT, None, "SHTT"),
    ("shtt", UNIT, None, "SHTT"),
    ("how is BoA doing", UNIT, None, "CNCL"),
    ("VINATOM", UNIT, None, "NLNT"),
    ("vinatome có trễ không", UNIT, None, "NLNT"),
    ("viện năng lượng nguyên tử", UNIT, None, "NLNT"),
    ("Viện NLNTVN", UNIT, None, "NLNT"),
    ("NACENTECH", UNIT, None, "UDCN"),
    ("vien ung dung cong nghe", UNIT, None, "UDCN"),
    ("Viện ứng dụng", UNIT, None, "UDCN"),  # a prefix no other unit's name shares
    ("Viện Vùng", UNIT, None, "NCPTV"),
    ("viện nghiên cứu và phát triển vùng", UNIT, None, "NCPTV"),
    ("Viện Đánh giá khoa học", UNIT, None, "DGKH"),
    ("viện sáng chế", UNIT, None, "NCSC"),
    ("Trung tâm hội nhập", UNIT, None, "HNQT"),
    ("trung tâm nghiên cứu và phát triển", UNIT, None, "HNQT"),
    ("văn phòng chương trình trọng điểm", UNIT, None, "CTTD"),  # its "điểm" asks no points
    ("VP Chương trình quốc gia", UNIT, None, "CTQG"),
    ("văn phòng công nhận chất lượng", UNIT, None, "CNCL"),
    ("van phong dang ki", UNIT, None, "DKHD"),
    ("vp đăng ký", UNIT, None, "DKHD"),
    ("Ủy ban Vũ trụ", UNIT, None, "UBVT"),
    ("Học viện", UNIT, None, "HVKHCN"),
    ("VIPRI đã báo cáo chưa", UNIT, None, "SHTT"),  # "đã ... chưa" about a unit
    ("viện vùng chưa báo cáo à", UNIT, None, "NCPTV"),
    # -- unit and task together
    ("viện sở hữu trí tuệ nhiệm vụ 2 thế nào", UNIT, 2, "SHTT"),
    ("VIPRI nv2", UNIT, 2, "SHTT"),
    ("boa task 1", UNIT, 1, "CNCL"),
    ("vinatom #4", UNIT, 4, "NLNT"),
    ("Viện vùng nhiệm vụ 9", UNIT, None, "NCPTV"),
    # -- blocked
    ("nhiệm vụ nào đang gặp khó khăn", BLOCKED, None, None),
    ("đơn vị nào vướng mắc", BLOCKED, None, None),
    ("don vi nao vuong mac", BLOCKED, None, None),
    ("viện nào vướng?", BLOCKED, None, None),  # "viện vướng" is not "Viện Vùng"
    ("văn phòng nào đang gặp khó khăn", BLOCKED, None, None),  # "đang" is not "Đăng ký"
    ("có vấn đề gì không", BLOCKED, None, None),
    ("what is blocked", BLOCKED, None, None),
    ("who is stuck?", BLOCKED, None, None),
    # -- late
    ("ai trễ hạn", LATE, None, None),
    ("ai tre han", LATE, None, None),
    ("đơn vị nào quá hạn", LATE, None, None),
    ("ai nộp muộn", LATE, None, None),
    ("chậm tiến độ", LATE, None, None),
    # -- late words with task words: which tasks are past their own deadline
    ("nhiệm vụ 9 bị trễ", OVERDUE, None, None),  # no task 9: the overdue tasks
    ("nhiệm vụ nào quá hạn?", OVERDUE, None, None),
    ("nhiem vu nao tre han", OVERDUE, None, None),
    ("Which tasks are overdue?", OVERDUE, None, None),
    ("NV nào bị trễ hạn rồi", OVERDUE, None, None),
    ("những nhiệm vụ nào đã hết hạn", OVERDUE, None, None),
    ("overdue tasks", OVERDUE, None, None),
    # lateness before a deadline word; asking when; counting; answering an invitation
    ("nhiệm vụ nào đã quá thời hạn hoàn thành?", OVERDUE, None, None),
    ("tasks that missed the deadline", OVERDUE, None, None),
    ("đơn vị nào trễ deadline báo cáo", LATE, None, None),
    ("gửi báo cáo qua email trước thời hạn được không", DEADLINE, None, None),  # via, not past
    ("khi nào thì hết hạn gửi báo cáo?", DEADLINE, None, None),
    ("when does the report become overdue?", DEADLINE, None, None),
    ("ai hết hạn rồi mà chưa gửi", NR, None, None),  # who, not when
    ("mấy đơn vị nộp báo cáo rồi", REPORTED, None, None),
    ("how many units sent reports?", REPORTED, None, None),
    ("how many units are late with the report?", LATE, None, None),
    ("bao nhiêu đơn vị chưa xác nhận tham dự hội nghị", ATTENDANCE, None, None),
    ("đơn vị nào chưa trả lời việc dự họp", ATTENDANCE, None, None),
    ("Đơn vị nào chậm báo cáo nhiệm vụ?", LATE, None, None),  # about units, not tasks
    ("which units are late with their tasks?", LATE, None, None),
    ("who is late", LATE, None, None),
    ("what's overdue?", LATE, None, None),
    ("overdeu", LATE, None, None),
    # -- nothing the bot can answer
    ("xin chào", UNKNOWN, None, None),
    ("cảm ơn", UNKNOWN, None, None),
    ("abc", UNKNOWN, None, None),
    ("", UNKNOWN, None, None),
    ("😀👍", UNKNOWN, None, None),
    # -- the emulation year (chấm, grade, is not chậm, slow)
    ("chấm điểm thi đua", Intent.SCORING, None, None),
    ("đơn vị nào chưa chấm điểm?", Intent.SCORING, None, None),
    ("don vi nao chua cham diem", Intent.SCORING, None, None),
    ("đơn vị nào chưa nộp bảng điểm", Intent.SCORING, None, None),
    ("đơn vị nào chưa ký giao ước?", Intent.COVENANT, None, None),
    ("which units have not signed the covenant?", Intent.COVENANT, None, None),
    ("xếp hạng hiện nay thế nào?", Intent.RANKING, None, None),
    ("đơn vị nào đang dẫn đầu khối?", Intent.RANKING, None, None),
    ("what is the ranking?", Intent.RANKING, None, None),
    ("viện năng lượng nguyên tử được bao nhiêu điểm?", Intent.UNIT_SCORE, None, "NLNT"),
    ("how many points did VIPRI score?", Intent.UNIT_SCORE, None, "SHTT"),
    ("Viện sở hữu trí tuệ đã ký giao ước chưa?", Intent.COVENANT, None, "SHTT"),
    ("Viện sở hữu trí tuệ xếp hạng thứ mấy?", Intent.UNIT_SCORE, None, "SHTT"),
    ("Viện sở hữu trí tuệ đã chấm điểm chưa?", Intent.SCORING, None, "SHTT"),
    # "điểm" and "points" alone ask nothing of the year
    ("Hội nghị tổng kết có bao nhiêu điểm cầu?", CONFERENCE, None, None),
    ("What are the sticking points in the reports?", UNKNOWN, None, None),
    ("Ai đứng đầu danh sách chưa báo cáo?", NR, None, None),
    # "bo a": not BoA. Reading spaced-out letters as an acronym would make "bộ à" ("the
    # ministry, eh?") a unit; acronyms must be typed as one word ("boa", "BoA", "BOA").
    ("bo a", UNKNOWN, None, None),
    # organisation words alone name no unit
    ("viện", UNKNOWN, None, None),
    ("văn phòng", UNKNOWN, None, None),
    ("trung tâm", UNKNOWN, None, None),
    ("đơn vị", UNKNOWN, None, None),
    ("khối", UNKNOWN, None, None),
    ("học tiến", UNKNOWN, None, None),  # one letter from "Học viện"
    # -- who has reported (no negation): counts in full and in part
    ("bao nhiêu đơn vị đã báo cáo?", REPORTED, None, None),  # "nhiêu" is not "nhiệm vụ"
    ("bao nhieu don vi da bao cao", REPORTED, None, None),
    ("đơn vị nào đã báo cáo rồi?", REPORTED, None, None),
    ("How many units have reported so far?", REPORTED, None, None),
    ("which units have submitted", REPORTED, None, None),
    ("đã có ai nộp rồi", REPORTED, None, None),
    # -- when the report is due
    ("hạn báo cáo là khi nào?", DEADLINE, None, None),
    ("han bao cao ngay nao", DEADLINE, None, None),
    ("hạn nộp", DEADLINE, None, None),
    ("what is the deadline?", DEADLINE, None, None),
    ("thời hạn gửi báo cáo", DEADLINE, None, None),
    # -- conferences and who comes
    ("hội nghị tổng kết khi nào?", CONFERENCE, None, None),
    ("khi nào họp sơ kết", CONFERENCE, None, None),
    ("hoi nghi o dau", CONFERENCE, None, None),
    ("when is the conference", CONFERENCE, None, None),
    ("bao nhiêu đơn vị tham dự hội nghị?", ATTENDANCE, None, None),
    ("ai chưa xác nhận tham dự?", ATTENDANCE, None, None),
    ("who is coming to the meeting", ATTENDANCE, None, None),
    ("attendance for the year-end conference", ATTENDANCE, None, None),
    ("tiến độ nhiệm vụ tổ chức hội nghị tổng kết", TASK, None, None),  # a task, not a meeting
    ("báo cáo sơ kết đến đâu rồi", OV, None, None),  # the period's report, not a meeting
    ("tiến độ báo cáo tổng kết", OV, None, None),
]


@pytest.mark.parametrize(("text", "intent", "task", "unit"), TABLE)
def test_phrasing(text: str, intent: Intent, task: int | None, unit: str | None) -> None:
    question = parse_question(text, UNITS, TASKS)
    assert (question.intent, question.task_number, question.unit_code) == (intent, task, unit)


def test_table_is_large_and_has_no_duplicates() -> None:
    assert len(TABLE) >= 70
    assert len({row[0] for row in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("text", "suggestions"), [
    ("xin chào", (OV, NR)),
    ("cảm ơn", (OV, NR)),
    ("abc", (OV, NR)),
    ("", (OV, NR)),
    ("khó", (BLOCKED,)),
    ("khó quá", (BLOCKED, LATE)),  # "quá" as in "quá hạn": overlap, not meaning
    ("chưa?", (NR,)),
    ("tiến", (OV,)),
])
def test_unknown_suggests_the_closest_intents(text: str, suggestions: tuple[Intent, ...]) -> None:
    assert parse_question(text, UNITS, TASKS) == Question(UNKNOWN, suggestions=suggestions)


def test_only_unknown_carries_suggestions() -> None:
    for text, intent, _, _ in TABLE:
        assert bool(parse_question(text, UNITS, TASKS).suggestions) == (intent is UNKNOWN)


def test_units_may_come_as_a_list_or_be_missing() -> None:
    assert parse_question("VIPRI nv2", list(UNITS), TASKS) == Question(UNIT, 2, "SHTT")
    assert parse_question("VIPRI nv2", [], TASKS) == Question(TASK, 2)
    assert parse_question("nhiệm vụ 2", UNITS, 0) == Question(TASK)


def _forms(unit: UnitRef) -> list[str]:
    names = [unit.code, unit.name, unit.short_name, *unit.aliases]
    return [form for name in names for form in (name, fold(name), name.upper())]


@pytest.mark.parametrize("unit", UNITS, ids=[u.code for u in UNITS])
def test_match_unit_finds_each_unit_by_each_of_its_names(unit: UnitRef) -> None:
    for form in _forms(unit):
        assert match_unit(form, UNITS) == unit, form
        assert match_unit(f"{form} làm đến đâu rồi?", UNITS) == unit, form


@pytest.mark.parametrize("text", [
    "viện", "Văn phòng", "trung tâm", "đơn vị", "khối", "Viện nào?", "văn phòng chương trình",
    "viện nghiên cứu", "các đơn vị trong khối", "chưa báo cáo", "xin chào", "", "🙂",
])
def test_match_unit_finds_nothing_in_generic_words(text: str) -> None:
    assert match_unit(text, UNITS) is None


TEXT = st.text(max_size=400) | st.sampled_from([
    "", " ", "#", "##9", "nv", "nv99999999999999999999", "số ²", "nhiệm vụ ٣", "thứ", "Đ",
    "😀" * 500, "\u200f\u202eابجد", "<b>VIPRI</b> & nv2", "viện " * 300, "vp vp vp",
])


@settings(max_examples=150, deadline=None)
@given(TEXT, st.integers(min_value=-3, max_value=50))
@example("tình hình viện sở hữu trí tuệ nhiệm vụ 2 " * 400, 6)
def test_any_text_gives_a_question(text: str, task_count: int) -> None:
    question = parse_question(text, UNITS, task_count)
    assert isinstance(question, Question)
    assert question.intent in set(Intent)
    assert question.task_number is None or 1 <= question.task_number <= task_count
    assert question.unit_code is None or question.unit_code in {u.code for u in UNITS}
    assert (question.unit_code is not None) == (question.intent is UNIT)
    assert len(question.suggestions) <= 3
    assert UNKNOWN not in question.suggestions and UNIT not in question.suggestions
    assert len(set(question.suggestions)) == len(question.suggestions)
    assert parse_question(text, UNITS, task_count) == question  # deterministic
    assert match_unit(text, UNITS) in (None, *UNITS)


NAME = st.text(max_size=40) | st.sampled_from(["", "1", "Viện", "VP", "Văn phòng", "#", "y"])
ODD_UNITS = st.lists(st.builds(UnitRef, NAME, NAME, NAME, st.lists(NAME, max_size=3).map(tuple)),
                     max_size=5)


@settings(max_examples=100, deadline=None)
@given(ODD_UNITS, TEXT)
def test_odd_unit_names_never_break_matching(units: list[UnitRef], text: str) -> None:
    question = parse_question(text, units, TASKS)
    assert question.unit_code is None or question.unit_code in {u.code for u in units}
    assert match_unit(text, units) in (None, *units)
    for unit in units:
        assert match_unit(unit.name, units) in (None, *units)


def test_ten_thousand_characters_are_read_quickly() -> None:
    text = "Viện sở hữu trí tuệ nhiệm vụ 2 đến đâu rồi? 📎 " * 250
    started = time.perf_counter()
    assert parse_question(text, UNITS, TASKS) == Question(UNIT, 2, "SHTT")
    assert time.perf_counter() - started < 0.5
