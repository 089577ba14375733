"""``thidua run`` with PTB's overall flood cap lifted, for the like-for-like comparison.

The shipped bot lets python-telegram-bot's ``AIORateLimiter`` hold every request with a
chat to Telegram's 30 messages per second, as it must on the real Telegram. The echo bot
has no limiter, and the fake server enforces none in benchmark 1; comparing the two at
hundreds of conversations would measure Telegram's limit, not the bot. This launcher runs
the same ``thidua run`` with the limiter's overall and group caps switched off (its
retry-after handling stays).
"""

from __future__ import annotations

import functools
import sys

from telegram.ext import AIORateLimiter

import bot.channels.telegram as telegram_channel
from bot.app.cli import main

if __name__ == "__main__":
    telegram_channel.AIORateLimiter = functools.partial(  # type: ignore[misc]
        AIORateLimiter, overall_max_rate=0, group_max_rate=0)
    sys.exit(main(sys.argv[1:]))
