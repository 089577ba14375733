"""The field types every part of the bloc file shares: codes, texts, dates, strict models.

Each refuses a wrong value with a :class:`~pydantic_core.PydanticCustomError` whose kind
(``bad_code``, ``not_a_date``…) the bot renders in the reader's language.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from config.dates import DateParseError, parse_date, parse_date_or_datetime

__all__ = [
    "Code", "Day", "DayOrMoment", "Strict", "Text", "in_order", "no_duplicates", "sortable_moment",
]

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")


def _to_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date) or value is None:
        return value
    if isinstance(value, str | int):
        try:
            return parse_date(str(value))
        except DateParseError:
            raise PydanticCustomError("not_a_date", "not a date", {"value": str(value)}) from None
    raise PydanticCustomError("not_a_date", "not a date", {"value": str(value)})


def _to_date_or_datetime(value: Any) -> Any:
    if isinstance(value, date) or value is None:
        return value
    if isinstance(value, str | int):
        try:
            return parse_date_or_datetime(str(value))
        except DateParseError:
            raise PydanticCustomError("not_a_date", "not a date", {"value": str(value)}) from None
    raise PydanticCustomError("not_a_date", "not a date", {"value": str(value)})


def _to_code(value: Any) -> Any:
    if isinstance(value, float):
        # YAML reads ``code: 1.10`` as the number 1.1: the code the secretary wrote is lost,
        # so it is refused with the way to keep it (quotes), not silently changed
        raise PydanticCustomError("code_needs_quotes", "quote it", {"value": str(value)})
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _CODE.match(value.strip()):
        return value.strip()
    raise PydanticCustomError("bad_code", "bad code", {"value": str(value)})


Day = Annotated[date, BeforeValidator(_to_date)]
DayOrMoment = Annotated[date | datetime, BeforeValidator(_to_date_or_datetime)]
Code = Annotated[str, BeforeValidator(_to_code)]
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """A part of the bloc file: unknown fields refused, text trimmed, values frozen."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def no_duplicates(field_name: str, codes: list[str]) -> None:
    """Refuse a list whose codes repeat, naming the list and the repeated codes."""
    repeated = sorted(code for code, count in Counter(codes).items() if count > 1)
    if repeated:
        raise PydanticCustomError(
            "duplicate_code", "duplicate", {"field": field_name, "value": ", ".join(repeated)}
        )


def sortable_moment(value: date | datetime, *, end_of_day: bool) -> datetime:
    """A bare date opens at the start of its day and is due at its end (as a report
    deadline), so a window's two ends compare."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(23, 59) if end_of_day else time(0, 0))


def in_order(opens: date | datetime | None, closes: date | datetime) -> None:
    """Refuse a window that closes before it opens (``end_before_start``); a bare date opens
    at its day's start and closes at its end."""
    if opens is not None and sortable_moment(closes, end_of_day=True) \
            < sortable_moment(opens, end_of_day=False):
        raise PydanticCustomError("end_before_start", "end before start", {
            "start": str(opens), "end": str(closes)})
