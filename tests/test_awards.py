"""``/khenthuong`` (``/awards``): the units nominate their exemplary collectives and people
for the forms the bloc file gives, the chair includes them in the bloc's proposal within
each form's quota, and the proposal (tờ trình) names the unit the vote elected."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.domain.events import Response
from config.bloc import BlocFileError, parse_bloc_text
from storage.records import Role
from tests.chat import Person, plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_cross_check import Inboxes
from tests.test_self_scoring import CRITERIA, DOCUMENT
from tests.test_task_admin import reload_with
from tests.test_vote import VOTE, _ballot, _submit

AWARDS = """\
awards:
  recipient: Hội đồng Thi đua - Khen thưởng Bộ Khoa học và Công nghệ
  grounds:
    - Căn cứ Luật Thi đua, khen thưởng (minh họa);
  opens: 20/11/2026
  deadline: 30/11/2026
  forms:
    - {code: CO, name: Cờ thi đua của Bộ Khoa học và Công nghệ, leading_unit: true, quota: 1}
    - {code: BKTT, name: Bằng khen của Bộ trưởng (tập thể), quota: 1, per_unit: 1}
    - {code: BKCN, name: Bằng khen của Bộ trưởng (cá nhân), kind: individual, quota: 3}
"""


@pytest.fixture
async def awarding(runtime: Runtime, small_bloc_file: Path) -> Runtime:
    """The small bloc with criteria, a vote and the proposals' forms (24/11/2026, 09:00)."""
    await reload_with(runtime, small_bloc_file, SMALL_BLOC + CRITERIA + VOTE + AWARDS)
    return runtime


async def _nominate(person: Person, form: str, name: str, *rest: str) -> Response:
    """Go through the nomination form: the form, the name, (the position,) the summary,
    no files, and send."""
    asked = await person.say("/khenthuong de")
    answered = await person.press(asked.replies[-1], form)
    for text in (name, *rest):
        answered = await person.say(text)
    files = answered.replies[-1]
    review = await person.press(files, "Không có tệp")
    return await person.press(review.replies[-1], "Gửi đề nghị")


