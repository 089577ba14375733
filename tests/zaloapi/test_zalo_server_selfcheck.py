"""Self-check: the fake Zalo Bot API server behaves as documented, over real HTTP (httpx)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from aiohttp import web

from . import IMAGE, SECRET_HEADER, STICKER, TEXT, UNSUPPORTED, FakeZaloApi, SentMessage

SECRET = "s3cret-token-123"


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloApi]:
    async with FakeZaloApi(token="zalo-test-token", max_poll_wait=0.3) as server:
        yield server


@pytest.fixture
async def client(zalo: FakeZaloApi) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{zalo.url}/bot{zalo.token}/") as http:
        yield http


async def call(client: httpx.AsyncClient, method: str, **params: object) -> httpx.Response:
    return await client.post(method, json=params)


@dataclass
class Receiver:
    """A tiny webhook endpoint standing in for the bot: records requests, checks the secret."""

    url: str = ""
    received: list[tuple[str | None, dict[str, object]]] = field(default_factory=list)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    box = Receiver()

    async def hook(request: web.Request) -> web.Response:
        box.received.append((request.headers.get(SECRET_HEADER), await request.json()))
        status = 200 if request.headers.get(SECRET_HEADER) == SECRET else 403
        return web.json_response({"ok": status == 200}, status=status)

    app = web.Application()
    app.router.add_post("/zalo/webhook", hook)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    box.url = f"http://127.0.0.1:{runner.addresses[0][1]}/zalo/webhook"
    yield box
    await runner.cleanup()


async def test_get_me_token_and_unknown_method(
    zalo: FakeZaloApi, client: httpx.AsyncClient
) -> None:
    me = await call(client, "getMe")
    assert me.status_code == 200
    assert me.json() == {
        "ok": True,
        "result": {
            "id": zalo.bot_id,
            "account_name": "Thi đua (test)",
            "account_type": "BASIC",
            "can_join_groups": False,  # the platform's default: groups are not open to bots
        },
    }
    async with httpx.AsyncClient(base_url=zalo.url) as raw:
        wrong = await raw.post("/botWRONG/getMe", json={})
        by_get = await raw.get(f"/bot{zalo.token}/getWebhookInfo")
    assert (wrong.status_code, wrong.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert by_get.json()["result"]["url"] == ""
    missing = await call(client, "editMessageText")
    assert missing.status_code == 404 and missing.json()["error_code"] == 404
    assert [(c.method, c.status) for c in zalo.calls] == [
        ("getMe", 200),
        ("getMe", 401),
        ("getWebhookInfo", 200),
        ("editMessageText", 404),
    ]
    method, params, at = zalo.calls[0]
    assert (method, params) == ("getMe", {}) and at <= time.monotonic()


async def test_long_poll_one_update_at_a_time_then_408(
    zalo: FakeZaloApi, client: httpx.AsyncClient
) -> None:
    an = zalo.user("Nguyễn Văn A")
    group = zalo.group("Khối thi đua")
    assert re.fullmatch(r"[0-9a-f]{16}", an.id) and re.fullmatch(r"[0-9a-f]{20}", group.id)
    first = await an.say("xin chào")
    second = await an.say("báo cáo", group=group)
    assert first["event_name"] == TEXT and zalo.pending_updates() == 2
    message = first["message"]
    assert message["from"] == {"id": an.id, "display_name": "Nguyễn Văn A", "is_bot": False}
    assert message["chat"] == {"id": an.id, "chat_type": "PRIVATE"}
    assert isinstance(message["message_id"], str) and isinstance(message["date"], int)
    assert second["message"]["chat"] == {"id": group.id, "chat_type": "GROUP"}

    got = [(await call(client, "getUpdates", timeout="30")).json() for _ in range(2)]
    assert got == [{"ok": True, "result": first}, {"ok": True, "result": second}]

    started = time.monotonic()
    empty = await call(client, "getUpdates", timeout=30)
    waited = time.monotonic() - started
    assert (empty.status_code, empty.json()) == (
        408,
        {"ok": False, "error_code": 408, "description": "Request timeout"},
    )
    assert 0.25 <= waited < 1.0  # capped by max_poll_wait=0.3, not the 30 s asked for
    quick = time.monotonic()
    assert (await call(client, "getUpdates", timeout="0")).status_code == 408
    assert time.monotonic() - quick < 0.2

    zalo.max_poll_wait = 5.0
    poll = asyncio.create_task(call(client, "getUpdates", timeout="30"))
    assert await zalo.wait_until(lambda: zalo.active_polls, 2)
    image = await an.send_image(url="http://img.example/x.jpg", caption="ảnh")
    answer = await poll
    assert answer.json()["result"] == image and time.monotonic() - started < 3
    assert image["event_name"] == IMAGE
    assert (image["message"]["photo_url"], image["message"]["caption"]) == (
        "http://img.example/x.jpg",
        "ảnh",
    )
    sticker = await an.send_sticker()
    other = await an.send_unsupported()
    assert sticker["event_name"] == STICKER and {"sticker", "url"} <= set(sticker["message"])
    assert other["event_name"] == UNSUPPORTED and "text" not in other["message"]
    await call(client, "getUpdates")
    await call(client, "getUpdates")
    await zalo.wait_until_consumed(timeout=0.1)

    replayed = await zalo.replay_last()
    assert replayed == other
    again = await call(client, "getUpdates", timeout=1)
    assert again.json()["result"]["message"]["message_id"] == other["message"]["message_id"]
    assert len([c for c in zalo.calls if c.method == "getUpdates"]) == 8


async def test_webhook_delivery_secret_wrapping_and_replay(
    zalo: FakeZaloApi, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    bad = [
        await call(client, "setWebhook", url=receiver.url, secret_token="short"),
        await call(client, "setWebhook", url=receiver.url, secret_token="x" * 257),
        await call(client, "setWebhook", url="ftp://example.com/hook", secret_token=SECRET),
    ]
    assert [r.status_code for r in bad] == [400, 400, 400]
    assert zalo.webhook_url == ""

    before = int(time.time() * 1000)
    ok = (await call(client, "setWebhook", url=receiver.url, secret_token=SECRET)).json()
    assert ok["result"]["url"] == receiver.url and ok["result"]["updated_at"] >= before
    info = (await call(client, "getWebhookInfo")).json()["result"]
    assert info == {"url": receiver.url, "updated_at": ok["result"]["updated_at"]}
    refused = await call(client, "getUpdates", timeout=30)
    assert refused.status_code == 400 and "webhook" in refused.json()["description"]

    an = zalo.user("Nguyễn Văn A")
    zalo.wrap_webhook_body = False  # the bare update some deployments post
    update = await an.say("/start")
    assert receiver.received == [(SECRET, update)] and zalo.pending_updates() == 0
    assert zalo.webhook_statuses == [200]

    zalo.wrap_webhook_body = True  # the published shape, the default
    replayed = await zalo.replay_last()
    assert receiver.received[-1] == (SECRET, {"ok": True, "result": update})
    assert replayed["message"]["message_id"] == update["message"]["message_id"]

    assert await zalo.post_to_webhook(update, None) == 403
    assert await zalo.post_to_webhook(update, "wrong-secret") == 403
    assert receiver.received[-2][0] is None and receiver.received[-1][0] == "wrong-secret"
    assert zalo.webhook_statuses == [200, 200, 403, 403]
    assert zalo.deliveries[-1].url == receiver.url

    gone = (await call(client, "deleteWebhook")).json()["result"]
    assert gone["url"] == "" and gone["updated_at"] >= ok["result"]["updated_at"]
    assert (await call(client, "getWebhookInfo")).json()["result"]["url"] == ""
    queued = await an.say("lại polling")
    assert len(receiver.received) == 4
    assert (await call(client, "getUpdates")).json()["result"] == queued


async def test_unreachable_webhook_is_recorded_as_none(zalo: FakeZaloApi) -> None:
    zalo.webhook_url, zalo.webhook_secret = "http://127.0.0.1:9/nowhere", SECRET
    await zalo.user("B").say("alo")
    assert zalo.webhook_statuses == [None] and zalo.deliveries[0].error


async def test_sending_limits_and_records(zalo: FakeZaloApi, client: httpx.AsyncClient) -> None:
    an = zalo.user("Nguyễn Văn A")
    group = zalo.group("Khối thi đua")
    sent = await call(client, "sendMessage", chat_id=an.id, text="x" * 2000)
    result = sent.json()["result"]
    assert isinstance(result["message_id"], str) and isinstance(result["date"], int)
    record = zalo.sent[-1]
    assert (record.method, record.chat_id, record.message_id) == (
        "sendMessage",
        an.id,
        result["message_id"],
    )
    too_long = await call(client, "sendMessage", chat_id=an.id, text="ư" * 2001)
    empty = await call(client, "sendMessage", chat_id=an.id, text="")
    unknown = await call(client, "sendMessage", chat_id="123", text="hi")
    assert [too_long.status_code, empty.status_code, unknown.status_code] == [400, 400, 400]
    assert too_long.json()["error_code"] == 400 and "too long" in too_long.json()["description"]

    photo = await call(
        client, "sendPhoto", chat_id=group.id, photo="http://x/a.png", caption="Biểu đồ"
    )
    sticker = await call(client, "sendSticker", chat_id=group.id, sticker="abc")
    typing = await call(client, "sendChatAction", chat_id=an.id, action="typing")
    wrong_action = await call(client, "sendChatAction", chat_id=an.id, action="record_video")
    assert [photo.status_code, sticker.status_code, wrong_action.status_code] == [200, 200, 400]
    assert typing.json() == {"ok": True, "result": True}
    assert [(m.kind, m.photo, m.caption, m.sticker) for m in zalo.messages_to(group)] == [
        ("photo", "http://x/a.png", "Biểu đồ", None),
        ("sticker", None, None, "abc"),
    ]
    assert [(a.chat_id, a.action) for a in zalo.chat_actions] == [(an.id, "typing")]

    zalo.block(an)
    blocked = await call(client, "sendMessage", chat_id=an.id, text="hi")
    assert blocked.status_code == 403 and len(zalo.messages_to(an)) == 1


async def test_fail_and_drop(zalo: FakeZaloApi, client: httpx.AsyncClient) -> None:
    an = zalo.user("A")
    zalo.fail("sendMessage", 429, times=2)
    zalo.fail("getMe", 500, description="boom")
    answers = [await call(client, "sendMessage", chat_id=an.id, text="hi") for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].json() == {"ok": False, "error_code": 429, "description": "Too many requests"}
    assert (await call(client, "getMe")).json()["description"] == "boom"
    assert len(zalo.sent) == 1

    zalo.drop("sendMessage")
    with pytest.raises(httpx.TransportError):
        await call(client, "sendMessage", chat_id=an.id, text="lost")
    assert (await call(client, "sendMessage", chat_id=an.id, text="ok")).status_code == 200
    assert [c.status for c in zalo.calls if c.method == "sendMessage"] == [429, 429, 200, None, 200]
    with pytest.raises(ValueError, match="unknown Zalo method"):
        zalo.fail("send_message", 400)


async def test_wait_for_message_semantics(zalo: FakeZaloApi, client: httpx.AsyncClient) -> None:
    an = zalo.user("A")
    await call(client, "sendMessage", chat_id=an.id, text="một")
    await call(client, "sendMessage", chat_id=an.id, text="hai")

    def has(word: str) -> Callable[[SentMessage], bool]:
        return lambda m: m.text == word

    # With a predicate, earlier messages count, but each is returned only once.
    assert (await zalo.wait_for_message(an, has("một"), timeout=0.1)).text == "một"
    with pytest.raises(AssertionError, match=re.escape("the chat received:\n  #")):
        await zalo.wait_for_message(an, has("một"), timeout=0.05)
    # Without predicate only messages sent after the call count.
    later = asyncio.create_task(zalo.wait_for_message(an.id, timeout=2))
    await asyncio.sleep(0.05)
    await call(client, "sendMessage", chat_id=an.id, text="ba")
    found: SentMessage = await later
    assert found.text == "ba"
    assert (await zalo.wait_for_message(an, lambda m: True, timeout=0.1)).text == "hai"
    assert [m.text for m in zalo.messages_to(an)] == ["một", "hai", "ba"]
    assert await zalo.wait_until(lambda: len(zalo.sent) == 3, timeout=0.1)
    assert await zalo.wait_until(lambda: len(zalo.sent) == 4, timeout=0.05) is None


async def test_stop_does_not_hang_on_a_waiting_poll() -> None:
    zalo = await FakeZaloApi(max_poll_wait=30.0).start()
    async with httpx.AsyncClient(base_url=zalo.url) as http:
        poll = asyncio.create_task(http.post(f"/bot{zalo.token}/getUpdates", json={"timeout": 30}))
        assert await zalo.wait_until(lambda: zalo.active_polls, 2)
        started = time.monotonic()
        await zalo.stop()
        assert time.monotonic() - started < 2
        try:
            answer = await asyncio.wait_for(poll, 2)
        except httpx.TransportError:
            pass  # the connection closed under it: also fine for a client
        else:
            assert answer.status_code == 408
