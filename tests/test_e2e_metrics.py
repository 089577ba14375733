"""``/metrics`` over HTTP: the operator's monitoring reads updates by channel and result,
the handling time, sends, the outbox's depth, reminders and the scheduler's leader."""

from __future__ import annotations

import asyncio

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.zalo_e2e import ask, free_port, join, running_zalo_bot
from tests.zaloapi import FakeZaloApi


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def test_the_metrics_page_counts_what_the_bot_did(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    port = free_port()
    listening = zsettings.model_copy(update={"webhook_listen": f"127.0.0.1:{port}"})
    chair = zalo.user("Nhân")
    async with running_zalo_bot(listening, zalo, clock), httpx.AsyncClient() as http:
        await join(zalo, listening, clock, chair, Role.CHAIR, "UDCN")
        await ask(zalo, chair, "/nhiemvu", contains="Tổ chức Hội nghị Tổng kết")
        key = ("thidua_updates_total", (("channel", "zalo"), ("result", "handled")))
        for _ in range(100):  # an update is counted once its replies are delivered
            page = await http.get(f"http://127.0.0.1:{port}/metrics")
            if _samples(page.text).get(key) == 2:
                break
            await asyncio.sleep(0.05)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/plain")
    seen = _samples(page.text)
    assert seen[("thidua_updates_total", (("channel", "zalo"), ("result", "handled")))] == 2
    assert seen[("thidua_handler_seconds_count", (("channel", "zalo"),))] == 2
    assert ("thidua_outbox_rows", (("status", "sent"),)) in seen
    assert seen[("thidua_scheduler_leader", ())] == 1
    assert all(value == 0 for (name, _), value in seen.items()
               if name == "thidua_rate_limited_total")
