"""The bot's own small web server: webhooks for every channel, download links, health.

Routes, under the path of ``THIDUA_WEBHOOK_URL`` (``https://host/path``):

- ``POST /path/<channel>``: a messenger delivers an update. The secret header
  is compared in constant time (403 when wrong or missing); the update is
  written to the inbox (a replay of one still waiting there is dropped) before
  the answer, which is immediate; the channel handles it in the background
  (``bot/services/inbox.py``). When the database cannot take it the answer is 503, so
  the messenger delivers it again.
- ``GET /path/files/<name>?exp=…&sig=…``: a signed, expiring download link.
- ``GET /healthz`` (and ``/path/healthz``): 200 when the database and every
  channel are up, 503 otherwise, with a small JSON body saying which.
- ``GET /metrics``: the bot's counters in Prometheus' text format
  (``bot/services/metrics.py``), for the operator's monitoring; at the root only, which the
  reverse proxy in front forwards no public address to.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from aiohttp import web

from bot.domain.clock import Clock
from bot.services.downloads import DownloadStore
from bot.services.inbox import Inbox
from bot.services.metrics import CONTENT_TYPE_LATEST, Metrics
from storage.failures import is_storage_failure
from storage.repository import Database, OutboxStore

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # an update is a few KB; anything bigger is not one


@dataclass(frozen=True)
class Webhook:
    """Where one channel's updates come in."""

    channel: str
    header: str  # the header carrying the secret
    healthy: Callable[[], bool]
    key: Callable[[Any], str | None]  # what identifies an update (None: not an update)
    storable: Callable[[Any], Any] = lambda body: body  # the update as the inbox may keep it


def base_path(public_url: str) -> str:
    """The path part of the public URL, without a trailing slash ("" for the root)."""
    return urlsplit(public_url).path.rstrip("/")


class WebStores(Database, OutboxStore, Protocol):
    """What the web server reads: the database's health, the outbox's depth."""


class WebServer:
    """One aiohttp server for all channels' webhooks, downloads and the health check."""

    def __init__(self, *, public_url: str, secret: str, repo: WebStores, clock: Clock,
                 inbox: Inbox, downloads: DownloadStore | None = None,
                 metrics: Metrics | None = None) -> None:
        self.public_url = public_url.rstrip("/")
        self.path = base_path(public_url)
        self._secret = secret.encode()
        self.repo = repo
        self.clock = clock
        self.inbox = inbox
        self.downloads = downloads
        self.metrics = metrics
        self.hooks: dict[str, Webhook] = {}
        self.health: dict[str, Callable[[], bool]] = {}
        self._runner: web.AppRunner | None = None

    def url_for(self, channel: str) -> str:
        """The address a messenger is told to post ``channel``'s updates to."""
        return f"{self.public_url}/{channel}"

    def add_webhook(self, hook: Webhook) -> None:
        self.hooks[hook.channel] = hook
        self.health[hook.channel] = hook.healthy

    def add_health(self, channel: str, healthy: Callable[[], bool]) -> None:
        """A channel served otherwise (by polling) still shows in the health check."""
        self.health[channel] = healthy

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path + "/{channel}", self._on_update)
        app.router.add_get(self.path + "/files/{name}", self._on_download)
        app.router.add_get("/healthz", self._on_health)
        if self.path:
            app.router.add_get(self.path + "/healthz", self._on_health)
        if self.metrics is not None:  # at the root only: the public path is the webhooks'
            app.router.add_get("/metrics", self._on_metrics)
        return app

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port`` (the reverse proxy in front forwards the public URL here).

        Raises :class:`OSError` when the address cannot be used.
        """
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, host, port).start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        log.info("web server listening on %s:%d for %s", host, port, self.public_url)

    async def stop(self) -> None:
        """Stop listening (the updates already taken are the inbox's to finish)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- routes -----------------------------------------------------------------------------

    async def _on_metrics(self, request: web.Request) -> web.Response:
        assert self.metrics is not None
        try:
            page = await self.metrics.page(self.repo)
        except Exception as exc:
            if not is_storage_failure(exc):
                raise
            raise web.HTTPServiceUnavailable() from None
        return web.Response(body=page, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _on_update(self, request: web.Request) -> web.Response:
        hook = self.hooks.get(request.match_info["channel"])
        if hook is None:
            raise web.HTTPNotFound()
        offered = request.headers.get(hook.header, "").encode()
        if not hmac.compare_digest(offered, self._secret):
            log.warning("refused a %s webhook request with a wrong or missing secret",
                        hook.channel)
            raise web.HTTPForbidden()
        try:
            body = await request.json(loads=json.loads)
        except ValueError:
            raise web.HTTPBadRequest() from None
        key = hook.key(body)
        if key is None:
            log.info("ignoring a %s webhook body that is not an update", hook.channel)
            return web.json_response({"ok": True})
        try:
            stored = await self.inbox.receive(hook.channel, [(key, hook.storable(body))])
        except Exception as exc:
            if not is_storage_failure(exc):
                raise
            log.error("could not store a %s webhook update (%s); asking for it again later",
                      hook.channel, type(exc).__name__)
            raise web.HTTPServiceUnavailable() from None
        if not stored:
            log.info("dropping a replayed %s update %s", hook.channel, key)
        for receipt, update in stored:
            self.inbox.handle_soon(hook.channel, receipt, update)
        return web.json_response({"ok": True})

    async def _on_download(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = self.downloads.find(name, request.query.get("exp", ""),
                                   request.query.get("sig", ""), self.clock.now()
                                   ) if self.downloads else None
        if path is None or self.downloads is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={
            "Content-Disposition": _attachment(self.downloads.original_name(name)),
            "Cache-Control": "private, no-store",
        })

    async def _on_health(self, request: web.Request) -> web.Response:
        database = await self.repo.ping()
        channels = {name: healthy() for name, healthy in self.health.items()}
        ok = database and all(channels.values())
        body = {"ok": ok, "database": "up" if database else "down",
                "channels": {name: "up" if up else "down" for name, up in channels.items()}}
        return web.json_response(body, status=200 if ok else 503)


def _attachment(name: str) -> str:
    """A Content-Disposition that keeps a Vietnamese file name (RFC 6266 / 5987)."""
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
