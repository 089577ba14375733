"""Benchmark 8: a ministry in one process — 50 blocs × 15 units, 2,250 people, one bot.

In the bot's process (bot-side time, as benchmark 3), on the same database: the chair's
status views of bloc 0 with the bot serving that bloc's file alone, and serving the folder
of all 50 (per-bloc views no slower: p95 ratio ≤ 1.2); the ministry's liaison's overview
(``/tinhhinh``, which begins with the table of the blocs, and ``/sosanh``) p95 ≤ 50 ms.

As ``thidua run`` on the folder, the local Bot API server enforcing Telegram's limits: 2,000
reminders to people of every bloc through the outbox (≥ 27 messages/s, no 429), while ten
people ask ``/nhiemvu`` again and again; their reply's p95 during the fan-out against its
p95 with nothing else going on (≤ 2×: replies go ahead of the outbox's bulk, in the same
token's budget).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

import yaml

from bench.data import ZONE, Dataset, add_contacts, add_person, bloc_document, dataset
from bench.procs import first_poll, start_thidua
from bench.report import Table, ms, percentile, verdict
from bot.app.runtime import Runtime, open_runtime
from bot.domain.clock import FixedClock
from bot.domain.events import ChatKind, Choice, Inbound, Response
from bot.kernel.dispatcher import Dispatcher
from config.settings import Settings
from tests.botapi import FakeBotApi, TelegramLimits

CHAIR_ID = 900_000_001
LIAISON_ID = 900_000_002
TALKER_ID = 4_000_000
ALONE = "Nhắc hạn của Khối"  # the fan-out alone
SHARED = "Nhắc lần hai"  # the fan-out while people talk
PAUSE = 1.5  # seconds a talker waits after an answer (Telegram takes 1 message/s per chat)
VIEW_RATIO = 1.2
OVERVIEW_GOAL = 0.050
RATE_GOAL = 27.0
REPLY_RATIO = 2.0


@dataclass
class Ministry:
    """What one run saw."""

    blocs: int
    views: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # setup → view
    liaison: dict[str, list[float]] = field(default_factory=dict)
    reminders: int = 0
    rate: float = 0.0  # the fan-out alone, messages/s
    bulk_rate: float = 0.0  # the fan-out while people talk
    shared_rate: float = 0.0  # every message then, replies included
    refused: int = 0
    refusals: dict[str, int] = field(default_factory=dict)  # 429s by the limit they broke
    lost: int = 0
    idle: list[float] = field(default_factory=list)  # reply latencies, seconds
    busy: list[float] = field(default_factory=list)


def bloc_folder(data: Dataset, folder: Path) -> Path:
    """Every bloc of the data set as its own file, in one folder (the same documents the
    data set was made from: the same seed, in the same order)."""
    rng = random.Random(data.seed)
    blocs = folder / "blocs"
    blocs.mkdir()
    for number in range(data.scale.blocs):
        document = bloc_document(data.scale, number, data.anchor, rng)
        (blocs / f"khoi-{number:02d}.yaml").write_text(
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return blocs


def _add_ministry_liaison(database: Path, user_id: int) -> None:
    db = sqlite3.connect(database)
    try:
        with db:
            db.execute(
                "INSERT INTO members (bloc_id, channel, external_id, display_name, role, "
                "registered_at, all_blocs) SELECT id, 'telegram', ?, 'Vụ Thi đua', 'liaison', ?, "
                "1 FROM blocs WHERE code = 'khoi-00'",
                (str(user_id), datetime.now(UTC).isoformat(timespec="microseconds")))
    finally:
        db.close()


class Session:
    """One person talking to the dispatcher directly (no network)."""

    def __init__(self, dispatcher: Dispatcher, user_id: int) -> None:
        self.dispatcher, self.user_id, self.token = dispatcher, user_id, 0

    async def say(self, text: str | None = None, choice: str | None = None) -> Response:
        response = await self.dispatcher.handle(Inbound(
            channel="telegram", user_id=str(self.user_id), chat_id=str(self.user_id),
            chat_kind=ChatKind.PRIVATE, display_name="Người dùng", text=text,
            choice=Choice(self.token, choice) if choice is not None else None))
        for reply in response.replies:
            if reply.options:
                self.token = reply.token
        return response


async def _timed(samples: list[float], call: object) -> Response:
    started = time.perf_counter()
    response: Response = await call  # type: ignore[misc]
    samples.append(time.perf_counter() - started)
    return response


async def _opened(data: Dataset, folder: Path, bloc_file: Path | None) -> Runtime:
    """The bot's core on a private copy, serving ``bloc_file`` (the folder of every bloc),
    or bloc 0's file alone; with bloc 0's chair and the ministry's liaison registered."""
    copy = data.copy_to(folder)
    add_person(copy.database, CHAIR_ID, "chair")
    _add_ministry_liaison(copy.database, LIAISON_ID)
    clock = FixedClock(datetime.combine(data.anchor, clock_time(10), tzinfo=ZONE))
    return await open_runtime(Settings(database=copy.database,
                                       bloc_file=bloc_file or copy.bloc_file), clock=clock)


