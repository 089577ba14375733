"""The scoring rules applied to a table (bot/domain/scoring.py): points as people type them,
what a line requires, totals, and the ranking with the bloc's tie-break rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.scoring import (
    Score,
    Table,
    Totals,
    format_points,
    parse_points,
    rank,
    submission_gaps,
    totals,
)
from config.criteria import CriteriaConfig

TABLE = Table(CriteriaConfig.model_validate({
    "justification": "below_max",
    "groups": [
        {"code": "1", "title": "A", "items": [
            {"code": "1.1", "title": "a", "max": 10, "evidence": "required"},
            {"code": "1.2", "title": "b", "max": 10, "justification": "optional"}]},
        {"code": "2", "title": "B", "items": [{"code": "2.1", "title": "c", "max": 20}]},
    ],
    "bonus": {"cap": 3, "items": [{"code": "T1", "title": "t", "max": 2}]},
    "penalty": {"cap": 5, "items": [{"code": "Tr1", "title": "p", "max": 5,
                                     "justification": "required"}]},
}))


@pytest.mark.parametrize(("typed", "points"), [
    ("8", Decimal(8)), ("8,5", Decimal("8.5")), ("8.25", Decimal("8.25")), (" 10 ", Decimal(10)),
])
def test_points_are_read_with_a_comma_or_a_point(typed: str, points: Decimal) -> None:
    assert parse_points(typed) == points


@pytest.mark.parametrize("typed", ["-1", "8,555", "tám", "", "1e3", "8,"])
def test_anything_but_plain_points_is_not_read(typed: str) -> None:
    assert parse_points(typed) is None


@given(st.decimals(min_value=0, max_value=9999, places=2))
def test_points_written_are_read_back(points: Decimal) -> None:
    assert parse_points(format_points(points, "vi")) == points
    assert parse_points(format_points(points, "en")) == points


def test_a_penalty_needs_a_reason_only_when_points_are_taken() -> None:
    line = TABLE.find("tr1")
    assert line is not None
    assert not line.needs_justification(Decimal(0)) and line.needs_justification(Decimal(1))
    below = TABLE.find("1.1")
    assert below is not None and below.needs_justification(Decimal(9))
    assert not below.needs_justification(Decimal(10))


def test_totals_add_criteria_and_bonus_and_take_away_penalties() -> None:
    sheet = totals(TABLE, {"1.1": Score("1.1", Decimal(9)), "2.1": Score("2.1", Decimal(20)),
                           "T1": Score("T1", Decimal(2)), "Tr1": Score("Tr1", Decimal(1)),
                           "gone": Score("gone", Decimal(50))})
    assert (sheet.criteria, sheet.bonus, sheet.penalty, sheet.total) == (29, 2, 1, 30)
    assert sheet.groups == {"1": 9, "2": 20} and (sheet.scored, sheet.required) == (2, 3)
    assert [(gap.kind, gap.params["code"]) for gap in submission_gaps(
        TABLE, {"1.1": Score("1.1", Decimal(9)), "2.1": Score("2.1", Decimal(20))})] == [
        ("no_evidence", "1.1"), ("not_scored", "1.2")]


def _sheet(total: int, group_2: int = 0, penalty: int = 0, bonus: int = 0) -> Totals:
    return Totals(Decimal(total + penalty - bonus), Decimal(bonus), Decimal(penalty),
                  {"1": Decimal(0), "2": Decimal(group_2)}, 3, 3)


def test_ties_are_broken_by_the_bloc_rules_in_turn_and_equal_units_share_a_place() -> None:
    sheets = [(1, _sheet(90, group_2=10)), (2, _sheet(90, group_2=12)),
              (3, _sheet(95)), (4, _sheet(90, group_2=10, penalty=2)),
              (5, _sheet(90, group_2=10)), (6, _sheet(80))]

    standings = rank(sheets, ["group:2", "fewer_penalty"])

    assert [(s.unit_id, s.place, s.shared) for s in standings] == [
        (3, 1, False), (2, 2, False), (1, 3, True), (5, 3, True), (4, 5, False), (6, 6, False)]
    without_rules = rank(sheets, [])
    assert [s.place for s in without_rules] == [1, 2, 2, 2, 2, 6]
