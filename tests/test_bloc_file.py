"""The bloc file a secretary edits (``config/bloc.py``) and how its mistakes read
(``bot.services.blocfile.render_problems``).

The shipped example must transcribe the source article faithfully; every broken file
below is the example with exactly one change (unless the test is about several), and
the Vietnamese rendering must say where the mistake is and what to do.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import config.bloc
from bot.domain.i18n import catalog
from bot.services.blocfile import render_problems
from config.bloc import (
    BlocConfig,
    BlocFileError,
    ConferenceKind,
    Problem,
    load_bloc_file,
    parse_bloc_text,
)

EXAMPLE = Path(config.bloc.__file__).with_name("bloc.example.yaml")
ARTICLE = Path(__file__).resolve().parents[2] / "shared/seed/bloc-midyear-conference-2023.vi.txt"
EXAMPLE_DATA: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))

UNIT_NAMES = [
    "Học viện Khoa học, Công nghệ và Đổi mới sáng tạo",
    "Viện Năng lượng nguyên tử Việt Nam",
    "Viện Ứng dụng công nghệ",
    "Viện Nghiên cứu và Phát triển Vùng",
    "Viện Đánh giá khoa học và Định giá công nghệ",
    "Viện Khoa học sở hữu trí tuệ",
    "Viện Nghiên cứu sáng chế và Khai thác công nghệ",
    "Trung tâm Nghiên cứu và Phát triển hội nhập khoa học và công nghệ quốc tế",
    "Văn phòng các Chương trình trọng điểm cấp nhà nước",
    "Văn phòng các Chương trình khoa học và công nghệ quốc gia",
    "Văn phòng Công nhận Chất lượng",
    "Văn phòng Đăng ký hoạt động khoa học và công nghệ",
    "Văn phòng Ủy ban Vũ trụ Việt Nam",
]
MOVEMENTS = [
    "Khoa học và Công nghệ đồng hành cùng doanh nghiệp",
    "Cả nước chung tay vì người nghèo",
    "Cán bộ, Công chức, Viên chức thi đua thực hiện văn hóa công sở",
    "Đẩy mạnh phát triển kết cấu hạ tầng đồng bộ, hiện đại; thực hành tiết kiệm, chống lãng phí",
]


# -- helpers ----------------------------------------------------------------------------------


def example() -> dict[str, Any]:
    """A fresh, editable copy of the shipped example's data."""
    return copy.deepcopy(EXAMPLE_DATA)


