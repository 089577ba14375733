"""``/chamdiem`` (``/score``): a unit scores itself against the bloc file's criteria table,
in one line or step by step, sees its running total, and submits once; every limit it meets
(maximums, caps, justification, evidence, the window, who submits) is the bloc file's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app.runtime import Runtime
from bot.domain.clock import FixedClock
from bot.domain.events import InboundFile
from storage.records import Role
from tests.chat import plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered
from tests.test_task_admin import reload_with

CRITERIA = """\
criteria:
  total: 30
  justification: below_max
  groups:
    - code: "1"
      title: Chỉ đạo phong trào thi đua
      max: 20
      items:
        - {code: "1.1", title: Ban hành kế hoạch thi đua, max: 10, evidence: required}
        - {code: "1.2", title: Hưởng ứng phong trào của Bộ, max: 10}
    - code: "2"
      title: Nhiệm vụ chuyên môn
      items:
        - {code: "2.1", title: Hoàn thành chỉ tiêu kế hoạch, max: 10}
  bonus:
    cap: 3
    items:
      - {code: T1, title: Sáng kiến được Bộ ghi nhận, max: 2, justification: required}
      - {code: T2, title: Đăng cai hoạt động của Khối, max: 2}
  penalty:
    cap: 5
    items:
      - {code: Tr1, title: Gửi báo cáo chậm, max: 5}
scoring:
  opens: 20/11/2026
  deadline: 10/12/2026 17h00
