"""When the reminders of a bloc go out: its occasions, worked out from the database rows
(the periods' report deadlines, the tasks' own deadlines, the year's deadlines, the
conferences) and the bloc's plan, in its working hours. No sending here: the planner
(:mod:`bot.services.reminders`) schedules and sends them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.occasions import (
    CONFERENCE_DAYS,
    CONFERENCE_HOURS,
    DEADLINE_DAYS,
    TASK_DEADLINE_DAYS,
    Occasion,
    conference_occasions,
    deadline_occasions,
    still_useful,
)
from bot.domain.periods import current_period
from bot.domain.workcalendar import WorkCalendar
from bot.services.year_notices import year_occasions_of
from config.dates import parse_time
from storage.records import Bloc, Period
from storage.repository import BlocStore, ConferenceStore, CovenantStore, ScoreStore, TaskStore


class OccasionReads(BlocStore, TaskStore, ConferenceStore, ScoreStore, CovenantStore, Protocol):
    """What working out the occasions reads."""


def work_calendar(bloc: Bloc) -> WorkCalendar:
    """Working hours of the bloc's plan, in its time zone."""
    plan = bloc.reminder_plan
    hours = str(plan.get("working_hours", "08:00-17:30"))
    start, _, end = hours.partition("-")
    return WorkCalendar(ZoneInfo(bloc.timezone), start=parse_time(start), end=parse_time(end),
                        days_off=frozenset(map(date.fromisoformat, plan.get("days_off", ()))),
                        extra_days=frozenset(map(date.fromisoformat,
                                                 plan.get("working_saturdays", ()))))


async def occasions_of(repo: OccasionReads, bloc: Bloc, now: datetime,
                       origin: tuple[str, int] | None = None) -> list[Occasion]:
    """Every occasion of the bloc's report deadlines, its tasks' deadlines, its year's
    deadlines and its upcoming conferences (of one subject, with ``origin``), soonest
    first."""
    calendar = work_calendar(bloc)
    found: list[Occasion] = []
    plan = bloc.reminder_plan
    periods = await repo.list_periods(bloc.id)
    # every period whose report is still worth chasing: a first-half report is often due
    # in July, after the second half has begun
    for period in periods if origin is None or origin[0] == "period" else []:
        if origin is not None and period.id != origin[1]:
            continue
        deadline = period.report_deadline
        if deadline is None:
            continue
        own = period.reminder_plan or {}
        found += still_useful(deadline_occasions(
            period, deadline, calendar,
            days_before=tuple(own.get("days") or plan.get("deadline_days", DEADLINE_DAYS)),
            morning=bool(plan.get("deadline_morning", True)) and "days" not in own), now)
    for period in periods if origin is None or origin[0] == "task" else []:
        found += await _task_occasions(repo, bloc, calendar, now, period, origin)
    if origin is None or origin[0] in {"scoring", "covenant"}:
        found += await year_occasions_of(repo, bloc, calendar, now,
                                         origin[0] if origin else None)
    conferences = (await repo.list_conferences(bloc.id)
                   if origin is None or origin[0] == "conference" else [])
    for conference in conferences:
        if origin is not None and conference.id != origin[1]:
            continue
        due = conference.report_deadline
        reviewed = current_period(periods, conference.starts.at.astimezone(
            calendar.zone).date() - timedelta(days=1))
        if due is not None and reviewed is not None:
            # units report before the conference: the same plan as a period's deadline
            found += still_useful(deadline_occasions(
                reviewed, due, calendar, subject=f"conf{conference.id}-p{reviewed.id}",
                origin=("conference", conference.id),
                days_before=tuple(plan.get("deadline_days", DEADLINE_DAYS)),
                morning=bool(plan.get("deadline_morning", True))), now)
        if conference.starts.at > now:
            own = conference.reminder_plan or {}
            days = own.get("days")
            found += conference_occasions(
                conference, calendar,
                days_before=tuple(days if days is not None
                                  else plan.get("conference_days", CONFERENCE_DAYS)),
                hours_before=own.get("hours") or plan.get("conference_hours",
                                                          CONFERENCE_HOURS))
    return sorted(found, key=lambda o: o.fire_at)


async def _task_occasions(repo: OccasionReads, bloc: Bloc, calendar: WorkCalendar,
                          now: datetime, period: Period,
                          origin: tuple[str, int] | None) -> list[Occasion]:
    """The occasions of the period's tasks' own deadlines (of one task, with ``origin``)."""
    plan = bloc.reminder_plan
    found: list[Occasion] = []
    for task in await repo.list_tasks(period.id):
        if origin is not None and task.id != origin[1]:
            continue
        if task.deadline is None:
            continue
        found += still_useful(deadline_occasions(
            period, task.deadline, calendar, subject=f"task{task.id}",
            origin=("task", task.id), task_id=task.id,
            days_before=tuple(plan.get("task_deadline_days", TASK_DEADLINE_DAYS)),
            morning=bool(plan.get("deadline_morning", True))), now)
    return found
