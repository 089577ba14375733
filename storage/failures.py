"""Which exceptions mean "the database could not do it" (as opposed to a bug in a caller).

The core rolls an event back and keeps it for later on these, instead of counting it
as handled: the disk is full, the file is locked by another process for longer than
the busy timeout, the file went away.
"""

from __future__ import annotations

import sqlite3


def is_storage_failure(exc: BaseException) -> bool:
    """Whether ``exc`` came from the database rather than from the code that called it."""
    return isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError)
