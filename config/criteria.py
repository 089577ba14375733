"""The year's criteria table (bảng tiêu chí chấm điểm) and its scoring window, as the bloc
file writes them.

Every number a score is checked against (a criterion's maximum, the caps on bonus and
penalty points, the declared total) and every rule of the scoring (when justification and
evidence are required, how ties are broken, whether units see each other's scores) is
read from here: the bot holds no rule of its own. A mistake is refused with a kind the bot
renders in the secretary's words (``group_sum_differs``, ``item_over_cap``…).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from config.fields import (
    Code,
    DayOrMoment,
    Strict,
    Text,
    in_order,
    no_duplicates,
)
from config.reminder_plan import DaysBefore

__all__ = [
    "TIE_BREAKS",
    "AdjustmentsConfig",
    "CriteriaConfig",
    "CriteriaGroupConfig",
    "CriterionConfig",
    "Evidence",
    "Justification",
    "ScoringConfig",
    "points_text",
]

Points = Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)]
PositivePoints = Annotated[Decimal, Field(gt=0, le=1000, decimal_places=2)]


def points_text(points: Decimal) -> str:
    """``Decimal("8.50")`` → ``"8.5"``, ``Decimal("10")`` → ``"10"``: as a secretary writes
    points, with no trailing zeros (the decimal comma is the caller's, per language)."""
    return format(points.normalize(), "f")


class Justification(StrEnum):
    """When a unit must explain the score it gives itself (giải trình)."""

    REQUIRED = "required"  # always
    BELOW_MAX = "below_max"  # when it gives itself less than the maximum
    OPTIONAL = "optional"


class Evidence(StrEnum):
    """Whether a criterion's score must come with a file (minh chứng) before submission."""

    REQUIRED = "required"
    OPTIONAL = "optional"


class CriterionConfig(Strict):
    """One line of the table: a criterion, or a bonus or penalty item."""

    code: Code
    title: Text
    max: PositivePoints
    justification: Justification | None = None  # None: the table's rule
    evidence: Evidence | None = None  # None: the table's rule
    guidance: str | None = None  # how it is scored (cách chấm), shown with the question


class CriteriaGroupConfig(Strict):
    """A group of criteria (nhóm tiêu chí), e.g. "1. Thực hiện nhiệm vụ chuyên môn"."""

    code: Code
    title: Text
    max: PositivePoints | None = None  # when given, the sum of its criteria must equal it
    items: tuple[CriterionConfig, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> CriteriaGroupConfig:
        total = sum((item.max for item in self.items), Decimal(0))
        if self.max is not None and total != self.max:
            raise PydanticCustomError("group_sum_differs", "sum differs", {
                "group": self.code, "max": points_text(self.max), "sum": points_text(total)})
        return self

    @property
    def ceiling(self) -> Decimal:
        """The most a unit can score in the group."""
        return sum((item.max for item in self.items), Decimal(0))


class AdjustmentsConfig(Strict):
    """Bonus points (điểm thưởng) or penalty points (điểm trừ): items, and a cap on their sum."""

    cap: PositivePoints
    items: tuple[CriterionConfig, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> AdjustmentsConfig:
        for item in self.items:
            if item.max > self.cap:
                raise PydanticCustomError("item_over_cap", "over the cap", {
                    "code": item.code, "max": points_text(item.max),
                    "cap": points_text(self.cap)})
        return self


class CriteriaConfig(Strict):
    """The whole table: groups of criteria, and bonus and penalty items with their caps."""

    illustrative: bool = False
    """An example table, not a bloc's real one: the bot says so wherever it shows it."""
    source: str | None = None
    """Where the table comes from (the bloc's rules and the decision that issued them)."""
    total: PositivePoints | None = None
    """The table's maximum without bonus points; when given, the groups must add up to it."""
    justification: Justification = Justification.OPTIONAL
    evidence: Evidence = Evidence.OPTIONAL
    groups: tuple[CriteriaGroupConfig, ...] = Field(min_length=1)
    bonus: AdjustmentsConfig | None = None
    penalty: AdjustmentsConfig | None = None

    @model_validator(mode="after")
    def _check(self) -> CriteriaConfig:
        no_duplicates("groups", [group.code for group in self.groups])
        # "T1" and "t1" are one code to a person typing it (the bot finds lines by either)
        no_duplicates("items", [item.code.casefold() for _, item in self.lines()])
        if self.total is not None and self.maximum != self.total:
            raise PydanticCustomError("criteria_total_differs", "total differs", {
                "total": points_text(self.total), "sum": points_text(self.maximum)})
        return self

    @property
    def maximum(self) -> Decimal:
        """The most a unit can score without bonus points."""
        return sum((group.ceiling for group in self.groups), Decimal(0))

    def lines(self) -> Iterator[tuple[str, CriterionConfig]]:
        """Every line a unit scores, with its kind (``criterion``, ``bonus``, ``penalty``)."""
        for group in self.groups:
            for item in group.items:
                yield "criterion", item
        for kind, part in (("bonus", self.bonus), ("penalty", self.penalty)):
            if part is not None:
                for item in part.items:
                    yield kind, item


TIE_BREAKS = ("fewer_penalty", "more_bonus", "group:<code>")


def _to_tie_break(value: Any) -> Any:
    text = str(value).strip()
    if text in {"fewer_penalty", "more_bonus"} or (
            text.startswith("group:") and len(text) > len("group:")):
        return text
    raise PydanticCustomError("not_one_of", "not one of",
                              {"value": text, "allowed": ", ".join(TIE_BREAKS)})


TieBreak = Annotated[str, BeforeValidator(_to_tie_break)]


class ScoringConfig(Strict):
    """The year's self-scoring: its window, its reminders, and how the ranking is read."""

    opens: DayOrMoment
    deadline: DayOrMoment
    reminder_days: tuple[DaysBefore, ...] | None = None  # None: the bloc's deadline plan
    units_see_others: bool = False
    """Whether a unit may see other units' scores and places (else only its own)."""
    tie_break: tuple[TieBreak, ...] = ()
    """Equal totals are ordered by these, in turn; units still equal share a place."""

    @model_validator(mode="after")
    def _check(self) -> ScoringConfig:
        in_order(self.opens, self.deadline)
        return self

