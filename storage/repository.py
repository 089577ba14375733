"""What the bot stores, as one port per aggregate.

A service is given the ports it uses (the outbox worker an :class:`OutboxStore`, the
inbox an :class:`InboxStore`…); a handler's Context holds the whole
:class:`Repository`, which is every port at once. :class:`storage.sqlite.SqliteRepository`
is the embedded implementation; a server database is another, behind the same ports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, Protocol

from config.bloc import BlocConfig
from storage.records import (
    Absence,
    Attendance,
    AuditEntry,
    BatchReport,
    Bloc,
    Conference,
    Deadline,
    DialogState,
    Invite,
    Member,
    NewProgressUpdate,
    OutboxRow,
    OutboxStatus,
    OutgoingMessage,
    Period,
    ProgressUpdate,
    Redemption,
    ReplyOutcome,
    Role,
    ShownMenu,
    Snooze,
    SyncSummary,
    Task,
    Unit,
)


class Database(Protocol):
    """The connection and its transactions: one unit of work per event."""

    async def ping(self) -> bool:
        """Whether the database answers (for the health check)."""

    async def close(self) -> None:
        """Release the connection."""

    def unit_of_work(self, *, join: bool = False,
                     immediate: bool = False) -> AbstractAsyncContextManager[None]:
        """Every write inside commits together when the block ends, or none does (``join``:
        inside an open unit, be part of it; ``immediate``: take the write lock at once, so
        the reads inside are serialised with every writer too)."""

    async def discard_unit(self) -> None:
        """Roll back what the open unit of work wrote so far; it goes on, empty."""


class BlocStore(Protocol):
    """The bloc as loaded from its file: units, movements, the bloc's groups."""

    async def sync_bloc(self, config: BlocConfig, now: datetime) -> SyncSummary:
        """Create or update the bloc from its file; idempotent, keyed by codes."""

    async def get_bloc(self, code: str) -> Bloc | None:
        """The bloc with this code."""

    async def last_loaded_bloc(self) -> Bloc | None:
        """The bloc the bloc file loaded last (kept when a later edit of the file is broken)."""

    async def list_units(self, bloc_id: int) -> list[Unit]:
        """Active units in the bloc file's order."""

    async def get_unit(self, unit_id: int) -> Unit | None:
        """One unit by id (also a retired one, so history can name it)."""

    async def list_movements(self, bloc_id: int) -> list[str]:
        """Names of the bloc's active movements, in order."""

    async def bloc_group(self, bloc_id: int, channel: str) -> str | None:
        """The group the bloc's list was posted in on ``channel``, if the bot learnt one."""

    async def set_bloc_group(self, bloc_id: int, channel: str, chat_id: str) -> None:
        """``chat_id`` is the bloc's group on ``channel`` from now on."""


class TaskStore(Protocol):
    """Periods and their task lists (from the file, or managed in chat)."""

    async def list_periods(self, bloc_id: int) -> list[Period]:
        """Active periods, oldest first."""

    async def list_tasks(self, period_id: int) -> list[Task]:
        """Active tasks of a period, in order."""

    async def add_task(self, *, period_id: int, title: str, description: str | None,
                       deadline: Deadline | None, unit_ids: list[int] | None, actor: str,
                       now: datetime) -> int:
        """Append a task to a period; returns its id."""

    async def change_task(self, task_id: int, *, actor: str, now: datetime,
                          title: str = ..., description: str | None = ...,
                          deadline: Deadline | None = ...,
                          unit_ids: list[int] | None = ...) -> None:
        """Change some fields of a task; the change wins over the bloc file from now on."""

    async def move_task(self, task_id: int, position: int, *, actor: str, now: datetime) -> None:
        """Put a task at ``position``; the period keeps the chat's order from now on."""

    async def close_task(self, task_id: int, *, actor: str, now: datetime) -> None:
        """Take a task off the list (its updates stay in the history)."""

    async def open_period(self, *, bloc_id: int, title: str, start: date, end: date,
                          deadline: Deadline | None, actor: str, now: datetime) -> int:
        """Open a new reporting period in chat; returns its id."""

    async def set_report_deadline(self, period_id: int, deadline: Deadline | None, *,
                                  actor: str, now: datetime) -> None:
        """Set (or clear) a period's report deadline in chat; reloads of the bloc file keep
        it."""


