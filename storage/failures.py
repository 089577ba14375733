"""Which exceptions mean "the database could not do it" (as opposed to a bug in a caller).

The core rolls an event back and keeps it for later on these, instead of counting it
as handled: the disk is full, the file is locked by another process for longer than
the busy timeout, the file went away or cannot be written. A mistake in a statement
("no such column", a constraint) is a bug: trying again later would fail again.
"""

from __future__ import annotations

import sqlite3

import asyncpg

# SQLite's primary result codes for trouble with the file rather than with the statement
BUSY, LOCKED, NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL, NOTADB = (
    5, 6, 7, 8, 10, 11, 13, 14, 15, 26)
_STORAGE_CODES = frozenset({BUSY, LOCKED, NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN,
                            PROTOCOL, NOTADB})
# what SQLite says for those, for an error raised without its code
_STORAGE_WORDS = ("database is locked", "disk is full", "disk i/o error", "unable to open",
                  "readonly database", "database disk image is malformed", "out of memory")


# PostgreSQL's classes of error (the first two characters of SQLSTATE) for trouble with the
# server rather than with the statement: the connection (08), a transaction rolled back for
# a deadlock or a serialisation failure (40), resources (53: disk full, too many
# connections), the operator (57: shut down, starting), the system (58), a lock not
# available (55P03), a standby that became read-only (25006)
_SERVER_CLASSES = frozenset({"08", "40", "53", "57", "58"})
_SERVER_STATES = frozenset({"55P03", "25006"})

OPENING_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.Error, OSError, asyncpg.PostgresError, asyncpg.InterfaceError)
"""What opening a database raises when the file or the server cannot be used."""


class DatabaseGone(sqlite3.OperationalError):
    """The database file was deleted or replaced while the bot was running."""


def is_storage_failure(exc: BaseException) -> bool:
    """Whether ``exc`` came from the database's file or server rather than from the code
    that called it."""
    if isinstance(exc, DatabaseGone):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        state = str(getattr(exc, "sqlstate", "") or "")
        return state[:2] in _SERVER_CLASSES or state in _SERVER_STATES
    if isinstance(exc, asyncpg.InterfaceError | ConnectionError | TimeoutError):
        return True  # the connection to the server was lost, or it stopped answering
    if not isinstance(exc, sqlite3.Error) or isinstance(
            exc, sqlite3.IntegrityError | sqlite3.ProgrammingError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _STORAGE_CODES
    return any(words in str(exc).lower() for words in _STORAGE_WORDS)
