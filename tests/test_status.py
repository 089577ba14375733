"""The chair's views through the core: overview, unit, task, history; who sees what."""

from __future__ import annotations

import pytest

from bot.app.runtime import Runtime
from bot.domain.access import PERMISSIONS, may
from storage.records import Role
from tests.chat import Person, plain
from tests.test_core import registered


async def seed(runtime: Runtime) -> dict[str, Person]:
    """SHTT: task 1 in progress (two versions), task 2 blocked; CNCL: task 1 done; UDCN silent."""
    an = await registered(runtime, "1", unit="SHTT", name="Nguyễn Văn An")
    binh = await registered(runtime, "2", unit="CNCL", name="Trần Thị Bình")
    await registered(runtime, "3", unit="UDCN", name="Lê Văn Cường")
    for text in ("/capnhat 1 30% Đã lập kế hoạch", "Gửi", "Để sau",
                 "/capnhat 1 60% Đã họp trù bị với 12 doanh nghiệp", "Gửi", "Để sau",
                 "/capnhat", "2", "Gặp khó khăn", "Thiếu kinh phí khen thưởng", "20",
                 "Đã lập danh sách", "Xong", "Gửi"):
        await an.say(text)
    for text in ("/capnhat 1 100% Đã tổ chức hội nghị", "Gửi", "Để sau"):
        await binh.say(text)
    chair = await registered(runtime, "9", Role.CHAIR, None, name="Hoàng Ngọc Nhân")
    liaison = await registered(runtime, "8", Role.LIAISON, None, name="Lương Minh Đức")
    return {"an": an, "binh": binh, "chair": chair, "liaison": liaison}


async def test_overview_counts_units_tasks_blocked_first_and_silent_contacts(
    runtime: Runtime,
) -> None:
    people = await seed(runtime)
    text = plain(await people["chair"].say("/tinhhinh"))
    assert "Tình hình thực hiện 6 tháng cuối năm 2026" in text
    assert "Hạn báo cáo: Thứ Bảy, 05/12/2026 — còn 11 ngày" in text
    # CNCL reported task 1 of its 2: partial, not "reported"
    assert "Đã báo cáo đủ: 1/3 đơn vị · báo cáo chưa đủ: 1 · chưa báo cáo: 1." in text
    assert text.index("Đang gặp khó khăn") < text.index("Theo nhiệm vụ")
    assert "• Viện KHSHTT — nhiệm vụ 2: Thiếu kinh phí khen thưởng" in text
    assert "NV1: ✅ 1 · 🔄 1 · ⚠️ 0 · ⏸ 0 · chưa báo cáo 1 — TB 80% (2 đơn vị)" in text
    assert "NV2: ✅ 0 · 🔄 0 · ⚠️ 1 · ⏸ 0 · chưa báo cáo 2 — TB 20% (1 đơn vị)" in text
    assert "Chưa báo cáo đủ (2 đơn vị)" in text
    assert "• Viện ƯDCN — chưa báo cáo nhiệm vụ nào — đầu mối: Lê Văn Cường" in text
    assert ("• VP CNCL — đã báo cáo 1/2 nhiệm vụ, còn thiếu NV 2 — đầu mối: Trần Thị Bình"
            in text)


async def test_unit_detail_history_and_task_views(runtime: Runtime) -> None:
    people = await seed(runtime)
    liaison = people["liaison"]
    await liaison.say("/status")
    await liaison.say("Xem một đơn vị")
    unit = plain(await liaison.say("Viện KHSHTT"))
    assert "1. Tổ chức Hội nghị Tổng kết — Đang thực hiện 60%" in unit
    assert "Đã họp trù bị với 12 doanh nghiệp (Nguyễn Văn An, 09:00 24/11/2026; 0 tệp)" in unit
    detail = plain(await liaison.say("Xem thêm NV1: Tổ chức Hội nghị Tổng kết"))
    assert "Kết quả: Đã họp trù bị với 12 doanh nghiệp" in detail
    assert "Phiên bản 2, do Nguyễn Văn An" in detail
    history = plain(await liaison.say("Lịch sử (2 phiên bản)"))
    assert "1. 09:00 24/11/2026, Nguyễn Văn An: Đang thực hiện 30% — Đã lập kế hoạch" in history
    assert "2. 09:00 24/11/2026, Nguyễn Văn An: Đang thực hiện 60%" in history
    await liaison.say("Quay lại")
    await liaison.say("Quay lại")
    await liaison.say("Quay lại")
    assert "Xem đơn vị nào?" in plain(liaison.history[-1])
    await liaison.say("/huy")
    await liaison.say("/tinhhinh")
    await liaison.say("Xem một nhiệm vụ")
    task = plain(await liaison.say("1"))
    assert "• VP CNCL — Hoàn thành" in task and "• Viện ƯDCN — chưa báo cáo" in task


