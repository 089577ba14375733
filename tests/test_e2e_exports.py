"""End to end over HTTP: exports arrive as documents, by role, without blocking anyone."""

from __future__ import annotations

import io
import time

import pytest
from docx import Document
from openpyxl import load_workbook

import handlers.exports
from bot.domain.clock import FixedClock
from bot.services.exports.data import ExportData
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi
from tests.e2e import make_invite, running_bot


async def test_chair_gets_the_workbook_and_report_and_a_contact_only_their_unit(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock,
) -> None:
    chair, an, liaison = api.user(1, "Nhân"), api.user(2, "An"), api.user(3, "Đức")
    async with running_bot(tg_settings, clock):
        for user, role, unit in ((chair, Role.CHAIR, None), (an, Role.CONTACT, "SHTT"),
                                 (liaison, Role.LIAISON, None)):
            api.send_text(user, f"/start {await make_invite(tg_settings, role, unit, clock=clock)}")
            await api.wait_for_message(user.id)
        api.send_text(an, "/capnhat 1 60% Đã họp với <doanh nghiệp> & đối tác")
        summary = await api.wait_for_message(an.id)
        api.press(an, summary, summary.find_button("Gửi"))
        await api.wait_for_message(an.id)

        api.send_text(chair, "/xuat")
        book = await api.wait_for_message(chair.id, lambda m: m.document is not None, 20)
        assert book.document is not None
        assert book.document.name == "Tong-hop-6-thang-cuoi-nam-2026.xlsx"
        workbook = load_workbook(io.BytesIO(book.document.content))
        cells = [c.value for row in workbook["Báo cáo"].iter_rows() for c in row]
        assert "Đã họp với <doanh nghiệp> & đối tác" in cells

        api.send_text(liaison, "/baocao")
        report = await api.wait_for_message(liaison.id, lambda m: m.document is not None, 30)
        assert report.document is not None
        assert report.document.name == "Bao-cao-6-thang-cuoi-nam-2026.docx"
        text = "\n".join(p.text for p in Document(io.BytesIO(report.document.content)).paragraphs)
        assert "BÁO CÁO" in text and "Đã họp với <doanh nghiệp> & đối tác" in text

        api.send_text(an, "/xuat")
        own = await api.wait_for_message(an.id, lambda m: m.document is not None, 20)
        assert own.document is not None
        sheet = load_workbook(io.BytesIO(own.document.content))["Tổng hợp"]
        names = {c.value for row in sheet.iter_rows() for c in row}
        assert "Viện KHSHTT" in names and "VP CNCL" not in names
        api.send_text(an, "/baocao")
        refused = await api.wait_for_message(an.id)
        assert "chỉ dành cho" in (refused.plain_text or "")


async def test_a_slow_export_does_not_keep_others_waiting(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = handlers.exports.render_docx

    def slow(data: ExportData) -> bytes:  # a very large bloc, in the worker thread
        time.sleep(2)
        return real(data)

    monkeypatch.setattr(handlers.exports, "render_docx", slow)
    chair, an = api.user(11, "Nhân"), api.user(12, "An")
    async with running_bot(tg_settings, clock):
        for user, role, unit in ((chair, Role.CHAIR, None), (an, Role.CONTACT, "SHTT")):
            api.send_text(user, f"/start {await make_invite(tg_settings, role, unit, clock=clock)}")
            await api.wait_for_message(user.id)
        api.send_text(chair, "/baocao")
        await api.wait_until_consumed()
        api.send_text(an, "/tinhhinh")
        status = await api.wait_for_message(an.id, timeout=5)
        assert "Viện Khoa học sở hữu trí tuệ" in (status.plain_text or "")
        assert not [m for m in api.messages_to(chair.id) if m.document is not None]
        await api.wait_for_message(chair.id, lambda m: m.document is not None, 20)


def test_the_period_is_read_from_the_export_arguments() -> None:
    assert handlers.exports._period_words("csv 2023-H2") == "2023-H2"
    assert handlers.exports._period_words("6 tháng cuối năm 2023") == "6 tháng cuối năm 2023"
    assert handlers.exports._period_words("xlsx") is None
    assert handlers.exports._period_words("") is None
