"""Many blocs at once, each read in one query for all: the ministry's blocs side by side."""

from __future__ import annotations

import json
from collections import defaultdict

from storage._blocs import period_of
from storage._sql import SqlParts
from storage.records import Period


def _marks(values: list[int]) -> str:
    return ", ".join("?" for _ in values)


class SqlGlance(SqlParts):
    """The blocs-at-a-glance part of the repository."""

    async def unit_ids_of(self, bloc_ids: list[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        if bloc_ids:
            for row in await self._all(
                    f"SELECT bloc_id, id FROM units WHERE bloc_id IN ({_marks(bloc_ids)}) "  # noqa: S608
                    "AND active = 1 ORDER BY bloc_id, position", tuple(bloc_ids)):
                found[int(row[0])].append(int(row[1]))
        return dict(found)

    async def periods_of(self, bloc_ids: list[int]) -> dict[int, list[Period]]:
        found: dict[int, list[Period]] = defaultdict(list)
        if bloc_ids:
            for row in await self._all(
                    f"SELECT * FROM periods WHERE bloc_id IN ({_marks(bloc_ids)}) "  # noqa: S608
                    "AND active = 1 ORDER BY bloc_id, start_date, id", tuple(bloc_ids)):
                found[row["bloc_id"]].append(period_of(row))
        return dict(found)

    async def task_reach_of(
            self, period_ids: list[int]) -> dict[int, list[tuple[int, tuple[int, ...] | None]]]:
        found: dict[int, list[tuple[int, tuple[int, ...] | None]]] = defaultdict(list)
        if period_ids:
            for row in await self._all(
                    f"SELECT period_id, id, unit_ids FROM tasks WHERE period_id IN "  # noqa: S608
                    f"({_marks(period_ids)}) AND active = 1", tuple(period_ids)):
                found[int(row[0])].append(
                    (int(row[1]), tuple(json.loads(row[2])) if row[2] else None))
        return dict(found)

    async def standing_counts(self, period_ids: list[int]) -> dict[tuple[int, int], int]:
        if not period_ids:
            return {}
        rows = await self._all(
            "SELECT t.period_id, p.unit_id, COUNT(*) FROM progress_updates AS p JOIN tasks "  # noqa: S608
            "AS t ON t.id = p.task_id WHERE p.latest = 1 AND t.active = 1 AND t.unit_ids IS "
            f"NULL AND t.period_id IN ({_marks(period_ids)}) GROUP BY t.period_id, p.unit_id",
            tuple(period_ids))
        return {(int(row[0]), int(row[1])): int(row[2]) for row in rows}

    async def standing_on_some(self, period_ids: list[int]) -> set[tuple[int, int]]:
        if not period_ids:
            return set()
        rows = await self._all(
            "SELECT p.unit_id, p.task_id FROM progress_updates AS p JOIN tasks AS t ON "  # noqa: S608
            "t.id = p.task_id WHERE p.latest = 1 AND t.active = 1 AND t.unit_ids IS NOT NULL "
            f"AND t.period_id IN ({_marks(period_ids)})", tuple(period_ids))
        return {(int(row[0]), int(row[1])) for row in rows}

    async def sheets_of(self, bloc_ids: list[int]) -> dict[int, int]:
        if not bloc_ids:
            return {}
        rows = await self._all(
            "SELECT y.bloc_id, COUNT(s.unit_id) FROM emulation_years AS y JOIN blocs AS b "  # noqa: S608
            "ON b.id = y.bloc_id AND b.year = y.year LEFT JOIN score_submissions AS s ON "
            f"s.year_id = y.id WHERE y.bloc_id IN ({_marks(bloc_ids)}) AND y.criteria IS NOT "
            "NULL GROUP BY y.bloc_id", tuple(bloc_ids))
        return {int(row[0]): int(row[1]) for row in rows}
