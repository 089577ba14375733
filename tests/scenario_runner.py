"""One chat scenario, played on Telegram, Zalo and the console; the database each leaves.

A scenario (YAML, in ``tests/scenarios/``) names its people and lists what they do::

    people:
      chair: {name: Trần Thị Nhân, role: chair}
      contact: {name: Nguyễn Văn An, role: contact, unit: SHTT}
    steps:
      - {as: chair, join: operator}        # an invite made the way ``thidua invite`` makes it
      - {as: contact, join: chair}         # the invite in the chair's last answer
      - {as: contact, say: /capnhat}
      - {as: contact, choose: Đang thực hiện}
      - {as: contact, expect: Đã ghi nhận}
      - {as: contact, receive: lên lịch}   # a message the bot sends on its own

``at`` moves the bot's clock to a moment in the bloc's time zone (``15/12/2023 09:00``), and
what falls due meanwhile (reminders, the vote's closing) happens; ``photo`` sends a photo;
``vote`` casts the person's ballot for the candidate named (the button on Telegram, the
command the ballot gives elsewhere); ``reload`` writes the scenario's bloc file of that name
and reloads it, as the file watcher does.

``choose`` picks an option of the last menu the person received, by its label (the
exact label, else the first containing it): on Telegram the runner presses that
button, on Zalo and the console it types the option's number as the person reads it.
``expect`` looks in the bot's answer to the person's last message, as the person
reads it (HTML stripped). Each runner plays the steps over the channel's real
path (the PTB application against the fake Bot API, ``serve`` against the fake
Zalo API, :class:`~bot.channels.console.ConsoleChannel`) on its own database, with
the same clock, and returns :func:`dump_database`'s channel-neutral view of the
database afterwards (see ``tests/scenario_dump.py``): equal dumps mean the channels did
the same thing.
"""

from __future__ import annotations

import asyncio
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.kernel.dispatcher import Dispatcher, Handling
from bot.services import invites
from storage.records import OutboxStatus, Role
from tests.scenario_dump import PeopleIds

STEP_KINDS = ("join", "say", "choose", "expect", "receive", "at", "photo", "vote", "reload")
OPERATOR = "operator"
WAIT_SECONDS = 5.0
TOKEN_IN_TEXT = re.compile(r"(?:\?start=|/start |dangky )([A-Za-z0-9_\-]{16,64})")
TELEGRAM_IDS = 7_100_001  # the first Telegram user id; the others follow


# -- the scenario -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ScenarioPerson:
    """Someone in a scenario: what they are called (the same on every channel) and who they are."""

    key: str
    name: str
    role: Role
    unit: str | None = None


@dataclass(frozen=True)
class ScenarioStep:
    """One thing a person does or checks; ``number`` counts from 1, for messages."""

    number: int
    who: str
    kind: str
    value: str

    def __str__(self) -> str:
        return f"step {self.number} ({self.who} {self.kind}: {self.value!r})"


@dataclass(frozen=True)
class Scenario:
    """A scenario file, read and checked."""

    name: str
    people: dict[str, ScenarioPerson]
    steps: tuple[ScenarioStep, ...]
    bloc_files: dict[str, str] = field(default_factory=dict)  # name → text, for ``reload``

    def count(self, kind: str) -> int:
        """How many steps of ``kind`` the scenario has."""
        return sum(1 for step in self.steps if step.kind == kind)


def load_scenario(path: Path) -> Scenario:
    """Read a scenario file; a step naming an unknown person or kind is an error."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    people = {
        key: ScenarioPerson(key, str(spec["name"]), Role(spec["role"]), spec.get("unit"))
        for key, spec in data["people"].items()
    }
    steps = []
    for number, raw in enumerate(data["steps"], start=1):
        who = raw.get("as")
        kinds = [kind for kind in STEP_KINDS if kind in raw]
        if who not in people or len(kinds) != 1 or len(raw) != 2:
            raise ValueError(f"{path.name}: step {number} is not understood: {raw}")
        value = str(raw[kinds[0]])
        if kinds[0] == "join" and value != OPERATOR and value not in people:
            raise ValueError(f"{path.name}: step {number} joins with an invite from nobody")
        steps.append(ScenarioStep(number, who, kinds[0], value))
    return Scenario(str(data.get("name", path.stem)), people, tuple(steps))


# -- playing it -------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What a run left: the normalised database, and every check it made, in order."""

    channel: str
    dump: dict[str, list[dict[str, Any]]]
    checked: list[str] = field(default_factory=list)  # "expect: …" / "receive: …" that held
    answers: list[tuple[str, str, str]] = field(default_factory=list)  # (who, did, answer)


