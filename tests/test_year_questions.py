"""Plain questions about the emulation year, typed to the bot as a chair would: who has not
signed the covenant, who has not scored, the ranking, and one unit's points."""

from __future__ import annotations

from pathlib import Path

from bot.app.runtime import Runtime
from storage.records import Role
from tests.chat import plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_covenant import COVENANT
from tests.test_self_scoring import CRITERIA
from tests.test_task_admin import reload_with
from tests.test_vote import _submit


async def test_the_chair_asks_about_the_covenant_the_scores_and_the_ranking(
        runtime: Runtime, small_bloc_file: Path) -> None:
    await reload_with(runtime, small_bloc_file, SMALL_BLOC + CRITERIA + COVENANT)
    chair = await registered(runtime, "1", Role.CHAIR, "UDCN", name="Trần Chủ Tịch")
    contact = await registered(runtime, "3", Role.CONTACT, "SHTT", name="Nguyễn An")
    assert "chưa mở ký giao ước" in plain(await chair.say("đơn vị nào chưa ký giao ước?"))
    await chair.say("/giaouoc mo")
    assert "Viện KHSHTT chưa ký giao ước." in plain(
        await chair.say("viện sở hữu trí tuệ đã ký giao ước chưa?"))
    covenant = plain(await chair.say("đơn vị nào chưa ký giao ước?"))
    assert "Đã ký: 0/3 đơn vị." in covenant
    assert "Chưa ký: Viện ƯDCN, VP CNCL, Viện KHSHTT." in covenant

    await _submit(contact, "1.1 10", "1.2 10", "2.1 10")
    assert "Đã ghi" in plain(await chair.say("/chamdiem 1.2 5 Chưa đủ"))
    scoring = plain(await chair.say("Đơn vị nào chưa chấm điểm?"))
    assert "Đã nộp bảng tự chấm điểm: 1/3 đơn vị." in scoring
    assert "• Viện ƯDCN: chưa nộp (đã chấm 1/3 tiêu chí)" in scoring
    assert "• VP CNCL: chưa nộp (đã chấm 0/3 tiêu chí)" in scoring

    ranking = plain(await chair.say("xếp hạng hiện nay thế nào?"))
    assert "Xếp hạng thi đua năm 2026 (tạm tính)" in ranking
    assert "1. Viện KHSHTT: 30/30" in ranking
    assert "Viện KHSHTT: 30/30 điểm, xếp thứ 1/1 (tạm tính)." in plain(
        await chair.say("viện sở hữu trí tuệ được bao nhiêu điểm?"))
    assert "Viện ƯDCN chưa nộp bảng tự chấm điểm: đang có 5/30 điểm" in plain(
        await chair.say("viện ứng dụng công nghệ được bao nhiêu điểm?"))
