"""Talking to the dispatcher directly as a person would, for tests below the channel level."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.events import ChatKind, Choice, Inbound, Reply, Response
from bot.domain.text import html_to_plain
from bot.kernel.context import Context
from bot.kernel.dispatcher import Dispatcher, Identify


@dataclass
class Person:
    """One user of one channel; each call returns what the bot answered."""

    dispatcher: Dispatcher
    user_id: str
    name: str = "Người dùng"
    channel: str = "test"
    history: list[Response] = field(default_factory=list)

    async def _send(self, **kwargs: object) -> Response:
        event = Inbound(channel=self.channel, user_id=self.user_id, chat_id=self.user_id,
                        chat_kind=ChatKind.PRIVATE, display_name=self.name, **kwargs)  # type: ignore[arg-type]
        response = await self.dispatcher.handle(event)
        self.history.append(response)
        return response

    async def say(self, text: str, **kwargs: object) -> Response:
        return await self._send(text=text, **kwargs)

    async def press(self, reply: Reply, label: str) -> Response:
        """Press the option whose label contains ``label`` on an earlier reply."""
        option = next(o for o in reply.options if label in o.label)
        return await self._send(choice=Choice(reply.token, option.value))

    def last_reply(self) -> Reply:
        return self.history[-1].replies[-1]


def plain(response: Response) -> str:
    """All the text of a response, as a person reads it."""
    return "\n".join(html_to_plain(reply.text) for reply in response.replies)


async def context_for(runtime: object, user_id: str, channel: str = "test") -> Context:
    """The handler context a message from this person would get (for view-level tests)."""
    event = Inbound(channel=channel, user_id=user_id, chat_id=user_id,
                    chat_kind=ChatKind.PRIVATE, display_name="", text="")
    identify = Identify(runtime.services, runtime.admins)  # type: ignore[attr-defined]
    return await identify.context(event)
