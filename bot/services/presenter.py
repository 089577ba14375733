"""Presenting replies for the messenger they go to (``bot/domain/presenting.py``), with
what that needs at hand: each running channel's traits, the catalogs, the bloc's time
zone, and the download links of a messenger that takes no uploads."""

from __future__ import annotations

import asyncio
import logging

from bot.domain.clock import Clock
from bot.domain.events import Reply, Traits
from bot.domain.i18n import Texts
from bot.domain.presenting import Offered, Presented, present
from bot.services.blocs import Blocs
from bot.services.channels import Channels
from bot.services.downloads import DownloadStore

log = logging.getLogger(__name__)


class Presenter:
    """Turns replies into the messages their messenger shows."""

    def __init__(self, channels: Channels, texts: Texts, blocs: Blocs, clock: Clock) -> None:
        self._channels = channels
        self._texts = texts
        self._blocs = blocs
        self._clock = clock
        self.downloads: DownloadStore | None = None  # set when the web server offers files

    def traits(self, channel: str) -> Traits:
        """What the messenger shows (a channel not running: the richest, Telegram's)."""
        return self._channels.traits(channel)

    async def present(self, channel: str, reply: Reply, language: str | None) -> Presented:
        """``reply`` as the messages ``channel`` shows, in ``language`` (else the reply's,
        else the bot's)."""
        traits = self.traits(channel)
        offered = None
        if reply.file is not None and not traits.uploads and self.downloads is not None:
            try:
                download = await asyncio.to_thread(self.downloads.offer, reply.file,
                                                   self._clock.now())
                offered = Offered(download.url, download.expires_at)
            except OSError:  # the downloads folder is full or not writable: say it is not there
                log.exception("could not store %s for download", reply.file.name)
        t = self._texts.translator(reply.language or language)
        return present(reply, traits, t, channel=channel, offered=offered,
                       zone=self._blocs.zone)
