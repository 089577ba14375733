"""Opening the SQLite file the way every part of the bot expects it."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite

from storage.files import create_private

BUSY_TIMEOUT_MS = 5000


def _check_openable(path: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA schema_version")  # reads the header: "not a database"?
    finally:
        connection.close()


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open (creating the folder and file if needed) with WAL, foreign keys and a busy timeout.

    The connection is in autocommit mode; the repository opens explicit
    ``BEGIN IMMEDIATE`` transactions where several writes must hold together.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        create_private(Path(path))  # before SQLite makes it (and its WAL) world-readable
        # Fail here, in plain sqlite3, if the file cannot be opened: aiosqlite's worker thread
        # would otherwise outlive the failed connection and trip over a closed event loop.
        await asyncio.to_thread(_check_openable, str(path))
    db = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        db.row_factory = aiosqlite.Row
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        await db.close()  # its worker thread would otherwise keep the process alive
        raise
    return db
