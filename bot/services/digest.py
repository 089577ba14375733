"""The chair's weekly digest (Monday 08:00 by default): new updates, what is due, who is late."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.events import Reply
from bot.domain.i18n import Texts
from bot.domain.periods import format_deadline
from bot.domain.text import escape
from bot.services.blocs import Blocs
from bot.services.outbox import OutboxWorker, Outgoing
from bot.services.scheduler import Scheduler
from bot.services.status import StatusReads, bloc_status
from config.reminder_plan import parse_weekly
from storage.records import Bloc, Role
from storage.repository import ConferenceStore, CovenantStore, ScoreStore, VoteStore

DEFAULT_DIGEST = "mon 08:00"
DIGEST_USEFUL_FOR = timedelta(hours=10)
JOB = "weekly-digest"


def digest_moment(bloc: Bloc) -> tuple[int, time]:
    """The weekday and time of the digest, from the bloc's plan (Monday 08:00 by default)."""
    return parse_weekly(str(bloc.reminder_plan.get("digest", DEFAULT_DIGEST)))


def this_weeks_digest(now: datetime, zone: ZoneInfo, weekday: int = 0,
                      at: time = time(8, 0)) -> datetime:
    """When this week's digest is due, in the bloc's zone."""
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    return datetime.combine(day, at, tzinfo=zone)


def next_digest(bloc: Bloc, now: datetime) -> datetime:
    """The next moment a digest is due (this week's if still ahead, else next week's)."""
    zone = ZoneInfo(bloc.timezone)
    weekday, at = digest_moment(bloc)
    due = this_weeks_digest(now, zone, weekday, at)
    return due if due > now else this_weeks_digest(now + timedelta(days=7), zone, weekday, at)


class DigestReads(StatusReads, ConferenceStore, ScoreStore, VoteStore, CovenantStore, Protocol):
    """What the digest reads."""


class Digest:
    """The weekly digest: planned on the scheduler, queued in the outbox."""

    def __init__(self, repo: DigestReads, blocs: Blocs, clock: Clock, scheduler: Scheduler,
                 outbox: OutboxWorker, texts: Texts) -> None:
        self._repo = repo
        self._blocs = blocs
        self._clock = clock
        self._scheduler = scheduler
        self._outbox = outbox
        self._texts = texts

    def plan(self) -> None:
        """Have the scheduler send each bloc's next digest when it is due."""
        for bloc in self._blocs.all:
            with self._blocs.scope(bloc):
                self.plan_bloc()

    def plan_bloc(self) -> None:
        """Have the scheduler send the next digest of the bloc in scope."""
        bloc = self._blocs.current
        self._scheduler.at(f"{JOB}:{bloc.id}", next_digest(bloc, self._clock.now()),
                           self._blocs.run_in, bloc.id, self._due)

    async def _due(self) -> None:
        try:
            await self._send_bloc()
        finally:
            self.plan_bloc()  # next week's

    async def send(self) -> int:
        """Queue this week's digest of every bloc (see :meth:`_send_bloc`); how many."""
        sent = 0
        for bloc in self._blocs.all:
            with self._blocs.scope(bloc):
                sent += await self._send_bloc()
        return sent

    async def _send_bloc(self) -> int:
        """Queue this week's digest of the bloc in scope for its chair and deputy, if due
        and not sent; returns how many.

        Safe to call at any time (on start, from the scheduler): the outbox key is
        per ISO week and person, and the digest is only useful on its Monday.
        """
        bloc, repo = self._blocs.current, self._repo
        zone = ZoneInfo(bloc.timezone)
        now = self._clock.now()
        weekday, at = digest_moment(bloc)
        due = this_weeks_digest(now, zone, weekday, at)
        if not due <= now < due + DIGEST_USEFUL_FOR:
            return 0  # not yet, or too late to be this week's news
        status = await bloc_status(repo, bloc, now)
        since = due - timedelta(days=7)
        updates = ([u for u in status.latest.values() if u.created_at >= since]
                   if status.period else [])
        week_end = due + timedelta(days=7)
        conferences = [c for c in await repo.list_conferences(bloc.id)
                       if due <= c.starts.at < week_end]
        deadline = status.period.report_deadline if status.period else None
        emulation = await repo.emulation_year(bloc.id, bloc.year)
        scoring_due = emulation.scoring_deadline if emulation is not None and (
            emulation.criteria is not None and emulation.settled_at is None) else None
        scoring_left = len(status.units) - len(await repo.score_submissions(emulation.id)) \
            if emulation is not None and scoring_due is not None else 0
        vote = await repo.latest_vote(emulation.id) if emulation is not None else None
        vote_closes = (vote.rules.closes if vote is not None and vote.closed_at is None
                       else None)  # a round under way, closing this week
        covenant = emulation.covenant if emulation is not None else None
        unsigned = len(status.units) - len(await repo.covenant_signatures(emulation.id)) \
            if emulation is not None and covenant is not None and covenant.opened_at else 0
        messages = []
        year, week, _ = due.isocalendar()
        for officer in await repo.list_members(bloc.id):
            if officer.role not in (Role.CHAIR, Role.DEPUTY):
                continue
            t = self._texts.translator(officer.language)
            lines = [t("digest.title",
                       period=escape(status.period.title if status.period else "")),
                     t("digest.updates", count=len(updates),
                       units=len({u.unit_id for u in updates})) if updates
                     else t("digest.no_updates")]
            if deadline is not None and due <= deadline.at < week_end:
                lines.append(t("digest.deadline", when=format_deadline(deadline, zone, t)))
            if scoring_due is not None and due <= scoring_due.at < week_end:
                lines.append(t("digest.scoring", when=format_deadline(scoring_due, zone, t),
                               count=scoring_left))
            if vote_closes is not None and due <= vote_closes.at < week_end:
                lines.append(t("digest.vote", when=format_deadline(vote_closes, zone, t)))
            if covenant is not None and unsigned and due <= covenant.deadline.at < week_end:
                lines.append(t("digest.covenant", count=unsigned,
                               when=format_deadline(covenant.deadline, zone, t)))
            for conference in conferences:
                lines.append(t("digest.conference", title=escape(conference.title),
                               when=format_deadline(conference.starts, zone, t)))
            silent = [p.unit.short_name for p in status.incomplete]  # partial units too
            if deadline is not None and deadline.at < now and silent:
                lines.append(t("digest.late", count=len(silent),
                               units=escape(", ".join(silent))))
            elif silent:
                lines.append(t("digest.silent", count=len(silent),
                               units=escape(", ".join(silent))))
            messages.append(Outgoing(
                dedup_key=f"digest:{year}-W{week:02d}:{officer.id}", channel=officer.channel,
                chat_id=officer.external_id, kind="digest",
                reply=Reply("\n".join(lines), language=officer.language), due_at=now,
                expires_at=due + DIGEST_USEFUL_FOR))
        return await self._outbox.enqueue(messages)
