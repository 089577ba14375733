"""Moving a SQLite deployment to PostgreSQL: ``thidua db copy --to postgresql://…``.

Every table of the schema is copied as it is (ids included), in one transaction on the
target, whose foreign keys are checked at its commit (they are deferrable for this); each
table's row count is then compared with the source's. A target that already holds rows is
refused, so a second copy cannot mix two deployments. The source is read through SQLite's
own backup of the file, so the bot may go on running while it is taken; what it writes after
that is not in the copy (stop it first, or copy again into an empty database).
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from config.database import ServerDatabase
from storage.migrations import LATEST_VERSION
from storage.postgres_schema import migrate_postgres, schema_version

_NAME = re.compile(r"^\w+$")
# statements about one table of the schema (its name checked by _on)
_ANY_ROW = 'SELECT EXISTS (SELECT 1 FROM "{table}")'
_EVERY_ROW = 'SELECT * FROM "{table}"'
_COUNT = 'SELECT COUNT(*) FROM "{table}"'
_NEXT_ID = ("SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) "
            'FROM "{table}" HAVING COUNT(*) > 0')


def _on(statement: str, table: str) -> str:
    if not _NAME.match(table):
        raise ValueError(f"not a table of the schema: {table!r}")
    return statement.format(table=table)


class CopyRefused(RuntimeError):
    """The copy was not made: ``kind`` says why (``not_empty``, ``counts``, ``version``)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


@dataclass(frozen=True)
class Copied:
    """What was copied: rows per table, each count checked on both sides."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _snapshot(source: Path, into: Path) -> None:
    """A consistent copy of the live file (SQLite's backup: the bot may be writing)."""
    reading = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        writing = sqlite3.connect(into)
        try:
            reading.backup(writing)
        finally:
            writing.close()
    finally:
        reading.close()


def _tables(connection: sqlite3.Connection) -> list[str]:
    return [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]


async def copy_to_postgres(source: Path, target: ServerDatabase) -> Copied:
    """Copy the SQLite database at ``source`` (at the latest schema) into ``target``."""
    with tempfile.TemporaryDirectory(prefix="thidua-copy-") as scratch:
        snapshot = Path(scratch) / "source.db"
        _snapshot(source, snapshot)
        reading = sqlite3.connect(snapshot)
        try:
            version = int(reading.execute("PRAGMA user_version").fetchone()[0])
            if version != LATEST_VERSION:
                raise CopyRefused("version", f"{version} ≠ {LATEST_VERSION}")
            return await _copy(reading, target)
        finally:
            reading.close()


async def _copy(reading: sqlite3.Connection, target: ServerDatabase) -> Copied:
    connection = await asyncpg.connect(target.connection_string())
    try:
        await migrate_postgres(connection)
        assert await schema_version(connection) == LATEST_VERSION
        tables = _tables(reading)
        for table in tables:
            if await connection.fetchval(_on(_ANY_ROW, table)):
                raise CopyRefused("not_empty", table)
        counts: dict[str, int] = {}
        async with connection.transaction():
            await connection.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in tables:
                cursor = reading.execute(_on(_EVERY_ROW, table))
                columns = [column[0] for column in cursor.description]
                rows = cursor.fetchall()
                if rows:
                    await connection.copy_records_to_table(table, records=rows,
                                                           columns=columns)
                counts[table] = len(rows)
            numbered = {row["table_name"] for row in await connection.fetch(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'id' "
                "AND is_identity = 'YES' AND table_schema = current_schema()")}
            for table in sorted(numbered & set(tables)):  # the next id follows the copied
                await connection.execute(_on(_NEXT_ID, table))
            for table in tables:
                copied = await connection.fetchval(_on(_COUNT, table))
                if copied != counts[table]:
                    raise CopyRefused("counts", f"{table}: {counts[table]} → {copied}")
        return Copied(counts)
    finally:
        await connection.close()
