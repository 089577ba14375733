"""Self-check: the fake Bot API server works with the real PTB ``Bot`` and ``Application``."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from . import FakeBotApi

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Có ✅", callback_data="yes"),
            InlineKeyboardButton("Không", callback_data="no"),
        ]
    ]
)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


def make_bot(server: FakeBotApi, token: str | None = None) -> Bot:
    return Bot(
        token or server.token,
        base_url=f"{server.base_url}/bot",
        base_file_url=f"{server.base_url}/file/bot",
    )


@pytest.mark.asyncio
async def test_bot_send_edit_and_errors(server: FakeBotApi) -> None:
    alice = server.user(1001, "Alice")
    group = server.group(-100500, "Khối thi đua")
    async with make_bot(server) as bot:
        assert bot.username == "thidua_test_bot"
        assert (await bot.get_me()).username == "thidua_test_bot"

        sent = await bot.send_message(
            alice.id, "<b>Chào</b> bạn", parse_mode="HTML", reply_markup=KEYBOARD
        )
        record = server.sent[-1]
        assert record.message_id == sent.message_id and sent.text == "Chào bạn"
        assert record.text == "<b>Chào</b> bạn" and record.plain_text == "Chào bạn"
        assert record.buttons == [[("Có ✅", "yes"), ("Không", "no")]]
        assert record.find_button("Có") == "yes"
        assert sent.reply_markup == KEYBOARD

        edited = await bot.edit_message_text(
            "Đã xong", chat_id=alice.id, message_id=sent.message_id
        )
        assert isinstance(edited, type(sent)) and edited.text == "Đã xong"
        assert record.edited_texts == ["Đã xong"] and record.reply_markup is None
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("Đã xong", chat_id=alice.id, message_id=sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=alice.id, message_id=999)
        with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
            await bot.send_message(alice.id, "a < b", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(42, "hi")

        doc = await bot.send_document(
            group.id, b"col1,col2\n1,2\n", filename="bao-cao.csv", caption="Báo cáo tuần"
        )
        assert doc.document is not None and doc.document.file_name == "bao-cao.csv"
        stored = server.messages_to(group)[-1].document
        assert stored is not None and stored.content == b"col1,col2\n1,2\n"
        assert stored.mime_type == "text/csv"
        assert await bot.pin_chat_message(group.id, doc.message_id)
        server.set_bot_rights(group.id, can_pin=False)
        with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
            await bot.pin_chat_message(group.id, doc.message_id)
        member = await bot.get_chat_member(group.id, bot.id)
        assert member.status == "member"

        incoming = server.send_document(alice, "ke-hoach.pdf", b"%PDF-1.4 plan")
        tg_file = await bot.get_file(incoming["document"]["file_id"])
        assert bytes(await tg_file.download_as_bytearray()) == b"%PDF-1.4 plan"
        assert (await bot.get_chat(group.id)).title == "Khối thi đua"

        server.remove_method("setMyCommands")
        with pytest.raises(InvalidToken):
            await bot.set_my_commands([("start", "Bắt đầu")])
        server.drop("sendChatAction")
        with pytest.raises(NetworkError):
            await bot.send_chat_action(alice.id, "typing")
    assert [c.response_status for c in server.calls if c.method == "sendChatAction"] == [None]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        " ".join(context.args or []) or "(trống)", reply_markup=KEYBOARD
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"Bạn chọn {query.data}")
    await query.edit_message_text(f"Đã chọn: {query.data}")


@pytest_asyncio.fixture
async def app(server: FakeBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(f"{server.base_url}/bot")
        .base_file_url(f"{server.base_url}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=2))
        .build()
    )
    application.add_handler(CommandHandler("echo", echo))
    application.add_handler(CallbackQueryHandler(on_button))
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    await application.start()
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


@pytest.mark.asyncio
async def test_application_round_trip(server: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
    alice = server.user(1001, "Alice", username="alice")
    server.send_text(alice, "/echo hi")
    reply = await server.wait_for_message(alice)
    assert reply.text == "hi" and reply.button_texts == ["Có ✅", "Không"]

    server.press(alice, reply, reply.find_button("Không"))
    await server.wait_for_call("editMessageText")
    assert server.answered_callbacks[-1]["text"] == "Bạn chọn no"
    assert reply.text == "Đã chọn: no" and reply.reply_markup is None

    server.fail("sendMessage", status=429, retry_after=1)
    server.send_text(alice, "/echo@thidua_test_bot lần hai")
    again = await server.wait_for_message(alice, timeout=5)
    assert again.text == "lần hai"
    statuses = [c.response_status for c in server.calls if c.method == "sendMessage"]
    assert statuses == [200, 429, 200]

    server.send_sticker(alice)
    await server.wait_until_consumed()
    assert server.pending_updates() == 0


@pytest.mark.asyncio
async def test_redelivery_reaches_the_running_bot(server: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
    bob = server.user(1002, "Bob")
    server.send_text(bob, "/echo một")
    await server.wait_for_message(bob)
    await server.wait_until_consumed()
    server.redeliver_last_update()
    duplicate = await server.wait_for_message(bob)
    assert duplicate.text == "một"
    await server.wait_until_consumed()


@pytest.mark.asyncio
async def test_wrong_token_is_invalid_token(server: FakeBotApi) -> None:
    application = (
        ApplicationBuilder().token("123456:WRONG").base_url(f"{server.base_url}/bot").build()
    )
    with pytest.raises(InvalidToken):
        await application.initialize()
    assert server.calls[-1].response_status == 401


@pytest.mark.asyncio
async def test_raw_http_json_long_poll_and_errors(server: FakeBotApi) -> None:
    alice = server.user(1001, "Alice")
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        answer = await client.post(
            f"/bot{server.token}/SENDMESSAGE",
            json={"chat_id": "1001", "text": "[1]", "reply_markup": markup},
        )
        assert answer.status_code == 200 and answer.json()["result"]["text"] == "[1]"
        assert (
            server.sent[-1].buttons == [[("A", "a")]] and server.calls[-1].method == "sendMessage"
        )

        missing = await client.post(f"/bot{server.token}/noSuchMethod")
        assert (missing.status_code, missing.json()) == (
            404,
            {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
        )
        wrong = await client.get("/bot1:WRONG/getMe")
        assert (wrong.status_code, wrong.json()) == (
            401,
            {"ok": False, "error_code": 401, "description": "Unauthorized"},
        )

        started = time.monotonic()
        poll = asyncio.create_task(
            client.post(f"/bot{server.token}/getUpdates", data={"timeout": "5"})
        )
        assert await server.wait_until(lambda: server.active_polls, 2)
        sent = server.send_text(alice, "xin chào")
        updates = (await poll).json()["result"]
        assert time.monotonic() - started < 2
        assert [u["message"]["message_id"] for u in updates] == [sent["message_id"]]
        assert sent["message_id"] == server.sent[-1].message_id + 1
        await client.post(
            f"/bot{server.token}/getUpdates", data={"offset": str(updates[-1]["update_id"] + 1)}
        )
        assert server.pending_updates() == 0

    with pytest.raises(AssertionError, match=re.escape("the chat received:\n  #1 '[1]'")):
        await server.wait_for_message(alice, timeout=0.05)
