"""The Telegram channel's transport (PTB on aiohttp): what reaches the Bot API, and how
each way a call can fail comes back, as PTB's errors the retry rules know."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram_transport import AiohttpRequest
from tests.botapi import FakeBotApi


def _bot(api_url: str, token: str) -> Bot:
    return Bot(token, base_url=f"{api_url}/bot", request=AiohttpRequest())


async def test_a_message_with_a_keyboard_and_a_document_arrive_as_sent() -> None:
    async with FakeBotApi() as api:
        user = api.user(7, "Nguyễn Văn A")
        async with _bot(api.base_url, api.token) as bot:
            await bot.send_message(user.id, "Chọn <b>nhiệm vụ</b>", parse_mode="HTML",
                                   reply_markup={"inline_keyboard": [  # type: ignore[arg-type]
                                       [{"text": "Nhiệm vụ 1", "callback_data": "1:2:t1"}]]})
            await bot.send_document(user.id, InputFile(b"%PDF-1 bao cao", filename="báo cáo.pdf"),
                                    caption="Báo cáo sơ kết")
        text, document = api.messages_to(user.id)
        assert text.plain_text == "Chọn nhiệm vụ"
        assert text.reply_markup == {"inline_keyboard": [
            [{"text": "Nhiệm vụ 1", "callback_data": "1:2:t1"}]]}
        assert document.document is not None
        assert document.document.content == b"%PDF-1 bao cao"
        assert document.document.name == "báo cáo.pdf"
        assert document.text == "Báo cáo sơ kết"


async def test_telegrams_refusals_come_back_as_ptbs_errors() -> None:
    async with FakeBotApi() as api:
        user = api.user(7, "A")
        async with _bot(api.base_url, api.token) as bot:
            api.fail("sendMessage", 429, retry_after=3)
            with pytest.raises(RetryAfter) as limited:
                await bot.send_message(user.id, "x")
            wait = limited.value.retry_after
            assert (wait if isinstance(wait, int | float) else wait.total_seconds()) == 3
            api.fail("sendMessage", 400, description="Bad Request: chat not found")
            with pytest.raises(BadRequest, match=r"(?i)chat not found"):
                await bot.send_message(user.id, "x")


async def test_a_dropped_connection_is_a_network_error_without_the_token() -> None:
    async with FakeBotApi() as api:
        user = api.user(7, "A")
        async with _bot(api.base_url, api.token) as bot:
            api.drop("sendMessage")
            with pytest.raises(NetworkError) as dropped:
                await bot.send_message(user.id, "x")
            assert api.token not in str(dropped.value)
            assert api.token.split(":")[-1] not in str(dropped.value)
            await bot.send_message(user.id, "again")  # the pool recovers
        assert [m.plain_text for m in api.messages_to(user.id)] == ["again"]


async def test_nothing_listening_is_a_network_error_without_the_token() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = AiohttpRequest()
    await transport.initialize()
    try:
        with pytest.raises(NetworkError) as refused:
            await transport.post(f"http://127.0.0.1:{port}/bot123456:SECRET-token-xyz/getMe")
    finally:
        await transport.shutdown()
    assert "SECRET-token-xyz" not in str(refused.value)


async def test_an_answer_slower_than_the_read_timeout_times_out() -> None:
    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    transport = AiohttpRequest(read_timeout=0.2)
    await transport.initialize()
    try:
        with pytest.raises(TimedOut):
            await transport.post(f"http://127.0.0.1:{port}/bot1:x/logOut")
    finally:
        await transport.shutdown()
        await runner.cleanup()


async def test_a_proxy_named_in_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ministry network may reach Telegram only through its proxy (HTTP(S)_PROXY), as
    PTB's own transport allowed."""
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    transport = AiohttpRequest()
    await transport.initialize()
    try:
        await transport.post("http://api.telegram.invalid/bot1:x/logOut")
    finally:
        await transport.shutdown()
        await runner.cleanup()
    assert seen == ["http://api.telegram.invalid/bot1:x/logOut"]
