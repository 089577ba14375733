"""The repository's statements in PostgreSQL's words, and their results as SQLite's read.

The statements are written once, in the SQL both engines share, with SQLite's ``?``
placeholders; :func:`postgres_sql` turns each into PostgreSQL's (``$1``, ``INSERT OR
IGNORE`` as ``ON CONFLICT DO NOTHING``, ``instr`` as ``strpos``, the new row's id returned
where SQLite gives its rowid). :class:`Statements` runs them on one connection and gives
back what sqlite3's cursor would: rows, ``rowcount``, ``lastrowid``.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from types import TracebackType
from typing import Any

import asyncpg

_PLACEHOLDER = re.compile(r"'[^']*'|\?")
_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO", re.IGNORECASE)
_INSERT_INTO = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
_READS = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)
_STATUS_COUNT = re.compile(r"(\d+)\s*$")


def postgres_sql(sql: str, tables_with_id: frozenset[str]) -> tuple[str, bool]:
    """The statement in PostgreSQL's words, and whether it gives rows back."""
    sql = sql.strip().removesuffix(";")
    numbers = iter(range(1, 100_000))
    sql = _PLACEHOLDER.sub(lambda m: m.group(0) if m.group(0) != "?" else f"${next(numbers)}",
                           sql)
    sql = re.sub(r"\binstr\(", "strpos(", sql)
    ignore = _INSERT_OR_IGNORE.match(sql) is not None
    if ignore:
        sql = _INSERT_OR_IGNORE.sub("INSERT INTO", sql, count=1)
    insert = _INSERT_INTO.match(sql)
    returning = _RETURNING.search(sql)
    if ignore:
        cut = returning.start() if returning else len(sql)
        sql = f"{sql[:cut].rstrip()} ON CONFLICT DO NOTHING {sql[cut:]}".rstrip()
    if insert and not returning and insert.group(1) in tables_with_id:
        sql += " RETURNING id"  # SQLite's lastrowid
        returning = True  # type: ignore[assignment]
    return sql, bool(returning) or _READS.match(sql) is not None


class Done:
    """A statement that has run: its rows, how many rows it touched, the id it inserted
    (read as SQLite's cursor is)."""

    def __init__(self, rows: list[asyncpg.Record], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> asyncpg.Record | None:
        return self._rows[0] if self._rows else None

    async def fetchall(self) -> list[asyncpg.Record]:
        return list(self._rows)


class _Running:
    """A statement sent: awaited, or entered with ``async with``, it gives its :class:`Done`."""

    def __init__(self, run: Any) -> None:
        self._run = run

    def __await__(self) -> Generator[Any, None, Done]:
        return self._run.__await__()  # type: ignore[no-any-return]

    async def __aenter__(self) -> Done:
        done: Done = await self._run
        return done

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        return None


class Statements:
    """One connection's statements, in the calls the repository's SQL parts make."""

    def __init__(self, connection: asyncpg.Connection, translate: Any) -> None:
        self._connection = connection
        self._translate = translate

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> _Running:
        return _Running(self._execute(sql, parameters))

    async def _execute(self, sql: str, parameters: Sequence[Any]) -> Done:
        text, gives_rows = self._translate(sql)
        if gives_rows:
            rows = await self._connection.fetch(text, *parameters)
            # SQLite's lastrowid: the id of the last row inserted
            last = rows[-1].get("id") if rows and _INSERT_INTO.match(text) else None
            return Done(rows, len(rows), last)
        status = await self._connection.execute(text, *parameters)
        count = _STATUS_COUNT.search(status)
        return Done([], int(count.group(1)) if count else 0, None)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> _Running:
        async def run() -> Done:  # its rowcount the sum of the rows', as sqlite3's
            changed = 0
            for row in rows:
                changed += (await self._execute(sql, row)).rowcount
            return Done([], changed, None)
        return _Running(run())

    async def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[asyncpg.Record]:
        text, _ = self._translate(sql)
        return list(await self._connection.fetch(text, *parameters))
