"""Loading a bloc file into the database: idempotent upserts keyed by codes.

Rows that leave the file are retired (``active = 0``), never deleted, so the
history attached to them survives an editing mistake.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from config.bloc import BlocConfig, TaskConfig
from storage._sql import Statements
from storage._time import day_to_db, from_db, to_db
from storage._votes import vote_rules_json
from storage.records import Deadline
from storage.year_records import VoteRules


class _Counter:
    def __init__(self) -> None:
        self.created = 0
        self.updated = 0
        self.retired = 0
        self.skipped: list[str] = []


def moment_to_utc(value: date | datetime | None, zone: ZoneInfo, *,
                  end_of_day: bool) -> tuple[str | None, int]:
    """A bloc-file date or wall-clock time as (UTC text, all-day flag); ``(None, 0)`` for none.

    A bare date means the end of that day for a deadline and its start for a
    conference; the flag keeps that it was a date, so it is shown as one.
    """
    if value is None:
        return None, 0
    if isinstance(value, datetime):
        return to_db(value.replace(tzinfo=zone)), 0
    clock = time(23, 59, 59) if end_of_day else time(0, 0)
    return to_db(datetime.combine(value, clock, tzinfo=zone)), 1


async def _upsert(
    db: Statements, counter: _Counter, table: str,
    key: dict[str, Any], values: dict[str, Any], on_insert: dict[str, Any] | None = None,
) -> int:
    """Insert or update the row with ``key``; ``on_insert`` values are set only on a new row."""
    where = " AND ".join(f"{column} = ?" for column in key)
    columns = list(values)
    async with db.execute(
        f"SELECT id, {', '.join(columns)} FROM {table} WHERE {where}",  # noqa: S608 - fixed names
        tuple(key.values()),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        fresh = {**key, **values, **(on_insert or {})}
        cursor = await db.execute(
            f"INSERT INTO {table} ({', '.join(fresh)}) VALUES ({', '.join('?' for _ in fresh)})",  # noqa: S608
            tuple(fresh.values()),
        )
        counter.created += 1
        return int(cursor.lastrowid or 0)
    if any(row[column] != values[column] for column in columns):
        assignments = ", ".join(f"{column} = ?" for column in columns)
        await db.execute(
            f"UPDATE {table} SET {assignments} WHERE id = ?",  # noqa: S608
            (*values.values(), row["id"]),
        )
        counter.updated += 1
    return int(row["id"])


async def _retire(
    db: Statements, counter: _Counter, table: str, parent: str, parent_id: int,
    kept: Sequence[int], extra: str = "",
) -> None:
    marks = ", ".join("?" for _ in kept) or "NULL"
    cursor = await db.execute(
        f"UPDATE {table} SET active = 0 WHERE {parent} = ? AND active = 1 "  # noqa: S608
        f"AND id NOT IN ({marks}) {extra}",
        (parent_id, *kept),
    )
    counter.retired += max(cursor.rowcount, 0)


async def _managed_in_chat(db: Statements, table: str, parent: str, parent_id: int,
                           code: str) -> int | None:
    """The id of the row with this code if the chair changed it in chat (the file yields)."""
    async with db.execute(
        f"SELECT id FROM {table} WHERE {parent} = ? AND code = ? "  # noqa: S608 - fixed names
        "AND managed_in_chat = 1", (parent_id, code)) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else None


async def _sync_tasks(
    db: Statements, counter: _Counter, period_id: int, period_code: str,
    tasks: Sequence[TaskConfig], zone: ZoneInfo,
) -> None:
    """A period's tasks from the file, leaving alone what the chair changed in chat.

    A task changed or closed in chat keeps its chat version; a task the file no
    longer lists is retired only if no unit has reported on it. Both are
    reported as skipped. Positions follow the file unless the chair reordered.
    """
    async with db.execute("SELECT order_in_chat FROM periods WHERE id = ?",
                          (period_id,)) as cursor:
        row = await cursor.fetchone()
    reordered = bool(row and row[0])
    kept: list[int] = []
    for position, task in enumerate(tasks, start=1):
        chat_id = await _managed_in_chat(db, "tasks", "period_id", period_id, task.code)
        if chat_id is not None:
            kept.append(chat_id)
            counter.skipped.append(f"{period_code}/{task.code}: changed in chat, kept")
            continue
        due = moment_to_utc(task.deadline, zone, end_of_day=True)
        values: dict[str, Any] = {
            "title": task.title, "description": task.description,
            "deadline_at": due[0], "deadline_all_day": due[1], "active": 1,
        }
        # the file's order, unless the chair reordered in chat: then new tasks go last
        if not reordered:
            values["position"] = position
        kept.append(await _upsert(db, counter, "tasks",
                                  {"period_id": period_id, "code": task.code}, values,
                                  on_insert=None if not reordered
                                  else {"position": 10_000 + position}))
    marks = ", ".join("?" for _ in kept) or "NULL"
    async with db.execute(
        f"SELECT code FROM tasks WHERE period_id = ? AND active = 1 AND managed_in_chat = 0 "  # noqa: S608
        f"AND id NOT IN ({marks}) AND EXISTS (SELECT 1 FROM progress_updates AS p "
        f"WHERE p.task_id = tasks.id)", (period_id, *kept)) as cursor:
        counter.skipped += [f"{period_code}/{row[0]}: has updates, kept"
                            for row in await cursor.fetchall()]
    await _retire(db, counter, "tasks", "period_id", period_id, kept,
                  extra="AND managed_in_chat = 0 AND NOT EXISTS (SELECT 1 FROM "
                        "progress_updates AS p WHERE p.task_id = tasks.id)")
    await renumber(db, period_id)


async def renumber(db: Statements, period_id: int) -> None:
    """Number a period's active tasks 1, 2, 3… in their current order."""
    async with db.execute("SELECT id FROM tasks WHERE period_id = ? AND active = 1 "
                          "ORDER BY position, id", (period_id,)) as cursor:
        ids = [row[0] for row in await cursor.fetchall()]
    await db.executemany("UPDATE tasks SET position = ? WHERE id = ? AND position != ?",
                         [(number, task_id, number) for number, task_id in enumerate(ids, 1)])