async def _views(data: Dataset, base: Path, blocs: Path, rounds: int,
                 result: Ministry) -> None:
    """The chair's views of bloc 0 in both setups, a round of each in turn (this machine's
    pace drifts: each pair of samples shares a moment), then the liaison's overview."""
    setups = {"one bloc": None, f"{data.scale.blocs} blocs": blocs}
    runtimes = {name: await _opened(data, base / name.replace(" ", "-"), bloc_file)
                for name, bloc_file in setups.items()}
    try:
        chairs = {name: Session(runtime.dispatcher, CHAIR_ID)
                  for name, runtime in runtimes.items()}
        bloc = runtimes["one bloc"].blocs.by_code("khoi-00")
        assert bloc is not None
        units = await runtimes["one bloc"].repo.list_units(bloc.id)
        for chair in chairs.values():
            await chair.say("/tinhhinh")  # warm
            await chair.say(choice="close")
        for index in range(rounds):
            for name, chair in chairs.items():
                samples = result.views.setdefault(name, {})
                await _timed(samples.setdefault("overview", []), chair.say("/tinhhinh"))
                await chair.say(choice="unit")
                await _timed(samples.setdefault("unit view", []),
                             chair.say(choice=str(units[index % len(units)].id)))
                await chair.say(choice="close")
                await chair.say("/tinhhinh")
                tasks = await chair.say(choice="task")
                values = [o.value for o in tasks.replies[-1].options]
                await _timed(samples.setdefault("task view", []),
                             chair.say(choice=values[index % len(values)]))
                await chair.say(choice="close")
        ministry = Session(runtimes[f"{data.scale.blocs} blocs"].dispatcher, LIAISON_ID)
        await ministry.say("/tinhhinh")  # warm
        for _ in range(rounds):
            await _timed(result.liaison.setdefault("/tinhhinh (the blocs, then one)", []),
                         ministry.say("/tinhhinh"))
            await ministry.say(choice="close")
            await _timed(result.liaison.setdefault("/sosanh", []), ministry.say("/sosanh"))
    finally:
        for runtime in runtimes.values():
            await runtime.close()


def _seed_across_blocs(database: Path, count: int, prefix: str) -> list[int]:
    """A reminder due now to ``count`` contacts taken from every bloc in turn."""
    db = sqlite3.connect(database)
    try:
        rows = db.execute("SELECT external_id, bloc_id FROM members WHERE role = 'contact' AND "
                          "channel = 'telegram' AND CAST(external_id AS INTEGER) < ? "
                          "ORDER BY id", (TALKER_ID,)).fetchall()
        by_bloc: dict[int, list[str]] = {}
        for external_id, bloc_id in rows:
            by_bloc.setdefault(bloc_id, []).append(external_id)
        chosen: list[str] = []
        while len(chosen) < count and any(by_bloc.values()):
            for people in by_bloc.values():
                if people and len(chosen) < count:
                    chosen.append(people.pop())
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        with db:
            db.executemany(
                "INSERT INTO outbox (dedup_key, channel, chat_id, kind, payload, due_at, "
                "next_attempt_at, created_at) VALUES (?, 'telegram', ?, 'reminder', ?, ?, ?, ?)",
                [(f"bench:{prefix}:{chat}", chat,
                  json.dumps({"text": f"{prefix} số {n}", "options": [], "token": 0},
                             ensure_ascii=False), now, now, now)
                 for n, chat in enumerate(chosen)])
        return [int(chat) for chat in chosen]
    finally:
        db.close()


