"""Reminders before report deadlines and conferences, planned from the database.

Deadlines and conferences are rows; ``bot/domain/occasions.py`` turns them into
*occasions* (when to remind of what); this module decides who is told what. A task's own
deadline is reminded to the units it concerns that have not reported it done.
The planner schedules each future occasion on the bot's scheduler and,
after a downtime, sends only the latest missed one that is still useful.

The deadline reminders due together (a report deadline, a conference's, several tasks'
falling on one day) reach each person as one letter, and a person gets at most one letter a
day: every occasion of the ladder falls on a working morning, and what comes due for
someone already written to that day (a deadline changed in chat, say) waits for the next
working morning. Every message goes through the outbox under a key per occasion (or
letter) and person, so nothing is sent twice.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.events import Option, Reply
from bot.domain.i18n import Texts, Translate
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
from bot.domain.periods import current_period, format_deadline
from bot.domain.text import escape, shorten
from bot.domain.workcalendar import WorkCalendar
from bot.services.blocs import Blocs
from bot.services.outbox import OutboxWorker, Outgoing
from bot.services.scheduler import Scheduler
from bot.services.status import BlocStatus, StatusReads, bloc_status
from config.dates import parse_time
from storage.records import (
    Deadline,
    Member,
    Period,
    Role,
    Snooze,
    Task,
)
from storage.repository import ConferenceStore, Database, ReminderStore

log = logging.getLogger(__name__)

class ReminderReads(StatusReads, ConferenceStore, ReminderStore, Database, Protocol):
    """What planning and sending reminders needs of storage."""


TITLE_IN_REMINDER = 80
_DIGEST = re.compile("[0-9a-f]{16}")
LETTER = "deadline"
"""The outbox kind of a person's deadline reminders (one letter a day at most)."""


@dataclass(frozen=True)
class Notice:
    """One deadline one person is reminded of. A person's notices due together go out as
    one letter; a person gets at most one such letter a day."""

    occasion: Occasion
    member: Member
    unit: str  # the person's unit, by name, for the greeting
    body: str  # in the person's language, without the greeting
    update: str  # what "Cập nhật ngay" opens: "/capnhat" or "/capnhat 3"
    firm: bool = False  # after the deadline
    snoozable: bool = False  # "Nhắc lại sáng mai" can work
    again: bool = False  # put off (or held over a day) and sent now


def task_lines(tasks: Sequence[Task], t: Translate) -> str:
    """``• 3. Tổ chức hội nghị…``: the tasks a reminder or a nudge asks a report on (titles
    cut at a word)."""
    return "\n".join(t("reminders.task_line", number=task.position,
                       title=escape(shorten(task.title, TITLE_IN_REMINDER))) for task in tasks)


