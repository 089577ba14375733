"""Files that hold the bloc's data are readable by the bot's user only (0600).

The database (SQLite gives its WAL and shared-memory files the database file's own
permissions), its backups and the files offered for download all hold people's
names and reports; the signing key already was made this way.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600


def create_private(path: Path) -> None:
    """Make ``path`` an empty file only its owner can read, unless it exists already."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        return
    os.close(descriptor)


def write_private(path: Path, content: bytes) -> None:
    """Write ``content`` to a new file only its owner can read."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
