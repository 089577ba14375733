"""The console channel: the offline demo, where a terminal plays a person in chat.

It reads lines from standard input until end of input (so it can be scripted),
shows options as a numbered list, prints text without HTML, and saves files
and images it is sent into an output folder. ``/as WHO`` changes who is typing.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.channels.kit import Handle
from bot.domain.events import (
    ChatKind,
    Choice,
    FileRef,
    Inbound,
    InboundFile,
    Message,
    Option,
    Published,
    Response,
    Traits,
)
from bot.domain.i18n import Texts
from bot.domain.presenting import present
from bot.domain.text import fold, html_to_plain, numbered_lines

CHANNEL = "console"
# a terminal: options are numbered lines typed back, text is plain, files are saved
TRAITS = Traits(buttons=True, markup=False, text_limit=1_000_000, caption_limit=1_000_000,
                uploads=True, photo_urls=False)
DATE_COMMANDS = ("/ngay", "/today")  # the demo's clock moves on: /ngay 15/12/2023 09:00
FILE_COMMANDS = ("/tep", "/file")  # a file sent in the demo: /tep ke-hoach.pdf
DEMO_GROUP = "demo-group"  # where the demo's posts "to the group" are printed
_SAFE_NAME = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class Persona:
    """Someone the demo can play: a code to choose it by, and the member it is."""

    code: str
    external_id: str
    label: str


class ConsoleChannel:
    """Plays the demo on a terminal (or a script piped into it)."""

    traits = TRAITS

    def __init__(
        self, handle: Handle, texts: Texts, personas: list[Persona], *, bloc_name: str,
        out_dir: Path | None, stdin: TextIO | None = None, stdout: TextIO | None = None,
        echo: bool | None = None,
        move_clock: Callable[[str], Awaitable[str]] | None = None,
    ) -> None:
        self._handle = handle
        self._texts = texts
        self.bloc_name = bloc_name
        self.personas = personas
        self.out_dir = out_dir
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.echo = (not self.stdin.isatty()) if echo is None else echo
        self.persona: Persona | None = None
        self._saved = 0
        # the bot's own options last shown (a command's, not a question's): a typed number
        # presses one, as a button would (a question's numbers are its conversation's)
        self._offered: tuple[Option, ...] = ()
        self._posted = 0
        # ``/ngay 15/12/2023 09:00``: the demo's clock moves on (what it says is printed)
        self.move_clock = move_clock
        self._files = 0  # files sent with /tep, numbered for their ids

    async def send(self, chat_id: str, message: Message) -> None:
        """Messages the bot sends on its own (reminders, notices) are printed as they come,
        under the name of whoever they are for when that is not the person typing."""
        if self.persona is None or chat_id != self.persona.external_id:
            who = next((p.label for p in self.personas if p.external_id == chat_id), chat_id)
            self.print(self.t("console.message_for", who=who))
        self._render_message(message)

    async def publish(self, chat_id: str, messages: list[Message], *, pin: bool,
                      replace: str | None = None) -> Published:
        """A post to the group is printed under a heading saying so."""
        heading = "console.edited_post" if replace else "console.group_post"
        self.print(self.t(heading, pinned=self.t("console.pinned") if pin else ""))
        for message in messages:
            self._render_message(message)
        if replace is not None:
            return Published(replace, pinned=pin)
        self._posted += 1
        return Published(f"console-{self._posted}", pinned=pin)

    def t(self, key: str, **params: object) -> str:
        return self._texts.text(None, key, **params)

    def print(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def _read_line(self) -> str | None:
        line: str = await asyncio.get_running_loop().run_in_executor(None, self.stdin.readline)
        if line == "":
            return None
        line = line.rstrip("\r\n")
        if self.echo:
            self.print(f"> {line}")
        return line

    def find_persona(self, wanted: str) -> Persona | None:
        """A persona by code (any case, diacritics ignored) or by its number in the list."""
        key = fold(wanted)
        if key.isascii() and key.isdigit() and 1 <= int(key) <= len(self.personas):
            return self.personas[int(key) - 1]
        return next((p for p in self.personas if fold(p.code) == key), None)

    def _switch(self, wanted: str) -> bool:
        persona = self.find_persona(wanted)
        if persona is None:
            codes = ", ".join(p.code for p in self.personas)
            self.print(self.t("console.identity_unknown", value=wanted, codes=codes))
            return False
        self.persona = persona
        self.print(self.t("console.you_are", who=persona.label))
        return True

    async def _ask_persona(self) -> bool:
        self.print(self.t("console.choose_identity"))
        for number, persona in enumerate(self.personas, start=1):
            self.print(self.t("console.identity_line", number=number, code=persona.code,
                              label=persona.label))
        while True:
            line = await self._read_line()
            if line is None:
                return False
            wanted = line.strip()
            if wanted.startswith("#"):  # a script's comment
                continue
            first, _, rest = wanted.partition(" ")
            if fold(first) == "/as":  # a script starts as it switches later
                wanted = rest.strip()
            if wanted and self._switch(wanted):
                return True

    async def run(self, as_who: str | None = None,
                  ready: Callable[[], Awaitable[None]] | None = None) -> bool:
        """Chat until end of input; ``False`` if ``as_who`` names nobody the demo knows.

        ``ready`` is awaited once the person is chosen, before the first line is read (the
        demo starts the bot's own work there, so what is due at start is shown to them).
        """
        self.print(self.t("console.banner", bloc=html_to_plain(self.bloc_name)))
        if as_who is not None:
            if not self._switch(as_who):
                return False
        elif not await self._ask_persona():
            return True
        if ready is not None:
            await ready()
        while True:
            line = await self._read_line()
            if line is None:
                return True
            text = line.strip()
            if not text or text.startswith("#"):  # a script's comment
                continue
            first, _, rest = text.partition(" ")
            if fold(first) in DATE_COMMANDS and self.move_clock is not None:
                self.print(await self.move_clock(rest.strip()))
                continue
            if fold(first) == "/as":
                if rest.strip():
                    self._switch(rest.strip())
                elif not await self._ask_persona():
                    return True
                continue
            if fold(first) in FILE_COMMANDS and rest.strip():
                await self.send_file(rest.strip())
                continue
            await self.say(text)

    async def send_file(self, name: str) -> Response:
        """``/tep bao-cao.pdf``: the current persona sends a file of that name (the demo
        stands in for one, as a messenger's attachment would come: a name and an id)."""
        assert self.persona is not None
        self._files += 1
        mime, _ = mimetypes.guess_type(name)
        photo = (mime or "").startswith("image/")
        event = Inbound(
            channel=CHANNEL, user_id=self.persona.external_id, chat_id=self.persona.external_id,
            chat_kind=ChatKind.PRIVATE, display_name=self.persona.label,
            file=InboundFile(f"demo-file-{self._files}", None if photo else name, mime, None,
                             "photo" if photo else "document"))
        response = await self._handle(event)
        self.render(response)
        return response

    async def say(self, text: str) -> Response:
        """Send one line as the current persona and print the bot's answer."""
        assert self.persona is not None
        offered, self._offered = self._offered, ()
        number = text.strip()
        pressed = offered[int(number) - 1] if number.isascii() and number.isdigit() and (
            1 <= int(number) <= len(offered)) else None
        event = Inbound(
            channel=CHANNEL, user_id=self.persona.external_id, chat_id=self.persona.external_id,
            chat_kind=ChatKind.PRIVATE, display_name=self.persona.label,
            text=None if pressed else text,
            choice=Choice(0, pressed.value) if pressed else None,
        )
        response = await self._handle(event)
        self.render(response)
        return response

    def render(self, response: Response) -> None:
        """Print replies as a person would read them on a plain screen."""
        t = self._texts.translator()
        for reply in response.replies:
            for message in present(reply, TRAITS, t, channel=CHANNEL).messages:
                self._render_message(message)

    def _render_message(self, message: Message) -> None:
        if message.file is not None:
            if self.out_dir is None:  # a folder of its own, made when the first file comes
                self.out_dir = Path(tempfile.mkdtemp(prefix="thidua-demo-files-"))
            self.out_dir.mkdir(parents=True, exist_ok=True)
            safe = _SAFE_NAME.sub("_", message.file.name) or "file"
            while True:  # never over a file saved earlier (an earlier demo, the same folder)
                self._saved += 1
                path = self.out_dir / f"{self._saved:03d}-{safe}"
                try:
                    with path.open("xb") as out:
                        out.write(message.file.content)
                    break
                except FileExistsError:
                    continue
            self.print(self.t("console.file_saved", path=path))
        shown = message.resend or (FileRef(CHANNEL, message.photo_url, "photo", None)
                                   if message.photo_url else None)
        if shown is not None:
            self.print(self.t("console.attachment", name=shown.name or shown.kind))
        self.print(message.text)
        if message.options:
            self._offered = message.options if message.token == 0 else ()
            for line in numbered_lines([option.label for option in message.options]):
                self.print(f"  {line}")
            self.print(self.t("console.options_hint"))
        self.print()