async def test_units_nominate_and_the_chair_compiles_within_the_quotas(
        awarding: Runtime) -> None:
    inboxes = Inboxes()
    awarding.channels.add("test", inboxes)
    chair = await registered(awarding, "1", Role.CHAIR, "UDCN", name="Trần Chủ Tịch")
    deputy = await registered(awarding, "2", Role.DEPUTY, "CNCL", name="Lê Phó")
    contact = await registered(awarding, "3", Role.CONTACT, "SHTT", name="Nguyễn An")

    shown = plain(await contact.say("/khenthuong"))
    assert "Kính gửi: Hội đồng Thi đua - Khen thưởng Bộ Khoa học và Công nghệ" in shown
    assert "Hạn các đơn vị gửi đề nghị: Thứ Hai, 30/11/2026." in shown
    assert "Cờ thi đua của Bộ Khoa học và Công nghệ (CO): đơn vị được suy tôn dẫn đầu Khối: " \
        "chưa có kết quả suy tôn" in shown
    assert "Bằng khen của Bộ trưởng (tập thể) (BKTT, tập thể): đã đưa vào tờ trình 0, tối đa 1" \
        in shown

    # a collective with its achievements report as a file
    asked = await contact.say("/khenthuong de")
    forms = [option.label for option in asked.replies[-1].options]
    assert forms[:2] == ["Bằng khen của Bộ trưởng (tập thể)", "Bằng khen của Bộ trưởng (cá nhân)"]
    assert "Tên tập thể được đề nghị" in plain(
        await contact.press(asked.replies[-1], "(tập thể)"))
    assert "nhập tên tập thể" in plain(await contact.say("   "))
    await contact.say("Phòng Sở hữu công nghiệp")
    await contact.say("Chủ trì 12 hội thảo; hỗ trợ 40 doanh nghiệp đăng ký nhãn hiệu.")
    assert "gửi tệp" in plain(await contact.say("không có gì"))
    review = await contact.say("", file=DOCUMENT)
    review = await contact.press(review.replies[-1], "Xong")
    assert "Tập thể/cá nhân: Phòng Sở hữu công nghiệp" in plain(review)
    assert "Tệp kèm theo: 1" in plain(review)
    sent = plain(await contact.press(review.replies[-1], "Gửi đề nghị"))
    assert "Đã gửi đề nghị #1: Phòng Sở hữu công nghiệp" in sent
    await awarding.outbox.drain()
    assert "Viện KHSHTT gửi đề nghị #1: Phòng Sở hữu công nghiệp" in inboxes.to("1")

    # the collective form allows one per unit: it is no longer offered to this unit
    asked = await contact.say("/khenthuong de")
    assert next(option.label for option in asked.replies[-1].options) == \
        "Bằng khen của Bộ trưởng (cá nhân)"
    await contact.say("/huy")

    # a person, with their position
    sent = plain(await _nominate(contact, "(cá nhân)", "Nguyễn Văn Bình",
                                 "Trưởng phòng Sở hữu công nghiệp", "Có 2 sáng kiến cấp Bộ."))
    assert "Đã gửi đề nghị #2: Nguyễn Văn Bình" in sent
    await _nominate(deputy, "(tập thể)", "Phòng Đánh giá", "Công nhận 30 phòng thí nghiệm.")

    listing = await chair.say("/khenthuong")
    assert "#1 Viện KHSHTT: Phòng Sở hữu công nghiệp (BKTT)" in plain(listing)
    assert "#2 Viện KHSHTT: Nguyễn Văn Bình, Trưởng phòng Sở hữu công nghiệp (BKCN)" in \
        plain(listing)
    assert "[chờ Khối trưởng xét]" in plain(listing)

    # the chair sees the details and the file, includes within the quota, leaves one out
    one = await chair.say("/khenthuong xem 1")
    assert "Thành tích: Chủ trì 12 hội thảo" in plain(one)
    assert [reply.attachment.file_id for reply in one.replies if reply.attachment] == ["kh-1"]
    assert "do Khối trưởng hoặc Khối phó" in plain(await contact.say("/khenthuong nhan 1"))
    included = await chair.press(listing.replies[-1], "Đưa #1 vào tờ trình")
    assert "Đã đưa #1 (Phòng Sở hữu công nghiệp) vào tờ trình" in plain(included)
    over = plain(await chair.say("/khenthuong nhan 3"))
    assert "đã đủ số lượng tối đa theo quy chế (1)" in over
    assert "Đã ghi: không đưa #3" in plain(await chair.say("/khenthuong bo 3"))
    await chair.say("/khenthuong nhan 2")
    await awarding.outbox.drain()
    assert "Khối đã đưa Phòng Sở hữu công nghiệp vào tờ trình" in inboxes.to("3")
    assert "không đưa Phòng Đánh giá vào tờ trình" in inboxes.to("2")

    # a decided nomination cannot be withdrawn; another unit's cannot be seen
    assert "đã được Khối trưởng xét" in plain(await contact.say("/khenthuong rut 1"))
    assert "Không có đề nghị số 3" in plain(await contact.say("/khenthuong xem 3"))
    assert "#1 Viện KHSHTT: Phòng Sở hữu công nghiệp (BKTT)" in plain(
        await contact.say("/khenthuong"))
    assert "[đã đưa vào tờ trình]" in plain(await contact.say("/khenthuong"))
    assert "Khối trưởng, Khối phó" in plain(await contact.say("/khenthuong tai"))


async def test_the_units_nominate_only_in_their_window(
        awarding: Runtime, clock: FixedClock) -> None:
    contact = await registered(awarding, "3", Role.CONTACT, "SHTT")
    asked = await contact.say("/khenthuong de")
    await contact.press(asked.replies[-1], "(tập thể)")
    await contact.say("Phòng Sở hữu công nghiệp")
    review = await contact.press((await contact.say("Thành tích.")).replies[-1], "Không có tệp")
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # the deadline passed meanwhile
    closed = plain(await contact.press(review.replies[-1], "Gửi đề nghị"))
    assert "Đã hết hạn gửi đề nghị khen thưởng (Thứ Hai, 30/11/2026)" in closed
    assert await awarding.repo.nominations(1) == []
    assert "Đã hết hạn" in plain(await contact.say("/khenthuong de"))

    clock.set(datetime(2026, 11, 19, 2, 0, tzinfo=UTC))
    assert "gửi đề nghị khen thưởng từ" in plain(await contact.say("/awards de"))


