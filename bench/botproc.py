"""``thidua run`` with PTB's overall flood cap lifted, for the like-for-like comparison.

The shipped bot lets python-telegram-bot's ``AIORateLimiter`` hold every request with a
chat to Telegram's 30 messages per second, as it must on the real Telegram. The echo bot
has no limiter, and the fake server enforces none in benchmark 1; comparing the two at
hundreds of conversations would measure Telegram's limit, not the bot. This launcher runs
the same ``thidua run`` with the limiter's overall and group caps switched off (its
retry-after handling stays), and the token's budget (bot/services/send_lanes.py) with them.
"""

from __future__ import annotations

import sys

from telegram.ext import AIORateLimiter

import bot.channels.telegram as telegram_channel
import bot.services.send_lanes as send_lanes
from bot.app.cli import main


class _Uncapped(telegram_channel._Counted):
    """The channel's limiter with PTB's overall and group caps off (retry-after kept)."""

    def __init__(self, lane: send_lanes.SendLane | None) -> None:
        AIORateLimiter.__init__(self, overall_max_rate=0, group_max_rate=0, max_retries=0)
        self._lane = lane


if __name__ == "__main__":
    send_lanes.LIMIT = 10**9  # the token's budget: no cap on what is posted either
    telegram_channel._Counted = _Uncapped  # type: ignore[misc]
    sys.exit(main(sys.argv[1:]))
