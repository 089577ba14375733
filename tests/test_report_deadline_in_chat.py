"""The chair changes the period's report deadline in chat, after the period is open: the
views, the reminders and later reloads of the bloc file all follow the new deadline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from config.bloc import parse_bloc_text
from storage.records import Role
from tests.chat import plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_task_admin import reload_with


async def test_the_chair_moves_the_report_deadline_and_everything_follows(
    runtime: Runtime, small_bloc_file: Path,
) -> None:
    chair = await registered(runtime, "1", Role.CHAIR, None)
    assert "Hạn báo cáo: Thứ Bảy, 05/12/2026" in plain(await chair.say("/hanbaocao"))
    await chair.say("/quanlynhiemvu")
    asked = plain(await chair.say("Đổi hạn báo cáo của kỳ"))
    assert "Hạn gửi báo cáo mới của kỳ" in asked
    review = plain(await chair.say("15/12/2026 17h00"))
    assert ("Đổi hạn gửi báo cáo 6 tháng cuối năm 2026 thành: 17:00 Thứ Ba, 15/12/2026?"
            in review)
    done = plain(await chair.say("Lưu"))
    assert "Đã đổi hạn gửi báo cáo 6 tháng cuối năm 2026: 17:00 Thứ Ba, 15/12/2026" in done

    assert "Hạn báo cáo: 17:00 Thứ Ba, 15/12/2026 — còn 21 ngày" in plain(
        await chair.say("/hanbaocao"))
    schedule = plain(await chair.say("/lichnhac"))
    assert "08/12/2026 — nhắc hạn báo cáo (trước 7 ngày)" in schedule  # planned anew
    assert "30/11/2026 — nhắc hạn báo cáo" not in schedule  # the old deadline's reminder
    await chair.say("Đóng")

    await reload_with(runtime, small_bloc_file, SMALL_BLOC + "\n")  # the file says 05/12
    assert "17:00 Thứ Ba, 15/12/2026" in plain(await chair.say("/hanbaocao"))
    changes = [e for e in await runtime.repo.list_audit() if e.action == "period.deadline"]
    assert len(changes) == 1 and changes[0].actor == "test:1"


async def test_the_chair_may_take_the_deadline_away_and_is_told_how_to_set_one(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "1", Role.CHAIR, None)
    for answer in ("/quanlynhiemvu", "Đổi hạn báo cáo của kỳ", "Không có hạn"):
        await chair.say(answer)
    assert "thành: Không có hạn?" in plain(chair.history[-1])
    await chair.say("Lưu")
    shown = plain(await chair.say("/hanbaocao"))
    assert "Kỳ này chưa đặt hạn báo cáo." in shown and "/quanlynhiemvu" in shown


async def test_a_reload_says_it_kept_the_deadline_set_in_chat(runtime: Runtime) -> None:
    chair = await registered(runtime, "1", Role.CHAIR, None)
    for answer in ("/quanlynhiemvu", "Đổi hạn báo cáo của kỳ", "15/12/2026", "Lưu"):
        await chair.say(answer)
    config = parse_bloc_text(SMALL_BLOC)
    summary = await runtime.repo.sync_bloc(
        config.model_copy(update={"timezone": "Asia/Ho_Chi_Minh"}), runtime.clock.now())
    assert summary.skipped == ("2026-H2: report deadline set in chat, kept",)


async def test_after_the_next_period_begins_the_deadline_still_chased_is_the_one_changed(
    runtime: Runtime, clock: FixedClock,
) -> None:
    """The second-half report is due in January, when the first half has begun."""
    chair = await registered(runtime, "1", Role.CHAIR, None)
    for answer in ("/quanlynhiemvu", "Đổi hạn báo cáo của kỳ", "15/1/2027 17h00", "Lưu"):
        await chair.say(answer)
    for answer in ("/quanlynhiemvu", "Mở kỳ mới", "6 tháng đầu năm 2027", "1/1/2027",
                   "30/6/2027", "15/7/2027", "Lưu"):
        await chair.say(answer)
    clock.set(datetime(2027, 1, 5, 2, 0, tzinfo=UTC))  # 09:00 on 5/1/2027 in Hà Nội
    await chair.say("/quanlynhiemvu")
    await chair.say("Đổi hạn báo cáo của kỳ")
    review = plain(await chair.say("20/1/2027"))
    assert "Đổi hạn gửi báo cáo 6 tháng cuối năm 2026 thành:" in review
