"""The scheduler runs jobs at the bot's clock's moments, whatever the machine's date says.

These tests put the clock years away from the wall on purpose (2019 and 2031): a
job that waited on the wall would fire at once or never.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.clock import FixedClock
from bot.services.scheduler import Scheduler


async def settle(condition: Callable[[], bool] = lambda: False, seconds: float = 0.3) -> None:
    """Let the event loop run the scheduler until ``condition`` holds (or ``seconds`` pass)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while not condition() and loop.time() < end:
        await asyncio.sleep(0.01)


@pytest.fixture(params=[datetime(2019, 3, 1, 2, 0, tzinfo=UTC),
                        datetime(2031, 3, 1, 2, 0, tzinfo=UTC)], ids=["past", "future"])
def far_clock(request: pytest.FixtureRequest) -> FixedClock:
    start: datetime = request.param
    return FixedClock(start)


class Recorder:
    """A job that notes the clock's time at each run (and fails if told to)."""

    def __init__(self, clock: FixedClock, fail: bool = False) -> None:
        self.clock, self.fail, self.runs = clock, fail, list[tuple[datetime, str]]()

    async def __call__(self, name: str = "") -> None:
        self.runs.append((self.clock.now(), name))
        if self.fail:
            raise RuntimeError("boom")


@pytest.fixture
async def scheduler(far_clock: FixedClock) -> AsyncIterator[Scheduler]:
    started = Scheduler(far_clock)
    started.start()
    try:
        yield started
    finally:
        started.stop()


async def test_a_job_waits_for_the_clock_not_the_wall(
    far_clock: FixedClock, scheduler: Scheduler,
) -> None:
    job = Recorder(far_clock)
    moment = far_clock.now() + timedelta(days=1)
    scheduler.at("tomorrow", moment, job)
    await settle()
    assert job.runs == []  # not yet: the clock has not reached tomorrow
    far_clock.advance(timedelta(hours=23))
    await settle()
    assert job.runs == []
    far_clock.advance(timedelta(hours=1))
    await settle(lambda: bool(job.runs))
    assert job.runs == [(moment, "")]
    assert "tomorrow" not in scheduler.planned()


async def test_a_job_for_a_past_moment_runs_at_once(
    far_clock: FixedClock, scheduler: Scheduler,
) -> None:
    job = Recorder(far_clock)
    scheduler.at("late", far_clock.now() - timedelta(minutes=5), job, "late")
    await settle(lambda: bool(job.runs))
    assert [name for _, name in job.runs] == ["late"]


async def test_a_repeating_job_runs_once_per_interval_and_never_catches_up(
    far_clock: FixedClock, scheduler: Scheduler,
) -> None:
    job = Recorder(far_clock)
    scheduler.every("tick", timedelta(minutes=30), job)
    await settle()
    assert job.runs == []
    far_clock.advance(timedelta(minutes=30))
    await settle(lambda: len(job.runs) == 1)
    assert len(job.runs) == 1
    far_clock.advance(timedelta(days=3))  # a jump (or a downtime): one run, not 144
    await settle(lambda: len(job.runs) == 2)
    await settle()
    assert len(job.runs) == 2
    assert scheduler.planned()["tick"] == far_clock.now() + timedelta(minutes=30)


async def test_a_cancelled_or_replaced_job_does_not_run(
    far_clock: FixedClock, scheduler: Scheduler,
) -> None:
    job = Recorder(far_clock)
    soon = far_clock.now() + timedelta(hours=1)
    scheduler.at("a", soon, job, "a")
    scheduler.at("b", soon, job, "first b")
    scheduler.at("b", soon + timedelta(hours=1), job, "second b")  # replaces the first
    scheduler.cancel("a")
    far_clock.advance(timedelta(hours=1))
    await settle()
    assert job.runs == []
    far_clock.advance(timedelta(hours=1))
    await settle(lambda: bool(job.runs))
    assert [name for _, name in job.runs] == ["second b"]


async def test_a_failing_job_is_logged_and_the_next_still_runs(
    far_clock: FixedClock, scheduler: Scheduler, caplog: pytest.LogCaptureFixture,
) -> None:
    job = Recorder(far_clock, fail=True)
    scheduler.every("flaky", timedelta(minutes=10), job)
    far_clock.advance(timedelta(minutes=10))
    await settle(lambda: len(job.runs) == 1)
    far_clock.advance(timedelta(minutes=10))
    await settle(lambda: len(job.runs) == 2)
    assert len(job.runs) == 2
    assert "scheduled job flaky failed" in caplog.text
