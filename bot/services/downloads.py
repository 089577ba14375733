"""Short-lived download links for files the bot sends where files cannot be attached (Zalo).

A file is written under a random name into a folder beside the database and
offered at ``<public url>/files/<name>?exp=<unix time>&sig=<HMAC>``. The
signature covers the name and the expiry, so a link cannot be extended or
pointed at another file; after expiry the link answers 404 and the file is
deleted by :meth:`DownloadStore.purge`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from bot.domain.events import OutFile
from storage.files import write_private

LINK_LIFETIME = timedelta(hours=24)
_SAFE = re.compile(r"[^\w.\-]+")
_EXPIRES = re.compile(r"[0-9]{1,12}")
_NAME = re.compile(r"^[0-9a-f]{32}-[\w.\-]{1,120}$")


@dataclass(frozen=True)
class Download:
    """A file offered for download, and until when."""

    url: str
    name: str
    expires_at: datetime


class DownloadStore:
    """Writes files to offer, signs their links and finds them again for the web server."""

    def __init__(self, folder: Path, key: bytes, public_url: str,
                 lifetime: timedelta = LINK_LIFETIME) -> None:
        self.folder = folder
        self._key = key
        self.public_url = public_url.rstrip("/")
        self.lifetime = lifetime

    def _signature(self, name: str, expires: int) -> str:
        message = f"{name}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def offer(self, file: OutFile, now: datetime) -> Download:
        """Store ``file`` and return its signed, expiring link."""
        self.folder.mkdir(parents=True, exist_ok=True)
        safe = (_SAFE.sub("_", file.name).strip("._") or "file")[-120:]
        name = f"{secrets.token_hex(16)}-{safe}"
        write_private(self.folder / name, file.content)
        expires_at = now + self.lifetime
        expires = int(expires_at.timestamp())
        url = (f"{self.public_url}/files/{quote(name)}?exp={expires}"
               f"&sig={self._signature(name, expires)}")
        return Download(url, file.name, expires_at)

    def find(self, name: str, expires: str, signature: str, now: datetime) -> Path | None:
        """The file behind a link, if the link is genuine and has not expired."""
        # ASCII digits of a plausible length only ("²" is a digit to str.isdigit, and int()
        # refuses 5,000 of them), an ASCII signature only (compare_digest raises otherwise)
        if not _NAME.match(name) or not _EXPIRES.fullmatch(expires) or not signature.isascii():
            return None
        if not hmac.compare_digest(self._signature(name, int(expires)), signature):
            return None
        if int(expires) < now.timestamp():
            return None
        path = self.folder / name
        return path if path.is_file() else None

    def purge(self, now: datetime) -> int:
        """Delete files whose links have all expired; returns how many."""
        if not self.folder.is_dir():
            return 0
        cutoff = (now - self.lifetime).timestamp()
        removed = 0
        for path in self.folder.iterdir():
            if path.name.startswith("."):  # the signing key lives here too: never purged
                continue
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    @staticmethod
    def original_name(name: str) -> str:
        """The file name a person sees when downloading (without the random prefix)."""
        return name.split("-", 1)[-1]
