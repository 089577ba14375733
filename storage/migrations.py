"""Applying the schema's history in order, at start and by ``thidua db migrate``.

The schema version is SQLite's ``PRAGMA user_version``; the scripts themselves, one per
version and only ever appended, are in :mod:`storage.schema_history`.
"""

from __future__ import annotations

import logging
import sqlite3

import aiosqlite

from storage.schema_history import MIGRATIONS

__all__ = ["LATEST_VERSION", "MIGRATIONS", "SchemaTooNew", "current_version", "migrate"]

log = logging.getLogger(__name__)

LATEST_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of the program."""

    def __init__(self, version: int) -> None:
        super().__init__(f"database schema version {version} is newer than this program "
                         f"({LATEST_VERSION}); upgrade thidua-bot")
        self.version = version


async def current_version(db: aiosqlite.Connection) -> int:
    """The schema version the database is at (0 for a new file)."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: aiosqlite.Connection) -> list[int]:
    """Apply every migration the database lacks, each in its own transaction.

    Returns the versions applied. Refuses a database newer than this code, so an
    old binary never writes into a schema it does not know.
    """
    version = await current_version(db)
    if version > LATEST_VERSION:
        raise SchemaTooNew(version)
    applied = []
    # A migration may rebuild a table others refer to (13): foreign keys are off while it
    # runs (the pragma has no effect inside a transaction) and checked before it commits.
    await db.execute("PRAGMA foreign_keys = OFF")
    try:
        for number in range(version + 1, LATEST_VERSION + 1):
            script = MIGRATIONS[number - 1]
            try:
                await db.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};")
                async with db.execute("PRAGMA foreign_key_check") as cursor:
                    broken = list(await cursor.fetchall())
                if broken:
                    raise sqlite3.IntegrityError(
                        f"migration {number} breaks {len(broken)} foreign key(s)")
                await db.execute("COMMIT")
            except Exception:
                if db.in_transaction:
                    await db.rollback()
                raise
            log.info("database migrated to schema version %d", number)
            applied.append(number)
    finally:
        await db.execute("PRAGMA foreign_keys = ON")
    return applied
