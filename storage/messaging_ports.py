"""The ports to the bot's traffic with the messengers, and the transaction it runs in.

An update is written down on receipt and handled once (:class:`InboxStore`), in one unit
of work (:class:`Database`), at a person's place in a conversation (:class:`DialogStore`);
what the bot says goes out through the outbox (:class:`OutboxStore`), and its outreach
remembers what it already did: reminders sent and paused (:class:`ReminderStore`), task
lists posted (:class:`PostingStore`), its own names and the groups that moved
(:class:`AccountStore`). The bloc's data itself is :mod:`storage.bloc_ports`;
:class:`storage.repository.Repository` is every port at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Protocol

from storage.records import (
    BatchReport,
    DialogState,
    OutboxRow,
    OutboxStatus,
    OutgoingMessage,
    ReplyOutcome,
    ShownMenu,
    Snooze,
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

    async def erase_journal(self) -> None:
        """Fold the write-ahead journal into the database and empty it: the pages a
        transaction wrote together (a unit's "has voted" row and its ballot) no longer sit
        side by side in a file. Outside any unit of work."""

    def person_lock(self, channel: str, user_id: str) -> AbstractAsyncContextManager[None]:
        """Held while one person's event is handled, by whichever process of the bot
        handles it (nothing to hold where only one process can open the database)."""


class InstanceStore(Protocol):
    """The bot's processes on one database: which are alive, which runs the scheduler."""

    @property
    def instance(self) -> str:
        """This process's name among them (host, process id and a random part)."""

    @property
    def exclusive(self) -> bool:
        """Whether no other process can use the database (SQLite's file lock)."""

    async def heartbeat(self, now: datetime) -> None:
        """This process is alive (and was, ``now``)."""

    async def take_lease(self, name: str, now: datetime, ttl: timedelta) -> bool:
        """Hold (or renew) the lease ``name`` until ``now + ttl``; ``False`` while another
        live process holds it unexpired."""

    async def live_instances(self, now: datetime) -> set[str]:
        """The processes alive ``now`` (this one included)."""

    async def leave(self) -> None:
        """A clean stop: the leases and half-sent messages this process held are let go."""


class InboxStore(Protocol):
    """Messengers' updates: written down on receipt, handled once."""

    async def inbox_add(self, channel: str, updates: list[tuple[str, str, str | None]],
                        now: datetime) -> list[int | None]:
        """Write down a messenger's ``(key, body, sender)`` updates in one transaction; each
        one's inbox row, or ``None`` for one already waiting."""

    async def inbox_waiting(self, channel: str, now: datetime) -> list[tuple[int, str]]:
        """Updates received but not yet handled, this process's or a dead one's, oldest
        first: (inbox id, JSON body)."""

    async def inbox_before(self, channel: str, sender: str,
                           receipt: int) -> list[tuple[int, str]]:
        """The sender's updates not yet handled, written down before ``receipt``."""

    async def inbox_remove(self, inbox_id: int) -> None:
        """The update was handled: it leaves the inbox."""

    async def mark_handled(self, channel: str, update_key: str, now: datetime) -> bool:
        """Record a messenger's update as handled; ``False`` if it was already."""

    async def was_handled(self, channel: str, update_key: str) -> bool:
        """Whether this update was handled already (a re-delivery)."""

    async def forget_handled(self, before: datetime) -> int:
        """Drop the record of updates handled before ``before``; returns how many."""


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

    async def recover_in_flight(self, now: datetime) -> list[OutboxRow]:
        """After a crash: messages that were being sent by a process no longer alive (or by
        this one) go back to the queue."""

    async def next_due(self) -> datetime | None:
        """When the earliest pending message is due."""

    async def outbox_rows(self, status: OutboxStatus | None = None,
                          limit: int = 100) -> list[OutboxRow]:
        """Messages in the outbox (newest first), optionally of one status."""

    async def outbox_counts(self) -> dict[OutboxStatus, int]:
        """How many rows the outbox holds in each status."""

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
