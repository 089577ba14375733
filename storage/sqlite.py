"""The SQLite implementation of :class:`storage.repository.Repository`."""

from __future__ import annotations

from storage._accounts import SqlAccounts
from storage._awards import SqlAwards
from storage._base import SqliteBase
from storage._blocs import SqlBlocs
from storage._conferences import SqlConferences
from storage._covenant import SqlCovenant
from storage._dialogs import SqlDialogs
from storage._glance import SqlGlance
from storage._handover import SqlHandover
from storage._inbox import SqlInbox
from storage._instances import SqlInstances
from storage._members import SqlMembers
from storage._outbox import SqlOutbox
from storage._posting import SqlPosting
from storage._reminders import SqlReminders
from storage._reports import SqlReports
from storage._reviews import SqlReviews
from storage._scores import SqlScores
from storage._tasks import SqlTasks
from storage._votes import SqlVotes


class SqliteRepository(SqlBlocs, SqlDialogs, SqlReports, SqlOutbox, SqlTasks, SqlConferences,
                       SqlReminders, SqlPosting, SqlAccounts, SqlScores, SqlVotes, SqlReviews,
                       SqlCovenant, SqlAwards, SqlHandover, SqlMembers, SqlInstances,
                       SqlInbox, SqlGlance, SqliteBase):
    """The embedded implementation of the repository interface, on one SQLite file."""
