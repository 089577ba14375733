"""Telegram updates read from the Bot API's JSON as the core's events: what people sent, who
they are, and nothing at all (never an error) for a shape the bot cannot read."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.telegram_updates import encode_choice, storable, to_inbound
from bot.domain.events import ChatKind, Choice, Membership

AN = {"id": 101, "is_bot": False, "first_name": "An", "last_name": "Nguyễn Văn"}
PRIVATE = {"id": 101, "type": "private", "first_name": "An"}


def test_a_text_message_names_the_person_and_the_chat() -> None:
    event = to_inbound({"update_id": 7, "message": {
        "message_id": 1, "date": 0, "from": AN, "chat": PRIVATE, "text": "/capnhat 3 80%"}})
    assert event is not None
    assert (event.user_id, event.chat_id, event.chat_kind) == ("101", "101", ChatKind.PRIVATE)
    assert (event.display_name, event.text, event.update_key) == (
        "An Nguyễn Văn", "/capnhat 3 80%", "7")


def test_a_photo_is_its_largest_size_and_its_caption_the_text() -> None:
    event = to_inbound({"update_id": 8, "message": {
        "message_id": 2, "date": 0, "from": AN, "chat": {"id": -5, "type": "supergroup"},
        "caption": "Ảnh hội nghị", "photo": [{"file_id": "small", "file_size": 10},
                                             {"file_id": "large", "file_size": 900}]}})
    assert event is not None and event.file is not None
    assert (event.file.file_id, event.file.size, event.file.kind) == ("large", 900, "photo")
    assert event.text == "Ảnh hội nghị" and event.chat_kind is ChatKind.GROUP


def test_a_document_keeps_its_name_and_type() -> None:
    event = to_inbound({"update_id": 9, "message": {
        "message_id": 3, "date": 0, "from": AN, "chat": PRIVATE,
        "document": {"file_id": "d1", "file_name": "báo cáo.pdf", "mime_type": "application/pdf",
                     "file_size": 2048}}})
    assert event is not None and event.file is not None
    assert (event.file.name, event.file.mime_type, event.file.kind) == (
        "báo cáo.pdf", "application/pdf", "document")


def test_a_button_press_carries_the_choice_and_its_chat() -> None:
    event = to_inbound({"update_id": 10, "callback_query": {
        "id": "q1", "from": AN, "chat_instance": "c", "data": encode_choice(4, "t3"),
        "message": {"message_id": 5, "date": 0, "chat": PRIVATE, "text": "Chọn nhiệm vụ"}}})
    assert event is not None and event.choice == Choice(4, "t3")
    assert event.chat_id == "101"


def test_a_press_on_a_ballot_is_stored_without_the_ballot_it_was_pressed_under() -> None:
    ballot = {"message_id": 5, "date": 0, "chat": PRIVATE, "text": "PHIẾU BẦU KÍN",
              "reply_markup": {"inline_keyboard": [[{
                  "text": "VP CNCL",
                  "callback_data": encode_choice(0, "/binhchon K7", secret=True)}]]}}
    press = {"update_id": 12, "callback_query": {
        "id": "q2", "from": AN, "chat_instance": "c",
        "data": encode_choice(0, "/binhchon K7", secret=True), "message": ballot}}

    kept = storable(press)

    assert kept["callback_query"]["message"] == {"message_id": 5, "date": 0, "chat": PRIVATE}
    event = to_inbound(kept)
    assert event is not None and event.choice == Choice(0, "/binhchon K7")
    assert event.chat_id == "101"
    ordinary = {**press, "callback_query": {**press["callback_query"],
                                            "data": encode_choice(0, "t3")}}
    assert storable(ordinary) is ordinary  # any other press is kept as it came


def test_blocking_the_bot_is_a_membership_change() -> None:
    event = to_inbound({"update_id": 11, "my_chat_member": {
        "chat": PRIVATE, "from": AN, "date": 0,
        "old_chat_member": {"status": "member", "user": AN},
        "new_chat_member": {"status": "kicked", "user": AN}}})
    assert event is not None and event.membership is Membership.BLOCKED


@pytest.mark.parametrize("body", [
    {},
    {"update_id": "12"},  # an id that is not a number
    {"update_id": 13, "message": "xin chào"},
    {"update_id": 14, "message": {"text": "xin chào"}},  # no sender, no chat
    {"update_id": 15, "message": {"from": {"id": "abc"}, "chat": PRIVATE, "text": "x"}},
    {"update_id": 16, "message": {"from": {**AN, "is_bot": True}, "chat": PRIVATE, "text": "x"}},
    {"update_id": 17, "callback_query": {"id": "q", "data": "1:2:x"}},  # pressed by nobody
    {"update_id": 18, "my_chat_member": {"chat": PRIVATE, "from": AN,
                                         "old_chat_member": {"status": "member"},
                                         "new_chat_member": {"status": "administrator"}}},
    {"update_id": 19, "edited_message": {"from": AN, "chat": PRIVATE, "text": "sửa"}},
])
def test_what_the_bot_cannot_read_is_ignored_not_an_error(body: dict[str, Any]) -> None:
    assert to_inbound(body) is None


def test_odd_field_types_inside_a_message_are_left_out() -> None:
    event = to_inbound({"update_id": 20, "message": {
        "from": AN, "chat": PRIVATE, "text": 42, "caption": None, "photo": "none",
        "document": {"file_id": 5}}})
    assert event is not None and event.text is None and event.file is None
