"""The Telegram channel: python-telegram-bot's Bot, rendered with inline keyboards.

Everything Telegram-specific stays here (the application's lifecycle, polling, webhooks,
button presses answered), in ``telegram_updates`` (an update's JSON as an
:class:`~bot.domain.events.Inbound`, versioned callback data) and in ``telegram_send``
(each message by the call it needs, retries, posts and pins, refusals classified).

Polling is the bot's own ``getUpdates`` loop, not PTB's ``Updater``: the Updater
moves its offset on as soon as it has queued a batch, so the next call confirms to
Telegram updates nobody has handled yet, and a crash loses them. Here each batch is
written to the inbox (``bot/services/inbox.py``) before the call that confirms it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    InvalidToken,
    NetworkError,
    TelegramError,
    TimedOut,
)
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.channels import retry
from bot.channels.kit import Handle
from bot.channels.telegram_send import (
    OnMove,
    TelegramBot,
    TelegramSender,
    retry_wait,
    with_retries,
)
from bot.channels.telegram_transport import AiohttpRequest
from bot.channels.telegram_updates import CHANNEL, storable, to_inbound
from bot.domain.events import Message as BotMessage
from bot.domain.events import Published, Response, Sent, Traits
from bot.domain.text import escape
from bot.services import background
from bot.services.inbox import Inbox
from bot.services.send_lanes import SendLane

log = logging.getLogger(__name__)

HTML = ParseMode.HTML.value
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates call open when there is nothing
POLL_BACKOFF_FIRST, POLL_BACKOFF_MAX = 1.0, 30.0
REQUEST_POOL = 256  # connections for sending (PTB's ApplicationBuilder uses as many)

Menu = Sequence[tuple[str, Sequence[tuple[str, str]]]]
"""The command menu per language: ``(language, [(name, description), …])``."""


class TelegramStartError(Exception):
    """Start-up failed for a reason the operator can fix; ``kind`` is a catalog key."""

    def __init__(self, kind: str, **params: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.params = params


class _Counted(AIORateLimiter):
    """PTB's throttling, telling the token's budget (bot/services/send_lanes.py) of every
    message the bot posts, a reply's and the outbox's alike: the outbox's bulk waits while
    they have used it."""

    def __init__(self, lane: SendLane | None) -> None:
        super().__init__(max_retries=0)
        self._lane = lane

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any],
                              endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        lane, posts = self._lane, _posts(endpoint, data)
        if lane is None or not posts:
            return await super().process_request(callback, args, kwargs, endpoint, data,
                                                 rate_limit_args)

        async def counted(*call_args: Any, **call_kwargs: Any) -> Any:
            # counted as it goes out, after PTB's own throttling (a group's 20 a minute)
            for _ in range(posts):
                await lane.posting()
            return await callback(*call_args, **call_kwargs)

        return await super().process_request(counted, args, kwargs, endpoint, data,
                                             rate_limit_args)


# What posts a message, as Telegram's flood limits count them (an edit, an answer to a
# button or a chat action does not: tests/botapi/_limits.py counts the same)
_POSTS = frozenset({
    "sendmessage", "sendphoto", "senddocument", "sendvideo", "sendaudio", "sendvoice",
    "sendanimation", "sendsticker", "sendmediagroup", "sendlocation", "sendcontact",
    "sendpoll", "senddice", "sendvenue", "sendvideonote", "copymessage", "forwardmessage",
    "copymessages", "forwardmessages"})


def _posts(endpoint: str, data: dict[str, Any]) -> int:
    """How many messages a call posts (an album's or a batch's each)."""
    name = endpoint.lower()
    if name not in _POSTS:
        return 0
    many = data.get("media") if name == "sendmediagroup" else data.get("message_ids")
    return len(many) if isinstance(many, list | tuple) and many else 1


class TelegramChannel:
    """Connects the bot to one Telegram bot account."""

    traits = Traits()  # buttons, HTML, 4,096 characters, uploads: what the others lack

    def __init__(self, handle: Handle, *, token: str, api_url: str, inbox: Inbox,
                 moved: Mapping[str, str] | None = None, on_move: OnMove | None = None,
                 poll_timeout: int = POLL_TIMEOUT, lane: SendLane | None = None) -> None:
        self._handle = handle
        self.inbox = inbox
        self.poll_timeout = poll_timeout
        self._requests = (AiohttpRequest(pool_size=REQUEST_POOL), AiohttpRequest(pool_size=1))
        self.bot = TelegramBot(
            token, base_url=f"{api_url}/bot", base_file_url=f"{api_url}/file/bot",
            request=self._requests[0], get_updates_request=self._requests[1],
            # throttling only: a 429 is retried by the one owner (bot/channels/retry.py)
            rate_limiter=_Counted(lane))
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .bot(self.bot)
            .updater(None)  # polling is ours (see the module's docstring)
            .build()
        )
        self.sender = TelegramSender(self.bot, moved, on_move)  # bot/channels/telegram_send.py
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
                    CHANNEL, [(str(u["update_id"]), storable(u)) for u in updates])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # whatever went wrong, polling must go on
                wait = retry_wait(exc) if isinstance(exc, TelegramError) else None
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
    def storable(body: Any) -> Any:
        """A webhook body as the inbox may keep it (a ballot's press without its ballot)."""
        return storable(body)

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

    # -- outbound (bot/channels/telegram_send.py) -------------------------------------------

    async def deliver(self, chat_id: str, response: Response) -> Sent:
        """Send a response's messages in order (see :meth:`TelegramSender.deliver`)."""
        return await self.sender.deliver(chat_id, response)

    async def publish(self, chat_id: str, messages: list[BotMessage], *, pin: bool,
                      replace: str | None = None) -> Published:
        """Post to a group and pin, or edit the earlier post in place."""
        return await self.sender.publish(chat_id, messages, pin=pin, replace=replace)

    async def send(self, chat_id: str, message: BotMessage) -> None:
        """One message, one attempt (the outbox owns the retries)."""
        await self.sender.send(chat_id, message)
