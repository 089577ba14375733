"""A running bot picks up an edited bloc file and keeps its last good data when it is wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.app.runtime import Runtime, StartupError, open_runtime
from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.chat import Person, plain
from tests.conftest import SMALL_BLOC


def touch_later(path: Path, text: str) -> None:
    """Write the file with a modification time visibly after the previous one."""
    before = path.stat().st_mtime
    path.write_text(text, encoding="utf-8")
    os.utime(path, (before + 5, before + 5))


async def test_edit_is_picked_up_and_a_broken_edit_is_ignored(
    runtime: Runtime, small_bloc_file: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    member = Person(runtime.dispatcher, "1", "A")
    await runtime.repo.upsert_member(
        bloc_id=runtime.bloc.id, channel="test", external_id="1", display_name="A",
        unit_id=None, role=Role.LIAISON, now=runtime.clock.now())
    assert await runtime.watchers[0].check() is None  # unchanged file: nothing to do

    touch_later(small_bloc_file, SMALL_BLOC.replace("Tổ chức Hội nghị Tổng kết",
                                                    "Tổ chức Hội nghị Tổng kết năm 2026"))
    await runtime._reload()
    assert "Tổng kết năm 2026" in plain(await member.say("/nhiemvu"))

    touch_later(small_bloc_file, SMALL_BLOC.replace("chair: UDCN", "chair: NOPE"))
    await runtime._reload()
    assert "Tổng kết năm 2026" in plain(await member.say("/nhiemvu"))
    assert "“NOPE” không phải là mã của đơn vị nào" in caplog.text
    assert "tiếp tục dùng dữ liệu hợp lệ" in caplog.text


async def test_start_with_a_broken_file_uses_the_last_good_data_or_refuses(
    settings: Settings, small_bloc_file: Path, clock: FixedClock, tmp_path: Path,
) -> None:
    first = await open_runtime(settings, clock=clock)
    await first.close()
    small_bloc_file.write_text("units: [", encoding="utf-8")
    second = await open_runtime(settings, clock=clock)  # last good data from the database
    assert second.bloc.name == "Khối thi đua Thử nghiệm"
    await second.close()
    with pytest.raises(StartupError, match="sai cú pháp YAML"):
        await open_runtime(settings.model_copy(update={"database": tmp_path / "new.db"}),
                           clock=clock)
