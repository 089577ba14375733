"""Text helpers every channel needs: HTML escaping, diacritic folding, splitting."""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["escape", "fold", "html_to_plain", "numbered_lines", "split_message"]

TELEGRAM_LIMIT = 4096


def valid_unicode(text: str) -> str:
    """``text`` with each lone surrogate (which JSON may carry, as ``"\\ud800"``, but UTF-8
    cannot store) replaced by U+FFFD; everything else, emoji included, as it was."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


TITLE_IN_MENU = 48


def shorten(text: str, limit: int = TITLE_IN_MENU) -> str:
    """``text`` cut at a word with an ellipsis, for buttons and lists."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,.;:") + "…"


def escape(text: str) -> str:
    """Escape user-supplied text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def says_something(text: str | None) -> bool:
    """Whether typed text says something (two letters or digits at least): a dash or a dot
    is no justification, reason or name."""
    return sum(char.isalnum() for char in text or "") >= 2


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics and squeeze spaces, for matching input.

    ``"Viện Sở hữu Trí tuệ"`` and ``"vien so huu tri tue"`` fold to the same text.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def numbered_lines(labels: list[str]) -> list[str]:
    """Options as lines answered by number; a label that already starts with its own
    number ("1. Tổ chức …", a task) is not numbered twice."""
    return [label if label.startswith(f"{number}. ") else f"{number}. {label}"
            for number, label in enumerate(labels, start=1)]


_TAG = re.compile(r"<[^>]+>")


def html_to_plain(text: str) -> str:
    """What a channel without formatting shows: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", text))


_TAG_TOKEN = re.compile(r"<(/?)([a-zA-Z]+)[^>]*>")
_TAG_RESERVE = 64  # room to close and reopen formatting around a cut


def _open_tags(text: str) -> list[tuple[str, str]]:
    """The (name, opening tag) pairs still open at the end of ``text``."""
    stack: list[tuple[str, str]] = []
    for match in _TAG_TOKEN.finditer(text):
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            stack.append((name, match.group(0)))
        elif stack and stack[-1][0] == name:
            stack.pop()
    return stack


def _hard_split(line: str, limit: int, markup: bool = True) -> list[str]:
    """Cut one over-long line at spaces, never inside an HTML tag or entity.

    Formatting open at a cut is closed at the end of the piece and reopened at
    the start of the next, so every piece is well-formed HTML on its own.
    Plain text (``markup=False``) is cut at spaces only.
    """
    pieces: list[str] = []
    # formatting is kept balanced for real message sizes; tiny limits cut plainly
    balance = markup and limit >= 4 * _TAG_RESERVE and "<" in line
    budget = limit - _TAG_RESERVE if balance else limit
    while len(line) > limit:
        cut = line.rfind(" ", 0, budget)
        if cut <= 0:
            cut = budget
        for opener, closer in (("<", ">"), ("&", ";")) if markup else ():
            start = line.rfind(opener, 0, cut)
            if start > 0 and line.find(closer, start) >= cut:
                cut = start
        piece, line = line[:cut].rstrip(), line[cut:].lstrip(" ")
        still_open = _open_tags(piece) if balance else []
        closing = "".join(f"</{name}>" for name, _ in reversed(still_open))
        reopening = "".join(tag for _, tag in still_open)
        if len(closing) + len(reopening) <= _TAG_RESERVE:
            piece, line = piece + closing, reopening + line
        pieces.append(piece)
    pieces.append(line)
    return pieces


def split_message(text: str, limit: int = TELEGRAM_LIMIT, *, markup: bool = True) -> list[str]:
    """Split ``text`` into messages of at most ``limit`` characters, at line boundaries.

    Lines are kept whole when they fit; a single line longer than the limit is
    cut at a space. The pieces joined with newlines give back the text's words.
    ``markup=False`` is for plain text, where ``<`` and ``&`` are just characters.
    """
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for raw_line in text.split("\n"):
        for line in (_hard_split(raw_line, limit, markup) if len(raw_line) > limit
                     else [raw_line]):
            candidate = f"{current}\n{line}" if current else line
            if len(candidate) <= limit:
                current = candidate
                continue
            if current.strip():
                chunks.append(current)
            current = line
    if current.strip():
        chunks.append(current)
    return chunks
