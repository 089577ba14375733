"""`thidua run` killed (SIGKILL) at the moments that used to lose messages, then restarted:
every update is handled exactly once and every reply arrives.

(a) right after Telegram handed over a batch of updates (PTB's Updater confirmed such a
    batch with its next getUpdates before anything was handled: 5 of 5 lost);
(c) after the handling committed and before the replies got through (Telegram answering
    500): the replies are outbox rows of the event's transaction, sent after the restart.
The kill during the outbox's sending of 200 messages is ``test_e2e_outbox_kill.py``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.app.runtime import open_runtime
from config.database import DatabaseAddress, ServerDatabase
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi
from tests.conftest import ROOT, SMALL_BLOC
from tests.databases import query
from tests.zaloapi import FakeZaloApi

PEOPLE = 5
# The bot runs on the real clock here: without deadlines, whatever the date, it sends
# nothing on its own (no reminder), so every message to a person is an answer.
BLOC = "\n".join(line for line in SMALL_BLOC.splitlines() if "report_deadline" not in line
                 ).replace(', deadline: "15/12/2026 14h30"', "")


async def seed(db: DatabaseAddress, bloc_file: Path, channel: str = "telegram") -> None:
    """Five registered contacts (ids 1–5, or z1–z5 on Zalo)."""
    settings = Settings(database=db, bloc_file=bloc_file)
    runtime = await open_runtime(settings)
    repo = runtime.repo
    units = await repo.list_units(runtime.bloc.id)
    for number in range(1, PEOPLE + 1):
        await repo.upsert_member(
            bloc_id=runtime.bloc.id, channel=channel,
            external_id=str(number) if channel == "telegram" else f"z{number}",
            display_name=f"Đầu mối {number}", unit_id=units[number % len(units)].id,
            role=Role.CONTACT, now=datetime.now(UTC))
    await runtime.close()


async def start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app.cli", "run", env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def polling(api: FakeBotApi, env: dict[str, str], cwd: Path
                  ) -> asyncio.subprocess.Process:
    """``thidua run``, once it asks Telegram for updates."""
    process = await start(env, cwd)
    await api.wait_until(lambda: any(c.method == "getUpdates" for c in api.calls) or None, 30)
    return process


def address(database: DatabaseAddress) -> str:
    """The database as THIDUA_DATABASE gives it."""
    return database.connection_string() if isinstance(database, ServerDatabase) \
        else str(database)


def environment(api: FakeBotApi, tmp_path: Path, database: DatabaseAddress) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")}
    env.update({"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": api.token,
                "THIDUA_TELEGRAM_API_URL": api.base_url,
                "THIDUA_DATABASE": address(database),
                "THIDUA_BLOC_FILE": str(tmp_path / "bloc.yaml")})
    return env


def answers(api: FakeBotApi) -> Counter[int]:
    """How many messages each person received."""
    return Counter(int(m.chat_id) for m in api.sent)


def replies_waiting(db: DatabaseAddress) -> int:
    """Replies stored and not yet delivered (being sent, or waiting for a retry)."""
    return int(query(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'reply' AND "
                         "status IN ('pending', 'sending')")[0][0])


def replies_in_flight(db: DatabaseAddress) -> set[str]:
    """The chats of replies being sent at the kill: sent or not, nobody can tell."""
    return {str(row[0]) for row in query(
        db, "SELECT chat_id FROM outbox WHERE kind = 'reply' AND status = 'sending'")}


async def restart_until_answered(api: FakeBotApi, env: dict[str, str], cwd: Path) -> None:
    """Start the bot again, wait until everyone got an answer (and a moment more), stop."""
    second = await start(env, cwd)
    try:
        await api.wait_until(lambda: len(answers(api)) >= PEOPLE or None, 60)
        await asyncio.sleep(0.5)  # and nothing more comes
    finally:
        await stop(second)


async def kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)  # no clean stop
    await process.wait()


async def stop(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    await process.wait()


async def test_a_batch_handed_over_just_before_a_kill_is_handled_once_after_the_restart(
    tmp_path: Path, database: DatabaseAddress,
) -> None:
    (tmp_path / "bloc.yaml").write_text(BLOC, encoding="utf-8")
    await seed(database, tmp_path / "bloc.yaml")
    async with FakeBotApi() as api:
        people = [api.user(number, f"Đầu mối {number}") for number in range(1, PEOPLE + 1)]
        env = environment(api, tmp_path, database)
        first = await polling(api, env, tmp_path)
        try:
            for person in people:
                api.send_text(person, "/nhiemvu")
            await api.wait_until_consumed(timeout=30)  # Telegram handed the batch over
        finally:
            await kill(first)
        answered_before = sum(answers(api).values())
        ambiguous = replies_in_flight(database)
        second = await start(env, tmp_path)
        try:
            await api.wait_until(lambda: len(answers(api)) >= PEOPLE or None, 60)
            await asyncio.sleep(0.5)  # and nothing more comes
        finally:
            await stop(second)
    counts = answers(api)
    assert sorted(counts) == [p.id for p in people]  # nobody lost
    repeated = {str(chat) for chat, n in counts.items() if n > 1}
    assert repeated <= ambiguous and all(n <= 2 for n in counts.values()), (counts, ambiguous)
    print(f"\n(a) killed with {answered_before} of {PEOPLE} answered, {len(ambiguous)} in "
          f"flight; after the restart 0 lost, {len(repeated)} repeated")


async def test_replies_committed_but_not_delivered_at_a_kill_arrive_after_the_restart(
    tmp_path: Path, database: DatabaseAddress,
) -> None:
    (tmp_path / "bloc.yaml").write_text(BLOC, encoding="utf-8")
    db = database
    await seed(db, tmp_path / "bloc.yaml")
    async with FakeBotApi() as api:
        people = [api.user(number, f"Đầu mối {number}") for number in range(1, PEOPLE + 1)]
        env = environment(api, tmp_path, database)
        first = await polling(api, env, tmp_path)
        try:
            api.fail("sendMessage", status=500, times=10_000)  # Telegram is down for sends
            for person in people:
                api.send_text(person, "/nhiemvu")

            # handled and committed, not delivered
            await api.wait_until(lambda: replies_waiting(db) >= PEOPLE or None, 30)
        finally:
            await kill(first)
        handled = query(db, "SELECT COUNT(*) FROM processed_updates")[0][0]
        assert handled == PEOPLE and answers(api) == Counter()
        api.clear_faults()  # Telegram is back
        await restart_until_answered(api, env, tmp_path)
    counts = answers(api)
    assert sorted(counts) == [p.id for p in people]
    assert all(n == 1 for n in counts.values()), counts
    print(f"\n(c) killed with {PEOPLE} replies committed and none delivered; after the "
          f"restart {sum(counts.values())} delivered, 0 lost, 0 twice")


async def test_a_zalo_update_taken_just_before_a_kill_is_handled_once_after_the_restart(
    tmp_path: Path, database: DatabaseAddress,
) -> None:
    """Zalo's getUpdates has no offset: an update it returned is the bot's alone, so it is
    written to the inbox on receipt, before it is handled. (Between Zalo's answer and that
    write, a few milliseconds, a kill still loses it: nothing the bot can do closes that.)"""
    (tmp_path / "bloc.yaml").write_text(BLOC, encoding="utf-8")
    await seed(database, tmp_path / "bloc.yaml", "zalo")
    async with FakeZaloApi() as zalo:
        people = [zalo.user(f"Đầu mối {n}", f"z{n}") for n in range(1, PEOPLE + 1)]
        env = zalo_environment(zalo, tmp_path, database)
        first = await start(env, tmp_path)
        try:
            await zalo.wait_until(lambda: zalo.calls_of("getUpdates") or None, 30)
            for person in people:
                await person.say("/nhiemvu")
            await zalo.wait_until_consumed(timeout=30)

            def taken() -> bool | None:  # in the inbox, or handled: ours now
                count = query(database, "SELECT (SELECT COUNT(*) FROM inbox) + "
                                        "(SELECT COUNT(*) FROM processed_updates)")[0][0]
                return count >= PEOPLE or None

            for _ in range(500):  # the kill lands as soon as the last one is written down
                if taken():
                    break
                await asyncio.sleep(0.005)
        finally:
            await kill(first)
        answered_before = sum(len(zalo.messages_to(p)) for p in people)
        ambiguous = replies_in_flight(database)
        second = await start(env, tmp_path)
        try:
            await zalo.wait_until(
                lambda: all(zalo.messages_to(p) for p in people) or None, 60)
            await asyncio.sleep(0.5)
        finally:
            await stop(second)
        counts = {p.id: len(zalo.messages_to(p)) for p in people}
    assert all(n >= 1 for n in counts.values()), counts  # nobody lost
    repeated = {str(chat) for chat, n in counts.items() if n > 1}
    assert repeated <= ambiguous and all(n <= 2 for n in counts.values()), (counts, ambiguous)
    print(f"\n(a, Zalo) killed with {answered_before} of {PEOPLE} answered, {len(ambiguous)} "
          f"in flight; after the restart 0 lost, {len(repeated)} repeated")


def zalo_environment(zalo: FakeZaloApi, tmp_path: Path,
                     database: DatabaseAddress) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")}
    env.update({"PYTHONPATH": str(ROOT), "ZALO_BOT_TOKEN": zalo.token,
                "THIDUA_ZALO_API_URL": zalo.url, "THIDUA_DATABASE": address(database),
                "THIDUA_BLOC_FILE": str(tmp_path / "bloc.yaml")})
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env


async def test_zalo_replies_committed_but_not_delivered_at_a_kill_arrive_after_it(
    tmp_path: Path, database: DatabaseAddress,
) -> None:
    (tmp_path / "bloc.yaml").write_text(BLOC, encoding="utf-8")
    db = database
    await seed(db, tmp_path / "bloc.yaml", "zalo")
    async with FakeZaloApi() as zalo:
        people = [zalo.user(f"Đầu mối {n}", f"z{n}") for n in range(1, PEOPLE + 1)]
        env = zalo_environment(zalo, tmp_path, database)
        first = await start(env, tmp_path)
        try:
            await zalo.wait_until(lambda: zalo.calls_of("getUpdates") or None, 30)
            zalo.fail("sendMessage", 500, times=10_000)  # Zalo is down for sends
            for person in people:
                await person.say("/nhiemvu")

            await zalo.wait_until(lambda: replies_waiting(db) >= PEOPLE or None, 30)
        finally:
            await kill(first)
        assert all(zalo.messages_to(p) == [] for p in people)
        zalo.clear_faults()
        second = await start(env, tmp_path)
        try:
            await zalo.wait_until(lambda: all(zalo.messages_to(p) for p in people) or None, 60)
            await asyncio.sleep(0.5)
        finally:
            await stop(second)
        counts = {p.id: len(zalo.messages_to(p)) for p in people}
    assert all(n == 1 for n in counts.values()), counts
    print(f"\n(c, Zalo) killed with {PEOPLE} replies committed and none delivered; after the "
          f"restart {sum(counts.values())} delivered, 0 lost, 0 twice")


async def test_webhook_updates_acknowledged_just_before_a_kill_are_handled_once_after_it(
    tmp_path: Path, database: DatabaseAddress,
) -> None:
    """Telegram got 200 for each update (so it never sends them again), then the bot died."""
    import httpx

    from tests.zalo_e2e import free_port

    (tmp_path / "bloc.yaml").write_text(BLOC, encoding="utf-8")
    await seed(database, tmp_path / "bloc.yaml")
    port, secret = free_port(), "kill-test-secret"
    async with FakeBotApi() as api, httpx.AsyncClient() as http:
        people = [api.user(number, f"Đầu mối {number}") for number in range(1, PEOPLE + 1)]
        env = environment(api, tmp_path, database)
        env.update({"THIDUA_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
                    "THIDUA_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                    "THIDUA_WEBHOOK_SECRET": secret})
        first = await start(env, tmp_path)
        try:
            await api.wait_until(lambda: any(c.method == "setWebhook" for c in api.calls)
                                 or None, 30)
            for person in people:
                api.send_text(person, "/nhiemvu")
                update = api.queue.pop().update
                taken = await http.post(f"http://127.0.0.1:{port}/hook/telegram", json=update,
                                        headers={"X-Telegram-Bot-Api-Secret-Token": secret})
                assert taken.status_code == 200
        finally:
            await kill(first)  # at once after the last 200
        answered_before = sum(answers(api).values())
        ambiguous = replies_in_flight(database)
        await restart_until_answered(api, env, tmp_path)
    counts = answers(api)
    assert sorted(counts) == [p.id for p in people]
    repeated = {str(chat) for chat, n in counts.items() if n > 1}
    assert repeated <= ambiguous and all(n <= 2 for n in counts.values()), (counts, ambiguous)
    print(f"\n(a, webhook) killed with {answered_before} of {PEOPLE} answered, "
          f"{len(ambiguous)} in flight; after the restart 0 lost, {len(repeated)} repeated")
