"""Time as a dependency, so tests can run months of calendar in milliseconds.

This is the one module that reads the wall clock: everything else asks a
:class:`Clock`, and the scheduler (``bot.services.scheduler``) converts the clock's
moments to the wall time APScheduler waits on with :func:`wall_now`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """The current instant, in UTC."""


def wall_now() -> datetime:
    """The machine's time (UTC): only for timers that wait on it, never as "now"."""
    return datetime.now(UTC)


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return wall_now()


class ShiftedClock:
    r"""The real clock moved to another day: it starts on ``day`` at the current time of day
    (in ``zone``) and runs on in real time. The demo plays a past half-year with it
    (``thidua demo --today 20/11/2023``), and moves it on through a year (:meth:`move_to`),
    telling whoever :meth:`subscribe`\ d (the scheduler), as :class:`FixedClock` does."""

    def __init__(self, day: date | None, zone: ZoneInfo) -> None:
        real = wall_now().astimezone(zone)
        shifted = datetime.combine(day or real.date(), real.timetz().replace(tzinfo=None), zone)
        self._offset = shifted - real
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return (wall_now() + self._offset).astimezone(UTC)

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every move of the clock."""
        self._listeners.append(listener)

    def move_to(self, moment: datetime) -> None:
        """From now on the clock reads ``moment`` and runs on from there."""
        if moment.tzinfo is None:
            raise ValueError("ShiftedClock moves to an aware datetime")
        self._offset = moment.astimezone(UTC) - wall_now()
        for listener in list(self._listeners):
            listener()


class FixedClock:
    """A clock that moves only when told to; for tests and demos.

    Whoever plans work on it (the scheduler) can :meth:`subscribe` to be told when
    it moves, so work that fell due runs.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return self._now

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every move of the clock."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        """Stop telling ``listener``; nothing if it was not subscribed."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self._now += delta
        self._moved()

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``."""
        self._now = moment.astimezone(UTC)
        self._moved()

    def _moved(self) -> None:
        for listener in list(self._listeners):
            listener()
