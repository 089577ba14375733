"""The Telegram channel: python-telegram-bot's Bot, rendered with inline keyboards.

Everything Telegram-specific stays here and in ``telegram_updates`` (an update's JSON
as an :class:`~bot.domain.events.Inbound`, versioned callback data): HTML messages split
at 4096 characters, retries of failed sends, webhooks and the application's lifecycle.

Polling is the bot's own ``getUpdates`` loop, not PTB's ``Updater``: the Updater
moves its offset on as soon as it has queued a batch, so the next call confirms to
Telegram updates nobody has handled yet, and a crash loses them. Here each batch is
written to the inbox (``bot/services/inbox.py``) before the call that confirms it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InputFile,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ExtBot

from bot.channels import retry
from bot.channels.kit import Handle
from bot.channels.telegram_transport import AiohttpRequest
from bot.channels.telegram_updates import CHANNEL, encode_choice, to_inbound
from bot.domain.events import DeliveryError, Published, Response, Sent, Traits
from bot.domain.events import Message as BotMessage
from bot.domain.text import escape, html_to_plain
from bot.services import background
from bot.services.inbox import Inbox

log = logging.getLogger(__name__)

HTML = ParseMode.HTML.value
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates call open when there is nothing
POLL_BACKOFF_FIRST, POLL_BACKOFF_MAX = 1.0, 30.0
REQUEST_POOL = 256  # connections for sending (PTB's ApplicationBuilder uses as many)

T = TypeVar("T")
OnMove = Callable[[str, str], Awaitable[None]]  # a group moved: remember its new id
Menu = Sequence[tuple[str, Sequence[tuple[str, str]]]]
"""The command menu per language: ``(language, [(name, description), …])``."""


class TelegramStartError(Exception):
    """Start-up failed for a reason the operator can fix; ``kind`` is a catalog key."""

    def __init__(self, kind: str, **params: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.params = params


def _retry_wait(exc: Exception) -> float | None:
    """429s still escaping the rate limiter wait their ``retry_after``; network errors and
    5xx answers back off; bad requests and blocked users are final."""
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        return float(wait if isinstance(wait, int | float) else wait.total_seconds())
    if isinstance(exc, BadRequest | Forbidden | InvalidToken):
        return None  # (BadRequest is a NetworkError: asked first)
    return retry.BACKOFF if isinstance(exc, NetworkError | TimedOut) else None


async def with_retries(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a Bot API call, trying again when Telegram or the network says it may help."""
    return await retry.with_retries(call, what, _retry_wait)


class TelegramBot(ExtBot[int]):
    """PTB's bot, plus :meth:`call`: the calls of a reply, whose answer the bot never reads.

    PTB's typed methods turn every answer into objects (a ``Message`` for each message
    sent or edited) and take typed arguments. In benchmark 1, with the transport on
    aiohttp, ``Message.de_json`` was a fifth of the bot's CPU and the ``Update`` objects
    made and dumped again for the inbox another sixth; :meth:`call` posts the Bot API's
    own JSON through the same request pipeline (the rate limiter, the timeouts, the
    mapping of Telegram's errors to ``telegram.error``) and hands back the JSON.
    """

    async def call(self, method: str, params: Mapping[str, Any], *,
                   read_timeout: float | None = None) -> Any:
        """Telegram's ``result`` for ``method`` with ``params`` (a ``None`` value is left
        out); ``read_timeout`` for a call Telegram holds open (a long poll)."""
        if read_timeout is None:
            return await self._post(method, dict(params))
        return await self._post(method, dict(params), read_timeout=read_timeout)


