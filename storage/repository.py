"""What the bot stores, as one port per aggregate.

A service is given the ports it uses (the outbox worker an :class:`OutboxStore`, the
inbox an :class:`InboxStore`…); a handler's Context holds the whole
:class:`Repository`, which is every port at once. :class:`storage.sqlite.SqliteRepository`
is the embedded implementation; a server database is another, behind the same ports.

The ports are defined by area, the bloc's own data in :mod:`storage.bloc_ports` and the
traffic with the messengers in :mod:`storage.messaging_ports`, and re-exported here, so
``from storage.repository import …`` names any of them.
"""

from __future__ import annotations

from typing import Protocol

from storage.bloc_ports import (
    AuditStore,
    BlocStore,
    ConferenceStore,
    GlanceStore,
    MemberStore,
    ReportStore,
    TaskStore,
)
from storage.messaging_ports import (
    AccountStore,
    Database,
    DialogStore,
    InboxStore,
    InstanceStore,
    OutboxStore,
    PostingStore,
    ReminderStore,
)
from storage.year_ports import (
    AwardStore,
    CovenantStore,
    HandoverStore,
    ReviewStore,
    ScoreStore,
    VoteStore,
)

__all__ = [
    "AccountStore",
    "AuditStore",
    "AwardStore",
    "BlocStore",
    "ConferenceStore",
    "CovenantStore",
    "Database",
    "DialogStore",
    "GlanceStore",
    "HandoverStore",
    "InboxStore",
    "InstanceStore",
    "MemberStore",
    "OutboxStore",
    "PostingStore",
    "ReminderStore",
    "ReportStore",
    "Repository",
    "ReviewStore",
    "ScoreStore",
    "TaskStore",
    "VoteStore",
]


class Repository(Database, BlocStore, TaskStore, ConferenceStore, MemberStore, DialogStore,
                 InboxStore, InstanceStore, ReportStore, OutboxStore, ReminderStore, PostingStore,
                 AccountStore, AuditStore, ScoreStore, VoteStore, ReviewStore, CovenantStore,
                 AwardStore, HandoverStore, GlanceStore, Protocol):
    """Every port at once: what a handler's Context holds."""
