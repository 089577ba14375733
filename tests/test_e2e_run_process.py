"""``thidua run`` as a real process against the local Bot API server: start, serve, stop, fail."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.botapi import FakeBotApi
from tests.conftest import ROOT, SMALL_BLOC


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token="987654:SECRET-token-never-logged") as server:
        yield server


def run_env(tmp_path: Path, api_url: str, token: str) -> dict[str, str]:
    (tmp_path / "bloc.yaml").write_text(SMALL_BLOC, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")}
    env.update({
        "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": token,
        "THIDUA_TELEGRAM_API_URL": api_url, "THIDUA_DATABASE": str(tmp_path / "bot.db"),
        "THIDUA_BLOC_FILE": str(tmp_path / "bloc.yaml"),
    })
    return env


async def thidua(env: dict[str, str], *args: str, cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app.cli", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_thidua_run_serves_stops_cleanly_and_never_logs_the_token(
    api: FakeBotApi, tmp_path: Path,
) -> None:
    env = run_env(tmp_path, api.base_url, api.token)
    invite = await thidua(env, "invite", "--role", "chair", cwd=tmp_path)
    out, _ = await invite.communicate()
    token = next(line.split(": ", 1)[1] for line in out.decode().splitlines()
                 if line.startswith("Mã mời"))
    # asked Telegram for the username, since the bot never ran yet
    assert f"https://t.me/thidua_test_bot?start={token}" in out.decode()

    bot = await thidua(env, "run", "--log-level", "DEBUG", cwd=tmp_path)
    chair = api.user(7, "Nhân")
    api.send_text(chair, f"/start {token}")
    welcome = await api.wait_for_message(chair.id, timeout=20)
    assert "Khối trưởng — Viện Ứng dụng công nghệ" in (welcome.plain_text or "")
    bot.send_signal(signal.SIGTERM)
    stdout, stderr = await asyncio.wait_for(bot.communicate(), timeout=20)
    assert bot.returncode == 0
    assert "@thidua_test_bot" in stdout.decode() and "Bot đã dừng" in stdout.decode()
    logs = stdout.decode() + stderr.decode()
    assert "getUpdates" in logs  # DEBUG logging was on and did talk about requests
    assert "SECRET-token-never-logged" not in logs and api.token not in logs
    assert (tmp_path / "bot.db").exists()


async def test_thidua_run_with_a_bad_token_says_so_in_one_line(
    api: FakeBotApi, tmp_path: Path,
) -> None:
    bot = await thidua(run_env(tmp_path, api.base_url, "111:wrong-token-xyz"), "run",
                       cwd=tmp_path)
    _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
    text = stderr.decode()
    assert bot.returncode == 1
    assert "Telegram từ chối mã bot" in text
    assert "Traceback" not in text and "wrong-token-xyz" not in text


async def test_thidua_run_with_an_unreachable_server_says_so_in_one_line(tmp_path: Path) -> None:
    bot = await thidua(run_env(tmp_path, "http://127.0.0.1:9", "1:abc"), "run", cwd=tmp_path)
    _, stderr = await asyncio.wait_for(bot.communicate(), timeout=60)
    text = stderr.decode()
    assert bot.returncode == 1
    assert "Không kết nối được máy chủ Bot API (http://127.0.0.1:9)" in text
    assert "Traceback" not in text
