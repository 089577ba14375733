"""A task's own deadline is real: reminders to the units that have not done it, an overdue
flag in the chair's views, the heat map and the exports, and "nhiệm vụ nào quá hạn?".

SMALL_BLOC's task 1 is due 15/12/2026 14h30; the runtime's clock starts 24/11/2026 09:00.
"""

from __future__ import annotations

from datetime import date, time
from io import BytesIO
from pathlib import Path

import yaml
from docx import Document
from openpyxl import load_workbook

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.services.exports.build import build_export
from bot.services.exports.docx_report import render_docx
from bot.services.exports.xlsx import render_xlsx
from handlers._status_views import current_status
from handlers.matrix import heatmap_of
from storage.records import Role
from tests.chat import context_for, plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_reminders import local
from tests.test_task_admin import reload_with


async def _units_report(runtime: Runtime) -> None:
    """SHTT: task 1 in progress; CNCL: task 1 done; UDCN: nothing."""
    shtt = await registered(runtime, "10", unit="SHTT", name="Nguyễn Văn An")
    cncl = await registered(runtime, "11", unit="CNCL", name="Trần Thị Bình")
    await registered(runtime, "12", unit="UDCN", name="Lê Văn Cường")
    for text in ("/capnhat 1 60% Đã họp trù bị", "Gửi", "Để sau"):
        await shtt.say(text)
    for text in ("/capnhat 1 hoàn thành Đã tổ chức hội nghị", "Gửi", "Để sau"):
        await cncl.say(text)


async def _reminders(runtime: Runtime) -> dict[str, str]:
    """chat id → text of the task-deadline reminder queued (one per chat, checked)."""
    rows = [row for row in await runtime.repo.outbox_rows()
            if row.dedup_key.startswith("remind:") and ":task" in row.dedup_key]
    assert len({row.chat_id for row in rows}) == len(rows), [r.dedup_key for r in rows]
    return {row.chat_id: row.payload["text"] for row in rows}


async def test_a_task_deadline_reminds_only_the_units_that_have_not_done_it(
    runtime: Runtime, clock: FixedClock,
) -> None:
    await _units_report(runtime)
    await registered(runtime, "9", Role.CHAIR, None, name="Hoàng Ngọc Nhân")
    clock.set(local(date(2026, 12, 14)))  # Monday: the 1-day reminder of 15/12 14h30
    await runtime.reminders.plan()
    sent = await _reminders(runtime)
    assert set(sent) == {"10", "12"}  # CNCL reported it done; the chair is not reminded
    assert "Kính gửi đồng chí Nguyễn Văn An (Viện Khoa học sở hữu trí tuệ)" in sent["10"]
    assert "<b>1. Tổ chức Hội nghị Tổng kết</b>" in sent["10"]
    assert "với tình trạng đang thực hiện (60%), chưa hoàn thành" in sent["10"]
    assert "chưa nhận được báo cáo của đơn vị về nhiệm vụ này" in sent["12"]
    row = next(r for r in await runtime.repo.outbox_rows() if r.chat_id == "10")
    assert row.payload["options"][0] == ["Cập nhật ngay", "/capnhat 1"]  # straight at task 1
    await runtime.reminders.plan()
    assert len(await _reminders(runtime)) == 2  # planning again sends nothing more


async def test_after_a_task_deadline_the_units_and_the_chair_are_told_it_is_overdue(
    runtime: Runtime, clock: FixedClock,
) -> None:
    await _units_report(runtime)
    await registered(runtime, "9", Role.CHAIR, None, name="Hoàng Ngọc Nhân")
    clock.set(local(date(2026, 12, 16), time(9, 0)))
    await runtime.reminders.plan()
    sent = await _reminders(runtime)
    assert set(sent) == {"10", "12", "9"}
    assert "đã quá hạn hoàn thành" in sent["12"]
    assert ("Nhiệm vụ 1. Tổ chức Hội nghị Tổng kết đã quá hạn hoàn thành (14:30 Thứ Ba, "
            "15/12/2026): còn <b>2</b> đơn vị chưa báo cáo hoàn thành: Viện ƯDCN, Viện KHSHTT"
            in sent["9"])


