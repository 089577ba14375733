"""Progress updates, the domain side: statuses, percent and one-liner parsing, submitting.

Nothing here knows a messenger; handlers call these with plain values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.text import fold
from storage.records import (
    Attachment,
    Member,
    NewProgressUpdate,
    ProgressStatus,
    ProgressUpdate,
    Task,
)

WITHDRAW_WINDOW = timedelta(hours=24)
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # what a Telegram bot can download
STATUS_ORDER = (ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS, ProgressStatus.DONE,
                ProgressStatus.BLOCKED)
ASKS_PERCENT = frozenset({ProgressStatus.IN_PROGRESS, ProgressStatus.BLOCKED})

# "60", "60%", "60 %", and "khoảng 70%" / "tầm 70" / "about 70%" (matched without diacritics)
_PERCENT = re.compile(
    r"^\s*(?:(?:khoang|tam|gan|xap xi|chung|about|around|approximately|approx\.?|~)\s*)?"
    r"(-?\d{1,4})\s*%?\s*$")
_QUICK = re.compile(
    r"^\s*(?P<task>\d{1,3})(?:\s+(?P<percent>[^\s%]{1,6}\s?%))?(?:\s+(?P<note>.+))?$", re.DOTALL)


class PercentError(ValueError):
    """Not a whole percent from 0 to 100."""


def parse_percent(text: str) -> int:
    """``60``, ``60%``, ``60 %`` and ``khoảng 60%`` give 60; anything outside 0..100 is
    refused."""
    match = _PERCENT.match(fold(text))
    if not match:
        raise PercentError(text)
    value = int(match.group(1))
    if not 0 <= value <= 100:
        raise PercentError(text)
    return value


def implied_percent(status: ProgressStatus, given: int | None) -> int:
    """Done means 100 and not started 0; otherwise what the contact said."""
    if status is ProgressStatus.DONE:
        return 100
    if status is ProgressStatus.NOT_STARTED:
        return 0
    return given if given is not None else 0


@dataclass(frozen=True)
class QuickUpdate:
    """What a one-line ``/capnhat 3 80% note`` said; ``None`` where it said nothing usable."""

    task: Task | None
    percent: int | None
    note: str | None

    @property
    def complete(self) -> bool:
        return self.task is not None and self.percent is not None and bool(self.note)


def parse_quick_update(text: str, tasks: list[Task]) -> QuickUpdate:
    """Read ``<task number> <percent>% <what was done>``; keep what could be understood."""
    match = _QUICK.match(text)
    if not match:
        return QuickUpdate(None, None, text.strip() or None)
    number = int(match.group("task"))
    task = next((t for t in tasks if t.position == number), None)
    percent: int | None = None
    if match.group("percent") is not None:
        try:
            percent = parse_percent(match.group("percent"))
        except PercentError:
            percent = None
    note = (match.group("note") or "").strip() or None
    return QuickUpdate(task, percent, note)


def quick_status(percent: int) -> ProgressStatus:
    """A one-liner at 100 % is done; anything less is in progress."""
    return ProgressStatus.DONE if percent == 100 else ProgressStatus.IN_PROGRESS


def next_unreported(tasks: list[Task], latest: dict[int, ProgressUpdate],
                    after: int | None) -> Task | None:
    """The first task after ``after`` (wrapping round) with no update yet this period."""
    missing = [task for task in tasks if task.id not in latest and task.id != after]
    if not missing:
        return None
    position = next((t.position for t in tasks if t.id == after), 0)
    later = [task for task in missing if task.position > position]
    return (later or missing)[0]


def can_withdraw(update: ProgressUpdate, now: datetime) -> bool:
    """A standing update may be withdrawn within 24 hours of being sent."""
    return update.withdrawn_at is None and now - update.created_at <= WITHDRAW_WINDOW


def new_report(
    *, member: Member, unit_id: int, task_id: int, status: ProgressStatus,
    percent: int | None, note: str, help_needed: str | None,
    attachments: tuple[Attachment, ...],
) -> NewProgressUpdate:
    """A new version of the unit's report as the person gave it: the percent its status
    implies, help only when blocked, on behalf when the author is not the unit's."""
    return NewProgressUpdate(
        unit_id=unit_id, task_id=task_id, status=status,
        percent=implied_percent(status, percent), note=note,
        help_needed=help_needed if status is ProgressStatus.BLOCKED else None,
        author_member_id=member.id, author_name=member.display_name,
        on_behalf=member.unit_id != unit_id, attachments=attachments,
    )
