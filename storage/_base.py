"""The shared machinery of the SQLite repository: one connection, serialised transactions."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any, Self, TypeVar

import aiosqlite

from storage._direct import Direct
from storage._sql import SqlParts, new_instance
from storage.database import connect
from storage.failures import DatabaseGone
from storage.migrations import migrate

# The task whose transaction is open on the connection. A task's context is copied into
# whatever it starts (tasks, and callbacks such as APScheduler's wake-up scheduled with
# call_soon_threadsafe), so a flag alone would leak "in a transaction" into them: they
# would read past the lock and write into a transaction that is not theirs. Whoever
# checks compares the owner with the current task.
T = TypeVar("T")
_IN_TRANSACTION: ContextVar[asyncio.Task[Any] | None] = ContextVar("in_sqlite_transaction",
                                                                  default=None)


def _in_transaction() -> bool:
    owner = _IN_TRANSACTION.get()
    return owner is not None and owner is asyncio.current_task()


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` (device and inode), or None if none is."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class _Unit:
    """An open unit of work: its task, and whether its transaction has begun."""

    def __init__(self) -> None:
        self.owner = asyncio.current_task()
        self.marker: Token[asyncio.Task[Any] | None] | None = None  # set once begun
        self.spoiled_by: BaseException | None = None  # a write inside failed: roll back only


_UNIT: ContextVar[_Unit | None] = ContextVar("sqlite_unit_of_work", default=None)


def _open_unit() -> _Unit | None:
    """The unit of work of the current task, if one is open (not one leaked from the task
    that started this one)."""
    unit = _UNIT.get()
    return unit if unit is not None and unit.owner is asyncio.current_task() else None


class SqliteBase(SqlParts):
    """One SQLite connection, shared by the repository's parts.

    Writes that must hold together run in ``BEGIN IMMEDIATE`` transactions
    serialised by an asyncio lock, so coroutines sharing the connection never
    interleave inside one another's transaction; other processes wait on
    SQLite's busy timeout. What may wait (``BEGIN IMMEDIATE``, a write outside a
    transaction) or take long (a read marked ``slow``) goes through aiosqlite's thread;
    the rest — short reads, the statements and the commit of a transaction already begun —
    runs at once on the event loop's thread (``storage/_direct.py``).
    """

    def __init__(self, db: aiosqlite.Connection, direct: Direct,
                 path: Path | None = None) -> None:
        self._db = db  # statements that may wait (BEGIN IMMEDIATE) or take long
        self._direct = direct  # the same connection: short statements, at once
        self._write_lock = asyncio.Lock()
        self._path = path
        self._identity = _identity(path) if path is not None else None
        self.instance, self._lock_key = new_instance()

    exclusive = True  # one process per file: the running lock (storage/backup.py) sees to it

    async def _held_lock_keys(self) -> set[int] | None:
        return set()  # no other process can be alive on the file

    @asynccontextmanager
    async def person_lock(self, channel: str, user_id: str) -> AsyncIterator[None]:
        yield  # one process: its own per-person locks (bot/kernel/locks.py) are enough

    @classmethod
    async def open(cls, path: Path | str) -> Self:
        """Open the file (creating it) and bring its schema up to date."""
        db, direct = await connect(path)
        try:
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(db, direct, None if str(path) == ":memory:" else Path(path))

    async def close(self) -> None:
        """Close the connection once nobody is using it; a statement after this raises (as
        aiosqlite's do once closed)."""
        async with self._write_lock:
            self._direct.close()
            await self._threaded(self._db.close())

    @staticmethod
    async def _threaded(call: Awaitable[T]) -> T:
        """Await a call sent to SQLite's thread to its end, even if this task is cancelled
        meanwhile: the statement runs on regardless, and whoever takes the lock next must not
        run one beside it on the event loop's thread. The cancellation is raised after."""
        task = asyncio.ensure_future(call)
        cancelled = False
        while not task.done():
            try:
                await asyncio.wait({task})
            except asyncio.CancelledError:
                cancelled = True
        if cancelled:
            if not task.cancelled():
                task.exception()  # seen: the cancellation is what is raised
            raise asyncio.CancelledError
        return task.result()

    async def ping(self) -> bool:
        """Whether the database takes a write (a read alone says nothing of a full disk or
        of a file deleted under the bot, which SQLite would go on writing into)."""
        try:
            async with self._transaction() as db:
                await db.execute("INSERT INTO health_probe (id, probes) VALUES (1, 1) "
                                 "ON CONFLICT (id) DO UPDATE SET probes = probes + 1")
            return True
        except Exception:  # a closed or broken connection, a full disk: the check says so
            return False

    def _check_file(self) -> None:
        """Refuse to write into a database file that is no longer the one at its path
        (deleted or replaced while the bot ran): what is written there is lost."""
        if self._path is not None and _identity(self._path) != self._identity:
            raise DatabaseGone(f"the database file {self._path} was removed or replaced "
                               "while the bot was running")

    @asynccontextmanager
    async def unit_of_work(self, *, join: bool = False,
                           immediate: bool = False) -> AsyncIterator[None]:
        """Everything written inside is one transaction, committed when the block ends.

        An event is handled in one unit: the dedup mark, the handler's writes, the
        conversation's place and the replies commit together or not at all, so a crash
        or a write error at any point leaves either the whole event or none of it. The
        transaction begins at the first write (reads before it take no lock, so a slow
        export that only reads keeps nobody waiting). An exception out of the block rolls
        everything back; so does a failed write whose error was caught inside (the unit
        is then refused at the end rather than committed half-done).

        ``join``: inside a unit already open in this task, be part of it (else a second unit
        is refused). ``immediate``: begin the transaction at once, so that the reads inside
        are serialised with every other writer too (two runs of the same work do not both
        decide on what they read before either wrote).
        """
        open_unit = _open_unit()
        if open_unit is not None:
            if not join:
                raise RuntimeError("a unit of work is already open in this task")
            if immediate and open_unit.marker is None:
                await self._begin(open_unit)
            yield
            return
        unit = _Unit()
        token = _UNIT.set(unit)
        try:
            if immediate:
                await self._begin(unit)
            yield
        except BaseException:
            await self._end_unit(unit, commit=False)
            raise
        else:
            await self._end_unit(unit, commit=True)
        finally:
            _UNIT.reset(token)

    async def discard_unit(self) -> None:
        """Roll back what the open unit of work wrote so far; it goes on, empty."""
        unit = _open_unit()
        if unit is None:
            raise RuntimeError("no unit of work is open")
        await self._end_unit(unit, commit=False)

    async def _end_unit(self, unit: _Unit, *, commit: bool) -> None:
        if unit.marker is None:
            return  # nothing was written
        if commit and unit.spoiled_by is not None:
            # someone caught a failed write and went on: nothing is kept, and the write's
            # own error is raised (a full disk stays a storage failure)
            error = unit.spoiled_by
            await self._end_unit(unit, commit=False)
            raise error
        try:
            if commit:
                try:
                    self._direct.commit()
                except BaseException:
                    await self._threaded(self._db.rollback())
                    raise
            else:
                await self._threaded(self._db.rollback())
        finally:
            try:
                _IN_TRANSACTION.reset(unit.marker)
                unit.marker, unit.spoiled_by = None, None
            finally:
                self._write_lock.release()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Direct]:
        unit = _open_unit()
        if unit is not None:
            async with self._in_unit(unit) as db:
                yield db
            return
        async with self._write_lock:
            self._check_file()
            marker = _IN_TRANSACTION.set(asyncio.current_task())
            try:
                try:
                    # may wait for another process: in the thread
                    await self._threaded(self._db.execute("BEGIN IMMEDIATE"))
                    yield self._direct
                    self._direct.commit()
                except BaseException:
                    # unconditionally (a no-op with no transaction open): a failed COMMIT
                    # leaves the transaction open
                    await self._threaded(self._db.rollback())
                    raise
            finally:
                _IN_TRANSACTION.reset(marker)

    async def _begin(self, unit: _Unit) -> None:
        """The unit's transaction begins (at its first write, or at once)."""
        await self._write_lock.acquire()
        try:
            self._check_file()
            await self._threaded(self._db.execute("BEGIN IMMEDIATE"))
        except BaseException:
            try:
                await self._threaded(self._db.rollback())
            finally:
                self._write_lock.release()
            raise
        unit.marker = _IN_TRANSACTION.set(asyncio.current_task())

    @asynccontextmanager
    async def _in_unit(self, unit: _Unit) -> AsyncIterator[Direct]:
        if unit.marker is None:  # the unit's first write: its transaction begins here
            await self._begin(unit)
        try:
            yield self._direct
        except BaseException as exc:
            # No savepoint per call (two more statements for every write): a call that
            # fails spoils the unit, which then only rolls back.
            unit.spoiled_by = exc
            raise

    async def erase_journal(self) -> None:
        """Checkpoint the WAL and truncate it to nothing (see the port)."""
        if _open_unit() is not None or _in_transaction():
            raise RuntimeError("the journal is erased after a commit, not inside a transaction")
        async with self._write_lock:
            self._check_file()
            await self._threaded(self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)"))

    async def _write_alone(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        """One statement, atomic by itself (autocommit): no BEGIN and COMMIT round trips.
        Inside a unit of work it joins the unit's transaction like any write."""
        if _open_unit() is not None:
            async with self._transaction() as db:
                await db.execute(sql, params)
        elif _in_transaction():  # inside this task's own transaction: part of it
            self._direct.execute(sql, params)
        else:  # autocommit takes SQLite's write lock, which may wait: in the thread
            async with self._write_lock:
                self._check_file()
                await self._threaded(self._db.execute(sql, params))

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[None]:
        """Reads wait for another coroutine's transaction on the shared connection to end,
        so they never see its uncommitted rows; inside one's own transaction they go ahead."""
        if _in_transaction():
            yield
            return
        async with self._write_lock:
            yield

    async def _one(self, sql: str, params: tuple[Any, ...] = ()) -> aiosqlite.Row | None:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _all(self, sql: str, params: tuple[Any, ...] = (), *,
                   slow: bool = False) -> list[aiosqlite.Row]:
        """Every row of a read: at once on the event loop's thread (``storage/_direct.py``),
        or, ``slow`` (a read that may take long), in SQLite's thread, in one trip."""
        async with self._reading():
            if slow:
                return list(await self._threaded(self._db.execute_fetchall(sql, params)))
            return self._direct.rows(sql, params)


