"""The database a test runs on: a new SQLite file, or, when ``THIDUA_TEST_POSTGRES`` names a
PostgreSQL server (``tests/postgres_cluster.sh`` starts one), a new database on it.

Each PostgreSQL test database is a copy of one template migrated once per run, so a test
starts from the same empty schema as on SQLite, in a fraction of the time migrating takes.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from config.database import DatabaseAddress, ServerDatabase
from storage._pg_statements import postgres_sql
from storage.postgres_schema import migrate_postgres

SERVER = "THIDUA_TEST_POSTGRES"
TEMPLATE = "thidua_template"
_template_ready = False


def server() -> str | None:
    """The test server's connection string, when the tests run on PostgreSQL."""
    return os.environ.get(SERVER) or None


def on_database(address: str, name: str) -> str:
    """The connection string ``address`` with its database changed to ``name``."""
    parts = urlsplit(address)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _template(admin: asyncpg.Connection, address: str) -> None:
    global _template_ready
    if _template_ready:
        return
    await admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {TEMPLATE}")
    connection = await asyncpg.connect(on_database(address, TEMPLATE))
    try:
        await migrate_postgres(connection)
    finally:
        await connection.close()
    _template_ready = True


@asynccontextmanager
async def new_server_database() -> AsyncIterator[ServerDatabase]:
    """A new, empty (migrated) database on the test server, dropped afterwards."""
    address = server()
    assert address is not None, f"{SERVER} is not set"
    name = f"t_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(address)
    try:
        await _template(admin, address)
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    finally:
        await admin.close()
    try:
        yield ServerDatabase(on_database(address, name))
    finally:
        admin = await asyncpg.connect(address)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()


@asynccontextmanager
async def test_database(folder: Path) -> AsyncIterator[DatabaseAddress]:
    """The test's database: a SQLite file in ``folder``, or a new PostgreSQL database."""
    if server() is None:
        yield folder / "thidua.db"
        return
    async with new_server_database() as database:
        yield database


def _in_a_thread(work: Any) -> Any:
    """Run a coroutine to its end on a loop of its own (the caller's loop may be running)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def query(database: DatabaseAddress, sql: str,
          params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The rows of a read, written with SQLite's ``?``, as an operator reads the database."""
    if isinstance(database, Path):
        with closing(sqlite3.connect(database)) as db:
            return [tuple(row) for row in db.execute(sql, params)]

    async def read() -> list[tuple[Any, ...]]:
        connection = await asyncpg.connect(database.connection_string())
        try:
            text, _ = postgres_sql(sql, frozenset())
            return [tuple(row) for row in await connection.fetch(text, *params)]
        finally:
            await connection.close()

    return _in_a_thread(read())  # type: ignore[no-any-return]


def read_tables(database: DatabaseAddress) -> dict[str, list[dict[str, Any]]]:
    """Every table of the bot's schema, its rows as dicts in the order they were stored (a
    table with an ``id`` by it; SQLite's rowid, PostgreSQL's place of the row otherwise)."""
    if isinstance(database, Path):
        with closing(sqlite3.connect(database)) as db:
            tables: dict[str, list[dict[str, Any]]] = {}
            for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = "
                                        "'table' ORDER BY name").fetchall():
                # a table without rowid (the ballot box) is read in its key's order
                order = "1, 2" if "WITHOUT ROWID" in (sql or "").upper() else "rowid"
                cursor = db.execute(f'SELECT * FROM "{name}" ORDER BY {order}')
                names = [column[0] for column in cursor.description]
                tables[name] = [dict(zip(names, row, strict=True)) for row in cursor]
            return tables

    async def read() -> dict[str, list[dict[str, Any]]]:
        connection = await asyncpg.connect(database.connection_string())
        try:
            tables: dict[str, list[dict[str, Any]]] = {}
            for row in await connection.fetch(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    "current_schema() AND table_name <> 'thidua_schema' ORDER BY table_name"):
                name = row["table_name"]
                has_id = await connection.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE "
                    "table_name = $1 AND column_name = 'id')", name)
                order = "id" if has_id else "ctid"
                tables[name] = [dict(record) for record in await connection.fetch(
                    f'SELECT * FROM "{name}" ORDER BY {order}')]
            return tables
        finally:
            await connection.close()

    return _in_a_thread(read())  # type: ignore[no-any-return]
