"""Progress updates, the domain side: statuses, percent and one-liner parsing, submitting.

Nothing here knows a messenger; handlers call these with plain values.
"""

from __future__ import annotations

import re
import unicodedata
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
class QuickProblem:
    """Something a one-liner said that cannot be taken: a catalog key and its values."""

    key: str
    values: tuple[tuple[str, str | int], ...] = ()


@dataclass(frozen=True)
class QuickUpdate:
    """What a one-line ``/capnhat 3 80% note`` said; ``None`` where it said nothing usable,
    and ``problems`` for what it said that cannot be taken (never dropped silently)."""

    task: Task | None
    percent: int | None
    note: str | None
    status: ProgressStatus | None = None
    help_needed: str | None = None
    problems: tuple[QuickProblem, ...] = ()

    @property
    def complete(self) -> bool:
        """Everything a report needs is there: the summary can be shown at once."""
        if self.task is None or self.status is None or not self.note:
            return False
        if self.status is ProgressStatus.BLOCKED and not self.help_needed:
            return False
        return self.percent is not None or self.status not in ASKS_PERCENT


# Folded words that name a status at the start of a one-liner (after the task and percent).
_STATUS_WORDS: tuple[tuple[str, ProgressStatus], ...] = (
    ("da hoan thanh", ProgressStatus.DONE), ("hoan thanh", ProgressStatus.DONE),
    ("xong", ProgressStatus.DONE), ("done", ProgressStatus.DONE),
    ("completed", ProgressStatus.DONE),
    ("dang thuc hien", ProgressStatus.IN_PROGRESS),
    ("dang trien khai", ProgressStatus.IN_PROGRESS),
    ("in progress", ProgressStatus.IN_PROGRESS),
    ("chua bat dau", ProgressStatus.NOT_STARTED), ("chua thuc hien", ProgressStatus.NOT_STARTED),
    ("not started", ProgressStatus.NOT_STARTED),
    ("gap kho khan", ProgressStatus.BLOCKED), ("kho khan", ProgressStatus.BLOCKED),
    ("vuong mac", ProgressStatus.BLOCKED), ("blocked", ProgressStatus.BLOCKED),
)
# "khó khăn: …" (or "vướng mắc:", "đề xuất:", "kiến nghị:") anywhere: the rest is the help asked
_HELP_MARK = re.compile(
    r"(?:gap\s+)?(?:kho khan(?:,? vuong mac)?|vuong mac|de xuat|kien nghi|can ho tro|"
    r"difficulty|difficulties|blocker|help needed)\s*:")
_TASK_LEAD = re.compile(r"\s*(?:nv|nhiem vu|task|#)?\s*(\d{1,4})(?![\d%])")
_PERCENT_LEAD = re.compile(
    r"(?:(?:khoang|tam|gan|about|around|~)\s*)?(?:-?\d{1,6}|[^\s%]{1,8})\s*%")
_SEPARATORS = " \t-–—:,.;/|"


def _fold_chars(text: str) -> str:
    """``text`` lower-cased without diacritics, one character for one (positions kept)."""
    folded = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))[0].lower()
        folded.append(base if len(base) == 1 else ch)
    return "".join(folded)


def parse_quick_update(text: str, tasks: list[Task]) -> QuickUpdate:
    """Read ``<task> [<percent>%] [<status>] [<what was done>] [khó khăn: <help>]``.

    The task may be written ``5``, ``nv5`` or ``nhiệm vụ 5``; parts may be separated by
    spaces, dashes or colons (``4 - 80 % - …``); status words are read with or without
    diacritics (``hoàn thành``, ``chua bat dau``). A percent alone sets the status (100:
    done, 0: not started, else in progress). What cannot be taken is named in ``problems``.
    """
    folded = _fold_chars(text)
    lead = _TASK_LEAD.match(folded)
    if lead is None:
        return QuickUpdate(None, None, text.strip() or None)
    problems: list[QuickProblem] = []
    number = int(lead.group(1))
    task = next((t for t in tasks if t.position == number), None)
    if task is None:
        problems.append(QuickProblem("progress.quick_no_task",
                                     (("number", number), ("count", len(tasks)))))
    at = _skip(folded, lead.end())
    percent: int | None = None
    if (found := _PERCENT_LEAD.match(folded, at)) is not None:
        raw = text[found.start():found.end()].strip()
        try:
            percent = parse_percent(raw)
        except PercentError:
            problems.append(QuickProblem("progress.quick_bad_percent", (("value", raw),)))
        at = _skip(folded, found.end())
    mark = _HELP_MARK.search(folded, at)  # "khó khăn: …" ends the note, whatever comes first
    limit = mark.start() if mark is not None else len(folded)
    status: ProgressStatus | None = None
    for words, named in _STATUS_WORDS:
        end = at + len(words)
        if folded.startswith(words, at) and end <= limit and (
                end == len(folded) or not folded[end].isalnum()):
            # after a percent, which already says the status, such words are the note
            # ("100% Xong", "80% Đã hoàn thành phần lớn"), unless they say it is blocked
            if percent is None or named is ProgressStatus.BLOCKED:
                status, at = named, min(_skip(folded, end), limit)
            break
    rest, help_needed = text[at:limit], None
    if mark is not None:
        help_needed = text[mark.end():].strip() or None
        status = ProgressStatus.BLOCKED
    if status is None and percent is not None:
        status = quick_status(percent)
    note = rest.strip(_SEPARATORS + "\n") or None
    return QuickUpdate(task, percent, note, status, help_needed, tuple(problems))


def _skip(folded: str, at: int) -> int:
    """The position after any separators from ``at``."""
    while at < len(folded) and folded[at] in _SEPARATORS:
        at += 1
    return at


def quick_status(percent: int) -> ProgressStatus:
    """A percent alone: 100 is done, 0 not started, anything between in progress."""
    if percent == 100:
        return ProgressStatus.DONE
    return ProgressStatus.NOT_STARTED if percent == 0 else ProgressStatus.IN_PROGRESS


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
