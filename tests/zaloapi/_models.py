"""Plain data records of the fake Zalo Bot API server: errors, calls, sent messages, deliveries."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request timeout",
    429: "Too many requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def now_ms() -> int:
    """Wall-clock time in milliseconds, the unit Zalo uses for ``date`` and ``updated_at``."""
    return int(time.time() * 1000)


class ApiError(Exception):
    """An error answer of the Zalo Bot API; method implementations raise it to answer non-200.

    The HTTP status equals ``error_code``, so a client sees the failure both ways.
    """

    def __init__(self, status: int, description: str | None = None) -> None:
        text = description or DEFAULT_DESCRIPTIONS.get(status, "Error")
        super().__init__(text)
        self.status = status
        self.description = text

    def body(self) -> JSON:
        """The JSON body Zalo answers with for this error."""
        return {"ok": False, "error_code": self.status, "description": self.description}


def bad_request(detail: str) -> ApiError:
    """A 400 answer with a ``Bad Request: <detail>`` description."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class Call:
    """One API request the bot made, recorded when the server answered (or dropped) it.

    ``at`` is ``time.monotonic()`` at arrival; ``status`` is the HTTP status (``None`` when the
    connection was dropped on purpose); ``description`` is the error text, if any. Iterating
    yields ``(method, params, at)`` so ``for method, params, at in zalo.calls`` works too.
    """

    method: str
    params: JSON
    at: float
    status: int | None
    description: str | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.method, self.params, self.at))


@dataclass
class SentMessage:
    """A message the bot sent: sendMessage, sendPhoto or sendSticker that was answered 200.

    Fields the method does not use are ``None`` (``text`` for a photo, ``photo`` for a text...).
    ``at`` is ``time.monotonic()`` when the server accepted it, ``date`` the ms timestamp it
    answered with, ``params`` the request parameters as received.
    """

    method: str
    chat_id: str
    message_id: str
    at: float
    date: int
    text: str | None = None
    photo: str | None = None
    caption: str | None = None
    sticker: str | None = None
    params: JSON = field(default_factory=dict, repr=False)

    @property
    def kind(self) -> str:
        """``"text"``, ``"photo"`` or ``"sticker"``."""
        return {"sendPhoto": "photo", "sendSticker": "sticker"}.get(self.method, "text")

    @property
    def shown_text(self) -> str | None:
        """What the user reads: the text, or the caption of a photo."""
        return self.text if self.text is not None else self.caption

    def describe(self) -> str:
        """One readable line for failure dumps."""
        if self.kind == "photo":
            return f"#{self.message_id} photo {self.photo!r} caption={self.caption!r}"
        if self.kind == "sticker":
            return f"#{self.message_id} sticker {self.sticker!r}"
        return f"#{self.message_id} {(self.text or '')[:200]!r}"


@dataclass
class ChatAction:
    """A sendChatAction the bot made (``typing`` / ``upload_photo``); not a message."""

    chat_id: str
    action: str
    at: float


@dataclass
class WebhookDelivery:
    """One POST the fake made to the bot's webhook and what the bot answered.

    ``secret`` is the header value sent (``None``: header absent); ``status`` is the bot's HTTP
    status, ``None`` when the connection failed or timed out (``error`` then says why).
    """

    url: str
    body: JSON
    secret: str | None
    at: float
    status: int | None
    response_text: str = ""
    error: str | None = None


@dataclass
class Fault:
    """A planned failure for the next ``times`` calls of a method (``drop``: no answer at all)."""

    status: int
    description: str
    times: int
    drop: bool = False
