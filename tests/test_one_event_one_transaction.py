"""One event, one transaction: the dedup mark, the handler's writes, the conversation's
place and the inbox row commit together or not at all (issue "nothing lost, nothing twice").
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.domain.events import ChatKind, Inbound, Response
from config.settings import Settings
from storage.records import Role
from tests.chat import Person, plain
from tests.test_core import registered


def event(person: Person, text: str, key: str) -> Inbound:
    return Inbound(channel=person.channel, user_id=person.user_id, chat_id=person.user_id,
                   chat_kind=ChatKind.PRIVATE, display_name=person.name, text=text,
                   update_key=key)


async def reports(runtime: Runtime) -> int:
    period = (await runtime.repo.list_periods(runtime.bloc.id))[-1]
    return len(await runtime.repo.history_for_period(period.id))


@asynccontextmanager
async def statements(runtime: Runtime) -> AsyncIterator[list[str]]:
    """Every SQL statement the repository's connection runs inside the block."""
    seen: list[str] = []
    connection: Any = runtime.repo._db  # type: ignore[attr-defined]
    await connection.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        await connection.set_trace_callback(None)


async def test_a_submitted_report_is_one_write_transaction(runtime: Runtime) -> None:
    an = await registered(runtime, "10", unit="SHTT")
    await an.say("/capnhat 1 50% Đã họp trù bị")
    delivered: list[Response] = []

    async def deliver(response: Response) -> list[None]:  # the messenger took every reply
        delivered.append(response)
        return [None] * len(response.replies)

    async with statements(runtime) as seen:
        answer = await an.dispatcher.handle(event(an, "Gửi", "u-send"), deliver)
    assert "Đã ghi nhận" in plain(answer) and delivered == [answer]
    assert sum(1 for sql in seen if sql.startswith("BEGIN")) == 1
    commit = seen.index("COMMIT")
    written = [sql.split("INTO")[1].split()[0] for sql in seen[:commit]
               if sql.lstrip().startswith("INSERT")]
    # the report, the dedup mark, the conversation's place and the replies, together
    assert {"progress_updates", "processed_updates", "dialog_states", "outbox"} <= set(written)
    assert [sql for sql in seen[commit + 1:] if sql.startswith("DELETE FROM outbox")]  # sent
    assert await reports(runtime) == 1
    assert [row for row in await runtime.repo.outbox_rows() if row.kind == "reply"] == []


async def test_a_handler_fault_leaves_nothing_half_written_and_keeps_the_answers(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    an = await registered(runtime, "10", unit="SHTT")
    await an.say("/capnhat 1 50% Đã họp trù bị")
    real = runtime.repo.latest_updates

    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug after the report was written")

    monkeypatch.setattr(runtime.repo, "latest_updates", broken)
    answer = plain(await an.say("Gửi"))
    assert "đã có lỗi" in answer and "Đã ghi nhận" not in answer
    assert await reports(runtime) == 0  # the report written before the fault is rolled back
    monkeypatch.setattr(runtime.repo, "latest_updates", real)
    answer = plain(await an.say("Gửi"))  # the conversation is still at its last step
    assert "Đã ghi nhận" in answer
    assert await reports(runtime) == 1


async def test_a_database_fault_claims_nothing_and_the_same_update_is_handled_later_once(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    an = await registered(runtime, "10", unit="SHTT")
    await an.say("/capnhat 1 50% Đã họp trù bị")
    real = runtime.repo.mark_handled

    async def disk_full(*args: object, **kwargs: object) -> bool:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(runtime.repo, "mark_handled", disk_full)
    failed = await an.dispatcher.handle(event(an, "Gửi", "u-1"))
    assert failed.failed
    text = plain(failed)
    assert "sự cố lưu trữ" in text and "chưa được ghi nhận" in text
    assert "Đã ghi nhận" not in text
    assert await reports(runtime) == 0
    monkeypatch.setattr(runtime.repo, "mark_handled", real)
    again = await an.dispatcher.handle(event(an, "Gửi", "u-1"))  # the messenger delivers it again
    assert "Đã ghi nhận" in plain(again)
    assert await reports(runtime) == 1
    twice = await an.dispatcher.handle(event(an, "Gửi", "u-1"))  # and once more: a duplicate
    assert twice.duplicate and twice.replies == []
    assert await reports(runtime) == 1


async def test_an_event_from_the_inbox_leaves_it_only_with_its_writes(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    [receipt] = await runtime.repo.inbox_add("test", [("u-7", "{}", "9")],
                                             runtime.clock.now())
    assert receipt is not None

    async def locked(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    real = runtime.repo.inbox_remove
    monkeypatch.setattr(runtime.repo, "inbox_remove", locked)
    response: Response = await runtime.dispatcher.handle(event(chair, "/tinhhinh", "u-7"),
                                                   receipt=receipt)
    assert response.failed and "giữ lại tin nhắn" in plain(response)
    waiting = await runtime.repo.inbox_waiting("test", runtime.clock.now())
    assert [row for row, _ in waiting] == [receipt]
    assert not await runtime.repo.was_handled("test", "u-7")
    monkeypatch.setattr(runtime.repo, "inbox_remove", real)
    response = await runtime.dispatcher.handle(event(chair, "/tinhhinh", "u-7"), receipt=receipt)
    assert not response.failed and "Tình hình" in plain(response)
    assert await runtime.repo.inbox_waiting("test", runtime.clock.now()) == []
    assert await runtime.repo.was_handled("test", "u-7")


async def test_a_typed_answer_with_a_lone_surrogate_is_recorded_not_refused(
    runtime: Runtime,
) -> None:
    an = await registered(runtime, "10", unit="SHTT")
    await an.say("/capnhat 1 50% Đã họp \ud800 trù bị 😀")
    answer = plain(await an.say("Gửi"))
    assert "Đã ghi nhận" in answer
    period = (await runtime.repo.list_periods(runtime.bloc.id))[-1]
    [report] = await runtime.repo.history_for_period(period.id)
    assert report.note == "Đã họp \ufffd trù bị 😀"


async def test_a_database_deleted_under_the_bot_is_reported_down_and_nothing_is_claimed(
    runtime: Runtime, settings: Settings,
) -> None:
    an = await registered(runtime, "10", unit="SHTT")
    await an.say("/capnhat 1 50% Đã họp trù bị")
    assert await runtime.repo.ping()
    settings.database.unlink()  # an operator's mistake, or a cleanup script
    assert not await runtime.repo.ping()  # /healthz says the database is down
    answer = plain(await an.dispatcher.handle(event(an, "Gửi", "u-gone")))
    assert "chưa được ghi nhận" in answer and "Đã ghi nhận" not in answer


async def test_a_job_scheduled_inside_an_event_runs_outside_its_transaction(
    runtime: Runtime,
) -> None:
    """A conference scheduled in chat plans its reminders inside the event's transaction;
    the scheduler's jobs must not inherit it (they froze every later write)."""
    import asyncio
    from datetime import timedelta

    from bot.domain.clock import SystemClock, wall_now
    from bot.services.scheduler import Scheduler

    scheduler = Scheduler(SystemClock())
    scheduler.start()
    done = asyncio.Event()

    async def job() -> None:
        await runtime.repo.set_bot_username("written-by-the-job", "yes")
        done.set()

    try:
        async with runtime.repo.unit_of_work():
            await runtime.repo.set_bot_username("written-by-the-event", "yes")
            scheduler.at("soon", wall_now() + timedelta(milliseconds=50), job)
        await asyncio.wait_for(done.wait(), 5)
        await asyncio.wait_for(runtime.repo.set_bot_username("later", "yes"), 5)  # nothing is stuck
        assert await runtime.repo.bot_username("written-by-the-job") == "yes"
    finally:
        scheduler.stop()


async def test_replies_sent_while_the_database_refuses_to_note_it_are_noted_later(
    runtime: Runtime, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio
    from datetime import timedelta

    chair = await registered(runtime, "9", Role.CHAIR, None)
    real = runtime.repo.settle_replies
    refusals: list[int] = []

    async def full_once(*args: Any, **kwargs: Any) -> None:
        if not refusals:
            refusals.append(1)
            raise sqlite3.OperationalError("database or disk is full")
        await real(*args, **kwargs)

    async def deliver(response: Response) -> list[None]:
        return [None] * len(response.replies)

    monkeypatch.setattr(runtime.repo, "settle_replies", full_once)
    await runtime.start()
    try:
        await runtime.dispatcher.handle(event(chair, "/tinhhinh", "u-note"), deliver)
        waiting = [r for r in await runtime.repo.outbox_rows() if r.kind == "reply"]
        assert waiting and all(r.status.value == "sending" for r in waiting)
        clock.advance(timedelta(minutes=1))
        for _ in range(100):
            if not [r for r in await runtime.repo.outbox_rows() if r.kind == "reply"]:
                break
            await asyncio.sleep(0.02)
        # noted as sent a minute later: a restart will not send them again
        assert [r for r in await runtime.repo.outbox_rows() if r.kind == "reply"] == []
    finally:
        await runtime.stop()


async def test_a_write_cancelled_while_its_transaction_begins_leaves_the_database_usable(
    runtime: Runtime,
) -> None:
    """A stop cancels tasks mid-write; SQLite's thread runs their BEGIN anyway."""
    import asyncio
    import contextlib

    for number in range(20):
        task = asyncio.create_task(runtime.repo.set_bot_username(f"cancelled-{number}", "x"))
        for _ in range(number % 4):
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await asyncio.wait_for(runtime.repo.set_bot_username("after", "ok"), 5)
    assert await runtime.repo.bot_username("after") == "ok"
    async with runtime.repo.unit_of_work():
        await runtime.repo.set_bot_username("in-a-unit", "ok")
    assert await runtime.repo.bot_username("in-a-unit") == "ok"


async def test_the_person_is_sent_the_delay_note_and_the_fault_note_not_only_told_in_replies(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the channel's delivery gets is what reaches the messenger: the messages."""
    an = await registered(runtime, "10", unit="SHTT")
    delivered: list[Response] = []

    async def deliver(response: Response) -> list[None]:
        delivered.append(response)
        return [None] * len(response.messages)

    async def disk_full(*args: object, **kwargs: object) -> bool:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(runtime.repo, "mark_handled", disk_full)
    await runtime.dispatcher.handle(event(an, "/nhiemvu", "u-full"), deliver)
    [delayed] = delivered
    assert [m.text for m in delayed.messages] == [r.text for r in delayed.replies]
    assert "chưa được ghi nhận" in delayed.messages[0].text

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in reading the person")

    monkeypatch.setattr(runtime.repo, "get_member", broken)
    with pytest.raises(RuntimeError):
        await runtime.dispatcher.handle(event(an, "/nhiemvu", "u-bug"), deliver)
    assert "Xin lỗi" in delivered[-1].messages[0].text