async def a_year(runtime: Runtime, *, progress: bool = False) -> Person:
    """Three sheets submitted (KHSHTT 30, CNCL 25, ƯDCN 20), a vote that elects Viện
    KHSHTT, a person nominated and included, a collective nominated and pending; with
    ``progress``, a report on task 1 too. Returns the chair."""
    chair = await registered(runtime, "1", Role.CHAIR, "UDCN", name="Trần Chủ Tịch")
    deputy = await registered(runtime, "2", Role.DEPUTY, "CNCL", name="Lê Phó")
    contact = await registered(runtime, "3", Role.CONTACT, "SHTT", name="Nguyễn An")
    if progress:
        review = await contact.say("/capnhat 1 100% Đã tổ chức Hội nghị Tổng kết")
        await contact.press(review.replies[-1], "Gửi")
    await _submit(contact, "1.1 10", "1.2 10", "2.1 10")
    await _submit(deputy, "1.1 10", "1.2 5 Chưa đủ", "2.1 10")
    await _submit(chair, "1.1 10", "1.2 5 Chưa đủ", "2.1 5 Chưa đủ")
    await chair.say("/binhchon mo")
    for person, choice in ((contact, "VP CNCL"), (deputy, "Viện KHSHTT"),
                           (chair, "Viện KHSHTT")):
        await person.say(_ballot(await person.say("/binhchon"))[choice])
    await chair.say("/binhchon dong")
    await _nominate(contact, "(cá nhân)", "Nguyễn Văn Bình", "Trưởng phòng",
                    "Có 2 sáng kiến cấp Bộ.")
    await _nominate(deputy, "(tập thể)", "Phòng Đánh giá", "Công nhận 30 phòng thí nghiệm.")
    await chair.say("/khenthuong nhan 1")
    return chair


async def test_the_proposal_names_the_elected_unit_and_the_included_nominations(
        awarding: Runtime) -> None:
    chair = await a_year(awarding)

    assert "đơn vị được suy tôn dẫn đầu Khối: Viện KHSHTT" in plain(
        await chair.say("/khenthuong"))
    sent = await chair.say("/khenthuong tai")
    file = next(reply.file for reply in sent.replies if reply.file is not None)
    assert file.name == "to-trinh-de-nghi-khen-thuong-2026.docx"
    assert "đơn vị dẫn đầu: Viện Khoa học sở hữu trí tuệ; 1 tập thể, cá nhân khác" in plain(sent)
    docx = Document(io.BytesIO(file.content))
    text = "\n".join(p.text for p in docx.paragraphs)
    cells = "\n".join(cell.text for table in docx.tables for row in table.rows
                      for cell in row.cells)
    assert "TỜ TRÌNH" in text and "Về việc đề nghị khen thưởng năm 2026" in text
    assert "Kính gửi: Hội đồng Thi đua - Khen thưởng Bộ Khoa học và Công nghệ" in text
    assert "Căn cứ Luật Thi đua, khen thưởng (minh họa);" in text
    assert ("1. Cờ thi đua của Bộ Khoa học và Công nghệ\nViện Khoa học sở hữu trí tuệ, đơn vị "
            "dẫn đầu Khối thi đua Thử nghiệm năm 2026: đạt 30 điểm, xếp thứ 1 (kết quả chấm điểm "
            "tạm tính); được suy tôn với 2/3 phiếu bầu.") in text  # the scores are not settled
    assert "2. Bằng khen của Bộ trưởng (tập thể)\nKhông có đề nghị." in text
    assert "(Số lượng đề nghị: 1; tối đa theo quy chế: 3)" in text
    assert "Nguyễn Văn Bình, Trưởng phòng" in cells and "Có 2 sáng kiến cấp Bộ." in cells
    assert "Số:        /TTr-KTĐ" in cells and "KHỐI TRƯỞNG" in cells


def test_the_bloc_file_has_one_leading_form_for_a_collective() -> None:
    twice = AWARDS.replace("BKTT, name: Bằng khen của Bộ trưởng (tập thể),",
                           "BKTT, name: Bằng khen của Bộ trưởng (tập thể), leading_unit: true,")
    with pytest.raises(BlocFileError) as raised:
        parse_bloc_text(SMALL_BLOC + twice)
    assert [(p.where(), p.kind) for p in raised.value.problems] == [("awards", "leading_form")]
