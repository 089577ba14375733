"""Benchmark 1: N contacts each complete a guided ``/capnhat`` at once, over real HTTP.

The bot runs as ``thidua run`` in its own process on a copy of the data set, long-polling
the local Bot API server, which runs here with the simulated people. Each person waits for
the bot's answer before the next step, like a person would. Latency is from the moment a
person's message is queued at the server to the moment the bot's reply reaches it. A bare
PTB echo bot goes through the same harness in the same run, with the same number of
exchanges per person, as the ceiling.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from bench.data import Dataset, add_contacts, dataset
from bench.procs import Process, first_poll, start_echo, start_thidua
from bench.report import Table, ms, percentile, verdict
from tests.botapi import BotMessage, FakeBotApi, FakeUser

FIRST_ID = 2_000_000
TIMEOUT = 300.0


@dataclass
class Run:
    """One bot at one N."""

    bot: str
    people: int
    latencies: list[float] = field(default_factory=list)
    updates: int = 0
    calls: int = 0  # Bot API calls the bot made while driven (getUpdates left out)
    seconds: float = 0.0
    failures: int = 0
    peak_rss_mb: float = 0.0
    idle_rss_mb: float = 0.0
    spread: tuple[float, float] | None = None  # lowest and highest updates/s of its rounds

    @property
    def throughput(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    @property
    def call_rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)


class Person:
    """One simulated person: sends, waits for the bot's next message, notes the latency."""

    def __init__(self, api: FakeBotApi, user: FakeUser, run: Run) -> None:
        self.api, self.user, self.run = api, user, run
        self.inbox = api.inboxes.watch(user.id)

    async def _answer(self, act: Callable[[], object]) -> BotMessage:
        while not self.inbox.empty():  # extra messages of the previous step
            self.inbox.get_nowait()
        start = time.monotonic()
        act()
        at, message = await asyncio.wait_for(self.inbox.get(), TIMEOUT)
        self.run.latencies.append(at - start)
        self.run.updates += 1
        return message

    async def say(self, text: str) -> BotMessage:
        return await self._answer(lambda: self.api.send_text(self.user, text))

    async def tap(self, message: BotMessage, value: str | None = None) -> BotMessage:
        data = [d for row in message.buttons for _, d in row if d]
        chosen = data[0] if value is None else next(d for d in data if d.endswith(f":{value}"))
        return await self._answer(lambda: self.api.press(self.user, message, chosen))


async def guided_update(person: Person) -> None:
    """The whole guided ``/capnhat``: task, status, percent, note, files, submit (6 answers)."""
    tasks = await person.say("/capnhat")
    statuses = await person.tap(tasks)
    await person.tap(statuses, "in_progress")
    await person.say("60")
    files = await person.say("Đã tổ chức hội thảo với doanh nghiệp")
    summary = await person.tap(files, "done")
    await person.tap(summary, "submit")


async def echo_exchanges(person: Person) -> None:
    """As many exchanges with the echo bot."""
    for step in range(7):
        await person.say(f"Tin nhắn số {step}")


async def _drive(api: FakeBotApi, run: Run, ids: list[int], proc: Process,
                 script: Callable[[Person], Awaitable[None]]) -> None:
    people = [Person(api, api.user(user_id, f"Người {user_id}"), run) for user_id in ids]
    run.idle_rss_mb = proc.memory()[0]
    before = len(api.calls)
    start = time.monotonic()

    async def one(person: Person) -> None:
        try:
            await script(person)
        except (TimeoutError, StopIteration, ValueError):
            run.failures += 1

    await asyncio.gather(*(one(person) for person in people))
    run.seconds = time.monotonic() - start
    run.calls = sum(1 for call in api.calls[before:] if call.method != "getUpdates")
    run.peak_rss_mb = proc.memory()[1]


async def measure_bot(data: Dataset, people: int, *, flood_cap: bool = False,
                      postgres: bool = False) -> Run:
    """The bot (``thidua run``) with ``people`` contacts reporting at once (``postgres``:
    on the same data moved to PostgreSQL, bench/engines.py)."""
    from bench.engines import on_postgres

    name = "thidua-bot" + (" (as shipped: 30 msg/s cap)" if flood_cap else "")
    run = Run(name, people)
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as folder:
        copy = data.copy_to(Path(folder))
        ids = add_contacts(copy.database, people, FIRST_ID)
        async with on_postgres(copy) if postgres else nullcontext(copy) as copy, \
                FakeBotApi() as api:
            proc = await start_thidua(api, copy, Path(folder), flood_cap=flood_cap)
            try:
                await first_poll(api)
                await _ready(api)
                await _drive(api, run, ids, proc, guided_update)
            finally:
                await proc.stop()
    return run


ECHO = "PTB echo bot (ceiling)"
ECHO_AIOHTTP = "PTB echo bot on the bot's transport (aiohttp)"


async def measure_echo(people: int, *, transport: str = "") -> Run:
    """The echo bot with ``people`` people exchanging as many messages (on PTB's default
    transport; ``transport="aiohttp"``: on the one the bot uses)."""
    run = Run(ECHO_AIOHTTP if transport else ECHO, people)
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as folder:
        async with FakeBotApi() as api:
            proc = await start_echo(api, Path(folder), transport=transport)
            try:
                await first_poll(api)
                await _drive(api, run, [FIRST_ID + n for n in range(people)], proc,
                             echo_exchanges)
            finally:
                await proc.stop()
    return run


