"""Serving the bot on Telegram until told to stop: what ``thidua run`` does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.channels.telegram import TelegramChannel
from bot.clock import Clock
from bot.runtime import Runtime, open_runtime
from config.settings import Settings
from storage.backup import running_lock

log = logging.getLogger(__name__)


async def serve_telegram(
    settings: Settings, stop: asyncio.Event, *, clock: Clock | None = None,
    on_ready: Callable[[str], None] | None = None,
    on_runtime: Callable[[Runtime], None] | None = None,
) -> None:
    """Open the database, load the bloc, long-poll Telegram until ``stop`` is set.

    Raises :class:`bot.runtime.StartupError` for a bloc file or database that
    cannot be used, and :class:`bot.channels.telegram.TelegramStartError` for a
    token or server that cannot be used; both carry a message for the operator.
    """
    token = settings.token_value()
    if not token:
        raise ValueError("serve_telegram needs settings.telegram_bot_token")
    with running_lock(settings.database):  # one bot per database; restore checks it
        async with await open_runtime(settings, clock=clock) as runtime:
            if on_runtime is not None:
                on_runtime(runtime)
            channel = TelegramChannel(runtime.core, token=token, api_url=settings.telegram_api_url)
            try:
                username = await channel.start()
                await runtime.core.start()
                runtime.watch_bloc_file()
                if on_ready is not None:
                    on_ready(username)
                await stop.wait()
            finally:
                await channel.stop()
