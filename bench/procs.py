"""Running the bot (and the echo bot) as real processes against the local Bot API server."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.data import Dataset
from tests.botapi import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent


def bot_env(api: FakeBotApi, data: Dataset) -> dict[str, str]:
    """The environment of ``thidua run`` on ``data`` against ``api``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")}
    env.update({
        "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": api.token,
        "THIDUA_TELEGRAM_API_URL": api.base_url,
        "THIDUA_DATABASE": data.server.connection_string() if data.server
        else str(data.database),
        "THIDUA_BLOC_FILE": str(data.bloc_file)
    })
    return env


@dataclass
class Process:
    """A started bot process and when it was spawned (``time.monotonic``)."""

    proc: asyncio.subprocess.Process
    spawned: float

    @property
    def pid(self) -> int:
        return self.proc.pid

    def memory(self) -> tuple[float, float]:
        """(current RSS, peak RSS) in MB, from ``/proc/<pid>/status``."""
        values = {"VmRSS": 0.0, "VmHWM": 0.0}
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in values:
                    values[key] = int(rest.split()[0]) / 1024
        except OSError:
            pass
        return values["VmRSS"], values["VmHWM"]

    async def stop(self, grace: float = 30) -> int:
        """SIGTERM, then SIGKILL if it does not stop in time; returns the exit status."""
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), grace)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode or 0

    async def kill(self) -> None:
        """SIGKILL: no clean stop, like a power cut."""
        self.proc.kill()
        await self.proc.wait()


async def spawn(env: dict[str, str], *args: str, cwd: Path, stdout: bool = False) -> Process:
    """Start ``python <args>``; its output is discarded unless ``stdout`` (then piped)."""
    spawned = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE if stdout else asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL)
    return Process(proc, spawned)


async def start_thidua(api: FakeBotApi, data: Dataset, cwd: Path, *,
                       flood_cap: bool = True, stdout: bool = False) -> Process:
    """``thidua run`` (through :mod:`bench.botproc` when the overall flood cap is lifted)."""
    module = "bot.app.cli" if flood_cap else "bench.botproc"
    return await spawn(bot_env(api, data), "-m", module, "run", cwd=cwd, stdout=stdout)


async def start_echo(api: FakeBotApi, cwd: Path, *, transport: str = "") -> Process:
    """The bare python-telegram-bot echo bot, the ceiling of what the harness can measure
    (on PTB's own transport; ``transport="aiohttp"``: on the bot's)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return await spawn(env, "-m", "bench.echo_bot", api.base_url, api.token,
                       *([transport] if transport else []), cwd=cwd)


async def first_poll(api: FakeBotApi, since: int = 0, limit_s: float = 60) -> float:
    """When (monotonic) the first getUpdates after call number ``since`` reached the server.

    A long poll is recorded as a call only when it ends; a waiting one shows in
    ``active_polls`` (the server wakes its waiters the moment a poll starts).
    """
    def found() -> float | None:
        done = next((c.at for c in api.calls[since:] if c.method == "getUpdates"), None)
        return done if done is not None else (time.monotonic() if api.active_polls else None)

    at = await api.wait_until(found, limit_s)
    if at is None:
        raise RuntimeError(f"no getUpdates within {limit_s}s\n{api.describe_calls()}")
    return at