async def _ready(api: FakeBotApi, seconds: float = 60) -> None:
    """The bot has set its commands, planned reminders and polls (it answers a stranger)."""
    probe = api.user(FIRST_ID - 1, "Người lạ")
    inbox = api.inboxes.watch(probe.id)
    api.send_text(probe, "xin chào")
    await asyncio.wait_for(inbox.get(), seconds)


def _median(runs: list[Run]) -> Run:
    """The round with the median throughput (the others are kept for the range shown)."""
    ranked = sorted(runs, key=lambda one: one.throughput)
    middle = ranked[len(ranked) // 2]
    middle.spread = (ranked[0].throughput, ranked[-1].throughput)
    return middle


def run(sizes: tuple[int, ...] = (50, 200, 1000), *, scale: str = "ministry", seed: int = 8,
        shipped: tuple[int, ...] = (50,), rounds: int = 3) -> list[tuple[Run, Run]]:
    """Benchmark 1 at each N: (echo, bot) pairs; plus the bot as shipped at ``shipped``.

    The echo bot and the bot alternate for ``rounds`` rounds at each N and the median round
    of each is kept: this machine's pace drifts by a third from one minute to the next, and
    one round each let a slow minute decide the ratio (the echo bot alone measured 106 to
    429 updates/s at N = 50 on one afternoon).
    """
    data = dataset(scale, seed)
    pairs = []
    for people in sizes:
        echoes, bots = [], []
        for _ in range(rounds):
            echoes.append(asyncio.run(measure_echo(people)))
            bots.append(asyncio.run(measure_bot(data, people)))
        pairs.append((_median(echoes), _median(bots)))
    for people in shipped:
        pairs.append((pairs[0][0] if pairs else asyncio.run(measure_echo(people)),
                      asyncio.run(measure_bot(data, people, flood_cap=True))))
    return pairs


def same_transport(sizes: tuple[int, ...]) -> tuple[Run, ...]:
    """The echo bot on the bot's transport at each N (rows shown, held to no goal)."""
    return tuple(asyncio.run(measure_echo(people, transport="aiohttp")) for people in sizes)


def _rate(run: Run) -> str:
    """Updates/s of the median round, with the range of the rounds when there were several."""
    if run.spread is None:
        return f"{run.throughput:.0f}"
    return f"{run.throughput:.0f} ({run.spread[0]:.0f}–{run.spread[1]:.0f})"


def table(pairs: list[tuple[Run, Run]], others: tuple[Run, ...] = ()) -> Table:
    """Benchmark 1's table; ``others``: rows shown after the pair of their N."""
    result = Table("1. Conversation throughput and latency (real HTTP, bot in its own process)",
                   ["N", "bot", "updates/s", "API calls/s", "p50 ms", "p95 ms", "p99 ms", "failed",
                    "peak RSS MB", "throughput ≥ 60 % echo", "p95 ≤ 2× echo"])
    seen: set[int] = set()
    for echo, bot in pairs:
        if id(echo) not in seen:
            seen.add(id(echo))
            result.add(echo.people, echo.bot, _rate(echo),
                       f"{echo.call_rate:.0f}", ms(echo.p(50)),
                       ms(echo.p(95)), ms(echo.p(99)), echo.failures, f"{echo.peak_rss_mb:.0f}",
                       "", "")
        ratio = bot.throughput / echo.throughput if echo.throughput else 0.0
        slower = bot.p(95) / echo.p(95) if echo.p(95) else 0.0
        result.add(bot.people, bot.bot, _rate(bot), f"{bot.call_rate:.0f}",
                   ms(bot.p(50)), ms(bot.p(95)),
                   ms(bot.p(99)), bot.failures, f"{bot.peak_rss_mb:.0f}",
                   f"{ratio:.0%} {verdict(ratio >= 0.6)}", f"{slower:.1f}× {verdict(slower <= 2)}")
        for other in others:
            if other.people == bot.people and "shipped" not in bot.bot:
                result.add(other.people, other.bot, f"{other.throughput:.0f}",
                           f"{other.call_rate:.0f}", ms(other.p(50)), ms(other.p(95)),
                           ms(other.p(99)), other.failures, f"{other.peak_rss_mb:.0f}", "", "")
    result.notes.append(
        "The echo bot and the bot alternate for several rounds at each N; each row is the "
        "round with the median updates/s, the range of all rounds in brackets, and the "
        "ratio compares the two medians.")
    result.notes.append(
        "An update is one message or button press. The echo bot answers each with one call; "
        "the bot answers a text with one message and a button press with three calls "
        "(answerCallbackQuery, editMessageText marking the choice, the next question), "
        "so API calls/s compares the work each does per second.")
    result.notes.append(
        "The bot posts to the Bot API through its own PTB transport on aiohttp "
        "(bot/channels/telegram_transport.py) and sends replies without turning Telegram's "
        "answers into PTB objects (TelegramBot.call); the echo bot is a bare PTB bot on "
        "PTB's default httpx transport, the ceiling this benchmark has compared with since "
        "it was written. The row \"on the bot's transport\" is the same echo bot on "
        "aiohttp, to show how much of the bot's lead is the transport.")
    return result
