"""An event's replies as outbox rows: written with the event, sent at once, then noted.

The core stores an event's replies in the event's own transaction (claimed, status
``sending``), has the channel send them right after the commit, and notes here how
each went: a sent one leaves the outbox; one the messenger did not take, and every
reply after it (to keep their order), is the outbox worker's from then on. A crash
between the commit and the note leaves the rows "being sent": the next start puts
them back in the queue, so only the replies in flight at a crash may arrive twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from bot.domain.clock import Clock
from bot.domain.events import Inbound, Message, Sent
from bot.services.outbox import disposition
from bot.services.outbox_payload import payload_of
from bot.services.scheduler import Scheduler
from storage.failures import is_storage_failure
from storage.records import OutboxStatus, OutgoingMessage, ReplyOutcome
from storage.repository import OutboxStore

log = logging.getLogger(__name__)

NOTE_RETRY = timedelta(minutes=1)  # noting sent replies again when the database refused


class ReplyLedger:
    """Stores an event's replies and notes how their sending went."""

    def __init__(self, repo: OutboxStore, clock: Clock, scheduler: Scheduler,
                 wake_outbox: Callable[[], None]) -> None:
        self._repo = repo
        self._clock = clock
        self._scheduler = scheduler
        self._wake_outbox = wake_outbox

    async def record(self, event: Inbound, messages: list[Message]) -> list[int]:
        """The replies' messages as outbox rows (inside the event's unit of work), one row
        per message the messenger shows; their row ids."""
        if not messages:
            return []
        # a fresh key: the event itself is handled once; a messenger's update id may come
        # round again (Telegram's are random after a week of silence)
        now, key = self._clock.now(), uuid.uuid4().hex
        return await self._repo.record_replies([OutgoingMessage(
            dedup_key=f"reply:{key}:{index}", channel=event.channel,
            chat_id=message.chat_id or event.chat_id, kind="reply",
            payload=payload_of(message), due_at=now,
            file=message.file.content if message.file else None)
            for index, message in enumerate(messages)], now)

    async def settle(self, rows: list[int], sent: Sent) -> None:
        """Note how the sending of ``rows`` went (``sent``, from the channel)."""
        if not rows:
            return
        now = self._clock.now()
        tried = list(sent) if sent is not None else [None] * len(rows)
        outcomes = []
        for index, row in enumerate(rows):
            error = tried[index] if index < len(tried) else None
            if index >= len(tried):
                outcomes.append(ReplyOutcome(row, OutboxStatus.PENDING,
                                             "waiting for an earlier reply", now))
            elif error is None:
                outcomes.append(ReplyOutcome(row, OutboxStatus.SENT))
            else:
                status, wait = disposition(error, attempts=1)
                outcomes.append(ReplyOutcome(row, status, str(error)[:500],
                                             now + wait if wait is not None else None))
        await self._note(outcomes)

    async def _note(self, outcomes: list[ReplyOutcome]) -> None:
        """Store the outcomes; while the database cannot, try again every minute (until
        then the rows say "being sent", and a restart would send them once more)."""
        try:
            await self._repo.settle_replies(outcomes, self._clock.now())
        except Exception as exc:
            if not is_storage_failure(exc):
                raise
            log.error("could not note %d repl(ies) as sent (%s); trying again in a minute",
                      len(outcomes), type(exc).__name__)
            self._scheduler.at(f"note-replies:{outcomes[0].row_id}",
                               self._clock.now() + NOTE_RETRY, self._note, outcomes)
            return
        if any(outcome.status is OutboxStatus.PENDING for outcome in outcomes):
            self._wake_outbox()
