"""Telegram replies: each presented message by the one Bot API call it needs, group posts
edited in place and pinned, a group that became a supergroup followed to its new id, and
Telegram's refusals classified for the outbox (``DeliveryError``)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from telegram import InputFile
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
from telegram.ext import ExtBot

from bot.channels import retry
from bot.channels.telegram_updates import encode_choice
from bot.domain.events import DeliveryError, Published, Response, Sent
from bot.domain.events import Message as BotMessage
from bot.domain.text import html_to_plain

log = logging.getLogger(__name__)

HTML = ParseMode.HTML.value
T = TypeVar("T")
OnMove = Callable[[str, str], Awaitable[None]]  # a group moved: remember its new id


def retry_wait(exc: Exception) -> float | None:
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
    return await retry.with_retries(call, what, retry_wait)


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


class TelegramSender:
    """Sends the bot's presented messages to Telegram."""

    def __init__(self, bot: TelegramBot, moved: Mapping[str, str] | None = None,
                 on_move: OnMove | None = None) -> None:
        self.bot = bot
        self._moved = dict(moved or {})  # group id → its supergroup's, as Telegram said
        self._on_move = on_move

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
        [{"text": option.label, "callback_data": encode_choice(message.token, option.value,
                                                               secret=message.secret)}]
        for option in message.options]}
