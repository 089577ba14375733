"""A seeded generator of ministry-scale data: many blocs, their people, and years of reports.

``ministry`` scale is the issue's data set: 50 blocs of 15 units, 3 contacts per unit
(2,250 people), 2 periods of 20 tasks, 10 versions of each unit × task update
(300,000 updates) and 4 conferences per bloc. Blocs go in through the repository's own
``sync_bloc`` (so the rows are exactly what the bot writes); people and updates go in
with ``executemany`` in one transaction, which takes seconds, not minutes.

The bot under test serves bloc 0; its bloc file is written next to the database.
Dates are laid around an *anchor* day (today unless given): the current period contains
it and its report deadline is ten days later, so reminders are due to be planned.
Generated databases are cached under ``bench/.data/`` keyed by scale, seed and anchor.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from config.bloc import BlocConfig
from config.database import ServerDatabase
from storage.migrations import LATEST_VERSION
from storage.sqlite import SqliteRepository

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CACHE = Path(__file__).resolve().parent / ".data"
STATUSES = ("not_started", "in_progress", "in_progress", "in_progress", "blocked", "done")
CONTACT_ID_BASE = 1_000_000  # Telegram ids of generated people: base + member number
SERVED_BLOC = 0


@dataclass(frozen=True)
class Scale:
    """How much to generate."""

    name: str
    blocs: int
    units: int = 15
    contacts: int = 3  # per unit
    periods: int = 2
    tasks: int = 20  # per period
    versions: int = 10  # per unit × task
    conferences: int = 4  # per bloc

    @property
    def updates(self) -> int:
        return self.blocs * self.units * self.periods * self.tasks * self.versions

    @property
    def people(self) -> int:
        return self.blocs * self.units * self.contacts


SCALES = {
    "ministry": Scale("ministry", blocs=50),
    "third": Scale("third", blocs=17),  # ≈ 1/3 of the ministry
    "tenth": Scale("tenth", blocs=5),
    "tiny": Scale("tiny", blocs=2, units=4, contacts=2, tasks=5, versions=3, conferences=2),
}


@dataclass(frozen=True)
class Dataset:
    """A generated database and the bloc file of the bloc the bot serves."""

    scale: Scale
    seed: int
    anchor: date
    database: Path
    bloc_file: Path
    bloc_code: str
    server: ServerDatabase | None = None  # the same data moved to PostgreSQL (bench/engines)

    def copy_to(self, folder: Path) -> Dataset:
        """A private copy (benchmarks that write must not spoil the cache)."""
        folder.mkdir(parents=True, exist_ok=True)
        database = folder / "thidua.db"
        source = sqlite3.connect(self.database)
        target = sqlite3.connect(database)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        bloc_file = folder / "bloc.yaml"
        shutil.copyfile(self.bloc_file, bloc_file)
        return Dataset(self.scale, self.seed, self.anchor, database, bloc_file, self.bloc_code)


def _dmy(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def bloc_document(scale: Scale, number: int, anchor: date, rng: random.Random) -> dict[str, Any]:
    """One bloc as its bloc file would say it (plain YAML-able data)."""
    units = [{"code": f"U{u:02d}", "name": f"Viện Nghiên cứu số {u + 1} của Khối {number + 1}",
              "short_name": f"Viện {number + 1}.{u + 1}", "aliases": [f"Viện số {u + 1}"]}
             for u in range(scale.units)]
    periods = []
    for p in range(scale.periods):
        # the last period contains the anchor; earlier ones lie 180 days apart before it
        start = anchor - timedelta(days=20 + 180 * (scale.periods - 1 - p))
        end = start + timedelta(days=179)
        deadline = anchor + timedelta(days=10) if p == scale.periods - 1 else end
        periods.append({
            "code": f"P{p + 1}", "title": f"Kỳ {p + 1} – Khối {number + 1}",
            "start": _dmy(start), "end": _dmy(end), "report_deadline": _dmy(deadline),
            "tasks": [{"code": f"T{t + 1:02d}",
                       "title": f"Nhiệm vụ {t + 1}: {rng.choice(TOPICS)}",
                       "description": "Triển khai theo kế hoạch của Khối.",
                       "deadline": _dmy(end - timedelta(days=rng.randint(0, 60)))}
                      for t in range(scale.tasks)],
        })
    conferences = []
    for c in range(scale.conferences):
        when = anchor + timedelta(days=(-100, 8, 30, 150)[c % 4] + 7 * (c // 4))
        conferences.append({
            "code": f"HN{c + 1}", "kind": "so_ket" if c % 2 == 0 else "tong_ket",
            "title": f"Hội nghị {c + 1} của Khối {number + 1}",
            "when": f"{_dmy(when)} 14h00", "place": "Hà Nội",
            "agenda": ["Báo cáo kết quả", "Thảo luận"]})
    return {
        "code": f"khoi-{number:02d}", "name": f"Khối thi đua số {number + 1}",
        "ministry": "Bộ Khoa học và Công nghệ", "year": anchor.year,
        "theme": "Kỷ cương, kết nối, đổi mới, thành công", "timezone": "Asia/Ho_Chi_Minh",
        "chair": "U00", "deputy": "U01",
        "liaison": {"organisation": "Vụ Thi đua – Khen thưởng"},
        "units": units, "movements": ["Đồng hành cùng doanh nghiệp", "Chuyển đổi số"],
        "periods": periods, "conferences": conferences,
    }


TOPICS = (
    "Tổ chức Hội nghị sơ kết", "Biểu dương điển hình tiên tiến", "Chuyển đổi số",
    "Cải cách hành chính", "Hợp tác quốc tế", "Đổi mới sáng tạo", "Đào tạo cán bộ",
    "Công tác văn hóa, thể thao", "Phòng chống tham nhũng", "Tiết kiệm chi tiêu",
)
NOTES = (
    "Đã tổ chức hội thảo với doanh nghiệp", "Đang hoàn thiện báo cáo", "Đã trình Lãnh đạo Bộ",
    "Đã ban hành kế hoạch", "Chờ kinh phí", "Đã triển khai tới các phòng",
)


def _cache_dir(scale: Scale, seed: int, anchor: date) -> Path:
    return CACHE / f"{scale.name}-s{seed}-{anchor.isoformat()}-v{LATEST_VERSION}"


def dataset(scale: Scale | str = "ministry", seed: int = 8, anchor: date | None = None,
            *, cache: Path | None = None) -> Dataset:
    """The data set for ``scale`` and ``seed``: from the cache, or generated into it."""
    scale = SCALES[scale] if isinstance(scale, str) else scale
    anchor = anchor or datetime.now(ZONE).date()
    folder = (cache / f"{scale.name}-s{seed}-{anchor.isoformat()}-v{LATEST_VERSION}" if cache
              else _cache_dir(scale, seed, anchor))
    done = folder / "dataset.json"
    found = Dataset(scale, seed, anchor, folder / "thidua.db", folder / "bloc.yaml",
                    f"khoi-{SERVED_BLOC:02d}")
    if done.exists():
        return found
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    with ThreadPoolExecutor(1) as worker:  # its own event loop, even if one is running here
        worker.submit(asyncio.run, generate(found)).result()
    done.write_text(json.dumps({**asdict(scale), "seed": seed, "anchor": anchor.isoformat()}),
                    encoding="utf-8")
    return found


async def generate(target: Dataset) -> None:
    """Write every bloc through the repository, then people and updates in bulk."""
    scale, anchor = target.scale, target.anchor
    rng = random.Random(target.seed)
    now = datetime.combine(anchor, time(8, 0), tzinfo=ZONE)
    documents = [bloc_document(scale, number, anchor, rng) for number in range(scale.blocs)]
    target.bloc_file.write_text(
        yaml.safe_dump(documents[SERVED_BLOC], allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    repo = await SqliteRepository.open(target.database)
    try:
        for number, document in enumerate(documents):
            if number != SERVED_BLOC:
                await repo.sync_bloc(BlocConfig.model_validate(document), now)
        # the served bloc is the one its file loaded last
        await repo.sync_bloc(BlocConfig.model_validate(documents[SERVED_BLOC]),
                             now + timedelta(seconds=1))
    finally:
        await repo.close()
    await asyncio.to_thread(_bulk_rows, target.database, scale, rng, anchor)


def _bulk_rows(database: Path, scale: Scale, rng: random.Random, anchor: date) -> None:
    db = sqlite3.connect(database)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("BEGIN")
        units = db.execute("SELECT id, bloc_id FROM units ORDER BY bloc_id, position").fetchall()
        registered = datetime.combine(anchor - timedelta(days=300), time(9), tzinfo=ZONE)
        members = []
        serial = 0
        for unit_id, bloc_id in units:
            for _ in range(scale.contacts):
                members.append((bloc_id, "telegram", str(CONTACT_ID_BASE + serial),
                                f"Đầu mối {serial}", unit_id, "contact",
                                registered.astimezone(UTC).isoformat(timespec="microseconds")))
                serial += 1
        db.executemany(
            "INSERT INTO members (bloc_id, channel, external_id, display_name, unit_id, role, "
            "registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)", members)
        authors: dict[int, list[tuple[int, str]]] = {}
        for member_id, unit_id, name in db.execute(
                "SELECT id, unit_id, display_name FROM members WHERE unit_id IS NOT NULL"):
            authors.setdefault(unit_id, []).append((member_id, name))
        tasks = db.execute(
            "SELECT t.id, p.bloc_id, p.start_date FROM tasks t JOIN periods p "
            "ON p.id = t.period_id ORDER BY t.id").fetchall()
        units_of: dict[int, list[int]] = {}
        for unit_id, bloc_id in units:
            units_of.setdefault(bloc_id, []).append(unit_id)
        rows = []
        for task_id, bloc_id, start_text in tasks:
            start = datetime.combine(date.fromisoformat(start_text), time(9), tzinfo=ZONE)
            for unit_id in units_of[bloc_id]:
                percent = 0
                for version in range(1, scale.versions + 1):
                    status = rng.choice(STATUSES)
                    percent = (100 if status == "done" else 0 if status == "not_started"
                               else min(95, percent + rng.randint(0, 15)))
                    member_id, name = rng.choice(authors[unit_id])
                    at = start + timedelta(days=version * 2, minutes=rng.randint(0, 600))
                    rows.append((
                        unit_id, task_id, version, status, percent, rng.choice(NOTES),
                        "Cần hỗ trợ kinh phí" if status == "blocked" else None,
                        member_id, name, 0, at.astimezone(UTC).isoformat(timespec="microseconds"),
                        int(version == scale.versions),  # the standing version
                    ))
            if len(rows) >= 50_000:
                _insert_updates(db, rows)
                rows = []
        _insert_updates(db, rows)
        db.execute("COMMIT")
        db.execute("ANALYZE")
    finally:
        db.close()


def _insert_updates(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    db.executemany(
        "INSERT INTO progress_updates (unit_id, task_id, version, status, percent, note, "
        "help_needed, author_member_id, author_name, on_behalf, created_at, latest) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def add_contacts(database: Path, count: int, first_id: int) -> list[int]:
    """Register ``count`` more contacts in the served bloc (Telegram ids from ``first_id``)."""
    db = sqlite3.connect(database)
    try:
        bloc_id = db.execute("SELECT id FROM blocs WHERE code = ?",
                             (f"khoi-{SERVED_BLOC:02d}",)).fetchone()[0]
        units = [row[0] for row in db.execute(
            "SELECT id FROM units WHERE bloc_id = ? ORDER BY position", (bloc_id,))]
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        ids = [first_id + n for n in range(count)]
        with db:
            db.executemany(
                "INSERT INTO members (bloc_id, channel, external_id, display_name, unit_id, role,"
                " registered_at) VALUES (?, 'telegram', ?, ?, ?, 'contact', ?)",
                [(bloc_id, str(user_id), f"Người thử {n}", units[n % len(units)], now)
                 for n, user_id in enumerate(ids)])
        return ids
    finally:
        db.close()


def add_person(database: Path, user_id: int, role: str) -> None:
    """Register a chair, deputy or liaison of the served bloc."""
    db = sqlite3.connect(database)
    try:
        bloc_id, chair = db.execute("SELECT id, chair_unit_id FROM blocs WHERE code = ?",
                                    (f"khoi-{SERVED_BLOC:02d}",)).fetchone()
        with db:
            db.execute(
                "INSERT INTO members (bloc_id, channel, external_id, display_name, unit_id, role,"
                " registered_at) VALUES (?, 'telegram', ?, ?, ?, ?, ?)",
                (bloc_id, str(user_id), f"Người {role}", chair if role == "chair" else None,
                 role, datetime.now(UTC).isoformat(timespec="microseconds")))
    finally:
        db.close()
