"""``/binhchon`` (``/vote``): the secret vote for the leading unit, by the bloc file's rules.

The chair opens a round with the ranking's first N (or the units named); each unit casts
one ballot (its head where registered) by a one-time code; nothing said back names the
choice; the chair closes, and the count is announced with the receipts of every ballot."""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.domain.events import Response
from storage.records import Role
from tests.chat import Person, plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_self_scoring import CRITERIA, DOCUMENT
from tests.test_task_admin import reload_with

VOTE = """\
vote:
  opens: 24/11/2026
  closes: 25/11/2026 11h30
  candidates: 2
  self_vote: false
  majority_percent: 50
  majority_of: units
"""


@pytest.fixture
async def voting(runtime: Runtime, small_bloc_file: Path) -> Runtime:
    """The small bloc with a criteria table and a vote section (24/11/2026, 09:00)."""
    await reload_with(runtime, small_bloc_file, SMALL_BLOC + CRITERIA + VOTE)
    return runtime


async def _submit(person: Person, *scores: str) -> None:
    for line in scores:
        said = plain(await person.say(f"/chamdiem {line}"))
        if "cần tệp minh chứng" in said:  # 1.1 asks for its evidence first
            await person.say("", file=DOCUMENT)
            said = plain(await person.say("Xong"))
        assert "Đã ghi" in said, (line, said)
    assert "xác nhận" in plain(await person.say("/chamdiem nop")).casefold()
    assert "Đã nộp" in plain(await person.say("/chamdiem nop xacnhan"))


async def _three_units(runtime: Runtime) -> tuple[Person, Person, Person]:
    chair = await registered(runtime, "1", Role.CHAIR, "UDCN", name="Trần Chủ Tịch")
    deputy = await registered(runtime, "2", Role.DEPUTY, "CNCL", name="Lê Phó")
    contact = await registered(runtime, "3", Role.CONTACT, "SHTT", name="Nguyễn An")
    return chair, deputy, contact


def _ballot(response: Response) -> dict[str, str]:
    """The ballot's buttons: candidate → the command its press sends."""
    secret = [reply for reply in response.replies if reply.secret]
    assert len(secret) == 1, [reply.text for reply in response.replies]
    return {option.label: option.value for option in secret[0].options}


