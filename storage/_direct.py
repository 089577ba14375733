"""Short statements run at once on the event loop's thread, on the connection aiosqlite holds.

aiosqlite runs every statement in its own thread and hands the result back through the event
loop: two hand-overs between threads per statement, which cost more than the statement
itself when it is an indexed lookup or the insert of one row (benchmark 1: 4.8 ms of the
bot's CPU per update with every statement through the thread, 2.9 ms with the short ones
here; see bench/results.md). The repository sends here what cannot wait: reads of a few
rows, and the statements of a transaction it already holds (after ``BEGIN IMMEDIATE``,
which can wait for another process and so still goes through aiosqlite's thread). What may
take long — a whole period's history for an export — still goes through the thread, so the
bot keeps answering meanwhile.

One statement at a time: the repository's lock serialises every use of the connection, by
either path (SQLite itself is built serialised, ``sqlite3.threadsafety == 3``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterable
from types import TracebackType
from typing import Any


class Ran:
    """A statement that has run: awaited (or entered) like aiosqlite's, it gives its cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def __await__(self) -> Generator[Any, None, Ran]:
        return self._itself().__await__()

    async def _itself(self) -> Ran:
        return self

    async def __aenter__(self) -> Ran:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        self._cursor.close()

    async def fetchone(self) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._cursor.fetchone()
        return row

    async def fetchall(self) -> list[sqlite3.Row]:
        return list(self._cursor.fetchall())

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class Direct:
    """The connection's statements, run at once (the calls read as aiosqlite's do)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection: sqlite3.Connection | None = connection

    @property
    def connection(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("Connection closed")  # as aiosqlite says once closed
        return self._connection

    def close(self) -> None:
        """No statement runs here any more (aiosqlite's thread closes the connection)."""
        self._connection = None

    def execute(self, sql: str, parameters: Any = ()) -> Ran:
        return Ran(self.connection.execute(sql, parameters))

    def executemany(self, sql: str, rows: Iterable[Any]) -> Ran:
        return Ran(self.connection.executemany(sql, rows))

    def rows(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Every row of a read."""
        return self.connection.execute(sql, parameters).fetchall()

    @property
    def total_changes(self) -> int:
        return self.connection.total_changes

    def commit(self) -> None:
        self.connection.commit()
