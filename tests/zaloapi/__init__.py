"""Local fake Zalo Bot Platform API server for end-to-end tests (see ``server.FakeZaloApi``)."""

from __future__ import annotations

from ._delivery import SECRET_HEADER
from ._models import ApiError, Call, ChatAction, SentMessage, WebhookDelivery
from ._people import IMAGE, STICKER, TEXT, UNSUPPORTED, ZaloGroup, ZaloUser
from .server import FakeZaloApi

__all__ = [
    "IMAGE",
    "SECRET_HEADER",
    "STICKER",
    "TEXT",
    "UNSUPPORTED",
    "ApiError",
    "Call",
    "ChatAction",
    "FakeZaloApi",
    "SentMessage",
    "WebhookDelivery",
    "ZaloGroup",
    "ZaloUser",
]
