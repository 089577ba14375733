"""End to end over HTTP: a network blip while the bot starts is waited out, not fatal."""

from __future__ import annotations

import logging

import pytest

from bot.app.runtime import Runtime
from bot.channels import retry
from bot.domain.clock import FixedClock
from config.settings import Settings
from tests.botapi import FakeBotApi
from tests.e2e import running_bot
from tests.zalo_e2e import running_zalo_bot
from tests.zaloapi import FakeZaloApi


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "START_FIRST_WAIT", 0.05)


async def test_telegram_unreachable_for_a_moment_at_start_is_tried_again(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock, caplog: pytest.LogCaptureFixture,
) -> None:
    api.drop("getMe", times=2)
    with caplog.at_level(logging.WARNING, logger="bot.channels.retry"):
        async with running_bot(tg_settings, clock) as bot:
            assert bot.username == "thidua_test_bot"
    tries = [c for c in api.calls if c.method == "getMe"]
    assert len(tries) == 3
    assert sum("connecting to Telegram failed" in r.getMessage() for r in caplog.records) == 2


async def test_zalo_unreachable_for_a_moment_at_start_is_tried_again(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    zalo.drop("getMe", times=3)
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        assert bot.names["zalo"] == "Thi đua (test)"
    assert len(zalo.calls_of("getMe")) == 4


async def test_zalo_answering_502_at_start_is_tried_again(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    zalo.fail("getMe", 502, times=2)  # the gateway restarts
    async with running_zalo_bot(zsettings, zalo, clock) as bot:
        assert bot.names["zalo"] == "Thi đua (test)"


async def test_a_telegram_start_that_fails_leaves_no_connection_open(
    api: FakeBotApi, runtime: Runtime, clock: FixedClock, caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused token ends the start; the connections opened for it are closed, not left
    for the interpreter to complain about at exit."""
    import gc

    from bot.channels.telegram import TelegramChannel, TelegramStartError
    from bot.services.inbox import Inbox

    async def nobody(*_: object, **__: object) -> None:
        raise AssertionError("nothing is handled")

    channel = TelegramChannel(nobody, token="123:wrong", api_url=api.base_url,  # type: ignore[arg-type]
                              inbox=Inbox(runtime.repo, clock))
    with pytest.raises(TelegramStartError):
        await channel.connect()
    await channel.stop()
    with caplog.at_level(logging.ERROR):
        del channel
        gc.collect()
    assert not [r for r in caplog.records if "Unclosed" in r.getMessage()]
