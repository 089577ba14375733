"""Plain records the storage layer hands to the core.

They carry no behaviour tied to a database or a messenger; the core works on
these, never on rows or Telegram objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo


class Role(StrEnum):
    """What a registered person may do."""

    CONTACT = "contact"
    HEAD = "head"  # the unit's head (lãnh đạo đơn vị): sees the unit, signs, is reminded last
    CHAIR = "chair"
    DEPUTY = "deputy"
    LIAISON = "liaison"
    ADMIN = "admin"


@dataclass(frozen=True)
class Bloc:
    id: int
    code: str
    name: str
    ministry: str
    year: int
    theme: str | None
    timezone: str
    chair_unit_id: int | None
    deputy_unit_id: int | None
    liaison_organisation: str | None
    liaison_person: str | None
    groups: dict[str, str] = field(default_factory=dict)
    announce_updates: bool = False
    reminder_plan: dict[str, Any] = field(default_factory=dict)  # the bloc file's plan
    signer_name: str | None = None  # who signs the bloc's reports
    signer_title: str | None = None  # their position
    handover: dict[str, Any] | None = None  # the bloc file's rule for the next officers


@dataclass(frozen=True)
class Unit:
    id: int
    bloc_id: int
    code: str
    name: str
    short_name: str
    aliases: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class Deadline:
    """An instant in UTC; ``all_day`` when only the date was given (stored at 23:59:59)."""

    at: datetime
    all_day: bool

    def last_day(self, zone: ZoneInfo) -> date:
        """The last day on which it can still be met: "5/12/2026" is met on 5/12, but
        "5/12/2026 0h00" only until the end of 4/12."""
        return (self.at - timedelta(seconds=1)).astimezone(zone).date()

    def passed(self, now: datetime) -> bool:
        """Whether it has passed at ``now``, judged by its time, not its date."""
        return now >= self.at


@dataclass(frozen=True)
class Period:
    id: int
    bloc_id: int
    code: str
    title: str
    start: date
    end: date
    report_deadline: Deadline | None
    reminder_plan: dict[str, Any] | None = None  # {"days": [...]} overriding the bloc's


@dataclass(frozen=True)
class Task:
    id: int
    period_id: int
    code: str
    position: int
    title: str
    description: str | None
    deadline: Deadline | None
    unit_ids: tuple[int, ...] | None = None  # the units it concerns; None: every unit

    def concerns(self, unit_id: int) -> bool:
        """Whether the task is one this unit must report on."""
        return self.unit_ids is None or unit_id in self.unit_ids


@dataclass(frozen=True)
class Conference:
    id: int
    bloc_id: int
    code: str
    kind: str
    title: str
    starts: Deadline
    place: str | None
    agenda: tuple[str, ...]
    reminder_plan: dict[str, Any] | None = None  # {"days": [...], "hours": n}
    report_deadline: Deadline | None = None  # units report before the conference


@dataclass(frozen=True)
class Member:
    """A person registered with the bot on one channel."""

    id: int
    bloc_id: int
    channel: str
    external_id: str
    display_name: str
    unit_id: int | None
    role: Role
    language: str | None
    registered_at: datetime
    all_blocs: bool = False  # the ministry's liaison: follows every bloc served
    viewing_bloc_id: int | None = None  # the bloc such a liaison is looking at now


@dataclass(frozen=True)
class Invite:
    id: int
    bloc_id: int
    unit_id: int | None
    role: Role
    max_uses: int
    uses: int
    expires_at: datetime
    created_by: str
    created_at: datetime
    all_blocs: bool = False  # it registers the ministry's liaison, who follows every bloc


class RedeemOutcome(StrEnum):
    """Why an invite token was or was not accepted."""

    REGISTERED = "registered"
    ALREADY_MEMBER = "already_member"  # the invite is left for someone else
    ALREADY_REGISTERED = "already_registered"  # a member opening a spent invite (theirs)
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"


@dataclass(frozen=True)
class Redemption:
    outcome: RedeemOutcome
    member: Member | None = None


@dataclass(frozen=True)
class ShownMenu:
    """A numbered menu shown in a chat: the dialog token it was offered under and its
    options as (label, value) pairs, in the order they were numbered."""

    channel: str
    chat_id: str
    token: int
    options: tuple[tuple[str, str], ...]


@dataclass
class DialogState:
    """Where one person is in a guided conversation.

    ``token`` grows every time the bot asks a question, so an answer to an
    older question (an old keyboard) can be recognised and refused.
    """

    channel: str
    external_id: str
    form: str | None
    step: str | None
    answers: dict[str, Any] = field(default_factory=dict)
    token: int = 0
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SyncSummary:
    """What loading a bloc file changed (all zero on a repeated load)."""

    bloc_id: int
    created: int
    updated: int
    retired: int
    skipped: tuple[str, ...] = ()  # what the file asked that chat changes or history prevented

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]


class ProgressStatus(StrEnum):
    """Where a unit stands on a task."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Attachment:
    """A file or photo a contact attached, known by the channel's file id."""

    channel: str
    file_id: str
    kind: str  # "document" or "photo"
    name: str | None
    mime_type: str | None
    size: int | None


