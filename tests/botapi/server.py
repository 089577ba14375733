"""A local Telegram Bot API server for end-to-end tests of the bot with real PTB.

Point PTB at it with ``ApplicationBuilder().token(server.token)
.base_url(f"{server.base_url}/bot").base_file_url(f"{server.base_url}/file/bot")``. The server
answers ``POST /bot<token>/<method>`` (form, multipart or JSON bodies, any method-name case)
and ``GET /file/bot<token>/<file_path>``, keeps every call and message in memory and lets tests
inject updates and faults. The injection helpers are in ``_inject.py``, the wait helpers in
``_state.py``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import BodyPartReader, web

from . import _messaging, _methods  # noqa: F401  (they register the methods)
from ._inject import UpdateInjector
from ._limits import Inboxes, LimitCounter, TelegramLimits
from ._models import JSON, ApiError, BotMessage, Call, Upload
from ._registry import METHODS

STRUCTURED_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "media",
        "results",
        "permissions",
        "menu_button",
        "rights",
        "options",
        "explanation_entities",
        "reaction",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "from_chat_id",
        "cache_time",
        "width",
        "height",
        "duration",
        "until_date",
        "sender_chat_id",
    }
)
BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "only_if_banned",
        "revoke_messages",
        "is_anonymous",
        "allow_paid_broadcast",
        "for_channels",
        "show_caption_above_media",
    }
)
_INT_RE = re.compile(r"-?\d+")


def coerce_param(name: str, value: Any) -> Any:
    """Decode one request parameter the way the Bot API does.

    PTB sends every non-string value JSON-encoded inside form fields (``"123"``, ``"true"``,
    ``'{"inline_keyboard": ...}'``) while plain strings stay raw, so only fields known to be
    structured are JSON-decoded; ids and numbers become ints, flags become bools.
    """
    if not isinstance(value, str):
        return value
    if name in STRUCTURED_FIELDS and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    if name in INT_FIELDS and _INT_RE.fullmatch(value.strip()):
        return int(value)
    if name in BOOL_FIELDS and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value


@dataclass
class Fault:
    """A planned failure for the next call(s) of a method."""

    status: int
    description: str
    retry_after: int | None
    times: int
    drop: bool = False
    parameters: dict[str, Any] | None = None


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that "
    "only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class FakeBotApi(UpdateInjector):
    """The fake Bot API server: an aiohttp app on 127.0.0.1 with in-memory Telegram state.

    One instance per test: ``async with FakeBotApi() as server: ...`` or ``start``/``stop``.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "thidua_test_bot",
        bot_first_name: str = "Thi đua (test)",
        *,
        limits: TelegramLimits | None = None,
    ) -> None:
        super().__init__(token, bot_username, bot_first_name)
        # Telegram's flood limits, enforced only when asked (benchmarks); see ``_limits.py``
        self.limits: LimitCounter | None = LimitCounter(limits) if limits is not None else None
        self.inboxes = Inboxes()
        self._faults: dict[str, list[Fault]] = {}
        self.send_delay = 0.0  # seconds each sendMessage takes (a fan-out that lasts)
        self._removed: set[str] = set()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ----------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        """Root URL, the equivalent of ``https://api.telegram.org``."""
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> FakeBotApi:
        """Bind a free port on 127.0.0.1 and start serving (again on the same port if restarted)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            handler_cancellation=True,
            shutdown_timeout=1.0,
        )
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self._port or 0).start()
        self._runner, self._port = runner, int(runner.addresses[0][1])
        self.closing = False
        return self

    async def stop(self) -> None:
        """Release pending long-polls and shut the server down."""
        self.closing = True
        self.notify()
        if self._runner is not None:
            await asyncio.sleep(0)
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ----------------------------------------------------------------- faults
    def fail(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
        description: str | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error.

        429 answers carry ``parameters.retry_after`` (PTB raises ``RetryAfter``); other
        statuses use Telegram's usual description unless ``description`` is given.
        ``migrate_to_chat_id`` answers as Telegram does for a group that became a
        supergroup (PTB raises ``ChatMigrated``).
        """
        if migrate_to_chat_id is not None:
            fault = Fault(400, "Bad Request: group chat was upgraded to a supergroup chat",
                          None, times, parameters={"migrate_to_chat_id": migrate_to_chat_id})
        elif status == 429:
            text = description or f"Too Many Requests: retry after {retry_after or 1}"
            fault = Fault(429, text, retry_after or 1, times)
        else:
            fault = Fault(
                status, description or _DEFAULT_DESCRIPTIONS.get(status, "Error"), None, times
            )
        self._faults.setdefault(method.lower(), []).append(fault)

    def clear_faults(self) -> None:
        """Forget every fault still to come: the server answers normally again."""
        self._faults.clear()

    def drop(self, method: str, times: int = 1) -> None:
        """Close the connection without answering the next ``times`` calls (transport error)."""
        self._faults.setdefault(method.lower(), []).append(Fault(0, "", None, times, drop=True))

    def remove_method(self, name: str) -> None:
        """Answer 404 for ``name`` from now on, like a Bot API server that lacks it.

        Note PTB turns a 404 into ``InvalidToken`` for regular Bot methods.
        """
        self._removed.add(name.lower())

    def _take_fault(self, key: str) -> Fault | None:
        queue = self._faults.get(key)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    # ----------------------------------------------------------------- HTTP layer
    async def _read_params(self, request: web.Request) -> JSON:
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            try:
                body = await request.json() if request.can_read_body else {}
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: request body must be a JSON object")
            raw.update(body)
        elif request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    content = bytes(await part.read())
                    mime = part.headers.get("Content-Type")
                    raw[part.name] = Upload(part.filename, mime, content)
                else:
                    raw[part.name] = await part.text()
        elif request.can_read_body:
            raw.update(await request.post())
        return {name: coerce_param(name, value) for name, value in raw.items()}

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        given = request.match_info["method"]
        entry = METHODS.get(given.lower())
        name = entry[0] if entry else given
        params: JSON = {}
        status, body = 200, {}
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None or given.lower() in self._removed:
                raise ApiError(404, "Not Found: method not found")
            params = await self._read_params(request)
            if self.send_delay and given.lower() == "sendmessage":
                await asyncio.sleep(self.send_delay)
            fault = self._take_fault(given.lower())
            if fault is not None and fault.drop:
                self._record(Call(name, params, at, None, "connection dropped"))
                if request.transport is not None:
                    request.transport.abort()
                raise asyncio.CancelledError
            if fault is not None:
                extra = ({"retry_after": fault.retry_after} if fault.retry_after
                         else fault.parameters)
                raise ApiError(fault.status, fault.description, extra)
            if self.limits is not None:
                self.limits.check(name, params)
            result = entry[1](self, params)
            if inspect.isawaitable(result):
                result = await result
            body = {"ok": True, "result": result}
        except ApiError as err:
            status, body = err.status, err.body()
        except Exception as exc:  # a bug in the fake: make it visible in call dumps, then log
            self._record(Call(name, params, at, 500, f"FakeBotApi internal error: {exc!r}"))
            raise
        self._record(Call(name, params, at, status, body.get("description")))
        return web.json_response(body, status=status)

    def on_sent(self, message: BotMessage) -> None:
        """Feed the chat's inbox, if a benchmark watches it."""
        self.inboxes.put(message)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self.notify()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        stored = next(
            (f for f in self.files.values() if f.file_path == path and f.content is not None), None
        )
        self.downloads.append(path)
        self.notify()
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        mime = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.content, headers={"Content-Type": mime})

    def __repr__(self) -> str:
        where = self.base_url if self._port else "not started"
        return f"<FakeBotApi {where} calls={len(self.calls)} sent={len(self.sent)}>"