async def test_the_chair_sees_the_task_reminders_ahead_in_the_schedule(
    runtime: Runtime, clock: FixedClock,
) -> None:
    await _units_report(runtime)
    chair = await registered(runtime, "9", Role.CHAIR, None)
    clock.set(local(date(2026, 12, 8), time(10, 0)))  # the report deadline has passed
    overview = plain(await chair.say("/lichnhac"))
    assert ("• 08:00 Thứ Hai, 14/12/2026 — nhắc hạn hoàn thành nhiệm vụ 1 (trước 1 ngày) — "
            "2 đầu mối của 2 đơn vị chưa báo cáo hoàn thành") in overview
    assert "nhắc nhiệm vụ 1 đã quá hạn và báo Khối trưởng" in overview


async def test_overdue_tasks_are_flagged_in_the_chairs_views(
    runtime: Runtime, clock: FixedClock,
) -> None:
    await _units_report(runtime)
    chair = await registered(runtime, "9", Role.CHAIR, None)
    before = plain(await chair.say("/tinhhinh"))
    assert "quá hạn" not in before.replace("đã quá hạn", "")  # nothing is overdue yet
    clock.set(local(date(2026, 12, 16), time(9, 0)))
    text = plain(await chair.say("/tinhhinh"))
    assert "⏰ Nhiệm vụ quá hạn (1)" in text
    assert ("• NV1: Tổ chức Hội nghị Tổng kết — hạn 14:30 Thứ Ba, 15/12/2026; 2 đơn vị chưa "
            "báo cáo hoàn thành: Viện ƯDCN, Viện KHSHTT") in text
    assert "NV1: ✅ 1 · 🔄 1" in text and "— ⏰ quá hạn (14:30 Thứ Ba, 15/12/2026)" in text
    assert "NV2: ✅ 0" in text and "NV2: ✅ 0 · 🔄 0 · ⚠️ 0 · ⏸ 0 · chưa báo cáo 3 —" not in text
    await chair.say("Xem một nhiệm vụ")
    task = plain(await chair.say("1"))
    assert ("Hạn hoàn thành: 14:30 Thứ Ba, 15/12/2026 — đã quá hạn, 2 đơn vị chưa báo cáo "
            "hoàn thành.") in task
    assert "• VP CNCL — Hoàn thành\n" in task + "\n"  # done: no flag
    assert "• Viện KHSHTT — Đang thực hiện 60% — ⏰ quá hạn" in task


async def test_which_tasks_are_overdue_is_answered_with_tasks_not_units(
    runtime: Runtime, clock: FixedClock,
) -> None:
    await _units_report(runtime)
    chair = await registered(runtime, "9", Role.CHAIR, None)
    assert plain(await chair.say("nhiệm vụ nào quá hạn?")) == (
        "Không có nhiệm vụ nào quá hạn (1/2 nhiệm vụ có hạn hoàn thành riêng).")
    clock.set(local(date(2026, 12, 16), time(9, 0)))
    for question in ("nhiệm vụ nào quá hạn?", "nhiem vu nao tre han", "Which tasks are overdue?"):
        answer = plain(await chair.say(question))
        assert answer.startswith("⏰ Nhiệm vụ quá hạn (1)"), question
        assert "Viện ƯDCN, Viện KHSHTT" in answer
    late = plain(await chair.say("đơn vị nào trễ hạn?"))  # the report is late too
    assert late.startswith("3 đơn vị chưa báo cáo đủ dù đã quá hạn")
    assert "⏰ Nhiệm vụ quá hạn (1)" in late