async def test_the_chair_opens_with_the_top_two_and_each_unit_votes_once_in_secret(
        voting: Runtime, clock: FixedClock) -> None:
    chair, deputy, contact = await _three_units(voting)
    # the ranking: Viện KHSHTT 30, VP CNCL 25, Viện ƯDCN 20 (all three submitted)
    await _submit(contact, "1.1 10", "1.2 10", "2.1 10")
    await _submit(deputy, "1.1 10", "1.2 5 Chưa đủ", "2.1 10")
    await _submit(chair, "1.1 10", "1.2 5 Chưa đủ", "2.1 5 Chưa đủ")

    rules = plain(await contact.say("/binhchon"))
    assert "chưa mở bỏ phiếu" in rules
    assert "2 đơn vị đứng đầu bảng xếp hạng" in rules
    assert "Đơn vị không bỏ phiếu cho chính mình." in rules
    assert "trên 50% tổng số đơn vị của Khối" in rules
    assert "Việc mở bỏ phiếu do Khối trưởng" in plain(await contact.say("/binhchon mo"))

    opened = plain(await chair.say("/binhchon mo"))
    assert "Đã mở bỏ phiếu vòng 1. Đơn vị được đề cử: Viện KHSHTT, VP CNCL." in opened
    assert "11:30 Thứ Tư, 25/11/2026" in opened

    # a unit may not vote for itself: its ballot lists only the other candidate
    own = await contact.say("/binhchon")
    assert list(_ballot(own)) == ["VP CNCL"]
    assert "PHIẾU BẦU KÍN" in plain(own)
    chair_view = await chair.say("/binhchon")
    assert "Đã bỏ phiếu: 0/3 đơn vị." in plain(chair_view)
    assert set(_ballot(chair_view)) == {"Viện KHSHTT", "VP CNCL"}

    # another unit's member cannot use this unit's code, nor spoil its ballot by trying
    assert "không còn hiệu lực" in plain(await deputy.say(_ballot(own)["VP CNCL"]))
    cast = await contact.say(_ballot(own)["VP CNCL"])
    receipt = re.search(r"Mã biên nhận: ([A-Z0-9]{4}-[A-Z0-9]{4})", plain(cast))
    assert receipt is not None and all(reply.secret for reply in cast.replies)
    assert "VP CNCL" not in plain(cast)  # nothing said back names the choice
    assert "đã bỏ phiếu ở vòng này" in plain(await contact.say("/binhchon"))
    # an old ballot's code, or a second try, counts for nothing
    again = plain(await contact.say(_ballot(own)["VP CNCL"]))
    assert "không còn hiệu lực" in again

    await deputy.say(_ballot(await deputy.say("/binhchon"))["Viện KHSHTT"])
    await chair.say(_ballot(await chair.say("/binhchon"))["Viện KHSHTT"])

    result = plain(await chair.say("/binhchon dong"))
    assert "KẾT QUẢ BÌNH XÉT, SUY TÔN ĐƠN VỊ DẪN ĐẦU KHỐI NĂM 2026 (vòng 1)" in result
    assert "số đơn vị đã bỏ phiếu: 3; số phiếu trong hòm: 3 (khớp)" in result
    assert "1. Viện KHSHTT: 2 phiếu" in result and "2. VP CNCL: 1 phiếu" in result
    assert "Viện KHSHTT được suy tôn là đơn vị dẫn đầu Khối (2 phiếu; cần tối thiểu 2)" in result
    assert receipt.group(1) in result
    assert "Viện KHSHTT được suy tôn" in plain(await contact.say("/binhchon"))

    # the minutes: counts only (no ballot exists), for the officers
    assert "Khối trưởng, Khối phó" in plain(await contact.say("/binhchon bienban"))
    closed = await chair.say("/binhchon")
    minutes = await chair.press(closed.replies[-1], "Tải biên bản")
    file = next(reply.file for reply in minutes.replies if reply.file is not None)
    assert file.name == "bien-ban-binh-xet-2026.docx"
    docx = Document(io.BytesIO(file.content))
    text = "\n".join(p.text for p in docx.paragraphs)
    counts = docx.tables[1]  # after the header's; the signatures' table follows
    cells = [[cell.text for cell in row.cells] for row in counts.rows]
    assert "Họp bình xét, suy tôn đơn vị dẫn đầu Khối thi đua Thử nghiệm năm 2026" in text
    assert "- Đơn vị không bỏ phiếu cho chính mình." in text
    assert "số đơn vị đã bỏ phiếu: 3; số phiếu trong hòm phiếu: 3" in text
    assert cells == [["STT", "Đơn vị được đề cử", "Số phiếu"],
                     ["1", "Viện Khoa học sở hữu trí tuệ", "2"],
                     ["2", "Văn phòng Công nhận Chất lượng", "1"]]
    assert "Kết luận: Viện Khoa học sở hữu trí tuệ được suy tôn" in text
    assert receipt.group(1) in text


