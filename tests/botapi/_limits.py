"""Opt-in Telegram flood limits for the fake server, and per-chat inboxes for benchmarks.

Off by default: existing tests see no limits. ``FakeBotApi(limits=TelegramLimits())`` makes
the server count every message the bot sends and answer 429 with ``retry_after`` beyond
Telegram's published limits — 30 messages per second overall, one per second per chat,
20 per minute per group — in sliding windows, which is stricter than a token bucket:
a client that bursts 30 and then sends 30 more within the same second is caught.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass, field

from ._models import JSON, ApiError, BotMessage

# Methods that post a message (edits, answers and chat actions are not counted).
COUNTED = frozenset({
    "sendmessage", "sendphoto", "senddocument", "sendvideo", "sendaudio", "sendvoice",
    "sendanimation", "sendsticker", "sendmediagroup", "sendlocation", "sendcontact",
    "sendpoll", "senddice", "sendvenue", "sendvideonote", "copymessage", "forwardmessage",
})


@dataclass(frozen=True)
class TelegramLimits:
    """The limits to enforce; a zero switches one off."""

    overall_per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20


@dataclass
class LimitCounter:
    """Sliding windows of accepted sends, and every 429 the server answered."""

    limits: TelegramLimits
    overall: deque[float] = field(default_factory=deque)
    chats: dict[int, deque[float]] = field(default_factory=dict)
    refused: list[tuple[float, str, int, float]] = field(default_factory=list)  # at, why, chat, ra

    def check(self, method: str, params: JSON) -> None:
        """Record a send, or raise a 429 ``ApiError`` if it is over a limit."""
        if method.lower() not in COUNTED:
            return
        now = time.monotonic()
        try:
            chat = int(params.get("chat_id") or 0)
        except (TypeError, ValueError):
            chat = 0
        wait, why = self._over(now, chat)
        if wait is not None:
            retry_after = max(1, math.ceil(wait))
            self.refused.append((now, why, chat, retry_after))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}",
                           {"retry_after": retry_after})
        self.overall.append(now)
        self.chats.setdefault(chat, deque()).append(now)

    def _over(self, now: float, chat: int) -> tuple[float | None, str]:
        limits = self.limits
        while self.overall and self.overall[0] <= now - 1.0:
            self.overall.popleft()
        if limits.overall_per_second and len(self.overall) >= limits.overall_per_second:
            return self.overall[0] + 1.0 - now, "overall"
        sent = self.chats.get(chat)
        if sent is None:
            return None, ""
        window, cap = ((60.0, limits.per_group_per_minute) if chat < 0
                       else (1.0, limits.per_chat_per_second))
        while sent and sent[0] <= now - window:
            sent.popleft()
        if chat < 0 and limits.per_chat_per_second and sent and sent[-1] > now - 1.0:
            return sent[-1] + 1.0 - now, "chat"  # groups too: one per second
        if cap and len(sent) >= cap:
            return sent[0] + window - now, "group" if chat < 0 else "chat"
        return None, ""

    def max_in_window(self, times: list[float], seconds: float = 1.0) -> int:
        """The most sends seen in any window of ``seconds`` (for reports)."""
        best, start = 0, 0
        ordered = sorted(times)
        for end, at in enumerate(ordered):
            while ordered[start] <= at - seconds:
                start += 1
            best = max(best, end - start + 1)
        return best


class Inboxes:
    """Per-chat queues of what the bot sends, with the moment each reached the server.

    Benchmarks wait on one chat's queue instead of re-scanning every message sent, which
    keeps a thousand simulated people cheap to watch.
    """

    def __init__(self) -> None:
        self._queues: dict[int, asyncio.Queue[tuple[float, BotMessage]]] = {}

    def watch(self, chat_id: int) -> asyncio.Queue[tuple[float, BotMessage]]:
        """The queue of ``(monotonic time, message)`` for a chat, from now on."""
        return self._queues.setdefault(chat_id, asyncio.Queue())

    def put(self, message: BotMessage) -> None:
        queue = self._queues.get(message.chat_id)
        if queue is not None:
            queue.put_nowait((time.monotonic(), message))
