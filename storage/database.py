"""Opening the SQLite file the way every part of the bot expects it."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite

from storage._direct import Direct
from storage.files import create_private

BUSY_TIMEOUT_MS = 5000


def _check_openable(path: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA schema_version")  # reads the header: "not a database"?
    finally:
        connection.close()


async def connect(path: Path | str) -> tuple[aiosqlite.Connection, Direct]:
    """Open (creating the folder and file if needed) with WAL, foreign keys and a busy timeout:
    the connection through aiosqlite's thread, and the same one for short statements on the
    event loop's thread (``storage/_direct.py``).

    The connection is in autocommit mode; the repository opens explicit
    ``BEGIN IMMEDIATE`` transactions where several writes must hold together.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        create_private(Path(path))  # before SQLite makes it (and its WAL) world-readable
        # Fail here, in plain sqlite3, if the file cannot be opened: aiosqlite's worker thread
        # would otherwise outlive the failed connection and trip over a closed event loop.
        await asyncio.to_thread(_check_openable, str(path))
    made: list[sqlite3.Connection] = []

    def connector() -> sqlite3.Connection:  # runs in aiosqlite's thread
        # used from the event loop's thread too, one statement at a time (SqliteBase's lock)
        connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        made.append(connection)
        return connection

    db = await aiosqlite.Connection(connector, iter_chunk_size=64)  # what aiosqlite.connect does
    try:
        db.row_factory = aiosqlite.Row
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        await db.close()  # its worker thread would otherwise keep the process alive
        raise
    return db, Direct(made[0])
