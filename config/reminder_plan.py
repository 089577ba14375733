"""The reminder plan of a bloc file: offsets, working hours, the weekly digest's moment."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from config.dates import DateParseError, parse_date, parse_time

DaysBefore = Annotated[int, Field(ge=0, le=60)]


def _to_day(value: Any) -> Any:
    """``2/9/2027`` (day first, as written in Vietnam) or an ISO date → a date."""
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value))
    except (DateParseError, ValueError):
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise PydanticCustomError("not_a_date", "not a date", {"value": str(value)}) from None


PlanDay = Annotated[date, BeforeValidator(_to_day)]
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
             "t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5, "cn": 6}


def parse_weekly(text: str) -> tuple[int, time]:
    """``"mon 08:00"`` or ``"t2 8h"`` → (weekday 0–6, time)."""
    day, _, clock = text.strip().lower().partition(" ")
    if day not in _WEEKDAYS:
        raise ValueError(text)
    try:
        return _WEEKDAYS[day], parse_time(clock)
    except DateParseError as exc:
        raise ValueError(text) from exc


class ReminderPlanConfig(BaseModel):
    """When reminders go out; the bloc's defaults, overridable per deadline and conference."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    deadline_days: tuple[DaysBefore, ...] = (7, 3, 1)
    deadline_morning: bool = True
    conference_days: tuple[DaysBefore, ...] = (7, 1)
    conference_hours: int | None = Field(default=2, ge=1, le=72)
    task_deadline_days: tuple[DaysBefore, ...] = (3, 1)  # before a task's own deadline
    # the ladder: from this many days before a deadline (0: its day) the unit's head, where
    # one is registered, is reminded too, and after it; none: never
    head_days: DaysBefore | None = 1
    working_hours: str = "08:00-17:30"
    digest: str = "mon 08:00"  # the chair's weekly digest: weekday (mon…sun or t2…cn) and time
    # the bloc's own calendar, on top of the national public holidays: days off (e.g. a day
    # given in exchange) and make-up working Saturdays (ngày làm bù)
    days_off: tuple[PlanDay, ...] = ()
    working_saturdays: tuple[PlanDay, ...] = ()

    @field_validator("digest")
    @classmethod
    def _digest(cls, value: str) -> str:
        try:
            parse_weekly(value)
        except ValueError:
            raise PydanticCustomError("bad_weekly", "bad", {"value": value}) from None
        return value

    @field_validator("working_saturdays")
    @classmethod
    def _saturdays(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        for day in value:  # a make-up working day (ngày làm bù) is a Saturday
            if day.weekday() != 5:
                raise PydanticCustomError("not_a_saturday", "not a Saturday",
                                          {"value": f"{day.day}/{day.month}/{day.year}"})
        return value

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        start, _, end = value.partition("-")
        try:
            if parse_time(start) >= parse_time(end):
                raise DateParseError(value)
        except DateParseError:
            raise PydanticCustomError("bad_hours", "bad hours", {"value": value}) from None
        return value
