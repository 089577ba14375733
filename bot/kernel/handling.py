"""One event on its way through the dispatcher's pipeline, and what a step of it is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.domain.events import Inbound, Response, Sent
from bot.kernel.context import Context

Deliver = Callable[[Response], Awaitable[Sent]]  # a channel's sending of a response
Next = Callable[[], Awaitable[None]]


@dataclass
class Handling:
    """One event on its way through the pipeline, and what the steps learn of it."""

    event: Inbound  # a step may replace it (a typed number becomes a choice)
    deliver: Deliver | None  # None: the caller sends the response itself (the console)
    receipt: int | None  # the inbox row the event came from
    ctx: Context | None = None
    response: Response = field(default_factory=Response)
    rows: list[int] | None = None  # the replies' outbox rows, once recorded


class Step(Protocol):
    """One step of the pipeline."""

    async def __call__(self, handling: Handling, call_next: Next) -> None: ...


