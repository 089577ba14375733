"""What people type on Zalo: registration words, group mentions."""

from __future__ import annotations

import re

from bot.domain.text import fold

REGISTER_WORDS = ("dangky", "dang ky", "/dangky")
_COMMAND_AFTER_MENTION = re.compile(r"\s(/[A-Za-z]\S*(?:\s.*)?)$", re.DOTALL)


def registration_text(text: str) -> str:
    """``dangky <token>`` (as the invite tells a Zalo user to write) means ``/start <token>``.

    Only a single word counts (a mistyped one is then refused as an invalid invite), so a
    question that starts with "Đăng ký …" stays a question.
    """
    stripped = text.strip()
    for word in REGISTER_WORDS:
        head, rest = stripped[:len(word)], stripped[len(word):]
        code = rest.strip()
        if fold(head) == word and rest[:1].isspace() and code and len(code.split()) == 1:
            return f"/start {code}"
    return text


def strip_mention(text: str, bot_name: str | None) -> str:
    """A group message addressed to the bot starts with a mention: drop it.

    The bot only sees group messages that mention it, and the mention shows the
    name people see (which ``getMe`` may not give), so any leading ``@…`` mention
    followed by a command counts; ``@<bot name> text`` without a command loses
    the bot's name.
    """
    stripped = text.lstrip()
    if stripped[:1] != "@":
        return text
    if bot_name and fold(stripped[1:1 + len(bot_name)]) == fold(bot_name):
        return stripped[1 + len(bot_name):].lstrip()
    command = _COMMAND_AFTER_MENTION.search(stripped)
    return command.group(1) if command else text
