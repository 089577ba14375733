"""Find the unit a person names in free text: by its code, short name, full name or alias.

Tolerant of missing diacritics, case and small typos; organisation words alone ("viện",
"văn phòng", "trung tâm", "đơn vị", "khối") name no unit. Used by every unit picker (typed
names) and by the question parser. Pure: no I/O, same answer every time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Protocol

from rapidfuzz import fuzz, process

from bot.domain.text import fold

__all__ = ["ORG_WORDS", "NamedUnit", "UnitRef", "best_unit", "match_unit", "words"]

MAX_CHARS = 2000  # a name is short; a pasted text is read only this far
MAX_WORDS = 60


@dataclass(frozen=True)
class UnitRef:
    """What the caller tells the parser about one unit of the bloc."""

    code: str
    name: str
    short_name: str
    aliases: tuple[str, ...] = ()

    @classmethod
    def of(cls, unit: NamedUnit) -> UnitRef:
        """The parser's view of a stored unit (or anything with its names)."""
        return cls(unit.code, unit.name, unit.short_name, tuple(unit.aliases))


class NamedUnit(Protocol):
    """Anything that names a unit the way the bloc file does."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def short_name(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


# Unit names: organisation words never name a unit by themselves; filler words are too common
# to tell units apart. The rest of a name ("key" words) must be present for a name to match.
GENERIC_PHRASES = ("van phong", "trung tam", "don vi", "co quan", "vien", "khoi")
ORG_PHRASES = ("hoc vien", *GENERIC_PHRASES)  # stripped to find a name's core
FILLER_WORDS = frozenset({"va", "cac", "cua", "cap", "nha", "nuoc", "viet", "nam", "khoa",
                          "hoc", "cong", "nghe", "kh", "cn", "nghien", "cuu"})

# Thresholds (rapidfuzz scores, 0-100, on folded text):
# - PHRASE_RATIO: a multi-word name against a window of as many words, ±1. 85 lets through a
#   typo in ~12 letters ("vien so huu tri tu": 97) or a dropped word ("… công nhận chất lượng"
#   without "chất": 91), while the closest names of two units ("VP Chương trình trọng điểm" /
#   "… quốc gia": 81) and their shared stem ("văn phòng chương trình": 80, 83) stay below.
# - WORD_RATIO: the one key word allowed to be misspelt, and only in names with 3+ key words:
#   75 takes "tu"/"tuệ" (80) and "luog"/"luong" (89). Short names need their key words exact,
#   since folded syllables one letter apart are other words ("vùng" / "vướng" scores 89).
# - TOKEN_RATIO: one-word codes and aliases of 5+ letters ("vinatome", "vipr"): 80 is one
#   substituted letter in five; shorter codes ("BoA", "SHTT") must be exact.
PHRASE_RATIO = 85.0
WORD_RATIO = 75.0
TOKEN_RATIO = 80.0

_NOT_WORD = re.compile(r"[^a-z0-9#]+")
_APOSTROPHE = re.compile(r"['’`]")
_DIGIT_EDGE = re.compile(r"(?<=[a-z#])(?=[0-9])|(?<=[0-9])(?=[a-z#])")
ORG_WORDS = frozenset(word for phrase in ORG_PHRASES for word in phrase.split())


def words(text: str) -> tuple[str, ...]:
    """Fold ``text`` into words: letters and digits apart ("nv3" → "nv 3"), "#" kept."""
    raw = unicodedata.normalize("NFC", text[:MAX_CHARS]).lower()
    folded = _DIGIT_EDGE.sub(" ", _NOT_WORD.sub(" ", fold(_APOSTROPHE.sub("", raw))))
    return tuple(folded.split()[:MAX_WORDS])


# -- matching -----------------------------------------------------------------------------------


class _Form(NamedTuple):
    """One way of naming a unit: its words, the key words it needs, and its joined text."""

    unit: int  # position in the units given
    words: tuple[str, ...]
    keys: frozenset[str]
    text: str


def _name_words(ws: tuple[str, ...]) -> tuple[str, ...]:
    """Words as names are compared: "y" read as "i" ("đăng ký" / "đăng kí"), "vp" spelt out."""
    spelt = ("van phong" if word == "vp" else word.replace("y", "i") for word in ws)
    return tuple(" ".join(spelt).split())


def _strip(ws: tuple[str, ...], phrases: Sequence[str]) -> tuple[str, ...]:
    """``ws`` without any occurrence of ``phrases`` (organisation words)."""
    text = f" {' '.join(ws)} "
    for phrase in phrases:
        text = text.replace(f" {phrase} ", " ")
    return tuple(text.split())


def _keys(ws: tuple[str, ...]) -> frozenset[str]:
    """The words a name cannot be matched without."""
    core = set(_strip(ws, ORG_PHRASES) or _strip(ws, GENERIC_PHRASES))  # "Học viện" → "học"
    return frozenset(core - FILLER_WORDS or core)


def _nameable(ws: tuple[str, ...]) -> bool:
    """Whether ``ws`` may name a unit: not organisation words alone, nor a short or numeric code."""
    if len(ws) == 1:
        return len(ws[0]) >= 3 and not ws[0].isdecimal() and ws[0] not in ORG_WORDS
    return bool(_strip(ws, GENERIC_PHRASES))


@lru_cache(maxsize=16)
def _forms(units: tuple[tuple[str, str, str, tuple[str, ...]], ...]) -> tuple[_Form, ...]:
    """Every form naming each unit: its names, their cores, and its full name's unique prefixes.

    A core is a name without its organisation words ("Viện KHSHTT" → "khshtt"): a short
    name's always, another name's when three words or more remain ("đăng ký" alone is a verb).
    A prefix ("Viện Ứng dụng") counts from three words with two key words, if no other unit's
    name starts the same way.
    """
    names = [[_name_words(words(name)) for name in (u[0], u[1], u[2], *u[3])] for u in units]
    found: list[_Form] = []
    for index, unit in enumerate(units):
        own = list(names[index])
        short = _strip(_name_words(words(unit[2])), ORG_PHRASES)
        own += [short] if short else []
        own += [c for n in names[index] if len(c := _strip(n, ORG_PHRASES)) >= 3]
        others = [n for i, group in enumerate(names) if i != index for n in group]
        full = _name_words(words(unit[1]))
        for size in range(3, len(full)):
            prefix = full[:size]
            if len(_keys(prefix) - FILLER_WORDS) >= 2 and all(n[:size] != prefix for n in others):
                own.append(prefix)
        found += [_Form(index, ws, _keys(ws), " ".join(ws))
                  for ws in dict.fromkeys(own) if _nameable(ws)]
    return tuple(found)


def _fits(keys: frozenset[str], window: tuple[str, ...]) -> bool:
    """Whether ``window`` can name a form with these key words.

    With three key words or more, one may be misspelt. With fewer, the name is short and
    one changed letter makes another word ("học tiến" is not "học viện"), so the window
    holds nothing but the key words, organisation words and filler words.
    """
    missing = [key for key in keys if key not in window]
    if len(keys) < 3:
        return not missing and set(window) <= keys | ORG_WORDS | FILLER_WORDS
    return not missing or (len(missing) == 1 and max(
        fuzz.ratio(missing[0], word) for word in window) >= WORD_RATIO)


def _score(form: _Form, ws: tuple[str, ...]) -> float:
    """How well ``form`` is named in ``ws``: 0, or a rapidfuzz ratio above its threshold."""
    if len(form.words) == 1:
        if form.text in ws:
            return 100.0
        if len(form.text) < 5:
            return 0.0  # short codes ("BoA", "SHTT") only exactly
        best = process.extractOne(form.text, ws, scorer=fuzz.ratio, score_cutoff=TOKEN_RATIO)
        return best[1] if best else 0.0
    if len(form.keys - set(ws)) > (1 if len(form.keys) >= 3 else 0):
        return 0.0  # quick reject before looking at windows
    n, score = len(form.words), 0.0
    for size in range(max(n - 1, 1), min(n + 1, len(ws)) + 1):
        for start in range(len(ws) - size + 1):
            window = ws[start:start + size]
            if _fits(form.keys, window):
                ratio = fuzz.ratio(form.text, " ".join(window), score_cutoff=PHRASE_RATIO)
                score = max(score, ratio)
    return score


def best_unit(ws: tuple[str, ...], units: Sequence[UnitRef]) -> UnitRef | None:
    """The unit named in the words ``ws``: the one whose best-matching form is the longest
    (most specific) and closest."""
    key = tuple((u.code, u.name, u.short_name, tuple(u.aliases)) for u in units)
    uws = _name_words(ws)
    best, best_value = None, 0.0
    for form in _forms(key):
        value = _score(form, uws) * len(form.text)
        if value > best_value:
            best, best_value = units[form.unit], value
    return best


def match_unit(text: str, units: Sequence[UnitRef]) -> UnitRef | None:
    """The unit best named in free ``text`` (by code, short name, full name or alias), or None.

    Tolerates missing diacritics, case and small typos; organisation words alone ("viện",
    "văn phòng", "trung tâm", "đơn vị", "khối") name no unit.
    """
    return best_unit(words(text), units)
