"""Text helpers every channel needs: HTML escaping, diacritic folding, splitting."""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["escape", "fold", "html_to_plain", "split_message"]

TELEGRAM_LIMIT = 4096


def escape(text: str) -> str:
    """Escape user-supplied text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics and squeeze spaces, for matching input.

    ``"Viện Sở hữu Trí tuệ"`` and ``"vien so huu tri tue"`` fold to the same text.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


_TAG = re.compile(r"<[^>]+>")


def html_to_plain(text: str) -> str:
    """What a channel without formatting shows: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", text))


def _hard_split(line: str, limit: int) -> list[str]:
    """Cut one over-long line at spaces, never inside an HTML tag or entity."""
    pieces: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        # step back out of a tag or entity the cut would break
        for opener, closer in (("<", ">"), ("&", ";")):
            start = line.rfind(opener, 0, cut)
            if start != -1 and line.find(closer, start) >= cut and start > 0:
                cut = start
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split ``text`` into messages of at most ``limit`` characters, at line boundaries.

    Lines are kept whole when they fit; a single line longer than the limit is
    cut at a space. The pieces joined with newlines give back the text's words.
    """
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for raw_line in text.split("\n"):
        for line in _hard_split(raw_line, limit) if len(raw_line) > limit else [raw_line]:
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
