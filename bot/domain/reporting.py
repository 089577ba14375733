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

# an estimate before a percent: "khoảng 70%", "tầm 70", "about 70%" (matched without diacritics)
_ABOUT = r"(?:(?:khoang|tam|gan|xap xi|chung|about|around|approximately|approx\.?|~)\s*)?"
# "60", "60%", "60 %", "khoảng 70%": the whole answer to the percent step
_PERCENT = re.compile(rf"^\s*{_ABOUT}(-?\d{{1,4}})\s*%?\s*$")


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
# "Khó khăn: …" (or "vướng mắc:") anywhere: what follows is the help asked, and the report
# says blocked, unless it says there is none ("Khó khăn: không").
_HELP_MARK = re.compile(
    r"(?:gap\s+)?(?:kho khan(?:,? vuong mac)?|vuong mac|difficulty|difficulties|blocker|"
    r"blockers)\s*:")
_NO_HELP = frozenset({"", "-", "khong", "khong co", "chua", "chua co", "none", "no", "n/a"})
_TASK_LEAD = re.compile(r"\s*(?:nv|nhiem vu|task|#)?\s*(\d{1,4})(?![\d%])")
_PERCENT_LEAD = re.compile(rf"{_ABOUT}(?:-?\d{{1,6}}|[^\s%]{{1,8}})\s*%")
_SEPARATORS = " \t\n-–—:,.;/|"
_MINUS = re.compile(r"\s+-(?=\d)")  # a minus sign stuck to a number after a space
_BREAKS = _SEPARATORS.replace(" ", "").replace("\t", "")  # what ends a status word for sure


def _fold_chars(text: str) -> str:
    """``text`` lower-cased without diacritics, one character for one (positions kept)."""
    folded = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))[0].lower()
        folded.append(base if len(base) == 1 else ch)
    return "".join(folded)


def parse_quick_update(text: str, tasks: list[Task]) -> QuickUpdate:
    """Read ``<task> [<percent>%] [<status> [<percent>%]] [<what was done>] [Khó khăn: …]``.

    The task may be written ``5``, ``nv5`` or ``nhiệm vụ 5``; parts may be separated by
    spaces, dashes, colons or new lines (``4 - 80 % - …``); status words are read with or
    without diacritics (``hoàn thành``, ``chua bat dau``). A percent sets the status (100:
    done, 0: not started, else in progress); status words it contradicts stay in the note,
    and so do status words run into the note's own words ("Hoàn thành hội thảo ngày 12/11").
    What cannot be taken is named in ``problems``, never dropped.
    """
    text = unicodedata.normalize("NFC", text)  # Unikey's "Unicode tổ hợp" types decomposed
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
    if minus := _MINUS.match(folded, lead.end()):  # "3 -10%": a negative percent, not a dash
        at = minus.end() - 1
    percent, at = _percent_at(text, folded, at, problems)
    mark = _HELP_MARK.search(folded, at)  # "Khó khăn: …" ends the note, whatever comes first
    limit = mark.start() if mark is not None else len(folded)
    status: ProgressStatus | None = None
    named, end = _status_at(folded, at, limit)
    breaks = named is not None and (_skip(folded, end) == len(folded) or folded[end] in _BREAKS)
    if named is not None and percent is None:  # "đang thực hiện 60% …": the percent after it
        later, after = _percent_at(text, folded, _skip(folded, end), problems)
        if later is not None:
            if named in (quick_status(later), ProgressStatus.BLOCKED):
                percent, status, at = later, named, min(after, limit)
        elif named is not ProgressStatus.BLOCKED or breaks:  # "Khó khăn đã được khắc phục"
            status = named
            following = _skip(folded, end)
            if breaks or (following < len(text) and text[following].isupper()):
                at = min(following, limit)  # "hoàn thành: …", "xong. Đã …", "xong Đã …"
    elif named is ProgressStatus.BLOCKED and (breaks or end == limit):
        status, at = named, min(_skip(folded, end), limit)  # "30% khó khăn - thiếu người"
    help_needed = None
    if mark is not None:
        told = text[mark.end():].strip()
        if " ".join(_fold_chars(told).split()).strip(".!") in _NO_HELP:
            limit = len(folded)  # "Khó khăn: không": nothing asked, the line is the note's
            text_note = text[at:mark.start()]
        else:
            help_needed, status, text_note = told, ProgressStatus.BLOCKED, text[at:limit]
    else:
        text_note = text[at:limit]
    if status is None and percent is not None:
        status = quick_status(percent)
    note = text_note.strip(_SEPARATORS) or None
    return QuickUpdate(task, percent, note, status, help_needed, tuple(problems))


def _percent_at(text: str, folded: str, at: int,
                problems: list[QuickProblem]) -> tuple[int | None, int]:
    """A percent at ``at`` (``80%``, ``khoảng 70 %``), and where reading goes on."""
    found = _PERCENT_LEAD.match(folded, at)
    if found is None:
        return None, at
    raw = text[found.start():found.end()].strip()
    try:
        return parse_percent(raw), _skip(folded, found.end())
    except PercentError:
        problems.append(QuickProblem("progress.quick_bad_percent", (("value", raw),)))
        return None, _skip(folded, found.end())


def _status_at(folded: str, at: int, limit: int) -> tuple[ProgressStatus | None, int]:
    """The status words at ``at`` (not running into a longer word), and where they end."""
    for words, named in _STATUS_WORDS:
        end = at + len(words)
        if folded.startswith(words, at) and end <= limit and (
                end == len(folded) or not folded[end].isalnum()):
            return named, end
    return None, at


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