async def test_a_contact_sees_only_their_own_unit(runtime: Runtime) -> None:
    people = await seed(runtime)
    text = plain(await people["binh"].say("/tinhhinh"))
    assert "Văn phòng Công nhận Chất lượng" in text
    assert "Viện KHSHTT" not in text and "Thiếu kinh phí" not in text
    assert [o.label for o in people["binh"].last_reply().options][-1] == "Đóng"
    assert "Quay lại" not in [o.label for o in people["binh"].last_reply().options]


ROLES: list[Role | None] = [None, *Role]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: str(r))
async def test_every_command_is_allowed_or_refused_as_the_table_says(
    runtime: Runtime, role: Role | None,
) -> None:
    if role is None:
        person = Person(runtime.dispatcher, "stranger")
    elif role is Role.ADMIN:
        runtime.admins["test"] = frozenset({"admin"})
        person = Person(runtime.dispatcher, "admin")
    else:
        unit = "SHTT" if role in (Role.CONTACT, Role.HEAD) else None
        person = await registered(runtime, f"r-{role}", role, unit)
    for command in runtime.router.commands():
        if command.public:
            continue
        answer = plain(await person.say(f"/{command.name}"))
        await person.say("/huy")
        refused = ("chỉ dành cho người có vai trò phù hợp" in answer
                   or "Bot này phục vụ các đơn vị thành viên" in answer)
        expected = may(role, command.action)
        assert refused is not expected, (role, command.name, answer[:120])
    assert set(PERMISSIONS) >= {c.action for c in runtime.router.commands()}


async def test_the_heat_map_holds_each_units_latest_status(runtime: Runtime) -> None:
    from bot.services.heatmap import cell_text
    from bot.services.status import bloc_status
    from handlers.matrix import heatmap_of

    people = await seed(runtime)
    status = await bloc_status(runtime.repo, runtime.bloc, runtime.clock.now())
    ctx = people["chair"]  # any person's language gives the same cells
    del ctx
    from tests.chat import context_for

    heatmap = heatmap_of(await context_for(runtime, "9"), status)
    # each unit with how many of its tasks it has reported
    assert heatmap.units == ("Viện ƯDCN · 0/2", "VP CNCL · 1/2", "Viện KHSHTT · 2/2")
    assert heatmap.tasks == ("NV1", "NV2")
    assert [[cell_text(cell) for cell in row] for row in heatmap.cells] == [
        ["—", "—"], ["100%", "—"], ["60%", "!20%"]]  # blocked: marked beyond colour
    assert heatmap.cells[2][1].status is not None and heatmap.cells[2][1].status.value == "blocked"


@pytest.mark.parametrize(("question", "expected"), [
    ("đơn vị nào chưa báo cáo?", "2/3 đơn vị chưa báo cáo đủ các nhiệm vụ kỳ này"),
    ("AI CHUA CAP NHAT", "• VP CNCL — đã báo cáo 1/2 nhiệm vụ, còn thiếu NV 2"),
    ("nhiệm vụ nào đang gặp khó khăn", "• Viện KHSHTT — nhiệm vụ 2: Thiếu kinh phí khen thưởng"),
    ("tiến độ nhiệm vụ 1", "• VP CNCL — Hoàn thành"),
    ("viện sở hữu trí tuệ làm đến đâu rồi", "1. Tổ chức Hội nghị Tổng kết — Đang thực hiện 60%"),
    ("vien so huu tri tue the nao", "Viện Khoa học sở hữu trí tuệ"),
    ("ai trễ hạn", "Chưa có đơn vị nào trễ hạn"),
    ("tình hình chung thế nào", "Đã báo cáo đủ: 1/3 đơn vị"),
    ("xin chào", "Bot chưa hiểu câu hỏi. Một số câu hỏi và lệnh gợi ý:"),
])
async def test_plain_language_questions_open_the_right_view(
    runtime: Runtime, question: str, expected: str,
) -> None:
    people = await seed(runtime)
    assert expected in plain(await people["liaison"].say(question))


async def test_a_new_question_while_browsing_leaves_the_view_and_contacts_get_no_views(
    runtime: Runtime,
) -> None:
    people = await seed(runtime)
    chair = people["chair"]
    await chair.say("tiến độ nhiệm vụ 1")
    assert "Đang thực hiện 60%" in plain(await chair.say("VIPRI thế nào"))
    assert "Bot chưa hiểu nội dung tin nhắn" in plain(await people["an"].say("ai chưa báo cáo"))


async def test_review_fixes_in_the_views(runtime: Runtime) -> None:
    """Means round half up; Quay lại in /cuatoi goes back to the list, not into editing."""
    an = await registered(runtime, "1", unit="SHTT")
    binh = await registered(runtime, "2", unit="CNCL")
    for person, line in ((an, "/capnhat 1 45% A"), (binh, "/capnhat 1 60% B")):
        await person.say(line)
        await person.say("Gửi")
        await person.say("Để sau")
    chair = await registered(runtime, "9", Role.CHAIR, None)
    assert "TB 53% (2 đơn vị)" in plain(await chair.say("/tinhhinh"))
    await an.say("/cuatoi")
    await an.say("1")
    await an.say("Quay lại")
    assert "Phiên bản 1/1" in plain(await an.say("1"))
