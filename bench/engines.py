"""Benchmarks 9 and 10: SQLite beside PostgreSQL, and one process beside two on PostgreSQL.

9. Benchmarks 1–3 on both engines in one run: the guided ``/capnhat`` of N people over real
   HTTP (``thidua run`` in its own process), the fan-out of 2,000 reminders under Telegram's
   limits, and the status views and exports (bot-side time). The data set is the same: the
   SQLite copy moved into a new PostgreSQL database with ``thidua db copy``'s code.
10. One PostgreSQL database served by one ``thidua run`` and by two, in webhook mode behind
   one address (this harness stands for the load balancer, each update to the next
   process): updates/s of the same guided conversation, and the fan-out.

PostgreSQL runs where ``THIDUA_TEST_POSTGRES`` names a server (``make bench`` starts a
throw-away one with ``tests/postgres_cluster.sh``); without one, these are left out.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import conversation, fanout, views
from bench.conversation import Person, Run, guided_update
from bench.data import Dataset, add_contacts, dataset
from bench.procs import Process, bot_env, spawn
from bench.report import Table, ms, verdict
from config.database import ServerDatabase
from storage.copying import copy_to_postgres
from tests.botapi import BotMessage, FakeBotApi, TelegramLimits
from tests.databases import new_server_database, server
from tests.zalo_e2e import free_port

FIRST_ID = 5_000_000
SECRET = "bench-shared-secret-2026"  # noqa: S105 (a test server's, not a secret)
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def available() -> bool:
    """Whether a PostgreSQL server is there to run on."""
    return server() is not None


@asynccontextmanager
async def on_postgres(copy: Dataset) -> AsyncIterator[Dataset]:
    """The copy moved into a new database on the server (dropped afterwards)."""
    async with new_server_database() as target:
        await copy_to_postgres(copy.database, target)
        yield replace(copy, server=target)


# -- 9: the two engines --------------------------------------------------------------------

@dataclass
class Engines:
    """Each measure on SQLite and on PostgreSQL."""

    conversation: dict[str, Run]
    fan_out: dict[str, fanout.FanOut]
    views: dict[str, views.ViewTimes]


def run_engines(*, smoke: bool) -> Engines:
    data = dataset("tiny" if smoke else "ministry")
    people = 3 if smoke else 200
    count = 20 if smoke else 2000
    rounds, file_rounds = (2, 1) if smoke else (30, 5)
    talks, fans, seen = {}, {}, {}
    for engine, postgres in (("SQLite", False), ("PostgreSQL", True)):
        talks[engine] = asyncio.run(conversation.measure_bot(data, people, postgres=postgres))
        fans[engine] = asyncio.run(fanout.measure(data, count, kill=False, postgres=postgres))
        seen[engine] = asyncio.run(views.measure(data, rounds=rounds, file_rounds=file_rounds,
                                                 plans=False, postgres=postgres))
    return Engines(talks, fans, seen)


def engines_table(result: Engines) -> Table:
    """Benchmark 9's table: a row per measure, both engines and their ratio."""
    out = Table("9. SQLite and PostgreSQL side by side (benchmarks 1–3, one run)",
                ["measure", "SQLite", "PostgreSQL", "PostgreSQL ÷ SQLite"])
    lite, pg = result.conversation["SQLite"], result.conversation["PostgreSQL"]
    out.add(f"1. guided /capnhat, N = {lite.people}: updates/s", f"{lite.throughput:.0f}",
            f"{pg.throughput:.0f}",
            f"{pg.throughput / lite.throughput:.2f}×" if lite.throughput else "")
    out.add(f"1. guided /capnhat, N = {lite.people}: p95 ms", ms(lite.p(95)), ms(pg.p(95)),
            f"{pg.p(95) / lite.p(95):.2f}×" if lite.p(95) else "")
    one, two = result.fan_out["SQLite"], result.fan_out["PostgreSQL"]
    out.add(f"2. fan-out of {one.reminders:,}: messages/s (429s, lost)",
            f"{one.rate:.1f} ({one.refused}, {one.lost})",
            f"{two.rate:.1f} ({two.refused}, {two.lost})",
            f"{two.rate / one.rate:.2f}×" if one.rate else "")
    a, b = result.views["SQLite"], result.views["PostgreSQL"]
    for view in views.VIEWS:
        left, right = a.p(view, 95), b.p(view, 95)
        out.add(f"3. {view}: p95 ms", ms(left), ms(right),
                f"{right / left:.2f}×" if left else "")
    out.notes.append("PostgreSQL: Debian's server 15 on this machine, in a throw-away cluster "
                     "on a Unix socket (fsync off, as the test cluster); the bot's process "
                     "and the server share the 2 CPUs.")
    return out


