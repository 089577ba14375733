"""The shared machinery of the PostgreSQL repository: a pool, units of work, SQL in its words.

The repository's statements are turned into PostgreSQL's words once per statement text
(``storage/_pg_statements.py``).

Writers are serialised as on SQLite: a transaction that writes takes one advisory lock of
the database (``pg_advisory_xact_lock``) before its first write, whichever instance it runs
in, and holds it to its commit. So what the repository reasons from SQLite — a unit of work
reads and then writes without another writer between, a quota is counted in the
transaction that uses it — holds on PostgreSQL too, across instances. Reads need no lock:
each runs on a connection of the pool, and sees what was committed.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, Self

import asyncpg

from storage._pg_statements import Statements, postgres_sql
from storage._sql import SqlParts, new_instance
from storage.postgres_schema import migrate_postgres

log = logging.getLogger(__name__)

WRITE_LOCK = 7_245_000  # the advisory lock every writing transaction holds (see above)
INSTANCE_LOCKS = 7_245_002  # (this, key): held by a live process on its own connection
PERSON_LOCKS = 7_245_003  # (this, key of the person): held while their event is handled
PERSON_LOCK_POLL = 0.02  # seconds between tries for a person's lock another process holds
PERSON_LOCK_WAIT = 60.0  # seconds before the event is given up (and kept for later)
POOL_SIZE = 10
# every connection: a peer cut off is noticed in about 25 s (TCP keepalives), and a
# transaction left open by a process that stopped answering ends after a minute, letting
# go of the locks it held (the writers' included)
SESSION = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5",
           "tcp_keepalives_count": "3", "idle_in_transaction_session_timeout": "60000"}

class _Unit:
    """An open unit of work: its task, and once it writes, its connection and transaction."""

    def __init__(self) -> None:
        self.owner = asyncio.current_task()
        self.connection: asyncpg.pool.PoolConnectionProxy | None = None
        self.transaction: asyncpg.transaction.Transaction | None = None
        self.spoiled_by: BaseException | None = None


_UNIT: ContextVar[_Unit | None] = ContextVar("postgres_unit_of_work", default=None)
# a transaction opened outside a unit of work (one port's call): its task and connection
_PLAIN: ContextVar[tuple[asyncio.Task[Any] | None, asyncpg.Connection] | None] = ContextVar(
    "postgres_transaction", default=None)


def _open_unit() -> _Unit | None:
    unit = _UNIT.get()
    return unit if unit is not None and unit.owner is asyncio.current_task() else None


def _open_connection() -> asyncpg.Connection | None:
    """The connection of this task's open transaction (its unit's, or a port call's)."""
    unit = _open_unit()
    if unit is not None:
        return unit.connection
    plain = _PLAIN.get()
    return plain[1] if plain is not None and plain[0] is asyncio.current_task() else None


