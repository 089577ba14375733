"""A thin async client for the Zalo Bot Platform's HTTP API, on one shared httpx client.

``https://bot-api.zaloplatforms.com/bot<TOKEN>/<method>`` answers
``{ok, result, error_code, description}``. Results are parsed into small typed
models that keep going when Zalo adds fields or event kinds. Errors come out as
:class:`ZaloApiError`, which says whether trying again can help. The token is
part of every URL, so no URL is ever put into an error or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.channels import retry

log = logging.getLogger(__name__)
T = TypeVar("T")

TEXT_LIMIT = 2000
NO_UPDATE = 408  # getUpdates: the long poll ended without an update
# 403 is the platform's "internal server error" (its error table), not a refusal
RETRYABLE = frozenset({403, 408, 429, 500, 502, 503, 504})


class ZaloApiError(Exception):
    """The platform refused a call or could not be reached.

    ``code`` is the platform's error code (0 for a network failure);
    ``retryable`` says whether the same call may succeed later (429, 5xx,
    network, and 403, which Zalo's error table calls an internal server error), as
    opposed to a refusal that will not change (400, 401, 404).
    """

    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"Zalo {method}: {code} {description}".strip())
        self.method = method
        self.code = code
        self.description = description

    @property
    def retryable(self) -> bool:
        return self.code == 0 or self.code in RETRYABLE or self.code >= 500

    @property
    def unauthorized(self) -> bool:
        """The token is wrong or revoked: nothing will work until it is fixed."""
        return self.code == 401


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ZaloUser(_Model):
    id: str
    display_name: str = Field(default="", validation_alias=AliasChoices(
        "display_name", "first_name", "name"))
    is_bot: bool = False


class ZaloChat(_Model):
    id: str
    chat_type: str = "PRIVATE"


TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
STICKER_EVENT = "message.sticker.received"
VOICE_EVENT = "message.voice.received"
UNSUPPORTED_EVENT = "message.unsupported.received"


class ZaloMessage(_Model):
    sender: ZaloUser = Field(alias="from")
    chat: ZaloChat
    message_id: str
    date: int = 0  # milliseconds since the epoch
    text: str | None = None
    photo_url: str | None = None  # an image's URL, as the Bot Platform documents it
    photo: Any = None  # the legacy field: the URL, or an object holding it
    caption: str | None = None
    sticker: str | None = None
    voice: Any = None

    @property
    def image_url(self) -> str | None:
        """Where the image of an image message is: ``photo_url``, else the legacy ``photo``
        (a URL, or an object with one)."""
        if self.photo_url:
            return self.photo_url
        if isinstance(self.photo, str) and self.photo:
            return self.photo
        if isinstance(self.photo, dict):
            for field in ("photo_url", "url", "href"):
                if isinstance(self.photo.get(field), str) and self.photo[field]:
                    return str(self.photo[field])
        return None

    def kind(self) -> str:
        """The event a message without ``event_name`` is, judged by its fields."""
        if self.image_url is not None:
            return IMAGE_EVENT
        if self.sticker:
            return STICKER_EVENT
        if self.voice is not None:
            return VOICE_EVENT
        if self.text is not None:
            return TEXT_EVENT
        return UNSUPPORTED_EVENT


class ZaloUpdate(_Model):
    """One event: ``message.text.received``, ``message.image.received``, …

    A polled update may come without ``event_name``: its kind is then read from the
    message's fields.
    """

    event_name: str = ""
    message: ZaloMessage | None = None

    @model_validator(mode="after")
    def _named(self) -> ZaloUpdate:
        if not self.event_name and self.message is not None:
            self.event_name = self.message.kind()
        return self

    @property
    def key(self) -> str:
        """What identifies the event when Zalo delivers it twice."""
        return f"{self.event_name}:{self.message.message_id if self.message else ''}"


class ZaloBotInfo(_Model):
    id: str
    account_name: str = ""
    display_name: str | None = None
    # groups are not generally open to Bot Platform bots: absent means no
    can_join_groups: bool = False


def parse_update(body: Any) -> ZaloUpdate | None:
    """An update from a webhook body or a getUpdates result, bare or wrapped in
    ``{ok, result}``; ``None`` for a body that is not an update."""
    if isinstance(body, dict) and "message" not in body and isinstance(
            body.get("result"), dict):
        body = body["result"]
    if not isinstance(body, dict) or not (body.get("event_name") or body.get("message")):
        return None
    try:
        return ZaloUpdate.model_validate(body)
    except ValidationError as exc:
        log.warning("ignoring a Zalo update that does not parse: %s",
                    exc.errors(include_url=False, include_input=False))
        return None


class ZaloClient:
    """The Zalo Bot API methods the bot uses, over one pooled HTTP client."""

    def __init__(self, token: str, *, base_url: str = "https://bot-api.zaloplatforms.com",
                 timeout: float = 15.0) -> None:
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=10.0),
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, method: str, params: dict[str, Any] | None = None, *,
                   read_timeout: float | None = None) -> Any:
        """POST ``params`` as JSON to ``method``; the result, or :class:`ZaloApiError`."""
        wait = httpx.USE_CLIENT_DEFAULT if read_timeout is None else httpx.Timeout(read_timeout,
                                                                                connect=10.0)
        try:
            response = await self._http.post(self._prefix + method, json=params or {},
                                             timeout=wait)
        except httpx.TimeoutException:
            raise ZaloApiError(method, 0, "timed out") from None
        except httpx.HTTPError as exc:
            # the exception's text may carry the URL, hence the token: name only its kind
            raise ZaloApiError(method, 0, f"network error ({type(exc).__name__})") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        code = response.status_code if response.status_code >= 400 else 0
        description = ""
        if isinstance(body, dict):
            given = str(body.get("error_code", ""))  # a number, or a word on some gateways
            code = int(given) if given.isdigit() else code or 500
            description = str(body.get("description") or "")[:300]
        raise ZaloApiError(method, code or 500, description or response.reason_phrase)

    # -- methods ----------------------------------------------------------------------------

    async def get_me(self) -> ZaloBotInfo:
        return ZaloBotInfo.model_validate(await self.call("getMe"))

    async def get_update(self, wait_seconds: int) -> ZaloUpdate | None:
        """Long-poll for one update; ``None`` when the wait ended without one (408)."""
        try:
            result = await self.call("getUpdates", {"timeout": str(wait_seconds)},
                                     read_timeout=wait_seconds + 10.0)
        except ZaloApiError as exc:
            if exc.code == NO_UPDATE:
                return None
            raise
        return parse_update(result) if result else None

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def webhook_url(self) -> str:
        info = await self.call("getWebhookInfo")
        return str(info.get("url") or "") if isinstance(info, dict) else ""

    async def send_message(self, chat_id: str, text: str) -> str:
        """Send text (at most 2,000 characters); returns the message's id."""
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return str(result.get("message_id", "")) if isinstance(result, dict) else ""

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> str:
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        result = await self.call("sendPhoto", params)
        return str(result.get("message_id", "")) if isinstance(result, dict) else ""


def _retry_wait(exc: Exception) -> float | None:
    """429s, 5xx answers and network errors back off; other refusals are final."""
    return retry.BACKOFF if isinstance(exc, ZaloApiError) and exc.retryable else None


async def with_retries(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a Zalo call, trying again while that may help."""
    return await retry.with_retries(call, what, _retry_wait)
