"""Reminders before report deadlines, the year's scoring deadline and conferences, planned
from the database.

Deadlines and conferences are rows; ``bot/domain/occasions.py`` turns them into
*occasions* (when to remind of what); ``bot/services/reminder_notices.py`` decides who is
told what; this module plans and sends them. A task's own
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

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from bot.domain.clock import Clock
from bot.domain.i18n import Texts
from bot.domain.occasions import Occasion
from bot.domain.workcalendar import WorkCalendar
from bot.services.blocs import Blocs
from bot.services.outbox import OutboxWorker, Outgoing
from bot.services.reminder_notices import DIGEST, LETTER, Notice, Notices, compose_letter
from bot.services.reminder_occasions import OccasionReads, occasions_of, work_calendar
from bot.services.scheduler import Scheduler
from bot.services.status import StatusReads
from bot.services.vote_closing import VoteClosing, VoteReads
from bot.services.year_notices import YEAR_KINDS, year_notices
from storage.records import Snooze
from storage.repository import CovenantStore, ReminderStore

log = logging.getLogger(__name__)

class ReminderReads(VoteReads, OccasionReads, StatusReads, ReminderStore, CovenantStore,
                    Protocol):
    """What planning and sending reminders needs of storage."""


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
        self.notices = Notices(repo, blocs, clock, texts)  # who is told what
        # the vote's round closes at its closing time, a timed job like the reminders
        self.vote_closing = VoteClosing(repo, blocs, clock, scheduler, outbox, texts)

    def calendar(self) -> WorkCalendar:
        """Working hours of the plan of the bloc in scope, in its time zone."""
        return work_calendar(self._blocs.current)

    async def occasions(self, origin: tuple[str, int] | None = None) -> list[Occasion]:
        """Every reminder occasion of the bloc in scope (of one subject, with ``origin``),
        soonest first (:func:`bot.services.reminder_occasions.occasions_of`)."""
        return await occasions_of(self._repo, self._blocs.current, self._clock.now(), origin)

    async def plan_all(self) -> None:
        """:meth:`plan` for every bloc served (at start, and every half hour)."""
        for bloc in self._blocs.all:
            with self._blocs.scope(bloc):
                await self.plan()

    def _at(self, job_id: str, moment: datetime, func: Callable[..., Awaitable[Any]],
            *args: Any) -> None:
        """A job of the bloc in scope, run in its scope whenever it runs."""
        self._scheduler.at(job_id, moment, self._blocs.run_in, self._blocs.current.id, func,
                           *args)

    async def _pending_snoozes(self) -> list[Snooze]:
        """The reminders put off by the people of the bloc in scope."""
        members = {m.id for m in await self._repo.list_members(self._blocs.current.id)}
        return [s for s in await self._repo.pending_snoozes() if s.member_id in members]

    async def plan(self) -> None:
        """For the bloc in scope: schedule the occasions and put-off reminders ahead; send
        what is due now (after a downtime, only the latest missed occasion of each deadline,
        if still useful); have the open round of the vote closed at its closing time."""
        now = self._clock.now()
        for snooze in await self._pending_snoozes():  # reminders put off, due again
            if snooze.fire_at > now:
                self._at(f"snooze:{snooze.member_id}:{snooze.occasion}",
                                   snooze.fire_at, self.fire_snooze, snooze)
        occasions = await self.occasions()
        sent = await self._repo.sent_reminders(o.key for o in occasions)
        for occasion in occasions:
            if occasion.key not in sent and occasion.fire_at > now:
                self._at(f"reminder:{occasion.key}", occasion.fire_at,
                                   self.fire, occasion.key, occasion.origin)
        await self._send_due(occasions)
        await self.vote_closing.plan()

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
            self._at(f"reminder:{key}", occasion.fire_at, self.fire, key, origin)
            return
        await self._send_due()

    async def fire_snooze(self, snooze: Snooze) -> None:
        """The scheduler's callback for a reminder put off: sent with whatever else is due."""
        if snooze.fire_at > self._clock.now():
            self._at(f"snooze:{snooze.member_id}:{snooze.occasion}", snooze.fire_at,
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
                self._outbox.metrics.reminders.labels("dropped").inc()
            latest[occasion.subject] = occasion
        messages: list[Outgoing] = []
        notices: list[Notice] = []
        due: list[Occasion] = []
        for occasion in latest.values():
            if occasion.expires_at <= now:
                log.info("dropping reminder %s: its deadline or conference has passed",
                         occasion.key)
                await self._mark_fired(occasion)
                self._outbox.metrics.reminders.labels("dropped").inc()
            elif occasion.kind == "conference":
                messages += await self.notices.for_conference(occasion)
                due.append(occasion)
            else:
                found, officers = await self._notices_of(
                    occasion, snoozable=await self._snoozable(occasion))
                notices += found
                messages += officers
                due.append(occasion)
        again = [s for s in await self._pending_snoozes() if s.fire_at <= now]
        for snooze in again:
            notices += await self._notices_again(snooze, occasions)
        messages += await self._letters(notices)
        await self._outbox.enqueue(messages)
        for occasion in due:
            await self._mark_fired(occasion)
            log.info("reminder %s sent", occasion.key)
        if due:
            self._outbox.metrics.reminders.labels("fired").inc(len(due))
        for snooze in again:
            await self._repo.snooze_done(snooze.member_id, snooze.occasion, now)

    async def _notices_of(self, occasion: Occasion, *,
                          snoozable: bool) -> tuple[list[Notice], list[Outgoing]]:
        """A deadline's notices: a report's or a task's, or one of the year's."""
        if occasion.origin[0] in YEAR_KINDS:
            return await year_notices(self.notices, self._repo, occasion, snoozable=snoozable)
        return await self.notices.for_deadline(occasion, snoozable=snoozable)

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
                       if DIGEST.fullmatch(digest) else ())
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
                self._at(f"snooze:{member_id}:{occasion.key}", when,
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
        return await self.notices.is_paused(period_id, unit_id)

    async def _snoozable(self, occasion: Occasion) -> bool:
        """Whether "Nhắc lại sáng mai" under this reminder can work: before its deadline, with
        no later reminder of it going out by the next working morning anyway."""
        if occasion.kind != "deadline" or occasion.deadline is None:
            return False
        when = self.next_morning()
        return when < occasion.deadline.at and self._planned_by(
            occasion, when, await self.occasions(occasion.origin)) is None

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
        notices, _ = await self._notices_of(occasion, snoozable=False)
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
            letter = compose_letter(held, self._texts, self._clock.now())
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
                    self._at(f"snooze:{later.member_id}:{later.occasion}", when,
                                       self.fire_snooze, later)
        return letters

