"""When and to whom the emulation year's deadlines are reminded: the covenant's signing and
the self-scoring sheets (the report deadlines' are :mod:`bot.services.reminder_notices`).

Each goes to the units that have not done it yet (their contacts, their head near the
deadline, as for a report; the chair's and deputy's own officers for their units), in the
same letters. After the covenant's deadline the units yet to sign are told firmly (they may
still sign) and the chair and deputy get the list; after the scoring deadline nothing can
be scored any more, so only the chair and deputy get the list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.occasions import DEADLINE_DAYS, Occasion, still_useful, year_occasions
from bot.domain.periods import format_deadline
from bot.domain.scoring import Table
from bot.domain.text import escape
from bot.domain.workcalendar import WorkCalendar
from bot.services.outbox import Outgoing
from bot.services.reminder_notices import Notice, NoticeReads, Notices
from bot.services.status import BlocStatus, bloc_status
from config.criteria import CriteriaConfig
from storage.records import Bloc, Deadline, Member, Role, Unit
from storage.repository import CovenantStore, ScoreStore

YEAR_KINDS = frozenset({"scoring", "covenant"})


class YearReads(NoticeReads, ScoreStore, CovenantStore, Protocol):
    """What the year's notices read."""


def _people(notices: Notices, status: BlocStatus, unit: Unit, occasion: Occasion) -> list[Member]:
    """Who in a unit is reminded: for the covenant, whoever signs it (its head where one is
    registered: a contact could only be told to ask them); for the scoring, as for a report
    (its contacts, its head near the deadline); the chair's and deputy's officers for
    their own units."""
    assert occasion.deadline is not None
    if occasion.origin[0] == "covenant" and status.heads.get(unit.id):
        return list(status.heads[unit.id])
    return notices.recipients(status, unit.id, occasion, occasion.deadline) or [
        member for member in status.people.values()
        if member.unit_id == unit.id and member.role in (Role.CHAIR, Role.DEPUTY)]


async def year_notices(notices: Notices, repo: YearReads, occasion: Occasion, *,
                       snoozable: bool) -> tuple[list[Notice], list[Outgoing]]:
    """What a deadline of the year tells each person, and the list for the officers."""
    bloc = notices.bloc
    year = await repo.emulation_year(bloc.id, bloc.year)
    deadline = occasion.deadline
    if year is None or year.id != occasion.subject_id or deadline is None:
        return [], []
    status = await bloc_status(repo, bloc, notices.now())
    firm = occasion.kind == "escalation"
    if occasion.origin[0] == "covenant":
        done: set[int] = set(await repo.covenant_signatures(year.id))
        owing = [unit for unit in status.units if unit.id not in done]
        chair_key, body_key = "reminders.covenant_chair_list", (
            "reminders.covenant_late" if firm else "reminders.covenant")
        update, button, command = "/giaouoc", "reminders.sign_now", "reminders.command_covenant"
        counts: dict[int, tuple[int, int]] = {}
    else:
        if year.criteria is None:
            return [], []
        done = set(await repo.score_submissions(year.id))
        owing = [unit for unit in status.units if unit.id not in done]
        chair_key, body_key = "reminders.scoring_chair_list", "reminders.scoring"
        update, button, command = "/chamdiem", "reminders.score_now", "reminders.command_score"
        sheets = await repo.self_scores(year.id)
        table = Table(CriteriaConfig.model_validate(year.criteria))
        criteria = {line.code for line in table.criteria}  # bonus and penalty not counted
        counts = {unit.id: (len(criteria & set(sheets.get(unit.id, {}))), len(criteria))
                  for unit in owing}
    paused = await repo.paused_units()  # a unit granted more time is not chased
    owing = [unit for unit in owing if unit.id not in paused]
    officers = await notices.officers(occasion, lambda t: t(
        chair_key, year=year.year, count=len(owing),
        units=escape(", ".join(unit.short_name for unit in owing)))) if firm and owing else []
    if firm and occasion.origin[0] == "scoring":
        return [], officers  # the window is closed: nothing left for the units to do
    found = []
    for unit in owing:
        for member in _people(notices, status, unit, occasion):
            t = notices.translator(member.language)
            scored, required = counts.get(unit.id, (0, 0))
            body = t(body_key, year=year.year, when=format_deadline(deadline, notices.zone, t),
                     scored=scored, required=required)
            found.append(Notice(occasion, member, unit.name, body, update, firm,
                                snoozable and not firm, button=button, command=command))
    return found, officers


async def year_occasions_of(repo: ScoreStore, bloc: Bloc, calendar: WorkCalendar,
                            now: datetime, kind: str | None) -> list[Occasion]:
    """The year's deadlines to remind (of ``kind`` only, when given): the covenant's signing
    once the chair has opened it, and the self-scoring sheets until the scores are final;
    each on its own days, else the report deadlines' plan."""
    plan = bloc.reminder_plan
    year = await repo.emulation_year(bloc.id, bloc.year)
    if year is None:
        return []
    deadlines: list[tuple[str, Deadline, datetime | None, object]] = []
    covenant = year.covenant
    if kind in (None, "covenant") and covenant is not None and covenant.opened_at is not None:
        deadlines.append(("covenant", covenant.deadline, covenant.opened_at,
                          covenant.reminder_days))
    if kind in (None, "scoring") and year.criteria is not None \
            and year.scoring_deadline is not None and year.settled_at is None:
        deadlines.append(("scoring", year.scoring_deadline, year.scoring_opens,
                          year.scoring_rules.get("reminder_days")))
    found: list[Occasion] = []
    for name, deadline, opens, days in deadlines:
        found += still_useful(year_occasions(
            name, year.id, deadline, calendar,
            days_before=tuple(days if isinstance(days, list | tuple)
                              else plan.get("deadline_days", DEADLINE_DAYS)),
            morning=bool(plan.get("deadline_morning", True)), opens=opens), now)
    return found
