"""``/giaouoc`` (``/covenant``): the year's covenant from the bloc file, opened by the chair,
signed once by each unit (its head where registered) with the signer's name and position,
reminded before its deadline, and written out as a Word document with every signer block."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from storage.records import Role
from tests.chat import plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_cross_check import Inboxes
from tests.test_task_admin import reload_with

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
COVENANT = """\
covenant:
  title: Giao ước thi đua năm 2026 (minh họa)
  deadline: 10/12/2026
  text:
    - Các đơn vị thi đua hoàn thành xuất sắc nhiệm vụ chính trị được giao.
    - Thực hiện tốt chế độ thông tin, báo cáo của Khối.
  targets:
    all:
      - Gửi báo cáo sơ kết, tổng kết đúng hạn
    SHTT:
      - Tổ chức 02 hội thảo về sở hữu trí tuệ
"""
BLOC = SMALL_BLOC.replace("    report_deadline: 5/12/2026\n", "") + COVENANT


@pytest.fixture
async def bloc(runtime: Runtime, small_bloc_file: Path) -> Runtime:
    await reload_with(runtime, small_bloc_file, BLOC)
    return runtime


async def test_the_chair_opens_the_covenant_and_a_unit_signs_it_once(bloc: Runtime) -> None:
    inboxes = Inboxes()
    bloc.channels.add("test", inboxes)
    chair = await registered(bloc, "1", Role.CHAIR, "UDCN", name="Trần Chủ Tịch")
    contact = await registered(bloc, "3", Role.CONTACT, "SHTT", name="Nguyễn An")

    before = plain(await contact.say("/giaouoc"))
    assert "Giao ước thi đua năm 2026 (minh họa)" in before
    assert "Thực hiện tốt chế độ thông tin, báo cáo của Khối." in before
    assert "Chỉ tiêu của Viện KHSHTT:" in before
    assert "• Gửi báo cáo sơ kết, tổng kết đúng hạn" in before
    assert "• Tổ chức 02 hội thảo về sở hữu trí tuệ" in before
    assert "Khối trưởng chưa mở ký giao ước" in before
    assert "chưa mở ký" in plain(await contact.say("/giaouoc ky"))
    assert "do Khối trưởng hoặc Khối phó" in plain(await contact.say("/giaouoc mo"))

    opened = plain(await chair.say("/giaouoc mo"))
    assert ("Đã mở ký Giao ước thi đua năm 2026 (minh họa). Đã thông báo tới 1 cán bộ"
            in opened)
    await bloc.outbox.drain()
    assert "Khối đã mở ký Giao ước thi đua" in inboxes.to("3")

    shown = await contact.say("/giaouoc")
    asked = await contact.press(shown.replies[-1], "Ký giao ước")
    assert "Họ và tên người ký" in plain(asked)
    assert "Chức vụ của người ký" in plain(await contact.press(asked.replies[-1], "Nguyễn An"))
    assert "nhập chức vụ" in plain(await contact.say("-"))
    review = await contact.say("Phó Viện trưởng")
    assert ("Đồng chí Nguyễn An (Phó Viện trưởng) ký Giao ước thi đua năm 2026 (minh họa) "
            "thay mặt Viện Khoa học sở hữu trí tuệ") in plain(review)
    assert "• Tổ chức 02 hội thảo về sở hữu trí tuệ" in plain(review)
    signed = plain(await contact.press(review.replies[-1], "Ký giao ước"))
    assert "Viện KHSHTT đã ký Giao ước thi đua năm 2026 (minh họa)" in signed
    assert "đã ký giao ước; mỗi đơn vị ký một lần" in plain(await contact.say("/giaouoc ky"))
    assert "Đơn vị đã ký: đồng chí Nguyễn An (Phó Viện trưởng), 09:00" in plain(
        await contact.say("/giaouoc"))

    progress = plain(await chair.say("/giaouoc"))
    assert "Đã ký: 1/3 đơn vị." in progress
    assert "Chưa ký: Viện ƯDCN, VP CNCL." in progress

    # the Word document: the covenant, the targets and a signer block per unit
    document = await chair.say("/giaouoc tai")
    file = next(reply.file for reply in document.replies if reply.file is not None)
    assert file.name == "giao-uoc-thi-dua-2026.docx"
    docx = Document(io.BytesIO(file.content))
    text = "\n".join(p.text for p in docx.paragraphs)
    cells = "\n".join(p.text for table in docx.tables for row in table.rows
                      for cell in row.cells for p in cell.paragraphs)
    assert "GIAO ƯỚC THI ĐUA NĂM 2026 (MINH HỌA)" in text
    assert "1. Gửi báo cáo sơ kết, tổng kết đúng hạn" in text
    assert "Viện Khoa học sở hữu trí tuệ:" in text  # its own targets, under its name
    assert "VIỆN KHOA HỌC SỞ HỮU TRÍ TUỆ\nPHÓ VIỆN TRƯỞNG\n(Đã ký xác nhận trên hệ thống ngày " \
        "24/11/2026)\nNguyễn An" in cells
    assert cells.count("(chưa ký)") == 2


async def test_a_signed_covenant_keeps_its_text_when_the_file_changes(
        bloc: Runtime, small_bloc_file: Path) -> None:
    chair = await registered(bloc, "1", Role.CHAIR, "UDCN")
    head = await registered(bloc, "4", Role.HEAD, "SHTT", name="Phạm Thủ Trưởng")
    contact = await registered(bloc, "3", Role.CONTACT, "SHTT")
    await chair.say("/giaouoc mo")
    assert "do Thủ trưởng đơn vị" in plain(await contact.say("/giaouoc ky"))
    await head.say("/giaouoc ky")
    await head.say("Phạm Thủ Trưởng")
    review = await head.say("Viện trưởng")
    await head.press(review.replies[-1], "Ký giao ước")

    # the text it signed stays; the dates still follow the file (more time for the others)
    await reload_with(bloc, small_bloc_file, BLOC.replace("Thực hiện tốt", "Đã sửa").replace(
        "deadline: 10/12/2026", "deadline: 17/12/2026"))
    shown = plain(await chair.say("/giaouoc"))
    assert "Thực hiện tốt chế độ thông tin" in shown and "Đã sửa" not in shown
    assert "Hạn ký giao ước: Thứ Năm, 17/12/2026." in shown


async def test_only_the_head_is_reminded_where_the_head_signs_and_a_changed_text_is_reread(
        bloc: Runtime, small_bloc_file: Path, clock: FixedClock) -> None:
    chair = await registered(bloc, "1", Role.CHAIR, "UDCN")
    await registered(bloc, "4", Role.HEAD, "SHTT", name="Phạm Thủ Trưởng")
    contact = await registered(bloc, "3", Role.CONTACT, "SHTT")
    signer = await registered(bloc, "2", Role.DEPUTY, "CNCL", name="Lê Phó")
    await chair.say("/giaouoc mo")
    shown = await contact.say("/giaouoc")
    assert "do Thủ trưởng đơn vị (đã đăng ký với bot) ký" in plain(shown)
    assert not any(o.label == "Ký giao ước" for r in shown.replies for o in r.options)

    clock.set(datetime.combine(date(2026, 12, 3), time(9, 0), tzinfo=HANOI))
    await bloc.reminders.plan()
    reminded = {row.chat_id for row in await bloc.repo.outbox_rows()
                if row.dedup_key.startswith("remind:")}
    assert "4" in reminded and "3" not in reminded  # the head signs: the head is told

    await signer.say("/giaouoc ky")
    await signer.say("Lê Phó")
    review = await signer.say("Phó Giám đốc")
    await reload_with(bloc, small_bloc_file, BLOC.replace("Thực hiện tốt", "Thực hiện đầy đủ"))
    changed = plain(await signer.press(review.replies[-1], "Ký giao ước"))
    assert "vừa được Khối cập nhật trong lúc đồng chí ký" in changed
    assert "chưa ký giao ước" in plain(await signer.say("/giaouoc"))


async def test_units_yet_to_sign_are_reminded_and_told_firmly_after_the_deadline(
        bloc: Runtime, clock: FixedClock) -> None:
    chair = await registered(bloc, "1", Role.CHAIR, "UDCN")
    await registered(bloc, "3", Role.CONTACT, "SHTT")
    await registered(bloc, "2", Role.DEPUTY, "CNCL")
    assert not [o for o in await bloc.reminders.occasions() if o.origin[0] == "covenant"]
    await chair.say("/giaouoc mo")  # reminders start once it is open
    assert "hạn ký giao ước thi đua" in plain(await chair.say("/lichnhac"))

    clock.set(datetime.combine(date(2026, 12, 7), time(9, 0), tzinfo=HANOI))  # 3 days before
    await bloc.reminders.plan()
    rows = {row.chat_id: row.payload for row in await bloc.repo.outbox_rows()
            if row.dedup_key.startswith("remind:")}
    assert set(rows) == {"1", "2", "3"}  # the officers sign for their own units too
    assert "hạn ký Giao ước thi đua năm 2026 là <b>Thứ Năm, 10/12/2026</b>" in rows["3"]["text"]
    assert rows["3"]["options"][0] == ["Ký giao ước", "/giaouoc"]

    clock.set(datetime.combine(date(2026, 12, 11), time(9, 0), tzinfo=HANOI))
    await bloc.reminders.plan()
    late = [row for row in await bloc.repo.outbox_rows() if "escalation" in row.dedup_key]
    texts = {row.chat_id: row.payload["text"] for row in late}
    assert "đã quá hạn ký Giao ước thi đua năm 2026" in texts["3"]
    assert any("<b>3</b> đơn vị chưa ký: Viện ƯDCN, VP CNCL, Viện KHSHTT" in text
               for text in texts.values())


async def test_the_weekly_digest_names_the_covenant_deadline_of_the_week(
        bloc: Runtime, clock: FixedClock) -> None:
    chair = await registered(bloc, "1", Role.CHAIR, "UDCN")
    await chair.say("/giaouoc mo")
    clock.set(datetime.combine(date(2026, 12, 7), time(8, 0), tzinfo=HANOI))  # its Monday
    assert await bloc.digest.send() == 1
    text = next(r for r in await bloc.repo.outbox_rows() if r.kind == "digest").payload["text"]
    assert "Hạn ký Giao ước thi đua trong tuần này: Thứ Năm, 10/12/2026 (3 đơn vị chưa ký)." \
        in text
