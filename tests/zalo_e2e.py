"""Running the real ``serve`` against the local Zalo Bot API test server, and talking to it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from pydantic import SecretStr

from bot.app.runtime import Runtime
from bot.channels.zalo import ZaloChannel
from bot.domain.clock import Clock
from config.settings import Settings
from storage.records import Role
from tests.e2e import make_invite, start_serving
from tests.zaloapi import FakeZaloApi, SentMessage, ZaloUser

SECRET = "s3cret-Value_123"


@dataclass
class RunningZaloBot:
    """``thidua run`` serving Zalo (and whatever else the settings name) in this event loop."""

    task: asyncio.Task[None]
    stop: asyncio.Event
    names: dict[str, str]
    runtime: Runtime
    settings: Settings

    async def shutdown(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=10)


def free_port() -> int:
    """A port nobody listens on at the moment (the OS's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def zalo_settings(settings: Settings, zalo: FakeZaloApi, *, webhook: bool = False) -> Settings:
    """The test settings pointed at the fake Zalo server; with ``webhook``, a local hook URL."""
    update: dict[str, object] = {
        "zalo_bot_token": SecretStr(zalo.token), "zalo_api_url": zalo.url,
        "webhook_url": None, "webhook_secret": None,
    }
    if webhook:
        port = free_port()
        update.update(webhook_url=f"http://127.0.0.1:{port}/hook",
                      webhook_listen=f"127.0.0.1:{port}", webhook_secret=SecretStr(SECRET))
    return settings.model_copy(update=update)


async def start_zalo_bot(settings: Settings, clock: Clock | None = None) -> RunningZaloBot:
    """Start :func:`bot.app.serve.serve` and wait until every channel is ready (or it failed)."""
    task, stop, names, runtime = await start_serving(settings, clock)
    return RunningZaloBot(task, stop, names, runtime, settings)


@contextlib.asynccontextmanager
async def running_zalo_bot(settings: Settings, zalo: FakeZaloApi, clock: Clock | None = None,
                           webhook: bool = False) -> AsyncIterator[RunningZaloBot]:
    """The bot serving the fake Zalo server, by long polling or (``webhook``) by webhook.

    ``settings`` already pointed at ``zalo`` (see :func:`zalo_settings`) are used as they
    are; otherwise they are pointed at it here.
    """
    if settings.zalo_api_url != zalo.url:
        settings = zalo_settings(settings, zalo, webhook=webhook)
    bot = await start_zalo_bot(settings, clock)
    try:
        yield bot
    finally:
        await bot.shutdown()


def after(zalo: FakeZaloApi) -> Callable[[SentMessage], bool]:
    """A predicate for messages the bot sends from now on (none already sent)."""
    known = {id(message) for message in zalo.sent}
    return lambda message: id(message) not in known


async def ask(zalo: FakeZaloApi, user: ZaloUser, text: str, contains: str | None = None,
              timeout: float = 5.0) -> SentMessage:
    """Say ``text`` privately; the bot's first new message to the user (containing
    ``contains``, when given)."""
    fresh = after(zalo)
    await user.say(text)
    return await zalo.wait_for_message(
        user, lambda m: fresh(m) and (contains is None or contains in (m.shown_text or "")),
        timeout)


async def join(zalo: FakeZaloApi, settings: Settings, clock: Clock, user: ZaloUser,
               role: Role = Role.CONTACT, unit: str | None = "SHTT") -> SentMessage:
    """Register ``user`` the way a Zalo invite says: ``dangky <token>``; the welcome."""
    token = await make_invite(settings, role, unit, clock=clock)
    return await ask(zalo, user, f"dangky {token}")


def menu_number(message: SentMessage, label: str) -> str:
    """The number to type for the first menu line containing ``label``."""
    for line in (message.shown_text or "").splitlines():
        number, dot, rest = line.partition(". ")
        if dot and number.isdigit() and label in rest:
            return number
    raise AssertionError(f"no menu line with {label!r} in:\n{message.shown_text}")


def channel_of(bot: RunningZaloBot) -> ZaloChannel:
    port = bot.runtime.channels["zalo"]
    assert isinstance(port, ZaloChannel)
    return port


async def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``condition()`` holds (checked every 20 ms)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.02)
