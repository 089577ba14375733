"""Two `thidua run` processes on one PostgreSQL database behind one webhook address, the
leader killed (SIGKILL) while 200 reminders go out and 50 people are mid-conversation.

Nothing is lost and nothing is sent twice beyond the rows the dead process was sending at
the kill; the survivor takes the scheduler over within 30 s (``/metrics`` says so), sends
the messages due after the kill on time, and the 50 conversations go on where they were.
The test stands for the load balancer: it posts each update to one process, and to the
other when that one does not answer.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bot.app.runtime import open_runtime
from bot.domain.events import Message
from bot.services.outbox_payload import payload_of
from config.database import ServerDatabase
from config.settings import Settings
from storage.records import OutgoingMessage, Role
from tests.botapi import FakeBotApi
from tests.conftest import ROOT
from tests.databases import query
from tests.test_e2e_kill import BLOC
from tests.zalo_e2e import free_port

PEOPLE = 50  # mid-conversation at the kill
REMINDERS = 200  # going out at the kill
LATER = 10  # due some seconds after the kill
SECRET = "chung-cho-hai-may-12345"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def _seed(database: ServerDatabase, bloc_file: Path) -> datetime:
    """The people, and the reminders in the outbox (200 due now, 10 a little later)."""
    runtime = await open_runtime(Settings(database=database, bloc_file=bloc_file))
    repo, now = runtime.repo, datetime.now(UTC)
    try:
        units = await repo.list_units(runtime.bloc.id)
        messages = []
        for number in range(PEOPLE + REMINDERS + LATER):
            chat = str(number + 1 if number < PEOPLE else 10_000 + number)
            member = await repo.upsert_member(
                bloc_id=runtime.bloc.id, channel="telegram", external_id=chat,
                display_name=f"Đầu mối {number}", unit_id=units[number % len(units)].id,
                role=Role.CONTACT, now=now)
            if number >= PEOPLE:
                later = number >= PEOPLE + REMINDERS
                messages.append(OutgoingMessage(
                    dedup_key=f"remind:test:{member.id}", channel="telegram", chat_id=chat,
                    kind="reminder", payload=payload_of(Message(
                        text=f"{'Nhắc sau' if later else 'Nhắc hạn'} số {number}")),
                    due_at=now + timedelta(seconds=30) if later else now))
        await repo.enqueue(messages, now)
    finally:
        await runtime.close()
    return now + timedelta(seconds=30)


def _environment(api: FakeBotApi, database: ServerDatabase, tmp_path: Path,
                 port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")}
    env.update({"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": api.token,
                "THIDUA_TELEGRAM_API_URL": api.base_url,
                "THIDUA_DATABASE": database.connection_string(),
                "THIDUA_BLOC_FILE": str(tmp_path / "bloc.yaml"),
                "THIDUA_FILES_DIR": str(tmp_path / "files"),
                "THIDUA_WEBHOOK_URL": "https://bot.example.gov.vn/thidua",
                "THIDUA_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                "THIDUA_WEBHOOK_SECRET": SECRET})
    return env


async def _start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app.cli", "run", env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def _leads(http: httpx.AsyncClient, port: int) -> bool | None:
    """Whether the process on ``port`` runs the scheduler (None: it does not answer)."""
    try:
        metrics = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
    except httpx.HTTPError:
        return None
    return "thidua_scheduler_leader 1.0" in metrics


async def _until(check: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.1)
    return None


class Balancer:
    """One address in front of the processes: each update to the next one that answers."""

    def __init__(self, http: httpx.AsyncClient, ports: list[int]) -> None:
        self._http, self.ports, self._turn = http, ports, 0

    async def post(self, update: dict[str, Any]) -> None:
        for _ in range(2 * len(self.ports)):
            port = self.ports[self._turn % len(self.ports)]
            self._turn += 1
            try:
                answer = await self._http.post(f"http://127.0.0.1:{port}/thidua/telegram",
                                               json=update, headers={HEADER: SECRET})
            except httpx.HTTPError:
                continue  # that process is gone: the next one
            if answer.status_code == 200:
                return
        raise AssertionError("no process took the update")


def _to_people(api: FakeBotApi) -> list[int]:
    """The chats of the messages to the people in conversation (one per message)."""
    return [m.chat_id for m in api.sent if m.chat_id <= PEOPLE]


def _said(api: FakeBotApi, prefix: str) -> Counter[int]:
    return Counter(m.chat_id for m in api.sent if (m.text or "").startswith(prefix))


async def test_the_leader_killed_mid_fan_out_and_mid_conversations(
    postgres: ServerDatabase, tmp_path: Path,
) -> None:
    (tmp_path / "bloc.yaml").write_text(BLOC, encoding="utf-8")
    later_due = await _seed(postgres, tmp_path / "bloc.yaml")
    ports = [free_port(), free_port()]
    async with FakeBotApi() as api, httpx.AsyncClient(timeout=5) as http:
        people = [api.user(number, f"Người {number}") for number in range(1, PEOPLE + 1)]
        for number in range(PEOPLE, PEOPLE + REMINDERS + LATER):
            api.user(10_000 + number, f"Người {number}")
        api.send_delay = 0.05  # a fan-out that takes some seconds: the kill lands inside
        first = await _start(_environment(api, postgres, tmp_path, ports[0]), tmp_path)
        second: asyncio.subprocess.Process | None = None
        try:
            assert await _until(lambda: _leads(http, ports[0]), 30)  # the first leads
            second = await _start(_environment(api, postgres, tmp_path, ports[1]), tmp_path)
            assert await _until(lambda: _answers(http, ports[1]), 30)
            assert await _leads(http, ports[1]) is False  # the second stands by
            balancer = Balancer(http, ports)
            await api.wait_until(
                lambda: sum(_said(api, "Nhắc hạn").values()) >= REMINDERS // 4 or None, 60)
            # each begins a report (the bot asks which task): the kill comes right after
            # the last is taken, while the first process still handles what it took
            for person in people:
                api.send_text(person, "/capnhat")
                await balancer.post(api.queue.pop().update)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        killed_at = time.monotonic()
        try:
            sent_before = sum(_said(api, "Nhắc hạn").values())
            ambiguous = {int(chat) for (chat,) in query(  # what the dead one was sending
                postgres, "SELECT chat_id FROM outbox WHERE status = 'sending' AND "
                "claimed_by LIKE ?", (f"%:{first.pid}:%",))}
            assert 0 < sent_before < REMINDERS
            # the survivor leads within 30 s, and puts back what the dead one was sending
            assert await _until(lambda: _leads(http, ports[1]), 30)
            took_over = time.monotonic() - killed_at
            for person in people:  # the conversations go on, on the survivor
                api.send_text(person, "1")
                await balancer.post(api.queue.pop().update)
            await api.wait_until(
                lambda: (len(_said(api, "Nhắc hạn")) >= REMINDERS
                and len(_said(api, "Nhắc sau")) >= LATER) or None, 90)
            later_sent = [m for m in api.sent if (m.text or "").startswith("Nhắc sau")]
            await api.wait_until(lambda: len(_to_people(api)) >= 2 * PEOPLE or None, 30)
            answered = Counter(_to_people(api))
            said_to_people: dict[int, list[str]] = {}
            for message in api.sent:
                if message.chat_id <= PEOPLE:
                    said_to_people.setdefault(message.chat_id, []).append(message.text or "")
        finally:
            if second is not None:
                second.send_signal(signal.SIGTERM)
                await second.wait()
    reminders = _said(api, "Nhắc hạn")
    assert len(reminders) == REMINDERS  # nobody lost
    repeated = {chat for chat, n in reminders.items() if n > 1}
    assert repeated <= ambiguous and all(n <= 2 for n in reminders.values())
    assert len({m.chat_id for m in later_sent}) == LATER and len(later_sent) == LATER
    due = later_due.timestamp()
    assert all(due - 1 <= m.raw["date"] <= due + 10 for m in later_sent)  # on time
    # every conversation went on: the task asked for, then (after "1") its status, each
    # once; a message sent again (in flight at the kill, or timed out on a slow machine and
    # tried again) is the same message twice, never a step skipped or repeated
    assert set(answered) == set(range(1, PEOPLE + 1))
    for chat, texts in said_to_people.items():
        assert len(set(texts)) == 2 and len(texts) <= 3, (chat, texts)
    print(f"\nkilled after {sent_before} of {REMINDERS}; {len(ambiguous)} in flight, "
          f"{len(repeated)} repeated; the survivor led after {took_over:.1f} s")


async def _answers(http: httpx.AsyncClient, port: int) -> bool:
    try:
        return (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
    except httpx.HTTPError:
        return False
