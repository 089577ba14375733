"""Local fake Telegram Bot API server for end-to-end tests (see ``server.FakeBotApi``)."""

from __future__ import annotations

from ._limits import TelegramLimits
from ._models import ApiError, BotMessage, Call, FakeChat, FakeUser, StoredFile, Upload
from .server import FakeBotApi, coerce_param

__all__ = [
    "ApiError",
    "BotMessage",
    "Call",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "StoredFile",
    "TelegramLimits",
    "Upload",
    "coerce_param",
]
