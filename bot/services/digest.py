"""The chair's weekly digest (Monday 08:00 by default): new updates, what is due, who is late."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.events import Reply
from bot.domain.periods import format_deadline
from bot.domain.text import escape
from bot.services.outbox import payload_of
from bot.services.status import bloc_status
from config.reminder_plan import parse_weekly
from storage.records import OutgoingMessage, Role

if TYPE_CHECKING:
    from bot.kernel.dispatcher import Core

DEFAULT_DIGEST = "mon 08:00"
DIGEST_USEFUL_FOR = timedelta(hours=10)


def digest_moment(core: Core) -> tuple[int, time]:
    """The weekday and time of the digest, from the bloc's plan (Monday 08:00 by default)."""
    return parse_weekly(str(core.bloc.reminder_plan.get("digest", DEFAULT_DIGEST)))


def this_weeks_digest(now: datetime, zone: ZoneInfo, weekday: int = 0,
                      at: time = time(8, 0)) -> datetime:
    """When this week's digest is due, in the bloc's zone."""
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    return datetime.combine(day, at, tzinfo=zone)


def next_digest(core: Core) -> datetime:
    """The next moment a digest is due (this week's if still ahead, else next week's)."""
    zone, now = ZoneInfo(core.bloc.timezone), core.clock.now()
    weekday, at = digest_moment(core)
    due = this_weeks_digest(now, zone, weekday, at)
    return due if due > now else this_weeks_digest(now + timedelta(days=7), zone, weekday, at)


async def send_digest(core: Core) -> int:
    """Queue this week's digest for the chair and deputy, if due and not sent; returns how many.

    Safe to call at any time (on start, from the scheduler): the outbox key is
    per ISO week and person, and the digest is only useful on its Monday.
    """
    zone = ZoneInfo(core.bloc.timezone)
    now = core.clock.now()
    weekday, at = digest_moment(core)
    due = this_weeks_digest(now, zone, weekday, at)
    if not due <= now < due + DIGEST_USEFUL_FOR:
        return 0  # not yet, or too late to be this week's news
    status = await bloc_status(core.repo, core.bloc, core.today())
    since = due - timedelta(days=7)
    updates = ([u for u in status.latest.values() if u.created_at >= since]
               if status.period else [])
    week_end = due + timedelta(days=7)
    conferences = [c for c in await core.repo.list_conferences(core.bloc.id)
                   if due <= c.starts.at < week_end]
    deadline = status.period.report_deadline if status.period else None
    messages = []
    year, week, _ = due.isocalendar()
    for officer in await core.repo.list_members(core.bloc.id):
        if officer.role not in (Role.CHAIR, Role.DEPUTY):
            continue
        t = core.translator(officer.language)
        lines = [t("digest.title", period=escape(status.period.title if status.period else "")),
                 t("digest.updates", count=len(updates),
                   units=len({u.unit_id for u in updates}))]
        if deadline is not None and due <= deadline.at < week_end:
            lines.append(t("digest.deadline", when=format_deadline(deadline, zone, t)))
        for conference in conferences:
            lines.append(t("digest.conference", title=escape(conference.title),
                           when=format_deadline(conference.starts, zone, t)))
        silent = [u.short_name for u in status.silent_units]
        if deadline is not None and deadline.at < now and silent:
            lines.append(t("digest.late", count=len(silent), units=escape(", ".join(silent))))
        elif silent:
            lines.append(t("digest.silent", count=len(silent), units=escape(", ".join(silent))))
        messages.append(OutgoingMessage(
            dedup_key=f"digest:{year}-W{week:02d}:{officer.id}", channel=officer.channel,
            chat_id=officer.external_id, kind="digest", payload=payload_of(Reply(
                "\n".join(lines))), due_at=now, expires_at=due + DIGEST_USEFUL_FOR))
    return await core.enqueue(messages)
