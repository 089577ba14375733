"""Consistent copies of the live database, and restoring one safely.

The copy uses SQLite's online backup API, so it is consistent while the bot
runs. A running bot holds an exclusive lock file beside the database; restore
refuses to touch a database whose lock is held, and checks the file first.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.files import PRIVATE, create_private
from storage.migrations import LATEST_VERSION, MIGRATIONS


class BackupError(Exception):
    """The copy or the restore cannot be made; ``kind`` names why (a catalog key suffix)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


def lock_path(database: Path) -> Path:
    """The lock file of the database itself, however it is reached: a symlinked or
    relative path to the same file gives the same lock (one bot per file, not per name)."""
    real = database.resolve()
    return real.with_name(real.name + ".lock")


@contextmanager
def running_lock(database: Path) -> Iterator[None]:
    """Held by a running bot for its whole life; raises ``BackupError('in_use')`` if taken."""
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(lock_path(database), os.O_CREAT | os.O_RDWR, PRIVATE)
    except OSError as exc:  # a read-only file system, no right to write there, no such disk
        raise BackupError("unwritable", f"{database.parent} ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError("in_use", str(database)) from None
        yield
    finally:
        os.close(handle)


def _check(path: Path) -> int:
    """The schema version of a readable, intact thidua database (raises ``BackupError``)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("corrupt", str(path))
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError("not_a_database", str(exc)) from None
    if version < 1 or "blocs" not in tables:
        raise BackupError("not_ours", str(path))
    if version > LATEST_VERSION:
        raise BackupError("too_new", str(version))
    differences = _schema_differences(path, version)
    if differences:
        raise BackupError("schema_differs", f"{path}: {', '.join(differences[:5])}")
    return version


def _schema(connection: sqlite3.Connection) -> set[tuple[str, str, str]]:
    """Every table, index, trigger and view, with its SQL (whitespace folded)."""
    return {(kind, name, " ".join((sql or "").split())) for kind, name, sql in connection.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}


def _schema_differences(path: Path, version: int) -> list[str]:
    """What the copy's schema has or lacks compared with our migrations up to its version:
    a copy with an extra trigger (one that promotes everyone to chair) or a skeleton with
    a few tables is not a copy of this bot's database, whatever its version says."""
    expected = sqlite3.connect(":memory:")
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for script in MIGRATIONS[:version]:
            expected.executescript(script)
        wanted, found = _schema(expected), _schema(copy)
    finally:
        expected.close()
        copy.close()
    return sorted({f"{kind} {name}" for kind, name, _ in wanted ^ found})


def backup(database: Path, out: Path) -> int:
    """Copy the live database to ``out`` consistently; returns the copy's size in bytes."""
    if not database.exists():
        raise BackupError("missing", str(database))
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            partial.unlink(missing_ok=True)
            create_private(partial)
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                target.close()
        finally:
            source.close()
        _check(partial)
        os.replace(partial, out)
        return out.stat().st_size
    except (sqlite3.Error, OSError) as exc:
        raise BackupError("failed", str(exc)) from None
    finally:
        partial.unlink(missing_ok=True)


def restore(copy: Path, database: Path) -> int:
    """Replace ``database`` with ``copy`` after checking it; refuses while a bot runs on it."""
    if not copy.exists():
        raise BackupError("missing", str(copy))
    version = _check(copy)
    with running_lock(database):
        source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        target = sqlite3.connect(database)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    return version
