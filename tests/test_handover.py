"""``/chuyengiao`` (``/handover``): the outgoing chair closes the year and hands the offices to
the next year's chair and deputy (by the bloc file's rule, or named); the roles move, everyone
is told, the closed year stays readable, and a reload of the file does not undo it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.domain.handover import next_officers
from bot.services import invites
from config.bloc import BlocFileError, parse_bloc_text
from storage.records import Role
from tests.chat import Person, plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_cross_check import Inboxes
from tests.test_self_scoring import CRITERIA
from tests.test_task_admin import reload_with
from tests.test_vote import VOTE

RULE = """\
handover:
  chair: deputy
"""
BLOC = SMALL_BLOC + CRITERIA + RULE
NEXT_YEAR = (BLOC.replace("year: 2026", "year: 2027")
             .replace("theme: Đoàn kết, đổi mới", "theme: Kỷ cương, sáng tạo")
             .replace("2026-H2", "2027-H1").replace("6 tháng cuối năm 2026",
                                                     "6 tháng đầu năm 2027")
             .replace("start: 1/7/2026", "start: 1/1/2027")
             .replace("end: 31/12/2026", "end: 30/6/2027")
             .replace("report_deadline: 5/12/2026", "report_deadline: 5/6/2027")
             .replace('deadline: "15/12/2026 14h30"', 'deadline: "15/6/2027 14h30"'))


@pytest.fixture
async def bloc(runtime: Runtime, small_bloc_file: Path) -> Runtime:
    await reload_with(runtime, small_bloc_file, BLOC)
    return runtime


async def test_the_chair_hands_over_by_the_rule_and_a_reload_keeps_it(
        bloc: Runtime, small_bloc_file: Path, clock: FixedClock) -> None:
    inboxes = Inboxes()
    bloc.channels.add("test", inboxes)
    chair = await registered(bloc, "1", Role.CHAIR, "UDCN", name="Trần Chủ Tịch")
    deputy = await registered(bloc, "2", Role.DEPUTY, "CNCL", name="Lê Phó")
    await registered(bloc, "3", Role.CONTACT, "SHTT", name="Nguyễn An")
    await registered(bloc, "4", Role.HEAD, "SHTT", name="Phạm Thủ Trưởng")
    assert "chỉ dành cho người có vai trò phù hợp" in plain(await deputy.say("/chuyengiao"))

    plan = await chair.say("/chuyengiao")
    said = plain(plan)
    assert "Chuyển giao năm 2026 sang năm 2027" in said
    assert "Khối trưởng năm 2027: Văn phòng Công nhận Chất lượng" in said  # the deputy
    assert "Khối phó năm 2027: Viện Khoa học sở hữu trí tuệ" in said  # the next in order
    assert "Kết quả chấm điểm chưa được chốt chính thức" in said
    done = plain(await chair.press(plan.replies[-1], "Xác nhận chuyển giao"))
    assert "Đã chuyển giao năm 2026 sang năm 2027" in done
    assert "Đã chuyển vai trò của 3 cán bộ." in done

    roles = {m.external_id: m.role for m in await bloc.repo.list_members(bloc.bloc.id)}
    assert roles == {"1": Role.CONTACT, "2": Role.CHAIR, "3": Role.DEPUTY, "4": Role.HEAD}
    assert bloc.bloc.year == 2027
    await bloc.outbox.drain()
    assert "nhận nhiệm vụ Khối trưởng" in inboxes.to("2")
    assert "nhận nhiệm vụ Khối phó" in inboxes.to("3")
    assert "Khối trưởng năm 2027: Văn phòng Công nhận Chất lượng" in inboxes.to("4")
    assert "chỉ dành cho" in plain(await chair.say("/chuyengiao"))  # no longer the chair
    assert "chỉ dành cho" not in plain(await deputy.say("/tinhhinh"))

    # a reload of the unchanged file (still 2026, UDCN chair) does not undo it
    await reload_with(bloc, small_bloc_file, BLOC)
    assert bloc.bloc.year == 2027
    assert bloc.bloc.chair_unit_id == (await bloc.repo.list_units(bloc.bloc.id))[1].id
    # the closed year is kept as it was, still readable and exportable
    await reload_with(bloc, small_bloc_file, BLOC.replace("Chỉ đạo phong trào", "Đã sửa"))
    closed = await bloc.repo.emulation_year(bloc.bloc.id, 2026)
    assert closed is not None and closed.closed_at is not None
    assert "Đã sửa" not in str(closed.criteria)
    report = await deputy.say("/tongket 2026")
    file = next(reply.file for reply in report.replies if reply.file is not None)
    text = "\n".join(p.text for p in Document(io.BytesIO(file.content)).paragraphs)
    assert "Tổng kết công tác thi đua, khen thưởng năm 2026" in text

    # the next year's file brings its periods and theme; the officers stay the hand-over's
    await reload_with(bloc, small_bloc_file, NEXT_YEAR)
    assert bloc.bloc.year == 2027 and bloc.bloc.theme == "Kỷ cương, sáng tạo"
    assert bloc.bloc.chair_unit_id == (await bloc.repo.list_units(bloc.bloc.id))[1].id
    opened = await bloc.repo.emulation_year(bloc.bloc.id, 2027)
    assert opened is not None and opened.criteria is not None
    # the closed year's report still reads its half-year (kept, not retired) and its theme
    report = await deputy.say("/tongket 2026")
    file = next(reply.file for reply in report.replies if reply.file is not None)
    text = "\n".join(p.text for p in Document(io.BytesIO(file.content)).paragraphs)
    assert "1. 6 tháng cuối năm 2026" in text and "“Đoàn kết, đổi mới”" in text
    assert "Kỷ cương, sáng tạo" not in text
    clock.set(datetime(2027, 1, 5, 2, 0, tzinfo=UTC))  # the new year's first week
    status = plain(await deputy.say("/tinhhinh"))
    assert "6 tháng đầu năm 2027" in status, status


async def test_without_a_rule_the_chair_names_the_officers_and_gets_an_invite(
        runtime: Runtime, small_bloc_file: Path) -> None:
    await reload_with(runtime, small_bloc_file, SMALL_BLOC)
    chair = await registered(runtime, "1", Role.CHAIR, "UDCN")
    assert "chưa có quy tắc chuyển giao" in plain(await chair.say("/chuyengiao"))
    assert "Không tìm thấy đơn vị: Viện X" in plain(
        await chair.say("/chuyengiao Viện X, VP CNCL"))
    assert "hai đơn vị khác nhau" in plain(await chair.say("/chuyengiao VP CNCL, VP CNCL"))
    plan = await chair.say("/chuyengiao Viện KHSHTT, VP CNCL")
    assert "Khối trưởng năm 2027: Viện Khoa học sở hữu trí tuệ" in plain(plan)
    done = plain(await chair.press(plan.replies[-1], "Xác nhận chuyển giao"))
    assert "chưa có cán bộ đăng ký với bot" in done and "/start " in done
    assert "chỉ dành cho" in plain(await chair.say("/chuyengiao"))  # a contact now


def test_the_rule_gives_the_next_officers_round_the_order() -> None:
    order = [1, 2, 3, 4]
    assert next_officers(order, 1, 2, "deputy") == (2, 3)
    assert next_officers(order, 4, 3, "deputy") == (3, 4)  # round the end
    assert next_officers(order, 4, 1, "next") == (1, 2)
    assert next_officers(order, 2, None, "deputy") == (3, 4)  # no deputy: the next unit
    assert next_officers([1], 1, None, "next") == (None, None)


def test_the_order_names_units_of_the_bloc() -> None:
    with pytest.raises(BlocFileError) as raised:
        parse_bloc_text(SMALL_BLOC + "handover:\n  order: [UDCN, XYZ]\n")
    assert [(p.where(), p.kind) for p in raised.value.problems] == [
        ("handover.order", "unknown_unit")]


async def test_a_stale_confirmation_an_old_officer_invite_and_an_open_vote_hand_nothing_over(
        runtime: Runtime, small_bloc_file: Path) -> None:
    await reload_with(runtime, small_bloc_file, BLOC + VOTE)
    first = await registered(runtime, "1", Role.CHAIR, "UDCN")
    second = await registered(runtime, "5", Role.CHAIR, "UDCN")
    await registered(runtime, "2", Role.DEPUTY, "CNCL")
    await first.say("/binhchon mo Viện ƯDCN, VP CNCL")
    assert "Vòng bỏ phiếu suy tôn 1 đang mở" in plain(await first.say("/chuyengiao"))
    await first.say("/binhchon dong xacnhan")
    made = await invites.create_invite(runtime.repo, runtime.bloc, role=Role.CHAIR,
                                       unit_code=None, uses=1, validity=timedelta(days=7),
                                       created_by="test", now=runtime.clock.now())
    plans = [await first.say("/chuyengiao"), await second.say("/chuyengiao")]
    assert "Đã chuyển giao năm 2026" in plain(await first.press(plans[0].replies[-1],
                                                                "Xác nhận chuyển giao"))
    # the second chair's form was opened for 2026: it hands over nothing more
    late = plain(await second.press(plans[1].replies[-1], "Xác nhận chuyển giao"))
    assert "Khối đã chuyển giao năm 2026." in late and runtime.bloc.year == 2027
    # an officer invite made before the hand-over would make someone an officer of the old year
    stranger = Person(runtime.dispatcher, "9", "Người Lạ")
    assert "hết hạn" in plain(await stranger.say(f"/start {made.token}"))
