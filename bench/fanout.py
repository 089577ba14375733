"""Benchmark 2: 2,000 due reminders to 2,000 chats through the outbox, under Telegram's limits.

The server enforces 30 messages/s overall, 1/s per chat and 20/min per group, answering
429 with ``retry_after`` beyond them. The bot (``thidua run``, its own process, on a copy
of the data set) finds 2,000 rows due in its outbox at start. Then the same again, with
the process killed (SIGKILL) at a random point and restarted: every chat must get its
reminder exactly once; rows caught between "sent" and "noted as sent" at the kill are the
only possible repeats and are reported separately as ambiguous.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import tempfile
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.data import Dataset, add_contacts, dataset
from bench.procs import first_poll, start_thidua
from bench.report import Table, verdict
from tests.botapi import FakeBotApi, TelegramLimits
from tests.databases import query

FIRST_ID = 3_000_000
PREFIX = "Nhắc hạn báo cáo số"
GOAL_RATE = 27.0


@dataclass
class FanOut:
    """What one fan-out run saw."""

    label: str
    reminders: int
    rate: float = 0.0  # sustained messages/s, first to last reminder
    max_per_second: int = 0  # the most reminders in any one-second window
    refused: int = 0  # 429 answers the server gave
    duplicates: int = 0
    lost: int = 0
    ambiguous: int = 0  # rows in flight at the kill
    repeated_ambiguous: int = 0  # of which really sent twice
    killed_after: int | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def seed_reminders(database: Path, count: int) -> list[int]:
    """``count`` contacts of the served bloc, each with one reminder due now."""
    ids = add_contacts(database, count, FIRST_ID)
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    db = sqlite3.connect(database)
    try:
        with db:
            db.executemany(
                "INSERT INTO outbox (dedup_key, channel, chat_id, kind, payload, due_at, "
                "next_attempt_at, created_at) VALUES (?, 'telegram', ?, 'reminder', ?, ?, ?, ?)",
                [(f"bench:remind:{user_id}", str(user_id),
                  json.dumps({"text": f"{PREFIX} {n}", "options": [], "token": 0},
                             ensure_ascii=False), now, now, now)
                 for n, user_id in enumerate(ids)])
    finally:
        db.close()
    return ids


def _times(api: FakeBotApi) -> list[float]:
    return [c.at for c in api.calls
            if c.method == "sendMessage" and c.response_status == 200
            and str(c.params.get("text", "")).startswith(PREFIX)]


def _counts(api: FakeBotApi) -> Counter[int]:
    return Counter(m.chat_id for m in api.sent if (m.text or "").startswith(PREFIX))


async def measure(data: Dataset, count: int, *, kill: bool, seed: int = 8,
                  limit_s: float = 600, postgres: bool = False) -> FanOut:
    """One fan-out of ``count`` reminders, optionally killed and restarted midway
    (``postgres``: on the same data moved to PostgreSQL, bench/engines.py)."""
    from bench.engines import on_postgres

    result = FanOut("killed at a random point, restarted" if kill else "one run", count)
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as folder:
        copy = data.copy_to(Path(folder))
        ids = seed_reminders(copy.database, count)
        async with on_postgres(copy) if postgres else nullcontext(copy) as copy, \
                FakeBotApi(limits=TelegramLimits()) as api:
            for user_id in ids:
                api.user(user_id, f"Người {user_id}")
            proc = await start_thidua(api, copy, Path(folder))
            try:
                await first_poll(api)
                if kill:
                    point = random.Random(seed).randint(count // 5, count * 4 // 5)
                    await api.wait_until(lambda: len(_times(api)) >= point or None, limit_s)
                    await proc.kill()
                    result.killed_after = len(_times(api))
                    in_flight = {int(row[0]) for row in query(
                        copy.server or copy.database,
                        "SELECT chat_id FROM outbox WHERE status = 'sending'")}
                    result.ambiguous = len(in_flight)
                    proc = await start_thidua(api, copy, Path(folder))
                else:
                    in_flight = set()
                await api.wait_until(lambda: len(_counts(api)) >= count or None, limit_s)
                await asyncio.sleep(1.0)  # anything sent twice would show by now
            finally:
                await proc.stop()
        settle(result, api, ids, in_flight)
    return result


def settle(result: FanOut, api: FakeBotApi, ids: list[int], in_flight: set[int]) -> None:
    """What the server saw of a fan-out: its pace, its 429s, repeats and losses."""
    times = sorted(_times(api))
    counts = _counts(api)
    assert api.limits is not None
    result.refused = len(api.limits.refused)
    if len(times) > 1:
        result.seconds = times[-1] - times[0]
        result.rate = (len(times) - 1) / result.seconds
        result.max_per_second = api.limits.max_in_window(times)
    repeated = {chat for chat, n in counts.items() if n > 1}
    result.repeated_ambiguous = len(repeated & in_flight)
    result.duplicates = len(repeated - in_flight)
    result.lost = sum(1 for user_id in ids if counts[user_id] == 0)
    reasons = Counter(why for _, why, _, _ in api.limits.refused)
    if reasons:
        result.notes.append("429 answers by limit: " + ", ".join(
            f"{why} {n}" for why, n in reasons.items()))


def run(count: int = 2000, *, scale: str = "ministry", seed: int = 8) -> list[FanOut]:
    """Benchmark 2: a clean run, then a killed-and-restarted one."""
    data = dataset(scale, seed)
    return [asyncio.run(measure(data, count, kill=False, seed=seed)),
            asyncio.run(measure(data, count, kill=True, seed=seed))]


def table(results: list[FanOut]) -> Table:
    """Benchmark 2's table."""
    out = Table("2. Reminder fan-out through the outbox, server enforcing Telegram's limits",
                ["run", "reminders", "msgs/s sustained", "max in any 1 s", "429s", "duplicates",
                 "lost", "ambiguous (in flight at kill → sent twice)", "verdict"])
    for r in results:
        # the killed run is held to what the issue asks of it, "none twice, none lost"; its
        # rate (which includes the restart) and its 429s are reported, not held
        if r.killed_after is not None:
            ok = r.duplicates == 0 and r.lost == 0
        else:
            ok = r.rate >= GOAL_RATE and r.refused == 0 and r.duplicates == 0 and r.lost == 0
        killed = (f"{r.ambiguous} → {r.repeated_ambiguous}"
                  + (f" (killed after {r.killed_after})" if r.killed_after is not None else "")
                  if r.killed_after is not None else "—")
        out.add(r.label, r.reminders, f"{r.rate:.1f}", r.max_per_second, r.refused,
                r.duplicates, r.lost, killed, verdict(ok))
        out.notes += [f"{r.label}: {note}" for note in r.notes]
    out.notes.append(f"Goal: ≥ {GOAL_RATE:.0f} msgs/s sustained (90 % of 30/s), no 429 "
                     "provoked, no duplicate, none lost; after a kill, still none twice and "
                     "none lost (its rate, which includes the restart, and any 429 around the "
                     "restart are shown, not held to the goal).")
    return out
