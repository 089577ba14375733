"""End to end over HTTP: Telegram and Zalo both post updates to the bot's own web server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.channels.zalo import ZaloChannel
from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi, FakeUser
from tests.e2e import make_invite
from tests.zalo_e2e import SECRET, ask, join, running_zalo_bot, zalo_settings
from tests.zaloapi import SECRET_HEADER, FakeZaloApi, ZaloUser

TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STRANGER = "Bot này phục vụ các đơn vị thành viên của Khối thi đua"


@pytest.fixture
def both(settings: Settings, api: FakeBotApi, zalo: FakeZaloApi) -> Settings:
    """Telegram and Zalo tokens, and a webhook URL on a free local port with the secret."""
    return zalo_settings(settings, zalo, webhook=True).model_copy(update={
        "telegram_bot_token": SecretStr(api.token), "telegram_api_url": api.base_url})


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def hook(settings: Settings, channel: str) -> str:
    return f"{settings.webhook_url}/{channel}"


def zalo_text(user: ZaloUser, text: str, message_id: str) -> dict[str, Any]:
    """A text update as Zalo posts it."""
    return {"event_name": "message.text.received", "message": {
        "from": user.to_dict(), "chat": user.chat(), "message_id": message_id,
        "date": 1795999200000, "text": text}}


def telegram_text(api: FakeBotApi, user: FakeUser, text: str) -> dict[str, Any]:
    """A text update as Telegram would post it (taken from the fake's getUpdates queue)."""
    api.send_text(user, text)
    return api.queue.pop().update


async def test_on_start_both_webhooks_are_registered_with_the_secret(
    api: FakeBotApi, zalo: FakeZaloApi, both: Settings, clock: FixedClock,
) -> None:
    async with running_zalo_bot(both, zalo, clock) as bot:
        assert bot.names == {"telegram": "thidua_test_bot", "zalo": "Thi đua (test)"}
        assert (zalo.webhook_url, zalo.webhook_secret) == (hook(both, "zalo"), SECRET)
        telegram = [call.params for call in api.calls if call.method == "setWebhook"]
        assert [(p["url"], p["secret_token"]) for p in telegram] == [
            (hook(both, "telegram"), SECRET)]
        assert api.webhook_url == hook(both, "telegram")
        assert not [c for c in api.calls if c.method == "getUpdates"]  # nobody polls
        assert not zalo.calls_of("getUpdates")


async def test_a_zalo_update_with_the_secret_is_answered_bare_or_wrapped(
    zalo: FakeZaloApi, both: Settings, clock: FixedClock,
) -> None:
    an = zalo.user("An")
    async with running_zalo_bot(both, zalo, clock):
        welcome = await join(zalo, both, clock, an)  # a bare update
        assert (welcome.text or "").startswith("Xin chào đồng chí An!")
        zalo.wrap_webhook_body = True  # {"ok": true, "result": update}
        tasks = await ask(zalo, an, "/nhiemvu")
        assert "Tổ chức Hội nghị Tổng kết" in (tasks.text or "")
    assert zalo.webhook_statuses == [200, 200]
    assert "result" in zalo.deliveries[-1].body


async def test_a_zalo_update_with_a_wrong_or_missing_secret_is_refused(
    zalo: FakeZaloApi, both: Settings, clock: FixedClock,
) -> None:
    an = zalo.user("An")
    async with running_zalo_bot(both, zalo, clock):
        token = await make_invite(both, Role.CONTACT, "SHTT", clock=clock)
        forged = zalo_text(an, f"dangky {token}", "f" * 32)
        assert await zalo.post_to_webhook(forged, "s3cret-Value_124") == 403
        assert await zalo.post_to_webhook(forged, None) == 403
        assert await zalo.post_to_webhook(forged, "") == 403
        welcome = await ask(zalo, an, f"dangky {token}")  # the invite was not used up
        assert (welcome.text or "").startswith("Xin chào đồng chí An!")
    assert zalo.messages_to(an) == [welcome]  # and nothing answered the forged ones
    assert zalo.webhook_statuses == [403, 403, 403, 200]


async def test_a_zalo_update_delivered_twice_is_handled_once(
    zalo: FakeZaloApi, both: Settings, clock: FixedClock,
) -> None:
    an = zalo.user("An")
    async with running_zalo_bot(both, zalo, clock):
        await join(zalo, both, clock, an)
        quick = await ask(zalo, an, "/capnhat 1 50% Đã họp")
        assert "Đang thực hiện 50%" in (quick.text or "")
        await zalo.replay_last()  # Zalo delivers the same message_id again
        await ask(zalo, an, "/trogiup", contains="/capnhat")  # answered after the replay
    assert [m.text for m in zalo.messages_to(an)].count(quick.text) == 1
    assert zalo.webhook_statuses == [200, 200, 200, 200]


async def test_a_telegram_update_is_answered_once_and_a_wrong_secret_refused(
    api: FakeBotApi, zalo: FakeZaloApi, both: Settings, clock: FixedClock,
    http: httpx.AsyncClient,
) -> None:
    stranger = api.user(1, "Người lạ")
    async with running_zalo_bot(both, zalo, clock):
        update = telegram_text(api, stranger, "Xin chào")
        for headers in ({TELEGRAM_HEADER: "wrong-secret"}, {}, {SECRET_HEADER: SECRET}):
            refused = await http.post(hook(both, "telegram"), json=update, headers=headers)
            assert refused.status_code == 403
        taken = await http.post(hook(both, "telegram"), json=update,
                                headers={TELEGRAM_HEADER: SECRET})
        assert taken.status_code == 200
        hello = await api.wait_for_message(stranger.id)
        assert STRANGER in (hello.plain_text or "")
        again = await http.post(hook(both, "telegram"), json=update,
                                headers={TELEGRAM_HEADER: SECRET})
        assert again.status_code == 200  # Telegram retries: accepted, not answered twice
        later = telegram_text(api, stranger, "/trogiup")
        await http.post(hook(both, "telegram"), json=later, headers={TELEGRAM_HEADER: SECRET})
        await api.wait_for_message(stranger.id)
    assert len(api.messages_to(stranger.id)) == 2


async def test_healthz_says_what_is_up_and_503_when_a_channel_is_down(
    zalo: FakeZaloApi, both: Settings, clock: FixedClock, http: httpx.AsyncClient,
) -> None:
    async with running_zalo_bot(both, zalo, clock) as bot:
        root = both.webhook_url.rsplit("/", 1)[0] if both.webhook_url else ""
        for url in (f"{root}/healthz", f"{both.webhook_url}/healthz"):
            healthy = await http.get(url)
            assert healthy.status_code == 200
            assert healthy.json() == {"ok": True, "database": "up",
                                      "channels": {"telegram": "up", "zalo": "up"}}
        await bot.runtime.channels["zalo"].stop()  # type: ignore[attr-defined]
        down = await http.get(f"{root}/healthz")
        assert down.status_code == 503
        assert down.json() == {"ok": False, "database": "up",
                               "channels": {"telegram": "up", "zalo": "down"}}


async def test_an_update_arriving_while_the_bot_stops_is_not_taken_and_lost(
    zalo: FakeZaloApi, both: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    an = zalo.user("An")
    late: list[int | None] = []
    real_stop = ZaloChannel.stop

    async def stop_then_post(self: ZaloChannel) -> None:
        await real_stop(self)  # the Zalo channel is down; a message comes in just now
        late.append(await zalo.post_to_webhook(zalo_text(an, "/nhiemvu", "e" * 32), SECRET))

    monkeypatch.setattr(ZaloChannel, "stop", stop_then_post)
    async with running_zalo_bot(both, zalo, clock):
        await join(zalo, both, clock, an)
    # refused, so the messenger keeps it for later, rather than accepted and never answered
    assert late == [None]
    assert len(zalo.messages_to(an)) == 1


async def test_an_update_acknowledged_just_before_a_crash_is_handled_after_the_restart(
    zalo: FakeZaloApi, both: Settings, clock: FixedClock,
) -> None:
    """The bot wrote the update down and said "received", then died before handling it."""
    import json

    from storage.opening import open_repository

    an = zalo.user("An")
    token = await make_invite(both, unit="SHTT", clock=clock)
    repo = await open_repository(both.database)
    try:
        body = zalo_text(an, f"dangky {token}", "c" * 32)
        assert await repo.inbox_add(
            "zalo", [(ZaloChannel.update_key(body) or "", json.dumps(body), an.id)],
            clock.now()) != [None]
    finally:
        await repo.close()
    async with running_zalo_bot(both, zalo, clock) as bot:
        welcome = await zalo.wait_for_message(an, lambda m: "Xin chào" in (m.text or ""))
        assert "đã được đăng ký" in (welcome.text or "")
        for _ in range(100):  # handled, so it leaves the inbox (just after the answer)
            if not await bot.runtime.repo.inbox_waiting("zalo", clock.now()):
                break
            await asyncio.sleep(0.02)
        assert await bot.runtime.repo.inbox_waiting("zalo", clock.now()) == []
        # Zalo retrying the same update later changes nothing
        assert await zalo.post_to_webhook(body, SECRET) == 200
        await ask(zalo, an, "/nhiemvu")
    assert len([m for m in zalo.messages_to(an) if "đã được đăng ký" in (m.text or "")]) == 1


async def test_a_lone_surrogate_in_a_webhook_body_is_answered_not_refused(
    api: FakeBotApi, zalo: FakeZaloApi, both: Settings, clock: FixedClock,
    http: httpx.AsyncClient,
) -> None:
    stranger = api.user(2, "Người lạ \ud800")
    async with running_zalo_bot(both, zalo, clock):
        update = telegram_text(api, stranger, "Xin chào \udc00 bot")
        body = json.dumps(update)  # valid JSON; the text is not valid UTF-8
        assert "\\udc00" in body
        taken = await http.post(hook(both, "telegram"), content=body,
                                headers={TELEGRAM_HEADER: SECRET,
                                         "Content-Type": "application/json"})
        assert taken.status_code == 200
        hello = await api.wait_for_message(stranger.id)
        assert STRANGER in (hello.plain_text or "")
