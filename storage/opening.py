"""Opening the repository the setting names: a SQLite file, or a PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

from config.database import DatabaseAddress, ServerDatabase
from storage.repository import Repository


async def open_repository(database: DatabaseAddress) -> Repository:
    """Connect (creating a SQLite file if needed) and bring the schema up to date."""
    if isinstance(database, ServerDatabase):
        from storage.postgres import PostgresRepository

        return await PostgresRepository.open(database.connection_string())
    from storage.sqlite import SqliteRepository

    return await SqliteRepository.open(Path(database))