def dump(data: Any) -> str:
    """YAML text as a secretary's editor would save it."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def error_for(text: str) -> BlocFileError:
    """The error the bloc file ``text`` is refused with."""
    with pytest.raises(BlocFileError) as caught:
        parse_bloc_text(text)
    return caught.value


def render(error: BlocFileError, language: str = "vi") -> str:
    return render_problems(error, catalog(), language)


def squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def bloc() -> BlocConfig:
    return load_bloc_file(EXAMPLE)


# -- the shipped example ----------------------------------------------------------------------


def test_example_lists_the_thirteen_units_by_full_name(bloc: BlocConfig) -> None:
    assert [unit.name for unit in bloc.units] == UNIT_NAMES
    assert len({unit.code for unit in bloc.units}) == 13


def test_example_names_the_chair_deputy_and_liaison(bloc: BlocConfig) -> None:
    assert bloc.name == "Khối thi đua Văn phòng – Viện"
    assert bloc.ministry == "Bộ Khoa học và Công nghệ"
    assert bloc.year == 2023
    assert bloc.unit(bloc.chair).name == "Viện Ứng dụng công nghệ"
    assert bloc.deputy is not None
    assert bloc.unit(bloc.deputy).name == "Văn phòng Công nhận Chất lượng"
    assert bloc.liaison is not None
    assert bloc.liaison.person == "Lương Minh Đức"
    assert bloc.timezone == "Asia/Ho_Chi_Minh"


def test_example_has_the_theme_and_four_movements(bloc: BlocConfig) -> None:
    assert bloc.theme == "Kỷ cương, kết nối, đổi mới, thành công"
    assert list(bloc.movements) == MOVEMENTS


def test_example_has_the_midyear_conference_of_13_july_2023(bloc: BlocConfig) -> None:
    conference, year_end = bloc.conferences
    # the year-end conference is illustrative (the seed gives no date): the file says so
    assert year_end.kind is ConferenceKind.YEAR_END and "minh họa" in (year_end.place or "")
    assert "MINH HỌA" in EXAMPLE.read_text(encoding="utf-8")
    assert conference.kind is ConferenceKind.MIDYEAR
    assert str(conference.kind) == "so_ket"  # as written in the file
    assert conference.when == date(2023, 7, 13)
    assert conference.title.startswith("Hội nghị Sơ kết Công tác thi đua, khen thưởng")


def test_example_has_six_tasks_for_the_second_half_of_2023(bloc: BlocConfig) -> None:
    (period,) = bloc.periods
    assert period.code == "2023-H2"
    assert (period.start, period.end) == (date(2023, 7, 1), date(2023, 12, 31))
    assert [task.code for task in period.tasks] == ["1", "2", "3", "4", "5", "6"]
    assert all(task.deadline is None for task in period.tasks)  # the article gives none


@pytest.fixture(scope="module")
def article() -> str:
    if not ARTICLE.exists():
        pytest.skip(f"source article not available at {ARTICLE}")
    return ARTICLE.read_text(encoding="utf-8")


def test_units_are_those_the_article_lists(article: str) -> None:
    listed = re.search(r"có 13 đơn vị, bao gồm: (.*?)\.\n", article)
    assert listed is not None
    assert [name.strip() for name in listed.group(1).split(";")] == UNIT_NAMES


def test_tasks_are_the_articles_six_directions_word_for_word(
    bloc: BlocConfig, article: str
) -> None:
    directions = [squeeze(line.lstrip("–")) for line in article.splitlines()
                  if line.startswith("–")]
    assert [squeeze(task.title) for task in bloc.periods[0].tasks] == directions


def test_theme_movements_and_conference_title_appear_in_the_article(
    bloc: BlocConfig, article: str
) -> None:
    quoted = re.findall(r"“([^”]+)”", article)
    assert bloc.theme in quoted
    assert all(movement in quoted for movement in bloc.movements)
    assert squeeze(bloc.conferences[0].title) in squeeze(article)
    assert "Ngày 13/7/2023" in article


def test_a_dump_of_the_example_data_still_loads() -> None:
    # the premise of every "one change" test below
    assert parse_bloc_text(dump(example())) == load_bloc_file(EXAMPLE)


# -- one mistake at a time ----------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


def _unknown_deputy(d: dict[str, Any]) -> None:
    d["deputy"] = "VPCNCL"


def _unknown_chair(d: dict[str, Any]) -> None:
    d["chair"] = "UDNC"


def _duplicate_unit_code(d: dict[str, Any]) -> None:
    d["units"][1]["code"] = "HVKHCN"


def _duplicate_task_code(d: dict[str, Any]) -> None:
    d["periods"][0]["tasks"][1]["code"] = "1"


def _bad_deadline(d: dict[str, Any]) -> None:
    d["periods"][0]["tasks"][1]["deadline"] = "30/2/2023"


def _bad_report_deadline(d: dict[str, Any]) -> None:
    d["periods"][0]["report_deadline"] = "cuối tháng 12"


def _conference_without_year(d: dict[str, Any]) -> None:
    d["conferences"][0]["when"] = "13/7"


def _end_before_start(d: dict[str, Any]) -> None:
    d["periods"][0]["end"] = "30/6/2023"


def _unit_without_name(d: dict[str, Any]) -> None:
    del d["units"][2]["name"]


def _no_chair(d: dict[str, Any]) -> None:
    del d["chair"]


def _misspelt_task_field(d: dict[str, Any]) -> None:
    d["periods"][0]["tasks"][0]["dedline"] = "1/12/2023"


def _misspelt_deputy(d: dict[str, Any]) -> None:
    d["depty"] = d.pop("deputy")


def _unknown_conference_kind(d: dict[str, Any]) -> None:
    d["conferences"][0]["kind"] = "hoi_nghi"


def _unknown_timezone(d: dict[str, Any]) -> None:
    d["timezone"] = "Asia/Hanoi"


def _chair_is_deputy(d: dict[str, Any]) -> None:
    d["deputy"] = "UDCN"


def _code_with_diacritics(d: dict[str, Any]) -> None:
    d["units"][0]["code"] = "Học viện"


def _year_out_of_range(d: dict[str, Any]) -> None:
    d["year"] = 23


def _make_up_day_not_a_saturday(d: dict[str, Any]) -> None:
    d.setdefault("reminders", {})["working_saturdays"] = ["30/12/2023", "4/1/2024"]


# edit, where(), kind, params that must be present, fragments the Vietnamese line must show
MISTAKES: list[tuple[Edit, str, str, dict[str, str], list[str]]] = [
    (_unknown_deputy, "deputy", "unknown_unit", {"field": "deputy", "value": "VPCNCL"},
     ["VPCNCL", *sorted(unit["code"] for unit in EXAMPLE_DATA["units"])]),
    (_unknown_chair, "chair", "unknown_unit", {"field": "chair", "value": "UDNC"},
     ["UDNC", "UDCN", "CNCL", "HVKHCN"]),
    (_duplicate_unit_code, "units", "duplicate_code", {"field": "units", "value": "HVKHCN"},
     ["units", "HVKHCN", "trùng"]),
    (_duplicate_task_code, "periods[1].tasks", "duplicate_code", {"field": "tasks", "value": "1"},
     ["tasks", "trùng"]),
    (_bad_deadline, "periods[1].tasks[2].deadline", "not_a_date", {"value": "30/2/2023"},
     ["30/2/2023", "13/7/2023"]),
    (_bad_report_deadline, "periods[1].report_deadline", "not_a_date",
     {"value": "cuối tháng 12"}, ["cuối tháng 12"]),
    (_conference_without_year, "conferences[1].when", "not_a_date", {"value": "13/7"},
     ["“13/7”"]),
    (_end_before_start, "periods[1]", "end_before_start", {}, ["kết thúc", "bắt đầu"]),
    (_unit_without_name, "units[3].name", "missing", {}, ["thiếu"]),
    (_no_chair, "chair", "missing", {}, ["thiếu"]),
    (_misspelt_task_field, "periods[1].tasks[1].dedline", "unknown_field", {}, ["sai tên"]),
    (_misspelt_deputy, "depty", "unknown_field", {}, ["sai tên"]),
    (_unknown_conference_kind, "conferences[1].kind", "not_one_of", {"value": "hoi_nghi"},
     ["hoi_nghi", "so_ket", "tong_ket", "chuyen_de", "khac"]),
    (_unknown_timezone, "timezone", "unknown_timezone", {"value": "Asia/Hanoi"},
     ["Asia/Hanoi", "Asia/Ho_Chi_Minh"]),
    (_chair_is_deputy, "", "chair_is_deputy", {"value": "UDCN"}, ["UDCN", "Khối trưởng"]),
    (_code_with_diacritics, "units[1].code", "bad_code", {"value": "Học viện"}, ["Học viện"]),
    (_year_out_of_range, "year", "out_of_range", {"value": "23"}, ["23"]),
    # 30/12/2023 is a Saturday; 4/1/2024 a Thursday, a working day already
    (_make_up_day_not_a_saturday, "reminders.working_saturdays", "not_a_saturday",
     {"value": "4/1/2024"}, ["4/1/2024", "thứ Bảy"]),
]
MISTAKE_IDS = [edit.__name__.lstrip("_") for edit, *_ in MISTAKES]


@pytest.mark.parametrize(("edit", "where", "kind", "params", "shown"), MISTAKES, ids=MISTAKE_IDS)
def test_each_mistake_is_one_problem_saying_where_and_what(
    edit: Edit, where: str, kind: str, params: dict[str, str], shown: list[str]
) -> None:
    data = example()
    edit(data)

    error = error_for(dump(data))

    assert [(problem.where(), problem.kind) for problem in error.problems] == [(where, kind)]
    assert params.items() <= error.problems[0].params.items()


@pytest.mark.parametrize(("edit", "where", "kind", "params", "shown"), MISTAKES, ids=MISTAKE_IDS)
def test_each_mistake_reads_as_actionable_vietnamese(
    edit: Edit, where: str, kind: str, params: dict[str, str], shown: list[str]
) -> None:
    data = example()
    edit(data)

    header, line = render(error_for(dump(data))).split("\n")

    assert "1 lỗi" in header
    assert "chưa được nạp" in header
    assert line.startswith(f"  • {where or 'toàn tệp'}: ")
    for fragment in shown:
        assert fragment in line
    assert "bloc." not in line  # a catalog key would mean the secretary sees no sentence
    assert "{" not in line


@pytest.mark.parametrize(("edit", "where", "kind", "params", "shown"), MISTAKES, ids=MISTAKE_IDS)
def test_each_mistake_also_reads_in_english(
    edit: Edit, where: str, kind: str, params: dict[str, str], shown: list[str]
) -> None:
    data = example()
    edit(data)

    text = render(error_for(dump(data)), "en")

    assert "1 problem(s)" in text
    assert "bloc." not in text
    assert "{" not in text


def test_unknown_deputy_lists_every_known_code_so_the_secretary_can_pick_one() -> None:
    data = example()
    data["deputy"] = "XYZ"

    text = render(error_for(dump(data)))

    codes = re.search(r"\(([^)]*)\)$", text)
    assert codes is not None
    assert set(codes.group(1).split(", ")) == {unit["code"] for unit in data["units"]}


def test_where_counts_list_items_from_one() -> None:
    assert Problem(("periods", 0, "tasks", 1, "deadline"), "not_a_date").where() == (
        "periods[1].tasks[2].deadline"
    )
    assert Problem(("units", 12), "missing").where() == "units[13]"
    assert Problem((), "invalid_yaml").where() == ""


def test_several_mistakes_are_all_reported_at_once() -> None:
    data = example()
    del data["units"][2]["name"]
    data["periods"][0]["tasks"][1]["deadline"] = "30/2/2023"
    data["timezone"] = "Asia/Hanoi"
    data["conferences"][0]["kind"] = "hoi_nghi"

    error = error_for(dump(data))

    assert {(problem.where(), problem.kind) for problem in error.problems} == {
        ("units[3].name", "missing"),
        ("periods[1].tasks[2].deadline", "not_a_date"),
        ("timezone", "unknown_timezone"),
        ("conferences[1].kind", "not_one_of"),
    }
    text = render(error)
    assert "4 lỗi" in text
    assert len(text.splitlines()) == 5


@pytest.mark.parametrize(
    ("second_mistake", "second_problem"),
    [
        (_bad_deadline, ("periods[1].tasks[2].deadline", "not_a_date")),
        (_duplicate_unit_code, ("units", "duplicate_code")),
        (_unknown_chair, ("chair", "unknown_unit")),
    ],
    ids=["bad_deadline", "duplicate_unit_code", "unknown_chair"],
)
def test_a_wrong_deputy_is_reported_alongside_another_mistake(
    second_mistake: Edit, second_problem: tuple[str, str]
) -> None:
    data = example()
    data["deputy"] = "XYZ"
    second_mistake(data)

    error = error_for(dump(data))

    assert sorted((p.where(), p.kind) for p in error.problems) == sorted(
        [("deputy", "unknown_unit"), second_problem]
    )
    assert "2 lỗi" in render(error)


def test_an_empty_unit_list_is_reported() -> None:
    data = example()
    data["units"] = []

    error = error_for(dump(data))

    assert ("units", "empty") in {(p.where(), p.kind) for p in error.problems}
    assert "  • units: không được để trống" in render(error)