# -- 10: one process and two -----------------------------------------------------------------

class Balancer:
    """One address in front of the processes: each update to the next one that answers."""

    def __init__(self, http: httpx.AsyncClient, ports: list[int]) -> None:
        self._http, self._ports, self._turn = http, ports, 0

    async def post(self, update: dict[str, Any]) -> None:
        for _ in range(2 * len(self._ports)):
            port = self._ports[self._turn % len(self._ports)]
            self._turn += 1
            try:
                answer = await self._http.post(f"http://127.0.0.1:{port}/bench/telegram",
                                               json=update, headers={HEADER: SECRET})
            except httpx.HTTPError:
                continue
            if answer.status_code == 200:
                return
        raise TimeoutError("no process took the update")


class HookedPerson(Person):
    """A person whose messages reach the bot by webhook, through the balancer."""

    def __init__(self, api: FakeBotApi, user: Any, run: Run, balancer: Balancer) -> None:
        super().__init__(api, user, run)
        self.balancer = balancer

    async def _posted(self, act: Callable[[], object]) -> BotMessage:
        while not self.inbox.empty():
            self.inbox.get_nowait()
        start = time.monotonic()
        act()
        await self.balancer.post(self.api.queue.pop().update)
        at, message = await asyncio.wait_for(self.inbox.get(), conversation.TIMEOUT)
        self.run.latencies.append(at - start)
        self.run.updates += 1
        return message

    async def say(self, text: str) -> BotMessage:
        return await self._posted(lambda: self.api.send_text(self.user, text))

    async def tap(self, message: BotMessage, value: str | None = None) -> BotMessage:
        data = [d for row in message.buttons for _, d in row if d]
        chosen = data[0] if value is None else next(d for d in data if d.endswith(f":{value}"))
        return await self._posted(lambda: self.api.press(self.user, message, chosen))


async def _processes(api: FakeBotApi, data: Dataset, cwd: Path, count: int,
                     http: httpx.AsyncClient, *,
                     capped: bool) -> tuple[list[Process], list[int]]:
    ports = [free_port() for _ in range(count)]
    started = []
    for port in ports:
        env = {**bot_env(api, data), "THIDUA_WEBHOOK_URL": "https://bot.example.gov.vn/bench",
               "THIDUA_WEBHOOK_LISTEN": f"127.0.0.1:{port}", "THIDUA_WEBHOOK_SECRET": SECRET,
               "THIDUA_FILES_DIR": str(cwd / "files")}
        # the conversation with the flood caps off (what the processes can do, as benchmark
        # 1), the fan-out as shipped (what Telegram takes)
        module = "bot.app.cli" if capped else "bench.botproc"
        started.append(await spawn(env, "-m", module, "run", cwd=cwd))
    for port in ports:  # each answers its health check (its start is over)
        for _ in range(600):
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    return started, ports


@dataclass
class Instances:
    """Per number of processes: the conversation and the fan-out."""

    conversation: dict[int, Run]
    fan_out: dict[int, fanout.FanOut]


async def _talk(data: Dataset, processes: int, people: int) -> Run:
    run = Run(f"{processes} process(es)", people)
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as folder:
        copy = data.copy_to(Path(folder))
        ids = add_contacts(copy.database, people, FIRST_ID)
        async with on_postgres(copy) as target, FakeBotApi() as api, \
                httpx.AsyncClient(timeout=30) as http:
            procs, ports = await _processes(api, target, Path(folder), processes, http,
                                            capped=False)
            try:
                balancer = Balancer(http, ports)
                persons = [HookedPerson(api, api.user(user_id, f"Người {user_id}"), run,
                                        balancer) for user_id in ids]
                started = time.monotonic()

                async def one(person: HookedPerson) -> None:
                    try:
                        await guided_update(person)
                    except (TimeoutError, StopIteration, ValueError):
                        run.failures += 1

                await asyncio.gather(*(one(person) for person in persons))
                run.seconds = time.monotonic() - started
            finally:
                for proc in procs:
                    await proc.stop()
    return run


