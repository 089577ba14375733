"""The database a scenario left, without what differs between channels by design.

:func:`dump_database` reads every table of a run's database and replaces what a channel
may rightly store its own way (its name, its people's ids, the ``channel:id`` actors
built from them, members' row ids where they are referred to, random invite token
hashes) by stable placeholders; what is left — ids, numbers, texts, times of the shared
clock — must be the same whichever channel the scenario ran on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.domain.text import html_to_plain
from config.database import DatabaseAddress
from tests.databases import read_tables

# Tables a channel keeps for itself, not the bloc's business: which updates it already
# handled (the console has no update ids), the numbered menu a Zalo chat last saw, the
# bot's name on the messenger; and the health check's probe.
CHANNEL_TABLES = frozenset({"processed_updates", "shown_menus", "sqlite_sequence",
                            "bot_accounts", "health_probe",
                            "instances", "leases"})  # (the processes, not the bloc's)
# Columns (and JSON keys) holding a person's id on the channel, or their member row id.
CHAT_COLUMNS = frozenset({"external_id", "chat_id", "report_chat"})
MEMBER_COLUMNS = frozenset({"author_member_id", "withdrawn_by", "member_id"})
ID_COLUMNS = CHAT_COLUMNS | MEMBER_COLUMNS | {"channel"}


@dataclass(frozen=True)
class PeopleIds:
    """Who is who on one channel: each person's id there → their key in the scenario."""

    channel: str
    by_external_id: dict[str, str]


class Normaliser:
    """Replaces what differs between channels by design with stable placeholders."""

    def __init__(self, people: PeopleIds, members: list[dict[str, Any]]) -> None:
        self.channel = people.channel
        self.person = dict(people.by_external_id)
        self.member = {row["id"]: self.person.get(row["external_id"], f"?{row['external_id']}")
                       for row in members if row["channel"] == people.channel}
        # "telegram:7100001" (an actor) and "member:3" (a member named in the audit log)
        actors = {f"{self.channel}:{external}": key for external, key in self.person.items()}
        self._actor = re.compile("|".join(re.escape(a) for a in sorted(actors, key=len,
                                                                       reverse=True)) or "$^")
        self._actors = actors

    def text(self, value: str) -> str:
        """Actor strings inside any text (audit details, answers) become ``<person>``."""
        value = self._actor.sub(lambda m: f"<{self._actors[m.group(0)]}>", value)
        return re.sub(r"\bmember:(\d+)\b",
                      lambda m: f"member:<{self.member.get(int(m.group(1)), m.group(1))}>", value)

    def value(self, column: str, value: Any) -> Any:
        """One stored value as every channel should have stored it."""
        if value is None:
            return None
        if column == "channel":
            return "<channel>" if value == self.channel else value
        if column in CHAT_COLUMNS:
            return f"<{self.person[value]}>" if value in self.person else value
        if column in MEMBER_COLUMNS:
            return f"<{self.member.get(value, value)}>"
        if column == "token_hash":
            return "<token>"  # random by design
        if isinstance(value, str):
            decoded = _json(value)
            if decoded is not None:
                return json.dumps(self.deep(decoded), ensure_ascii=False, sort_keys=True)
            return self.text(value)
        return value

    def deep(self, value: Any) -> Any:
        """The same, inside decoded JSON (dialog answers, audit details, outbox payloads)."""
        if isinstance(value, str):
            return f"<{self.person[value]}>" if value in self.person else self.text(value)
        if isinstance(value, list):
            return [self.deep(item) for item in value]
        if isinstance(value, dict):
            return {key: (self.value(key, item) if key in ID_COLUMNS else self.deep(item))
                    for key, item in value.items()}
        return value


def _said(payload: str) -> str:
    """What an outbox row says, as a person reads it on any messenger: the text without
    its markup or a messenger's menu. (Each row holds a message presented for its
    messenger: HTML and buttons on Telegram, plain text and numbered lines on Zalo.)"""
    text = html_to_plain(str(json.loads(payload).get("text", "")))
    return json.dumps({"said": text.split("\n\nTrả lời bằng số")[0].strip()},
                      ensure_ascii=False)


def _json(text: str) -> Any:
    if text[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def dump_database(database: DatabaseAddress,
                  people: PeopleIds) -> dict[str, list[dict[str, Any]]]:
    """Every table of the bloc's business, rows in storage order, channel ids replaced.

    Left out: :data:`CHANNEL_TABLES`. Members lose their row id
    (they are named by scenario key wherever they are referred to) and the channel's
    ids; a person's channel id and ``channel:id`` actor become ``<key>``; invite token
    hashes become ``<token>``. Everything else, ids and times included, must match.
    """
    tables = read_tables(database)
    normalise = Normaliser(people, tables["members"])
    dump: dict[str, list[dict[str, Any]]] = {}
    for table, stored in tables.items():
        if table in CHANNEL_TABLES:
            continue
        rows = []
        for row in stored:
            row = dict(row)
            if table == "members":
                row.pop("id")
            if table == "outbox":
                row["payload"] = _said(row["payload"])
            rows.append({column: normalise.value(column, value)
                         for column, value in row.items()})
        dump[table] = rows
    return dump


def differences(dumps: dict[str, dict[str, list[dict[str, Any]]]]) -> str:
    """A readable account of how the dumps differ (empty when they are equal)."""
    names = list(dumps)
    first = names[0]
    report = []
    for other in names[1:]:
        for table in sorted(set(dumps[first]) | set(dumps[other])):
            mine, theirs = dumps[first].get(table), dumps[other].get(table)
            if mine == theirs:
                continue
            report.append(f"{table}: {first} != {other}")
            for index in range(max(len(mine or []), len(theirs or []))):
                a = (mine or [])[index] if index < len(mine or []) else None
                b = (theirs or [])[index] if index < len(theirs or []) else None
                if a != b:
                    changed = sorted(k for k in set(a or {}) | set(b or {})
                                     if (a or {}).get(k) != (b or {}).get(k))
                    report.append(f"  row {index + 1}: " + "; ".join(
                        f"{k}: {(a or {}).get(k)!r} / {(b or {}).get(k)!r}" for k in changed))
    return "\n".join(report)