"""
DOCUMENT = InboundFile("kh-1", "ke-hoach-thi-dua.pdf", "application/pdf", 2000, "document")


@pytest.fixture
async def scoring(runtime: Runtime, small_bloc_file: Path) -> Runtime:
    """The small bloc with a criteria table, its scoring window open (24/11/2026)."""
    await reload_with(runtime, small_bloc_file, SMALL_BLOC + CRITERIA)
    return runtime


async def test_the_sheet_lists_every_line_unscored_with_its_maximum_and_the_window(
        scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")

    text = plain(await an.say("/chamdiem"))

    assert "Bảng tự chấm điểm thi đua năm 2026: Viện Khoa học sở hữu trí tuệ" in text
    assert ("Thời gian tự chấm điểm: từ Thứ Sáu, 20/11/2026 đến 17:00 Thứ Năm, 10/12/2026."
            in text)
    assert "1. Chỉ đạo phong trào thi đua: 0/20 điểm" in text
    assert "1.1. Ban hành kế hoạch thi đua: chưa chấm (tối đa 10)" in text
    assert "Điểm thưởng (tối đa 3 điểm)" in text and "Điểm trừ (tối đa 5 điểm)" in text
    assert "Tổng điểm tạm tính: 0/30 (đã chấm 0/3 tiêu chí" in text
    assert "MINH HỌA" not in text  # this table is not marked illustrative


async def test_one_line_scores_are_checked_against_the_table_and_added_up(
        scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")

    over = plain(await an.say("/chamdiem 1.2 12"))
    assert "Không ghi được 12 điểm cho mục 1.2: điểm tối đa của mục này là 10." in over
    no_reason = plain(await an.say("/chamdiem 1.2 8,5"))
    assert "Mục 1.2 cần giải trình khi chấm 8,5/10 điểm" in no_reason
    saved = plain(await an.say("/chamdiem 1,2 8,5 Hưởng ứng 4/5 phong trào"))
    assert "Đã ghi: mục 1.2, 8,5/10 điểm." in saved
    assert "Tổng điểm tạm tính: 8,5/30 (đã chấm 1/3 tiêu chí" in saved
    full = plain(await an.say("/chamdiem 2.1 10"))  # the maximum needs no justification
    assert "Tổng điểm tạm tính: 18,5/30 (đã chấm 2/3 tiêu chí" in full
    assert "không phải là số điểm hợp lệ" in plain(await an.say("/chamdiem 2.1 -3"))
    assert "không có mục mã “9.9”" in plain(await an.say("/chamdiem 9.9 1"))


async def test_bonus_points_over_their_cap_are_refused_with_what_is_left(
        scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")
    assert "Đã ghi" in plain(await an.say("/chamdiem T2 2"))

    refused = plain(await an.say("/chamdiem T1 2 Sáng kiến số hóa hồ sơ"))

    assert "tổng điểm thưởng tối đa là 3, đơn vị đã đề nghị 2 ở các mục khác" in refused
    assert "còn tối đa 1" in refused
    assert "Đã ghi: mục T1, 1/2 điểm." in plain(await an.say("/chamdiem T1 1 Sáng kiến số hóa"))
    sheet = plain(await an.say("/chamdiem"))
    assert "T1. Sáng kiến được Bộ ghi nhận: 1/2" in sheet
    assert "điểm thưởng 3, điểm trừ 0" in sheet


async def test_step_by_step_asks_the_points_the_reason_and_the_evidence_file(
        scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")

    first = plain(await an.say("/chamdiem tiep"))
    assert "Tiêu chí 1.1. Ban hành kế hoạch thi đua" in first and "Điểm tối đa: 10" in first
    assert "giải trình" in plain(await an.say("9"))
    assert "cần tệp minh chứng" in plain(await an.say("Kế hoạch ban hành chậm 1 tháng"))
    assert "Đã nhận 1 tệp." in plain(await an.say("", file=DOCUMENT))
    saved = await an.say("Xong")
    assert "Đã ghi: mục 1.1, 9/10 điểm." in plain(saved)
    assert any("Chấm tiếp mục 1.2" in option.label
               for reply in saved.replies for option in reply.options)
    assert "1.1. Ban hành kế hoạch thi đua: 9/10 (📎 1 tệp minh chứng)" in plain(
        await an.say("/chamdiem"))


async def test_a_one_line_score_that_needs_a_file_asks_for_it_before_saving(
        scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")

    asked = plain(await an.say("/chamdiem 1.1 10"))
    assert "cần tệp minh chứng" in asked and "Đã ghi" not in asked
    await an.say("", file=DOCUMENT)

    assert "Đã ghi: mục 1.1, 10/10 điểm." in plain(await an.say("Xong"))


async def _score_everything(person: object) -> None:
    for text in ("/chamdiem 1.1 10", "", "Xong", "/chamdiem 1.2 10",
                 "/chamdiem 2.1 7 Chậm 2 chỉ tiêu"):
        if text:
            await person.say(text)  # type: ignore[attr-defined]
        else:
            await person.say("", file=DOCUMENT)  # type: ignore[attr-defined]


async def test_the_sheet_is_submitted_once_after_its_gaps_are_filled_and_then_is_final(
        scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")
    await an.say("/chamdiem 1.2 10")

    gaps = plain(await an.say("/chamdiem nop"))
    assert "còn 2 mục cần hoàn thiện" in gaps
    assert "mục 1.1: chưa chấm" in gaps and "mục 2.1: chưa chấm" in gaps
    await _score_everything(an)
    confirm = await an.say("/chamdiem nop")
    assert "Sau khi nộp, đơn vị không sửa được điểm nữa" in plain(confirm)
    assert "Tổng điểm tạm tính: 27/30" in plain(confirm)
    done = await an.press(confirm.replies[-1], "Xác nhận nộp")

    assert "Đã nộp bảng tự chấm điểm của đơn vị" in plain(done)
    assert "bảng điểm đã nộp không sửa được nữa" in plain(await an.say("/chamdiem 2.1 10"))
    assert "bảng điểm đã nộp không sửa được nữa" in plain(await an.say("/chamdiem nop xacnhan"))
    assert "Đơn vị đã nộp bảng điểm lúc 09:00 24/11/2026" in plain(await an.say("/chamdiem"))
    submissions = await scoring.repo.score_submissions(
        (await scoring.repo.emulation_year(scoring.bloc.id, 2026)).id)  # type: ignore[union-attr]
    assert len(submissions) == 1


async def test_a_required_file_missing_keeps_the_sheet_from_being_submitted(
        scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")
    for text in ("/chamdiem 1.1 10", "/huy", "/chamdiem 1.2 10", "/chamdiem 2.1 10"):
        await an.say(text)

    gaps = plain(await an.say("/chamdiem nop"))

    assert "mục 1.1: chưa chấm" in gaps  # leaving the file question saved nothing
    await an.say("/chamdiem 1.1 10")
    await an.say("", file=DOCUMENT)
    await an.say("Xong")
    assert "Sau khi nộp" in plain(await an.say("/chamdiem nop"))


async def test_where_a_unit_head_is_registered_the_head_submits(scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")
    head = await registered(scoring, "2", Role.HEAD, unit="SHTT", name="Lê Văn Thủ")
    await _score_everything(an)

    assert "việc nộp bảng điểm do đồng chí Thủ trưởng thực hiện" in plain(
        await an.say("/chamdiem nop xacnhan"))
    assert "Đã nộp bảng tự chấm điểm" in plain(await head.say("/chamdiem nop xacnhan"))


async def test_outside_the_window_scores_are_refused_and_the_sheet_still_shows(
        scoring: Runtime, clock: FixedClock) -> None:
    an = await registered(scoring, "1", unit="SHTT")
    clock.set(datetime(2026, 12, 10, 10, 1, tzinfo=UTC))  # 17:01 in Hà Nội

    late = plain(await an.say("/chamdiem 1.2 10"))

    assert "Đã hết hạn tự chấm điểm (17:00 Thứ Năm, 10/12/2026)" in late
    assert "Bảng tự chấm điểm" in plain(await an.say("/chamdiem"))
    clock.set(datetime(2026, 11, 19, 2, 0, tzinfo=UTC))
    assert "Chưa đến thời gian tự chấm điểm: bắt đầu từ" in plain(await an.say("/chamdiem 1.2 10"))


async def test_without_a_table_the_command_says_so_and_the_liaison_may_not_score(
        runtime: Runtime) -> None:
    an = await registered(runtime, "1", unit="SHTT")
    assert "chưa có bảng tiêu chí chấm điểm năm 2026" in plain(await an.say("/chamdiem"))
    liaison = await registered(runtime, "8", Role.LIAISON, None)
    assert "chỉ dành cho người có vai trò phù hợp" in plain(await liaison.say("/chamdiem"))


async def test_english_speakers_get_the_same_rules_in_english(scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")
    await an.say("/ngonngu en")

    assert "its maximum is 10" in plain(await an.say("/score 1.2 12"))
    assert "Recorded: 1.2, 8.5/10 points." in plain(await an.say("/score 1.2 8.5 4 of 5"))


async def test_the_ranking_is_provisional_from_submitted_sheets_and_units_see_their_own(
        scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")
    binh = await registered(scoring, "2", unit="CNCL", name="Trần Thị Bình")
    await _score_everything(an)  # 27
    await an.say("/chamdiem nop xacnhan")
    await _score_everything(binh)
    await binh.say("/chamdiem T2 2")  # 29
    await binh.say("/chamdiem nop xacnhan")
    chair = await registered(scoring, "9", Role.CHAIR, unit="UDCN")

    text = plain(await chair.say("/xephang"))

    assert "Xếp hạng thi đua năm 2026 (tạm tính): 2/3 đơn vị đã nộp bảng điểm." in text
    assert "1. VP CNCL: 29/30 điểm" in text and "2. Viện KHSHTT: 27/30 điểm" in text
    assert "Chưa nộp (1): Viện ƯDCN." in text
    own = plain(await an.say("/ranking"))
    assert "2. Viện KHSHTT: 27/30" in own and "VP CNCL" not in own  # others' are not shown


async def test_after_a_sheet_is_submitted_a_reload_keeps_the_table_it_was_scored_against(
        scoring: Runtime, small_bloc_file: Path) -> None:
    an = await registered(scoring, "1", unit="SHTT")
    await _score_everything(an)
    await an.say("/chamdiem nop xacnhan")

    await reload_with(scoring, small_bloc_file, SMALL_BLOC + CRITERIA.replace(
        "{code: \"1.2\", title: Hưởng ứng phong trào của Bộ, max: 10}",
        "{code: \"1.2\", title: Hưởng ứng phong trào của Bộ, max: 5}").replace("total: 30",
                                                                               "total: 25"))

    sheet = plain(await an.say("/chamdiem"))
    assert "1.2. Hưởng ứng phong trào của Bộ: 10/10" in sheet and "27/30" in sheet


async def test_a_file_may_follow_later_but_the_sheet_waits_for_it(scoring: Runtime) -> None:
    an = await registered(scoring, "1", unit="SHTT")
    await an.say("/chamdiem 1.1 10")

    later = plain(await an.say("Gửi tệp sau"))

    assert "Đã ghi: mục 1.1, 10/10 điểm." in later and "cần tệp minh chứng trước khi nộp" in later
    await an.say("/chamdiem 1.2 10")
    await an.say("/chamdiem 2.1 10")
    assert "mục 1.1: chưa có tệp minh chứng" in plain(await an.say("/chamdiem nop"))
    assert "giải trình cần nêu rõ lý do".lower() in plain(
        await an.say("/chamdiem 2.1 9 -")).lower()
    assert "Đã ghi: mục 1.1, 0/10" in plain(await an.say("/chamdiem 1.1 0 Chưa ban hành"))


async def test_a_question_whose_line_left_the_table_can_still_be_left(
        scoring: Runtime, small_bloc_file: Path) -> None:
    an = await registered(scoring, "1", unit="SHTT")
    await an.say("/chamdiem 1.2")
    await reload_with(scoring, small_bloc_file, SMALL_BLOC + CRITERIA.replace('"1.2"', '"1.9"'))

    answer = plain(await an.say("8"))

    assert "không còn mục “1.2”" in answer and "lỗi" not in answer
    await an.say("/huy")
    assert "Bảng tự chấm điểm" in plain(await an.say("/chamdiem"))


async def test_two_people_of_a_unit_claiming_bonus_at_once_cannot_pass_the_cap(
        scoring: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    an = await registered(scoring, "1", unit="SHTT")
    head = await registered(scoring, "2", Role.HEAD, unit="SHTT", name="Phạm Thủ Trưởng")
    write = scoring.repo.set_self_score

    async def slow_write(*args: Any, **kwargs: Any) -> bool:
        await asyncio.sleep(0.05)  # between the cap's check and the write, the other one runs
        return await write(*args, **kwargs)

    monkeypatch.setattr(scoring.repo, "set_self_score", slow_write)

    first, second = await asyncio.gather(an.say("/chamdiem T1 2 Sáng kiến số hóa"),
                                         head.say("/chamdiem T2 2"))

    said = [plain(first), plain(second)]
    assert sum("Đã ghi" in text for text in said) == 1  # the bonus cap is 3: one of the two
    assert sum("tổng điểm thưởng tối đa là 3" in text for text in said) == 1
    sheet = plain(await an.say("/chamdiem"))
    assert "điểm thưởng 2, điểm trừ 0" in sheet
