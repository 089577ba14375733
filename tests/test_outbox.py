"""The outbox with a fake clock and a scripted channel: once, retried, parked, reported."""

from __future__ import annotations

from datetime import timedelta

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.domain.events import DeliveryError, Message, Published, Reply, Traits
from bot.services.outbox import MAX_ATTEMPTS, Outgoing
from storage.opening import open_repository
from storage.records import OutboxStatus


class ScriptedChannel:
    """Records what it sends; fails as told, per chat, in order."""

    traits = Traits()

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failures: dict[str, list[DeliveryError]] = {}

    async def send(self, chat_id: str, message: Message) -> None:
        queue = self.failures.get(chat_id)
        if queue:
            raise queue.pop(0)
        self.sent.append((chat_id, message.text))

    async def publish(self, chat_id: str, messages: list[Message], *, pin: bool,
                      replace: str | None = None) -> Published:
        raise AssertionError("not used")


def message(key: str, chat: str, clock: FixedClock, *, expires: timedelta | None = None,
            batch: int | None = None, text: str | None = None) -> Outgoing:
    now = clock.now()
    return Outgoing(dedup_key=key, channel="test", chat_id=chat, kind="nudge",
                    reply=Reply(text or f"hi {chat}"), due_at=now,
                    expires_at=now + expires if expires else None, batch_id=batch)


async def statuses(runtime: Runtime) -> dict[str, OutboxStatus]:
    return {row.dedup_key: row.status for row in await runtime.repo.outbox_rows()}


async def test_a_message_queued_twice_is_sent_once(runtime: Runtime, clock: FixedClock) -> None:
    channel = ScriptedChannel()
    runtime.channels.add("test", channel)
    assert await runtime.outbox.enqueue([message("a", "1", clock)]) == 1
    assert await runtime.outbox.enqueue([message("a", "1", clock)]) == 0
    await runtime.outbox.run_once()
    await runtime.outbox.run_once()
    assert channel.sent == [("1", "hi 1")]
    assert await statuses(runtime) == {"a": OutboxStatus.SENT}


async def test_failures_are_retried_with_backoff_then_parked(
    runtime: Runtime, clock: FixedClock,
) -> None:
    channel = ScriptedChannel()
    runtime.channels.add("test", channel)
    channel.failures["1"] = [DeliveryError("429", retry_after=3), DeliveryError("500")]
    channel.failures["2"] = [DeliveryError("500")] * (MAX_ATTEMPTS + 1)
    channel.failures["3"] = [DeliveryError("blocked", blocked=True)]
    channel.failures["4"] = [DeliveryError("bad request", permanent=True)]
    await runtime.outbox.enqueue([message(k, k, clock) for k in "1234"])
    await runtime.outbox.run_once()
    assert channel.sent == []
    clock.advance(timedelta(seconds=2))
    await runtime.outbox.run_once()  # retry_after 3 s is not over yet for chat 1
    assert channel.sent == []
    for _ in range(12):
        clock.advance(timedelta(minutes=5))
        await runtime.outbox.run_once()
    assert channel.sent == [("1", "hi 1")]
    assert await statuses(runtime) == {"1": OutboxStatus.SENT, "2": OutboxStatus.FAILED,
                                       "3": OutboxStatus.BLOCKED, "4": OutboxStatus.FAILED}
    failed = {row.dedup_key: row for row in await runtime.repo.outbox_rows()}
    assert failed["2"].attempts == MAX_ATTEMPTS and failed["2"].last_error == "500"


async def test_a_message_whose_moment_passed_is_dropped_not_sent(
    runtime: Runtime, clock: FixedClock,
) -> None:
    channel = ScriptedChannel()
    await runtime.outbox.enqueue([message("late", "1", clock, expires=timedelta(hours=1)),
                                message("fine", "2", clock, expires=timedelta(days=2))])
    clock.advance(timedelta(hours=5))  # the bot was down meanwhile
    runtime.channels.add("test", channel)
    await runtime.outbox.run_once()
    assert channel.sent == [("2", "hi 2")]
    assert await statuses(runtime) == {"late": OutboxStatus.EXPIRED, "fine": OutboxStatus.SENT}


async def test_rows_half_sent_at_a_crash_are_sent_again_on_start(
    runtime: Runtime, clock: FixedClock,
) -> None:
    await runtime.outbox.enqueue([message("x", "1", clock)])
    earlier = await open_repository(runtime.settings.database)  # the last run of the bot
    claimed = await earlier.claim_due(clock.now(), 10)  # its sender took it, then it died
    await earlier.close()
    assert [row.status for row in await runtime.repo.outbox_rows()] == [OutboxStatus.SENDING]
    assert claimed
    channel = ScriptedChannel()
    runtime.channels.add("test", channel)
    await runtime.outbox.start()
    await runtime.outbox.stop()
    await runtime.outbox.run_once()
    assert channel.sent == [("1", "hi 1")]


