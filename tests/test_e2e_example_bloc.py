"""End to end over HTTP with the shipped example bloc: 13 real units, period 2023-H2, 6 tasks.

Contacts of four units report through the bot (one-liners, a guided blocked update, two
versions of one unit × task), a fifth registers and stays silent like eight other units; then
the chair, the deputy, the liaison and a contact read the status views, questions and /bando.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.botapi import BotMessage, FakeBotApi, FakeUser
from tests.conftest import EXAMPLE_BLOC
from tests.e2e import make_invite, running_bot, telegram_settings

FIRST_NOTE = "Đã ban hành kế hoạch thi đua năm 2023"
LONG_NOTE = ("Đã ban hành kế hoạch thi đua năm 2023, tổ chức hai buổi tọa đàm về sở hữu trí tuệ "
             "với doanh nghiệp và gửi năm hồ sơ đề nghị khen thưởng lên Hội đồng Thi đua – "
             "Khen thưởng Bộ; còn chờ ý kiến thẩm định")
ATOM_NOTE = "Hoàn thành toàn bộ chỉ tiêu kế hoạch năm về ứng dụng bức xạ"
ACADEMY_NOTE = "Đã tuyển sinh 40 học viên cao học, đang hoàn thiện đề án mở ngành"
HELP = "Thiếu kinh phí tổ chức lễ biểu dương điển hình tiên tiến"
BOA_NOTE = "Đã lập danh sách đề cử 3 tập thể, 5 cá nhân"
NOT_SHTT = (ATOM_NOTE, ACADEMY_NOTE, HELP, BOA_NOTE)  # what an SHTT contact must never see


@dataclass
class People:
    chair: FakeUser
    deputy: FakeUser
    liaison: FakeUser
    an: FakeUser  # the SHTT contact, who reported twice on task 1

    def observer(self, role: Role) -> FakeUser:
        return {Role.CHAIR: self.chair, Role.DEPUTY: self.deputy,
                Role.LIAISON: self.liaison}[role]


@pytest.fixture
def example(settings: Settings, api: FakeBotApi, clock: FixedClock) -> Settings:
    """The shipped example bloc, served over the local Bot API server, on 20/11/2023 09:00
    in Hà Nội: its half-year as it happened, its (illustrative) report deadline ahead."""
    clock.set(datetime(2023, 11, 20, 2, 0, tzinfo=UTC))
    return telegram_settings(settings.model_copy(update={"bloc_file": EXAMPLE_BLOC}), api)


def text_of(message: BotMessage) -> str:
    return message.plain_text or ""


async def ask(api: FakeBotApi, user: FakeUser, text: str) -> BotMessage:
    api.send_text(user, text)
    return await api.wait_for_message(user.id)


async def tap(api: FakeBotApi, user: FakeUser, message: BotMessage, label: str) -> BotMessage:
    api.press(user, message, message.find_button(label))
    return await api.wait_for_message(user.id)


async def join(api: FakeBotApi, settings: Settings, clock: FixedClock, user: FakeUser,
               role: Role, unit: str | None) -> None:
    await ask(api, user, f"/start {await make_invite(settings, role, unit, clock=clock)}")


async def send(api: FakeBotApi, user: FakeUser, summary: BotMessage) -> None:
    """Press "Gửi" and wait for the receipt and the offer to update the next task."""
    assert summary.button_texts == ["Gửi", "Sửa", "Hủy"], summary.describe()
    api.press(user, summary, summary.find_button("Gửi"))
    done = await api.wait_for_message(user.id, lambda m: "Đã ghi nhận" in text_of(m))
    assert "Đã ghi nhận báo cáo số" in text_of(done)
    await api.wait_for_message(user.id, lambda m: "tiếp tục báo cáo" in text_of(m))


async def one_liner(api: FakeBotApi, user: FakeUser, line: str) -> None:
    await send(api, user, await ask(api, user, f"/capnhat {line}"))


async def guided_blocked(api: FakeBotApi, user: FakeUser) -> None:
    tasks = await ask(api, user, "/capnhat")
    statuses = await tap(api, user, tasks, "2. Biểu dương")
    assert "nêu khó khăn, vướng mắc" in text_of(await tap(api, user, statuses, "Gặp khó khăn"))
    assert "phần trăm" in text_of(await ask(api, user, HELP))
    await ask(api, user, "20%")
    files = await ask(api, user, BOA_NOTE)
    summary = await tap(api, user, files, "Xong")
    assert f"Khó khăn, vướng mắc; đề xuất, kiến nghị: {HELP}" in text_of(summary)
    await send(api, user, summary)


async def seed(api: FakeBotApi, settings: Settings, clock: FixedClock) -> People:
    """Register eight people and build the updates through the bot itself.

    Reported (4/13): SHTT task 1 (40% at 09:00, then 70% with a long note at 11:00), NLNT
    task 3 done, HVKHCN task 3 at 50%, CNCL task 2 blocked at 20%. DGKH has a registered
    contact (Giang) but stays silent; the eight other units have no contact at all.
    """
    people = People(api.user(1, "Nhân", "Trần"), api.user(2, "Hà", "Phạm"),
                    api.user(3, "Đức", "Lương"), api.user(11, "An", "Nguyễn"))
    binh, cuong, dung = api.user(12, "Bình", "Lê"), api.user(13, "Cường"), api.user(14, "Dung")
    for user, role, unit in (
        (people.chair, Role.CHAIR, None), (people.deputy, Role.DEPUTY, None),
        (people.liaison, Role.LIAISON, None), (people.an, Role.CONTACT, "SHTT"),
        (binh, Role.CONTACT, "NLNT"), (cuong, Role.CONTACT, "CNCL"),
        (dung, Role.CONTACT, "HVKHCN"), (api.user(15, "Giang", "Vũ"), Role.CONTACT, "DGKH"),
    ):
        await join(api, settings, clock, user, role, unit)
    await asyncio.gather(
        one_liner(api, people.an, f"1 40% {FIRST_NOTE}"),
        one_liner(api, binh, f"3 100% {ATOM_NOTE}"),
        one_liner(api, dung, f"3 50% {ACADEMY_NOTE}"),
        guided_blocked(api, cuong),
    )
    clock.advance(timedelta(hours=2))
    await one_liner(api, people.an, f"1 70% {LONG_NOTE}")
    return people


@pytest.mark.parametrize("role", [Role.CHAIR, Role.DEPUTY, Role.LIAISON])
async def test_observers_see_the_bloc_then_one_unit_its_detail_and_history(
    api: FakeBotApi, example: Settings, clock: FixedClock, role: Role,
) -> None:
    async with running_bot(example, clock):
        reader = (await seed(api, example, clock)).observer(role)
        overview = await ask(api, reader, "/tinhhinh")
        text = text_of(overview)
        assert "Tình hình thực hiện 6 tháng cuối năm 2023" in text
        # the four units that reported did so on some of their tasks, none on all
        assert "Đã báo cáo đủ: 0/13 đơn vị · báo cáo chưa đủ: 4 · chưa báo cáo: 9." in text
        assert "Hạn báo cáo: Thứ Ba, 05/12/2023 — còn 15 ngày" in text
        assert (text.index("Đang gặp khó khăn") < text.index("Theo nhiệm vụ")
                < text.index("Chưa báo cáo đủ (13 đơn vị)"))
        assert f"• VP Công nhận Chất lượng — nhiệm vụ 2: {HELP}" in text
        assert "NV1: ✅ 0 · 🔄 1 · ⚠️ 0 · ⏸ 0 · chưa báo cáo 12 — TB 70% (1 đơn vị)" in text
        assert "NV2: ✅ 0 · 🔄 0 · ⚠️ 1 · ⏸ 0 · chưa báo cáo 12 — TB 20% (1 đơn vị)" in text
        assert "NV3: ✅ 1 · 🔄 1 · ⚠️ 0 · ⏸ 0 · chưa báo cáo 11 — TB 75% (2 đơn vị)" in text
        assert "NV6: ✅ 0 · 🔄 0 · ⚠️ 0 · ⏸ 0 · chưa báo cáo 13" in text
        assert "• Viện ĐGKH&ĐGCN — chưa báo cáo nhiệm vụ nào — đầu mối: Giang Vũ" in text
        assert "Viện ĐGKH&amp;ĐGCN" in (overview.text or "")  # escaped in the HTML sent
        assert ("• VP Ủy ban Vũ trụ — chưa báo cáo nhiệm vụ nào — đầu mối: chưa có đầu mối "
                "đăng ký") in text
        owing = text[text.index("Chưa báo cáo đủ (13 đơn vị)"):]
        # the four units that reported are listed with what they lack, not as silent
        for name in ("Viện KHSHTT", "Viện NLNTVN", "Học viện KHCN&ĐMST", "VP Công nhận"):
            line = next(line for line in owing.splitlines() if line.startswith(f"• {name}"))
            assert "— đã báo cáo " in line and "còn thiếu NV" in line, line

        units = await tap(api, reader, overview, "Xem một đơn vị")
        # the 13 units, then "Back" and "Close"
        assert len(units.button_texts) == 15 and "Viện KHSHTT" in units.button_texts
        assert units.button_texts[-2:] == ["Quay lại", "Đóng"]
        unit = await tap(api, reader, units, "Viện KHSHTT")
        shown = text_of(unit)
        assert shown.startswith("Viện Khoa học sở hữu trí tuệ")
        assert "1. Tiếp tục triển khai" in shown and "— Đang thực hiện 70%" in shown
        assert "(An Nguyễn, 11:00 20/11/2023; 0 tệp)" in shown
        assert LONG_NOTE not in shown and LONG_NOTE[:60] in shown  # a preview only
        assert shown.count("— chưa báo cáo") == 5
        detail = await tap(api, reader, unit, "Xem thêm NV1")
        assert f"Kết quả: {LONG_NOTE}" in text_of(detail)
        assert "Tình trạng: Đang thực hiện 70%" in text_of(detail)
        assert "Phiên bản 2, do An Nguyễn gửi lúc 11:00 20/11/2023." in text_of(detail)
        history = text_of(await tap(api, reader, detail, "Lịch sử (2 phiên bản)"))
        assert "Lịch sử báo cáo: Viện KHSHTT — nhiệm vụ 1" in history
        assert (f"1. 09:00 20/11/2023, An Nguyễn: Đang thực hiện 40% — {FIRST_NOTE}"
                in history)
        assert "2. 11:00 20/11/2023, An Nguyễn: Đang thực hiện 70% — Đã ban hành" in history


async def test_the_liaison_reads_but_may_not_report_invite_or_post(
    api: FakeBotApi, example: Settings, clock: FixedClock,
) -> None:
    liaison = api.user(3, "Đức", "Lương")
    async with running_bot(example, clock):
        await join(api, example, clock, liaison, Role.LIAISON, None)
        for command in ("/capnhat", "/capnhat 1 50% Thay đơn vị", "/moi", "/dangnhiemvu"):
            refused = text_of(await ask(api, liaison, command))
            assert "chỉ dành cho" in refused, (command, refused)
        assert "Đã báo cáo đủ: 0/13 đơn vị" in text_of(await ask(api, liaison, "/tinhhinh"))
        asked = text_of(await ask(api, liaison, "đơn vị nào chưa báo cáo?"))
        assert asked.startswith("13/13 đơn vị chưa báo cáo đủ các nhiệm vụ kỳ này:")
        api.send_text(liaison, "/bando")
        photo = await api.wait_for_message(liaison.id, timeout=15)
        assert photo.photo is not None and "0/13 đơn vị" in text_of(photo)


async def test_the_deputy_asks_in_plain_words(
    api: FakeBotApi, example: Settings, clock: FixedClock,
) -> None:
    async with running_bot(example, clock):
        deputy = (await seed(api, example, clock)).deputy
        silent = text_of(await ask(api, deputy, "đơn vị nào chưa báo cáo?"))
        assert silent.startswith("13/13 đơn vị chưa báo cáo đủ các nhiệm vụ kỳ này:")
        assert "• Viện ĐGKH&ĐGCN — chưa báo cáo nhiệm vụ nào — đầu mối: Giang Vũ" in silent
        assert "• Viện KHSHTT — đã báo cáo 1/6 nhiệm vụ, còn thiếu NV" in silent
        assert "Hạn báo cáo: Thứ Ba, 05/12/2023 — còn 15 ngày" in silent

        vipri = text_of(await ask(api, deputy, "vien so huu tri tue lam den dau roi"))
        assert vipri.startswith("Viện Khoa học sở hữu trí tuệ")
        assert "Đang thực hiện 70%" in vipri

        atom = text_of(await ask(api, deputy, "VINATOM?"))
        assert atom.startswith("Viện Năng lượng nguyên tử Việt Nam")
        assert "— Hoàn thành" in atom and ATOM_NOTE in atom

        task = text_of(await ask(api, deputy, "tiến độ nhiệm vụ 3"))
        assert task.startswith("Nhiệm vụ 3: Mỗi đơn vị phấn đấu")
        assert "• Viện NLNTVN — Hoàn thành" in task
        assert "• Học viện KHCN&ĐMST — Đang thực hiện 50%" in task
        assert task.count("— chưa báo cáo") == 11

        blocked = text_of(await ask(api, deputy, "nhiệm vụ nào đang gặp khó khăn"))
        assert blocked.startswith("⚠️ Đang gặp khó khăn")
        assert blocked.splitlines()[1:] == [f"• VP Công nhận Chất lượng — nhiệm vụ 2: {HELP}"]


async def test_a_contact_sees_only_their_own_unit(
    api: FakeBotApi, example: Settings, clock: FixedClock,
) -> None:
    async with running_bot(example, clock):
        an = (await seed(api, example, clock)).an
        own = await ask(api, an, "/tinhhinh")
        assert text_of(own).startswith("Viện Khoa học sở hữu trí tuệ")
        assert "/13" not in text_of(own) and "Quay lại" not in own.button_texts
        detail = await tap(api, an, own, "Xem thêm NV1")
        assert LONG_NOTE in text_of(detail)
        history = await tap(api, an, detail, "Lịch sử")
        assert FIRST_NOTE in text_of(history)
        for probe in ("VINATOM?", "tiến độ nhiệm vụ 3", "nhiệm vụ nào đang gặp khó khăn"):
            assert "Bot chưa hiểu nội dung tin nhắn" in text_of(await ask(api, an, probe)), probe
        assert "chỉ dành cho" in text_of(await ask(api, an, "/bando"))
        again = await ask(api, an, "/tinhhinh")
        assert text_of(again).startswith("Viện Khoa học sở hữu trí tuệ")
        await api.wait_until_consumed()
    received = [" ".join([text_of(m), *(t or "" for t in m.edited_texts), *m.button_texts])
                for m in api.messages_to(an.id)]  # every text, edit and button they were shown
    assert not [text for text in received for note in NOT_SHTT if note in text]
    assert not [text for text in received if "Năng lượng nguyên tử" in text or "/13" in text]


async def test_the_heat_map_of_the_example_bloc(
    api: FakeBotApi, example: Settings, clock: FixedClock,
) -> None:
    async with running_bot(example, clock):
        chair = (await seed(api, example, clock)).chair
        api.send_text(chair, "/bando")
        photo = await api.wait_for_message(chair.id, timeout=15)
    assert photo.photo is not None and photo.photo.content is not None
    png = photo.photo.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert 600 < width < 6000 and 400 < height < 6000  # 13 unit rows × 6 task columns
    assert text_of(photo) == (
        "Bản đồ tiến độ 6 tháng cuối năm 2023: 0/13 đơn vị đã báo cáo đủ.")
