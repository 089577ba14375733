"""How instants and dates are written to SQLite: UTC ISO-8601 text, sortable."""

from __future__ import annotations

from datetime import UTC, date, datetime


def to_db(moment: datetime) -> str:
    """An aware datetime as ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` in UTC."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime cannot be stored: give it a time zone")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """The aware UTC datetime written by :func:`to_db`."""
    moment = datetime.fromisoformat(text)
    # what to_db wrote is already UTC ("+00:00"); converting it again made a new object
    # for each of a status view's hundreds of timestamps
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def day_to_db(day: date) -> str:
    return day.isoformat()


def day_from_db(text: str) -> date:
    return date.fromisoformat(text)
