"""Storage: the ports per aggregate (``repository``), their SQLite implementation and the
records they return."""

from __future__ import annotations

from storage.repository import Repository
from storage.sqlite import SqliteRepository

__all__ = ["Repository", "SqliteRepository"]
