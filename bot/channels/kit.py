"""What a channel is given: the way into the bot, and nothing else.

A channel is an adapter (the messenger's update → an :class:`~bot.domain.events.Inbound`,
a presented :class:`~bot.domain.events.Message` → the messenger): it holds no repository,
no conversation state and no catalog; the replies reach it already presented.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.domain.events import Inbound, Response, Sent

Deliver = Callable[[Response], Awaitable[Sent]]


class Handle(Protocol):
    """The dispatcher's ``handle``, as a channel calls it."""

    async def __call__(self, event: Inbound, deliver: Deliver | None = None, *,
                       receipt: int | None = None) -> Response: ...
