"""The benchmarks still run: each at a tiny size, in seconds; results produced, none timed."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bench import conversation, engines, fanout, ministry, startup, views, year
from bench.data import SCALES, dataset
from bench.report import Table, write_results


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> object:
    return dataset("tiny", cache=tmp_path_factory.mktemp("bench-data"))


def test_the_generator_is_seeded_and_writes_what_the_scale_says(tiny: object,
                                                                 tmp_path: Path) -> None:
    scale = SCALES["tiny"]
    db = sqlite3.connect(tiny.database)  # type: ignore[attr-defined]
    try:
        counts = {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for table in ("blocs", "units", "members", "progress_updates")}
    finally:
        db.close()
    assert counts == {"blocs": scale.blocs, "units": scale.blocs * scale.units,
                      "members": scale.people, "progress_updates": scale.updates}
    again = dataset("tiny", cache=tmp_path)
    assert again.bloc_file.read_text() == tiny.bloc_file.read_text()  # type: ignore[attr-defined]


def test_views_benchmark_produces_times_and_query_plans(tiny: object) -> None:
    result = asyncio.run(views.measure(tiny, rounds=1, file_rounds=1))  # type: ignore[arg-type]
    assert all(result.samples[view] for view in views.VIEWS)
    assert result.plans and not result.scans_updates
    assert "overview" in views.views_table(result).markdown()
    assert "tiny" in views.growth_table([result, result]).markdown()


def test_conversation_benchmark_runs_the_bot_and_the_echo_bot(tiny: object) -> None:
    bot = asyncio.run(conversation.measure_bot(tiny, 2))  # type: ignore[arg-type]
    echo = asyncio.run(conversation.measure_echo(2))
    assert bot.failures == 0 and bot.updates == 14 and bot.throughput > 0
    assert echo.failures == 0 and echo.updates == 14
    assert "thidua-bot" in conversation.table([(echo, bot)]).markdown()


def test_fanout_benchmark_counts_every_reminder_once(tiny: object) -> None:
    result = asyncio.run(fanout.measure(tiny, 10, kill=False))  # type: ignore[arg-type]
    assert (result.lost, result.duplicates) == (0, 0)
    killed = asyncio.run(fanout.measure(tiny, 12, kill=True))  # type: ignore[arg-type]
    assert killed.lost == 0 and killed.killed_after is not None
    assert "fan-out" in fanout.table([result, killed]).markdown()


def test_startup_benchmark_and_the_results_file(tiny: object, tmp_path: Path) -> None:
    result = startup.Startup()
    asyncio.run(startup.measure_once(tiny, result, settle=0.1))  # type: ignore[arg-type]
    assert result.ready and result.idle_rss_mb[0] > 0
    table = startup.table(result)
    text = write_results(tmp_path / "results.md", [table, Table("x", ["a"])], command="smoke")
    assert "CPU(s)" in text and "Python" in text and "Start and footprint" in text


def test_the_year_benchmark_times_the_ranking_the_workbook_and_the_report(
        tiny: object) -> None:
    result = asyncio.run(year.measure(tiny, rounds=1, file_rounds=1))  # type: ignore[arg-type]
    assert all(result.samples[view] for view in year.VIEWS)
    assert result.scores == 2 * 4 * 41  # blocs × units × (40 criteria + a bonus line)
    assert "ranking" in year.table([result]).markdown()


def test_ministry_benchmark_serves_every_bloc_and_times_the_replies_beside_a_fan_out(
        tiny: object) -> None:
    result = asyncio.run(ministry.measure(tiny, rounds=1, count=6,  # type: ignore[arg-type]
                                          talkers=1, idle_seconds=1))
    assert all(result.views[setup]["overview"] for setup in result.views)
    assert set(result.views) == {"one bloc", "2 blocs"} and result.liaison
    assert result.idle and result.reminders == 6 and result.lost == 0
    assert "ministry liaison" in ministry.table(result).markdown()


async def test_the_engines_and_the_two_processes_benchmarks_run_on_postgresql(
        postgres: object) -> None:
    both = await asyncio.to_thread(engines.run_engines, smoke=True)
    assert set(both.views) == {"SQLite", "PostgreSQL"}
    assert all(run.updates and not run.failures for run in both.conversation.values())
    assert all(fan.lost == 0 and fan.duplicates == 0 for fan in both.fan_out.values())
    assert "PostgreSQL ÷ SQLite" in engines.engines_table(both).markdown()
    two = await asyncio.to_thread(engines.run_instances, smoke=True)
    assert all(run.updates and not run.failures for run in two.conversation.values())
    assert all(fan.lost == 0 and fan.duplicates == 0 for fan in two.fan_out.values())
    assert "two processes" in engines.instances_table(two).markdown()