async def sync_bloc(db: Statements, config: BlocConfig) -> tuple[int, _Counter]:
    """Write ``config`` into the database inside the caller's transaction.

    ``config.timezone`` must be set (the runtime fills it from the settings).
    """
    if config.timezone is None:
        raise ValueError("the bloc's time zone must be resolved before syncing")
    zone = ZoneInfo(config.timezone)
    counter = _Counter()
    handed = await _handed_over(db, config.code)
    # a hand-over in chat opened a year the file has not reached: the bloc stays in that
    # year with its officers; a file for that year brings its theme, not its officers
    ahead = handed is not None and handed["year"] > config.year
    kept = handed is not None and handed["year"] >= config.year
    if ahead:
        assert handed is not None
        counter.skipped.append(f"year {config.year}: the bloc is in {handed['year']} since the "
                               "hand-over; the file's year, theme and officers are not applied")
    yearly: dict[str, Any] = {} if ahead else {"year": config.year, "theme": config.theme}
    bloc_id = await _upsert(db, counter, "blocs", {"code": config.code}, {
        "name": config.name, "ministry": config.ministry, **yearly,
        "timezone": config.timezone,
        "liaison_organisation": config.liaison.organisation if config.liaison else None,
        "liaison_person": config.liaison.person if config.liaison else None,
        "liaison_title": config.liaison.title if config.liaison else None,
        "signer_name": config.signer.name if config.signer else None,
        "signer_title": config.signer.title if config.signer else None,
        "groups": json.dumps(config.groups, sort_keys=True),
        "reminder_plan": config.reminders.model_dump_json(),
        "announce_updates": int(config.announce_updates),
        "handover": config.handover.model_dump_json() if config.handover else None,
    })
    unit_ids: dict[str, int] = {}
    for position, unit in enumerate(config.units, start=1):
        unit_ids[unit.code] = await _upsert(db, counter, "units", {
            "bloc_id": bloc_id, "code": unit.code,
        }, {
            "name": unit.name, "short_name": unit.short_name,
            "aliases": json.dumps(list(unit.aliases), ensure_ascii=False),
            "position": position, "active": 1,
        })
    await _retire(db, counter, "units", "bloc_id", bloc_id, list(unit_ids.values()))
    if not kept:  # the officers a hand-over chose stay, as tasks changed in chat do
        await _upsert(db, counter, "blocs", {"code": config.code}, {
            "chair_unit_id": unit_ids[config.chair],
            "deputy_unit_id": unit_ids[config.deputy] if config.deputy else None,
        })

    movement_ids = [
        await _upsert(db, counter, "movements", {"bloc_id": bloc_id, "name": name},
                      {"position": position, "active": 1})
        for position, name in enumerate(config.movements, start=1)
    ]
    await _retire(db, counter, "movements", "bloc_id", bloc_id, movement_ids)

    period_ids = []
    for period in config.periods:
        deadline = moment_to_utc(period.report_deadline, zone, end_of_day=True)
        values: dict[str, Any] = {
            "title": period.title, "start_date": day_to_db(period.start),
            "end_date": day_to_db(period.end), "report_deadline_at": deadline[0],
            "report_deadline_all_day": deadline[1], "active": 1,
            "reminder_plan": json.dumps({"days": list(period.reminder_days)})
            if period.reminder_days is not None else None,
        }
        async with db.execute(
                "SELECT deadline_in_chat FROM periods WHERE bloc_id = ? AND code = ?",
                (bloc_id, period.code)) as cursor:
            row = await cursor.fetchone()
        if row is not None and row[0]:  # the chair set the deadline in chat: it stays
            del values["report_deadline_at"], values["report_deadline_all_day"]
            counter.skipped.append(f"{period.code}: report deadline set in chat, kept")
        period_id = await _upsert(db, counter, "periods", {
            "bloc_id": bloc_id, "code": period.code,
        }, values)
        period_ids.append(period_id)
        await _sync_tasks(db, counter, period_id, period.code, period.tasks, zone)
    # a closed year's periods stay as they were: its report and exports still read them
    await _retire(db, counter, "periods", "bloc_id", bloc_id, period_ids,
                  extra="AND managed_in_chat = 0 AND CAST(substr(start_date, 1, 4) AS INTEGER) "
                        "NOT IN (SELECT year FROM emulation_years WHERE bloc_id = periods.bloc_id "
                        "AND closed_at IS NOT NULL)")

    conference_ids = []
    for conference in config.conferences:
        chat_id = await _managed_in_chat(db, "conferences", "bloc_id", bloc_id, conference.code)
        if chat_id is not None:
            conference_ids.append(chat_id)
            counter.skipped.append(f"conference {conference.code}: changed in chat, kept")
            continue
        starts = moment_to_utc(conference.when, zone, end_of_day=False)
        due = moment_to_utc(conference.report_deadline, zone, end_of_day=True)
        conference_ids.append(await _upsert(db, counter, "conferences", {
            "bloc_id": bloc_id, "code": conference.code,
        }, {
            "kind": conference.kind.value, "title": conference.title, "starts_at": starts[0],
            "all_day": starts[1], "place": conference.place,
            "agenda": json.dumps(list(conference.agenda), ensure_ascii=False),
            "report_deadline_at": due[0], "report_deadline_all_day": due[1], "active": 1,
            "reminder_plan": json.dumps({
                "days": list(conference.reminder_days) if conference.reminder_days is not None
                else None, "hours": conference.reminder_hours})
            if conference.reminder_days is not None or conference.reminder_hours else None,
        }))
    await _retire(db, counter, "conferences", "bloc_id", bloc_id, conference_ids,
                  extra="AND managed_in_chat = 0")
    await _sync_year(db, counter, bloc_id, config, zone, unit_ids)
    return bloc_id, counter


