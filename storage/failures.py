"""Which exceptions mean "the database could not do it" (as opposed to a bug in a caller).

The core rolls an event back and keeps it for later on these, instead of counting it
as handled: the disk is full, the file is locked by another process for longer than
the busy timeout, the file went away or cannot be written. A mistake in a statement
("no such column", a constraint) is a bug: trying again later would fail again.
"""

from __future__ import annotations

import sqlite3

# SQLite's primary result codes for trouble with the file rather than with the statement
BUSY, LOCKED, NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL, NOTADB = (
    5, 6, 7, 8, 10, 11, 13, 14, 15, 26)
_STORAGE_CODES = frozenset({BUSY, LOCKED, NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN,
                            PROTOCOL, NOTADB})
# what SQLite says for those, for an error raised without its code
_STORAGE_WORDS = ("database is locked", "disk is full", "disk i/o error", "unable to open",
                  "readonly database", "database disk image is malformed", "out of memory")


class DatabaseGone(sqlite3.OperationalError):
    """The database file was deleted or replaced while the bot was running."""


def is_storage_failure(exc: BaseException) -> bool:
    """Whether ``exc`` came from the database's file rather than from the code that called it."""
    if isinstance(exc, DatabaseGone):
        return True
    if not isinstance(exc, sqlite3.Error) or isinstance(
            exc, sqlite3.IntegrityError | sqlite3.ProgrammingError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _STORAGE_CODES
    return any(words in str(exc).lower() for words in _STORAGE_WORDS)