async def test_a_batch_is_reported_once_when_every_message_is_settled(
    runtime: Runtime, clock: FixedClock,
) -> None:
    channel = ScriptedChannel()
    runtime.channels.add("test", channel)
    channel.failures["2"] = [DeliveryError("blocked", blocked=True)]
    batch = await runtime.repo.create_batch(channel="test", report_chat="chair",
                                            language="vi", kind="nudge", now=clock.now())
    await runtime.outbox.enqueue([message(f"n{c}", c, clock, batch=batch) for c in "123"])
    await runtime.outbox.run_once()
    await runtime.outbox.run_once()
    await runtime.outbox.run_once()
    reports = [text for chat, text in channel.sent if chat == "chair"]
    assert reports == ["Kết quả nhắc nhở: đã gửi 2/3 tin; 1 người đã chặn bot."]


async def test_a_retry_keeps_the_order_of_messages_to_one_chat(
    runtime: Runtime, clock: FixedClock,
) -> None:
    channel = ScriptedChannel()
    runtime.channels.add("test", channel)
    channel.failures["1"] = [DeliveryError("429", retry_after=3)]
    for key in ("first", "second"):
        await runtime.outbox.enqueue([message(key, "1", clock, text=key)])
    await runtime.outbox.run_once()
    await runtime.outbox.run_once()
    assert channel.sent == []  # "second" waits for "first"
    clock.advance(timedelta(seconds=3))
    await runtime.outbox.run_once()
    assert channel.sent == [("1", "first"), ("1", "second")]


async def test_a_long_message_is_one_row_per_part_and_a_failed_part_is_sent_alone(
    runtime: Runtime, clock: FixedClock,
) -> None:
    """A text longer than the messenger's limit is two messages there: two rows. When the
    second fails, the retry sends it alone, never the first again."""

    class SecondSendFailsOnce(ScriptedChannel):
        calls = 0

        async def send(self, chat_id: str, message: Message) -> None:
            self.calls += 1
            if self.calls == 2:
                raise DeliveryError("500")
            await super().send(chat_id, message)

    channel = SecondSendFailsOnce()
    runtime.channels.add("test", channel)
    long = "\n".join(f"Dòng {n}: " + "nội dung báo cáo " * 12 for n in range(1, 30))
    assert 4096 < len(long) < 8192
    assert await runtime.outbox.enqueue([message("long", "1", clock, text=long)]) == 1
    assert await runtime.outbox.enqueue([message("long", "1", clock, text=long)]) == 0
    rows = await runtime.repo.outbox_rows()
    assert sorted(row.dedup_key for row in rows) == ["long", "long#2"]
    await runtime.outbox.run_once()
    assert len(channel.sent) == 1
    clock.advance(timedelta(seconds=5))
    await runtime.outbox.run_once()
    parts = [text for _, text in channel.sent]
    assert len(parts) == 2 and "\n".join(parts).split() == long.split()
    assert await statuses(runtime) == {"long": OutboxStatus.SENT, "long#2": OutboxStatus.SENT}


async def test_a_blocked_person_gets_no_later_part_and_the_report_counts_people(
    runtime: Runtime, clock: FixedClock,
) -> None:
    """A message in two parts to three people, one of whom blocked the bot: the chair
    reads 2 of 3 sent and one person blocked, and nothing more goes to the blocked one."""
    channel = ScriptedChannel()
    runtime.channels.add("test", channel)
    channel.failures["2"] = [DeliveryError("blocked", blocked=True)]
    long = "\n".join(f"Dòng {n}: " + "danh sách nhiệm vụ " * 10 for n in range(1, 30))
    batch = await runtime.repo.create_batch(channel="test", report_chat="chair",
                                            language="vi", kind="tasklist", now=clock.now())
    await runtime.outbox.enqueue([message(f"list:{c}", c, clock, batch=batch, text=long)
                                  for c in "123"])
    for _ in range(4):
        await runtime.outbox.run_once()
    assert sorted({chat for chat, _ in channel.sent}) == ["1", "3", "chair"]
    assert [text for chat, text in channel.sent if chat == "chair"] == [
        "Kết quả gửi danh sách nhiệm vụ: đã gửi 2/3 tin; 1 người đã chặn bot."]
    blocked = {row.dedup_key: row.status for row in await runtime.repo.outbox_rows()
               if row.chat_id == "2"}
    assert blocked == {"list:2": OutboxStatus.BLOCKED, "list:2#2": OutboxStatus.BLOCKED}
