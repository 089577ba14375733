"""What the composition root gives a channel: the way into the bot, and the few things a
channel still looks up to render a reply in the messenger's own terms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.domain.clock import Clock
from bot.domain.events import Inbound, Response, Sent
from bot.domain.i18n import Texts
from bot.services.blocs import Blocs
from storage.repository import Repository

Deliver = Callable[[Response], Awaitable[Sent]]


class Handle(Protocol):
    """The dispatcher's ``handle``, as a channel calls it."""

    async def __call__(self, event: Inbound, deliver: Deliver | None = None, *,
                       receipt: int | None = None) -> Response: ...


@dataclass(frozen=True)
class ChannelKit:
    """The dispatcher's entry and what rendering needs (the person's language, the bloc's
    time zone, a button-less messenger's menus)."""

    handle: Handle
    texts: Texts
    repo: Repository
    clock: Clock
    blocs: Blocs
    filling_in: Callable[[str | None], bool]  # the named form is one to fill in, not a view

    async def language_of(self, channel: str, external_id: str) -> str:
        """The language a person chose, or the bot's own."""
        member = await self.repo.get_member(channel, external_id)
        return self.texts.language_of(member.language if member else None)

    def text(self, language: str | None, key: str, /, **params: object) -> str:
        """A catalog message in ``language``."""
        return self.texts.text(language, key, **params)
