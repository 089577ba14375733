"""The outbox worker: sends what the bot decided to send on its own, exactly once if it can.

Reminders, nudges and announcements are rows first (see ``storage/_outbox.py``);
this worker, serving every channel, sends due rows, one
chat at a time, retrying with backoff, honouring ``retry_after``, parking rows
that fail for good, and reporting each batch's outcome to whoever asked for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.clock import Clock
from bot.domain.events import DeliveryError, Message, Reply
from bot.domain.i18n import Texts
from bot.services import background
from bot.services.channels import Channels
from bot.services.metrics import Metrics
from bot.services.outbox_payload import PAYLOAD_VERSION, message_of, payload_of, reply_of
from bot.services.presenter import Presenter
from bot.services.scheduler import Scheduler
from bot.services.send_lanes import SendLane, outbox_turn
from storage.records import OutboxRow, OutboxStatus, OutgoingMessage
from storage.repository import InstanceStore, OutboxStore

log = logging.getLogger(__name__)


class OutboxStores(OutboxStore, InstanceStore, Protocol):
    """What the outbox reads and writes: its rows, and which processes send beside it."""


MAX_ATTEMPTS = 6
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one chat (Telegram asks for ≤ 1/s)
# Messages per second across all chats, per channel. Telegram allows 30/s; PTB's limiter is a
# bucket that lets 30 go at once and 30 more within the same second, which Telegram answers
# with 429s (benchmark 2 measured 466 of them in 2,000 reminders and 24.5 msgs/s). Pacing
# evenly just under the limit keeps every one-second window within it, jitter included.
OVERALL_RATE: dict[str, float] = {"telegram": 28.0}
RESTART_QUIET = 2.0  # seconds after the last send a previous run recorded (see below)
SHARE_CHECK = 5.0  # seconds between reads of which processes send beside this one
CLAIM_SIZE = 30  # about a second of sending: rows are marked "sending" only when near their turn
IDLE_POLL_SECONDS = 5.0
NO_CHANNEL_RETRY = timedelta(seconds=30)


OwnMenus = Callable[[str, str, Message], Awaitable[Message]]
"""Given a message of the bot's own with a numbered menu, at the moment it is sent: the
message to send (the menu, remembered for the typed numbers; or the commands instead,
for someone in the middle of a conversation)."""


@dataclass(frozen=True)
class Outgoing:
    """A message the bot decided to send on its own: to whom, on which occasion.

    ``dedup_key`` says what, for whom and on which occasion: a key queued once is never
    queued again. The reply is presented for its messenger when it is queued (one row
    per message the messenger shows).
    """

    dedup_key: str
    channel: str
    chat_id: str
    kind: str
    reply: Reply
    due_at: datetime
    expires_at: datetime | None = None
    batch_id: int | None = None


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s … up to 5 minutes between attempts."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 300))


def disposition(error: DeliveryError, attempts: int) -> tuple[OutboxStatus, timedelta | None]:
    """What becomes of a message the messenger refused at its ``attempts``-th try: blocked
    or failed for good (no wait), or pending again after the returned wait."""
    if error.blocked:
        return OutboxStatus.BLOCKED, None
    if error.permanent or attempts >= MAX_ATTEMPTS:
        return OutboxStatus.FAILED, None
    wait = timedelta(seconds=error.retry_after) if error.retry_after else backoff(attempts)
    return OutboxStatus.PENDING, wait


class OutboxWorker:
    """Queues messages and drains the outbox in the background while the bot runs."""

    def __init__(self, repo: OutboxStores, clock: Clock, scheduler: Scheduler,
                 channels: Channels, texts: Texts, presenter: Presenter,
                 own_menus: OwnMenus | None = None, metrics: Metrics | None = None) -> None:
        self._repo = repo
        self._presenter = presenter
        self.metrics = metrics or Metrics()  # sends by result, 429s (the operator's /metrics)
        # set by the composition root: whether a menu of the bot's own may be shown now
        self.own_menus = own_menus
        self._clock = clock
        self._scheduler = scheduler
        self._channels = channels
        self._texts = texts
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_sent: dict[tuple[str, str], float] = {}
        # each messenger's budget, shared with the replies (bot/services/send_lanes.py)
        self.lanes = {channel: SendLane(rate) for channel, rate in OVERALL_RATE.items()}
        self._share_checked = float("-inf")

    async def start(self) -> None:
        """Requeue what a crash left half-sent, then start sending."""
        await self.recover()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox")

    async def recover(self) -> int:
        """Requeue what a process that died was sending (at the start, the last run of this
        one; with several processes on one database, also another's): how many."""
        rows = await self._repo.recover_in_flight(self._clock.now())
        for row in rows:
            # sent or not, nobody can tell: sending again is better than losing it
            log.warning("outbox row %s (%s) was being sent when its bot process stopped; "
                        "sending again", row.id, row.dedup_key)
        if rows:
            self._wake.set()
        return len(rows)

    async def _share_with_the_others(self) -> None:
        """Other processes send on the same tokens: this one takes its share of each budget
        (who is alive read again at most every :data:`SHARE_CHECK` seconds, not per claim)."""
        if self._repo.exclusive:
            return
        now = asyncio.get_running_loop().time()
        if now - self._share_checked < SHARE_CHECK:
            return
        self._share_checked = now
        self.share_among(len(await self._repo.live_instances(self._clock.now())))

    def share_among(self, processes: int) -> None:
        """``processes`` of the bot send on the same tokens: this one takes its share."""
        for lane in self.lanes.values():
            lane.share = 1.0 / max(1, processes)

    async def stop(self) -> None:
        """Stop sending; unsent rows stay in the database for the next start."""
        await background.cancel(self._task)
        self._task = None

    async def enqueue(self, messages: list[Outgoing]) -> int:
        """Queue messages (idempotent by key) and wake the sender; returns how many are new.

        Each is presented for its messenger now, one row per message the messenger shows
        (the second of a long text is ``<key>#2``…): a part that fails is retried alone,
        and the outbox's pace counts what the messenger really receives.
        """
        rows = await self.rows(messages)
        added = await self._repo.enqueue(rows, self._clock.now())
        self.wake()
        return added

    async def rows(self, messages: list[Outgoing]) -> list[OutgoingMessage]:
        """The outbox rows of ``messages``, presented for their messengers."""
        rows = []
        for outgoing in messages:
            shown = await self._presenter.present(outgoing.channel, outgoing.reply, None)
            for part, message in enumerate(shown.messages, start=1):
                rows.append(OutgoingMessage(
                    dedup_key=outgoing.dedup_key if part == 1 else f"{outgoing.dedup_key}#{part}",
                    channel=outgoing.channel, chat_id=message.chat_id or outgoing.chat_id,
                    kind=outgoing.kind, payload=payload_of(message), due_at=outgoing.due_at,
                    expires_at=outgoing.expires_at, batch_id=outgoing.batch_id,
                    file=message.file.content if message.file else None, part=part))
        return rows

    def wake(self) -> None:
        """Something new is due: look now rather than at the next poll."""
        self._wake.set()

    async def drain(self, rounds: int = 20) -> None:
        """Send everything due now, e.g. before an offline demo exits."""
        for _ in range(rounds):
            if not await self.run_once():
                return

    async def _quiet_after_restart(self) -> None:
        """Let the second in which a previous run last sent pass before sending again.

        Telegram counts 30 messages in any second, whoever sent them; a bot restarted at
        once (a crash, a deploy) would otherwise add its first messages to the previous
        run's last second, and re-send a message caught in flight to a chat that got it a
        moment ago. Either is answered 429, and PTB's limiter then holds every request for
        a second and lets them go at once, which provokes more (benchmark 2 saw 26 and 38).
        Sends in flight at a crash were never recorded, hence a second more.
        """
        latest = await self._repo.last_sent_at()
        if latest is not None:
            quiet = (latest - self._clock.now()).total_seconds() + RESTART_QUIET
            if quiet > 0:
                await asyncio.sleep(min(quiet, RESTART_QUIET))

    async def _run(self) -> None:
        try:
            await self._quiet_after_restart()
        except Exception:
            log.exception("could not read when the outbox last sent")
        while True:
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("the outbox worker failed; trying again shortly")
                handled = 0
            if handled:
                continue
            self._wake.clear()
            await self._wake_when_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)

    async def _wake_when_due(self) -> None:
        """Have the scheduler wake the worker when the next retry falls due on the bot's
        clock (a test clock moved forward, or a backoff ending before the next poll)."""
        try:
            due = await self._repo.next_due()
        except Exception:
            log.exception("could not read when the next outbox message is due")
            return
        if due is not None and self._scheduler.running:
            self._scheduler.at("outbox-due", due, self._wake_job)

    async def _wake_job(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Send every row due now (one chat's rows in order); returns how many were handled."""
        horizon = asyncio.get_running_loop().time() - PER_CHAT_INTERVAL
        self._last_sent = {k: t for k, t in self._last_sent.items() if t > horizon}
        await self._share_with_the_others()
        rows = await self._repo.claim_due(self._clock.now(), CLAIM_SIZE)
        by_chat: dict[tuple[str, str], list[OutboxRow]] = defaultdict(list)
        for row in rows:
            by_chat[(row.channel, row.chat_id)].append(row)
        await asyncio.gather(*(self._send_chat(chat_rows) for chat_rows in by_chat.values()))
        await self._report_batches()
        return len(rows)

    async def _send_chat(self, rows: list[OutboxRow]) -> None:
        """One chat's rows in order; after a retryable failure the rest wait with it, and
        the later parts of a message refused for good go nowhere either."""
        refused: dict[str, OutboxStatus] = {}  # message → how its part was refused
        for index, row in enumerate(rows):
            message = row.dedup_key.split("#", 1)[0]
            if message in refused:
                await self._repo.settle(row.id, refused[message], self._clock.now(),
                                        "an earlier part was refused", attempted=False)
                continue
            retry_at, final = await self._deliver(row)
            if final is not None and final is not OutboxStatus.SENT:
                refused[message] = final
            if retry_at is not None:
                for later in rows[index + 1:]:
                    await self._repo.retry_later(later.id, retry_at, "waiting for an "
                                                     "earlier message to the same chat",
                                                     attempted=False)
                return

    async def _deliver(self, row: OutboxRow) -> tuple[datetime | None, OutboxStatus | None]:
        """Send one row; returns when it will be tried again (if it will) and its final
        state (if it has one now)."""
        repo, now = self._repo, self._clock.now()
        if row.expires_at is not None and now >= row.expires_at:
            log.info("dropping outbox row %s (%s): its moment has passed", row.id, row.dedup_key)
            await repo.settle(row.id, OutboxStatus.EXPIRED, now, attempted=False)
            return None, OutboxStatus.EXPIRED
        port = self._channels.get(row.channel)
        if port is None:  # counted: a channel that never comes (a typo in groups:) gives up
            return await self._failed(row, DeliveryError(f"channel {row.channel} not running",
                                                         retry_after=NO_CHANNEL_RETRY.seconds))
        loop, chat = asyncio.get_running_loop(), (row.channel, row.chat_id)
        wait = self._last_sent.get(chat, -PER_CHAT_INTERVAL) + PER_CHAT_INTERVAL - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if (lane := self.lanes.get(row.channel)) is not None:
            await lane.bulk()
        self._last_sent[chat] = loop.time()
        try:
            if row.payload.get("v") == PAYLOAD_VERSION:
                message = message_of(row.payload, row.file)
                if message.menu and self.own_menus is not None:
                    message = await self.own_menus(row.channel, row.chat_id, message)
                with outbox_turn():
                    await port.send(row.chat_id, message)
            else:  # queued before the upgrade: the whole reply, presented now
                shown = await self._presenter.present(row.channel,
                                                      reply_of(row.payload, row.file), None)
                for message in shown.messages:
                    if message.menu and self.own_menus is not None:
                        message = await self.own_menus(row.channel, row.chat_id, message)
                    with outbox_turn():
                        await port.send(row.chat_id, message)
        except DeliveryError as exc:
            if exc.retry_after is not None:  # the messenger said "too many requests"
                self.metrics.rate_limited.labels(row.channel).inc()
            return await self._failed(row, exc)
        except Exception as exc:
            log.exception("unexpected error sending outbox row %s", row.id)
            return await self._failed(row, DeliveryError(repr(exc)))
        await repo.settle(row.id, OutboxStatus.SENT, self._clock.now())
        self.metrics.sends.labels(row.channel, OutboxStatus.SENT.value).inc()
        return None, OutboxStatus.SENT

    async def _failed(self, row: OutboxRow,
                      error: DeliveryError) -> tuple[datetime | None, OutboxStatus | None]:
        repo, now = self._repo, self._clock.now()
        reason = str(error)[:500]
        attempts = row.attempts + 1
        status, delay = disposition(error, attempts)
        if status is OutboxStatus.BLOCKED:
            log.warning("chat %s blocked the bot; row %s not retried", row.chat_id, row.id)
        self.metrics.sends.labels(row.channel, status.value if delay is None else "retry").inc()
        if delay is None:
            if status is OutboxStatus.FAILED:
                log.error("giving up on outbox row %s after %d attempt(s): %s", row.id,
                          attempts, reason)
            await repo.settle(row.id, status, now, reason)
            # the rest of a message shown in parts goes nowhere either (a blocked person)
            await repo.settle_later_parts(row.channel, row.dedup_key, status, reason)
            return None, status
        await repo.retry_later(row.id, now + delay, reason)
        return now + delay, None

    async def _report_batches(self) -> None:
        repo, now = self._repo, self._clock.now()
        for report in await repo.settled_batches():
            if report.report_chat is not None:
                t = self._texts.translator(report.report_language)
                counts = report.counts
                blocked = counts.get(OutboxStatus.BLOCKED, 0)
                failed = counts.get(OutboxStatus.FAILED, 0) + counts.get(OutboxStatus.EXPIRED, 0)
                problems = ((t("outbox.report_blocked", count=blocked) if blocked else "")
                            + (t("outbox.report_failed", count=failed) if failed else ""))
                text = t("outbox.report", kind=t(f"outbox.kind_{report.kind}"),
                         sent=counts.get(OutboxStatus.SENT, 0),
                         total=sum(counts.values()), problems=problems)
                await repo.enqueue(await self.rows([Outgoing(
                    dedup_key=f"batch-report:{report.batch_id}", channel=report.channel,
                    chat_id=report.report_chat, kind="report",
                    reply=Reply(text, language=report.report_language), due_at=now)]), now)
            await repo.mark_batch_reported(report.batch_id, now)