class ScenarioFailed(AssertionError):
    """A step could not be played or its check failed; says where and what was seen."""


def pick_label(labels: list[str], wanted: str) -> int:
    """The index of the option labelled ``wanted`` (else the first containing it)."""
    for index, label in enumerate(labels):
        if label == wanted or label.partition(". ")[2] == wanted:
            return index
    for index, label in enumerate(labels):
        if wanted in label:
            return index
    raise LookupError(f"no option {wanted!r} in {labels}")


class Driver(ABC):
    """How a scenario reaches one channel; subclasses do the channel's part."""

    channel = ""
    register_word = "/start"  # what a person types before an invite token
    wait_seconds = WAIT_SECONDS  # how long ``receive`` waits (the outbox paces each chat 1/s)

    def __init__(self, scenario: Scenario, runtime: Runtime) -> None:
        self.scenario = scenario
        self.runtime = runtime
        self.dispatcher: Dispatcher = runtime.dispatcher
        self.completions = Completions(runtime.dispatcher)

    @abstractmethod
    def external_id(self, who: str) -> str:
        """The person's id on this channel."""

    @abstractmethod
    async def say(self, who: str, text: str) -> str:
        """Type ``text`` as ``who``; the bot's whole answer as the person reads it."""

    @abstractmethod
    def menu(self, who: str) -> list[tuple[str, str]]:
        """The (number, label) options of the last numbered menu ``who`` received."""

    async def choose(self, who: str, label: str) -> str:
        """Pick the option labelled ``label`` of the last menu ``who`` received: by default
        by typing its number, as a person does where there are no buttons."""
        options = self.menu(who)
        number = options[pick_label([text for _, text in options], label)][0]
        return await self.say(who, number)

    @abstractmethod
    async def receive(self, who: str, text: str) -> str:
        """Wait for a message to ``who`` containing ``text`` (not seen by an earlier wait)."""

    @abstractmethod
    async def photo(self, who: str) -> str:
        """Send a photo as ``who``; the bot's answer."""

    async def vote(self, who: str, candidate: str, ballot: str) -> str:
        """Cast ``who``'s ballot for ``candidate``: by default by typing the command the
        ballot (the person's last answer) lists beside the candidate."""
        found = re.search(rf"• {re.escape(candidate)}: \S+ (/binhchon [A-Za-z0-9]+)", ballot)
        if found is None:
            raise LookupError(f"no line for {candidate!r} on the ballot:\n{ballot}")
        return await self.say(who, found.group(1))

    async def move_clock(self, when: str) -> None:
        """Set the bot's test clock to ``when`` (``dd/mm/yyyy HH:MM`` in the bloc's zone)."""
        moment = datetime.strptime(when, "%d/%m/%Y %H:%M").replace(
            tzinfo=ZoneInfo(self.runtime.bloc.timezone))
        clock = self.runtime.clock
        assert isinstance(clock, FixedClock), "a scenario moves a test clock only"
        clock.set(moment.astimezone(UTC))
        await asyncio.sleep(0.05)  # the scheduler's jobs that fell due start

    async def reload(self, text: str) -> None:
        """Write the bloc file and reload it, as the watcher does on its next tick."""
        self.runtime.settings.bloc_file.write_text(text, encoding="utf-8")
        await self.runtime._reload()

    async def finish(self) -> None:
        """Wait until what the bot decided to send by now (the outbox) has gone out."""
        repo, now = self.runtime.repo, self.runtime.clock.now()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while True:
            waiting = [row for status in (OutboxStatus.PENDING, OutboxStatus.SENDING)
                       for row in await repo.outbox_rows(status) if row.due_at <= now]
            if not waiting:
                return
            if loop.time() > deadline:
                raise ScenarioFailed(f"{self.channel}: still in the outbox: {waiting}")
            await asyncio.sleep(0.02)

    async def make_invite(self, person: ScenarioPerson) -> str:
        """An invite for ``person`` made as ``thidua invite`` makes it (in this database)."""
        made = await invites.create_invite(
            self.runtime.repo, self.runtime.bloc, role=person.role, unit_code=person.unit,
            uses=1, validity=timedelta(days=7), created_by="cli", now=self.runtime.clock.now())
        return made.token


