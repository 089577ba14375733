"""Parsing of the dates and times Vietnamese officials write.

Accepted: ``13/7/2023``, ``13-07-2023``, ``13.7.2023``, ``2023-07-13`` and the same
followed or preceded by a time written ``14:30``, ``14h30``, ``14h`` or ``14g30``.
Day comes before month, as in every Vietnamese document.

``dateutil`` was considered and rejected: its fuzzy parser silently completes
``"7"`` into a date in the current month and does not read ``14h30``; a deadline
typed wrong must be refused, not guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

__all__ = ["DateParseError", "parse_date", "parse_date_or_datetime", "parse_time"]

_DMY = re.compile(r"^(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{2}|\d{4}))?$")
_YMD = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_TIME = re.compile(r"^(?P<h>\d{1,2})\s*(?:[:hHgG]\s*(?P<mi>\d{2})?)(?:\s*(?:p|phút))?$")
_AROUND_SEPARATOR = re.compile(r"\s*([/.\-:])\s*")
_SPLIT = re.compile(r"\s+|,\s*|\s*(?:lúc|luc|ngày|ngay|at)\s+", re.IGNORECASE)


class DateParseError(ValueError):
    """The text is not a date (or time) in any accepted form."""


def parse_date(text: str, *, default_year: int | None = None) -> date:
    """Parse a day-first date; a missing year takes ``default_year`` when given."""
    raw = text.strip()
    match = _YMD.match(raw) or _DMY.match(raw)
    if not match:
        raise DateParseError(text)
    year_text = match.group("y")
    if year_text is None:
        if default_year is None:
            raise DateParseError(text)
        year = default_year
    else:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        return date(year, int(match.group("m")), int(match.group("d")))
    except ValueError as exc:
        raise DateParseError(text) from exc


def parse_time(text: str) -> time:
    """Parse ``14:30``, ``14h30``, ``14h`` or ``8g``."""
    match = _TIME.match(text.strip())
    if not match:
        raise DateParseError(text)
    try:
        return time(int(match.group("h")), int(match.group("mi") or 0))
    except ValueError as exc:
        raise DateParseError(text) from exc


def parse_date_or_datetime(text: str, *, default_year: int | None = None) -> date | datetime:
    """Parse a date with an optional time before or after it.

    Returns a naive :class:`datetime` (wall-clock time of the bloc's zone) when a
    time was written, else a :class:`date`.
    """
    squeezed = _AROUND_SEPARATOR.sub(r"\1", text.strip())
    parts = [part for part in _SPLIT.split(squeezed) if part]
    if len(parts) == 1:
        return parse_date(parts[0], default_year=default_year)
    if len(parts) != 2:
        raise DateParseError(text)
    first, second = parts
    try:
        day, clock = parse_date(first, default_year=default_year), parse_time(second)
    except DateParseError:
        day, clock = parse_date(second, default_year=default_year), parse_time(first)
    return datetime.combine(day, clock)