class ReminderPlanner:
    """Keeps the scheduler's reminder jobs in line with the database."""

    def __init__(self, repo: ReminderReads, blocs: Blocs, clock: Clock, scheduler: Scheduler,
                 outbox: OutboxWorker, texts: Texts) -> None:
        self._repo = repo
        self._blocs = blocs
        self._clock = clock
        self._scheduler = scheduler
        self._outbox = outbox
        self._texts = texts

    def calendar(self) -> WorkCalendar:
        """Working hours of the bloc's plan, in its time zone."""
        plan = self._blocs.current.reminder_plan
        hours = str(plan.get("working_hours", "08:00-17:30"))
        start, _, end = hours.partition("-")
        return WorkCalendar(ZoneInfo(self._blocs.current.timezone), start=parse_time(start),
                            end=parse_time(end),
                            days_off=frozenset(map(date.fromisoformat, plan.get("days_off", ()))),
                            extra_days=frozenset(map(date.fromisoformat,
                                                     plan.get("working_saturdays", ()))))

    async def occasions(self, origin: tuple[str, int] | None = None) -> list[Occasion]:
        """Every occasion of the periods' report deadlines and of upcoming conferences (of
        one period or one conference, with ``origin``), soonest first."""
        repo, bloc, calendar = self._repo, self._blocs.current, self.calendar()
        found: list[Occasion] = []
        plan = bloc.reminder_plan
        now = self._clock.now()
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
            found += await self._task_occasions(period, origin)
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

    async def _task_occasions(self, period: Period,
                              origin: tuple[str, int] | None) -> list[Occasion]:
        """The occasions of the period's tasks' own deadlines (of one task, with ``origin``)."""
        plan, now = self._blocs.current.reminder_plan, self._clock.now()
        found: list[Occasion] = []
        for task in await self._repo.list_tasks(period.id):
            if origin is not None and task.id != origin[1]:
                continue
            if task.deadline is None:
                continue
            found += still_useful(deadline_occasions(
                period, task.deadline, self.calendar(), subject=f"task{task.id}",
                origin=("task", task.id), task_id=task.id,
                days_before=tuple(plan.get("task_deadline_days", TASK_DEADLINE_DAYS)),
                morning=bool(plan.get("deadline_morning", True))), now)
        return found

    async def plan(self) -> None:
        """Schedule the occasions and put-off reminders ahead; send what is due now (after a
        downtime, only the latest missed occasion of each deadline, if still useful)."""
        now = self._clock.now()
        for snooze in await self._repo.pending_snoozes():  # reminders put off, due again
            if snooze.fire_at > now:
                self._scheduler.at(f"snooze:{snooze.member_id}:{snooze.occasion}",
                                   snooze.fire_at, self.fire_snooze, snooze)
        occasions = await self.occasions()
        sent = await self._repo.sent_reminders(o.key for o in occasions)
        for occasion in occasions:
            if occasion.key not in sent and occasion.fire_at > now:
                self._scheduler.at(f"reminder:{occasion.key}", occasion.fire_at,
                                   self.fire, occasion.key, occasion.origin)
        await self._send_due(occasions)

    async def pending(self) -> list[Occasion]:
        """The occasions not sent yet (nor skipped), soonest first."""
        occasions = await self.occasions()
        sent = await self._repo.sent_reminders(o.key for o in occasions)
        return [o for o in occasions if o.key not in sent]

    async def skip_due(self, key_prefix: str) -> None:
        """Mark occasions of a subject that are already due as done (its news just went out)."""
        now = self._clock.now()
        for occasion in await self.occasions():
            if occasion.key.startswith(key_prefix) and occasion.fire_at <= now:
                await self._mark_fired(occasion)

    async def fire(self, key: str, origin: tuple[str, int]) -> None:
        """The scheduler's callback: re-read the occasion (it may have moved) and, when it is
        due, send everything due with it (a person's reminders of one moment are one letter).

        Never before its moment, and never a burst: when the clock jumped past several
        occasions of one subject, only the latest is sent (as after a downtime).
        """
        occasion = next((o for o in await self.occasions(origin) if o.key == key), None)
        if occasion is None or await self._repo.sent_reminders([key]):
            return
        if occasion.fire_at > self._clock.now():  # moved later since it was planned
            self._scheduler.at(f"reminder:{key}", occasion.fire_at, self.fire, key, origin)
            return
        await self._send_due()

    async def fire_snooze(self, snooze: Snooze) -> None:
        """The scheduler's callback for a reminder put off: sent with whatever else is due."""
        if snooze.fire_at > self._clock.now():
            self._scheduler.at(f"snooze:{snooze.member_id}:{snooze.occasion}", snooze.fire_at,
                               self.fire_snooze, snooze)
            return
        await self._send_due()

    async def _send_due(self, occasions: list[Occasion] | None = None) -> None:
        """Send every occasion due now and every put-off reminder due again: each person's
        deadline reminders as one letter, at most one letter a day.

        One transaction, begun at once: what is queued and what is marked sent commit
        together, and two runs due at the same moment (each occasion's job calls this) do
        not both read "not sent yet" — the second waits, then finds it sent. Inside an
        event's own transaction (a handler planning again), it is part of that one.
        """
        async with self._repo.unit_of_work(join=True, immediate=True):
            await self._send_due_now(occasions)

    async def _send_due_now(self, occasions: list[Occasion] | None) -> None:
        now = self._clock.now()
        if occasions is None:
            occasions = await self.occasions()
        sent = await self._repo.sent_reminders(o.key for o in occasions)  # read under the lock
        latest: dict[str, Occasion] = {}
        for occasion in occasions:  # each subject's occasions come soonest first
            if occasion.key in sent or occasion.fire_at > now:
                continue
            previous = latest.get(occasion.subject)
            if previous is not None:  # never a burst: an older missed one is skipped
                log.info("skipping missed reminder %s: a later one is due", previous.key)
                await self._mark_fired(previous)
            latest[occasion.subject] = occasion
        messages: list[Outgoing] = []
        notices: list[Notice] = []
        due: list[Occasion] = []
        for occasion in latest.values():
            if occasion.expires_at <= now:
                log.info("dropping reminder %s: its deadline or conference has passed",
                         occasion.key)
                await self._mark_fired(occasion)
            elif occasion.kind == "conference":
                messages += await self._conference_messages(occasion)
                due.append(occasion)
            else:
                found, officers = await self._notices(occasion)
                notices += found
                messages += officers
                due.append(occasion)
        again = [s for s in await self._repo.pending_snoozes() if s.fire_at <= now]
        for snooze in again:
            notices += await self._notices_again(snooze, occasions)
        messages += await self._letters(notices)
        await self._outbox.enqueue(messages)
        for occasion in due:
            await self._mark_fired(occasion)
            log.info("reminder %s sent", occasion.key)
        for snooze in again:
            await self._repo.snooze_done(snooze.member_id, snooze.occasion, now)

    def next_morning(self) -> datetime:
        """The next working morning: when a reminder put off goes out again."""
        calendar = self.calendar()
        tomorrow = self._clock.now().astimezone(calendar.zone).date() + timedelta(days=1)
        return calendar.next_slot(calendar.morning_of(tomorrow))

    @staticmethod
    def _planned_by(occasion: Occasion, when: datetime,
                    occasions: Sequence[Occasion]) -> Occasion | None:
        """A later reminder of the same deadline going out by ``when`` (a snooze to then
        would only repeat it)."""
        return next((o for o in occasions if o.subject == occasion.subject
                     and occasion.fire_at < o.fire_at <= when), None)

    async def snooze(self, member_id: int, key: str) -> tuple[str, datetime | None]:
        """Put off one person's reminder ``key`` (or, ``@<digest>``, every reminder of their
        letter of several) to the next working morning, once, never past its deadline:
        ``("snoozed", when)``; ``("planned", when)`` when the plan reminds them again by then
        anyway; or why not (``"gone"``, ``"late"``, ``"again"``)."""
        occasions = await self.occasions()
        if key.startswith("@"):
            digest = key[1:]
            held = set(await self._repo.letter_items(f"remind:letter:{digest}:{member_id}")
                       if _DIGEST.fullmatch(digest) else ())
            chosen = [o for o in occasions if o.key in held]
        else:
            chosen = [o for o in occasions if o.key == key]
        chosen = [o for o in chosen if o.kind == "deadline" and o.deadline is not None]
        if not chosen:
            return "gone", None
        when = self.next_morning()
        outcomes: list[tuple[str, datetime | None]] = []
        for occasion in chosen:
            assert occasion.deadline is not None
            if when >= occasion.deadline.at:
                outcomes.append(("late", None))
            elif (planned := self._planned_by(occasion, when, occasions)) is not None:
                outcomes.append(("planned", planned.fire_at))
            elif await self._repo.snooze(Snooze(member_id, occasion.key, occasion.origin, when)):
                self._scheduler.at(f"snooze:{member_id}:{occasion.key}", when,
                                   self.fire_snooze, Snooze(member_id, occasion.key,
                                                            occasion.origin, when))
                outcomes.append(("snoozed", when))
            else:
                outcomes.append(("again", None))
        for outcome in ("snoozed", "planned", "late", "again"):  # the most useful answer
            found = [item for item in outcomes if item[0] == outcome]
            if found:
                return found[0]
        return "gone", None

    async def _mark_fired(self, occasion: Occasion) -> None:
        await self._repo.mark_reminder_sent(occasion.key, self._clock.now())

    async def is_paused(self, period_id: int, unit_id: int | None = None) -> bool:
        """Whether reminders are paused for this deadline (or this unit)."""
        if period_id in await self._repo.paused_periods():
            return True
        return unit_id is not None and unit_id in await self._repo.paused_units()

    def _recipients(self, status: BlocStatus, unit_id: int, occasion: Occasion,
                    deadline: Deadline) -> list[Member]:
        """Who in a unit is reminded: its contacts; from the plan's ``head_days`` before the
        deadline (and after it), its head too, where one is registered (the ladder's step
        before the chair, who gets the list after the deadline)."""
        zone = self.calendar().zone
        day = occasion.fire_at.astimezone(zone).date()
        people: list[Member] = []
        for contact in status.contacts.get(unit_id, []):
            absence = status.away(contact, day)
            if absence is None:
                people.append(contact)
            elif (backup := status.backup(absence)) is not None:  # away: who covers
                people.append(backup)
        head_days = self._blocs.current.reminder_plan.get("head_days", 1)
        days_left = (deadline.last_day(zone) - day).days
        if not people or (head_days is not None and days_left <= int(head_days)):
            people += status.heads.get(unit_id, [])  # nobody else to tell: the head, always
        return list({person.id: person for person in people}.values())  # each once

    async def _snoozable(self, occasion: Occasion) -> bool:
        """Whether "Nhắc lại sáng mai" under this reminder can work: before its deadline, with
        no later reminder of it going out by the next working morning anyway."""
        if occasion.kind != "deadline" or occasion.deadline is None:
            return False
        when = self.next_morning()
        return when < occasion.deadline.at and self._planned_by(
            occasion, when, await self.occasions(occasion.origin)) is None

    async def _notices(self, occasion: Occasion, *,
                       snoozable: bool = True) -> tuple[list[Notice], list[Outgoing]]:
        """What a deadline's occasion tells each person (``snoozable``: with "Nhắc lại sáng
        mai" where it works), and, after the deadline, the list for the chair and deputy."""
        if occasion.task_id is not None:
            return await self._task_notices(occasion, occasion.task_id, snoozable=snoozable)
        repo, bloc = self._repo, self._blocs.current
        period = next((p for p in await repo.list_periods(bloc.id)
                       if p.id == occasion.subject_id), None)
        deadline = occasion.deadline
        if period is None or deadline is None or await self.is_paused(period.id):
            return [], []
        status = await bloc_status(repo, bloc, self._clock.now(), period)
        firm = occasion.kind == "escalation"
        snoozable = snoozable and await self._snoozable(occasion)
        notices, owing_names = [], []
        for progress in status.incomplete:  # partial units too: only the tasks they lack
            unit = progress.unit
            if await self.is_paused(period.id, unit.id):
                continue
            owing_names.append(unit.short_name)
            for member in self._recipients(status, unit.id, occasion, deadline):
                t = self._texts.translator(member.language)
                body = t("reminders.escalation" if firm else "reminders.deadline",
                         period=escape(period.title),
                         when=format_deadline(deadline, self.calendar().zone, t),
                         tasks=task_lines(progress.missing, t))
                notices.append(Notice(occasion, member, unit.name, body, "/capnhat", firm,
                                      snoozable))
        officers = await self._to_officers(occasion, lambda t: t(
            "reminders.chair_list", period=escape(period.title), count=len(owing_names),
            units=escape(", ".join(owing_names)))) if firm and owing_names else []
        return notices, officers

    async def _notices_again(self, snooze: Snooze,
                             occasions: Sequence[Occasion]) -> list[Notice]:
        """A reminder put off (or held over a day), as things stand now: nothing if the
        person's unit has reported since, its moment has passed, or a later reminder of the
        same deadline went out since."""
        now = self._clock.now()
        occasion = next((o for o in occasions if o.key == snooze.occasion), None)
        if occasion is None or occasion.expires_at <= now or (
                self._planned_by(occasion, now, occasions) is not None):
            return []
        notices, _ = await self._notices(occasion, snoozable=False)
        return [replace(notice, again=True) for notice in notices
                if notice.member.id == snooze.member_id]

    async def _letters(self, notices: Sequence[Notice]) -> list[Outgoing]:
        """One letter per person for the notices due together. A person already sent a letter
        today gets these on the next working morning instead (at most one a day), unless
        their moment has passed by then."""
        people: dict[int, list[Notice]] = {}
        for notice in notices:
            people.setdefault(notice.member.id, []).append(notice)
        if not people:
            return []
        zone = self.calendar().zone
        today = self._clock.now().astimezone(zone).date()
        midnight = datetime.combine(today, time(0), tzinfo=zone)
        told = await self._repo.letters_on(midnight, midnight + timedelta(days=1), LETTER)
        letters = []
        for held in people.values():
            letter = self._letter(held)
            mine = f":{held[0].member.id}"  # this membership's (a person may be in two blocs)
            earlier = {key.partition("#")[0] for key in told.get(
                (letter.channel, letter.chat_id), set()) if key.partition("#")[0].endswith(mine)}
            earlier.discard(letter.dedup_key)  # the same letter again: queued once anyway
            if not earlier:
                letters.append(letter)
                if len(held) > 1:  # what "Nhắc lại sáng mai" under it puts off
                    await self._repo.record_letter(letter.dedup_key,
                                                   sorted({n.occasion.key for n in held}))
                continue
            when = self.next_morning()
            for notice in held:
                useful_until = (notice.occasion.deadline.at if notice.occasion.kind == "deadline"
                                and notice.occasion.deadline else notice.occasion.expires_at)
                if when < useful_until:
                    log.info("holding reminder %s for member %d to the next working morning: "
                             "told today already", notice.occasion.key, notice.member.id)
                    later = Snooze(notice.member.id, notice.occasion.key,
                                   notice.occasion.origin, when)
                    await self._repo.hold_over(later)
                    self._scheduler.at(f"snooze:{later.member_id}:{later.occasion}", when,
                                       self.fire_snooze, later)
        return letters

    def _letter(self, notices: Sequence[Notice]) -> Outgoing:
        """A person's notices as one message, with "Cập nhật ngay" and, where it works,
        "Nhắc lại sáng mai" (the reminder's key; ``@<digest>`` for a letter of several)."""
        # the report's deadline first, then the tasks', soonest first
        notices = sorted(notices, key=lambda n: (n.occasion.task_id is not None,
                                                 n.occasion.deadline.at if n.occasion.deadline
                                                 else n.occasion.fire_at))
        member = notices[0].member
        t = self._texts.translator(member.language)
        firm = any(n.firm for n in notices)
        updates = {notice.update for notice in notices}
        update = updates.pop() if len(updates) == 1 else "/capnhat"  # several: which one?
        # what to do, once, under what the letter says
        ask = t("reminders.ask_firm" if firm else "reminders.ask",  # "/update 3" in English
                command=t("reminders.update_command") + update.removeprefix("/capnhat"))
        icon = t("reminders.icon_firm" if firm else "reminders.icon")
        if len(notices) == 1:
            text = t("reminders.letter", icon=icon, name=escape(member.display_name),
                     unit=escape(notices[0].unit), body=notices[0].body, ask=ask)
        else:
            items = "\n\n".join(t("reminders.letter_item", number=number,
                                  body=notice.body[:1].upper() + notice.body[1:])
                                for number, notice in enumerate(notices, start=1))
            text = t("reminders.letter_several", icon=icon, name=escape(member.display_name),
                     unit=escape(notices[0].unit), count=len(notices), items=items, ask=ask)
        buttons = [Option(t("outreach.update_now"), update)]
        if len(notices) == 1:
            occasion = notices[0].occasion
            key = f"{'snooze' if notices[0].again else 'remind'}:{occasion.key}:{member.id}"
            if notices[0].snoozable:
                buttons.append(Option(t("reminders.snooze"), f"/nhaclai {occasion.key}"))
        else:
            held = sorted(f"{n.occasion.key}{'+' if n.again else ''}" for n in notices)
            digest = hashlib.sha256("|".join(held).encode()).hexdigest()[:16]
            key = f"remind:letter:{digest}:{member.id}"
            if any(notice.snoozable for notice in notices):
                buttons.append(Option(t("reminders.snooze"), f"/nhaclai @{digest}"))
        return Outgoing(
            dedup_key=key, channel=member.channel, chat_id=member.external_id, kind=LETTER,
            reply=Reply(text, options=tuple(buttons), language=member.language),
            due_at=max((n.occasion.fire_at for n in notices if not n.again),
                       default=self._clock.now()),
            expires_at=max(notice.occasion.expires_at for notice in notices))

    async def _to_officers(self, occasion: Occasion,
                           text_of: Callable[[Translate], str]) -> list[Outgoing]:
        """After a deadline, the list of who still owes it, to the chair and the deputy."""
        messages = []
        for officer in await self._repo.list_members(self._blocs.current.id):
            if officer.role not in (Role.CHAIR, Role.DEPUTY):
                continue
            messages.append(Outgoing(
                dedup_key=f"remind:{occasion.key}:chair:{officer.id}",
                channel=officer.channel, chat_id=officer.external_id, kind="escalation",
                reply=Reply(text_of(self._texts.translator(officer.language)),
                            language=officer.language),
                due_at=occasion.fire_at, expires_at=occasion.expires_at))
        return messages

    async def _task_notices(self, occasion: Occasion, task_id: int, *,
                            snoozable: bool) -> tuple[list[Notice], list[Outgoing]]:
        """A task's own deadline: to the contacts of each unit it concerns that has not
        reported it done; after the deadline, the chair and deputy get the list too."""
        repo, bloc = self._repo, self._blocs.current
        period = next((p for p in await repo.list_periods(bloc.id)
                       if p.id == occasion.subject_id), None)
        if period is None or occasion.deadline is None or await self.is_paused(period.id):
            return [], []
        status = await bloc_status(repo, bloc, self._clock.now(), period)
        task = next((t for t in status.tasks if t.id == task_id), None)
        if task is None:  # closed since
            return [], []
        firm = occasion.kind == "escalation"
        snoozable = snoozable and await self._snoozable(occasion)
        owing = [unit for unit in status.not_done_units(task)
                 if not await self.is_paused(period.id, unit.id)]
        zone = self.calendar().zone
        notices = []
        for unit in owing:
            for member in self._recipients(status, unit.id, occasion, occasion.deadline):
                t = self._texts.translator(member.language)
                update = status.latest.get((unit.id, task.id))
                body = t("reminders.task_overdue" if firm else "reminders.task_deadline",
                         number=task.position,
                         title=escape(shorten(task.title, TITLE_IN_REMINDER)),
                         when=format_deadline(occasion.deadline, zone, t),
                         state=t("reminders.task_state_none") if update is None else t(
                             "reminders.task_state", percent=update.percent,
                             status=t(f"progress.status_{update.status.value}").lower()))
                notices.append(Notice(occasion, member, unit.name, body,
                                      f"/capnhat {task.position}", firm, snoozable))
        officers: list[Outgoing] = []
        if firm and owing:
            deadline = occasion.deadline
            officers = await self._to_officers(occasion, lambda t: t(
                "reminders.task_chair_list", number=task.position,
                title=escape(shorten(task.title, TITLE_IN_REMINDER)),
                when=format_deadline(deadline, zone, t), count=len(owing),
                units=escape(", ".join(unit.short_name for unit in owing))))
        return notices, officers

    async def _conference_messages(self, occasion: Occasion) -> list[Outgoing]:
        repo, bloc = self._repo, self._blocs.current
        conference = next((c for c in await repo.list_conferences(bloc.id)
                           if c.id == occasion.subject_id), None)
        if conference is None:
            return []
        zone = self.calendar().zone
        messages = []
        for member in await repo.list_members(bloc.id):
            if member.unit_id is None and member.role is not Role.LIAISON:
                continue  # the units' people and the ministry's liaison
            t = self._texts.translator(member.language)
            text = t("reminders.conference", title=escape(conference.title),
                     when=format_deadline(conference.starts, zone, t),
                     place=escape(conference.place or t("reminders.place_unknown")))
            messages.append(Outgoing(
                dedup_key=f"remind:{occasion.key}:{member.id}", channel=member.channel,
                chat_id=member.external_id, kind="reminder",
                reply=Reply(text, language=member.language),
                due_at=occasion.fire_at, expires_at=occasion.expires_at))
        t = self._texts.translator()
        for channel, chat in bloc.groups.items():
            text = t("reminders.conference_group", title=escape(conference.title),
                     when=format_deadline(conference.starts, zone, t),
                     place=escape(conference.place or t("reminders.place_unknown")))
            messages.append(Outgoing(
                dedup_key=f"remind:{occasion.key}:group:{channel}", channel=channel,
                chat_id=chat, kind="reminder", reply=Reply(text),
                due_at=occasion.fire_at, expires_at=occasion.expires_at))
        return messages