async def _handed_over(db: Statements, code: str) -> Any:
    """The latest year a hand-over in chat opened for the bloc (its year and officers)."""
    async with db.execute(
            "SELECT y.year, y.chair_unit_id, y.deputy_unit_id FROM emulation_years AS y "
            "JOIN blocs AS b ON b.id = y.bloc_id WHERE b.code = ? AND y.handed_over_at IS NOT "
            "NULL ORDER BY y.year DESC LIMIT 1", (code,)) as cursor:
        return await cursor.fetchone()


async def _sync_year(db: Statements, counter: _Counter, bloc_id: int, config: BlocConfig,
                     zone: ZoneInfo, unit_ids: dict[str, int]) -> None:
    """The file's year: its officers, criteria table and scoring window, its vote's rules,
    its covenant and its proposals. Another year's stay as they were loaded, and a year
    closed by its hand-over is not touched at all; this year's table and window stay once a
    unit has submitted its sheet against them (a changed maximum would rewrite a submitted
    sheet), and its covenant once a unit has signed it; until then a fix to the file
    applies. Officers a hand-over chose stay."""
    async with db.execute("SELECT closed_at, handed_over_at FROM emulation_years WHERE "
                          "bloc_id = ? AND year = ?", (bloc_id, config.year)) as cursor:
        state = await cursor.fetchone()
    if state is not None and state["closed_at"] is not None:
        counter.skipped.append(f"year {config.year}: closed by its hand-over, kept as it was")
        return
    scoring = config.scoring
    opens = moment_to_utc(scoring.opens if scoring else None, zone, end_of_day=False)
    deadline = moment_to_utc(scoring.deadline if scoring else None, zone, end_of_day=True)
    rules = None
    if scoring is not None:
        rules = json.dumps({
            "units_see_others": scoring.units_see_others,
            "tie_break": list(scoring.tie_break),
            "reminder_days": list(scoring.reminder_days)
            if scoring.reminder_days is not None else None,
        }, sort_keys=True)
    vote_rules = _vote_rules(config, zone)
    async with db.execute(
            "SELECT 1 FROM emulation_years AS y JOIN score_submissions AS s ON s.year_id = y.id "
            "WHERE y.bloc_id = ? AND y.year = ? LIMIT 1", (bloc_id, config.year)) as cursor:
        submitted = await cursor.fetchone() is not None
    async with db.execute(
            "SELECT 1 FROM emulation_years AS y JOIN covenant_signatures AS s "
            "ON s.year_id = y.id WHERE y.bloc_id = ? AND y.year = ? LIMIT 1",
            (bloc_id, config.year)) as cursor:
        signed = await cursor.fetchone() is not None
    # the vote's rules always follow the file (a vote under way keeps its own copy), and so
    # do the proposals' forms and quotas (a nomination keeps its form's code)
    values: dict[str, Any] = {"vote_rules": vote_rules, "awards": _awards(config, zone)}
    if state is None or state["handed_over_at"] is None:
        values.update({"chair_unit_id": unit_ids[config.chair],
                       "deputy_unit_id": unit_ids[config.deputy] if config.deputy else None})
    if submitted:  # a sheet was scored against this table: changing it would rewrite it
        counter.skipped.append(f"year {config.year}: sheets submitted, criteria and window kept")
    else:
        values.update({
            "criteria": config.criteria.model_dump_json() if config.criteria else None,
            "scoring_opens_at": opens[0], "scoring_deadline_at": deadline[0],
            "scoring_deadline_all_day": deadline[1], "scoring_rules": rules})
    covenant = _covenant(config, zone)
    if signed:  # a unit signed this text: it stays the text it signed; its dates follow
        counter.skipped.append(f"year {config.year}: covenant signed, its text kept")
        async with db.execute("SELECT covenant FROM emulation_years WHERE bloc_id = ? AND "
                              "year = ?", (bloc_id, config.year)) as cursor:
            row = await cursor.fetchone()
        if covenant is not None and row is not None and row["covenant"]:
            kept, fresh = json.loads(row["covenant"]), json.loads(covenant)
            kept.update({key: fresh[key] for key in COVENANT_TIMING})
            values["covenant"] = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    else:
        values["covenant"] = covenant
        if covenant is None:  # taken out of the file: no longer open either
            values["covenant_opened_at"] = None
    await _upsert(db, counter, "emulation_years", {"bloc_id": bloc_id, "year": config.year},
                  values)


