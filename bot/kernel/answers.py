"""A form's answers, typed: each form declares its own model, one field per question.

The dialog state keeps answers as JSON (``storage.records.DialogState.answers``), so a
conversation survives a restart; the dialog engine turns that JSON into the form's model
when it gives the answers to a step, and back when it stores them. A handler reads
``answers.unit`` (an ``int``), never ``int(answers["unit"])``: a picker's option value
(always text on the wire) becomes the field's type as it is answered, a date stays a
date, and a field that is not there is ``None``.

Here too are the answer types several forms share: a moment (a day, or a day and a time)
and a list of unit codes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from storage.records import Deadline

Nav = Literal["back", "close"]
"""The values of a view's "Back" and "Close" options (``bot/kernel/steps.py``)."""


class Answers(BaseModel):
    """The answers given so far. A step's answer is the field named like the step; a field
    is ``None`` until its question is answered (or after it is asked again).

    Assigning converts and checks (``"12"`` given to an ``int`` field becomes ``12``);
    answers stored by an earlier version of the bot that a field no longer has are ignored.
    """

    model_config = ConfigDict(validate_assignment=True, extra="ignore")

    def answered(self, name: str) -> bool:
        """Whether the question ``name`` has its answer."""
        return getattr(self, name, None) is not None

    def forget(self, *names: str) -> None:
        """Clear these answers: their questions will be asked again."""
        for name in names:
            setattr(self, name, None)

    def stored(self) -> dict[str, Any]:
        """The answers as the dialog state keeps them (JSON, unanswered fields left out;
        a ``None`` inside an answer, a photo's missing file name, is kept)."""
        return {name: value for name, value in self.model_dump(mode="json").items()
                if value is not None}


class Moment(BaseModel):
    """A day, or a day and a time, as a person typed it (``15/12``, ``15/12 14h30``), in the
    bloc's time zone."""

    model_config = ConfigDict(frozen=True)

    day: date
    at: time | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_iso(cls, value: Any) -> Any:
        """Also read the ISO text earlier versions stored (``2026-12-15T14:30:00``)."""
        if isinstance(value, str):
            moment = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
            if isinstance(moment, datetime):
                return {"day": moment.date(), "at": moment.time()}
            return {"day": moment}
        return value

    @classmethod
    def of(cls, value: date | datetime) -> Moment:
        """A parsed day (or day and time)."""
        if isinstance(value, datetime):
            return cls(day=value.date(), at=value.time())
        return cls(day=value)

    def deadline(self, zone: ZoneInfo) -> Deadline:
        """As a deadline: a day alone is due at its very end."""
        if self.at is None:
            return Deadline(datetime.combine(self.day, time(23, 59, 59), tzinfo=zone),
                            all_day=True)
        return Deadline(datetime.combine(self.day, self.at, tzinfo=zone), all_day=False)

    def start(self, zone: ZoneInfo) -> Deadline:
        """As the start of something (a conference): a day alone begins at its start."""
        if self.at is None:
            return Deadline(datetime.combine(self.day, time(0, 0), tzinfo=zone), all_day=True)
        return Deadline(datetime.combine(self.day, self.at, tzinfo=zone), all_day=False)

    def before(self, now: datetime, zone: ZoneInfo) -> bool:
        """Whether the moment is already past at ``now`` (a day alone: before today)."""
        if self.at is None:
            return self.day < now.astimezone(zone).date()
        return datetime.combine(self.day, self.at, tzinfo=zone) < now

    def text(self) -> str:
        """``15/12/2026`` or ``15/12/2026 14:30``, as people write it back."""
        day = f"{self.day.day}/{self.day.month}/{self.day.year}"
        return day if self.at is None else f"{day} {self.at.hour}:{self.at.minute:02d}"


def unit_codes(value: Any) -> Any:
    """``"HVCT,VKH"`` (a typed list, or one picked unit's code) → ``("HVCT", "VKH")``."""
    if isinstance(value, str):
        return tuple(code for code in value.split(",") if code)
    return value


UnitCodes = Annotated[tuple[str, ...], BeforeValidator(unit_codes)]
"""Units named by their codes, in the order given (a picker gives one, typing gives many)."""