async def test_the_ballot_box_keeps_counts_and_receipts_and_the_voters_list_no_choice(
        voting: Runtime) -> None:
    chair, _, contact = await _three_units(voting)
    assert "Đã mở" in plain(await chair.say("/binhchon mo Viện ƯDCN, VP CNCL"))
    await contact.say(_ballot(await contact.say("/binhchon"))["Viện ƯDCN"])

    with sqlite3.connect(voting.settings.database) as db:  # as an operator reads the file
        db.row_factory = sqlite3.Row
        tallies = [dict(row) for row in db.execute("SELECT * FROM vote_tallies")]
        receipts = [dict(row) for row in db.execute("SELECT * FROM vote_receipts")]
        voters = [dict(row) for row in db.execute("SELECT * FROM vote_voters")]
        audit = [tuple(row) for row in db.execute(
            "SELECT action, details FROM audit_log WHERE action LIKE 'vote.%'")]
    # no ballot is kept: a count per candidate (each from the opening, each rewritten by
    # every ballot), and a receipt that names no one
    assert [(row["candidate_unit_id"], row["votes"]) for row in tallies] == [(1, 1), (2, 0)]
    assert [set(row) for row in receipts] == [{"vote_id", "receipt"}]
    assert [set(row) for row in voters] == [{"vote_id", "unit_id", "voted_at"}]
    assert ("vote.cast", "{}") in audit  # that a unit voted, never for whom


async def test_where_a_head_is_registered_only_the_head_casts_the_units_ballot(
        voting: Runtime) -> None:
    chair, _, contact = await _three_units(voting)
    head = await registered(voting, "4", Role.HEAD, "SHTT", name="Phạm Thủ Trưởng")
    await chair.say("/binhchon mo Viện ƯDCN, VP CNCL")

    refused = await contact.say("/binhchon")
    assert "do Thủ trưởng đơn vị" in plain(refused)
    assert not any(reply.secret for reply in refused.replies)
    assert "Viện ƯDCN" in _ballot(await head.say("/binhchon"))


async def test_a_tie_elects_no_one_and_the_chair_opens_the_next_round(
        voting: Runtime) -> None:
    chair, deputy, contact = await _three_units(voting)
    await chair.say("/binhchon mo Viện ƯDCN, VP CNCL, Viện KHSHTT")
    await contact.say(_ballot(await contact.say("/binhchon"))["Viện ƯDCN"])
    await deputy.say(_ballot(await deputy.say("/binhchon"))["Viện KHSHTT"])
    early = await chair.say("/binhchon dong")
    assert "Còn 1 đơn vị chưa bỏ phiếu" in plain(early)

    result = plain(await chair.press(early.replies[-1], "Kết thúc ngay"))
    assert "số đơn vị đã bỏ phiếu: 2; số phiếu trong hòm: 2 (khớp)" in result
    assert "các đơn vị nhiều phiếu nhất bằng phiếu nhau" in result
    assert "Đã mở bỏ phiếu vòng 2" in plain(await chair.say("/binhchon mo Viện ƯDCN, VP CNCL"))


async def test_after_the_closing_time_no_ballot_is_taken(
        voting: Runtime, clock: FixedClock) -> None:
    chair, _, contact = await _three_units(voting)
    await chair.say("/binhchon mo Viện ƯDCN, VP CNCL")
    ballot = _ballot(await contact.say("/binhchon"))
    clock.set(datetime(2026, 11, 25, 4, 31, tzinfo=UTC))  # 11:31 in Hà Nội

    assert "đã kết thúc" in plain(await contact.say(ballot["Viện ƯDCN"]))
    assert "Đã hết giờ bỏ phiếu" in plain(await chair.say("/binhchon"))
    assert "số phiếu trong hòm: 0" in plain(await chair.say("/binhchon dong"))


async def test_without_a_vote_section_the_bloc_is_told_it_has_none(
        runtime: Runtime) -> None:
    contact = await registered(runtime, "3", Role.CONTACT, "SHTT")
    assert "chưa quy định việc bình xét" in plain(await contact.say("/vote"))


