"""Zalo users and groups known to the fake server; users can send messages to the bot.

Each sending helper builds a Zalo update (``{"event_name": ..., "message": ...}``), hands it to
the server for delivery (getUpdates queue, or a POST to the webhook when one is set) and returns
the update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ._models import JSON

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
VOICE = "message.voice.received"
UNSUPPORTED = "message.unsupported.received"


class EventSink(Protocol):
    """What a user needs from the server: deliver an event they produced."""

    async def user_event(
        self, user: ZaloUser, group: ZaloGroup | None, event_name: str | None, content: JSON
    ) -> JSON:
        """Build the update for ``user``'s message, deliver it and return it."""
        ...


@dataclass
class ZaloGroup:
    """A Zalo group chat the bot is in (``chat_type`` ``GROUP``)."""

    id: str
    name: str

    def chat(self) -> JSON:
        """The update's ``chat`` object for a message in this group."""
        return {"id": self.id, "chat_type": "GROUP"}


@dataclass
class ZaloUser:
    """A person on Zalo; their private chat with the bot has ``chat.id == user.id``.

    ``blocked`` makes the bot's sends to the private chat answer 403.
    """

    id: str
    display_name: str
    blocked: bool = False
    _server: EventSink = field(repr=False, compare=False, kw_only=True)

    def to_dict(self) -> JSON:
        """The update's ``from`` object."""
        return {"id": self.id, "display_name": self.display_name, "is_bot": False}

    def chat(self, group: ZaloGroup | None = None) -> JSON:
        """The update's ``chat`` object: the private chat, or ``group``."""
        return group.chat() if group is not None else {"id": self.id, "chat_type": "PRIVATE"}

    async def say(self, text: str, group: ZaloGroup | None = None, *,
                  event_name: bool = True) -> JSON:
        """Send a text message (``message.text.received``) privately or in ``group``
        (``event_name=False``: an update without its event name, as polling may give)."""
        return await self._server.user_event(self, group, TEXT if event_name else None,
                                             {"text": text})

    async def send_image(
        self,
        url: str = "https://photo.zalo.example/img/anh-bao-cao.jpg",
        caption: str | None = None,
        group: ZaloGroup | None = None,
    ) -> JSON:
        """Send a photo (``message.image.received``) with an optional caption; its address is
        in ``photo_url``, as the platform documents it."""
        content: JSON = {"photo_url": url}
        if caption is not None:
            content["caption"] = caption
        return await self._server.user_event(self, group, IMAGE, content)

    async def send_sticker(
        self,
        sticker: str = "a1b2c3d4",
        url: str = "https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=a1b2c3d4",
        group: ZaloGroup | None = None,
    ) -> JSON:
        """Send a sticker (``message.sticker.received``), which the bot is not expected to use."""
        return await self._server.user_event(self, group, STICKER, {"sticker": sticker, "url": url})

    async def send_legacy_image(self, photo: object, caption: str | None = None,
                                event_name: bool = True) -> JSON:
        """An image in the legacy shape: ``photo`` (a URL, or an object holding one) and no
        ``photo_url``."""
        content: JSON = {"photo": photo}
        if caption is not None:
            content["caption"] = caption
        return await self._server.user_event(self, None, IMAGE if event_name else None, content)

    async def send_voice(self, url: str = "https://voice.zalo.example/v/ghi-am.aac") -> JSON:
        """Send a voice message (``message.voice.received``), which the bot cannot use."""
        return await self._server.user_event(self, None, VOICE, {"voice": {"url": url}})

    async def send_unsupported(self, group: ZaloGroup | None = None) -> JSON:
        """Send something the Bot API cannot represent (``message.unsupported.received``)."""
        return await self._server.user_event(self, group, UNSUPPORTED, {})
