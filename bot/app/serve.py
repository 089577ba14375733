"""Serving the bot until told to stop: what ``thidua run`` does.

One process serves every channel that has a token (Telegram, Zalo or both) on
one database and one dispatcher. By default Telegram long-polls and Zalo long-polls
too (Zalo calls that its development mode); with a webhook URL both receive
updates on the bot's own web server, which also serves download links and
``/healthz``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from bot.app.logs import protect
from bot.app.runtime import Runtime, StartupError, open_runtime
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel, ZaloStartError
from bot.domain.clock import Clock
from bot.domain.i18n import catalog
from bot.services.downloads import DownloadStore
from bot.services.inbox import RETRY_EVERY, Inbox
from bot.services.send_lanes import SendLane
from config.database import ServerDatabase
from config.settings import Settings
from storage.backup import running_lock
from storage.files import write_private

if TYPE_CHECKING:  # aiohttp (20 MB) is loaded only when the web server runs
    from bot.app.webserver import WebServer

log = logging.getLogger(__name__)

SECRET_HEADERS = {"telegram": "X-Telegram-Bot-Api-Secret-Token",
                  "zalo": "X-Bot-Api-Secret-Token"}
PURGE_EVERY = timedelta(minutes=60)
KEY_BYTES = 32


class ListenError(Exception):
    """The web server cannot listen where it was told to (port taken, not allowed)."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address}: {reason}")
        self.address = address
        self.reason = reason


class ServedChannel(Protocol):
    """What serving needs of a channel beyond the services' port."""

    async def connect(self) -> str: ...
    async def start_polling(self) -> None: ...
    async def start_webhook(self, url: str, secret: str) -> None: ...
    def update_key(self, body: object) -> str | None: ...
    def storable(self, body: object) -> object: ...
    async def stop_receiving(self) -> None: ...
    def healthy(self) -> bool: ...
    async def stop(self) -> None: ...


@dataclass
class Served:
    """What is running: the channels by name, their bot names, the web server if any."""

    runtime: Runtime
    channels: dict[str, ServedChannel] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    notes: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # for the operator
    web: WebServer | None = None
    inbox: Inbox | None = None


def downloads_folder(settings: Settings) -> Path:
    """Where files offered by link live (``THIDUA_FILES_DIR``; beside a SQLite file)."""
    return settings.files_folder()


def signing_key(folder: Path) -> bytes:
    """The key download links are signed with: random, made once, kept in a file only the
    bot's user can read (not in the database), so links outlive a restart."""
    path = folder / ".signing-key"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        key = path.read_bytes()
        if len(key) == KEY_BYTES:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(KEY_BYTES)
    write_private(path, key)
    return key


async def serve(
    settings: Settings, stop: asyncio.Event, *, clock: Clock | None = None,
    on_ready: Callable[[dict[str, str], list[tuple[str, dict[str, str]]]], None] | None = None,
    on_runtime: Callable[[Runtime], None] | None = None,
) -> None:
    """Open the database, load the bloc, serve every configured channel until ``stop``.

    Raises :class:`bot.app.runtime.StartupError` for a bloc file or database that
    cannot be used, :class:`bot.channels.telegram.TelegramStartError` or
    :class:`bot.channels.zalo.ZaloStartError` for a token or server that
    cannot be used; each carries a message for the operator.
    """
    if not settings.token_value() and not settings.zalo_token_value():
        raise ValueError("serve needs a Telegram or a Zalo bot token")
    # one bot per SQLite file (restore checks it); on PostgreSQL, several instances
    with running_lock(settings.database) if isinstance(settings.database, Path) \
            else nullcontext():
        async with await open_runtime(settings, clock=clock) as runtime:
            if on_runtime is not None:
                on_runtime(runtime)
            served = Served(runtime)
            await _refuse_a_second_poller(settings, runtime)
            try:
                secret = await _start(settings, served)
                # In this order: the outbox puts back what a crash left half-sent, and the
                # updates a crash left unhandled are handled, before any new update comes
                # (a new one would otherwise overtake a person's older one, and its reply,
                # still being sent, would be put back and sent twice).
                await runtime.start()
                assert served.inbox is not None
                await served.inbox.replay()
                if not await _settled_unless_stopped(served.inbox, stop):
                    return  # asked to stop while handling what a crash left
                runtime.timers.every("inbox-retry", RETRY_EVERY, served.inbox.replay)
                await _receive(settings, served, secret)
                runtime.watch_bloc_file()
                if on_ready is not None:
                    on_ready(dict(served.names), list(served.notes))
                await stop.wait()
            finally:
                await runtime.stop()  # nothing is sent through a channel being stopped
                await _stop(served)


async def _settled_unless_stopped(inbox: Inbox, stop: asyncio.Event) -> bool:
    """Wait for the inbox's replay to end; ``False`` if a stop was asked first."""
    settled = asyncio.ensure_future(inbox.settle())
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({settled, stopped}, return_when=asyncio.FIRST_COMPLETED)
    for waiting in (settled, stopped):
        waiting.cancel()
    return not stop.is_set()


async def _listen(web: WebServer, settings: Settings) -> None:
    host, port = settings.listen_address()
    try:
        await web.start(host, port)
    except OSError as exc:
        raise ListenError(f"{host}:{port}", exc.strerror or str(exc)) from None


def _counted_lane(runtime: Runtime, channel: str) -> SendLane | None:
    """The channel's sending budget, which the channel is to tell of every message it posts
    (replies and the outbox's alike)."""
    return runtime.outbox.lanes.get(channel)


