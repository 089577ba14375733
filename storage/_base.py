"""The shared machinery of the SQLite repository: one connection, serialised transactions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any, Self

import aiosqlite

from storage._time import to_db
from storage.database import connect
from storage.migrations import migrate

_IN_TRANSACTION: ContextVar[bool] = ContextVar("in_sqlite_transaction", default=False)


class SqliteBase:
    """One aiosqlite connection, shared by the repository's parts.

    Writes that must hold together run in ``BEGIN IMMEDIATE`` transactions
    serialised by an asyncio lock, so coroutines sharing the connection never
    interleave inside one another's transaction; other processes wait on
    SQLite's busy timeout.
    """

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Self:
        """Open the file (creating it) and bring its schema up to date."""
        db = await connect(path)
        try:
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(db)

    async def close(self) -> None:
        await self._db.close()

    async def ping(self) -> bool:
        try:
            return await self._one("SELECT 1") is not None
        except Exception:  # a closed or broken connection: the health check says so
            return False

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            marker = _IN_TRANSACTION.set(True)
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.rollback()
                raise
            finally:
                _IN_TRANSACTION.reset(marker)
            await self._db.commit()

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[None]:
        """Reads wait for another coroutine's transaction on the shared connection to end,
        so they never see its uncommitted rows; inside one's own transaction they go ahead."""
        if _IN_TRANSACTION.get():
            yield
            return
        async with self._write_lock:
            yield

    async def _one(self, sql: str, params: tuple[Any, ...] = ()) -> aiosqlite.Row | None:
        async with self._reading(), self._db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[aiosqlite.Row]:
        async with self._reading(), self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    @staticmethod
    async def _insert_audit(
        db: aiosqlite.Connection, *, actor: str, action: str, subject: str,
        details: dict[str, Any], now: datetime,
    ) -> None:
        await db.execute(
            "INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)",
            (to_db(now), actor, action, subject, json.dumps(details, ensure_ascii=False)),
        )

