"""The Zalo channel's own rules, without a server: what people type and what they read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from pydantic import ValidationError

from bot.channels.zalo_api import ZaloApiError, ZaloClient, parse_update
from bot.channels.zalo_text import registration_text, strip_mention
from bot.domain.events import Option, OutFile
from bot.domain.i18n import catalog
from bot.domain.presenting import numbered_menu
from bot.domain.text import split_message
from bot.services import invites
from bot.services.downloads import DownloadStore
from config.settings import Settings
from storage.records import OutgoingMessage, ShownMenu

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
MESSAGE = {"from": {"id": "u1", "display_name": "Lan", "is_bot": False},
           "chat": {"id": "u1", "chat_type": "PRIVATE"}, "message_id": "m1",
           "date": 1764000000000, "text": "/capnhat"}


@pytest.mark.parametrize(("typed", "meant"), [
    ("dangky abcDEF_123-xyz0123456", "/start abcDEF_123-xyz0123456"),
    ("Đăng ký abcDEF_123-xyz0123456", "/start abcDEF_123-xyz0123456"),
    ("  DANGKY   tok3n-tok3n-tok3n  ", "/start tok3n-tok3n-tok3n"),
    ("/dangky tok3n-tok3n-tok3n", "/start tok3n-tok3n-tok3n"),
    ("dangky", "dangky"),  # no token: left for the core to answer
    ("dangkyabc", "dangkyabc"),
    ("Đăng ký thi đua năm nay thế nào?", "Đăng ký thi đua năm nay thế nào?"),
    ("dangky sai-ma", "/start sai-ma"),  # refused by the core as an invalid invite
])
def test_registration_words_become_start(typed: str, meant: str) -> None:
    assert registration_text(typed) == meant


def test_a_group_mention_of_the_bot_is_dropped_but_other_mentions_stay() -> None:
    assert strip_mention("@Thi đua bot /tinhhinh", "Thi đua bot") == "/tinhhinh"
    assert strip_mention("@thi dua bot   /nhiemvu", "Thi đua bot") == "/nhiemvu"
    assert strip_mention("@Lan xem giúp", "Thi đua bot") == "@Lan xem giúp"
    # the bot sees only group messages that mention it: a command after mentions is for it
    assert strip_mention("@Lan @Thi đua xem /tinhhinh", None) == "/tinhhinh"
    assert strip_mention("/tinhhinh", None) == "/tinhhinh"
    # getMe may give only "bot.VDKyGxQvc" while the mention shows the bot's display name
    assert strip_mention("@Bot Thi Đua /tinhhinh", "bot.VDKyGxQvc") == "/tinhhinh"
    assert strip_mention("@Bot Thi Đua /capnhat 1 80% Đã họp", None) == "/capnhat 1 80% Đã họp"


def test_numbered_menu_lists_options_in_order_with_exit_only_in_conversations() -> None:
    options = (Option("Hoàn thành", "done"), Option("Gặp khó khăn", "blocked"))
    menu = numbered_menu(options, header="Trả lời bằng số:", exit_label="Thoát")
    assert menu.splitlines() == ["Trả lời bằng số:", "1. Hoàn thành", "2. Gặp khó khăn",
                                 "0. Thoát"]
    assert "0." not in numbered_menu(options, header="H", exit_label=None)
    tasks = (Option("1. Tổ chức Hội nghị", "1"), Option("3. Biểu dương", "3"))
    assert numbered_menu(tasks, header="H", exit_label=None).splitlines()[1:] == [
        "1. Tổ chức Hội nghị", "2. 3. Biểu dương"]


def test_updates_parse_bare_and_wrapped_and_keep_unknown_fields_out() -> None:
    bare = {"event_name": "message.text.received", "message": MESSAGE}
    wrapped = {"ok": True, "result": bare}
    for body in (bare, wrapped):
        update = parse_update(body)
        assert update is not None and update.message is not None
        assert update.message.sender.display_name == "Lan"
        assert update.key == "message.text.received:m1"
    image = parse_update({"event_name": "message.image.received", "message": {
        **MESSAGE, "text": None, "photo_url": "https://f.zdn.vn/a.jpg", "caption": "Biên bản",
        "new_field": {"x": 1}}})
    assert image is not None and image.message is not None
    assert image.message.image_url == "https://f.zdn.vn/a.jpg"
    assert parse_update({"hello": "world"}) is None


def test_an_image_is_found_in_photo_url_or_in_the_legacy_photo_field() -> None:
    def url(**fields: object) -> str | None:
        update = parse_update({"event_name": "message.image.received",
                               "message": {**MESSAGE, "text": None, **fields}})
        assert update is not None and update.message is not None
        return update.message.image_url

    assert url(photo_url="https://f.zdn.vn/new.jpg", photo="https://f.zdn.vn/old.jpg") == (
        "https://f.zdn.vn/new.jpg")
    assert url(photo="https://f.zdn.vn/old.jpg") == "https://f.zdn.vn/old.jpg"
    assert url(photo={"url": "https://f.zdn.vn/obj.jpg", "width": 800}) == (
        "https://f.zdn.vn/obj.jpg")
    assert url(photo={"width": 800}) is None


def test_an_update_without_its_event_name_is_known_by_its_fields() -> None:
    def kind(**fields: object) -> str:
        update = parse_update({"message": {**MESSAGE, "text": None, **fields}})
        assert update is not None
        return update.event_name

    assert kind(text="/tinhhinh") == "message.text.received"
    assert kind(photo_url="https://f.zdn.vn/a.jpg", caption="x") == "message.image.received"
    assert kind(sticker="abc") == "message.sticker.received"
    assert kind(voice={"url": "https://v.zdn.vn/a.aac"}) == "message.voice.received"
    assert kind() == "message.unsupported.received"
    assert parse_update({"ok": True, "result": {"message": {**MESSAGE}}}) is not None
    assert parse_update([1, 2]) is None


async def test_a_gateway_error_in_words_is_still_an_api_error_worth_retrying() -> None:
    from aiohttp import web

    async def bad_gateway(request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": "BAD_GATEWAY"}, status=502)

    app = web.Application()
    app.router.add_post("/botT/getUpdates", bad_gateway)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    client = ZaloClient("T", base_url=f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(ZaloApiError) as failure:
            await client.get_update(1)
        assert failure.value.code == 502 and failure.value.retryable
    finally:
        await client.aclose()
        await runner.cleanup()


def test_api_errors_say_whether_trying_again_helps() -> None:
    assert ZaloApiError("sendMessage", 429, "Too many requests").retryable
    assert ZaloApiError("sendMessage", 502, "Bad gateway").retryable
    assert ZaloApiError("sendMessage", 0, "network error").retryable
    # Zalo's error table gives 403 as an internal server error: tried again, not "blocked"
    assert ZaloApiError("sendMessage", 403, "Internal server error").retryable
    for code in (400, 401, 404):
        assert not ZaloApiError("sendMessage", code, "").retryable
    assert ZaloApiError("getMe", 401, "Unauthorized").unauthorized


def test_plain_text_splits_at_2000_without_taking_angle_brackets_for_tags() -> None:
    line = "Biểu dương điển hình <tiên tiến> & nhân tố mới " * 10
    text = "\n".join(f"{n}. {line}" for n in range(12))
    pieces = split_message(text, 2000, markup=False)
    assert len(pieces) > 1 and all(len(piece) <= 2000 for piece in pieces)
    assert not any("</" in piece for piece in pieces)  # nothing "closed" in plain text
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_download_links_are_signed_expire_and_name_the_file(tmp_path) -> None:
    store = DownloadStore(tmp_path / "files", b"k" * 32, "https://bot.example.vn/hook")
    offered = store.offer(OutFile("Tổng hợp 2026-H2.xlsx", b"PK\x03\x04data",
                                  "application/zip"), NOW)
    assert offered.url.startswith("https://bot.example.vn/hook/files/")
    name = unquote(offered.url.split("/files/")[1].split("?")[0])
    query = dict(part.split("=") for part in offered.url.split("?")[1].split("&"))
    path = store.find(name, query["exp"], query["sig"], NOW)
    assert path is not None and path.read_bytes() == b"PK\x03\x04data"
    assert store.original_name(name).endswith(".xlsx")
    assert store.find(name, query["exp"], "0" * 64, NOW) is None  # forged
    assert store.find(name, str(int(query["exp"]) + 3600), query["sig"], NOW) is None  # extended
    assert store.find("../../etc/passwd", query["exp"], query["sig"], NOW) is None
    assert store.find(name, query["exp"], query["sig"], NOW + timedelta(hours=25)) is None
    other_key = DownloadStore(tmp_path / "files", b"j" * 32, "https://bot.example.vn/hook")
    assert other_key.find(name, query["exp"], query["sig"], NOW) is None


def test_webhook_settings_are_checked_and_named(monkeypatch) -> None:
    monkeypatch.setenv("THIDUA_WEBHOOK_URL", "https://bot.example.gov.vn/thidua/")
    monkeypatch.setenv("THIDUA_WEBHOOK_LISTEN", "0.0.0.0:8443")
    monkeypatch.setenv("THIDUA_WEBHOOK_SECRET", "s3cret-Value_123")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "zalo:token-123456")
    settings = Settings()
    assert settings.webhook_url == "https://bot.example.gov.vn/thidua"
    assert settings.listen_address() == ("0.0.0.0", 8443)
    assert settings.zalo_token_value() == "zalo:token-123456"
    assert "s3cret-Value_123" in settings.secrets()
    assert "zalo:token-123456" not in repr(settings)
    for name, bad in (("THIDUA_WEBHOOK_URL", "ftp://x"), ("THIDUA_WEBHOOK_LISTEN", "8080"),
                      ("THIDUA_WEBHOOK_SECRET", "short"), ("THIDUA_WEBHOOK_SECRET", "có dấu!!!")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(ValidationError):
            Settings()
        monkeypatch.setenv(name, {"THIDUA_WEBHOOK_URL": "https://x.vn",
                                  "THIDUA_WEBHOOK_LISTEN": "127.0.0.1:80",
                                  "THIDUA_WEBHOOK_SECRET": "s3cret-Value_123"}[name])


def test_an_invite_says_how_to_register_on_each_messenger_the_bot_runs_on() -> None:
    messages = catalog()

    def t(key: str, /, **params: object) -> str:
        return messages.text("vi", key, **params)

    both = invites.how_to_register({"telegram": "thidua_bot", "zalo": "Thi đua"}, "TOK", t)
    assert "https://t.me/thidua_bot?start=TOK" in both and "dangky TOK" in both
    assert "t.me" not in invites.how_to_register({"zalo": "Thi đua"}, "TOK", t)
    assert "/start TOK" in invites.how_to_register({}, "TOK", t)


async def test_outbox_keys_are_unique_per_channel_and_menus_are_kept(runtime) -> None:
    repo = runtime.repo
    messages = [OutgoingMessage(dedup_key="remind:x:1", channel=channel, chat_id="42",
                                kind="reminder", payload={"text": "Nhắc"}, due_at=NOW)
                for channel in ("telegram", "zalo", "zalo")]
    assert await repo.enqueue(messages, NOW) == 2
    assert await repo.outbox_has("zalo", "remind:x:1")
    assert not await repo.outbox_has("console", "remind:x:1")
    menu = ShownMenu("zalo", "42", 7, (("Hoàn thành", "done"), ("Gặp khó khăn", "blocked")))
    await repo.save_menu(menu, NOW)
    assert await repo.load_menu("zalo", "42") == menu
    assert await repo.load_menu("telegram", "42") is None
    await repo.clear_menu("zalo", "42")
    assert await repo.load_menu("zalo", "42") is None
    assert await repo.ping()


def test_the_link_signing_key_is_made_once_readable_by_the_bot_only(tmp_path) -> None:
    from bot.app.serve import signing_key

    folder = tmp_path / "thidua.db.files"
    first = signing_key(folder)
    assert signing_key(folder) == first and len(first) == 32  # links outlive a restart
    assert (folder / ".signing-key").stat().st_mode & 0o777 == 0o600
    assert signing_key(tmp_path / "other") != first


def test_a_mistyped_secret_is_named_but_never_echoed(monkeypatch) -> None:
    from bot.app.cli import setting_problems

    monkeypatch.setenv("THIDUA_WEBHOOK_SECRET", "my-real-secret!!")
    with pytest.raises(ValidationError) as failure:
        Settings()
    (line,) = setting_problems(failure.value)
    assert "THIDUA_WEBHOOK_SECRET" in line and "my-real-secret" not in line


def test_a_secret_made_after_logging_started_is_redacted_too(capsys) -> None:
    import logging

    from bot.app.logs import configure_logging, protect

    root = logging.getLogger()
    kept = root.handlers[:], root.level
    try:
        configure_logging("INFO", ["bot-token-123456789"])
        protect("generated-Secret_abcdefgh")
        logging.getLogger("telegram.Bot").info("setWebhook secret_token=generated-Secret_abcdefgh")
        logged = capsys.readouterr().err
    finally:
        root.handlers[:], _ = kept[0], root.setLevel(kept[1])
    assert "generated-Secret" not in logged and "<redacted>" in logged
