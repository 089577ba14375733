"""Benchmark 6: HTTP calls for one message while Telegram keeps refusing it.

One reply (to ``/nhiemvu``) and one message the bot sends on its own (a reminder in the
outbox), with Telegram answering every ``sendMessage`` with 429 (``retry_after`` 1 s) or
with 500, until the bot gives the message up. The bot runs in this process on a test
clock that is moved on past each backoff, so the run takes seconds, not the minutes the
backoffs add up to. Before issue #12 the three retry layers (PTB's rate limiter 3, the
channel's loop 4, the outbox 6) stacked to up to 96 calls for one message.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from bench.report import Table
from bot.domain.clock import FixedClock
from bot.domain.events import Reply
from bot.services.outbox import Outgoing
from config.settings import Settings
from storage.records import OutboxStatus
from tests.botapi import FakeBotApi
from tests.conftest import SMALL_BLOC
from tests.e2e import make_invite, running_bot

STACKED_BEFORE = 96  # 4 × (1 + 3) × 6, measured in issue #12


@dataclass
class Outcome:
    fault: str
    origin: str
    calls: int
    status: str


async def _one(fault: str, origin: str) -> Outcome:
    folder = Path(tempfile.mkdtemp(prefix="thidua-bench-retries-"))
    (folder / "bloc.yaml").write_text(SMALL_BLOC, encoding="utf-8")
    clock = FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    async with FakeBotApi() as api:
        settings = Settings(database=folder / "bot.db", bloc_file=folder / "bloc.yaml",
                            telegram_bot_token=SecretStr(api.token),
                            telegram_api_url=api.base_url)
        person = api.user(7, "An")
        async with running_bot(settings, clock) as bot:
            api.send_text(person, f"/start {await make_invite(settings, clock=clock)}")
            await api.wait_for_message(person.id)
            if fault == "429":
                api.fail("sendMessage", status=429, retry_after=1, times=1_000_000)
            else:
                api.fail("sendMessage", status=500, times=1_000_000)
            start = len(api.calls)
            repo = bot.runtime.repo
            if origin == "reply":
                api.send_text(person, "/nhiemvu")
            else:
                now = clock.now()
                await bot.runtime.outbox.enqueue([Outgoing(
                    dedup_key="bench:reminder", channel="telegram", chat_id=str(person.id),
                    kind="reminder", reply=Reply("Nhắc hạn"), due_at=now)])
            for _ in range(200):
                rows = [r for r in await repo.outbox_rows()
                        if r.kind in ("reply", "reminder") and r.chat_id == str(person.id)]
                if rows and all(r.status is OutboxStatus.FAILED for r in rows):
                    break
                clock.advance(timedelta(minutes=6))  # past any backoff (at most 5 minutes)
                await api.wait_until(lambda: None, 0.05)
            status = ",".join(sorted({r.status.value for r in rows})) if rows else "none"
    calls = sum(1 for c in api.calls[start:] if c.method == "sendMessage"
                and str(c.params.get("chat_id")) == str(person.id))
    return Outcome(fault, origin, calls, status)


def run() -> list[Outcome]:
    import asyncio

    async def every() -> list[Outcome]:
        return [await _one(fault, origin) for fault in ("429", "500")
                for origin in ("reply", "outbox")]

    return asyncio.run(every())


def table(outcomes: list[Outcome]) -> Table:
    result = Table("6. HTTP calls for one message under a persistent 429 or 500 (Telegram)",
                   ["answer", "message", "sendMessage calls until given up", "before (#12)",
                    "final state"])
    for outcome in outcomes:
        result.add(f"{outcome.fault} on every call",
                   "interactive reply" if outcome.origin == "reply" else "outbox (reminder)",
                   outcome.calls, f"up to {STACKED_BEFORE}", outcome.status)
    result.notes = [
        "A reply gets one short retry (a retry_after above 3 s is not waited for), then the "
        "outbox owns it: 6 attempts in all with backoff 1 s, 2 s, 4 s … (on the bot's clock); "
        "PTB's rate limiter only throttles (max_retries=0).",
    ]
    return result
