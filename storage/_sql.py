"""What the repository's SQL parts stand on, whichever engine runs them.

Each part of the repository (``storage/_dialogs.py``, ``storage/_outbox.py``…) is written
once, in the SQL SQLite and PostgreSQL share, against the few calls below: a transaction
that gives :class:`Statements`, reads of one row or all rows, a write on its own. The
engine's base (:class:`storage._base.SqliteBase`, :class:`storage._pg_base.PostgresBase`)
provides them; :class:`storage.sqlite.SqliteRepository` and
:class:`storage.postgres.PostgresRepository` are the same parts on each.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from abc import ABC, abstractmethod
from collections.abc import Generator, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from storage._time import to_db


class Row(Protocol):
    """A row read: its columns by name or position (``sqlite3.Row``, ``asyncpg.Record``)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def keys(self) -> Any: ...

    def __iter__(self) -> Any: ...


class Cursor(Protocol):
    """A statement that has run."""

    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> int | None: ...

    async def fetchone(self) -> Any: ...

    async def fetchall(self) -> Any: ...


class Running(Protocol):
    """A statement sent: awaited, or entered with ``async with``, it gives its cursor."""

    def __await__(self) -> Generator[Any, None, Cursor]: ...

    async def __aenter__(self) -> Cursor: ...

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None: ...


class Statements(Protocol):
    """The statements of an open transaction."""

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Running: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Running: ...


def new_instance() -> tuple[str, int]:
    """A process's name among the bot's processes (host, process id, a random part), and
    the key of the lock it holds while alive where the engine has such locks."""
    return (f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}",
            secrets.randbits(31))


class SqlParts(ABC):
    """The calls every part of the repository makes; an engine's base provides them (a
    repository made of parts without a base cannot be made)."""

    instance: str
    _lock_key: int
    exclusive: bool

    @abstractmethod
    async def live_instances(self, now: datetime) -> set[str]:
        """The processes alive ``now`` (storage/_instances.py)."""

    @abstractmethod
    async def _held_lock_keys(self) -> set[int] | None:
        """The lock keys of the processes whose connection is open now (``None``: the
        engine cannot tell, and a process is alive while it is heard of)."""

    @abstractmethod
    def _transaction(self) -> AbstractAsyncContextManager[Statements]:
        ...

    @abstractmethod
    def unit_of_work(self, *, join: bool = False,
                     immediate: bool = False) -> AbstractAsyncContextManager[None]:
        ...

    @abstractmethod
    async def _one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        ...

    @abstractmethod
    async def _all(self, sql: str, params: tuple[Any, ...] = (), *,
                   slow: bool = False) -> list[Any]:
        ...

    @abstractmethod
    async def _write_alone(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        ...

    @staticmethod
    async def _insert_audit(
        db: Statements, *, actor: str, action: str, subject: str,
        details: dict[str, Any], now: datetime,
    ) -> None:
        await db.execute(
            "INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)",
            (to_db(now), actor, action, subject, json.dumps(details, ensure_ascii=False)),
        )
