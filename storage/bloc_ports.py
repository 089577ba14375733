"""The ports to the bloc's own data: what the bloc file and its people say.

The bloc with its units and movements, the periods and their tasks, the conferences and
who attends, the people registered, the units' progress reports, and the audit of who
changed any of it. These ports hold the facts the bot reports on; how the bot talks about
them (inbox, dialogs, outbox, reminders) is :mod:`storage.messaging_ports`.
:class:`storage.repository.Repository` is every port at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from config.bloc import BlocConfig
from storage.records import (
    Absence,
    Attendance,
    AuditEntry,
    Bloc,
    Conference,
    Deadline,
    Invite,
    Member,
    NewProgressUpdate,
    Period,
    ProgressUpdate,
    Redemption,
    Role,
    SyncSummary,
    Task,
    Unit,
)


class BlocStore(Protocol):
    """The bloc as loaded from its file: units, movements, the bloc's groups."""

    async def sync_bloc(self, config: BlocConfig, now: datetime) -> SyncSummary:
        """Create or update the bloc from its file; idempotent, keyed by codes."""

    async def get_bloc(self, code: str) -> Bloc | None:
        """The bloc with this code."""

    async def bloc_by_id(self, bloc_id: int) -> Bloc | None:
        """The bloc as last loaded, by its id."""

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
        unit_id: int | None, role: Role, now: datetime, all_blocs: bool = False,
    ) -> Member:
        """Register (or re-register) a person directly, e.g. the demo's personas
        (``all_blocs``: the ministry's liaison)."""

    async def view_bloc(self, member_id: int, bloc_id: int) -> None:
        """The ministry's liaison looks at this bloc from now on."""

    async def create_invite(
        self, *, bloc_id: int, token_hash: str, unit_id: int | None, role: Role,
        max_uses: int, expires_at: datetime, created_by: str, now: datetime,
        all_blocs: bool = False,
    ) -> Invite:
        """Store a new invite (only the token's hash is kept); ``all_blocs``: it registers
        the ministry's liaison, who follows every bloc."""

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


class AuditStore(Protocol):
    """Who changed what."""

    async def audit(
        self, *, actor: str, action: str, subject: str, details: dict[str, Any], now: datetime
    ) -> None:
        """Record who changed what."""

    async def list_audit(self, limit: int = 100) -> list[AuditEntry]:
        """Newest audit entries first."""


class GlanceStore(Protocol):
    """Many blocs at once (the ministry's liaison's blocs side by side), each in one read."""

    async def unit_ids_of(self, bloc_ids: list[int]) -> dict[int, list[int]]:
        """Each bloc's active units' ids, in its order."""

    async def periods_of(self, bloc_ids: list[int]) -> dict[int, list[Period]]:
        """Each bloc's active periods, by start."""

    async def task_reach_of(
            self, period_ids: list[int]) -> dict[int, list[tuple[int, tuple[int, ...] | None]]]:
        """Each period's active tasks as (task id, whom it concerns: its units' ids, or None
        for every unit)."""

    async def standing_counts(self, period_ids: list[int]) -> dict[tuple[int, int], int]:
        """(period id, unit id) → how many of the period's tasks for every unit the unit has
        a standing report on (counted in the database: 15,000 pairs for 50 blocs were 32 ms
        of reading)."""

    async def standing_on_some(self, period_ids: list[int]) -> set[tuple[int, int]]:
        """The (unit id, task id) pairs with a standing report on those periods' tasks that
        concern some units only."""

    async def sheets_of(self, bloc_ids: list[int]) -> dict[int, int]:
        """Score sheets submitted in each bloc's current year (blocs whose year has criteria
        only)."""
