"""Running the real Telegram application against the local Bot API test server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from pydantic import SecretStr

from bot.app.runtime import Runtime, open_runtime
from bot.app.serve import serve
from bot.domain.clock import Clock, FixedClock
from bot.services import invites
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi

T = TypeVar("T")


@dataclass
class RunningBot:
    """A ``thidua run`` application serving in this event loop."""

    task: asyncio.Task[None]
    stop: asyncio.Event
    username: str
    runtime: Runtime

    async def runtime_reload(self) -> None:
        """What the bloc-file watcher does on its next tick."""
        await self.runtime._reload()

    async def shutdown(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=10)


def telegram_settings(settings: Settings, api: FakeBotApi) -> Settings:
    return settings.model_copy(update={
        "telegram_bot_token": SecretStr(api.token), "telegram_api_url": api.base_url,
    })


async def start_serving(
    settings: Settings, clock: Clock | None = None,
) -> tuple[asyncio.Task[None], asyncio.Event, dict[str, str], Runtime]:
    """Start ``serve`` (every channel the settings name) and wait until it is ready.

    Returns the serving task, the event that stops it, the bots' names by channel and
    the runtime; a start-up error is raised here.
    """
    stop, ready = asyncio.Event(), asyncio.get_running_loop().create_future()
    runtimes: list[Runtime] = []
    task = asyncio.create_task(serve(
        settings, stop, clock=clock, on_ready=lambda names, _: ready.set_result(names),
        on_runtime=runtimes.append))
    done, _ = await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises the start-up error
    if ready not in done:
        stop.set()
        raise AssertionError("the bot did not start within 10 s")
    return task, stop, ready.result(), runtimes[0]


async def start_bot(settings: Settings, clock: Clock | None = None) -> RunningBot:
    """Start serving Telegram and wait until polling runs (or the start fails)."""
    task, stop, names, runtime = await start_serving(settings, clock)
    return RunningBot(task, stop, names["telegram"], runtime)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, clock: Clock | None = None) -> AsyncIterator[RunningBot]:
    bot = await start_bot(settings, clock)
    try:
        yield bot
    finally:
        await bot.shutdown()


async def make_invite(settings: Settings, role: Role = Role.CONTACT, unit: str | None = "SHTT",
                      validity: timedelta = timedelta(days=7), *, clock: Clock) -> str:
    """An invite token made the way ``thidua invite`` makes it, in the bot's database, on the
    bot's clock (an invite made on the wall's date expires at the wrong moment for a bot whose
    test clock is elsewhere)."""
    async with await open_runtime(settings, clock=clock) as runtime:
        made = await invites.create_invite(
            runtime.repo, runtime.bloc, role=role, unit_code=unit, uses=1,
            validity=validity, created_by="test", now=runtime.clock.now())
    return made.token


async def while_the_clock_runs(clock: FixedClock, wait: Callable[[float], Awaitable[T]], *,
                               step: timedelta = timedelta(seconds=4), steps: int = 10) -> T:
    """``wait(timeout)`` while the bot's test clock moves on by ``step`` at a time: the
    outbox retries a failed send after a backoff on the bot's clock, which a test clock
    only passes when told to."""
    for _ in range(steps - 1):
        with contextlib.suppress(AssertionError):
            return await wait(1.5)
        clock.advance(step)
    return await wait(1.5)
