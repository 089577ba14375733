"""A unit has reported when every active task that concerns it has a report in the period:
one task of two is "partial", and every count, list and nudge says so."""

from __future__ import annotations

import io

from docx import Document

from bot.app.runtime import Runtime
from bot.services.exports.build import build_export
from bot.services.exports.docx_report import render_docx
from bot.services.status import BlocStatus, bloc_status
from storage.records import Role
from tests.chat import plain
from tests.test_core import registered


async def _status(runtime: Runtime) -> BlocStatus:
    return await bloc_status(runtime.repo, runtime.bloc, runtime.clock.now())


def _states(status: BlocStatus) -> dict[str, tuple[int, int, tuple[int, ...]]]:
    return {p.unit.code: (p.reported, p.required, tuple(t.position for t in p.missing))
            for p in status.progress()}


async def _add_task_for_udcn_only(runtime: Runtime) -> None:
    """A third task, "Hội thảo chuyên đề", that concerns UDCN alone."""
    period = (await _status(runtime)).period
    assert period is not None
    udcn = next(u for u in await runtime.repo.list_units(runtime.bloc.id) if u.code == "UDCN")
    await runtime.repo.add_task(period_id=period.id, title="Hội thảo chuyên đề", description=None,
                                deadline=None, unit_ids=[udcn.id], actor="test",
                                now=runtime.clock.now())


async def test_a_unit_is_complete_only_with_every_task_and_a_withdrawal_reopens_it(
    runtime: Runtime,
) -> None:
    an = await registered(runtime, "1", unit="SHTT")
    for text in ("/capnhat 1 50% Đã họp", "Gửi", "Để sau"):
        await an.say(text)
    status = await _status(runtime)
    assert _states(status)["SHTT"] == (1, 2, (2,))
    assert [p.unit.code for p in status.partial_units] == ["SHTT"]
    assert {u.code for u in status.silent_units} == {"CNCL", "UDCN"}
    assert status.complete_units == []

    for text in ("/capnhat 2 100% Đã khen thưởng", "Gửi"):
        await an.say(text)
    status = await _status(runtime)
    assert [u.code for u in status.complete_units] == ["SHTT"]

    shtt = next(u for u in status.units if u.code == "SHTT")
    report = status.latest[(shtt.id, status.tasks[1].id)]
    member = next(m for m in await runtime.repo.list_members(runtime.bloc.id)
                  if m.external_id == "1")
    await runtime.repo.withdraw_update(report.id, member.id, runtime.clock.now())
    assert _states(await _status(runtime))["SHTT"] == (1, 2, (2,))  # owes task 2 again


async def test_a_task_for_some_units_is_owed_by_those_units_only(runtime: Runtime) -> None:
    await _add_task_for_udcn_only(runtime)
    for user, unit in (("1", "SHTT"), ("3", "UDCN")):
        person = await registered(runtime, user, unit=unit)
        for text in ("/capnhat 1 100% Xong", "Gửi", "Để sau", "/capnhat 2 100% Xong", "Gửi",
                     "Để sau"):
            await person.say(text)
    states = _states(await _status(runtime))
    assert states["SHTT"] == (2, 2, ())  # the third task is not SHTT's
    assert states["UDCN"] == (2, 3, (3,))
    assert states["CNCL"] == (0, 2, (1, 2))


async def test_the_chairs_nudge_asks_a_partial_unit_only_for_what_it_lacks(
    runtime: Runtime,
) -> None:
    an = await registered(runtime, "1", unit="SHTT", name="Nguyễn Văn An")
    for text in ("/capnhat 1 50% Đã họp", "Gửi", "Để sau"):
        await an.say(text)
    chair = await registered(runtime, "9", Role.CHAIR, None)
    ack = plain(await chair.say("/nhacnho"))
    assert "Đang gửi nhắc nhở tới 1 đầu mối của 1 đơn vị chưa báo cáo đủ" in ack
    assert "(bot không nhắc được): Viện ƯDCN, VP CNCL" in ack
    nudge = next(row for row in await runtime.repo.outbox_rows()
                 if row.dedup_key.startswith("nudge:") and row.chat_id == "1")
    text = nudge.payload["text"]
    assert "Kính gửi đồng chí Nguyễn Văn An" in text
    assert "• 2. Biểu dương điển hình" in text and "Tổ chức Hội nghị Tổng kết" not in text


async def test_the_export_lists_a_partial_unit_with_the_tasks_it_lacks(runtime: Runtime) -> None:
    an = await registered(runtime, "1", unit="SHTT")
    for text in ("/capnhat 1 50% Đã họp", "Gửi", "Để sau"):
        await an.say(text)
    status = await _status(runtime)
    assert status.period is not None
    data = await build_export(runtime.repo, runtime.bloc, status.period,
                              t=runtime.texts.translator(), now=runtime.clock.now())
    late = {row.unit.code: (row.reported, row.required, row.missing) for row in data.late}
    assert late == {"SHTT": (1, 2, (2,)), "CNCL": (0, 2, (1, 2)), "UDCN": (0, 2, (1, 2))}
    assert (data.complete, data.partial, data.silent) == (0, 1, 2)
    report = "\n".join(p.text for p in Document(io.BytesIO(render_docx(data))).paragraphs)
    assert ("Tính đến ngày 24/11/2026, chưa có đơn vị nào gửi đủ báo cáo, 1 đơn vị gửi chưa đủ "
            "và 2 đơn vị chưa gửi báo cáo về 2 nhiệm vụ của Khối. Trong 1 nội dung được báo "
            "cáo, có 1 nội dung đang thực hiện.") in report  # no "0 …" clause
    assert "Viện Khoa học sở hữu trí tuệ (còn thiếu nhiệm vụ 2)" in report


async def test_a_period_without_tasks_owes_nothing_and_is_not_called_complete(
    runtime: Runtime,
) -> None:
    status = await _status(runtime)
    for task in status.tasks:
        await runtime.repo.close_task(task.id, actor="test", now=runtime.clock.now())
    chair = await registered(runtime, "9", Role.CHAIR, None)
    shown = plain(await chair.say("/hanbaocao"))
    assert "Kỳ này chưa có nhiệm vụ nào." in shown and "báo cáo đủ" not in shown
    assert plain(await chair.say("/nhacnho")) == "Kỳ này chưa có nhiệm vụ nào."
    assert plain(await chair.say("đơn vị nào chưa báo cáo?")) == "Kỳ này chưa có nhiệm vụ nào."


async def test_a_unit_sees_and_is_counted_on_its_own_tasks_only(runtime: Runtime) -> None:
    await _add_task_for_udcn_only(runtime)
    an = await registered(runtime, "1", unit="SHTT")
    mine = plain(await an.say("/cuatoi"))
    assert "Hội thảo chuyên đề" not in mine and "1. Tổ chức Hội nghị Tổng kết" in mine
