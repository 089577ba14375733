"""The Zalo channel: the same bot on the messenger Vietnamese officials use every day.

Zalo bots have no buttons, no editing and no documents, so this channel:
options become a numbered menu ("Trả lời bằng số: 1. … 0. Thoát"), remembered per
chat in the database with the dialog token it was offered under, so that a
typed "2" (or the option's label) becomes the same choice a Telegram button
press would, and an answer to an out-of-date menu is refused by the core; text
is sent plain, split at 2,000 characters on line boundaries; files become
signed, expiring download links (images are sent as photos by URL). Updates
arrive by long polling (development) or through the webhook server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import weakref
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.core import Core
from bot.dialog import match_option
from bot.downloads import DownloadStore
from bot.events import (
    ChatKind,
    Choice,
    DeliveryError,
    Inbound,
    InboundFile,
    Option,
    Published,
    Reply,
    Response,
)
from bot.periods import format_moment
from bot.text import fold, html_to_plain, numbered_lines, split_message
from storage.records import ShownMenu

from .zalo_api import TEXT_LIMIT, ZaloApiError, ZaloClient, ZaloUpdate, parse_update

log = logging.getLogger(__name__)

CHANNEL = "zalo"
SEND_ATTEMPTS = 4
POLL_TIMEOUT = 30  # seconds a getUpdates call may wait for an update
POLL_BACKOFF_FIRST = 1.0  # seconds before polling again after a failure, doubling each time
POLL_BACKOFF_MAX = 30.0  # and never more than this; a rejected token waits this long at once
EXIT_NUMBER = "0"
REGISTER_WORDS = ("dangky", "dang ky", "/dangky")
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
NOT_UNDERSTOOD_EVENTS = ("message.sticker.received", "message.unsupported.received")

T = TypeVar("T")
_COMMAND_AFTER_MENTION = re.compile(r"\s(/[A-Za-z]\S*(?:\s.*)?)$", re.DOTALL)
FAILING_AFTER = 60.0  # seconds of failed polls before the health check says "down"


class ZaloStartError(Exception):
    """The Zalo bot cannot start for a reason the operator can fix; ``kind`` is a catalog key."""

    def __init__(self, kind: str, **params: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.params = params


def registration_text(text: str) -> str:
    """``dangky <token>`` (as the invite tells a Zalo user to write) means ``/start <token>``.

    Only a single word counts (a mistyped one is then refused as an invalid invite), so a
    question that starts with "Đăng ký …" stays a question.
    """
    stripped = text.strip()
    for word in REGISTER_WORDS:
        head, rest = stripped[:len(word)], stripped[len(word):]
        code = rest.strip()
        if fold(head) == word and rest[:1].isspace() and code and len(code.split()) == 1:
            return f"/start {code}"
    return text


def strip_mention(text: str, bot_name: str | None) -> str:
    """A group message addressed to the bot starts with a mention: drop it.

    The bot only sees group messages that mention it, and the mention shows the
    name people see (which ``getMe`` may not give), so any leading ``@…`` mention
    followed by a command counts; ``@<bot name> text`` without a command loses
    the bot's name.
    """
    stripped = text.lstrip()
    if stripped[:1] != "@":
        return text
    if bot_name and fold(stripped[1:1 + len(bot_name)]) == fold(bot_name):
        return stripped[1 + len(bot_name):].lstrip()
    command = _COMMAND_AFTER_MENTION.search(stripped)
    return command.group(1) if command else text


def numbered_menu(options: tuple[Option, ...], *, exit_label: str | None,
                  header: str) -> str:
    """The options as lines a person answers by number."""
    lines = [header, *numbered_lines([option.label for option in options])]
    if exit_label is not None:
        lines.append(f"{EXIT_NUMBER}. {exit_label}")
    return "\n".join(lines)


async def with_retries(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a Zalo call, retrying 429s, 5xx answers and network errors with backoff."""
    delay = 0.5
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await call()
        except ZaloApiError as exc:
            if not exc.retryable or attempt == SEND_ATTEMPTS:
                raise
            log.warning("%s failed (%s), retrying in %.1fs", what, exc, delay)
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


