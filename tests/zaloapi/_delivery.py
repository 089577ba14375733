"""Getting user updates to the bot: the getUpdates queue, or POSTs to the bot's webhook.

While no webhook is set, updates wait in ``queue`` for getUpdates (one per call, gone once
handed out). While one is set, each update is POSTed to it at once with the
``X-Bot-Api-Secret-Token`` header, and the bot's HTTP status is recorded in ``deliveries``.
"""

from __future__ import annotations

import copy
import time

import aiohttp

from ._models import JSON, WebhookDelivery, now_ms
from ._people import ZaloGroup, ZaloUser
from ._state import ZaloWorld

SECRET_HEADER = "X-Bot-Api-Secret-Token"


class UpdateDelivery(ZaloWorld):
    """Mixin of ``FakeZaloApi``: creates users and delivers the updates they produce."""

    webhook_timeout = 10.0  # seconds the fake waits for the bot to answer a webhook POST
    _session: aiohttp.ClientSession | None = None

    def user(self, display_name: str, user_id: str | None = None) -> ZaloUser:
        """A new Zalo user (16 hex chars id), or the existing one when ``user_id`` is known."""
        if user_id is not None and user_id in self.users:
            return self.users[user_id]
        person = ZaloUser(user_id or self.new_id("user", 16), display_name, _server=self)
        self.users[person.id] = person
        return person

    async def user_event(
        self, user: ZaloUser, group: ZaloGroup | None, event_name: str | None, content: JSON
    ) -> JSON:
        """Build the update for a message ``user`` sent, deliver it and return it
        (``event_name=None``: an update without one, as polling may give)."""
        message: JSON = {
            "from": user.to_dict(),
            "chat": user.chat(group),
            "message_id": self.new_id("message", 32),
            "date": now_ms(),
            **content,
        }
        update: JSON = {"message": message}
        if event_name is not None:
            update = {"event_name": event_name, **update}
        return await self.deliver(update)

    async def deliver(self, update: JSON) -> JSON:
        """Deliver any update as is: POST it to the webhook if one is set, else queue it.

        Returns the update; with a webhook, only after the bot answered the POST.
        """
        self.updates.append(update)
        if self.webhook_url:
            await self.post_to_webhook(self.webhook_body(update), self.webhook_secret)
        else:
            self.queue.append(copy.deepcopy(update))
            self.notify()
        return update

    async def replay_last(self) -> JSON:
        """Deliver the last update again, unchanged (same message_id), like a re-delivery."""
        if not self.updates:
            raise RuntimeError("no update was delivered yet")
        return await self.deliver(copy.deepcopy(self.updates[-1]))

    def webhook_body(self, update: JSON) -> JSON:
        """The webhook POST body for an update: bare, or ``{"ok": true, "result": ...}``."""
        return {"ok": True, "result": update} if self.wrap_webhook_body else update

    async def post_to_webhook(
        self, body: JSON, secret: str | None, url: str | None = None
    ) -> int | None:
        """POST ``body`` to the webhook (or ``url``) and return the bot's HTTP status.

        ``secret`` goes into the ``X-Bot-Api-Secret-Token`` header (``None``: no header). The
        POST is recorded in ``deliveries``; ``None`` is returned (and recorded) when the bot
        could not be reached or did not answer within ``webhook_timeout``.
        """
        target = url or self.webhook_url
        if not target:
            raise RuntimeError("no webhook is set and no url was given")
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        delivery = WebhookDelivery(target, copy.deepcopy(body), secret, time.monotonic(), None)
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.post(
                target,
                json=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as response:
                delivery.response_text = await response.text()
                delivery.status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            delivery.error = repr(exc)
        self.deliveries.append(delivery)
        self.notify()
        return delivery.status

    async def close_session(self) -> None:
        """Close the HTTP client used for webhook POSTs."""
        if self._session is not None:
            await self._session.close()
            self._session = None
