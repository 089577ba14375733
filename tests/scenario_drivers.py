"""The three ways a scenario reaches the bot: Telegram, Zalo and the console drivers.

See ``tests/scenario_runner.py`` for the scenario format and how a run is played.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import SecretStr

from bot.app.runtime import Runtime, open_runtime
from bot.channels.console import ConsoleChannel, Persona
from bot.domain.clock import Clock
from bot.domain.events import Reply
from bot.domain.text import html_to_plain
from config.settings import Settings
from tests.botapi import BotMessage, FakeBotApi, FakeUser
from tests.e2e import running_bot, start_serving
from tests.scenario_dump import dump_database
from tests.scenario_runner import (
    TELEGRAM_IDS,
    WAIT_SECONDS,
    Driver,
    Outcome,
    Scenario,
    ids_of,
    pick_label,
    play,
)
from tests.zaloapi import FakeZaloApi, SentMessage, ZaloUser


class TelegramDriver(Driver):
    """People are users of the fake Bot API; the real PTB application serves them."""

    channel = "telegram"

    def __init__(self, scenario: Scenario, runtime: Runtime, api: FakeBotApi) -> None:
        super().__init__(scenario, runtime)
        self.api = api
        self.users: dict[str, FakeUser] = {
            key: api.user(TELEGRAM_IDS + index, person.name, language_code="vi")
            for index, (key, person) in enumerate(scenario.people.items())
        }

    def external_id(self, who: str) -> str:
        return str(self.users[who].id)

    async def _answer(self, who: str, send: Callable[[], object]) -> str:
        user = self.users[who]
        sent, answered = len(self.api.sent), len(self.api.answered_callbacks)

        async def act() -> None:
            send()

        await self.completions.after(self.channel, str(user.id), act)
        notices = [str(a["text"]) for a in self.api.answered_callbacks[answered:]
                   if a.get("text")]
        texts = [m.plain_text or "" for m in self.api.sent[sent:] if m.chat_id == user.id]
        return "\n".join(notices + texts)

    async def say(self, who: str, text: str) -> str:
        return await self._answer(who, lambda: self.api.send_text(self.users[who], text))

    def _keyboard(self, who: str) -> BotMessage:
        """The last message to the person that still has buttons (answered ones lose them)."""
        for message in reversed(self.api.messages_to(self.users[who].id)):
            if message.buttons and not message.deleted:
                return message
        raise LookupError("the person was shown no buttons")

    def menu(self, who: str) -> list[tuple[str, str]]:
        """The buttons of the last keyboard, numbered in reading order."""
        flat = [text for row in self._keyboard(who).buttons for text, data in row
                if data is not None]
        return [(str(number), text) for number, text in enumerate(flat, start=1)]

    async def choose(self, who: str, label: str) -> str:
        """Press the button on the newest keyboard that has it: Telegram has buttons, and a
        notice the outbox sends meanwhile (its own keyboard) must not hide the question's."""
        for menu in reversed(self.api.messages_to(self.users[who].id)):
            flat = [button for row in menu.buttons for button in row if button[1] is not None]
            if not flat or menu.deleted:
                continue
            try:
                data = flat[pick_label([text for text, _ in flat], label)][1]
            except LookupError:
                continue
            assert data is not None
            return await self._answer(who, lambda m=menu, d=data: self.api.press(
                self.users[who], m, d))
        raise LookupError(f"no button {label!r} was shown to {who}")

    async def receive(self, who: str, text: str) -> str:
        message = await self.api.wait_for_message(
            self.users[who].id, lambda m: text in (m.plain_text or ""), self.wait_seconds)
        return message.plain_text or ""

    async def photo(self, who: str) -> str:
        return await self._answer(who, lambda: self.api.send_photo(self.users[who]))

    async def vote(self, who: str, candidate: str, ballot: str) -> str:
        """Press the candidate's button on the ballot."""
        return await self.choose(who, candidate)


async def run_on_telegram(scenario: Scenario, settings: Settings, clock: Clock) -> Outcome:
    """Play ``scenario`` with the real PTB application against the fake Bot API."""
    async with FakeBotApi() as api:
        tg_settings = settings.model_copy(update={
            "telegram_bot_token": SecretStr(api.token), "telegram_api_url": api.base_url,
            "zalo_bot_token": None, "webhook_url": None,
        })
        async with running_bot(tg_settings, clock) as bot:
            driver = TelegramDriver(scenario, bot.runtime, api)
            outcome = await play(scenario, driver)
    outcome.dump = dump_database(settings.database, ids_of(driver))
    return outcome


# -- Zalo -------------------------------------------------------------------------------------

MENU_LINE = re.compile(r"^(\d+)\. (.*)$")


class ZaloDriver(Driver):
    """People are users of the fake Zalo API; ``serve`` long-polls it."""

    channel = "zalo"
    register_word = "dangky"  # what a Zalo invite tells the person to write

    def __init__(self, scenario: Scenario, runtime: Runtime, zalo: FakeZaloApi) -> None:
        super().__init__(scenario, runtime)
        self.zalo = zalo
        self.users: dict[str, ZaloUser] = {
            key: zalo.user(person.name) for key, person in scenario.people.items()}
        texts = self.runtime.texts
        self.menu_header = texts.catalog.text(texts.default_language, "channel.menu_header")

    def external_id(self, who: str) -> str:
        return self.users[who].id

    async def say(self, who: str, text: str) -> str:
        user = self.users[who]
        sent = len(self.zalo.sent)
        await self.completions.after(self.channel, user.id, lambda: user.say(text))
        return "\n".join(m.shown_text or "" for m in self.zalo.sent[sent:]
                         if m.chat_id == user.id)

    def menu(self, who: str) -> list[tuple[str, str]]:
        for message in reversed(self.zalo.messages_to(self.users[who])):
            text = message.shown_text or ""
            if self.menu_header not in text:
                continue
            lines = text.rsplit(self.menu_header, 1)[1].splitlines()
            # a label that starts with its own number is shown once: "1. Tổ chức …" is the
            # whole label, so the line is kept whole as the label
            found = [(m.group(1), m.group(0)) for m in map(MENU_LINE.match, lines) if m]
            return [(number, line) for number, line in found if number != "0"]  # 0: exit
        raise LookupError("the person was shown no numbered menu")

    async def receive(self, who: str, text: str) -> str:
        message: SentMessage = await self.zalo.wait_for_message(
            self.users[who], lambda m: text in (m.shown_text or ""), self.wait_seconds)
        return message.shown_text or ""

    async def photo(self, who: str) -> str:
        user = self.users[who]
        sent = len(self.zalo.sent)
        await self.completions.after(self.channel, user.id, lambda: user.send_image())
        return "\n".join(m.shown_text or "" for m in self.zalo.sent[sent:]
                         if m.chat_id == user.id)


