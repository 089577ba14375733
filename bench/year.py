"""Benchmark 7: the emulation year at ministry scale: the ranking view, the scores workbook
and the year-end report of one bloc, while every bloc of the ministry holds a year of scores.

The data set of benchmark 3 (50 blocs of 15 units, 300,000 progress updates) gains, in every
bloc, a criteria table of 40 criteria (5 groups of 8) with bonus and penalty lines, a
scoring window, a vote section and proposals; every unit's sheet is scored on every line,
submitted, cross-checked on two lines and settled (50 × 15 × 41 lines = 30,750 self-scores).
The served bloc also has a closed vote and included nominations. Bot-side time, as in
benchmark 3: each sample is one ``Dispatcher.handle`` call of the chair. Run at 1/10, 1/3
and the whole ministry, the per-bloc views must stay flat as the data grows.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import yaml

from bench.data import ZONE, Dataset, add_person, bloc_document, dataset
from bench.report import Table, ms, percentile, verdict
from bench.views import CHAIR_ID, ChairSession
from bot.app.runtime import open_runtime
from bot.domain.clock import FixedClock
from config.bloc import BlocConfig
from config.settings import Settings
from storage.sqlite import SqliteRepository

GROUPS, PER_GROUP = 5, 8  # 40 criteria
GOALS = {"ranking": 0.020, "scores XLSX": 1.0, "year report": 3.0}
VIEWS = ("ranking", "scores XLSX", "year report")


def criteria_section(rng: random.Random) -> dict[str, Any]:
    """A table of 40 criteria worth 100 points, with bonus and penalty lines."""
    groups = []
    for g in range(GROUPS):
        items = [{"code": f"{g + 1}.{i + 1}", "title": f"Tiêu chí {g + 1}.{i + 1}: "
                  f"{rng.choice(('Hoàn thành kế hoạch', 'Cải cách hành chính', 'Phong trào'))}",
                  "max": 2.5} for i in range(PER_GROUP)]
        groups.append({"code": str(g + 1), "title": f"Nhóm tiêu chí {g + 1}", "max": 20,
                       "items": items})
    return {
        "total": 100, "justification": "below_max", "groups": groups,
        "bonus": {"cap": 5, "items": [{"code": "T1", "title": "Sáng kiến", "max": 5}]},
        "penalty": {"cap": 10, "items": [{"code": "Tr1", "title": "Chậm báo cáo", "max": 10}]},
    }


def year_document(base: dict[str, Any], anchor: date, rng: random.Random) -> dict[str, Any]:
    """A bloc of benchmark 3 with its emulation year."""
    day = f"{anchor.day}/{anchor.month}/{anchor.year}"
    before = anchor - timedelta(days=30)
    return {
        **base,
        "criteria": criteria_section(rng),
        "scoring": {"opens": f"{before.day}/{before.month}/{before.year}", "deadline": day,
                    "tie_break": ["group:2", "fewer_penalty"]},
        "vote": {"closes": day, "candidates": 3},
        "awards": {"recipient": "Hội đồng Thi đua - Khen thưởng Bộ", "deadline": day,
                   "grounds": ["Căn cứ Luật Thi đua, khen thưởng;"],
                   "forms": [{"code": "CO", "name": "Cờ thi đua của Bộ", "leading_unit": True},
                             {"code": "BK", "name": "Bằng khen của Bộ trưởng", "quota": 5}]},
    }


@dataclass
class YearTimes:
    """Samples (seconds) per view at one scale."""

    scale: str
    scores: int
    samples: dict[str, list[float]] = field(default_factory=dict)

    def p(self, view: str, q: float) -> float:
        return percentile(self.samples.get(view, []), q)


async def _add_years(data: Dataset, seed: int) -> int:
    """Give every bloc of the copy its year, and every unit a scored, submitted sheet."""
    rng = random.Random(seed)
    base_rng = random.Random(data.seed)  # replays the generator: the same bloc documents
    documents = [bloc_document(data.scale, number, data.anchor, base_rng)
                 for number in range(data.scale.blocs)]
    now = datetime.combine(data.anchor, clock_time(8), tzinfo=ZONE)
    repo = await SqliteRepository.open(data.database)
    try:
        served = None
        for number, document in enumerate(documents):
            full = year_document(document, data.anchor, rng)
            if number == 0:
                served = full
                continue
            await repo.sync_bloc(BlocConfig.model_validate(full), now)
        assert served is not None
        await repo.sync_bloc(BlocConfig.model_validate(served), now + timedelta(seconds=1))
        data.bloc_file.write_text(yaml.safe_dump(served, allow_unicode=True, sort_keys=False),
                                  encoding="utf-8")
    finally:
        await repo.close()
    return await asyncio.to_thread(_bulk_scores, data.database, rng, now)


def _bulk_scores(database: Path, rng: random.Random, now: datetime) -> int:
    at = now.astimezone(UTC).isoformat(timespec="microseconds")
    codes = [f"{g + 1}.{i + 1}" for g in range(GROUPS) for i in range(PER_GROUP)]
    db = sqlite3.connect(database)
    try:
        db.execute("BEGIN")
        years = db.execute("SELECT y.id, y.bloc_id FROM emulation_years y").fetchall()
        scores, submissions, reviews, settled = [], [], [], []
        for year_id, bloc_id in years:
            units = [row[0] for row in db.execute(
                "SELECT id FROM units WHERE bloc_id = ? ORDER BY position", (bloc_id,))]
            for index, unit in enumerate(units):
                for code in codes:
                    points = rng.choice(("2.5", "2.5", "2", "1.5"))
                    scores.append((year_id, unit, code, points,
                                   None if points == "2.5" else "Còn hạn chế", at))
                scores.append((year_id, unit, "T1", str(rng.randint(0, 5)), "Sáng kiến", at))
                submissions.append((year_id, unit, at))
                reviewer = units[(index + 1) % len(units)]
                for code in codes[:2]:
                    reviews.append((year_id, unit, code, reviewer, "1", "Thiếu minh chứng", at))
                    settled.append((year_id, unit, code, "1", "Theo thẩm định", at))
        db.executemany("INSERT INTO self_scores (year_id, unit_id, code, points, justification, "
                       "scored_at) VALUES (?, ?, ?, ?, ?, ?)", scores)
        db.executemany("INSERT INTO score_submissions (year_id, unit_id, submitted_at) "
                       "VALUES (?, ?, ?)", submissions)
        db.executemany("INSERT INTO score_reviews (year_id, unit_id, code, reviewer_unit_id, "
                       "points, reason, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?)", reviews)
        db.executemany("INSERT INTO settled_scores (year_id, unit_id, code, points, reason, "
                       "settled_at) VALUES (?, ?, ?, ?, ?, ?)", settled)
        db.execute("UPDATE emulation_years SET settled_at = ?", (at,))
        db.execute("COMMIT")
        db.execute("ANALYZE")
        return len(scores)
    finally:
        db.close()


async def _timed(samples: list[float], call: Any) -> Any:
    started = time.perf_counter()
    response = await call()
    samples.append(time.perf_counter() - started)
    return response


async def measure(data: Dataset, *, rounds: int = 30, file_rounds: int = 5,
                  seed: int = 15) -> YearTimes:
    """Time the chair's ranking, scores workbook and year report on a copy of ``data``."""
    with tempfile.TemporaryDirectory(prefix="thidua-bench-year-") as folder:
        copy = data.copy_to(Path(folder))
        scores = await _add_years(copy, seed)
        add_person(copy.database, CHAIR_ID, "chair")
        settings = Settings(database=copy.database, bloc_file=copy.bloc_file)
        clock = FixedClock(datetime.combine(data.anchor, clock_time(10), tzinfo=ZONE))
        runtime = await open_runtime(settings, clock=clock)
        result = YearTimes(data.scale.name, scores, {view: [] for view in VIEWS})
        try:
            session = ChairSession(runtime)
            for command in ("/xephang", "/xuat diem", "/tongket"):  # first imports
                await session.say(command)
            for _ in range(rounds):
                await _timed(result.samples["ranking"], lambda: session.say("/xephang"))
            for _ in range(max(1, file_rounds)):
                await _timed(result.samples["scores XLSX"], lambda: session.say("/xuat diem"))
                await _timed(result.samples["year report"], lambda: session.say("/tongket"))
            shown = await session.say("/xephang")
            assert "chính thức" in (shown.replies[0].text if shown.replies else ""), shown
        finally:
            await runtime.close()
    return result