COVENANT_TIMING = ("opens", "deadline", "deadline_all_day", "reminder_days")
"""What a reload still changes in a covenant a unit has signed: when, not what."""


def _covenant(config: BlocConfig, zone: ZoneInfo) -> str | None:
    """The file's covenant as stored with the year (its times in UTC)."""
    covenant = config.covenant
    if covenant is None:
        return None
    return json.dumps({
        "title": covenant.title, "text": list(covenant.text),
        "targets": {key: list(items) for key, items in covenant.targets.items()},
        **_window(covenant.opens, covenant.deadline, zone),
        "reminder_days": list(covenant.reminder_days)
        if covenant.reminder_days is not None else None,
    }, ensure_ascii=False, sort_keys=True)


def _awards(config: BlocConfig, zone: ZoneInfo) -> str | None:
    """The file's commendation proposals as stored with the year (its times in UTC)."""
    awards = config.awards
    if awards is None:
        return None
    return json.dumps({
        "recipient": awards.recipient, "grounds": list(awards.grounds),
        "forms": [form.model_dump(mode="json") for form in awards.forms],
        **_window(awards.opens, awards.deadline, zone),
    }, ensure_ascii=False, sort_keys=True)


def _window(opens: date | datetime | None, deadline: date | datetime,
            zone: ZoneInfo) -> dict[str, Any]:
    """When something of the year opens and is due, as stored with it (in UTC; a bare
    date is due at the end of its day)."""
    opened = moment_to_utc(opens, zone, end_of_day=False)[0]
    due, all_day = moment_to_utc(deadline, zone, end_of_day=True)
    return {"opens": opened, "deadline": due, "deadline_all_day": bool(all_day)}


def _vote_rules(config: BlocConfig, zone: ZoneInfo) -> str | None:
    """The file's vote section as stored with the year (its times in UTC)."""
    vote = config.vote
    if vote is None:
        return None
    window = _window(vote.opens, vote.closes, zone)
    assert window["deadline"] is not None, "a vote section has its closing time"
    return vote_rules_json(VoteRules(
        closes=Deadline(from_db(window["deadline"]), window["deadline_all_day"]),
        opens=from_db(window["opens"]) if window["opens"] else None, candidates=vote.candidates,
        self_vote=vote.self_vote, majority_percent=vote.majority_percent,
        majority_of=vote.majority_of))