class PostgresBase(SqlParts):
    """A pool of connections to one PostgreSQL database, shared by the repository's parts."""

    exclusive = False  # another process (another machine) may use the database too

    def __init__(self, pool: asyncpg.Pool, tables_with_id: frozenset[str],
                 locks: asyncpg.Connection) -> None:
        self._pool = pool
        self._tables_with_id = tables_with_id
        self._translated: dict[str, tuple[str, bool]] = {}
        self._writer = asyncio.Lock()  # one writer of this process waits on the database's
        # A connection of its own holds this process's lock while it lives (when the process
        # dies, the server closes the connection and lets the lock go at once: the other
        # process knows), and the people's locks; one statement at a time.
        self._locks = locks
        self._locks_use = asyncio.Lock()
        self.instance, self._lock_key = new_instance()
        self._dsn = ""  # to open the locks' connection again (set by open)

    @classmethod
    async def open(cls, dsn: str) -> Self:
        """Connect (a pool), and bring the schema up to date."""
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=POOL_SIZE,
                                         command_timeout=60, server_settings=SESSION)
        try:
            async with pool.acquire() as connection:
                await migrate_postgres(connection)
                names = await connection.fetch(
                    "SELECT table_name FROM information_schema.columns WHERE column_name = "
                    "'id' AND is_identity = 'YES' AND table_schema = current_schema()")
            locks = await asyncpg.connect(dsn, server_settings=SESSION)
        except BaseException:
            await pool.close()
            raise
        opened = cls(pool, frozenset(row["table_name"] for row in names), locks)
        opened._dsn = dsn
        try:
            await locks.execute("SELECT pg_advisory_lock($1, $2)", INSTANCE_LOCKS,
                                opened._lock_key)
        except BaseException:
            await opened.close()
            raise
        return opened

    async def close(self) -> None:
        async with self._writer:
            await self._pool.close()
            async with self._locks_use:
                await self._locks.close()

    async def _locks_connection(self) -> asyncpg.Connection:
        """The locks' connection; opened again, and this process's lock taken again, when
        it was lost (the server restarted): meanwhile the others took this process for
        dead, and what it held is theirs."""
        if self._locks.is_closed():
            log.warning("the connection holding this process's locks was lost; opening it "
                        "again")
            self._locks = await asyncpg.connect(self._dsn, server_settings=SESSION)
            await self._locks.execute("SELECT pg_advisory_lock($1, $2)", INSTANCE_LOCKS,
                                      self._lock_key)
        return self._locks

    async def _on_locks(self, sql: str, *args: Any) -> tuple[Any, bool]:
        """One statement on the locks' connection, run to its end even if this task is
        cancelled meanwhile (the lock it takes or lets go must be known): its value, and
        whether the task was cancelled (the caller raises after tidying up)."""
        async with self._locks_use:
            connection = await self._locks_connection()
            task = asyncio.ensure_future(connection.fetchval(sql, *args))
            cancelled = False
            while not task.done():
                try:
                    await asyncio.wait({task})
                except asyncio.CancelledError:
                    cancelled = True
            return task.result(), cancelled

    async def _held_lock_keys(self) -> set[int] | None:
        await self._on_locks("SELECT 1")  # this process's own lock, taken again if lost
        rows = await self._all(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = ? AND "
            "objsubid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE "
            "datname = current_database())", (INSTANCE_LOCKS,))
        return {int(row["objid"]) for row in rows}

    @asynccontextmanager
    async def person_lock(self, channel: str, user_id: str) -> AsyncIterator[None]:
        """The person's lock in the database, so that two processes never handle two of
        their events at once (tried every few milliseconds: a wait holds no connection;
        given up after :data:`PERSON_LOCK_WAIT`, a failure the event is kept for)."""
        key = zlib.crc32(f"{channel}:{user_id}".encode()) & 0x7FFFFFFF
        waited = 0.0
        while True:
            taken, cancelled = await self._on_locks("SELECT pg_try_advisory_lock($1, $2)",
                                                    PERSON_LOCKS, key)
            if cancelled:
                if taken:
                    await self._on_locks("SELECT pg_advisory_unlock($1, $2)", PERSON_LOCKS,
                                         key)
                raise asyncio.CancelledError
            if taken:
                break
            if waited >= PERSON_LOCK_WAIT:
                raise TimeoutError(f"another process held {channel} {user_id}'s lock for "
                                   f"{PERSON_LOCK_WAIT:.0f} s")
            await asyncio.sleep(PERSON_LOCK_POLL)
            waited += PERSON_LOCK_POLL
        try:
            yield
        finally:
            _, cancelled = await self._on_locks("SELECT pg_advisory_unlock($1, $2)",
                                                PERSON_LOCKS, key)
            if cancelled:
                raise asyncio.CancelledError

    def _translate(self, sql: str) -> tuple[str, bool]:
        known = self._translated.get(sql)
        if known is None:
            known = self._translated[sql] = postgres_sql(sql, self._tables_with_id)
        return known

    async def ping(self) -> bool:
        """Whether the database takes a write."""
        try:
            async with self._transaction() as db:
                await db.execute("INSERT INTO health_probe (id, probes) VALUES (1, 1) "
                                 "ON CONFLICT (id) DO UPDATE SET probes = health_probe.probes "
                                 "+ 1")
            return True
        except Exception:  # the server gone, the disk full: the check says so
            return False

    # -- units of work ---------------------------------------------------------------------

    @asynccontextmanager
    async def unit_of_work(self, *, join: bool = False,
                           immediate: bool = False) -> AsyncIterator[None]:
        """As on SQLite (see :meth:`storage._base.SqliteBase.unit_of_work`): one transaction,
        begun at the first write (or at once, ``immediate``), committed at the end."""
        open_unit = _open_unit()
        if open_unit is not None:
            if not join:
                raise RuntimeError("a unit of work is already open in this task")
            if immediate and open_unit.connection is None:
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
        unit = _open_unit()
        if unit is None:
            raise RuntimeError("no unit of work is open")
        await self._end_unit(unit, commit=False)

    async def _begin(self, unit: _Unit) -> None:
        await self._writer.acquire()
        try:
            connection = await self._pool.acquire()
            try:
                transaction = connection.transaction(isolation="read_committed")
                await transaction.start()
                await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            except BaseException:
                await self._pool.release(connection)
                raise
        except BaseException:
            self._writer.release()
            raise
        unit.connection, unit.transaction = connection, transaction

    async def _end_unit(self, unit: _Unit, *, commit: bool) -> None:
        if unit.connection is None or unit.transaction is None:
            return
        if commit and unit.spoiled_by is not None:
            error = unit.spoiled_by
            await self._end_unit(unit, commit=False)
            raise error
        connection, transaction = unit.connection, unit.transaction
        # to its end even if this task is cancelled meanwhile: the connection goes back to
        # the pool only once the commit (or rollback) is over, and its outcome is raised
        ending = asyncio.ensure_future(transaction.commit() if commit else transaction.rollback())
        cancelled = False
        while not ending.done():
            try:
                await asyncio.wait({ending})
            except asyncio.CancelledError:
                cancelled = True
        unit.connection, unit.transaction, unit.spoiled_by = None, None, None
        try:
            await self._pool.release(connection)
        finally:
            self._writer.release()
        ending.result()
        if cancelled:
            raise asyncio.CancelledError

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Statements]:
        unit = _open_unit()
        if unit is not None:
            if unit.connection is None:
                await self._begin(unit)
            assert unit.connection is not None
            try:
                yield Statements(unit.connection, self._translate)
            except BaseException as exc:
                unit.spoiled_by = exc
                raise
            return
        connection = _open_connection()
        if connection is not None:  # inside this call's own transaction: part of it
            yield Statements(connection, self._translate)
            return
        async with self._writer, self._pool.acquire() as connection, \
                connection.transaction(isolation="read_committed"):
            await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            token = _PLAIN.set((asyncio.current_task(), connection))
            try:
                yield Statements(connection, self._translate)
            finally:
                _PLAIN.reset(token)

    async def _write_alone(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        async with self._transaction() as db:
            await db.execute(sql, params)

    async def erase_journal(self) -> None:
        """Rewrite the ballot box's tables (``VACUUM FULL``): the earlier versions of the
        counts, which PostgreSQL keeps beside the current ones until a vacuum, are gone with
        the old files. PostgreSQL's own write-ahead log is the server's; see the note on
        secrecy in the README."""
        if _open_connection() is not None or _open_unit() is not None:
            raise RuntimeError("the journal is erased after a commit, not inside a transaction")
        async with self._pool.acquire() as connection:
            await connection.execute("VACUUM FULL vote_tallies, vote_voters, vote_receipts")

    # -- reads -----------------------------------------------------------------------------

    async def _one(self, sql: str, params: tuple[Any, ...] = ()) -> asyncpg.Record | None:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _all(self, sql: str, params: tuple[Any, ...] = (), *,
                   slow: bool = False) -> list[asyncpg.Record]:
        """Every row of a read: inside this task's transaction on its connection (it sees
        its own writes), else on any connection of the pool."""
        del slow  # a read on PostgreSQL never holds up the event loop
        connection = _open_connection()
        if connection is not None:
            return await Statements(connection, self._translate).rows(sql, params)
        async with self._pool.acquire() as connection:
            return await Statements(connection, self._translate).rows(sql, params)