async def _refuse_a_second_poller(settings: Settings, runtime: Runtime) -> None:
    """Two processes cannot both long-poll one bot (Telegram answers the second 409, and its
    start deletes the other's webhook): without a webhook, one process serves, alone."""
    if settings.webhook_url or runtime.repo.exclusive:
        return
    others = await runtime.repo.live_instances(runtime.clock.now()) - {runtime.repo.instance}
    if others:
        raise StartupError(catalog().text(settings.language, "cli.polling_alone",
                                          count=len(others)))


async def _start(settings: Settings, served: Served) -> str:
    """Build the channels and the web server and check each token; returns the webhook
    secret. Nothing is received yet (see :func:`_receive`)."""
    from bot.app.webserver import WebServer

    runtime = served.runtime
    inbox = served.inbox = Inbox(runtime.repo, runtime.clock)
    runtime.leadership.also_recover(inbox.replay)  # what a dead process received, handled
    if settings.webhook_secret:
        secret = settings.webhook_secret.get_secret_value()
    else:
        secret = secrets.token_urlsafe(32)
        protect(secret)  # PTB logs setWebhook's parameters at DEBUG
    downloads = None
    public_url = settings.webhook_url or settings.public_url
    if public_url:
        folder = downloads_folder(settings)
        downloads = DownloadStore(folder, signing_key(folder), public_url)
        served.web = WebServer(public_url=public_url, secret=secret,
                               repo=runtime.repo, clock=runtime.clock, inbox=inbox,
                               downloads=downloads, metrics=runtime.services.metrics)
        runtime.timers.every("purge-downloads", PURGE_EVERY, _purge, downloads,
                                runtime.clock)
    elif "webhook_listen" in settings.model_fields_set:
        # polling, with THIDUA_WEBHOOK_LISTEN given: the web server answers /healthz and /metrics
        host, port = settings.listen_address()
        served.web = WebServer(public_url=f"http://{host}:{port}", secret=secret,
                               repo=runtime.repo, clock=runtime.clock, inbox=inbox,
                               metrics=runtime.services.metrics)
    telegram_token, zalo_token = settings.token_value(), settings.zalo_token_value()
    runtime.presenter.downloads = downloads
    handle = runtime.dispatcher.handle
    if telegram_token:

        async def moved(old: str, new: str) -> None:
            await runtime.repo.move_chat("telegram", old, new)

        telegram = TelegramChannel(handle, token=telegram_token, inbox=inbox,
                                   api_url=settings.telegram_api_url,
                                   moved=await runtime.repo.moved_chats("telegram"),
                                   on_move=moved, lane=_counted_lane(runtime, "telegram"))
        served.channels["telegram"] = telegram
        username = await telegram.connect(runtime.command_menu())
        # `thidua invite` prints the bot's link even while the bot is not running
        await runtime.repo.set_bot_username("telegram", username)
        runtime.channels.add("telegram", telegram, username)
        served.names["telegram"] = username
    if zalo_token:
        _refuse_plain_http_for_zalo(settings.webhook_url)
        zalo = ZaloChannel(handle, token=zalo_token, inbox=inbox, api_url=settings.zalo_api_url)
        served.channels["zalo"] = zalo
        served.names["zalo"] = await zalo.connect()
        runtime.channels.add("zalo", zalo, served.names["zalo"], groups=zalo.can_join_groups)
        if not settings.webhook_url:  # the platform documents polling for development only
            served.notes.append(("cli.zalo_polling", {}))
        if not zalo.can_join_groups:
            served.notes.append(("cli.zalo_no_groups", {"bot": served.names["zalo"]}))
    if settings.webhook_url and isinstance(settings.database, ServerDatabase) \
            and settings.webhook_secret is None:
        # every process behind the address must check the same secret: one made at the
        # start of each would undo the other's setWebhook
        raise StartupError(catalog().text(settings.language, "cli.shared_secret_needed"))
    return secret


def _refuse_plain_http_for_zalo(url: str | None) -> None:
    """Zalo posts the bloc's messages to the webhook: only over https, except to this machine
    (a local test or a proxy on the same host)."""
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ZaloStartError("cli.zalo_webhook_insecure", webhook=url)


async def _receive(settings: Settings, served: Served, secret: str) -> None:
    """Start taking updates: polling, or listening and registering the webhooks."""
    from bot.app.webserver import Webhook

    web = served.web
    if web is not None and not settings.webhook_url:
        for name, channel in served.channels.items():
            web.add_health(name, channel.healthy)
            await channel.start_polling()
        await _listen(web, settings)
    elif web is not None:
        for name, channel in served.channels.items():
            web.add_webhook(Webhook(name, SECRET_HEADERS[name], channel.healthy,
                                    channel.update_key, channel.storable))
        await _listen(web, settings)  # listening before the messengers are told to post
        for name, channel in served.channels.items():
            await channel.start_webhook(web.url_for(name), secret)
    else:
        for channel in served.channels.values():
            await channel.start_polling()


async def _purge(downloads: DownloadStore, clock: Clock) -> None:
    removed = downloads.purge(clock.now())
    if removed:
        log.info("deleted %d expired download(s)", removed)


async def _stop(served: Served) -> None:
    # the web server first: an update arriving once a channel has stopped would be
    # acknowledged and never answered; refused, the messenger delivers it again later
    if served.web is not None:
        try:
            await served.web.stop()
        except Exception:
            log.exception("could not stop the web server cleanly")
    for name, channel in served.channels.items():
        try:
            await channel.stop_receiving()
        except Exception:
            log.exception("could not stop receiving on the %s channel", name)
    if served.inbox is not None:
        await served.inbox.stop()  # the updates taken are handled; the rest wait in the inbox
    for name, channel in served.channels.items():
        try:
            await channel.stop()
        except Exception:
            log.exception("could not stop the %s channel cleanly", name)
