"""When to remind people of a deadline or a conference: *occasions*, worked out from the
rows alone (no I/O).

A report deadline is reminded 7, 3 and 1 days before and on its morning, then once on the
first working morning after it (an escalation); a task's own deadline the same way (3 and 1
days before by default); a conference 7 days and 1 day before, and 2 hours before when its
time is known. Each moment is moved into working hours (``bot/domain/workcalendar.py``);
one that lands on or after what it announces is dropped, and of two landing on the same slot
the later one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.workcalendar import WorkCalendar
from storage.records import Conference, Deadline, Period

DEADLINE_DAYS = (7, 3, 1)
TASK_DEADLINE_DAYS = (3, 1)
CONFERENCE_DAYS = (7, 1)
CONFERENCE_HOURS = 2
ESCALATION_USEFUL_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Occasion:
    """One moment to remind people of one thing."""

    key: str  # unique per subject and offset, e.g. "deadline:3:7d"
    kind: str  # "deadline", "escalation" or "conference"
    label: str  # "7d", "3d", "1d", "day", "after", "2h"
    fire_at: datetime
    expires_at: datetime
    subject_id: int  # the period, the conference, or the emulation year (scoring)
    deadline: Deadline | None = None  # the report deadline it is about
    origin: tuple[str, int] = ("period", 0)  # the row it comes from: a period, a conference,
    # a task, or the year's scoring ("scoring", year id)
    task_id: int | None = None  # a task's own deadline (not the period's report)

    @property
    def subject(self) -> str:
        return self.key.rsplit(":", 1)[0]


def deadline_occasions(period: Period, deadline: Deadline, calendar: WorkCalendar, *,
                       days_before: tuple[int, ...] = DEADLINE_DAYS, morning: bool = True,
                       subject: str | None = None,
                       origin: tuple[str, int] | None = None,
                       task_id: int | None = None) -> list[Occasion]:
    """A report deadline's reminders (7, 3, 1 days before and its morning by default),
    in working hours, only before it; then one escalation after it."""
    return _ladder(period.id, deadline, calendar, days_before=days_before, morning=morning,
                   subject=subject, origin=origin or ("period", period.id), task_id=task_id)


def year_occasions(kind: str, year_id: int, deadline: Deadline, calendar: WorkCalendar, *,
                   days_before: tuple[int, ...] = DEADLINE_DAYS, morning: bool = True,
                   opens: datetime | None = None) -> list[Occasion]:
    """A deadline of the emulation year (``kind``: ``scoring``, the self-scoring sheets;
    ``covenant``, its signing), reminded like a report's; none before it opens (there is
    nothing to do yet)."""
    return [occasion for occasion in _ladder(
        year_id, deadline, calendar, days_before=days_before, morning=morning,
        subject=f"{kind}{year_id}", origin=(kind, year_id), task_id=None)
        if opens is None or occasion.fire_at >= opens]


def _ladder(subject_id: int, deadline: Deadline, calendar: WorkCalendar, *,
            days_before: tuple[int, ...], morning: bool, subject: str | None,
            origin: tuple[str, int], task_id: int | None) -> list[Occasion]:
    day = deadline.last_day(calendar.zone)  # "5/12 0h00" is due on 4/12
    candidates = [(f"{days}d", calendar.morning_of(day - timedelta(days=days)))
                  for days in days_before if days > 0]
    if morning or 0 in days_before:
        candidates.append(("day", calendar.morning_of(day)))
    # the key carries the deadline: an extended deadline is reminded afresh
    subject = f"{subject or subject_id}@{int(deadline.at.timestamp())}"
    occasions: dict[datetime, Occasion] = {}
    for label, moment in candidates:
        fire = calendar.next_slot(moment)
        if fire < deadline.at:  # a later (more urgent) one landing on the same slot wins
            occasions[fire] = Occasion(f"deadline:{subject}:{label}", "deadline", label, fire,
                                       deadline.at, subject_id, deadline, origin, task_id)
    # after it: the first working morning once it has passed, as every reminder of the ladder
    # goes out in the morning (a person is told at most once a day; see reminders.py)
    after = calendar.morning_of(deadline.at.astimezone(calendar.zone).date())
    if after <= deadline.at:
        after = calendar.morning_of(after.date() + timedelta(days=1))
    after = calendar.next_slot(after)
    # useful for a week after the deadline, and for a day at least once it goes out (after
    # Tết the first working morning may be more than a week later)
    useful_until = max(deadline.at + ESCALATION_USEFUL_FOR, after + timedelta(days=1))
    occasions[after] = Occasion(f"escalation:{subject}:after", "escalation", "after", after,
                                useful_until, subject_id, deadline, origin, task_id)
    return sorted(occasions.values(), key=lambda o: o.fire_at)


def still_useful(occasions: list[Occasion], now: datetime) -> list[Occasion]:
    """A deadline's occasions while any of them is still worth sending (its escalation's
    time has not run out), else none: an old deadline is no longer planned at all."""
    return occasions if any(o.expires_at > now for o in occasions) else []


def conference_occasions(conference: Conference, calendar: WorkCalendar, *,
                         days_before: tuple[int, ...] = CONFERENCE_DAYS,
                         hours_before: int | None = CONFERENCE_HOURS) -> list[Occasion]:
    """7 days and 1 day before a conference, and 2 hours before when its time is known."""
    starts = conference.starts.at
    day = starts.astimezone(calendar.zone).date()
    candidates = [(f"{days}d", calendar.morning_of(day - timedelta(days=days)))
                  for days in days_before if days > 0]
    if hours_before and not conference.starts.all_day:
        candidates.append((f"{hours_before}h", starts - timedelta(hours=hours_before)))
    occasions: dict[datetime, Occasion] = {}
    for label, moment in candidates:
        fire = calendar.next_slot(moment)
        if label.endswith("h") and fire != moment:
            # "2 hours before" an 08:30 conference, moved into working hours: it goes out on
            # the morning of the conference, and says so
            label = "day"
        if fire < starts:
            # the key carries the start time: a moved conference is reminded afresh
            key = f"conference:{conference.id}@{int(starts.timestamp())}:{label}"
            occasions[fire] = Occasion(key, "conference", label, fire, starts, conference.id,
                                       origin=("conference", conference.id))
    return sorted(occasions.values(), key=lambda o: o.fire_at)