async def test_the_round_closes_on_its_own_at_its_closing_time(
        voting: Runtime, clock: FixedClock) -> None:
    from tests.test_cross_check import Inboxes  # it imports this module's helpers

    inboxes = Inboxes()
    voting.channels.add("test", inboxes)
    chair, _, contact = await _three_units(voting)
    await chair.say("/binhchon mo Viện ƯDCN, VP CNCL")
    await contact.say(_ballot(await contact.say("/binhchon"))["VP CNCL"])
    voting.scheduler.start()
    try:
        clock.set(datetime(2026, 11, 25, 4, 29, tzinfo=UTC))  # 11:29: not yet
        await asyncio.sleep(0.2)
        assert (await voting.repo.latest_vote(1)).closed_at is None  # type: ignore[union-attr]
        clock.set(datetime(2026, 11, 25, 4, 30, tzinfo=UTC))  # 11:30, its closing time
        for _ in range(100):  # the scheduler's job runs on the loop
            if (await voting.repo.latest_vote(1)).closed_at is not None:  # type: ignore[union-attr]
                break
            await asyncio.sleep(0.05)
    finally:
        voting.scheduler.stop()
    assert not await voting.reminders.vote_closing.close_due()  # closed once
    await voting.outbox.drain()
    told = inboxes.to("3")
    assert "hệ thống đã tự động kiểm phiếu và kết thúc vòng bỏ phiếu" in told
    assert "1. VP CNCL: 1 phiếu" in told and "số phiếu trong hòm: 1 (khớp)" in told
    assert "Không có vòng bỏ phiếu nào đang mở" in plain(await chair.say("/binhchon dong"))


async def test_the_schedule_lists_when_the_open_round_closes(voting: Runtime) -> None:
    chair, _, _ = await _three_units(voting)
    await chair.say("/binhchon mo Viện ƯDCN, VP CNCL")
    listed = plain(await chair.say("/lichnhac"))
    assert ("11:30 Thứ Tư, 25/11/2026 — kết thúc bỏ phiếu suy tôn (vòng 1): tự động kiểm "
            "phiếu và công bố kết quả — mọi thành viên và nhóm") in listed


async def test_no_export_links_a_unit_to_its_ballot(voting: Runtime) -> None:
    """The files a chair or the command line can make (the year report, the scores
    workbook, the minutes) hold counts and the sorted receipts only."""
    from bot.services.exports.docx_year_report import render_year_report
    from bot.services.exports.xlsx_scores import render_scores
    from bot.services.exports.year_build import build_scores_workbook, build_year_report

    chair, deputy, contact = await _three_units(voting)
    await _submit(contact, "1.1 10", "1.2 10", "2.1 10")
    await chair.say("/binhchon mo Viện ƯDCN, VP CNCL")
    receipts = {}
    for person, choice, unit in ((contact, "VP CNCL", "SHTT"), (deputy, "Viện ƯDCN", "CNCL"),
                                 (chair, "VP CNCL", "UDCN")):
        cast = plain(await person.say(_ballot(await person.say("/binhchon"))[choice]))
        found = re.search(r"Mã biên nhận: ([A-Z0-9]{4}-[A-Z0-9]{4})", cast)
        assert found is not None
        receipts[unit] = found.group(1)
    await chair.say("/binhchon dong")
    t, now = voting.texts.translator("vi"), voting.clock.now()
    report = render_year_report(await build_year_report(voting.repo, voting.bloc, 2026, t=t,
                                                        now=now))
    scores = await build_scores_workbook(voting.repo, voting.bloc, 2026, t=t)
    assert scores is not None
    book = load_workbook(io.BytesIO(render_scores(scores)))
    cells = " ".join(str(cell) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for cell in row)
    docx = Document(io.BytesIO(report))
    text = "\n".join(p.text for p in docx.paragraphs) + "".join(
        cell.text for table in docx.tables for row in table.rows for cell in row.cells)
    for receipt in receipts.values():
        assert receipt not in text and receipt not in cells
    minutes = await chair.say("/binhchon bienban")
    file = next(reply.file for reply in minutes.replies if reply.file is not None)
    lines = [p.text for p in Document(io.BytesIO(file.content)).paragraphs]
    holding = [line for line in lines if any(r in line for r in receipts.values())]
    assert holding == [f"Mã biên nhận các phiếu đã kiểm: {', '.join(sorted(receipts.values()))}."]
