"""End to end over HTTP: Zalo long polling through errors, health, and per-person order."""

from __future__ import annotations

import itertools
import logging
import time

import httpx
import pytest

import handlers.matrix
from bot.channels import zalo as zalo_channel
from bot.domain.clock import FixedClock
from bot.services.heatmap import HeatMap
from config.settings import Settings
from storage.records import Role
from tests.zalo_e2e import (
    after,
    ask,
    channel_of,
    eventually,
    free_port,
    join,
    running_zalo_bot,
)
from tests.zaloapi import FakeZaloApi


async def test_while_polling_the_health_check_runs_when_a_listen_address_is_given(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    port = free_port()
    polling = zsettings.model_copy(update={"webhook_listen": f"127.0.0.1:{port}"})
    async with running_zalo_bot(polling, zalo, clock) as bot, httpx.AsyncClient() as http:
        healthy = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert healthy.status_code == 200
        assert healthy.json()["channels"] == {"zalo": "up"}
        await zalo.wait_for_call("getUpdates")  # still polling: no webhook was set
        assert zalo.webhook_url in ("", None)
        await bot.runtime.channels["zalo"].stop()  # type: ignore[attr-defined]
        down = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert down.status_code == 503 and down.json()["channels"] == {"zalo": "down"}


async def test_quick_messages_are_answered_in_the_order_they_were_sent(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = handlers.matrix.render_heatmap

    def slow(data: HeatMap) -> bytes:  # a big bloc's picture takes a while
        time.sleep(0.3)
        return real(data)

    monkeypatch.setattr(handlers.matrix, "render_heatmap", slow)
    chair = zalo.user("Nhân")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, chair, Role.CHAIR, "UDCN")
        # the welcome lists every command: on Zalo it is two messages; both are in first
        await zalo.wait_for_message(chair, lambda m: "/huy" in (m.text or ""))
        fresh = after(zalo)
        for text in ("/bando", "/bando", "/nhiemvu"):
            await chair.say(text)
        await zalo.wait_for_message(chair, lambda m: "Bản đồ tiến độ" in (m.text or ""))
        await chair.say("/trogiup")  # while the second picture is being drawn
        await zalo.wait_until(lambda: len([m for m in zalo.messages_to(chair) if fresh(m)]) >= 4,
                              timeout=5)
    answers = [(m.text or "").split("\n")[0] for m in zalo.messages_to(chair) if fresh(m)]
    # (the help runs over two Zalo messages: its second may or may not be in yet)
    assert answers[:4] == ["Bản đồ tiến độ 6 tháng cuối năm 2026: 0/3 đơn vị đã báo cáo đủ.",
                       "Bản đồ tiến độ 6 tháng cuối năm 2026: 0/3 đơn vị đã báo cáo đủ.",
                       "Khối thi đua Thử nghiệm — năm 2026", "Các lệnh có thể sử dụng"]


# -- the long-polling loop --------------------------------------------------------------------

def poll_gaps(zalo: FakeZaloApi, statuses: set[int | None]) -> list[float]:
    """Seconds from each failed getUpdates to the next getUpdates."""
    polls = zalo.calls_of("getUpdates")
    return [later.at - call.at for call, later in itertools.pairwise(polls)
            if call.status in statuses]


async def test_long_polls_that_end_empty_are_normal(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock, caplog: pytest.LogCaptureFixture,
) -> None:
    zalo.max_poll_wait = 0.05
    an = zalo.user("An")
    caplog.set_level(logging.INFO, logger="bot")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        await zalo.wait_until(lambda: len(zalo.calls_of("getUpdates")) >= 6, timeout=5)
        assert {call.status for call in zalo.calls_of("getUpdates")} == {408}
        assert channel_of(bot).healthy()
        welcome = await join(zalo, zsettings, clock, an)
        assert (welcome.text or "").startswith("Xin chào đồng chí An!")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_429_5xx_and_dropped_connections_are_retried_with_growing_waits(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(zalo_channel, "POLL_BACKOFF_FIRST", 0.1)
    monkeypatch.setattr(zalo_channel, "FAILING_AFTER", 0.0)
    an = zalo.user("An")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        channel = channel_of(bot)
        await join(zalo, zsettings, clock, an)
        zalo.fail("getUpdates", 429)
        zalo.fail("getUpdates", 500)
        zalo.fail("getUpdates", 502)
        zalo.drop("getUpdates")
        await eventually(lambda: not channel.healthy())
        zalo.fail("sendMessage", 503)  # and the answer is retried too
        answer = await ask(zalo, an, "/nhiemvu", timeout=10)
        assert "Tổ chức Hội nghị Tổng kết" in (answer.text or "")
        assert channel.healthy()
    failed = [c.status for c in zalo.calls_of("getUpdates") if c.status != 408]
    assert failed[failed.index(429):][:5] == [429, 500, 502, None, 200]
    gaps = poll_gaps(zalo, {429, 500, 502, None})
    assert [round(gap, 1) >= 0.1 * 2 ** n for n, gap in enumerate(gaps)] == [True] * 4
    assert [c.status for c in zalo.calls_of("sendMessage")][-2:] == [503, 200]


async def test_a_rejected_token_mid_run_is_logged_and_retried_slowly(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(zalo_channel, "POLL_BACKOFF_FIRST", 0.05)
    monkeypatch.setattr(zalo_channel, "FAILING_AFTER", 0.0)
    monkeypatch.setattr(zalo_channel, "POLL_BACKOFF_MAX", 0.6)
    an = zalo.user("An")
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        await join(zalo, zsettings, clock, an)
        zalo.fail("getUpdates", 401, times=2)
        await eventually(lambda: not channel_of(bot).healthy())
        answer = await ask(zalo, an, "/nhiemvu", timeout=10)
        assert "Tổ chức Hội nghị Tổng kết" in (answer.text or "")
        assert not bot.task.done()
    gaps = poll_gaps(zalo, {401})
    assert len(gaps) == 2 and min(gaps) >= 0.6  # not every 50 ms: at the longest wait
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and all("401" in r.getMessage() for r in errors)
    assert zalo.token not in caplog.text