async def _fan(data: Dataset, processes: int, count: int) -> fanout.FanOut:
    result = fanout.FanOut(f"{processes} process(es)", count)
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as folder:
        copy = data.copy_to(Path(folder))
        ids = add_contacts(copy.database, count, fanout.FIRST_ID)
        async with on_postgres(copy) as target, FakeBotApi(limits=TelegramLimits()) as api, \
                httpx.AsyncClient(timeout=30) as http:
            for user_id in ids:
                api.user(user_id, f"Người {user_id}")
            procs, _ = await _processes(api, target, Path(folder), processes, http,
                                        capped=True)
            try:  # the reminders come once every process runs (each outbox then its share)
                assert target.server is not None
                await _due_now(target.server, ids)
                await api.wait_until(lambda: len(fanout._counts(api)) >= count or None, 600)
                await asyncio.sleep(1.0)
            finally:
                for proc in procs:
                    await proc.stop()
        fanout.settle(result, api, ids, set())
    return result


async def _due_now(database: ServerDatabase, ids: list[int]) -> None:
    """A reminder due now to each of ``ids``, written into the served database."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    connection = await asyncpg.connect(database.connection_string())
    try:
        await connection.executemany(
            "INSERT INTO outbox (dedup_key, channel, chat_id, kind, payload, due_at, "
            "next_attempt_at, created_at) VALUES ($1, 'telegram', $2, 'reminder', $3, $4, "
            "$4, $4)",
            [(f"bench:remind:{user_id}", str(user_id),
              json.dumps({"text": f"{fanout.PREFIX} {n}", "options": [], "token": 0},
                         ensure_ascii=False), now) for n, user_id in enumerate(ids)])
    finally:
        await connection.close()


def run_instances(*, smoke: bool) -> Instances:
    data = dataset("tiny" if smoke else "ministry")
    people, count = (3, 20) if smoke else (200, 2000)
    talks = {n: asyncio.run(_talk(data, n, people)) for n in (1, 2)}
    fans = {n: asyncio.run(_fan(data, n, count)) for n in (1, 2)}
    return Instances(talks, fans)


def instances_table(result: Instances) -> Table:
    """Benchmark 10's table."""
    out = Table("10. One PostgreSQL database, one process and two (webhook mode)",
                ["measure", "one process", "two processes", "two ÷ one", "verdict"])
    one, two = result.conversation[1], result.conversation[2]
    out.add(f"guided /capnhat, N = {one.people}: updates/s", f"{one.throughput:.0f}",
            f"{two.throughput:.0f}",
            f"{two.throughput / one.throughput:.2f}×" if one.throughput else "", "")
    out.add(f"guided /capnhat, N = {one.people}: p95 ms", ms(one.p(95)), ms(two.p(95)),
            f"{two.p(95) / one.p(95):.2f}×" if one.p(95) else "", "")
    out.add("failed exchanges", one.failures, two.failures, "",
            verdict(one.failures == 0 and two.failures == 0))
    a, b = result.fan_out[1], result.fan_out[2]
    out.add(f"fan-out of {a.reminders:,}: messages/s", f"{a.rate:.1f}", f"{b.rate:.1f}",
            f"{b.rate / a.rate:.2f}×" if a.rate else "", "")
    out.add("fan-out: 429s, duplicates, lost", f"{a.refused}, {a.duplicates}, {a.lost}",
            f"{b.refused}, {b.duplicates}, {b.lost}", "",
            verdict(b.refused == 0 and b.duplicates == 0 and b.lost == 0))
    out.notes.append("The conversation with the flood caps off (bench/botproc.py, as benchmark "
                     "1): what the processes can handle; its updates are posted as webhooks, "
                     "to each process in turn. The fan-out as shipped: both processes share "
                     "the token's budget (each outbox its share of 28 messages/s), so two send "
                     "no faster than one; the second is there for when the first fails.")
    return out


def postgres_note() -> str:
    return ("Benchmarks 9 and 10 need a PostgreSQL server: run `make bench` (it starts one) "
            "or set THIDUA_TEST_POSTGRES." if not available() else "")


__all__ = ["available", "engines_table", "instances_table", "postgres_note", "run_engines",
           "run_instances"]
