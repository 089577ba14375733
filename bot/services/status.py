"""The bloc at a glance: who has reported on every task, who on some, who on none, and how
far each task has gone.

A unit is *complete* when every active task that concerns it has a standing report in the
period, *partial* when some have ("3/7 nhiệm vụ"), *silent* when none has. Every count and
list of units the bot shows (the chair's views, the questions, the reminders and nudges,
the digest) reads these, so none of them can call a unit that reported one task of seven
"reported".

A task is *overdue* for a unit when the task's own deadline has passed and the unit has not
reported it done (a report "in progress" at the deadline is still overdue).

It reads the repository and returns plain data; handlers render it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.periods import current_period
from storage.records import (
    Absence,
    Bloc,
    Member,
    Period,
    ProgressStatus,
    ProgressUpdate,
    Role,
    Task,
    Unit,
)
from storage.repository import BlocStore, GlanceStore, MemberStore, ReportStore, TaskStore


class StatusReads(BlocStore, TaskStore, ReportStore, MemberStore, Protocol):
    """What reading the bloc's status needs of storage."""


@dataclass(frozen=True)
class TaskSummary:
    """How the units stand on one task."""

    task: Task
    counts: dict[ProgressStatus, int]
    silent: int
    mean_percent: float | None  # over the units that reported on it

    @property
    def reported(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class UnitProgress:
    """How far one unit has reported: the tasks that concern it, and those still missing."""

    unit: Unit
    required: int  # active tasks of the period that concern the unit
    missing: tuple[Task, ...]  # those with no standing report, in list order

    @property
    def reported(self) -> int:
        return self.required - len(self.missing)

    @property
    def concerned(self) -> bool:
        """Some active task of the period concerns the unit (a unit with none owes nothing
        and is counted neither complete nor missing)."""
        return self.required > 0

    @property
    def complete(self) -> bool:
        return is_complete(self.required, self.reported)

    @property
    def silent(self) -> bool:
        """Nothing reported of what it owes."""
        return is_silent(self.required, self.reported)

    @property
    def partial(self) -> bool:
        return is_partial(self.required, self.reported)


def is_complete(required: int, reported: int) -> bool:
    """Reported on every task that concerns it (and some does)."""
    return required > 0 and reported == required


def is_silent(required: int, reported: int) -> bool:
    """Reported on none of the tasks it owes."""
    return required > 0 and reported == 0


def is_partial(required: int, reported: int) -> bool:
    """Reported on some of the tasks it owes, not all."""
    return 0 < reported < required


@dataclass(frozen=True)
class BlocStatus:
    """Everything the chair's overview shows, computed once."""

    period: Period | None
    today: date
    units: list[Unit]
    tasks: list[Task]
    latest: dict[tuple[int, int], ProgressUpdate]  # (unit id, task id) → latest update
    contacts: dict[int, list[Member]] = field(default_factory=dict)  # unit id → its contacts
    now: datetime | None = None  # when it was read: what is overdue is judged at this moment
    heads: dict[int, list[Member]] = field(default_factory=dict)  # unit id → its heads
    absences: dict[int, Absence] = field(default_factory=dict)  # member id → their absence
    people: dict[int, Member] = field(default_factory=dict)  # member id → member

    def away(self, member: Member, day: date) -> Absence | None:
        """The person's absence on ``day``, if they are away then."""
        absence = self.absences.get(member.id)
        return absence if absence is not None and absence.covers(day) else None

    def backup(self, absence: Absence) -> Member | None:
        """Who covers for an absent person (registered and still active)."""
        return self.people.get(absence.backup_member_id) if absence.backup_member_id else None

    def days_left(self, zone: ZoneInfo) -> int | None:
        """Days from today to the report deadline's last day (negative after it): a
        deadline of "5/12 0h00" is due on 4/12."""
        return days_left(self.period, self.today, zone)

    def deadline_passed(self, now: datetime) -> bool:
        """Whether the report deadline has passed at ``now`` (by its time: a deadline at
        14h30 has passed at 15h00 the same day)."""
        deadline = self.period.report_deadline if self.period else None
        return deadline is not None and deadline.passed(now)

    def progress(self) -> list[UnitProgress]:
        """Every unit's completeness, in the bloc's order (computed once)."""
        return self._progress

    @cached_property
    def _progress(self) -> list[UnitProgress]:
        return units_progress(self.units, self.tasks, self.latest)

    def unit_progress(self, unit_id: int) -> UnitProgress | None:
        """One unit's completeness."""
        return next((p for p in self.progress() if p.unit.id == unit_id), None)

    @property
    def complete_units(self) -> list[Unit]:
        """Units that have reported on every task that concerns them."""
        return [p.unit for p in self.progress() if p.complete]

    @property
    def partial_units(self) -> list[UnitProgress]:
        """Units that have reported on some of their tasks, not all."""
        return [p for p in self.progress() if p.partial]

    @property
    def silent_units(self) -> list[Unit]:
        """Units that have reported on none of their tasks this period."""
        return [p.unit for p in self.progress() if p.silent]

    @property
    def incomplete(self) -> list[UnitProgress]:
        """Units still owing a report on at least one task (partial and silent), in order."""
        return [p for p in self.progress() if p.missing]

    @property
    def concerned_units(self) -> int:
        """How many units some task of the period concerns: the total the counts are of."""
        return sum(1 for p in self.progress() if p.concerned)

    def done(self, unit_id: int, task: Task) -> bool:
        """Whether the unit's standing report on the task says it is done."""
        update = self.latest.get((unit_id, task.id))
        return update is not None and update.status is ProgressStatus.DONE

    def not_done_units(self, task: Task) -> list[Unit]:
        """The units the task concerns that have not reported it done, in the bloc's order
        (whom a task's deadline reminder goes to)."""
        return [unit for unit in self.units
                if task.concerns(unit.id) and not self.done(unit.id, task)]

    def overdue(self, unit_id: int, task: Task) -> bool:
        """Whether the task's own deadline has passed without this unit reporting it done."""
        return (task.deadline is not None and self.now is not None
                and task.deadline.passed(self.now) and task.concerns(unit_id)
                and not self.done(unit_id, task))

    def overdue_units(self, task: Task) -> list[Unit]:
        """The units the task is overdue for, in the bloc's order."""
        return [unit for unit in self.units if self.overdue(unit.id, task)]

    def overdue_tasks(self) -> list[tuple[Task, list[Unit]]]:
        """Every task past its own deadline that some unit has not reported done, with
        those units, in list order."""
        return [(task, units) for task in self.tasks if (units := self.overdue_units(task))]

    def task_summaries(self) -> list[TaskSummary]:
        """Per task: units done / in progress / blocked / not started / silent, and mean percent."""
        summaries = []
        for task in self.tasks:
            counts: dict[ProgressStatus, int] = defaultdict(int)
            percents = []
            concerned = [unit for unit in self.units if task.concerns(unit.id)]
            for unit in concerned:
                update = self.latest.get((unit.id, task.id))
                if update is not None:
                    counts[update.status] += 1
                    percents.append(update.percent)
            mean = sum(percents) / len(percents) if percents else None
            summaries.append(TaskSummary(task, dict(counts), len(concerned) - len(percents),
                                         mean))
        return summaries

    def blocked(self) -> list[tuple[Unit, Task, ProgressUpdate]]:
        """Every unit × task whose latest update says blocked, in list order."""
        return [(unit, task, update) for task in self.tasks for unit in self.units
                if (update := self.latest.get((unit.id, task.id))) is not None
                and update.status is ProgressStatus.BLOCKED]

    def unit_updates(self, unit_id: int) -> list[tuple[Task, ProgressUpdate | None]]:
        """One unit's latest update per task (``None`` where it has not reported)."""
        return [(task, self.latest.get((unit_id, task.id))) for task in self.tasks
                if task.concerns(unit_id)]

    def task_updates(self, task_id: int) -> list[tuple[Unit, ProgressUpdate | None]]:
        """Every unit's latest update on one task."""
        task = next((t for t in self.tasks if t.id == task_id), None)
        return [(unit, self.latest.get((unit.id, task_id))) for unit in self.units
                if task is None or task.concerns(unit.id)]


def units_progress(units: list[Unit], tasks: list[Task],
                   standing: Container[tuple[int, int]]) -> list[UnitProgress]:
    """Each unit's completeness: the tasks that concern it, and those with no standing
    report (``standing``: the (unit id, task id) pairs that have one)."""
    return [UnitProgress(unit, sum(1 for task in tasks if task.concerns(unit.id)),
                         tuple(task for task in tasks if task.concerns(unit.id)
                               and (unit.id, task.id) not in standing))
            for unit in units]


def days_left(period: Period | None, today: date, zone: ZoneInfo) -> int | None:
    """Days from ``today`` to the period's report deadline's last day (negative after it)."""
    if period is None or period.report_deadline is None:
        return None
    return (period.report_deadline.last_day(zone) - today).days


@dataclass(frozen=True)
class BlocGlance:
    """One bloc as the blocs side by side show it: how its units stand on the current
    period (each unit's tasks owed and reported, in the bloc's order), its report deadline,
    its year's score sheets."""

    bloc: Bloc
    period: Period | None
    today: date
    owed: list[tuple[int, int]]  # (required, reported) per unit
    sheets: int | None  # submitted this year (None: the year has no criteria)

    @property
    def complete(self) -> int:
        return sum(1 for required, reported in self.owed if is_complete(required, reported))

    @property
    def partial(self) -> int:
        return sum(1 for required, reported in self.owed if is_partial(required, reported))

    @property
    def silent(self) -> int:
        return sum(1 for required, reported in self.owed if is_silent(required, reported))

    @property
    def concerned(self) -> int:
        return sum(1 for required, _ in self.owed if required > 0)

    def days_left(self) -> int | None:
        return days_left(self.period, self.today, ZoneInfo(self.bloc.timezone))


async def blocs_at_a_glance(repo: GlanceStore, blocs: list[Bloc],
                            now: datetime) -> list[BlocGlance]:
    """Every bloc's standing, read in six queries whatever the number of blocs, the reports
    counted in the database (a status read per bloc took 288 ms for 50: benchmark 8)."""
    ids = [bloc.id for bloc in blocs]
    units, periods, sheets = (await repo.unit_ids_of(ids), await repo.periods_of(ids),
                              await repo.sheets_of(ids))
    todays = {bloc.id: now.astimezone(ZoneInfo(bloc.timezone)).date() for bloc in blocs}
    current = {bloc.id: current_period(periods.get(bloc.id, []), todays[bloc.id])
               for bloc in blocs}
    chosen = [period.id for period in current.values() if period is not None]
    reach = await repo.task_reach_of(chosen)
    counts, some = await repo.standing_counts(chosen), await repo.standing_on_some(chosen)
    glances = []
    for bloc in blocs:
        period = current[bloc.id]
        tasks = reach.get(period.id, []) if period is not None else []
        for_all = sum(1 for _, unit_ids in tasks if unit_ids is None)
        for_some = [(task_id, unit_ids) for task_id, unit_ids in tasks if unit_ids is not None]
        owed = []
        for unit_id in units.get(bloc.id, []):
            theirs = [task_id for task_id, unit_ids in for_some if unit_id in unit_ids]
            reported = counts.get((period.id, unit_id), 0) if period is not None else 0
            reported += sum(1 for task_id in theirs if (unit_id, task_id) in some)
            owed.append((for_all + len(theirs), reported))
        glances.append(BlocGlance(bloc, period, todays[bloc.id], owed, sheets.get(bloc.id)))
    return glances


async def bloc_status(repo: StatusReads, bloc: Bloc, now: datetime,
                      period: Period | None = None) -> BlocStatus:
    """Read a period's matrix (the current one by default) and the units' contacts, as they
    stand at ``now``."""
    today = now.astimezone(ZoneInfo(bloc.timezone)).date()
    if period is None:
        period = current_period(await repo.list_periods(bloc.id), today)
    units = await repo.list_units(bloc.id)
    tasks = await repo.list_tasks(period.id) if period else []
    latest = {(u.unit_id, u.task_id): u
              for u in (await repo.latest_for_period(period.id) if period else [])}
    contacts: dict[int, list[Member]] = defaultdict(list)
    heads: dict[int, list[Member]] = defaultdict(list)
    members = await repo.list_members(bloc.id)
    for member in members:
        if member.unit_id is not None and member.role in (Role.CONTACT, Role.HEAD):
            (contacts if member.role is Role.CONTACT else heads)[member.unit_id].append(member)
    return BlocStatus(period, today, units, tasks, latest, dict(contacts), now, dict(heads),
                      await repo.absences(), {member.id: member for member in members})
