"""Registry of the fake server's Bot API methods and the parameter helpers they share.

Each implementation takes the server state and the decoded parameters and returns the ``result``
value or raises ``ApiError`` with the status and description real Telegram uses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ._models import JSON, ApiError, FakeChat, bad_request
from ._state import WorldState

Handler = Callable[[WorldState, JSON], Any | Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    """Register an implementation under Bot API method names (matched case-insensitively)."""

    def register(func: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = (name, func)
        return func

    return register


def int_param(p: JSON, name: str, required: bool = True) -> int | None:
    """An integer parameter; 400 if missing (when required) or not a number."""
    value = p.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f'parameter "{name}" is required')
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def chat_param(state: WorldState, p: JSON, sending: bool = False) -> FakeChat:
    """The chat named by chat_id; 400 if unknown, 403 when sending to a user who blocked us."""
    raw = p.get("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    chat = state.chats.get(raw) if isinstance(raw, int) else None
    if chat is None:
        raise bad_request("chat not found")
    if sending and chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat
