"""Several processes on one PostgreSQL database, at the repository: the scheduler's lease,
who is alive, whose half-sent messages are put back, and a person's lock across processes.
(On SQLite the one process the file admits leads, and everything half-sent is its own.)"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from config.database import ServerDatabase
from storage.opening import open_repository
from storage.records import OutgoingMessage
from tests.test_storage import NOW

LEASE = timedelta(seconds=20)


def _reminder(number: int) -> OutgoingMessage:
    return OutgoingMessage(dedup_key=f"r:{number}", channel="telegram", chat_id=str(number),
                           kind="reminder", payload={"text": f"Nhắc {number}"}, due_at=NOW)


async def test_the_lease_passes_when_it_runs_out_or_its_holder_is_surely_gone(
    postgres: ServerDatabase,
) -> None:
    first, second = await open_repository(postgres), await open_repository(postgres)
    third = await open_repository(postgres)
    try:
        for repo in (first, second, third):
            await repo.heartbeat(NOW)
        assert await first.take_lease("scheduler", NOW, LEASE)
        assert await first.take_lease("scheduler", NOW + timedelta(seconds=5), LEASE)  # renewed
        assert not await second.take_lease("scheduler", NOW + timedelta(seconds=6), LEASE)
        # the holder alive (its connection open) but silent: the lease runs out, then passes
        assert not await second.take_lease("scheduler", NOW + timedelta(seconds=24), LEASE)
        assert await second.take_lease("scheduler", NOW + timedelta(seconds=26), LEASE)
        assert not await first.take_lease("scheduler", NOW + timedelta(seconds=27), LEASE)
        # the holder's process gone (its connection closed): taken at once, lease or not
        await second.close()
        assert await third.take_lease("scheduler", NOW + timedelta(seconds=28), LEASE)
    finally:
        await first.close()
        await third.close()


async def test_only_a_dead_processs_half_sent_messages_are_put_back(
    postgres: ServerDatabase,
) -> None:
    sender, survivor = await open_repository(postgres), await open_repository(postgres)
    try:
        for repo in (sender, survivor):
            await repo.heartbeat(NOW)
        await sender.enqueue([_reminder(n) for n in range(3)], NOW)
        assert len(await sender.claim_due(NOW, 10)) == 3
        assert await survivor.recover_in_flight(NOW) == []  # the sender is alive: its own
        assert await survivor.live_instances(NOW) == {sender.instance, survivor.instance}
        await sender.close()  # killed: the server lets its lock go with the connection
        recovered = await survivor.recover_in_flight(NOW + timedelta(seconds=1))
        assert sorted(row.chat_id for row in recovered) == ["0", "1", "2"]
        assert await survivor.live_instances(NOW) == {survivor.instance}
    finally:
        await survivor.close()


async def test_a_persons_events_wait_for_each_other_across_processes(
    postgres: ServerDatabase,
) -> None:
    one, other = await open_repository(postgres), await open_repository(postgres)
    order: list[str] = []
    try:
        async with one.person_lock("telegram", "42"):
            waiting = asyncio.create_task(_hold(other, order))
            await asyncio.sleep(0.2)
            assert order == []  # the other process waits for the person's first event
            order.append("first")
        await waiting
        assert order == ["first", "second"]
        async with one.person_lock("telegram", "43"):  # another person: no wait
            await asyncio.wait_for(_hold(other, order, "44"), 1)
    finally:
        await one.close()
        await other.close()


async def _hold(repo: object, order: list[str], person: str = "42") -> None:
    async with repo.person_lock("telegram", person):  # type: ignore[attr-defined]
        order.append("second")