class ConferenceStore(Protocol):
    """Conferences (from the file or scheduled in chat) and attendance."""

    async def list_conferences(self, bloc_id: int) -> list[Conference]:
        """Active conferences, soonest first."""

    async def schedule_conference(self, *, bloc_id: int, kind: str, title: str,
                                  starts: Deadline, place: str | None, agenda: list[str],
                                  actor: str, now: datetime) -> int:
        """A new conference from chat; returns its id."""

    async def move_conference(self, conference_id: int, starts: Deadline, *, actor: str,
                              now: datetime) -> None:
        """Change a conference's time; the units' answers no longer stand (asked again)."""

    async def cancel_conference(self, conference_id: int, *, actor: str, now: datetime) -> None:
        """Cancel a conference (kept for the record)."""

    async def answer_attendance(self, *, conference_id: int, unit_id: int, answer: str,
                                attendee_name: str | None, attendee_title: str | None,
                                member_id: int, now: datetime,
                                reason: str | None = None) -> None:
        """Record (or change) a unit's attendance answer (who attends; why not)."""

    async def attendance(self, conference_id: int) -> dict[int, Attendance]:
        """Every unit's standing answer to a conference, by unit id."""

    async def answer_liaison_attendance(self, *, conference_id: int, member_id: int,
                                        answer: str, attendee_name: str | None,
                                        attendee_title: str | None, now: datetime,
                                        reason: str | None = None) -> None:
        """Record (or change) the liaison's own answer (the liaison belongs to no unit)."""

    async def liaison_attendance(self, conference_id: int) -> dict[int, Attendance]:
        """The liaisons' standing answers to a conference, by member id."""

    async def set_conference_report_deadline(self, conference_id: int,
                                             deadline: Deadline | None, *, actor: str,
                                             now: datetime) -> None:
        """Set (or clear) when units report before a conference."""


class MemberStore(Protocol):
    """The people registered, and the invites that register them."""

    async def get_member(self, channel: str, external_id: str) -> Member | None:
        """The registered person behind a channel's user id."""

    async def list_members(self, bloc_id: int, unit_id: int | None = None) -> list[Member]:
        """Active members of the bloc (or of one unit)."""

    async def set_member_language(self, member_id: int, language: str) -> None:
        """Remember a person's chosen language."""

    async def upsert_member(
        self, *, bloc_id: int, channel: str, external_id: str, display_name: str,
        unit_id: int | None, role: Role, now: datetime,
    ) -> Member:
        """Register (or re-register) a person directly, e.g. the demo's personas."""

    async def create_invite(
        self, *, bloc_id: int, token_hash: str, unit_id: int | None, role: Role,
        max_uses: int, expires_at: datetime, created_by: str, now: datetime,
    ) -> Invite:
        """Store a new invite (only the token's hash is kept)."""

    async def redeem_invite(
        self, *, token_hash: str, channel: str, external_id: str, display_name: str,
        now: datetime,
    ) -> Redemption:
        """Atomically check and use an invite, registering the person on success."""

    async def set_absence(self, absence: Absence, now: datetime) -> None:
        """Record (or replace) a person's absence and who covers for them."""

    async def clear_absence(self, member_id: int) -> None:
        """The person is back (or was never going)."""

    async def absences(self) -> dict[int, Absence]:
        """Every recorded absence, by the absent person's member id."""


class DialogStore(Protocol):
    """Where each person is in a conversation, their drafts, and the numbered menus of
    messengers without buttons."""

    async def load_dialog(self, channel: str, external_id: str) -> DialogState | None:
        """Where this person is in a conversation, if the bot has ever asked them."""

    async def save_dialog(self, state: DialogState, now: datetime) -> None:
        """Store a person's conversation place (form ``None`` means idle)."""

    async def list_idle_dialogs(self, before: datetime) -> list[DialogState]:
        """Conversations in progress whose last step was before ``before``."""

    async def park_dialog(self, state: DialogState, now: datetime) -> None:
        """Keep an idle conversation's answers as a draft and leave the conversation."""

    async def load_draft(self, channel: str, external_id: str,
                         form: str) -> tuple[str | None, dict[str, object]] | None:
        """A parked draft of ``form``: (step, answers), or ``None``."""

    async def delete_draft(self, channel: str, external_id: str, form: str) -> None:
        """Forget a parked draft (resumed or discarded)."""

    async def save_menu(self, menu: ShownMenu, now: datetime) -> None:
        """Remember the numbered menu just shown in a chat, replacing the previous one."""

    async def load_menu(self, channel: str, chat_id: str) -> ShownMenu | None:
        """The numbered menu last shown in a chat, if it is still in force."""

    async def clear_menu(self, channel: str, chat_id: str) -> None:
        """The chat's last menu no longer applies (the bot asked for typed text)."""


