"""Shared fixtures: a real database per test (SQLite, or PostgreSQL), the example bloc, a
fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app.runtime import Runtime, open_runtime
from bot.domain.clock import FixedClock
from config.database import DatabaseAddress, ServerDatabase
from config.settings import Settings
from tests.botapi import FakeBotApi
from tests.databases import new_server_database, server, test_database
from tests.zaloapi import FakeZaloApi

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_BLOC = ROOT / "config" / "bloc.example.yaml"

SMALL_BLOC = """\
code: test-bloc
name: Khối thi đua Thử nghiệm
ministry: Bộ Khoa học và Công nghệ
year: 2026
theme: Đoàn kết, đổi mới
chair: UDCN
deputy: CNCL
liaison:
  organisation: Vụ Thi đua – Khen thưởng
units:
  - {code: UDCN, name: Viện Ứng dụng công nghệ, short_name: Viện ƯDCN}
  - {code: CNCL, name: Văn phòng Công nhận Chất lượng, short_name: VP CNCL}
  - {code: SHTT, name: Viện Khoa học sở hữu trí tuệ, short_name: Viện KHSHTT,
     aliases: [VIPRI, Viện sở hữu trí tuệ]}
movements:
  - Khoa học và Công nghệ đồng hành cùng doanh nghiệp
periods:
  - code: 2026-H2
    title: 6 tháng cuối năm 2026
    start: 1/7/2026
    end: 31/12/2026
    report_deadline: 5/12/2026
    tasks:
      - {code: "1", title: Tổ chức Hội nghị Tổng kết, deadline: "15/12/2026 14h30"}
      - {code: "2", title: "Biểu dương điển hình <tiên tiến> & nhân tố mới"}
"""


@pytest.fixture
def clock() -> FixedClock:
    """24/11/2026 09:00 in Hà Nội."""
    return FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))


@pytest.fixture
def small_bloc_file(tmp_path: Path) -> Path:
    path = tmp_path / "bloc.yaml"
    path.write_text(SMALL_BLOC, encoding="utf-8")
    return path


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[DatabaseAddress]:
    """The test's own database: a new SQLite file, or a new PostgreSQL database when the
    run is on PostgreSQL (``tests/databases.py``)."""
    async with test_database(tmp_path) as address:
        yield address


@pytest.fixture
async def postgres() -> AsyncIterator[ServerDatabase]:
    """A new, empty database on the test server (the test is skipped in the SQLite run)."""
    if server() is None:
        pytest.skip("needs the PostgreSQL server that make test starts")
    async with new_server_database() as address:
        yield address


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests whose database is the test's ``database`` (or that need
    the server, ``postgres``) run: the others would try SQLite a second time."""
    if server() is None:
        return
    chosen = [item for item in items
              if {"database", "postgres"} & set(getattr(item, "fixturenames", ()))]
    config.hook.pytest_deselected(items=[item for item in items if item not in chosen])
    items[:] = chosen


@pytest.fixture
def settings(tmp_path: Path, small_bloc_file: Path, monkeypatch: pytest.MonkeyPatch,
             database: DatabaseAddress) -> Settings:
    """Settings isolated from the developer's environment and .env."""
    for name in ("TELEGRAM_BOT_TOKEN", "THIDUA_TELEGRAM_API_URL", "THIDUA_DATABASE",
                 "THIDUA_BLOC_FILE", "THIDUA_TIMEZONE", "THIDUA_LANGUAGE", "THIDUA_ADMIN_IDS",
                 "ZALO_BOT_TOKEN", "THIDUA_ZALO_API_URL", "THIDUA_WEBHOOK_URL",
                 "THIDUA_WEBHOOK_LISTEN", "THIDUA_WEBHOOK_SECRET", "THIDUA_FILES_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return Settings(database=database, bloc_file=small_bloc_file)


@pytest.fixture
async def runtime(settings: Settings, clock: FixedClock) -> AsyncIterator[Runtime]:
    """The bot's core on a fresh database with the small bloc loaded."""
    opened = await open_runtime(settings, clock=clock)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A local Bot API server on 127.0.0.1 for end-to-end tests."""
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloApi]:
    """A local Zalo Bot API server on 127.0.0.1; long polls end empty after 0.5 s."""
    async with FakeZaloApi(max_poll_wait=0.5) as server:
        yield server


@pytest.fixture
def zsettings(settings: Settings, zalo: FakeZaloApi) -> Settings:
    """The test settings pointed at the fake Zalo server, long polling."""
    from tests.zalo_e2e import zalo_settings

    return zalo_settings(settings, zalo)


@pytest.fixture
def tg_settings(settings: Settings, api: FakeBotApi) -> Settings:
    """The test settings pointed at the local Bot API server, with its token."""
    return settings.model_copy(update={
        "telegram_bot_token": SecretStr(api.token), "telegram_api_url": api.base_url,
    })
