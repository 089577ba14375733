"""Plain data records of the fake Bot API server: people, chats, calls and bot messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class ApiError(Exception):
    """An error answer of the Bot API; method implementations raise it to answer non-200.

    Carrying the exact status and description lets tests and the bot see the same text real
    Telegram would send (PTB maps 400 to ``BadRequest``, 403 to ``Forbidden`` and so on).
    """

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        """The JSON body Telegram answers with for this error."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 answer with Telegram's ``Bad Request: <detail>`` description."""
    return ApiError(400, f"Bad Request: {detail}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for entity offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class FakeUser:
    """A Telegram user (or the bot itself) known to the fake server."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "vi"
    is_bot: bool = False

    def to_dict(self) -> JSON:
        """The Bot API ``User`` object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class FakeChat:
    """A chat: a user's private chat (id == user id) or a group/supergroup.

    ``bot_status`` is what ``getChatMember`` answers for the bot ("administrator" or "member");
    ``bot_can_pin`` decides whether pinning works; ``blocked`` makes sends answer 403 like a
    user who blocked the bot.
    """

    id: int
    type: str
    title: str | None = None
    user: FakeUser | None = None
    bot_status: str = "administrator"
    bot_can_pin: bool = True
    blocked: bool = False
    member_status: dict[int, str] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)

    def to_dict(self) -> JSON:
        """The Bot API ``Chat`` object."""
        if self.user is not None:
            data: JSON = {"id": self.id, "type": self.type, "first_name": self.user.first_name}
            if self.user.last_name is not None:
                data["last_name"] = self.user.last_name
            if self.user.username is not None:
                data["username"] = self.user.username
            return data
        return {"id": self.id, "type": self.type, "title": self.title or ""}


@dataclass
class Call:
    """One API call the bot made, recorded when the server answered it.

    ``at`` is ``time.monotonic()`` at arrival; ``response_status`` is the HTTP status (``None`` if
    the connection was dropped on purpose); ``description`` is the error text, if any.
    """

    method: str
    params: JSON
    at: float
    response_status: int | None
    description: str | None = None


@dataclass
class Upload:
    """A file part received in a multipart request (bytes kept out of the repr)."""

    name: str | None
    mime_type: str | None
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        """Number of bytes received."""
        return len(self.content)


@dataclass
class StoredFile:
    """A file the server knows by ``file_id``: sent by a user or uploaded by the bot.

    ``content`` is ``None`` for files the bot sent by URL (nothing was uploaded).
    """

    file_id: str
    file_unique_id: str
    file_path: str
    name: str | None
    mime_type: str | None
    size: int
    content: bytes | None = field(repr=False, default=None)
    url: str | None = None


@dataclass
class BotMessage:
    """A message the bot sent (sendMessage/sendDocument/sendPhoto), kept up to date.

    ``text`` is the text or caption exactly as the bot sent it (markup included) and
    ``plain_text`` what the user sees. Edits push the previous ``(text, reply_markup)`` onto
    ``history`` and the new text onto ``edited_texts``. ``raw`` is the current ``Message`` JSON.
    """

    chat_id: int
    message_id: int
    text: str | None
    plain_text: str | None
    parse_mode: str | None
    reply_markup: JSON | None
    raw: JSON
    kind: str = "text"
    file: StoredFile | None = None
    params: JSON = field(default_factory=dict, repr=False)
    history: list[tuple[str | None, JSON | None]] = field(default_factory=list)
    edited_texts: list[str | None] = field(default_factory=list)
    deleted: bool = False
    pinned: bool = False

    @property
    def document(self) -> StoredFile | None:
        """The file of a sendDocument message."""
        return self.file if self.kind == "document" else None

    @property
    def photo(self) -> StoredFile | None:
        """The file of a sendPhoto message."""
        return self.file if self.kind == "photo" else None

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows as ``(text, callback_data)``; url buttons have ``None`` data."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[(b.get("text", ""), b.get("callback_data")) for b in row] for row in rows]

    @property
    def button_texts(self) -> list[str]:
        """All inline button texts, row by row."""
        return [text for row in self.buttons for text, _ in row]

    def find_button(self, text: str) -> str:
        """callback_data of the button whose text equals ``text``, else the first containing it.

        Raises AssertionError listing the keyboard when nothing matches, so a failing test says
        what the bot actually offered.
        """
        flat = [button for row in self.buttons for button in row]
        for label, data in flat:
            if label == text and data is not None:
                return data
        for label, data in flat:
            if text in label and data is not None:
                return data
        raise AssertionError(
            f"no callback button containing {text!r} in message "
            f"#{self.message_id} to {self.chat_id}; buttons: {self.buttons}"
        )

    def describe(self) -> str:
        """One readable line for failure dumps."""
        flags = [name for name in ("deleted", "pinned") if getattr(self, name)]
        if self.edited_texts:
            flags.append(f"edited {len(self.edited_texts)}x")
        what = f"{self.kind} {self.file.name!r} " if self.file else ""
        text = (self.text or "")[:200]
        keys = f" buttons={self.buttons}" if self.buttons else ""
        extra = f" ({', '.join(flags)})" if flags else ""
        return f"#{self.message_id} {what}{text!r}{keys}{extra}"