class InboxStore(Protocol):
    """Messengers' updates: written down on receipt, handled once."""

    async def inbox_add(self, channel: str, updates: list[tuple[str, str]],
                        now: datetime) -> list[int | None]:
        """Write down a messenger's ``(key, body)`` updates in one transaction; each one's
        inbox row, or ``None`` for one already waiting."""

    async def inbox_waiting(self, channel: str) -> list[tuple[int, str]]:
        """Updates received but not yet handled, oldest first: (inbox id, JSON body)."""

    async def inbox_remove(self, inbox_id: int) -> None:
        """The update was handled: it leaves the inbox."""

    async def mark_handled(self, channel: str, update_key: str, now: datetime) -> bool:
        """Record a messenger's update as handled; ``False`` if it was already."""

    async def was_handled(self, channel: str, update_key: str) -> bool:
        """Whether this update was handled already (a re-delivery)."""

    async def forget_handled(self, before: datetime) -> int:
        """Drop the record of updates handled before ``before``; returns how many."""


class ReportStore(Protocol):
    """The units' progress reports: versioned per unit and task, never overwritten."""

    async def record_update(self, new: NewProgressUpdate, now: datetime) -> ProgressUpdate:
        """Store a new version of a unit's report on a task (numbered, audited)."""

    async def get_update(self, update_id: int) -> ProgressUpdate | None:
        """One stored version by its number."""

    async def latest_updates(self, unit_id: int,
                             task_ids: Sequence[int]) -> dict[int, ProgressUpdate]:
        """The unit's latest standing (not withdrawn) update per task, by task id."""

    async def latest_for_period(self, period_id: int) -> list[ProgressUpdate]:
        """Every unit's latest standing update on every task of a period."""

    async def history_for_period(self, period_id: int) -> list[ProgressUpdate]:
        """Every version of every unit's report on the period's active tasks."""

    async def update_history(self, unit_id: int, task_id: int) -> list[ProgressUpdate]:
        """Every version of a unit's report on a task, oldest first, withdrawn included."""

    async def withdraw_update(self, update_id: int, member_id: int,
                              now: datetime) -> ProgressUpdate | None:
        """Mark a version withdrawn (kept in history); ``None`` if it was already."""


class OutboxStore(Protocol):
    """Messages to send, sent, refused; batches and their reports; an event's replies."""

    async def create_batch(self, *, channel: str, report_chat: str | None, language: str,
                           kind: str, now: datetime) -> int:
        """A group of messages whose outcome is reported to ``report_chat`` once settled."""

    async def enqueue(self, messages: list[OutgoingMessage], now: datetime) -> int:
        """Store messages to send (idempotent by key); returns how many were new."""

    async def record_replies(self, messages: list[OutgoingMessage], now: datetime) -> list[int]:
        """Store an event's replies, claimed for sending right after the commit."""

    async def settle_replies(self, outcomes: list[ReplyOutcome], now: datetime) -> None:
        """Record how an event's replies went, in one transaction."""

    async def expire_pending(self, key_prefix: str, now: datetime) -> int:
        """Drop unsent messages whose key starts with ``key_prefix``."""

    async def outbox_has(self, channel: str, dedup_key: str) -> bool:
        """Whether a message with this key was ever queued on ``channel``."""

    async def last_sent_at(self) -> datetime | None:
        """When the outbox last delivered a message."""

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxRow]:
        """Take up to ``limit`` due messages, marking them as being sent."""

    async def settle(self, row_id: int, status: OutboxStatus, now: datetime,
                     error: str | None = None, attempted: bool = True) -> None:
        """Record a final outcome."""

    async def retry_later(self, row_id: int, at: datetime, error: str,
                          attempted: bool = True) -> None:
        """Queue a message again for another attempt at ``at`` (counted if ``attempted``)."""

    async def recover_in_flight(self) -> list[OutboxRow]:
        """After a crash: messages that were being sent go back to the queue."""

    async def next_due(self) -> datetime | None:
        """When the earliest pending message is due."""

    async def outbox_rows(self, status: OutboxStatus | None = None,
                          limit: int = 100) -> list[OutboxRow]:
        """Messages in the outbox (newest first), optionally of one status."""

    async def settled_batches(self) -> list[BatchReport]:
        """Unreported batches whose every message has reached a final state."""

    async def settle_later_parts(self, channel: str, dedup_key: str, status: OutboxStatus,
                                 error: str) -> int:
        """A part of a message was refused for good: its later parts share its outcome."""

    async def mark_batch_reported(self, batch_id: int, now: datetime) -> None:
        """Remember that a batch's outcome was reported."""


