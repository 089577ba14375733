"""python-telegram-bot's networking on aiohttp instead of httpx.

PTB lets a bot swap its transport: a :class:`~telegram.request.BaseRequest` posts the
encoded parameters and returns the status and body; PTB keeps everything else (the
typed objects, the mapping of Telegram's answers to errors, the rate limiter). This one
posts with aiohttp, which the bot already ships for its web server.

Why: under load the bot's time went to the HTTP client. Benchmark 1 (N = 1,000 people in
a guided conversation, py-spy on the bot) spent two thirds of the bot's CPU inside
httpx/httpcore; httpcore's pool scans every pooled connection on each request and each
call pays several anyio cancel scopes. Measured against the local Bot API server, one
``sendMessage`` cost 2.2 ms of client CPU with PTB's ``HTTPXRequest`` and about 0.2 ms
with this class (50 calls in flight, 3,000 calls, ``bench`` section 1's note has the run).
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}

# PTB's own defaults for HTTPXRequest, in seconds
READ, WRITE, CONNECT, POOL, MEDIA_WRITE = 5.0, 5.0, 5.0, 1.0, 20.0


def _seconds(value: Any, default: float | None) -> float | None:
    """A timeout PTB passed (``None``: no limit) or the default when it passed none."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


class AiohttpRequest(BaseRequest):
    """Posts the Bot API calls of one PTB ``Bot`` over a pool of ``pool_size`` connections.

    Errors come out as PTB's: a timeout as :class:`~telegram.error.TimedOut`, anything the
    network does as :class:`~telegram.error.NetworkError` whose text never holds the URL
    (which carries the bot's token).
    """

    def __init__(self, *, pool_size: int = 256, read_timeout: float | None = READ,
                 write_timeout: float | None = WRITE, connect_timeout: float | None = CONNECT,
                 pool_timeout: float | None = POOL,
                 media_write_timeout: float | None = MEDIA_WRITE) -> None:
        self._pool_size = pool_size
        self._read, self._write, self._connect = read_timeout, write_timeout, connect_timeout
        self._pool, self._media_write = pool_timeout, media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        """How long a call waits for Telegram's answer when the call sets no limit."""
        return self._read

    async def initialize(self) -> None:
        """Open the connection pool (inside the running event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        """Close the pool; calls after this raise until :meth:`initialize` is called again."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for ``url`` (HTTPS_PROXY, HTTP_PROXY, NO_PROXY),
        as PTB's httpx transport honours them: a ministry network may reach Telegram only
        through its proxy. Read once per address: aiohttp's own ``trust_env`` reads the
        environment and ~/.netrc in a thread on every call (a third of the bot's time)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxy = urllib.request.getproxies().get(parts.scheme)
            if proxy and urllib.request.proxy_bypass(parts.hostname or ""):
                proxy = None
            self._proxies[key] = proxy
        return self._proxies[key]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Post (or get) ``request_data`` to ``url``: Telegram's status and body."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        # a call without files goes as one JSON document (the Bot API takes JSON bodies):
        # cheaper to make than a form, whose every field is quoted again
        body: aiohttp.FormData | bytes | None = (
            request_data.json_payload if request_data and fields and not files else None)
        headers = _JSON if body is not None else None
        if files:
            body = aiohttp.FormData(quote_fields=False)
            for name, value in (fields or {}).items():
                body.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        connect = _seconds(connect_timeout, self._connect)
        pool = _seconds(pool_timeout, self._pool)
        # aiohttp has no write timeout of its own: the upload counts towards the whole call
        write = _seconds(write_timeout, self._media_write if files else self._write)
        read = _seconds(read_timeout, self._read)
        parts = (connect, pool, write, read)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect, sock_read=read)
        try:
            async with session.request(method, url, data=body, timeout=timeout, headers=headers,
                                       proxy=self._proxy_for(url)) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.InvalidURL as exc:
            raise NetworkError("aiohttp.InvalidURL: the Bot API address is not valid") from exc
        except aiohttp.ClientError as exc:
            text = str(exc).replace(url, "<the Bot API>")
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {text}") from exc
