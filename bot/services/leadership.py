"""Which of the bot's processes runs the scheduler: the one holding a lease in the database.

With PostgreSQL two processes (two machines) may serve one database; both handle updates and
send what they are given, but reminders, digests, the vote's closing and the parking of idle
conversations must happen once. Every process says it is alive every :data:`HEARTBEAT` and
tries for the lease, which its holder renews; a lease lasts :data:`LEASE`. When the leader's
process dies the server lets its lock go at once and the next beat of another process takes
over (within :data:`HEARTBEAT`); when its machine dies or is cut off, the lease runs out
(a session's lock alone would be held until TCP gave up, hours later) and another takes over
within :data:`LEASE` + :data:`HEARTBEAT` (25 s). A leader that cannot renew steps down once
its lease has run out, so two never lead at once. Each beat of the leader also puts back in
the queue what a dead process was sending. On SQLite one process holds the file: it leads.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.services.metrics import Metrics
from storage.repository import InstanceStore

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=5)
LEASE = timedelta(seconds=20)
SCHEDULER = "scheduler"  # the lease's name


class Leadership:
    """This process's part in leading: it beats, and leads or follows as the lease says."""

    def __init__(self, store: InstanceStore, clock: Clock, metrics: Metrics, *,
                 lead: Callable[[], Awaitable[None]], follow: Callable[[], Awaitable[None]],
                 recover: Callable[[], Awaitable[int]]) -> None:
        self._store = store
        self._clock = clock
        self._metrics = metrics
        self._lead, self._follow, self._recover = lead, follow, recover
        self.leading = False
        self._held_until: datetime | None = None

    async def beat(self) -> None:
        """Say this process is alive, take or renew the lease, lead or follow as it says."""
        now = self._clock.now()
        try:
            await self._store.heartbeat(now)
            held = await self._store.take_lease(SCHEDULER, now, LEASE)
        except Exception:  # the database is away: lead on while the lease lasts, no longer
            log.exception("could not renew the scheduler's lease")
            if self.leading and (self._held_until is None or now >= self._held_until):
                await self._step_down()
            return
        if held:
            self._held_until = now + LEASE
            if not self.leading:
                self.leading = True
                self._metrics.leader.set(1)
                log.info("this process runs the scheduler (%s)", self._store.instance)
                await self._lead()
            await self._recover()
        elif self.leading:
            await self._step_down()

    async def _step_down(self) -> None:
        self.leading = False
        self._metrics.leader.set(0)
        log.warning("another process runs the scheduler now; this one stops running it")
        await self._follow()

    async def leave(self) -> None:
        """A clean stop: the lease and what this process was sending are let go."""
        if self.leading:
            self.leading = False
            self._metrics.leader.set(0)
            await self._follow()
        try:
            await self._store.leave()
        except Exception:  # stopping anyway: the lease runs out, the rows are put back
            log.exception("could not let go of the lease at the stop")