@dataclass(frozen=True)
class NewProgressUpdate:
    """What a contact submits; the repository gives it a number and a version."""

    unit_id: int
    task_id: int
    status: ProgressStatus
    percent: int
    note: str
    help_needed: str | None
    author_member_id: int
    author_name: str
    on_behalf: bool
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class ProgressUpdate:
    """One stored version of a unit's report on a task."""

    id: int
    unit_id: int
    task_id: int
    version: int
    status: ProgressStatus
    percent: int
    note: str
    help_needed: str | None
    author_member_id: int
    author_name: str
    on_behalf: bool
    created_at: datetime
    withdrawn_at: datetime | None
    attachments: tuple[Attachment, ...] = ()


class OutboxStatus(StrEnum):
    """Where an outgoing message stands."""

    PENDING = "pending"
    SENDING = "sending"  # claimed by the sender; after a crash, sent again (at least once)
    SENT = "sent"
    FAILED = "failed"  # refused for good, or too many failed attempts
    BLOCKED = "blocked"  # the person blocked the bot: not retried
    EXPIRED = "expired"  # its moment passed while the bot was down: dropped


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to send later: ``dedup_key`` says what, for whom and on which occasion."""

    dedup_key: str
    channel: str
    chat_id: str
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime | None = None
    batch_id: int | None = None
    file: bytes | None = None  # a reply's file (its name and type are in the payload)
    part: int = 1  # which of the messages one reply is shown as (a long text, cut)


@dataclass(frozen=True)
class ReplyOutcome:
    """How sending one of an event's replies went."""

    row_id: int
    status: OutboxStatus  # SENT, PENDING (the outbox retries it), FAILED or BLOCKED
    error: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class OutboxRow:
    """A stored outgoing message and its delivery state."""

    id: int
    dedup_key: str
    batch_id: int | None
    channel: str
    chat_id: str
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime | None
    status: OutboxStatus
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    file: bytes | None = None


@dataclass(frozen=True)
class BatchReport:
    """How a batch of messages (a nudge, an announcement) went, once all are settled."""

    batch_id: int
    channel: str
    report_chat: str | None
    report_language: str
    kind: str
    counts: dict[OutboxStatus, int]


@dataclass(frozen=True)
class Snooze:
    """A reminder one person put off to the next working morning."""

    member_id: int
    occasion: str  # the reminder's occasion key, e.g. "deadline:3@1764867600:7d"
    origin: tuple[str, int]  # the row it comes from: a period, a conference or a task
    fire_at: datetime


@dataclass(frozen=True)
class Absence:
    """A person away from ``starts`` to ``ends`` (both days included), and who covers."""

    member_id: int
    starts: date
    ends: date
    backup_member_id: int | None

    def covers(self, day: date) -> bool:
        """Whether the person is away on ``day``."""
        return self.starts <= day <= self.ends


@dataclass(frozen=True)
class Attendance:
    """A unit's answer to a conference invitation (the liaison's own: no unit)."""

    unit_id: int | None
    answer: str  # "attend", "absent" or "delegate"
    attendee_name: str | None
    attendee_title: str | None
    member_id: int
    answered_at: datetime
    reason: str | None = None  # why the unit does not attend
