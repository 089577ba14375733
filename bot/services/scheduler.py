"""Jobs at moments of the bot's :class:`~bot.domain.clock.Clock`, run by APScheduler.

APScheduler 3 reads ``datetime.now()`` inside ``_process_jobs`` and has no clock
hook, while everything else in the bot reads the injected clock. Left alone, the
two disagreed: under a test clock set in the future (or a demo played at a past
date), a reminder planned for the clock's tomorrow was the wall's yesterday, fired
at once, found nothing due and was marked done — the suite broke the day the real
date passed the tests' dates. Here every job is a moment of the clock: it is
handed to APScheduler at the wall time that is as far ahead as the moment is from
``Clock.now()``, and when it runs it checks the clock again, so a job never runs
before its moment, whatever the wall or the clock did meanwhile. A clock that can
be moved by hand (:class:`~bot.domain.clock.FixedClock`) tells the scheduler, which then
re-arms every job: a test that advances the clock fires what fell due.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.domain.clock import Clock, wall_now

log = logging.getLogger(__name__)

JobFn = Callable[..., Awaitable[Any]]


@dataclass
class _Job:
    job_id: str
    moment: datetime  # in the clock's time
    func: JobFn
    args: tuple[Any, ...]
    every: timedelta | None  # a repeating job runs again this long after it ran


class Scheduler:
    """One-shot and repeating jobs on the clock's time (APScheduler underneath).

    A repeating job does not overlap itself and does not catch up: after a downtime
    or a jump of the clock it runs once, then ``every`` later.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._jobs: dict[str, _Job] = {}
        self._running: set[str] = set()
        self._aps = AsyncIOScheduler(timezone="UTC")
        self._subscribed = False
        self._follow_clock()

    def _follow_clock(self) -> None:
        subscribe = getattr(self._clock, "subscribe", None)
        if callable(subscribe) and not self._subscribed:
            subscribe(self._rebase)
            self._subscribed = True

    @property
    def running(self) -> bool:
        return bool(self._aps.running)

    def start(self) -> None:
        """Start running jobs (inside the running event loop)."""
        self._follow_clock()  # (again, after a stop)
        if not self._aps.running:
            self._aps.start()
            for job in list(self._jobs.values()):  # what was planned before the start
                self._arm(job)

    def stop(self) -> None:
        """Stop running jobs; what was planned is planned again at the next start."""
        if self._aps.running:
            self._aps.shutdown(wait=False)
        self._aps.remove_all_jobs()
        self._jobs.clear()
        unsubscribe = getattr(self._clock, "unsubscribe", None)
        if callable(unsubscribe) and self._subscribed:
            unsubscribe(self._rebase)
            self._subscribed = False

    def at(self, job_id: str, moment: datetime, func: JobFn, *args: Any) -> None:
        """Run ``func(*args)`` once at ``moment`` (replacing a job of the same id)."""
        self._put(_Job(job_id, moment, func, args, None))

    def every(self, job_id: str, interval: timedelta, func: JobFn, *args: Any,
              first: datetime | None = None) -> None:
        """Run ``func(*args)`` every ``interval`` of the clock, first at ``first`` (default:
        one interval from now)."""
        if interval <= timedelta(0):
            raise ValueError("a repeating job needs a positive interval")
        self._put(_Job(job_id, first or self._clock.now() + interval, func, args, interval))

    def cancel(self, job_id: str) -> None:
        """Forget a job; nothing if there is none."""
        if self._jobs.pop(job_id, None) is not None and self._aps.get_job(job_id) is not None:
            self._aps.remove_job(job_id)

    def planned(self) -> dict[str, datetime]:
        """Each job's next moment, by id."""
        return {job.job_id: job.moment for job in self._jobs.values()}

    # -- inside -----------------------------------------------------------------------------

    def _put(self, job: _Job) -> None:
        self._jobs[job.job_id] = job
        self._arm(job)

    def _arm(self, job: _Job) -> None:
        if not self._aps.running:
            return  # kept in _jobs, armed at the start (a stopped scheduler keeps no timers)
        wall = wall_now() + (job.moment - self._clock.now())
        # In a fresh context: APScheduler's wake-up is scheduled with call_soon_threadsafe,
        # which copies the caller's context into every job it starts from then on; armed
        # from inside an event, jobs would inherit that event's open database transaction.
        contextvars.Context().run(
            self._aps.add_job, self._run, "date", run_date=wall, args=[job.job_id],
            id=job.job_id, replace_existing=True, misfire_grace_time=None)

    def _rebase(self) -> None:
        """The clock was moved: what is due now runs now, the rest at its new distance."""
        for job in list(self._jobs.values()):
            if job.job_id not in self._running:
                self._arm(job)

    async def _run(self, job_id: str) -> None:
        job = self._jobs.get(job_id)
        if job is None or job_id in self._running:
            return
        now = self._clock.now()
        if now < job.moment:  # the wall ran ahead of the clock (or the clock went back)
            self._arm(job)
            return
        if job.every is None:
            del self._jobs[job_id]
        self._running.add(job_id)
        try:
            await job.func(*job.args)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduled job %s failed", job_id)
        finally:
            self._running.discard(job_id)
        if job.every is not None and self._jobs.get(job_id) is job:
            now, after = self._clock.now(), job.moment + job.every
            job.moment = after if after > now else now + job.every
            self._arm(job)