class ReminderStore(Protocol):
    """Which reminders went out, and which are paused."""

    async def sent_reminders(self, occasions: Iterable[str]) -> set[str]:
        """Those of ``occasions`` already sent (or skipped for good)."""

    async def mark_reminder_sent(self, occasion: str, now: datetime) -> None:
        """The occasion is done: sent, or skipped for a later one."""

    async def paused_units(self) -> set[int]:
        """The units whose contacts get no reminders now."""

    async def paused_periods(self) -> set[int]:
        """The periods whose report deadline is reminded to nobody now."""

    async def pause_unit(self, unit_id: int, paused: bool, now: datetime) -> None:
        """Pause (or resume) the reminders of one unit."""

    async def pause_period(self, period_id: int, paused: bool, now: datetime) -> None:
        """Pause (or resume) the reminders of one period's report deadline."""

    async def snooze(self, snooze: Snooze) -> bool:
        """Put off a reminder for one person; ``False`` if they already did (once each)."""

    async def pending_snoozes(self) -> list[Snooze]:
        """The reminders put off and not yet sent again, soonest first."""

    async def snooze_done(self, member_id: int, occasion: str, now: datetime) -> None:
        """The put-off reminder went out again (or was no longer needed)."""

    async def hold_over(self, snooze: Snooze) -> None:
        """Hold a reminder for one person until ``snooze.fire_at`` (they were told something
        else that day already), whether or not it was put off before."""

    async def record_letter(self, letter: str, occasions: Iterable[str]) -> None:
        """What a letter of several reminders held (its outbox key → their occasions)."""

    async def letter_items(self, letter: str) -> list[str]:
        """The occasions a letter held, or none for a letter not recorded."""

    async def letters_on(self, since: datetime, until: datetime,
                         kind: str) -> dict[tuple[str, str], set[str]]:
        """The messages of ``kind`` queued (and not dropped) in ``[since, until)``: their keys
        by ``(channel, chat)``."""


class PostingStore(Protocol):
    """Where the bloc's task list is posted."""

    async def posted_list(self, channel: str, chat_id: str) -> str | None:
        """The message holding the task list posted in ``chat_id``, if one was."""

    async def posted_lists(self) -> list[tuple[str, str, str]]:
        """Every posted task list: (channel, chat, message)."""

    async def set_posted_list(self, channel: str, chat_id: str, message_id: str) -> None:
        """The task list in ``chat_id`` is now ``message_id``."""


class AccountStore(Protocol):
    """What the bot learnt of the messengers: its names, groups that moved."""

    async def bot_username(self, channel: str) -> str | None:
        """The bot's name on ``channel`` as it last connected."""

    async def set_bot_username(self, channel: str, username: str) -> None:
        """Remember the bot's name on ``channel``."""

    async def moved_chat(self, channel: str, chat_id: str) -> str | None:
        """Where a group moved (a Telegram group that became a supergroup), if it did."""

    async def moved_chats(self, channel: str) -> dict[str, str]:
        """Every group of ``channel`` that moved: old id → new id."""

    async def move_chat(self, channel: str, chat_id: str, moved_to: str) -> None:
        """``chat_id`` is ``moved_to`` from now on."""


class AuditStore(Protocol):
    """Who changed what."""

    async def audit(
        self, *, actor: str, action: str, subject: str, details: dict[str, Any], now: datetime
    ) -> None:
        """Record who changed what."""

    async def list_audit(self, limit: int = 100) -> list[AuditEntry]:
        """Newest audit entries first."""


class Repository(Database, BlocStore, TaskStore, ConferenceStore, MemberStore, DialogStore,
                 InboxStore, ReportStore, OutboxStore, ReminderStore, PostingStore, AccountStore,
                 AuditStore, Protocol):
    """Every port at once: what a handler's Context holds."""
