"""Measuring and fitting the heat map's text: widths in inches, lines wrapped or cut with "…".

:func:`bot.services.heatmap.build_figure` sizes the picture from its text before drawing any
of it (how wide the unit names are, how many lines the title takes), so every label is measured
here first, as FreeType lays it out in the bundled :data:`FONT`, which covers Vietnamese; text
is taken in composed form (NFC), since the renderer places decomposed marks badly. matplotlib
is imported when a :class:`Metrics` is made, not with this module, and each figure makes its
own, so measuring keeps no global state and may run in a worker thread.
"""

from __future__ import annotations

import unicodedata

__all__ = ["FONT", "Metrics", "nfc", "shrink", "text_height", "wrap_keeping_tail"]

FONT = "DejaVu Sans"
_MEASURE_PT = 10.0  # the size text is measured at (widths scale with the size)
_MIN_PT = 7.0  # the smallest size :func:`shrink` goes down to


def nfc(text: str) -> str:
    """Composed form: decomposed Vietnamese marks would be placed badly by the renderer."""
    return unicodedata.normalize("NFC", text)


class Metrics:
    """Measures text (one instance per figure, so nothing is shared between threads)."""

    def __init__(self) -> None:
        from matplotlib.font_manager import FontProperties
        from matplotlib.textpath import TextToPath

        self._paths = TextToPath()
        self._props = {bold: FontProperties(family=FONT, size=_MEASURE_PT,
                                            weight="bold" if bold else "normal")
                       for bold in (False, True)}
        self._known: dict[tuple[str, bool], float] = {}

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """Width of one line of ``text`` in inches, with a little slack for hinting.

        Outlines are measured unhinted, so a width scales with the size: each text is
        measured once (FreeType's layout is most of a picture's cost) and scaled.
        """
        known = self._known.get((text, bold))
        if known is None:
            measured = self._paths.get_text_width_height_descent(text, self._props[bold],
                                                                 ismath=False)[0]
            known = self._known[(text, bold)] = measured / _MEASURE_PT
        return known * size / 72 * 1.03

    def fit(
        self, line: str, size: float, room: float, bold: bool = False, cut: bool = False
    ) -> str:
        """``line`` itself if it fits in ``room`` inches (and not ``cut``), else with "…"."""
        if not cut and self.width(line, size, bold) <= room:
            return line
        low, high = 0, len(line)  # the longest prefix that fits with "…", found by halving
        while low < high:
            middle = (low + high + 1) // 2
            if self.width(line[:middle].rstrip() + "…", size, bold) <= room:
                low = middle
            else:
                high = middle - 1
        return line[:low].rstrip() + "…"

    def wrap(self, text: str, size: float, room: float, lines: int, bold: bool = False) -> str:
        """``text`` broken into at most ``lines`` lines of ``room`` inches, "…" if cut."""
        out: list[str] = []
        used = 0.0  # width of the last line so far: words and spaces add up (no kerning
        space = self.width(" ", size, bold)  # across a space), each word measured once
        for word in nfc(text).split():
            wide = self.width(word, size, bold)
            if out and used + space + wide <= room:
                out[-1] += f" {word}"
                used += space + wide
            else:
                out.append(word)
                used = wide
        kept = out[:lines] or [""]
        last = self.fit(kept[-1], size, room, bold, cut=len(out) > lines)
        return "\n".join([self.fit(line, size, room, bold) for line in kept[:-1]] + [last])


def wrap_keeping_tail(m: Metrics, label: str, tail: str, size: float, room: float) -> str:
    """A unit's row label in at most two lines, its ``tail`` ("· 2/6") never broken off nor
    cut: the name is wrapped in the room the tail leaves."""
    label, tail = nfc(label), nfc(tail)
    if not tail or not label.endswith(tail):
        return m.wrap(label, size, room, 2)
    name = label.removesuffix(tail).rstrip()
    tail_w = m.width(" " + tail, size)
    return f"{m.wrap(name, size, max(room - tail_w, room / 2), 2)} {tail}"


def text_height(text: str, size: float) -> float:
    """Height in inches of a block of text (lines separated by newlines)."""
    return size * 1.3 * (text.count("\n") + 1) / 72 if text else 0.0


def shrink(size: float, width: float, room: float) -> float:
    """The font size (at most ``size``, at least 7 pt) at which ``width`` fits ``room``."""
    return max(_MIN_PT, min(size, size * room / width)) if width > 0 else size