async def test_the_heat_map_and_the_exports_mark_overdue_cells_and_units_not_concerned(
    runtime: Runtime, clock: FixedClock,
) -> None:
    # task 2 concerns SHTT only, with a description (as /quanlynhiemvu would set them)
    period = (await runtime.repo.list_periods(runtime.bloc.id))[0]
    second = (await runtime.repo.list_tasks(period.id))[1]
    shtt = next(u for u in await runtime.repo.list_units(runtime.bloc.id) if u.code == "SHTT")
    await runtime.repo.change_task(second.id, actor="test", now=clock.now(), unit_ids=[shtt.id],
                                   description="Mỗi đơn vị đề xuất 01 điển hình")
    await _units_report(runtime)
    await registered(runtime, "9", Role.CHAIR, None)
    clock.set(local(date(2026, 12, 16), time(9, 0)))
    ctx = await context_for(runtime, "9")
    status = await current_status(ctx)
    heat = heatmap_of(ctx, status)
    rows = dict(zip(heat.units, heat.cells, strict=True))
    assert list(rows) == ["Viện ƯDCN · 0/1", "VP CNCL · 1/1", "Viện KHSHTT · 1/2"]
    assert [(c.overdue, c.applicable) for c in rows["Viện KHSHTT · 1/2"]] == [
        (True, True), (False, True)]
    assert [(c.overdue, c.applicable) for c in rows["VP CNCL · 1/1"]] == [
        (False, True), (False, False)]
    assert heat.key == ("NV1: Tổ chức Hội nghị Tổng kết",
                        "NV2: Biểu dương điển hình <tiên tiến> & nhân tố mới")
    assert heat.caption == "Số liệu tính đến 09:00 ngày 16/12/2026"
    assert "overdue" in heat.legend and "not_applicable" in heat.legend

    data = await build_export(runtime.repo, runtime.bloc, status.period,  # type: ignore[arg-type]
                              t=runtime.texts.translator("vi"), now=clock.now())
    sheet = load_workbook(BytesIO(render_xlsx(data)))["Tổng hợp"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells["Đang thực hiện 60% (quá hạn)"].border.left.style == "thick"
    assert "Không áp dụng" in cells
    assert any(v.startswith("Biểu dương điển hình") and "Mỗi đơn vị đề xuất 01 điển hình" in v
               for v in cells)
    report = "\n".join(p.text for p in Document(BytesIO(render_docx(data))).paragraphs)
    assert ("Các nhiệm vụ đã quá hạn hoàn thành nhưng còn đơn vị chưa báo cáo hoàn thành: "
            "nhiệm vụ 1 (hạn 14:30 Thứ Ba, 15/12/2026).") in report
    assert ("Nhiệm vụ đã quá hạn hoàn thành (14:30 Thứ Ba, 15/12/2026); đơn vị chưa báo cáo "
            "hoàn thành: Viện Ứng dụng công nghệ, Viện Khoa học sở hữu trí tuệ.") in report
    assert "Mỗi đơn vị đề xuất 01 điển hình" in report


async def test_the_schedule_reads_a_task_of_the_period_before_in_its_own_period(
    runtime: Runtime, clock: FixedClock, small_bloc_file: Path,
) -> None:
    await _units_report(runtime)
    chair = await registered(runtime, "9", Role.CHAIR, None)
    data = yaml.safe_load(SMALL_BLOC)
    data["periods"][0]["end"] = "9/12/2026"  # a new half-year begins before task 1 is due
    data["periods"].append({"code": "2027-H1", "title": "kỳ tiếp theo", "start": "10/12/2026",
                            "end": "30/6/2027"})
    await reload_with(runtime, small_bloc_file, yaml.safe_dump(data, allow_unicode=True))
    clock.set(local(date(2026, 12, 11), time(10, 0)))
    overview = plain(await chair.say("/lichnhac"))
    assert ("nhắc hạn hoàn thành nhiệm vụ 1 (trước 1 ngày) — 2 đầu mối của 2 đơn vị chưa "
            "báo cáo hoàn thành") in overview
    assert "nhiệm vụ ?" not in overview
