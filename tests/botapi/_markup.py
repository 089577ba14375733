"""Formatting checks like Telegram's: parse_mode text to plain text, reply_markup validation.

Real Telegram rejects badly formatted text with ``Bad Request: can't parse entities: ...`` and
bad keyboards with e.g. ``BUTTON_DATA_INVALID``. The fake does the common checks so such bugs
show up in end-to-end tests instead of in production.
"""

from __future__ import annotations

import html
import re
from typing import Any

from ._models import JSON, bad_request

HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")
MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")


class MarkupError(ValueError):
    """Text that Telegram would refuse to parse; the message is Telegram's detail text."""


def _offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _html_to_plain(text: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while (lt := text.find("<", pos)) >= 0:
        out.append(html.unescape(text[pos:lt]))
        match = _TAG.match(text, lt)
        name = match.group(2).lower() if match else ""
        if match is None or name not in HTML_TAGS:
            raise MarkupError(f'Unsupported start tag "{name}" at byte offset {_offset(text, lt)}')
        if match.group(1):
            if not stack or stack[-1] != name:
                expected = f'expected "</{stack[-1]}>", ' if stack else ""
                raise MarkupError(
                    f"Unmatched end tag at byte offset {_offset(text, lt)}, "
                    f'{expected}found "</{name}>"'
                )
            stack.pop()
        else:
            if name == "span" and "tg-spoiler" not in (match.group(3) or ""):
                raise MarkupError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {_offset(text, lt)}'
                )
            stack.append(name)
        pos = match.end()
    if stack:
        raise MarkupError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    out.append(html.unescape(text[pos:]))
    return "".join(out)


def _skip_link_target(text: str, i: int) -> int:
    """``text[i]`` is the ``]`` closing a link text; return the index after ``(url)``."""
    if not text.startswith("(", i + 1):
        raise MarkupError("Character ']' is reserved and must be escaped with the preceding '\\'")
    end = text.find(")", i + 2)
    if end < 0:
        raise MarkupError(f"Can't find end of a url at byte offset {_offset(text, i + 1)}")
    return end + 1


def _mdv2_to_plain(text: str) -> str:
    out: list[str] = []
    open_at: dict[str, int] = {}
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
            continue
        fence = "```" if text.startswith("```", i) else "`" if c == "`" else ""
        if fence:
            end = text.find(fence, i + len(fence))
            if end < 0:
                raise MarkupError(
                    f"Can't find end of {'Pre' if len(fence) == 3 else ''}Code "
                    f"entity at byte offset {_offset(text, i)}"
                )
            body = text[i + len(fence) : end]
            if len(fence) == 3 and "\n" in body:
                body = body.split("\n", 1)[1]
            out.append(re.sub(r"\\([`\\])", r"\1", body))
            i = end + len(fence)
            continue
        marker = next((m for m in ("__", "||", "_", "*", "~") if text.startswith(m, i)), "")
        if marker:
            if marker in open_at:
                del open_at[marker]
            else:
                open_at[marker] = i
            i += len(marker)
        elif c == "[":
            open_at["["] = i
            i += 1
        elif c == "]" and "[" in open_at:
            del open_at["["]
            i = _skip_link_target(text, i)
        elif c == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1
        elif c in MDV2_RESERVED:
            raise MarkupError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            out.append(c)
            i += 1
    if open_at:
        marker, start = min(open_at.items(), key=lambda item: item[1])
        raise MarkupError(
            f"Can't find end of the entity starting at byte offset {_offset(text, start)}"
        )
    return "".join(out)


def _markdown_to_plain(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
        elif c in "_*`[":
            closer = {"[": "]"}.get(c, c)
            end = text.find(closer, i + 1)
            if end < 0:
                raise MarkupError(
                    f"Can't find end of the entity starting at byte offset {_offset(text, i)}"
                )
            out.append(text[i + 1 : end])
            i = _skip_link_target(text, end) if c == "[" else end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def to_plain(text: str, parse_mode: str | None) -> str:
    """The user-visible text for ``text`` sent with ``parse_mode``; 400 on unparsable markup."""
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return _html_to_plain(text)
        if mode == "markdownv2":
            return _mdv2_to_plain(text)
        if mode == "markdown":
            return _markdown_to_plain(text)
    except MarkupError as err:
        raise bad_request(f"can't parse entities: {err}") from err
    if mode:
        raise bad_request(f"unsupported parse_mode: {parse_mode}")
    return text


def check_reply_markup(markup: Any) -> JSON | None:
    """Validate a decoded reply_markup the way Telegram does for the common mistakes."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are "
                    "unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).strip():
                raise bad_request("BUTTON_URL_INVALID")
    return markup
