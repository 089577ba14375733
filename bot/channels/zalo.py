"""The Zalo channel: the same bot on the messenger Vietnamese officials use every day.

Zalo bots have no buttons, no editing and no documents: the channel declares so in its
traits, and the bot presents its replies accordingly (numbered menus, whose typed
numbers the dispatcher reads back; download links). This module receives: updates by
long polling (development) or from the webhook server, turned into the dispatcher's
events, in order per person. Messages are sent by ``zalo_send``, the words people type
read by ``zalo_text``, the HTTP API called by ``zalo_api``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import Any

from bot.channels import retry
from bot.channels.kit import Handle
from bot.domain.events import (
    ChatKind,
    Inbound,
    InboundFile,
    Message,
    Published,
    Response,
    Sent,
)
from bot.services import background
from bot.services.inbox import Inbox

from .zalo_api import (
    IMAGE_EVENT,
    STICKER_EVENT,
    TEXT_EVENT,
    UNSUPPORTED_EVENT,
    VOICE_EVENT,
    ZaloApiError,
    ZaloClient,
    ZaloUpdate,
    parse_update,
    with_retries,
)
from .zalo_send import CHANNEL, TRAITS, ZaloSender
from .zalo_text import registration_text, strip_mention

log = logging.getLogger(__name__)

POLL_TIMEOUT = 30  # seconds a getUpdates call may wait for an update
POLL_BACKOFF_FIRST = 1.0  # seconds before polling again after a failure, doubling each time
POLL_BACKOFF_MAX = 30.0  # and never more than this; a rejected token waits this long at once
NOT_UNDERSTOOD_EVENTS = (STICKER_EVENT, VOICE_EVENT, UNSUPPORTED_EVENT)

FAILING_AFTER = 60.0  # seconds of failed polls before the health check says "down"


class ZaloStartError(Exception):
    """The Zalo bot cannot start for a reason the operator can fix; ``kind`` is a catalog key."""

    def __init__(self, kind: str, **params: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.params = params


class ZaloChannel:
    """Connects the bot to one Zalo bot account."""

    traits = TRAITS

    def __init__(self, handle: Handle, *, token: str, api_url: str, inbox: Inbox,
                 poll_timeout: int = POLL_TIMEOUT, client: ZaloClient | None = None) -> None:
        self._handle = handle
        self.inbox = inbox
        self.client = client or ZaloClient(token, base_url=api_url)
        self.sender = ZaloSender(self.client)
        self.poll_timeout = poll_timeout
        self.bot_name: str | None = None
        self.can_join_groups = False  # what getMe says, once connected
        self.mode: str | None = None  # "polling" or "webhook" once started
        self.failing_since: float | None = None  # the poll loop cannot reach Zalo
        self._poller: asyncio.Task[None] | None = None
        # one lock per sender, alive while an update of theirs holds or awaits it
        self._order: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary())
        inbox.register(CHANNEL, self.feed)

    # -- lifecycle --------------------------------------------------------------------------

    async def connect(self) -> str:
        """Check the token with ``getMe``; returns the bot's name."""
        try:
            me = await retry.at_start(self.client.get_me, "connecting to Zalo", lambda exc: (
                isinstance(exc, ZaloApiError) and (exc.code == 0 or exc.code >= 500)))
        except ZaloApiError as exc:
            if exc.code in (401, 403, 404):
                raise ZaloStartError("cli.zalo_bad_token") from None
            raise ZaloStartError("cli.zalo_unreachable", reason=exc.description) from None
        self.bot_name = me.display_name or me.account_name or me.id
        self.can_join_groups = me.can_join_groups
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

    async def stop_receiving(self) -> None:
        """Stop polling: no new update comes in (those taken are the inbox's to finish)."""
        await background.cancel(self._poller)
        self._poller = None
        self.mode = None  # no longer healthy: the health check says so during shutdown

    async def stop(self) -> None:
        """Stop polling and close the HTTP client."""
        await self.stop_receiving()
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
                await self._store(update)

    async def _store(self, update: ZaloUpdate) -> None:
        """Write a polled update to the inbox, then handle it in the background.

        Zalo's getUpdates has no offset: once returned, an update is ours alone, so it
        is kept in memory and stored again until the database takes it.
        """
        body = update.model_dump(by_alias=True, exclude_none=True)
        delay = POLL_BACKOFF_FIRST
        while True:
            try:
                stored = await self.inbox.receive(CHANNEL, [(update.key, body)])
                break
            except Exception:
                log.exception("could not store Zalo update %s; trying again in %.1fs",
                              update.key, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, POLL_BACKOFF_MAX)
        for receipt, stored_body in stored:
            self.inbox.handle_soon(CHANNEL, receipt, stored_body)

    # -- inbound ----------------------------------------------------------------------------

    async def feed(self, body: Any, receipt: int) -> Response | None:
        """Handle an update stored in the inbox as ``receipt`` (a webhook body, bare or
        wrapped in ``{ok, result}``, or a polled one); returns when it is handled, ``None``
        when there was nothing to handle in it."""
        update = parse_update(body)
        return await self._handle_in_order(update, receipt) if update is not None else None

    @staticmethod
    def storable(body: Any) -> Any:
        """A webhook body as the inbox keeps it: as it came (a Zalo update holds only what
        the person typed, never the bot's message it answers)."""
        return body

    @staticmethod
    def update_key(body: Any) -> str | None:
        """What identifies a webhook body's update: event name and message id."""
        update = parse_update(body)
        return update.key if update is not None else None

    async def _handle_in_order(self, update: ZaloUpdate, receipt: int) -> Response | None:
        sender = update.message.sender.id if update.message else ""
        # not dropped when released: a later update may be waiting for it, and a new lock
        # would let an update arriving meanwhile overtake that one
        lock = self._order.setdefault(sender, asyncio.Lock())
        async with lock:
            return await self.handle(update, receipt)

    async def handle(self, update: ZaloUpdate, receipt: int) -> Response | None:
        """Turn one update into the dispatcher's event and send back its answer."""
        message = update.message
        if message is None or message.sender.is_bot:
            return None
        chat_id, private = message.chat.id, message.chat.chat_type.upper() != "GROUP"
        unsupported = update.event_name in NOT_UNDERSTOOD_EVENTS
        if update.event_name not in (TEXT_EVENT, IMAGE_EVENT) and not unsupported:
            log.info("ignoring a Zalo %s event", update.event_name)
            return None
        file = None
        text = message.text
        if update.event_name == IMAGE_EVENT:
            url = message.image_url
            if url is None:
                log.info("ignoring a Zalo image event without an image address")
                return None
            file = InboundFile(url, None, "image/jpeg", None, "photo")
            text = message.caption
        if text is not None and not unsupported:
            if not private:
                text = strip_mention(text, self.bot_name)
            text = registration_text(text)
        event = Inbound(
            channel=CHANNEL, user_id=message.sender.id, chat_id=chat_id,
            chat_kind=ChatKind.PRIVATE if private else ChatKind.GROUP,
            display_name=message.sender.display_name or message.sender.id,
            text=None if unsupported else text, file=file, update_key=update.key,
            unsupported=unsupported,
        )

        async def deliver(response: Response) -> Sent:
            return await self.deliver(chat_id, response)

        return await self._handle(event, deliver, receipt=receipt)

    # -- outbound (see zalo_send) ----------------------------------------------------------

    async def deliver(self, chat_id: str, response: Response) -> Sent:
        """Send every reply of a response, in order (see ``ZaloSender.deliver``)."""
        return await self.sender.deliver(chat_id, response)

    async def send(self, chat_id: str, message: Message) -> None:
        """One message; raises :class:`~bot.domain.events.DeliveryError` when it cannot."""
        await self.sender.send(chat_id, message)

    async def publish(self, chat_id: str, messages: list[Message], *, pin: bool,
                      replace: str | None = None) -> Published:
        """Post to a group (Zalo lets bots neither edit nor pin)."""
        return await self.sender.publish(chat_id, messages, pin=pin, replace=replace)
