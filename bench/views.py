"""Benchmarks 3 and 5: status views, heat map and exports of one bloc on a large database.

Bot-side time only: each sample is one :meth:`bot.kernel.dispatcher.Dispatcher.handle`
call, exactly what a channel calls for an incoming message or button press, minus the
network. Beside them, in the same run, a *bare read* of the rows the status views show
(the period, units, tasks, the latest updates and the members, each one SELECT on the
bot's own connection, no bot logic): a view should cost at most 3× that. Every SQL
statement the status views run is captured and shown with ``EXPLAIN QUERY PLAN``, to
prove none of them scans the updates table. Benchmark 5 repeats this on 1/10, 1/3 and
the whole data set: per-bloc views must stay flat as the database grows.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path

from bench.data import ZONE, Dataset, add_person, dataset
from bench.report import Table, ms, percentile, verdict
from bot.app.runtime import Runtime, open_runtime
from bot.domain.clock import FixedClock
from bot.domain.events import ChatKind, Choice, Inbound, Response
from config.settings import Settings

CHAIR_ID = 900_000_001
GOALS = {"status": 0.010, "heat map": 0.300, "XLSX": 1.0, "DOCX": 2.0}
BARE_RATIO = 3.0  # a status view's p95 against the bare read's p95
VIEWS = ("overview", "unit view", "task view", "detail view", "heat map", "XLSX", "DOCX")
BARE = "bare read"
BARE_READ = (  # the rows a status view shows, read as plainly as SQLite allows
    "SELECT * FROM periods WHERE bloc_id = :bloc AND active = 1",
    "SELECT * FROM units WHERE bloc_id = :bloc AND active = 1",
    "SELECT * FROM tasks WHERE period_id = :period AND active = 1",
    "SELECT * FROM progress_updates WHERE latest = 1 AND task_id IN ("
    "SELECT id FROM tasks WHERE period_id = :period AND active = 1)",
    "SELECT * FROM members WHERE bloc_id = :bloc AND active = 1",
)


@dataclass
class ViewTimes:
    """Samples (seconds) per view, and the query plans seen."""

    scale: str
    updates: int
    samples: dict[str, list[float]] = field(default_factory=dict)
    plans: dict[str, list[str]] = field(default_factory=dict)  # SQL → plan lines
    first: dict[str, float] = field(default_factory=dict)  # first call, imports included

    def p(self, view: str, q: float) -> float:
        return percentile(self.samples.get(view, []), q)

    @property
    def scans_updates(self) -> list[str]:
        return [sql for sql, plan in self.plans.items()
                if any(line.startswith("SCAN") and "progress_updates" in line
                       and "USING" not in line for line in plan)]


class ChairSession:
    """The chair of the served bloc, talking to the dispatcher directly (no network)."""

    def __init__(self, runtime: Runtime) -> None:
        self.dispatcher = runtime.dispatcher
        self.token = 0

    def _event(self, text: str | None = None, choice: str | None = None) -> Inbound:
        return Inbound(channel="telegram", user_id=str(CHAIR_ID), chat_id=str(CHAIR_ID),
                       chat_kind=ChatKind.PRIVATE, display_name="Chủ tịch Khối", text=text,
                       choice=Choice(self.token, choice) if choice is not None else None)

    async def say(self, text: str) -> Response:
        return self._note(await self.dispatcher.handle(self._event(text=text)))

    async def tap(self, value: str) -> Response:
        return self._note(await self.dispatcher.handle(self._event(choice=value)))

    def _note(self, response: Response) -> Response:
        for reply in response.replies:
            if reply.options:
                self.token = reply.token
        return response


async def _timed(samples: list[float], call: Callable[[], Awaitable[Response]]) -> Response:
    start = time.perf_counter()
    response = await call()
    samples.append(time.perf_counter() - start)
    return response


async def measure(data: Dataset, *, rounds: int = 30, file_rounds: int = 5,
                  plans: bool = True, postgres: bool = False) -> ViewTimes:
    """Time every view on ``data`` (a private copy is used; ``postgres``: the copy moved to
    PostgreSQL, without the bare read and the query plans, which are SQLite's)."""
    from bench.engines import on_postgres

    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as folder:
        copy = data.copy_to(Path(folder))
        add_person(copy.database, CHAIR_ID, "chair")
        async with on_postgres(copy) if postgres else nullcontext(copy) as moved:
            return await _measure(data, moved, rounds=rounds, file_rounds=file_rounds,
                                  plans=plans and not postgres, bare=not postgres)


async def _measure(data: Dataset, copy: Dataset, *, rounds: int, file_rounds: int,
                   plans: bool, bare: bool) -> ViewTimes:
    settings = Settings(database=copy.server or copy.database, bloc_file=copy.bloc_file)
    clock = FixedClock(datetime.combine(data.anchor, clock_time(10), tzinfo=ZONE))
    runtime = await open_runtime(settings, clock=clock)
    result = ViewTimes(data.scale.name, data.scale.updates)
    statements: list[str] = []
    try:
        session = ChairSession(runtime)
        s = result.samples
        for name in VIEWS:
            s[name] = []
        units = await runtime.repo.list_units(runtime.bloc.id)
        await session.say("/tinhhinh")  # warm: first imports, catalogs, caches
        await session.tap("close")
        for view, command in (("heat map", "/bando"), ("XLSX", "/xuat"),
                              ("DOCX", "/baocao")):  # their libraries load on first use
            started = time.perf_counter()
            await session.say(command)
            result.first[view] = time.perf_counter() - started
        db = runtime.repo._db if bare else None  # type: ignore[attr-defined]
        period = await _current_period_id(db, runtime.bloc.id) if bare else 0
        s[BARE] = []

        async def bare_read() -> None:
            if not bare:  # (SQLite's connection: not on PostgreSQL)
                return
            if plans:  # the yardstick's own statements are not the views'
                await db.set_trace_callback(None)
            started = time.perf_counter()
            for sql in BARE_READ:
                await db.execute_fetchall(sql, {"bloc": runtime.bloc.id, "period": period})
            s[BARE].append(time.perf_counter() - started)
            if plans:
                await db.set_trace_callback(statements.append)

        if plans:
            await db.set_trace_callback(statements.append)
        for index in range(rounds):
            unit = units[index % len(units)]
            await _timed(s["overview"], lambda: session.say("/tinhhinh"))
            await session.tap("unit")
            response = await _timed(s["unit view"], lambda u=unit: session.tap(str(u.id)))
            task_value = next(o.value for o in response.replies[-1].options
                              if o.value not in ("back", "close"))
            await _timed(s["detail view"], lambda v=task_value: session.tap(v))
            await session.tap("close")
            await session.say("/tinhhinh")
            tasks = await session.tap("task")
            task_ids = [o.value for o in tasks.replies[-1].options]
            chosen = task_ids[index % len(task_ids)]
            await _timed(s["task view"], lambda t=chosen: session.tap(t))
            await session.tap("close")
            await bare_read()  # in the same round: the machine's pace is shared by both
        if plans:
            await db.set_trace_callback(None)
        for _ in range(max(1, file_rounds)):
            await _timed(s["heat map"], lambda: session.say("/bando"))
            await _timed(s["XLSX"], lambda: session.say("/xuat"))
            await _timed(s["DOCX"], lambda: session.say("/baocao"))
    finally:
        await runtime.close()
    if plans:
        result.plans = explain(copy.database, statements)
    return result


async def _current_period_id(db: object, bloc_id: int) -> int:
    """The newest active period of the bloc (the one the views show)."""
    rows = await db.execute_fetchall(  # type: ignore[attr-defined]
        "SELECT id FROM periods WHERE bloc_id = ? AND active = 1 ORDER BY start_date DESC "
        "LIMIT 1", (bloc_id,))
    return int(rows[0][0])


def explain(database: Path, statements: list[str]) -> dict[str, list[str]]:
    """``EXPLAIN QUERY PLAN`` of every distinct read the views made (writes left out)."""
    plans: dict[str, list[str]] = {}
    db = sqlite3.connect(database)
    try:
        for sql in dict.fromkeys(statements):
            head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
            if head != "SELECT":
                continue
            rows = db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            shape = re.sub(r"\b\d+\b", "?", " ".join(sql.split()))
            shape = re.sub(r"\?(, \?)+", "?, …", shape)
            plans.setdefault(shape, [str(row[-1]) for row in rows])
    finally:
        db.close()
    return plans


def views_table(result: ViewTimes) -> Table:
    """Benchmark 3's table."""
    table = Table(f"3. Status and exports at {result.scale} scale "
                  f"({result.updates:,} updates), bot-side time",
                  ["view", "p50 ms", "p95 ms", "max ms", "n", "goal", "verdict"])
    bare = result.p(BARE, 95)
    if result.samples.get(BARE):
        table.add(BARE, ms(result.p(BARE, 50)), ms(bare), ms(max(result.samples[BARE])),
                  len(result.samples[BARE]), "(the yardstick)", "")
    for view in VIEWS:
        status = view.endswith("view") or view == "overview"
        goal = GOALS["status"] if status else GOALS[view]
        p95 = result.p(view, 95)
        met = p95 <= goal
        goal_text = f"p95 ≤ {ms(goal)} ms"
        if status and bare:
            ratio = p95 / bare
            goal_text += f" and ≤ {BARE_RATIO:.0f}× bare ({ratio:.1f}×)"
            met = met and ratio <= BARE_RATIO
        table.add(view, ms(result.p(view, 50)), ms(p95), ms(max(result.samples[view])),
                  len(result.samples[view]), goal_text, verdict(met))
    if result.first:
        table.notes.append("First call after start (the library is imported then, not at "
                           "start): " + ", ".join(f"{view} {ms(seconds)} ms"
                                                  for view, seconds in result.first.items()))
    scans = result.scans_updates
    table.notes.append(
        f"{len(result.plans)} distinct SELECTs ran during the status views; "
        + ("none scans progress_updates (each uses an index)." if not scans
           else f"{len(scans)} scan progress_updates: {scans}"))
    return table


def plans_text(result: ViewTimes) -> str:
    """Every status query with its plan, for results.md."""
    lines = ["### EXPLAIN QUERY PLAN of the status views' queries", ""]
    for sql, plan in result.plans.items():
        shown = sql if len(sql) < 400 else sql[:397] + "..."
        lines += ["```sql", shown, "```", *[f"    {line}" for line in plan], ""]
    return "\n".join(lines)


def growth_table(results: list[ViewTimes]) -> Table:
    """Benchmark 5: the same views at growing database sizes."""
    base = results[0]
    table = Table("5. Growth: p50 ms of the same views as the database grows",
                  ["view", *[f"{r.scale} ({r.updates:,})" for r in results],
                   f"largest ÷ {base.scale}"])
    for view in VIEWS:
        values = [r.p(view, 50) for r in results]
        ratio = values[-1] / values[0] if values[0] else 0.0
        table.add(view, *[ms(v) for v in values], f"{ratio:.2f}×")
    table.notes.append(
        f"Data grows {results[-1].updates / base.updates:.0f}× from {base.scale} to "
        f"{results[-1].scale}; a per-bloc view that stays near 1× is indexed, not "
        "proportional to the database.")
    return table


def run(scales: tuple[str, ...] = ("ministry",), *, rounds: int = 30,
        file_rounds: int = 5, seed: int = 8) -> list[ViewTimes]:
    """Benchmark 3 (and 5 when several scales are given)."""
    results = []
    for name in scales:
        data = dataset(name, seed)
        results.append(asyncio.run(measure(data, rounds=rounds, file_rounds=file_rounds)))
    return results
