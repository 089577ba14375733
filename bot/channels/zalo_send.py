"""Zalo replies: plain text split at 2,000 characters, numbered menus remembered per chat,
files as download links or photos by URL, group posts without pins."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.channels import retry
from bot.channels.kit import ChannelKit
from bot.domain.events import DeliveryError, Published, Reply, Response, Sent
from bot.domain.periods import format_moment
from bot.domain.text import html_to_plain, split_message
from bot.services.downloads import DownloadStore
from storage.records import ShownMenu

from .zalo_api import TEXT_LIMIT, ZaloApiError, ZaloClient, with_retries
from .zalo_text import numbered_menu

log = logging.getLogger(__name__)

CHANNEL = "zalo"


class ZaloSender:
    """Renders the bot's replies for Zalo and sends them."""

    def __init__(self, kit: ChannelKit, client: ZaloClient,
                 downloads: DownloadStore | None) -> None:
        self.kit = kit
        self.client = client
        self.downloads = downloads

    def _t(self, language: str, key: str, **params: object) -> str:
        return self.kit.text(language, key, **params)

    async def _language(self, chat_id: str) -> str:
        return await self.kit.language_of(CHANNEL, chat_id)

    async def reply_safely(self, chat_id: str, text: str) -> None:
        try:
            await self.send(chat_id, Reply(text))
        except DeliveryError as exc:
            log.error("could not send a reply to Zalo chat %s: %s", chat_id, exc)

    async def deliver(self, chat_id: str, response: Response) -> Sent:
        """Send a response's replies in order, each with one short retry; stops at the first
        that may succeed later (the outbox sends it and the rest)."""
        with retry.plan(retry.INTERACTIVE, retry.SHORT_WAIT):
            if response.notice and all(reply.text != response.notice
                                       for reply in response.replies):
                # what Telegram shows as a toast on the pressed button is a message here
                await self.reply_safely(chat_id, response.notice)
            outcomes: list[DeliveryError | None] = []
            for reply in response.replies:
                target = reply.chat_id or chat_id
                try:
                    await self._send_classified(target, reply)
                    outcomes.append(None)
                except DeliveryError as exc:
                    log.warning("could not send a reply to Zalo chat %s now: %s", target, exc)
                    outcomes.append(exc)
                    if not exc.permanent:
                        break
        return outcomes

    async def send(self, chat_id: str, reply: Reply) -> None:
        """One reply, one attempt (the outbox, which calls this, owns the retries), as plain
        text (and a photo or a download link for a file)."""
        with retry.plan(retry.ONCE):
            await self._send_classified(chat_id, reply)

    async def _send_classified(self, chat_id: str, reply: Reply) -> None:
        try:
            await self._send(chat_id, reply)
        except ZaloApiError as exc:
            # Zalo documents 403 as an internal server error, not "blocked": retried
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
        now = self.kit.clock.now()
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
            await self.kit.repo.save_menu(ShownMenu(
                CHANNEL, chat_id, reply.token,
                tuple((option.label, option.value) for option in reply.options)), now)
        elif reply.token > 0:  # a question to answer in words: numbers are words again
            await self.kit.repo.clear_menu(CHANNEL, chat_id)

    async def _filling_in_a_form(self, chat_id: str) -> bool:
        """The person of this private chat is answering a form (not just browsing a view)."""
        dialog = await self.kit.repo.load_dialog(CHANNEL, chat_id)
        return dialog is not None and self.kit.filling_in(dialog.form)

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
                                             self.kit.blocs.zone))
        return (text + "\n\n" if text else "") + link


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"
