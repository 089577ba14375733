"""Which of the bot's processes runs the scheduler: the one holding a lease in the database.

With PostgreSQL two processes (two machines) may serve one database; both handle updates and
send what they are given, but reminders, digests, the vote's closing and the parking of idle
conversations must happen once. Every process says it is alive every :data:`HEARTBEAT` and
tries for the lease, which its holder renews; a lease lasts :data:`LEASE`. When the leader's
process dies the server lets its lock go at once and the next beat of another process takes
over (within :data:`HEARTBEAT`); when its machine dies or is cut off, the lease runs out
(a session's lock alone would be held until TCP gave up, hours later) and another takes over
within :data:`LEASE` + :data:`HEARTBEAT` (25 s). A leader that cannot renew steps down
:data:`STEP_DOWN_BEFORE` its lease runs out, so two never lead at once (the processes' clocks
agree, by NTP, to within that). Each beat of the leader also puts back in
the queue what a dead process was sending, and handles the updates it had received. On
SQLite one process holds the file: it leads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.services import background
from bot.services.metrics import Metrics
from storage.repository import InstanceStore

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=5)
LEASE = timedelta(seconds=20)
STEP_DOWN_BEFORE = timedelta(seconds=5)  # a leader that cannot renew stops this long before
SCHEDULER = "scheduler"  # the lease's name


class Leadership:
    """This process's part in leading: it beats, and leads or follows as the lease says."""

    def __init__(self, store: InstanceStore, clock: Clock, metrics: Metrics, *,
                 lead: Callable[[], Awaitable[None]], follow: Callable[[], Awaitable[None]],
                 recover: Callable[[], Awaitable[int]]) -> None:
        self._store = store
        self._clock = clock
        self._metrics = metrics
        self._lead, self._follow = lead, follow
        self._recoveries: list[Callable[[], Awaitable[int]]] = [recover]
        self.leading = False
        self._held_until: datetime | None = None
        self._stopping = False
        self._leading_task: asyncio.Task[None] | None = None

    @property
    def shared(self) -> bool:
        """Whether other processes may use the database (and so beats are needed)."""
        return not self._store.exclusive

    async def beat(self) -> None:
        """Say this process is alive, take or renew the lease, lead or follow as it says.
        The only process a database admits (SQLite) leads from its first beat on."""
        if self._stopping:
            return
        if not self.shared:
            if not self.leading:
                await self._take_over()
            return
        now = self._clock.now()
        try:
            await self._store.heartbeat(now)
            held = await self._store.take_lease(SCHEDULER, now, LEASE)
        except Exception:  # the database is away: lead on while the lease surely lasts
            log.exception("could not renew the scheduler's lease")
            if self.leading and (self._held_until is None
                                 or now >= self._held_until - STEP_DOWN_BEFORE):
                await self._step_down()
            return
        if self._stopped():  # (a stop came while the database answered)
            return
        if held:
            self._held_until = now + LEASE
            if not self.leading:
                # its own task: what leading starts (planning every reminder) does not hold
                # up the next beats, which keep the lease
                self._leading_task = asyncio.create_task(self._take_over(), name="lead")
            for recover in self._recoveries:
                await recover()
        elif self.leading:
            await self._step_down()

    def also_recover(self, recover: Callable[[], Awaitable[int]]) -> None:
        """At each beat, the leader also finishes what dead processes left with ``recover``
        (the updates they had received and not handled)."""
        self._recoveries.append(recover)

    def _stopped(self) -> bool:
        return self._stopping

    async def settled(self) -> None:
        """Wait until what taking the lead started (if it did) is done."""
        if self._leading_task is not None:
            await asyncio.shield(self._leading_task)

    async def _take_over(self) -> None:
        self.leading = True
        self._metrics.leader.set(1)
        log.info("this process runs the scheduler (%s)", self._store.instance)
        await self._lead()

    async def _step_down(self) -> None:
        await background.cancel(self._leading_task)
        self.leading = False
        self._metrics.leader.set(0)
        log.warning("this process stops running the scheduler (another runs it, or the "
                    "lease could not be renewed)")
        await self._follow()

    async def leave(self) -> None:
        """A clean stop: the lease and what this process was sending are let go."""
        self._stopping = True
        await background.cancel(self._leading_task)
        if self.leading:
            self.leading = False
            self._metrics.leader.set(0)
            await self._follow()
        try:
            await self._store.leave()
        except Exception:  # stopping anyway: the lease runs out, the rows are put back
            log.exception("could not let go of the lease at the stop")
