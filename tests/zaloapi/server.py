"""A local Zalo Bot Platform API server for end-to-end tests of the bot's Zalo channel.

Point the Zalo client at ``server.url`` instead of ``https://bot-api.zaloplatforms.com``: the
server answers ``POST /bot<token>/<method>`` (JSON or form body; GET with query parameters
too), keeps every call and message in memory and lets tests make users talk, set faults and
wait for what the bot sent. People are in ``_people.py``, delivery (queue or webhook) in
``_delivery.py``, the wait helpers in ``_state.py``, the methods in ``_methods.py`` and
``_messaging.py``.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from types import TracebackType
from typing import Any

from aiohttp import web

from . import _messaging, _methods  # noqa: F401  (they register the methods)
from ._delivery import UpdateDelivery
from ._models import DEFAULT_DESCRIPTIONS, JSON, ApiError, Call, Fault, bad_request
from ._registry import METHODS


class FakeZaloApi(UpdateDelivery):
    """The fake Zalo Bot API: an aiohttp app on 127.0.0.1 with in-memory Zalo state.

    One instance per test: ``async with FakeZaloApi() as zalo: ...`` or ``start``/``stop``.
    ``max_poll_wait`` caps how long a getUpdates waits (whatever ``timeout`` the bot asks for)
    so tests stay fast. By default it follows the platform's published shapes: webhook bodies
    wrapped as ``{"ok": true, "result": update}`` (``wrap_webhook_body=False``: the bare
    update), images with ``photo_url``, and a bot that may not join groups
    (``can_join_groups=True`` for one that may). Each can be changed later.
    """

    def __init__(
        self,
        token: str = "zalo-test-token",
        *,
        bot_id: str = "7c1f0e9a5b3d2c48",
        bot_name: str = "Thi đua (test)",
        max_poll_wait: float = 1.0,
        wrap_webhook_body: bool = True,
        can_join_groups: bool = False,
    ) -> None:
        super().__init__(token, bot_id, bot_name, max_poll_wait, wrap_webhook_body)
        self.can_join_groups = can_join_groups
        self._faults: dict[str, list[Fault]] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ----------------------------------------------------------------- lifecycle
    @property
    def url(self) -> str:
        """Root URL, the equivalent of the Zalo Bot API host (methods are under /bot<token>/)."""
        if self._port is None:
            raise RuntimeError("FakeZaloApi is not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> FakeZaloApi:
        """Bind a free port on 127.0.0.1 and start serving (again on the same port if restarted)."""
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
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
        """Release pending long polls, close the webhook client and shut the server down."""
        self.closing = True
        self.notify()
        await self.close_session()
        if self._runner is not None:
            await asyncio.sleep(0)
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeZaloApi:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ----------------------------------------------------------------- faults
    def fail(self, method: str, code: int, times: int = 1, description: str | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` with error ``code`` (HTTP status too).

        The description defaults to Zalo's usual text (429: "Too many requests").
        """
        self._check_method(method)
        text = description or DEFAULT_DESCRIPTIONS.get(code, "Error")
        self._faults.setdefault(method, []).append(Fault(code, text, times))

    def clear_faults(self) -> None:
        """Forget every fault still to come: the server answers normally again."""
        self._faults.clear()

    def drop(self, method: str, times: int = 1) -> None:
        """Close the connection without answering the next ``times`` calls (network error)."""
        self._check_method(method)
        self._faults.setdefault(method, []).append(Fault(0, "", times, drop=True))

    @staticmethod
    def _check_method(method: str) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown Zalo method {method!r}; known: {sorted(METHODS)}")

    def _take_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    # ----------------------------------------------------------------- HTTP layer
    async def _read_params(self, request: web.Request) -> JSON:
        params: dict[str, Any] = dict(request.query)
        if not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            params.update(body)
        else:
            params.update(await request.post())
        return params

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        name = request.match_info["method"]
        params: JSON = {}
        status, body = 200, {}
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            handler = METHODS.get(name)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            params = await self._read_params(request)
            fault = self._take_fault(name)
            if fault is not None and fault.drop:
                self._record(Call(name, params, at, None, "connection dropped"))
                if request.transport is not None:
                    request.transport.abort()
                raise asyncio.CancelledError
            if fault is not None:
                raise ApiError(fault.status, fault.description)
            result = handler(self, params)
            if inspect.isawaitable(result):
                result = await result
            body = {"ok": True, "result": result}
        except ApiError as err:
            status, body = err.status, err.body()
        except Exception as exc:  # a bug in the fake: make it visible in call dumps, then log
            self._record(Call(name, params, at, 500, f"FakeZaloApi internal error: {exc!r}"))
            raise
        self._record(Call(name, params, at, status, body.get("description")))
        return web.json_response(body, status=status)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self.notify()

    def __repr__(self) -> str:
        where = self.url if self._port else "not started"
        return f"<FakeZaloApi {where} calls={len(self.calls)} sent={len(self.sent)}>"
