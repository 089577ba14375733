"""Logging set-up that never writes a secret: the bot tokens, the webhook secret, every
invite token (which registers whoever sends it) and every ballot's code and receipt are
redacted at every level."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from bot.domain.sealed import BALLOT_BOX, sealed

REDACTED = "<redacted>"
SEALED_LINE = "<a statement on the ballot box, redacted>"
# An invite token after the words that carry it: "/start TOKEN" (also "/start@bot"), a
# deep link's "start=TOKEN", Zalo's "dangky TOKEN" / "đăng ký TOKEN". PTB's DEBUG dump of
# an update and the database driver's DEBUG line for the inbox row both contain them.
INVITE = re.compile(r"(?i)(/start(?:@\w+)?\s+|[?&]start=|\bdang\s?ky\s+|đăng\s?ký\s+"
                    r"|\\u011[01]\\u010[23]ng\s?k\\u00(?:fd|dd)\s+)"  # as JSON escapes it
                    r"[A-Za-z0-9_\-]{16,64}")


class RedactSecrets(logging.Filter):
    """Replaces each secret (and its URL-quoted form) in a record's final message."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def add(self, secret: str) -> None:
        """Redact one more secret."""
        self._secrets.append(secret)

    def redact(self, text: str) -> str:
        """``text`` with every secret, every invite token and every ballot's code replaced;
        a line on the ballot box is replaced whole."""
        if BALLOT_BOX in text:
            return SEALED_LINE
        text = INVITE.sub(lambda found: found.group(1) + REDACTED, text)
        for word in sealed():
            text = text.replace(word, REDACTED)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
            head = secret.split(":", 1)[-1]
            if head and len(head) >= 8:
                text = text.replace(head, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self.redact(message), None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def protect(secret: str) -> None:
    """Redact ``secret`` too from now on (a secret made after logging was set up)."""
    for handler in logging.getLogger().handlers:
        for found in handler.filters:
            if isinstance(found, RedactSecrets) and secret:
                found.add(secret)


class JsonLines(logging.Formatter):
    """One JSON object per line (``THIDUA_LOG_FORMAT=json``), for a log collector: the time
    in UTC, the level, the logger, the message (already redacted by the handler's filter)
    and the traceback, if any. A dozen lines of the standard library; no package needed."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str = "INFO", secrets: Iterable[str] = (),
                      log_format: str = "text") -> None:
    """Log to stderr with secrets redacted, as text or (``json``) one JSON object per line;
    quiet the HTTP client, whose lines carry URLs."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
