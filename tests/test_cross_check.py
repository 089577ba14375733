"""``/thamdinh`` and ``/chotdiem``: the chair assigns the cross-checks, a reviewing unit
proposes changes with reasons, the chair settles each difference and makes the result
final; the ranking becomes official and each unit is told why its score moved."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.runtime import Runtime
from bot.domain.events import Message, Published, Traits
from bot.domain.text import html_to_plain
from storage.records import Role
from tests.chat import Person, plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_self_scoring import CRITERIA
from tests.test_task_admin import reload_with
from tests.test_vote import _submit


class Inboxes:
    """A channel that keeps what the outbox sends to each chat."""

    traits = Traits()

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, chat_id: str, message: Message) -> None:
        self.sent.append((chat_id, html_to_plain(message.text)))

    async def publish(self, chat_id: str, messages: list[Message], *, pin: bool,
                      replace: str | None = None) -> Published:
        raise AssertionError("nothing is published here")

    def to(self, chat_id: str) -> str:
        return "\n".join(text for chat, text in self.sent if chat == chat_id)


@pytest.fixture
async def year(runtime: Runtime, small_bloc_file: Path) -> Runtime:
    await reload_with(runtime, small_bloc_file, SMALL_BLOC + CRITERIA)
    return runtime


async def _bloc(runtime: Runtime) -> tuple[Person, Person, Person]:
    """Three units that have submitted: Viện KHSHTT 30, VP CNCL 25, Viện ƯDCN 20."""
    chair = await registered(runtime, "1", Role.CHAIR, "UDCN", name="Trần Chủ Tịch")
    deputy = await registered(runtime, "2", Role.DEPUTY, "CNCL", name="Lê Phó")
    contact = await registered(runtime, "3", Role.CONTACT, "SHTT", name="Nguyễn An")
    await _submit(contact, "1.1 10", "1.2 10", "2.1 10")
    await _submit(deputy, "1.1 10", "1.2 5 Chưa đủ", "2.1 10")
    await _submit(chair, "1.1 10", "1.2 5 Chưa đủ", "2.1 5 Chưa đủ")
    return chair, deputy, contact


async def test_a_cross_check_moves_two_scores_and_the_final_ranking_says_why(
        year: Runtime) -> None:
    inboxes = Inboxes()
    year.channels.add("test", inboxes)
    chair, deputy, contact = await _bloc(year)

    assert "Việc phân công thẩm định do Khối trưởng" in plain(
        await contact.say("/thamdinh phancong vongtron"))
    offer = await chair.say("/thamdinh")
    assert "chưa phân công thẩm định" in plain(offer)
    assigned = plain(await chair.press(offer.replies[-1], "Vòng tròn"))
    # the bloc's order: UDCN, CNCL, SHTT — each checked by the next one
    assert "• Viện ƯDCN ← VP CNCL thẩm định" in assigned
    assert "• VP CNCL ← Viện KHSHTT thẩm định" in assigned
    assert "• Viện KHSHTT ← Viện ƯDCN thẩm định" in assigned
    await year.outbox.drain()
    assert "thẩm định bảng điểm của: Viện ƯDCN" in inboxes.to("2")

    # the deputy's unit checks the chair's sheet: it reads each line with its justification
    mine = await deputy.say("/thamdinh")
    assert "Viện ƯDCN: 0 mục đề nghị điều chỉnh — đang thẩm định" in plain(mine)
    sheet = plain(await deputy.press(mine.replies[-1], "Xem bảng điểm Viện ƯDCN"))
    assert "1.2. Hưởng ứng phong trào của Bộ: 5/10" in sheet
    assert "Giải trình: Chưa đủ" in sheet
    assert "📎 1 tệp minh chứng (xem: /thamdinh UDCN 1.1)" in sheet
    files = await deputy.say("/thamdinh UDCN 1.1")  # the evidence itself, sent again
    assert [reply.attachment.name for reply in files.replies if reply.attachment] == [
        "ke-hoach-thi-dua.pdf"]
    assert "cần kèm lý do" in plain(await deputy.say("/thamdinh Viện ƯDCN 2.1 4"))
    assert "điểm tối đa của mục này là 10" in plain(
        await deputy.say("/thamdinh Viện ƯDCN 2.1 11 Quá điểm"))
    assert "không được phân công thẩm định" in plain(
        await deputy.say("/thamdinh Viện KHSHTT 1.2 1 Không phải việc của tôi"))
    assert "5 → 4 điểm" in plain(await deputy.say("/thamdinh Viện ƯDCN 2.1 4 Chỉ đạt 80%"))
    assert "Đã hoàn thành thẩm định" in plain(await deputy.say("/thamdinh Viện ƯDCN xong"))
    # the chair's unit checks Viện KHSHTT and lowers one line
    await chair.say("/thamdinh Viện KHSHTT 1.2 7 Chưa có báo cáo sơ kết phong trào")
    await chair.say("/thamdinh Viện KHSHTT xong")

    # the differences side by side; the chair settles one by its button, one by hand
    differences = await chair.say("/chotdiem")
    text = plain(differences)
    assert "Viện ƯDCN (thẩm định: VP CNCL, đã thẩm định xong)" in text
    assert "2.1. Hoàn thành chỉ tiêu kế hoạch: tự chấm 5 · thẩm định 4 — Chỉ đạt 80%" in text
    assert "1.2. Hưởng ứng phong trào của Bộ: tự chấm 10 · thẩm định 7" in text
    assert "còn 2/2 mục chênh lệch chưa chốt" in text
    assert "4 điểm" in plain(await chair.press(differences.replies[-1],
                                               "Viện ƯDCN 2.1: chốt 4"))
    assert "cần kèm lý do" in plain(await chair.say("/chotdiem Viện KHSHTT 1.2 8"))
    assert "10 → 8 điểm" in plain(await chair.say(
        "/chotdiem Viện KHSHTT 1.2 8 Có báo cáo nhưng chưa đủ số liệu"))
    assert "chỉ dành cho người có vai trò phù hợp" in plain(await deputy.say("/chotdiem"))

    provisional = plain(await chair.say("/xephang"))
    assert "(tạm tính)" in provisional
    assert "1. Viện KHSHTT: 28/30" in provisional

    confirm = await chair.say("/chotdiem xong")
    assert "Chốt kết quả chính thức cho 3/3 đơn vị" in plain(confirm)
    assert "Chưa thẩm định xong: VP CNCL" in plain(confirm)
    assert "Hạn tự chấm điểm (17:00 Thứ Năm, 10/12/2026) chưa hết" in plain(confirm)
    final = plain(await chair.press(confirm.replies[-1], "Xác nhận chốt kết quả"))
    assert "3 đơn vị được xếp hạng" in final
    await year.outbox.drain()
    told = inboxes.to("3")
    assert "Khối trưởng đã chốt điểm chính thức: 28/30 điểm, xếp thứ 1" in told
    assert "Mục 1.2: tự chấm 10 → chốt 8 điểm. Lý do: Có báo cáo nhưng chưa đủ số liệu" in told
    assert "Mục 2.1: tự chấm 5 → chốt 4 điểm. Lý do: Chỉ đạt 80%" in inboxes.to("1")

    assert "bảng điểm không thay đổi được nữa" in plain(
        await contact.say("/chamdiem T2 1 Đăng cai giao lưu"))
    sheet = plain(await contact.say("/chamdiem"))  # the unit's own sheet says why too
    assert "Khối trưởng chốt: 8 điểm. Lý do: Có báo cáo nhưng chưa đủ số liệu" in sheet
    assert "Tổng điểm chính thức (sau thẩm định): 28/30" in sheet

    official = plain(await chair.say("/xephang"))
    assert "(chính thức)" in official and "tạm tính" not in official
    assert "1. Viện KHSHTT: 28/30" in official and "3. Viện ƯDCN: 19/30" in official
    assert "đã được chốt chính thức" in plain(await chair.say("/chotdiem Viện ƯDCN 1.1 9 x"))
    assert "đã chốt điểm chính thức" in plain(
        await deputy.say("/thamdinh Viện ƯDCN 1.1 9 Muộn"))


async def test_the_officers_check_every_sheet_and_an_unknown_way_is_asked_again(
        year: Runtime) -> None:
    chair, deputy, _ = await _bloc(year)
    asked = plain(await chair.say("/thamdinh phancong theo ý tôi"))
    assert "chọn cách phân công" in asked
    assigned = plain(await chair.say("/thamdinh phancong lanhdao"))
    assert "• Viện ƯDCN ← VP CNCL thẩm định" in assigned
    assert "• VP CNCL ← Viện ƯDCN thẩm định" in assigned
    assert "• Viện KHSHTT ← Viện ƯDCN thẩm định" in assigned
    assert "Viện KHSHTT" not in plain(await deputy.say("/thamdinh")).split("của:")[-1]
