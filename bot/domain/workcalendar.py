"""Working days and hours in the bloc's time zone, Vietnamese public holidays included.

Reminders go out only within working hours (08:00–17:30, Monday–Friday by
default); the public holidays, lunar ones included (Tết, Giỗ Tổ Hùng Vương),
come from the maintained ``holidays`` package, not from a hand-written table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays


@cache
def _vietnam_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=[year]))


@dataclass(frozen=True)
class WorkCalendar:
    """When messages may be sent: working hours on working days, in one time zone."""

    zone: ZoneInfo
    start: time = time(8, 0)
    end: time = time(17, 30)
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    days_off: frozenset[date] = frozenset()  # the bloc's own days off
    extra_days: frozenset[date] = frozenset()  # make-up working days (ngày làm bù)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, not a Vietnamese public holiday nor one of the bloc's days off;
        or one of its make-up working days."""
        if day in self.extra_days:
            return True
        return (day.weekday() in self.weekdays and day not in _vietnam_holidays(day.year)
                and day not in self.days_off)

    def next_slot(self, moment: datetime) -> datetime:
        """``moment`` if it is within working hours, else the start of the next working period."""
        local = moment.astimezone(self.zone)
        day = local.date()
        if self.is_working_day(day) and self.start <= local.time() <= self.end:
            return local
        if not (self.is_working_day(day) and local.time() < self.start):
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return datetime.combine(day, self.start, tzinfo=self.zone)

    def morning_of(self, day: date) -> datetime:
        """The start of working hours on ``day`` (whether or not it is a working day)."""
        return datetime.combine(day, self.start, tzinfo=self.zone)
