"""Zalo replies: each presented message by the one call it needs (text, or a photo by its
address), group posts without pins."""

from __future__ import annotations

import logging

from bot.channels import retry
from bot.domain.events import DeliveryError, Message, Published, Response, Sent, Traits
from bot.domain.text import html_to_plain

from .zalo_api import TEXT_LIMIT, ZaloApiError, ZaloClient, with_retries

log = logging.getLogger(__name__)

CHANNEL = "zalo"
# no buttons, plain text, 2,000 characters, photos by their address, no uploads
TRAITS = Traits(buttons=False, markup=False, text_limit=TEXT_LIMIT, caption_limit=TEXT_LIMIT,
                uploads=False, photo_urls=True)


class ZaloSender:
    """Sends the bot's presented messages to Zalo."""

    def __init__(self, client: ZaloClient) -> None:
        self.client = client

    async def deliver(self, chat_id: str, response: Response) -> Sent:
        """Send a response's messages in order, each with one short retry; stops at the
        first that may succeed later (the outbox sends it and the rest)."""
        with retry.plan(retry.INTERACTIVE, retry.SHORT_WAIT):
            if response.notice and all(html_to_plain(message.text) != response.notice
                                       for message in response.messages):
                # what Telegram shows as a toast on the pressed button is a message here
                try:
                    await self._send_classified(chat_id, Message(text=response.notice))
                except DeliveryError as exc:
                    log.error("could not send a notice to Zalo chat %s: %s", chat_id, exc)
            outcomes: list[DeliveryError | None] = []
            for message in response.messages:
                target = message.chat_id or chat_id
                try:
                    await self._send_classified(target, message)
                    outcomes.append(None)
                except DeliveryError as exc:
                    log.warning("could not send a reply to Zalo chat %s now: %s", target, exc)
                    outcomes.append(exc)
                    if not exc.permanent:
                        break
        return outcomes

    async def send(self, chat_id: str, message: Message) -> None:
        """One message, one attempt (the outbox, which calls this, owns the retries)."""
        with retry.plan(retry.ONCE):
            await self._send_classified(chat_id, message)

    async def _send_classified(self, chat_id: str, message: Message) -> None:
        try:
            await self._send(chat_id, message)
        except ZaloApiError as exc:
            # Zalo documents 403 as an internal server error, not "blocked": retried
            raise DeliveryError(str(exc), permanent=not exc.retryable) from exc

    async def publish(self, chat_id: str, messages: list[Message], *, pin: bool,
                      replace: str | None = None) -> Published:
        """Post to a group. Zalo lets bots neither edit nor pin: a change is posted anew."""
        message_id = ""
        for message in messages:
            text = message.text
            message_id = await with_retries(
                lambda text=text: self.client.send_message(chat_id, text),  # type: ignore[misc]
                "posting a message")
        return Published(message_id, pinned=False, pin_unsupported=pin)

    async def _send(self, chat_id: str, message: Message) -> None:
        photo = message.photo_url or (
            message.resend.file_id if message.resend is not None
            and message.resend.kind == "photo" else None)
        if photo is not None:
            caption = message.text or None
            await with_retries(lambda: self.client.send_photo(chat_id, photo, caption),
                               "sending a photo")
            return
        if message.file is not None:  # presented for another messenger: Zalo takes no uploads
            log.warning("a file (%s) cannot be sent to Zalo; sending its text only",
                        message.file.name)
        if message.text.strip():
            text = message.text
            await with_retries(lambda: self.client.send_message(chat_id, text),
                               "sending a message")
