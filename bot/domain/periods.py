"""The bloc's calendar as people read it: the current period, dates in Vietnamese style."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.records import Deadline, Period

Translate = Callable[..., str]


def current_period(periods: list[Period], today: date) -> Period | None:
    """The period containing ``today``; else the latest one already begun; else the next one."""
    if not periods:
        return None
    for period in periods:
        if period.start <= today <= period.end:
            return period
    begun = [period for period in periods if period.start <= today]
    if begun:
        return max(begun, key=lambda period: period.start)
    return min(periods, key=lambda period: period.start)


def written_date(day: date) -> str:
    """A date as a Vietnamese official document writes it (Decree 30/2020/NĐ-CP, Appendix I):
    a leading zero on days below 10 and on months 1 and 2 only, ``01/7/2023``, ``05/02/2024``,
    ``13/12/2023``."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def format_day(day: date, t: Translate) -> str:
    """``Thứ Năm, 13/7/2023`` / ``Thursday, 13/7/2023``."""
    return t("calendar.day", weekday=t(f"calendar.weekday_{day.weekday()}"),
             date=written_date(day))


def format_moment(moment: datetime, zone: ZoneInfo) -> str:
    """An instant as people write it in the bloc: ``14:30 05/12/2026``, in its time zone."""
    local = moment.astimezone(zone)
    return f"{local:%H:%M} {written_date(local.date())}"


def format_deadline(deadline: Deadline, zone: ZoneInfo, t: Translate) -> str:
    """A deadline in the bloc's time zone, with its time unless it is a whole day."""
    local = deadline.at.astimezone(zone)
    day = format_day(local.date(), t)
    if deadline.all_day:
        return day
    return t("calendar.moment", time=local.strftime("%H:%M"), day=day)


def format_opening(moment: datetime, zone: ZoneInfo, t: Translate) -> str:
    """When a window opens (scoring, the vote, the covenant's signing): its day alone when
    the bloc file gave a date (it opens at the day's first moment), else its time and day."""
    local = moment.astimezone(zone)
    whole_day = (local.hour, local.minute, local.second) == (0, 0, 0)
    return format_deadline(Deadline(moment, all_day=whole_day), zone, t)


def date_examples(today: date) -> dict[str, str]:
    """Dates for a question's examples, near ``today`` (the demo plays 2023, so a fixed
    "15/12/2026" would read oddly): ``{soon}`` (in ten days) and ``{next_year}``."""
    soon = today + timedelta(days=10)
    return {"soon": f"{soon.day}/{soon.month}/{soon.year}", "next_year": str(today.year + 1)}