async def run_on_zalo(scenario: Scenario, settings: Settings, clock: Clock) -> Outcome:
    """Play ``scenario`` with ``serve`` (``thidua run``) long-polling the fake Zalo API."""
    async with FakeZaloApi(max_poll_wait=0.5) as zalo:
        zalo_settings = settings.model_copy(update={
            "zalo_bot_token": SecretStr(zalo.token), "zalo_api_url": zalo.url,
            "telegram_bot_token": None, "webhook_url": None,
        })
        task, stop, _, runtime = await start_serving(zalo_settings, clock)
        try:
            driver = ZaloDriver(scenario, runtime, zalo)
            outcome = await play(scenario, driver)
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=10)
    outcome.dump = dump_database(settings.database, ids_of(driver))
    return outcome


# -- the console ------------------------------------------------------------------------------

OPTIONS_LINE = re.compile(r"^  (\d+)\. (.*)$")


class ConsoleDriver(Driver):
    """People are personas of the offline demo, typing through :class:`ConsoleChannel`.

    The demo's own personas are registered at start; the scenario's people are not,
    so they register with invites like everyone else.
    """

    channel = "console"

    def __init__(self, scenario: Scenario, runtime: Runtime, out_dir: Path) -> None:
        super().__init__(scenario, runtime)
        self.personas = {key: Persona(key, f"console-{key}", person.name)
                         for key, person in scenario.people.items()}
        self.out = io.StringIO()
        self.console = ConsoleChannel(runtime.dispatcher.handle, runtime.texts,
                                      list(self.personas.values()), bloc_name=runtime.bloc.name,
                                      out_dir=out_dir, stdin=io.StringIO(""), stdout=self.out)
        runtime.channels.add("console", self.console)
        self.shown: dict[str, list[str]] = {key: [] for key in scenario.people}
        self.inbox: dict[str, list[str]] = {key: [] for key in scenario.people}
        self._received: set[tuple[str, int]] = set()
        by_chat = {persona.external_id: key for key, persona in self.personas.items()}
        send = self.console.send

        async def record(chat_id: str, reply: Reply) -> None:  # what the outbox sends
            if chat_id in by_chat:
                self.inbox[by_chat[chat_id]].append(html_to_plain(reply.text))
            await send(chat_id, reply)

        self.console.send = record  # type: ignore[method-assign]
        self.hint = runtime.texts.catalog.text(runtime.texts.default_language,
                                              "console.options_hint")

    def external_id(self, who: str) -> str:
        return self.personas[who].external_id

    async def say(self, who: str, text: str) -> str:
        persona = self.console.persona = self.personas[who]  # what ``/as <who>`` does
        start = len(self.out.getvalue())
        await self.completions.after(self.channel, persona.external_id,
                                     lambda: self.console.say(text))
        printed = self.out.getvalue()[start:]
        self.shown[who].append(printed)
        return printed

    def menu(self, who: str) -> list[tuple[str, str]]:
        """The numbered lines printed just above the last hint the person was shown."""
        for printed in reversed(self.shown[who]):
            lines = printed.splitlines()
            if self.hint not in lines:
                continue
            end = len(lines) - 1 - lines[::-1].index(self.hint)
            options: list[tuple[str, str]] = []
            for line in reversed(lines[:end]):
                match = OPTIONS_LINE.match(line)
                if match is None:
                    break
                # a label that starts with its own number is printed once (text.numbered_lines)
                options.insert(0, (match.group(1), line.strip()))
            return options
        raise LookupError("the person was shown no numbered options")

    async def photo(self, who: str) -> str:
        raise LookupError("the console scenario sends no photos")

    async def receive(self, who: str, text: str) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while True:
            for index, message in enumerate(self.inbox[who]):
                if text in message and (who, index) not in self._received:
                    self._received.add((who, index))
                    return message
            if loop.time() > deadline:
                raise TimeoutError(f"no message with {text!r}; received: {self.inbox[who]}")
            await asyncio.sleep(0.02)


async def run_on_console(scenario: Scenario, settings: Settings, clock: Clock) -> Outcome:
    """Play ``scenario`` through the console channel, as ``thidua demo`` runs it."""
    async with await open_runtime(settings, clock=clock) as runtime:
        await runtime.start()
        driver = ConsoleDriver(scenario, runtime, settings.database.parent / "console-files")
        outcome = await play(scenario, driver)
        await runtime.outbox.drain()
    outcome.dump = dump_database(settings.database, ids_of(driver))
    return outcome


RUNNERS: dict[str, Callable[[Scenario, Settings, Clock], Awaitable[Outcome]]] = {
    "telegram": run_on_telegram,
    "zalo": run_on_zalo,
    "console": run_on_console,
}