def table(results: list[YearTimes]) -> Table:
    """Benchmark 7's table: each view's p95 at the largest scale, and its growth."""
    largest, base = results[-1], results[0]
    table = Table(f"7. The emulation year at {largest.scale} scale ({largest.scores:,} "
                  "self-scores), bot-side time",
                  ["view", "p50 ms", "p95 ms", "max ms", "n", "goal", "verdict",
                   f"p50 ÷ {base.scale}"])
    for view in VIEWS:
        p95 = largest.p(view, 95)
        growth = largest.p(view, 50) / base.p(view, 50) if base.p(view, 50) else 0.0
        table.add(view, ms(largest.p(view, 50)), ms(p95), ms(max(largest.samples[view])),
                  len(largest.samples[view]), f"p95 ≤ {ms(GOALS[view])} ms",
                  verdict(p95 <= GOALS[view]), f"{growth:.2f}×")
    if len(results) > 1:
        table.notes.append(
            f"Self-scores grow {largest.scores / base.scores:.0f}× from {base.scale} to "
            f"{largest.scale}; a per-bloc view near 1× reads its own bloc's rows only.")
    table.notes.append("Every bloc: 40 criteria in 5 groups, a bonus and a penalty line, "
                       "every unit scored on every line, submitted, two lines cross-checked "
                       "and settled; the served bloc's ranking is final.")
    return table


def run(scales: tuple[str, ...] = ("tenth", "third", "ministry"), *, rounds: int = 30,
        file_rounds: int = 5, seed: int = 8) -> list[YearTimes]:
    """Benchmark 7 at each scale, the smallest first."""
    return [asyncio.run(measure(dataset(name, seed), rounds=rounds, file_rounds=file_rounds))
            for name in scales]
