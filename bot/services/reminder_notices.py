"""Who is told what when a reminder falls due, and how one person's reminders read as one
letter.

``bot/services/reminders.py`` decides *when* (occasions, the scheduler, the one letter a day,
snoozes); this module decides *who* and *what*: the ladder of recipients in a unit (its
contacts, whoever covers for one away, its head near the deadline), the text for a report's
or a task's deadline and for a conference, the list the chair and deputy get after a
deadline, and a person's notices put together as one letter with its buttons.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.events import Option, Reply
from bot.domain.i18n import Texts, Translate
from bot.domain.occasions import Occasion
from bot.domain.periods import format_deadline
from bot.domain.text import escape, shorten
from bot.services.blocs import Blocs
from bot.services.outbox import Outgoing
from bot.services.status import BlocStatus, StatusReads, bloc_status
from storage.records import Bloc, Deadline, Member, Role, Task
from storage.repository import ConferenceStore, ReminderStore

TITLE_IN_REMINDER = 80
DIGEST = re.compile("[0-9a-f]{16}")
"""What names a letter of several in "/nhaclai @<digest>"."""
LETTER = "deadline"
"""The outbox kind of a person's deadline reminders (one letter a day at most)."""


class NoticeReads(StatusReads, ConferenceStore, ReminderStore, Protocol):
    """What working out a reminder's recipients and words needs of storage."""


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
    button: str = "outreach.update_now"  # the catalog key of the button that opens ``update``
    command: str = "reminders.update_command"  # the catalog key of ``update`` as typed


def task_lines(tasks: Sequence[Task], t: Translate) -> str:
    """``• 3. Tổ chức hội nghị…``: the tasks a reminder or a nudge asks a report on (titles
    cut at a word)."""
    return "\n".join(t("reminders.task_line", number=task.position,
                       title=escape(shorten(task.title, TITLE_IN_REMINDER))) for task in tasks)


def compose_letter(notices: Sequence[Notice], texts: Texts, now: datetime) -> Outgoing:
    """A person's notices as one message, with "Cập nhật ngay" and, where it works,
    "Nhắc lại sáng mai" (the reminder's key; ``@<digest>`` for a letter of several)."""
    # the report's deadline first, then the tasks', soonest first
    notices = sorted(notices, key=lambda n: (n.occasion.task_id is not None,
                                             n.occasion.deadline.at if n.occasion.deadline
                                             else n.occasion.fire_at))
    member = notices[0].member
    t = texts.translator(member.language)
    firm = any(n.firm for n in notices)
    # one button per thing to do: the report ("/capnhat", or "/capnhat 3" for one task alone)
    # and the year's (the covenant's /giaouoc, the scoring's /chamdiem)
    reports = {notice.update for notice in notices if notice.update.startswith("/capnhat")}
    report = (reports.pop() if len(reports) == 1 else "/capnhat") if reports else None
    others = list({notice.update: notice for notice in notices
                   if not notice.update.startswith("/capnhat")}.values())
    actions = ([(report, "outreach.update_now")] if report else []) + [
        (notice.update, notice.button) for notice in others]
    # what to do, once, under what the letter says
    if report is not None and not others:
        ask = t("reminders.ask_firm" if firm else "reminders.ask",  # "/update 3" in English
                command=t("reminders.update_command") + report.removeprefix("/capnhat"))
    elif report is None and len(others) == 1:  # the covenant's or the scoring's alone
        ask = t("reminders.ask_command", command=t(others[0].command),
                button=t(others[0].button))
    else:
        ask = t("reminders.ask_several")
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
    buttons = [Option(t(button), update) for update, button in actions]
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
                   default=now),
        expires_at=max(notice.occasion.expires_at for notice in notices))


class Notices:
    """Who in the bloc is told what of one occasion, as things stand now."""

    def __init__(self, repo: NoticeReads, blocs: Blocs, clock: Clock, texts: Texts) -> None:
        self._repo = repo
        self._blocs = blocs
        self._clock = clock
        self._texts = texts

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self._blocs.current.timezone)

    @property
    def bloc(self) -> Bloc:
        return self._blocs.current

    def now(self) -> datetime:
        return self._clock.now()

    def translator(self, language: str | None) -> Translate:
        return self._texts.translator(language)

    async def is_paused(self, period_id: int, unit_id: int | None = None) -> bool:
        """Whether reminders are paused for this deadline (or this unit)."""
        if period_id in await self._repo.paused_periods():
            return True
        return unit_id is not None and unit_id in await self._repo.paused_units()

    def recipients(self, status: BlocStatus, unit_id: int, occasion: Occasion,
                    deadline: Deadline) -> list[Member]:
        """Who in a unit is reminded: its contacts; from the plan's ``head_days`` before the
        deadline (and after it), its head too, where one is registered (the ladder's step
        before the chair, who gets the list after the deadline)."""
        zone = self.zone
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

    async def for_deadline(self, occasion: Occasion, *,
                           snoozable: bool) -> tuple[list[Notice], list[Outgoing]]:
        """What a deadline's occasion tells each person (``snoozable``: with "Nhắc lại sáng
        mai"), and, after the deadline, the list for the chair and deputy."""
        if occasion.task_id is not None:
            return await self._for_task(occasion, occasion.task_id, snoozable=snoozable)
        repo, bloc = self._repo, self._blocs.current
        period = next((p for p in await repo.list_periods(bloc.id)
                       if p.id == occasion.subject_id), None)
        deadline = occasion.deadline
        if period is None or deadline is None or await self.is_paused(period.id):
            return [], []
        status = await bloc_status(repo, bloc, self._clock.now(), period)
        firm = occasion.kind == "escalation"
        notices, owing_names = [], []
        for progress in status.incomplete:  # partial units too: only the tasks they lack
            unit = progress.unit
            if await self.is_paused(period.id, unit.id):
                continue
            owing_names.append(unit.short_name)
            for member in self.recipients(status, unit.id, occasion, deadline):
                t = self._texts.translator(member.language)
                body = t("reminders.escalation" if firm else "reminders.deadline",
                         period=escape(period.title),
                         when=format_deadline(deadline, self.zone, t),
                         tasks=task_lines(progress.missing, t))
                notices.append(Notice(occasion, member, unit.name, body, "/capnhat", firm,
                                      snoozable))
        officers = await self.officers(occasion, lambda t: t(
            "reminders.chair_list", period=escape(period.title), count=len(owing_names),
            units=escape(", ".join(owing_names)))) if firm and owing_names else []
        return notices, officers

    async def officers(self, occasion: Occasion,
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

    async def _for_task(self, occasion: Occasion, task_id: int, *,
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
        owing = [unit for unit in status.not_done_units(task)
                 if not await self.is_paused(period.id, unit.id)]
        zone = self.zone
        notices = []
        for unit in owing:
            for member in self.recipients(status, unit.id, occasion, occasion.deadline):
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
            officers = await self.officers(occasion, lambda t: t(
                "reminders.task_chair_list", number=task.position,
                title=escape(shorten(task.title, TITLE_IN_REMINDER)),
                when=format_deadline(deadline, zone, t), count=len(owing),
                units=escape(", ".join(unit.short_name for unit in owing))))
        return notices, officers

    async def for_conference(self, occasion: Occasion) -> list[Outgoing]:
        """A conference's reminder: to the units' people, the ministry's liaison and each of
        the bloc's groups."""
        repo, bloc = self._repo, self._blocs.current
        conference = next((c for c in await repo.list_conferences(bloc.id)
                           if c.id == occasion.subject_id), None)
        if conference is None:
            return []
        zone = self.zone
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
