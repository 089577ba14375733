"""Storage: the repository interface, its SQLite implementation and the records it returns."""

from __future__ import annotations

from storage.repository import Repository
from storage.sqlite import SqliteRepository

__all__ = ["Repository", "SqliteRepository", "open_repository"]


async def open_repository(path: str) -> Repository:
    """Open (create and migrate if needed) the database at ``path``."""
    return await SqliteRepository.open(path)
