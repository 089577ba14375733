"""End to end over HTTP: files on Zalo are download links (and photos by link)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import httpx
from openpyxl import load_workbook

from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.zalo_e2e import (
    after,
    ask,
    free_port,
    join,
    running_zalo_bot,
    zalo_settings,
)
from tests.zaloapi import FakeZaloApi

URL = re.compile(r"https?://\S+")


async def test_exports_and_the_heat_map_are_download_links_in_webhook_mode(
    zalo: FakeZaloApi, settings: Settings, clock: FixedClock,
) -> None:
    chair = zalo.user("Nhân")
    hooked = zalo_settings(settings, zalo, webhook=True)
    async with running_zalo_bot(hooked, zalo, clock), httpx.AsyncClient() as http:
        await join(zalo, hooked, clock, chair, Role.CHAIR, "UDCN")
        offer = await ask(zalo, chair, "/xuat", contains="tải về tại", timeout=20)
        assert "Tệp Tong-hop-6-thang-cuoi-nam-2026.xlsx (" in (offer.text or "")
        assert "đường dẫn dùng được đến" in (offer.text or "")
        link = URL.findall(offer.text or "")[0]
        assert link.startswith(f"{hooked.webhook_url}/files/")
        got = await http.get(link)
        assert got.status_code == 200
        assert got.content.startswith(b"PK")
        assert "Tổng hợp" in load_workbook(io.BytesIO(got.content)).sheetnames
        assert "Tong-hop-6-thang-cuoi-nam-2026.xlsx" in got.headers["content-disposition"]
        tampered = re.sub(r"sig=([0-9a-f])", lambda m: "sig=" + "0123456789abcdef"[
            (int(m.group(1), 16) + 1) % 16], link)
        assert (await http.get(tampered)).status_code == 404
        assert (await http.get(link.replace("exp=", "exp=1"))).status_code == 404
        # odd links a scanner sends get 404, never a 500: a superscript digit, an expiry of
        # 5,000 digits, a signature that is not ASCII
        base = link.split("?")[0]
        for query in ("exp=%C2%B2&sig=00", f"exp={'9' * 5000}&sig=00",
                      "exp=1900000000&sig=%C3%A9%C3%A9"):
            assert (await http.get(f"{base}?{query}")).status_code == 404, query

        fresh = after(zalo)
        await chair.say("/bando")
        photo = await zalo.wait_for_message(
            chair, lambda m: fresh(m) and m.kind == "photo", timeout=20)
        assert photo.caption == "Bản đồ tiến độ 6 tháng cuối năm 2026: 0/3 đơn vị đã báo cáo đủ."
        assert photo.photo is not None and photo.photo.startswith(f"{hooked.webhook_url}/files/")
        image = await http.get(photo.photo)
        assert image.status_code == 200
        assert image.content.startswith(b"\x89PNG")

        clock.advance(timedelta(hours=25))  # the links have expired
        assert (await http.get(link)).status_code == 404


async def test_files_need_a_public_address_when_polling(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    chair = zalo.user("Nhân")
    async with running_zalo_bot(zsettings, zalo, clock):
        await join(zalo, zsettings, clock, chair, Role.CHAIR, "UDCN")
        sorry = await ask(zalo, chair, "/xuat", contains="Chưa gửi được tệp", timeout=20)
        assert ("Chưa gửi được tệp Tong-hop-6-thang-cuoi-nam-2026.xlsx qua Zalo: bot đang "
                "chạy không có địa chỉ web công khai") in (sorry.text or "")
        picture = await ask(zalo, chair, "/bando", contains="Chưa gửi được tệp", timeout=20)
        assert "ban-do-tien-do.png" in (picture.text or "")
    assert not [m for m in zalo.messages_to(chair) if m.kind == "photo" or URL.search(
        m.text or "")]


async def test_while_polling_a_public_address_is_enough_for_download_links(
    zalo: FakeZaloApi, zsettings: Settings, clock: FixedClock,
) -> None:
    port = free_port()
    polling = zsettings.model_copy(update={"public_url": f"http://127.0.0.1:{port}/bot",
                                           "webhook_listen": f"127.0.0.1:{port}"})
    chair = zalo.user("Nhân")
    async with running_zalo_bot(polling, zalo, clock), httpx.AsyncClient() as http:
        await join(zalo, polling, clock, chair, Role.CHAIR, "UDCN")
        sent = await ask(zalo, chair, "/xuat", contains="tải về tại", timeout=20)
        link = URL.search(sent.text or "")
        assert link is not None and link.group(0).startswith(f"http://127.0.0.1:{port}/bot/")
        download = await http.get(link.group(0))
        assert download.status_code == 200 and download.content.startswith(b"PK")
        assert zalo.webhook_url in ("", None)  # still polling
