"""Whatever a person types at any step of an update, the bot answers and never fails."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.app.runtime import Runtime, open_runtime
from bot.domain.clock import FixedClock
from config.settings import Settings
from tests.chat import Person, plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered

ROUTES = {
    "task": ["/capnhat"],
    "status": ["/capnhat", "1"],
    "help": ["/capnhat", "1", "Gặp khó khăn"],
    "percent": ["/capnhat", "1", "Đang thực hiện"],
    "note": ["/capnhat", "1", "Hoàn thành"],
    "files": ["/capnhat", "1", "Hoàn thành", "Đã xong"],
    "confirm": ["/capnhat 1 50% Đã họp"],
    "edit": ["/capnhat 1 50% Đã họp", "Sửa"],
    "mine": ["/cuatoi"],
}
TEXT = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from([
    "", " ", "\u200f\u202eابجد", "<b>đậm</b> & <script>", "😀👨‍👩‍👧", "/", "//x", "1", "0",
    "-1", "100%", "Gửi", "Sửa", "Hủy", "/huy",
])


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    event_loop = asyncio.new_event_loop()
    yield event_loop
    event_loop.close()


@pytest.fixture(scope="module")
def fuzz_runtime(loop: asyncio.AbstractEventLoop,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    (folder / "bloc.yaml").write_text(SMALL_BLOC, encoding="utf-8")
    settings = Settings(database=folder / "fuzz.db", bloc_file=folder / "bloc.yaml")
    clock = FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    runtime = loop.run_until_complete(open_runtime(settings, clock=clock))
    yield runtime
    loop.run_until_complete(runtime.close())


@pytest.mark.parametrize("step", list(ROUTES))
def test_any_text_at_any_step_gets_an_answer(step: str, loop: asyncio.AbstractEventLoop,
                                             fuzz_runtime: Runtime) -> None:
    person: Person = loop.run_until_complete(registered(fuzz_runtime, f"fuzz-{step}"))

    @settings(max_examples=40, deadline=None)
    @given(text=TEXT)
    @example(text="x" * 10_000)
    def typed(text: str) -> None:
        async def scenario() -> str:
            await person.say("/huy")
            for line in ROUTES[step]:
                await person.say(line)
            response = await person.say(text)
            return plain(response) if response.replies else ""

        answer = loop.run_until_complete(scenario())
        assert "đã có lỗi" not in answer  # never the apology for an internal failure
        assert answer or not text.strip() or text.strip().startswith("/")  # never silence

    typed()