class ZaloChannel:
    """Connects the core to one Zalo bot."""

    def __init__(self, core: Core, *, token: str, api_url: str,
                 downloads: DownloadStore | None = None, poll_timeout: int = POLL_TIMEOUT,
                 client: ZaloClient | None = None) -> None:
        self.core = core
        self.client = client or ZaloClient(token, base_url=api_url)
        self.downloads = downloads
        self.poll_timeout = poll_timeout
        self.bot_name: str | None = None
        self.mode: str | None = None  # "polling" or "webhook" once started
        self.failing_since: float | None = None  # the poll loop cannot reach Zalo
        self._poller: asyncio.Task[None] | None = None
        self._handling: set[asyncio.Task[None]] = set()
        # one lock per sender, alive while an update of theirs holds or awaits it
        self._order: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary())
        core.channels[CHANNEL] = self

    # -- lifecycle --------------------------------------------------------------------------

    async def connect(self) -> str:
        """Check the token with ``getMe``; returns the bot's name."""
        try:
            me = await self.client.get_me()
        except ZaloApiError as exc:
            if exc.code in (401, 403, 404):
                raise ZaloStartError("cli.zalo_bad_token") from None
            raise ZaloStartError("cli.zalo_unreachable", reason=exc.description) from None
        self.bot_name = me.display_name or me.account_name or me.id
        self.core.bot_usernames[CHANNEL] = self.bot_name
        return self.bot_name

    async def start_polling(self) -> None:
        """Long-poll ``getUpdates`` in the background (a webhook left set is removed first)."""
        with contextlib.suppress(ZaloApiError):
            if await self.client.webhook_url():
                await self.client.delete_webhook()
        self.mode = "polling"
        self._poller = asyncio.create_task(self._poll(), name="zalo-polling")

    async def start_webhook(self, url: str, secret: str) -> None:
        """Ask Zalo to post updates to ``url`` with ``secret`` in their header."""
        try:
            await with_retries(lambda: self.client.set_webhook(url, secret), "setWebhook")
        except ZaloApiError as exc:
            raise ZaloStartError("cli.zalo_webhook_refused", reason=exc.description) from None
        self.mode = "webhook"

    async def stop(self) -> None:
        """Stop polling, let updates being handled finish, close the HTTP client."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        self.mode = None  # no longer healthy: the health check says so during shutdown
        if self._handling:
            await asyncio.wait(self._handling, timeout=10)
        await self.client.aclose()

    def healthy(self) -> bool:
        """Started, polling (if it polls), and not failing to reach Zalo for a minute."""
        if self.mode is None or (self._poller is not None and self._poller.done()):
            return False
        failing = self.failing_since
        return failing is None or asyncio.get_running_loop().time() - failing < FAILING_AFTER

    async def _poll(self) -> None:
        delay = POLL_BACKOFF_FIRST
        loop = asyncio.get_running_loop()
        while True:
            try:
                update = await self.client.get_update(self.poll_timeout)
            except Exception as exc:  # whatever went wrong, polling must go on
                if self.failing_since is None:
                    self.failing_since = loop.time()
                unauthorized = isinstance(exc, ZaloApiError) and exc.unauthorized
                if unauthorized:  # a revoked token is not back in a second: ask rarely
                    delay = max(delay, POLL_BACKOFF_MAX)
                if isinstance(exc, ZaloApiError):
                    log.log(logging.ERROR if unauthorized else logging.WARNING,
                            "Zalo getUpdates failed (%s); trying again in %.1fs", exc, delay)
                else:
                    log.exception("Zalo polling failed unexpectedly; trying again in %.1fs",
                                  delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, POLL_BACKOFF_MAX)
                continue
            self.failing_since, delay = None, POLL_BACKOFF_FIRST
            if update is not None:
                self.accept(update)

    # -- inbound ----------------------------------------------------------------------------

    def accept(self, update: ZaloUpdate) -> None:
        """Handle an update in the background, one at a time per person, in arrival order."""
        task = asyncio.create_task(self._handle_in_order(update))
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)

    async def feed(self, body: Any) -> None:
        """Handle a webhook body (bare or wrapped in ``{ok, result}``); returns when done."""
        update = parse_update(body)
        if update is not None:
            await self._handle_in_order(update)

    @staticmethod
    def update_key(body: Any) -> str | None:
        """What identifies a webhook body's update: event name and message id."""
        update = parse_update(body)
        return update.key if update is not None else None

    async def _handle_in_order(self, update: ZaloUpdate) -> None:
        sender = update.message.sender.id if update.message else ""
        # not dropped when released: a later update may be waiting for it, and a new lock
        # would let an update arriving meanwhile overtake that one
        lock = self._order.setdefault(sender, asyncio.Lock())
        try:
            async with lock:
                await self.handle(update)
        except Exception:
            log.exception("could not handle Zalo update %s", update.key)

    async def handle(self, update: ZaloUpdate) -> None:
        """Turn one update into the core's event and send back its answer."""
        message = update.message
        if message is None or message.sender.is_bot:
            return
        chat_id, private = message.chat.id, message.chat.chat_type.upper() != "GROUP"
        if update.event_name in NOT_UNDERSTOOD_EVENTS:
            if private:
                language = await self.core.language_of(CHANNEL, message.sender.id)
                await self._reply_safely(chat_id, self._t(language, "zalo.text_or_pictures"))
            return
        if update.event_name not in (TEXT_EVENT, IMAGE_EVENT):
            log.info("ignoring a Zalo %s event", update.event_name)
            return
        file = None
        text = message.text
        if update.event_name == IMAGE_EVENT:
            if not message.photo:
                return
            file = InboundFile(message.photo, None, "image/jpeg", None, "photo")
            text = message.caption
        choice = None
        if text is not None:
            if not private:
                text = strip_mention(text, self.bot_name)
            text = registration_text(text)
            if file is None:
                choice, text = await self._menu_answer(chat_id, text)
        event = Inbound(
            channel=CHANNEL, user_id=message.sender.id, chat_id=chat_id,
            chat_kind=ChatKind.PRIVATE if private else ChatKind.GROUP,
            display_name=message.sender.display_name or message.sender.id,
            text=None if choice is not None else text, choice=choice, file=file,
            update_key=update.key,
        )

        async def deliver(response: Response) -> None:
            await self.deliver(chat_id, response)

        await self.core.handle(event, deliver)

    async def _menu_answer(self, chat_id: str, text: str) -> tuple[Choice | None, str]:
        """A typed number or label of the chat's last menu, as the choice it stands for."""
        if text.startswith("/"):
            return None, text
        menu = await self.core.repo.load_menu(CHANNEL, chat_id)
        if menu is None:
            return None, text
        if text.strip() == EXIT_NUMBER and menu.token > 0:
            return None, "/huy"
        picked = match_option(text, [Option(label, value) for label, value in menu.options])
        return (Choice(menu.token, picked.value), text) if picked else (None, text)

    # -- outbound ---------------------------------------------------------------------------

    def _t(self, language: str, key: str, **params: object) -> str:
        return self.core.catalog.text(language, key, **params)

    async def _language(self, chat_id: str) -> str:
        return await self.core.language_of(CHANNEL, chat_id)

    async def _reply_safely(self, chat_id: str, text: str) -> None:
        try:
            await self.send(chat_id, Reply(text))
        except DeliveryError as exc:
            log.error("could not send a reply to Zalo chat %s: %s", chat_id, exc)

    async def deliver(self, chat_id: str, response: Response) -> None:
        """Send every reply of a response, in order."""
        if response.notice and all(reply.text != response.notice
                                   for reply in response.replies):
            # what Telegram shows as a toast on the pressed button is a message here
            await self._reply_safely(chat_id, response.notice)
        for reply in response.replies:
            target = reply.chat_id or chat_id
            try:
                await self.send(target, reply)
            except DeliveryError as exc:
                log.error("could not send a reply to Zalo chat %s: %s", target, exc)

    async def send(self, chat_id: str, reply: Reply) -> None:
        """One reply as plain text (and a photo or a download link for a file)."""
        try:
            await self._send(chat_id, reply)
        except ZaloApiError as exc:
            if exc.code == 403:
                raise DeliveryError(str(exc), blocked=True) from exc
            raise DeliveryError(str(exc), permanent=not exc.retryable) from exc

    async def publish(self, chat_id: str, reply: Reply, *, pin: bool,
                      replace: str | None = None) -> Published:
        """Post to a group. Zalo lets bots neither edit nor pin: a change is posted anew."""
        message_id = ""
        for chunk in split_message(html_to_plain(reply.text), TEXT_LIMIT, markup=False):
            message_id = await with_retries(
                lambda chunk=chunk: self.client.send_message(chat_id, chunk),  # type: ignore[misc]
                "posting a message")
        return Published(message_id, pinned=False, pin_unsupported=pin)

    async def _send(self, chat_id: str, reply: Reply) -> None:
        language = await self._language(chat_id)
        text = html_to_plain(reply.text)
        now = self.core.clock.now()
        if reply.attachment is not None:
            if reply.attachment.channel == CHANNEL and reply.attachment.kind == "photo":
                await self._photo(chat_id, reply.attachment.file_id, text)
                text = "" if len(text) <= TEXT_LIMIT else text
            else:
                text += "\n" + self._t(language, "channel.attachment_elsewhere",
                                       name=reply.attachment.name or reply.attachment.kind)
        if reply.file is not None:
            text = await self._file(chat_id, reply, text, language, now)
        numbered = bool(reply.options) and not (
            reply.token == 0 and await self._filling_in_a_form(chat_id))
        if numbered:
            text = (text + "\n\n" if text else "") + numbered_menu(
                reply.options, header=self._t(language, "zalo.menu_header"),
                exit_label=self._t(language, "zalo.menu_exit") if reply.token > 0 else None)
        elif reply.options:
            # a reminder arriving mid-form must not take over the form's numbers: its
            # options are shown as the commands they run
            text += "".join("\n" + self._t(language, "zalo.option_command", label=option.label,
                                            command=option.value)
                            for option in reply.options if option.value.startswith("/"))
        for chunk in split_message(text, TEXT_LIMIT, markup=False) if text.strip() else []:
            await with_retries(
                lambda chunk=chunk: self.client.send_message(chat_id, chunk),  # type: ignore[misc]
                "sending a message")
        await self._remember_menu(chat_id, reply, now, numbered)

    async def _remember_menu(self, chat_id: str, reply: Reply, now: datetime,
                             numbered: bool) -> None:
        """What a typed number means from now on in this chat."""
        if reply.options:
            if not numbered:
                return
            await self.core.repo.save_menu(ShownMenu(
                CHANNEL, chat_id, reply.token,
                tuple((option.label, option.value) for option in reply.options)), now)
        elif reply.token > 0:  # a question to answer in words: numbers are words again
            await self.core.repo.clear_menu(CHANNEL, chat_id)

    async def _filling_in_a_form(self, chat_id: str) -> bool:
        """The person of this private chat is answering a form (not just browsing a view)."""
        dialog = await self.core.repo.load_dialog(CHANNEL, chat_id)
        form = self.core.engine.form(dialog.form if dialog else None)
        return form is not None and not form.browse

    async def _photo(self, chat_id: str, url: str, caption: str) -> None:
        await with_retries(lambda: self.client.send_photo(chat_id, url, caption[:TEXT_LIMIT]
                                                          or None), "sending a photo")

    async def _file(self, chat_id: str, reply: Reply, text: str, language: str,
                    now: datetime) -> str:
        """Send an image as a photo by its link, or say where to download a file;
        returns the text still to send."""
        assert reply.file is not None
        if self.downloads is None:
            return (text + "\n\n" if text else "") + self._t(
                language, "zalo.file_unavailable", name=reply.file.name)
        offered = await asyncio.to_thread(self.downloads.offer, reply.file, now)
        if reply.file.is_image:
            await self._photo(chat_id, offered.url, text if len(text) <= TEXT_LIMIT else "")
            return "" if len(text) <= TEXT_LIMIT else text
        link = self._t(language, "zalo.file_link", name=reply.file.name,
                       size=_size(len(reply.file.content)), url=offered.url,
                       expires=format_moment(offered.expires_at,
                                             ZoneInfo(self.core.bloc.timezone)))
        return (text + "\n\n" if text else "") + link


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"
