"""A reply as the messages each messenger shows (``bot/domain/presenting.py``): what the
channels used to decide for themselves, now in one place with every word translated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.channels.console import TRAITS as CONSOLE
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo_send import TRAITS as ZALO
from bot.domain.events import FileRef, Option, OutFile, Reply
from bot.domain.i18n import catalog
from bot.domain.presenting import Offered, present
from storage.records import Bloc

TELEGRAM = TelegramChannel.traits
OPTIONS = (Option("Hoàn thành", "done"), Option("Gặp khó khăn", "blocked"))


def t(key: str, /, **params: object) -> str:
    return catalog().text("vi", key, **params)


def test_a_question_has_buttons_on_telegram_and_a_numbered_menu_on_zalo() -> None:
    reply = Reply("Tình trạng <b>nhiệm vụ 2</b>?", options=OPTIONS, token=7)
    telegram = present(reply, TELEGRAM, t, channel="telegram")
    assert [(m.text, m.options, m.token) for m in telegram.messages] == [
        ("Tình trạng <b>nhiệm vụ 2</b>?", OPTIONS, 7)]
    assert telegram.menu is None
    zalo = present(reply, ZALO, t, channel="zalo")
    assert [m.text for m in zalo.messages] == [
        "Tình trạng nhiệm vụ 2?\n\nTrả lời bằng số (hoặc gõ tên lựa chọn):\n"
        "1. Hoàn thành\n2. Gặp khó khăn\n0. Thoát"]
    assert zalo.messages[0].options == () and zalo.menu == OPTIONS
    assert present(Reply("Kết quả?", token=8), ZALO, t, channel="zalo").ends_menu


def test_a_ballot_is_buttons_on_telegram_and_commands_to_type_on_zalo_never_a_menu() -> None:
    ballot = (Option("Viện ƯDCN", "/binhchon K7Q4M2"), Option("VP CNCL", "/binhchon P3X9RT"))
    reply = Reply("<b>PHIẾU BẦU KÍN</b>", options=ballot, secret=True)
    telegram = present(reply, TELEGRAM, t, channel="telegram")
    assert [(m.text, m.options, m.secret) for m in telegram.messages] == [
        ("<b>PHIẾU BẦU KÍN</b>", ballot, True)]
    zalo = present(reply, ZALO, t, channel="zalo")
    assert [(m.text, m.options, m.secret) for m in zalo.messages] == [(
        "PHIẾU BẦU KÍN\n\n• Viện ƯDCN: gõ /binhchon K7Q4M2\n• VP CNCL: gõ /binhchon P3X9RT",
        (), True)]
    assert zalo.menu is None and not zalo.ends_menu  # no menu is remembered for typed numbers


def test_a_reminders_own_option_is_a_menu_or_the_command_it_runs() -> None:
    reply = Reply("Xin cập nhật tiến độ.", options=(Option("Cập nhật ngay", "/capnhat"),))
    message, = present(reply, ZALO, t, channel="zalo").messages
    assert message.text.endswith("Trả lời bằng số (hoặc gõ tên lựa chọn):\n1. Cập nhật ngay")
    assert message.alternate == "Xin cập nhật tiến độ.\n• Cập nhật ngay: gõ /capnhat"
    assert message.menu == reply.options


def test_a_long_text_is_cut_at_the_messengers_limit_with_the_buttons_on_the_last() -> None:
    text = "\n".join(f"Dòng {n}: " + "x" * 90 for n in range(100))
    messages = present(Reply(text, options=OPTIONS, token=3), TELEGRAM, t,
                       channel="telegram").messages
    assert len(messages) == 3 and all(len(m.text) <= 4096 for m in messages)
    assert [m.options for m in messages] == [(), (), OPTIONS]
    zalo = present(Reply(text), ZALO, t, channel="zalo").messages
    assert len(zalo) == 5 and all(len(m.text) <= 2000 for m in zalo)


def test_a_file_is_uploaded_with_its_text_as_caption_or_before_a_long_text() -> None:
    report = OutFile("bao-cao.docx", b"PK...", "application/vnd.openxmlformats")
    short, = present(Reply("Dự thảo báo cáo", file=report), TELEGRAM, t,
                     channel="telegram").messages
    assert (short.file, short.text) == (report, "Dự thảo báo cáo")
    first, *rest = present(Reply("x" * 2000, file=report), TELEGRAM, t,
                           channel="telegram").messages
    assert (first.file, first.text) == (report, "") and [len(m.text) for m in rest] == [2000]


def test_zalo_gets_a_download_link_or_is_told_why_there_is_none() -> None:
    report = OutFile("bao-cao.docx", b"x" * 3000, "application/vnd.openxmlformats")
    offered = Offered("https://thidua.example/files/abc?exp=1&sig=2",
                      datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    linked, = present(Reply("Dự thảo báo cáo", file=report), ZALO, t, channel="zalo",
                      offered=offered, zone=ZoneInfo("Asia/Ho_Chi_Minh")).messages
    assert linked.file is None
    assert "Tệp bao-cao.docx (3 KB): tải về tại\nhttps://thidua.example/files/abc" in linked.text
    assert "09:00" in linked.text  # the link's expiry, in the bloc's time
    unavailable, = present(Reply("Dự thảo", file=report), ZALO, t, channel="zalo").messages
    assert "Chưa gửi được tệp bao-cao.docx qua Zalo" in unavailable.text
    picture = OutFile("ban-do.png", b"\x89PNG", "image/png", is_image=True)
    photo, = present(Reply("Bản đồ tiến độ", file=picture), ZALO, t, channel="zalo",
                     offered=offered).messages
    assert (photo.photo_url, photo.text) == (offered.url, "Bản đồ tiến độ")


def test_a_file_a_person_sent_is_resent_shown_by_its_address_or_named() -> None:
    mine = FileRef("telegram", "AgAD-telegram-id", "document", "bien-ban.pdf")
    same, = present(Reply("bien-ban.pdf", attachment=mine), TELEGRAM, t,
                    channel="telegram").messages
    assert (same.resend, same.text) == (mine, "bien-ban.pdf")
    zalo_photo = FileRef("zalo", "https://photo.zalo.example/a.jpg", "photo", None)
    shown, = present(Reply("Ảnh", attachment=zalo_photo), TELEGRAM, t,
                     channel="telegram").messages
    assert shown.photo_url == zalo_photo.file_id and shown.fallback == (
        "Ảnh\n(kèm tệp photo, gửi qua kênh khác nên không xem được ở đây)")
    named, = present(Reply("Biên bản", attachment=mine), ZALO, t, channel="zalo").messages
    assert named.text == "Biên bản\n(kèm tệp bien-ban.pdf, gửi qua kênh khác nên không xem " \
        "được ở đây)" and named.resend is None


def test_the_console_shows_plain_text_and_keeps_its_numbered_options() -> None:
    message, = present(Reply("<b>Chọn</b>", options=OPTIONS, token=2), CONSOLE, t,
                       channel="console").messages
    assert (message.text, message.options) == ("Chọn", OPTIONS)


async def test_a_download_that_cannot_be_stored_is_said_not_lost(tmp_path: Path) -> None:
    """Zalo takes files as links; when the downloads folder cannot take the file (a full
    disk, a folder that is not one), the person is told it is not available."""
    from bot.domain.clock import FixedClock
    from bot.domain.i18n import Texts
    from bot.services.blocs import Blocs
    from bot.services.channels import Channels
    from bot.services.downloads import DownloadStore
    from bot.services.presenter import Presenter

    class Zalo:
        traits = ZALO

    channels = Channels()
    channels.add("zalo", Zalo())  # type: ignore[arg-type]
    clock = FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    bloc = await _small_bloc(tmp_path)
    presenter = Presenter(channels, Texts(catalog()), Blocs(bloc), clock)
    not_a_folder = tmp_path / "files"
    not_a_folder.write_text("a file where the folder should be")
    presenter.downloads = DownloadStore(not_a_folder, b"k" * 32, "https://thidua.example")
    report = OutFile("bao-cao.docx", b"PK", "application/vnd.openxmlformats")
    shown = await presenter.present("zalo", Reply("Dự thảo báo cáo", file=report), "vi")
    assert "Chưa gửi được tệp bao-cao.docx qua Zalo" in shown.messages[0].text


async def _small_bloc(folder: Path) -> Bloc:
    from storage.sqlite import SqliteRepository
    from tests.test_storage import NOW, small_config

    repo = await SqliteRepository.open(folder / "x.db")
    try:
        await repo.sync_bloc(small_config(), NOW)
        bloc = await repo.get_bloc("test-bloc")
        assert bloc is not None
        return bloc
    finally:
        await repo.close()
