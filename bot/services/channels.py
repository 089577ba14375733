"""The channels that are running, as the services and handlers see them.

A service that sends on its own (the outbox, the posted task lists, the parking of
idle conversations) reaches a messenger only through this registry, by the channel's
name; the composition root registers each channel once it has connected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from bot.domain.events import ChannelPort, Message, Traits

log = logging.getLogger(__name__)


class Channels:
    """The running channels by name, and the bot's name on each messenger."""

    def __init__(self) -> None:
        self._ports: dict[str, ChannelPort] = {}
        self.usernames: dict[str, str] = {}  # Telegram's @username, Zalo's display name
        self._without_groups: set[str] = set()

    def add(self, name: str, port: ChannelPort, username: str | None = None, *,
            groups: bool = True) -> None:
        """``port`` serves ``name`` from now on; ``groups=False``: its bot cannot be in a
        group (most Zalo Bot Platform bots)."""
        self._ports[name] = port
        if username:
            self.usernames[name] = username
        if not groups:
            self._without_groups.add(name)

    def traits(self, name: str) -> Traits:
        """What the messenger ``name`` shows (one not running: the richest, Telegram's)."""
        port = self._ports.get(name)
        return port.traits if port is not None else Traits()

    def has_groups(self, name: str) -> bool:
        """Whether the bot can post in a group on ``name``."""
        return name not in self._without_groups

    def get(self, name: str) -> ChannelPort | None:
        """The running channel called ``name``, if any."""
        return self._ports.get(name)

    def __getitem__(self, name: str) -> ChannelPort:
        return self._ports[name]

    def __contains__(self, name: object) -> bool:
        return name in self._ports

    def __iter__(self) -> Iterator[str]:
        return iter(self._ports)

    async def send(self, channel: str, chat_id: str, messages: list[Message]) -> bool:
        """Send messages the bot decided to send; ``False`` if the channel is not running."""
        port = self._ports.get(channel)
        if port is None:
            log.warning("no running %s channel to send to chat %s", channel, chat_id)
            return False
        for message in messages:
            await port.send(message.chat_id or chat_id, message)
        return True