class TelegramChannel:
    """Connects the bot to one Telegram bot account."""

    traits = Traits()  # buttons, HTML, 4,096 characters, uploads: what the others lack

    def __init__(self, handle: Handle, *, token: str, api_url: str, inbox: Inbox,
                 moved: Mapping[str, str] | None = None, on_move: OnMove | None = None,
                 poll_timeout: int = POLL_TIMEOUT) -> None:
        self._handle = handle
        self._moved = dict(moved or {})  # group id → its supergroup's, as Telegram said
        self._on_move = on_move
        self.inbox = inbox
        self.poll_timeout = poll_timeout
        self._requests = (AiohttpRequest(pool_size=REQUEST_POOL), AiohttpRequest(pool_size=1))
        self.bot = TelegramBot(
            token, base_url=f"{api_url}/bot", base_file_url=f"{api_url}/file/bot",
            request=self._requests[0], get_updates_request=self._requests[1],
            # throttling only: a 429 is retried by the one owner (bot/channels/retry.py)
            rate_limiter=AIORateLimiter(max_retries=0))
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .bot(self.bot)
            .updater(None)  # polling is ours (see the module's docstring)
            .build()
        )
        self._poller: asyncio.Task[None] | None = None
        self.mode: str | None = None  # "polling" or "webhook" once started
        inbox.register(CHANNEL, self.feed)

    # -- lifecycle --------------------------------------------------------------------------

    async def connect(self, menu: Menu = ()) -> str:
        """Check the token and set the command menu (``menu``: per language, each command's
        name and description); returns the bot's username."""
        app = self.application
        quiet = logging.getLogger("telegram")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)  # the failure is reported once, below, in one line
        try:
            await retry.at_start(app.initialize, "connecting to Telegram", lambda exc: (
                isinstance(exc, NetworkError | TimedOut) and not isinstance(exc, BadRequest)))
        except InvalidToken:
            raise TelegramStartError("cli.bad_token") from None
        except (NetworkError, TimedOut) as exc:
            reason = (str(exc).strip().splitlines() or ["?"])[0][:200]
            raise TelegramStartError("cli.unreachable", reason=reason) from None
        finally:
            quiet.setLevel(level)
        username: str = app.bot.username
        await self._announce_commands(menu)
        return username

    async def start_polling(self) -> None:
        """Long-poll getUpdates (the default; it removes a webhook left set)."""
        app = self.application
        await with_retries(lambda: app.bot.delete_webhook(), "removing a webhook")
        await app.start()
        self.mode = "polling"
        self._poller = asyncio.create_task(self._poll(), name="telegram-polling")

    async def _poll(self) -> None:
        """getUpdates, store the batch, then ask for the next (which confirms this one)."""
        bot, offset, delay = self.bot, None, POLL_BACKOFF_FIRST
        while True:
            try:
                updates = [u for u in await bot.call("getUpdates", {
                    "offset": offset, "timeout": self.poll_timeout,
                    "allowed_updates": ALLOWED_UPDATES}, read_timeout=self.poll_timeout + 10)
                    if isinstance(u, dict) and isinstance(u.get("update_id"), int)]
                stored = await self.inbox.receive(
                    CHANNEL, [(str(u["update_id"]), u) for u in updates])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # whatever went wrong, polling must go on
                wait = _retry_wait(exc) if isinstance(exc, TelegramError) else None
                log.warning("Telegram getUpdates failed (%s); trying again in %.1fs",
                            exc, wait or delay)
                await asyncio.sleep(wait or delay)
                delay = min(delay * 2, POLL_BACKOFF_MAX)
                continue
            delay = POLL_BACKOFF_FIRST
            if updates:
                offset = updates[-1]["update_id"] + 1
            for receipt, body in stored:
                self.inbox.handle_soon(CHANNEL, receipt, body)

    async def start_webhook(self, url: str, secret: str) -> None:
        """Have Telegram post updates to ``url``, signed with ``secret``."""
        app = self.application
        await app.start()
        try:
            await with_retries(lambda: app.bot.set_webhook(
                url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
            ), "setting the webhook")
        except TelegramError as exc:
            raise TelegramStartError("cli.webhook_refused", reason=str(exc)[:200]) from None

    async def feed(self, body: Any, receipt: int) -> Response | None:
        """Handle an update stored in the inbox as ``receipt``; returns when it is handled
        (``None`` when the body holds nothing to handle)."""
        if not isinstance(body, dict):
            return None
        return await self._on_update(body, receipt)

    @staticmethod
    def update_key(body: Any) -> str | None:
        """What identifies a webhook body's update: its update_id."""
        if isinstance(body, dict) and isinstance(body.get("update_id"), int):
            return str(body["update_id"])
        return None

    def healthy(self) -> bool:
        """Started and handling updates (polling, if it polls)."""
        if self._poller is not None and self._poller.done():
            return False
        return bool(self.application.running)

    async def stop_receiving(self) -> None:
        """Stop polling: no new update comes in (those taken are the inbox's to finish)."""
        await background.cancel(self._poller)
        self._poller = None

    async def stop(self) -> None:
        """Stop polling and release the connection; safe to call after a failed start."""
        await self.stop_receiving()
        app = self.application
        if app.running:
            await app.stop()
        await app.shutdown()  # in webhook mode the webhook stays set: Telegram keeps updates
        for request in self._requests:  # PTB skips this when the bot never connected
            await request.shutdown()

    async def _announce_commands(self, menu: Menu) -> None:
        """setMyCommands per language; a server that lacks it is logged, not fatal."""
        for language, entries in menu:
            commands = [BotCommand(name, description) for name, description in entries]
            try:
                await self.bot.set_my_commands(
                    commands, scope=BotCommandScopeDefault(),
                    language_code=None if language == "vi" else language,
                )
            except TelegramError as exc:
                log.warning("could not set the command menu (%s): %s", language, exc)
                return

    # -- inbound ----------------------------------------------------------------------------

    async def _on_update(self, body: dict[str, Any], receipt: int) -> Response | None:
        event = to_inbound(body)
        if event is None:
            return None
        query = body.get("callback_query")  # a button press: answered, its question marked
        query_id = query.get("id") if isinstance(query, dict) else None

        async def deliver(response: Response) -> Sent:
            if isinstance(query, dict) and isinstance(query_id, str):
                await self._answer_query(query_id, query, response)
            return await self.deliver(event.chat_id, response)

        try:
            return await self._handle(event, deliver, receipt=receipt)
        except Exception:
            if isinstance(query_id, str):  # never leave the button spinning
                with contextlib.suppress(TelegramError):
                    await self.bot.call("answerCallbackQuery", {"callback_query_id": query_id})
            raise

    async def _answer_query(self, query_id: str, query: dict[str, Any],
                            response: Response) -> None:
        try:
            await self.bot.call("answerCallbackQuery",
                                {"callback_query_id": query_id, "text": response.notice})
        except TelegramError as exc:
            log.info("could not answer a button press: %s", exc)
        message, data = query.get("message"), query.get("data")
        if response.notice is None and isinstance(message, dict) and isinstance(data, str):
            await self._mark_chosen(message, data)

    async def _mark_chosen(self, raw: dict[str, Any], data: str) -> None:
        """Replace the answered question's keyboard by the chosen label, so it reads as history."""
        markup = raw.get("reply_markup")
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        label = next((button.get("text") for row in rows if isinstance(row, list)
                      for button in row if isinstance(button, dict)
                      and button.get("callback_data") == data),
                     None) if isinstance(rows, list) else None
        if not isinstance(label, str) or not isinstance(raw.get("text"), str):
            return
        try:  # the question's own formatting, from its entities (its keyboard is not needed)
            message = Message.de_json({k: v for k, v in raw.items() if k != "reply_markup"},
                                      self.bot)
        except Exception as exc:  # a shape PTB cannot read: the mark is only cosmetic
            log.debug("could not read the answered question: %s", exc)
            return
        if message is None or message.text is None:
            return
        try:
            await self.bot.call("editMessageText", {
                "chat_id": message.chat_id, "message_id": message.message_id,
                "text": f"{message.text_html}\n→ <b>{escape(label)}</b>", "parse_mode": HTML})
        except TelegramError as exc:
            log.debug("could not mark the chosen option: %s", exc)

    # -- outbound ---------------------------------------------------------------------------

    async def deliver(self, chat_id: str, response: Response) -> Sent:
        """Send a response's messages in order, each with one short retry; stops at the
        first that may succeed later (the outbox sends it and the rest)."""
        outcomes: list[DeliveryError | None] = []
        with retry.plan(retry.INTERACTIVE, retry.SHORT_WAIT):
            for message in response.messages:
                target = message.chat_id or chat_id
                try:
                    await self._send_classified(target, message)
                    outcomes.append(None)
                except DeliveryError as exc:
                    log.warning("could not send a reply to chat %s now: %s", target, exc)
                    outcomes.append(exc)
                    if not exc.permanent:
                        break
        return outcomes

    async def publish(self, chat_id: str, messages: list[BotMessage], *, pin: bool,
                      replace: str | None = None) -> Published:
        """Post to a chat and pin; with ``replace``, edit that earlier post in place instead.

        An edit that fails because the old post is gone falls back to a new post.
        Pinning needs the right to pin: a refusal is reported, not raised. A post is one
        message: the first of ``messages``.
        """
        bot = self.bot
        text = messages[0].text if messages else ""
        asked, chat_id = chat_id, self._current_id(chat_id)
        if replace is not None:
            try:
                await with_retries(lambda: bot.edit_message_text(
                    text, chat_id=chat_id, message_id=int(replace), parse_mode=ParseMode.HTML,
                ), "editing a post")
                return Published(replace, pinned=pin)
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return Published(replace, pinned=pin)
                log.info("could not edit post %s in %s (%s); posting anew", replace, chat_id, exc)
        try:
            message = await with_retries(lambda: bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML), "posting a message")
        except ChatMigrated as exc:
            chat_id = await self._migrate(asked, exc)
            message = await with_retries(lambda: bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML), "posting a message")
        if not pin:
            return Published(str(message.message_id), pinned=False)
        try:
            await with_retries(lambda: bot.pin_chat_message(
                chat_id, message.message_id, disable_notification=True), "pinning a post")
        except (BadRequest, Forbidden) as exc:
            log.info("not allowed to pin in %s: %s", chat_id, exc)
            return Published(str(message.message_id), pinned=False, pin_refused=True)
        return Published(str(message.message_id), pinned=True)

    async def send(self, chat_id: str, message: BotMessage) -> None:
        """One message, one attempt (the outbox, which calls this, owns the retries).

        Failures come out as :class:`DeliveryError`, classified for the outbox.
        """
        with retry.plan(retry.ONCE):
            await self._send_classified(chat_id, message)

    async def _send_classified(self, chat_id: str, message: BotMessage) -> None:
        try:
            try:
                await self._send(self._current_id(chat_id), message)
            except ChatMigrated as exc:
                await self._send(await self._migrate(chat_id, exc), message)
        except Forbidden as exc:
            raise DeliveryError(str(exc), blocked=True) from exc
        except BadRequest as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
            raise DeliveryError(str(exc), retry_after=float(seconds)) from exc
        except TelegramError as exc:
            raise DeliveryError(str(exc)) from exc

    async def _migrate(self, chat_id: str, exc: ChatMigrated) -> str:
        """The group became a supergroup: Telegram gives its new id, used from now on."""
        new_id = str(exc.new_chat_id)
        log.warning("Telegram group %s is now supergroup %s; sending there (update the bloc "
                    "file's groups: entry)", chat_id, new_id)
        self._moved[chat_id] = new_id
        if self._on_move is not None:
            await self._on_move(chat_id, new_id)
        return new_id

    def _current_id(self, chat_id: str) -> str:
        """A group's id, or its supergroup's once Telegram said it migrated."""
        return self._moved.get(chat_id, chat_id)

    async def _send(self, chat_id: str, message: BotMessage) -> None:
        """One message, by the one Bot API call it needs."""
        call = self.bot.call
        caption = message.text or None
        markup = _keyboard(message)
        if message.resend is not None:
            again = message.resend
            method, field = (("sendPhoto", "photo") if again.kind == "photo"
                             else ("sendDocument", "document"))
            await with_retries(lambda: call(method, {
                "chat_id": chat_id, field: again.file_id, "caption": caption,
                "parse_mode": HTML, "reply_markup": markup}), "re-sending a file")
            return
        if message.photo_url is not None:
            url = message.photo_url
            try:
                await with_retries(lambda: call("sendPhoto", {
                    "chat_id": chat_id, "photo": url, "caption": caption, "parse_mode": HTML,
                    "reply_markup": markup}), "sending a photo by its address")
                return
            except BadRequest as exc:
                if message.fallback is None:
                    raise
                log.info("Telegram could not fetch a photo by its address: %s", exc)
                message = BotMessage(text=message.fallback, options=message.options,
                                     token=message.token)
        if message.file is not None:
            method, field = (("sendPhoto", "photo") if message.file.is_image
                             else ("sendDocument", "document"))
            payload = InputFile(message.file.content, filename=message.file.name)
            await with_retries(lambda: call(method, {
                "chat_id": chat_id, field: payload, "caption": caption, "parse_mode": HTML,
                "reply_markup": markup}), "sending a file")
            return
        text = {"chat_id": chat_id, "text": message.text, "parse_mode": HTML,
                "reply_markup": markup}
        try:
            await with_retries(lambda: call("sendMessage", text), "sending a message")
        except BadRequest as exc:
            if "entities" not in str(exc).lower():
                raise
            # a formatting bug must not cost the person their answer: send it plain
            log.error("Telegram refused the HTML of a reply (%s); sending it as plain text",
                      exc)
            plain = {**text, "text": html_to_plain(message.text), "parse_mode": None}
            await with_retries(lambda: call("sendMessage", plain),
                               "sending a message as plain text")


def _keyboard(message: BotMessage) -> dict[str, Any] | None:
    """The message's options as an inline keyboard, one button a row (Bot API JSON)."""
    if not message.options:
        return None
    return {"inline_keyboard": [
        [{"text": option.label, "callback_data": encode_choice(message.token, option.value)}]
        for option in message.options]}
