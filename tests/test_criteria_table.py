"""The criteria table and scoring window in the bloc file: the example's illustrative table
loads, and each mistake a secretary makes in it is one problem said in words they can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from config.bloc import BlocConfig, load_bloc_file
from tests.test_bloc_file import EXAMPLE, dump, error_for, example, render
from tests.test_cli import thidua

Edit = Callable[[dict[str, Any]], None]


def test_the_example_table_is_marked_illustrative_and_adds_up_to_its_total(
        bloc: BlocConfig) -> None:
    criteria = bloc.criteria
    assert criteria is not None
    assert criteria.illustrative  # the seed gives no table: it must never pass as the bloc's
    assert criteria.maximum == criteria.total == Decimal(100)
    assert [group.code for group in criteria.groups] == ["1", "2", "3", "4"]
    codes = [item.code for kind, item in criteria.lines() if kind == "criterion"]
    assert codes[:3] == ["1.1", "1.2", "1.3"]
    assert criteria.bonus is not None and criteria.bonus.cap == Decimal(5)
    assert criteria.penalty is not None and criteria.penalty.cap == Decimal(10)


def test_the_example_scoring_window_holds_the_fifteenth_of_december_2023(
        bloc: BlocConfig) -> None:
    scoring = bloc.scoring
    assert scoring is not None
    assert str(scoring.opens) <= "2023-12-15" <= str(scoring.deadline)
    assert scoring.tie_break == ("group:2", "fewer_penalty", "more_bonus")


@pytest.fixture(scope="module")
def bloc() -> BlocConfig:
    return load_bloc_file(EXAMPLE)


def _group(d: dict[str, Any], code: str) -> dict[str, Any]:
    return next(g for g in d["criteria"]["groups"] if g["code"] == code)


def _group_sum_differs(d: dict[str, Any]) -> None:
    _group(d, "2")["items"][0]["max"] = 20  # 20 + 15 ≠ 40


def _total_differs(d: dict[str, Any]) -> None:
    d["criteria"]["total"] = 90


def _bonus_item_over_cap(d: dict[str, Any]) -> None:
    d["criteria"]["bonus"]["items"][0]["max"] = 6  # cap 5


def _criterion_code_twice(d: dict[str, Any]) -> None:
    _group(d, "4")["items"][2]["code"] = "1.2"


def _unquoted_code(d: dict[str, Any]) -> None:
    _group(d, "1")["items"][1]["code"] = 1.2  # YAML would read "code: 1.2" as a number


def _three_decimals(d: dict[str, Any]) -> None:
    d["criteria"]["penalty"]["items"][0]["max"] = 0.125


def _tie_break_unknown_group(d: dict[str, Any]) -> None:
    d["scoring"]["tie_break"] = ["group:9"]


def _scoring_without_criteria(d: dict[str, Any]) -> None:
    del d["criteria"]


def _scoring_deadline_before_it_opens(d: dict[str, Any]) -> None:
    d["scoring"]["deadline"] = "30/11/2023"


def _unknown_tie_break(d: dict[str, Any]) -> None:
    d["scoring"]["tie_break"] = ["bốc thăm"]


MISTAKES: list[tuple[Edit, str, str, list[str]]] = [
    (_group_sum_differs, "criteria.groups[2]", "group_sum_differs", ["“2”", "40", "35"]),
    (_total_differs, "criteria", "criteria_total_differs", ["90", "100"]),
    (_bonus_item_over_cap, "criteria.bonus", "item_over_cap", ["T1", "6", "5"]),
    (_criterion_code_twice, "criteria.items", "duplicate_code", ["1.2", "trùng"]),
    (_unquoted_code, "criteria.groups[1].items[2].code", "code_needs_quotes",
     ["1.2", "ngoặc kép"]),
    (_three_decimals, "criteria.penalty.items[1].max", "too_many_decimals", ["0.125"]),
    (_tie_break_unknown_group, "scoring.tie_break", "unknown_group", ["9", "1, 2, 3, 4"]),
    (_scoring_without_criteria, "", "scoring_without_criteria", ["bảng tiêu chí"]),
    (_scoring_deadline_before_it_opens, "scoring", "end_before_start", ["kết thúc"]),
    (_unknown_tie_break, "scoring.tie_break[1]", "not_one_of", ["bốc thăm", "fewer_penalty"]),
]
IDS = [edit.__name__.lstrip("_") for edit, *_ in MISTAKES]


@pytest.mark.parametrize(("edit", "where", "kind", "shown"), MISTAKES, ids=IDS)
def test_each_criteria_mistake_is_one_actionable_problem(
        edit: Edit, where: str, kind: str, shown: list[str]) -> None:
    data = example()
    edit(data)

    error = error_for(dump(data))

    assert [(problem.where(), problem.kind) for problem in error.problems] == [(where, kind)]
    _header, line = render(error).split("\n")
    assert line.startswith(f"  • {where or 'toàn tệp'}: ")
    for fragment in shown:
        assert fragment in line
    assert "bloc." not in line and "{" not in line
    english = render(error, "en")
    assert "bloc." not in english and "{" not in english


def test_a_failed_criterion_is_not_also_called_an_empty_list() -> None:
    data = example()
    _group(data, "1")["items"] = [{"code": 1.5, "title": "x", "max": 20}]

    error = error_for(dump(data))

    assert [problem.kind for problem in error.problems] == ["code_needs_quotes"]


def test_bloc_check_describes_the_table_and_says_it_is_illustrative(tmp_path: Path) -> None:
    ok = thidua("bloc", "check", str(EXAMPLE), cwd=tmp_path)

    assert ok.returncode == 0
    assert "MINH HỌA" in ok.stdout and "4 nhóm, 10 tiêu chí, tối đa 100 điểm" in ok.stdout


def test_bloc_check_names_a_group_that_does_not_add_up(tmp_path: Path) -> None:
    data = example()
    _group_sum_differs(data)
    broken = tmp_path / "bloc.yaml"
    broken.write_text(dump(data), encoding="utf-8")

    check = thidua("bloc", "check", str(broken), cwd=tmp_path)

    assert check.returncode == 2
    assert "criteria.groups[2]: nhóm “2” ghi tối đa 40 điểm" in check.stderr
    assert "Traceback" not in check.stderr