async def _talk(api: FakeBotApi, user_id: int, samples: list[tuple[float, float]],
                until: asyncio.Event, pause: float) -> None:
    """Ask ``/nhiemvu`` and wait for the answer, again and again, until ``until``: (when
    asked, how long the answer took) each time."""
    user = api.users[user_id]
    while not until.is_set():
        started = time.monotonic()
        api.send_text(user, "/nhiemvu")
        with contextlib.suppress(AssertionError):  # no answer in a minute: counted as one
            await api.wait_for_message(user_id, timeout=60)
        samples.append((started, time.monotonic() - started))
        await asyncio.sleep(pause)


def _sends(api: FakeBotApi, since: int, prefix: str | None = None) -> list[float]:
    """When each message the server took (after call ``since``) went, of ``prefix`` only."""
    return sorted(c.at for c in api.calls[since:] if c.method == "sendMessage"
                  and c.response_status == 200 and (prefix is None or str(
                      c.params.get("text", "")).startswith(prefix)))


def _rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


async def _reminders(api: FakeBotApi, database: Path, count: int, prefix: str,
                     limit_s: float = 600) -> list[int]:
    """Seed a fan-out (the bot's outbox finds it within seconds) and wait until it is out."""
    ids = _seed_across_blocs(database, count, prefix)
    for user_id in ids:
        if user_id not in api.users:
            api.user(user_id, f"Người {user_id}")
    await api.wait_until(lambda: len({m.chat_id for m in api.sent
                                      if (m.text or "").startswith(prefix)}) >= len(ids)
                         or None, limit_s)
    return ids


async def _fan_out(data: Dataset, folder: Path, blocs: Path, result: Ministry, count: int,
                   talkers: int, idle_seconds: float) -> None:
    """Replies alone, a fan-out alone, then a fan-out while the talkers talk."""
    copy = replace(data.copy_to(folder), bloc_file=blocs)
    talker_ids = add_contacts(copy.database, talkers, TALKER_ID)
    async with FakeBotApi(limits=TelegramLimits()) as api:
        for user_id in talker_ids:
            api.user(user_id, f"Người hỏi {user_id}")
        proc = await start_thidua(api, copy, folder)
        try:
            await first_poll(api)
            stop, idle = asyncio.Event(), []
            talking = [asyncio.create_task(_talk(api, user_id, idle, stop, PAUSE))
                       for user_id in talker_ids]
            await asyncio.sleep(idle_seconds)
            stop.set()
            await asyncio.gather(*talking)
            result.idle = [took for _, took in idle]

            since = len(api.calls)
            ids = await _reminders(api, copy.database, count, ALONE)
            result.reminders = len(ids)
            result.rate = _rate(_sends(api, since, ALONE))

            since, stop = len(api.calls), asyncio.Event()
            busy: list[tuple[float, float]] = []
            talking = [asyncio.create_task(_talk(api, user_id, busy, stop, PAUSE))
                       for user_id in talker_ids]
            await asyncio.sleep(PAUSE)  # the talkers under way, the fan-out comes
            shared = await _reminders(api, copy.database, count, SHARED)
            stop.set()
            await asyncio.gather(*talking)
            bulk = _sends(api, since, SHARED)
            # the answers asked for and given while the fan-out went out, only
            result.busy = [took for asked, took in busy
                           if bulk and bulk[0] <= asked and asked + took <= bulk[-1]]
            every = [at for at in _sends(api, since) if bulk and bulk[0] <= at <= bulk[-1]]
            result.shared_rate, result.bulk_rate = _rate(every), _rate(bulk)
            assert api.limits is not None
            result.refused = len(api.limits.refused)
            result.refusals = dict(Counter(why for _, why, _, _ in api.limits.refused))
            for prefix, sent_to in ((ALONE, ids), (SHARED, shared)):
                received = {m.chat_id for m in api.sent if (m.text or "").startswith(prefix)}
                result.lost += sum(1 for user_id in sent_to if user_id not in received)
        finally:
            await proc.stop()


