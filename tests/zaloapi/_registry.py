"""Registry of the fake server's Zalo Bot API methods and the parameter helpers they share.

Each implementation takes the server state and the request parameters and returns the
``result`` value or raises ``ApiError``. Method names are matched exactly, as Zalo does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ._models import JSON, ApiError, bad_request
from ._state import ZaloWorld

Handler = Callable[[ZaloWorld, JSON], Any | Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register an implementation under a Zalo Bot API method name."""

    def register(func: Handler) -> Handler:
        METHODS[name] = func
        return func

    return register


def str_param(p: JSON, name: str) -> str:
    """A required non-empty string parameter (numbers are accepted as text); 400 if missing."""
    value = p.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise bad_request(f"{name} is required")
    return value


def chat_param(state: ZaloWorld, p: JSON) -> str:
    """The chat_id of a send: a known user's private chat or a known group.

    400 when missing or unknown, 403 when the user blocked the bot.
    """
    chat_id = str_param(p, "chat_id")
    user = state.users.get(chat_id)
    if user is not None:
        if user.blocked:
            raise ApiError(403, "Forbidden: user has blocked the bot")
        return chat_id
    if chat_id not in state.groups:
        raise bad_request("chat not found")
    return chat_id