async def play(scenario: Scenario, driver: Driver) -> Outcome:
    """Play every step through ``driver``; raises :class:`ScenarioFailed` at the first
    step that cannot be played or whose check fails."""
    outcome = Outcome(driver.channel, {})
    last: dict[str, str] = {}
    for step in scenario.steps:
        where = f"{driver.channel}, {step}"
        try:
            if step.kind == "join":
                if step.value == OPERATOR:
                    token = await driver.make_invite(scenario.people[step.who])
                else:
                    found = TOKEN_IN_TEXT.search(last.get(step.value, ""))
                    if found is None:
                        raise ScenarioFailed(f"{where}: no invite in {step.value}'s last "
                                             f"answer:\n{last.get(step.value)}")
                    token = found.group(1)
                last[step.who] = await driver.say(step.who, f"{driver.register_word} {token}")
            elif step.kind == "say":
                last[step.who] = await driver.say(step.who, step.value)
            elif step.kind == "choose":
                last[step.who] = await driver.choose(step.who, step.value)
            elif step.kind == "photo":
                last[step.who] = await driver.photo(step.who)
            elif step.kind == "vote":
                last[step.who] = await driver.vote(step.who, step.value,
                                                   last.get(step.who, ""))
            elif step.kind == "at":
                await driver.move_clock(step.value)
                continue
            elif step.kind == "reload":
                await driver.reload(scenario.bloc_files[step.value])
                continue
            elif step.kind == "expect":
                if step.value not in last.get(step.who, ""):
                    raise ScenarioFailed(f"{where}: the last answer was:\n{last.get(step.who)}")
                outcome.checked.append(f"expect: {step.value}")
                continue
            elif step.kind == "receive":
                await driver.receive(step.who, step.value)
                outcome.checked.append(f"receive: {step.value}")
                continue
        except (LookupError, TimeoutError) as exc:
            raise ScenarioFailed(f"{where}: {exc}") from exc
        outcome.answers.append((step.who, f"{step.kind}: {step.value}", last[step.who]))
    await driver.finish()
    return outcome


class Completions:
    """Counts the events the dispatcher finished handling, per person, so a runner knows when
    the bot is done answering (the answer is delivered before ``Dispatcher.handle`` returns)."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self._changed = asyncio.Event()
        # the dispatcher's pipeline is open to a new step: this one, outermost, counts
        dispatcher.steps = (self._count, *dispatcher.steps)

    async def _count(self, handling: Handling, call_next: Callable[[], Awaitable[None]]) -> None:
        try:
            await call_next()
        finally:
            self.counts[(handling.event.channel, handling.event.user_id)] += 1
            self._changed.set()

    async def after(self, channel: str, user_id: str, send: Callable[[], Awaitable[object]],
                    ) -> None:
        """Run ``send`` (one event from the person) and wait until it has been handled."""
        key = (channel, user_id)
        wanted = self.counts[key] + 1
        await send()
        async with asyncio.timeout(WAIT_SECONDS):
            while self.counts[key] < wanted:
                self._changed.clear()
                await self._changed.wait()


# -- Telegram ---------------------------------------------------------------------------------


def ids_of(driver: Driver) -> PeopleIds:
    """The scenario's people as the driver's channel knows them."""
    return PeopleIds(driver.channel, {driver.external_id(key): key
                                      for key in driver.scenario.people})