async def measure(data: Dataset, *, rounds: int, count: int, talkers: int,
                  idle_seconds: float) -> Ministry:
    result = Ministry(data.scale.blocs)
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as scratch:
        base = Path(scratch)
        blocs = bloc_folder(data, base)
        await _views(data, base, blocs, rounds, result)
        place = base / "fan-out"
        place.mkdir()
        await _fan_out(data, place, blocs, result, count, talkers, idle_seconds)
    return result


def run(*, smoke: bool = False) -> Ministry:
    data = dataset("tiny" if smoke else "ministry")
    return asyncio.run(measure(data, rounds=3 if smoke else 30, count=20 if smoke else 2000,
                               talkers=2 if smoke else 10, idle_seconds=2 if smoke else 20))


def table(result: Ministry) -> Table:
    """Benchmark 8's table."""
    out = Table(f"8. A ministry in one process ({result.blocs} blocs), bot-side time and "
                "one token shared by a fan-out and the replies",
                ["measure", "p50 ms", "p95 ms", "n", "goal", "verdict"])
    one, many = result.views.get("one bloc", {}), result.views.get(f"{result.blocs} blocs", {})
    for view in ("overview", "unit view", "task view"):
        alone, served = percentile(one.get(view, []), 95), percentile(many.get(view, []), 95)
        ratio = served / alone if alone else 0.0
        out.add(f"chair's {view}, bloc 0 alone", ms(percentile(one.get(view, []), 50)),
                ms(alone), len(one.get(view, [])), "", "")
        out.add(f"chair's {view}, {result.blocs} blocs served",
                ms(percentile(many.get(view, []), 50)), ms(served), len(many.get(view, [])),
                f"p95 ≤ {VIEW_RATIO}× alone ({ratio:.2f}×)", verdict(ratio <= VIEW_RATIO))
    for name, samples in result.liaison.items():
        p95 = percentile(samples, 95)
        out.add(f"ministry liaison's {name}", ms(percentile(samples, 50)), ms(p95),
                len(samples), f"p95 ≤ {ms(OVERVIEW_GOAL)} ms", verdict(p95 <= OVERVIEW_GOAL))
    idle, busy = percentile(result.idle, 95), percentile(result.busy, 95)
    out.add("reply to /nhiemvu, nothing else going on", ms(percentile(result.idle, 50)),
            ms(idle), len(result.idle), "", "")
    ratio = busy / idle if idle else 0.0
    out.add(f"reply to /nhiemvu during the fan-out of {result.reminders:,}",
            ms(percentile(result.busy, 50)), ms(busy), len(result.busy),
            f"p95 ≤ {REPLY_RATIO:.0f}× idle ({ratio:.1f}×)", verdict(ratio <= REPLY_RATIO))
    out.notes.append(
        f"The fan-out across the blocs alone: {result.rate:.1f} messages/s sustained (goal ≥ "
        f"{RATE_GOAL:.0f}); while the talkers talked: {result.bulk_rate:.1f} reminders/s and "
        f"{result.shared_rate:.1f} messages/s in all (replies go first, the reminders take "
        f"the rest of the token's budget); {result.refused} answered 429"
        + (f" ({', '.join(f'{why} {n}' for why, n in result.refusals.items())})"
           if result.refusals else "") + f", {result.lost} lost: "
        f"{verdict(result.rate >= RATE_GOAL and result.refused == 0 and result.lost == 0)}.")
    out.notes.append("The per-bloc views: a round in each setup in turn, on two copies of the "
                     "same database, each setup its own bot core.")
    return out
