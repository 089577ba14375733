"""Understand the status questions a chair, deputy or liaison types to the bot in private chat.

Rule-based and offline: the text is folded (lower case, no diacritics), cut into words and
read against the keyword tables below, in Vietnamese with or without diacritics or in English.
A named unit (``bot/domain/unit_names.py``) wins over everything else (the bot answers with
that unit's view), then a task number, then the status keywords. Pure: no I/O, no channel
types, same answer every time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from bot.domain.unit_names import ORG_WORDS, UnitRef, best_unit, words

__all__ = ["Intent", "Question", "parse_question"]


class Intent(StrEnum):
    """Which status view a question asks for."""

    NOT_REPORTED = "not_reported"
    REPORTED = "reported"  # which / how many units have reported
    DEADLINE = "deadline"  # when the report is due
    ATTENDANCE = "attendance"  # who comes to the conference, who has not answered
    CONFERENCE = "conference"  # when and where the next conference is
    OVERVIEW = "overview"
    TASK = "task"
    UNIT = "unit"
    BLOCKED = "blocked"
    LATE = "late"  # units late with the period's report
    OVERDUE = "overdue"  # tasks past their own deadline ("nhiệm vụ nào quá hạn?")
    COVENANT = "covenant"  # who has signed the year's covenant ("đơn vị nào chưa ký giao ước?")
    SCORING = "scoring"  # who has submitted the self-scoring sheet ("…chưa chấm điểm?")
    RANKING = "ranking"  # the year's ranking ("xếp hạng hiện nay thế nào?")
    UNIT_SCORE = "unit_score"  # one unit's points ("viện … được bao nhiêu điểm?")
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Question:
    """A parsed question: the intent and what it names."""

    intent: Intent
    task_number: int | None = None  # TASK, or UNIT: 1-based position in the period's task list
    unit_code: str | None = None  # UNIT: a UnitRef.code
    suggestions: tuple[Intent, ...] = ()  # UNKNOWN: closest intents, best first, at most 3


# -- tables (folded forms) -------------------------------------------------------------------

# The emulation year's questions, read before the half-year's: their words are their own
# ("chấm" read as "grade" before folding, see PREFOLD_SENSES). With a unit named, the answer
# is that unit's (has it signed, has it submitted, its points and place).
YEAR_PHRASES: dict[Intent, tuple[str, ...]] = {
    Intent.COVENANT: ("giao uoc", "covenant"),
    Intent.SCORING: ("grade diem", "tu grade", "bang diem", "bang tu grade", "self score",
                     "self scores", "self scoring", "scoring sheet", "scoring sheets"),
    Intent.RANKING: ("xep hang", "thu hang", "dan dau khoi", "ranking", "ranked",
                     "leading unit"),
}
# a named unit's points ("viện năng lượng nguyên tử được bao nhiêu điểm?"); without a unit
# these words ask nothing of the year ("hội nghị có bao nhiêu điểm cầu?")
SCORE_PHRASES = ("bao nhieu diem", "may diem", "duoc diem", "tong diem", "diem so",
                 "diem thi dua", "how many points", "points", "score", "scored")
NOT_SCORE_PHRASES = ("diem cau", "diem moi", "diem nong", "dia diem")

MAX_CHARS = 2000  # a question is short; a pasted report is read only this far
MAX_WORDS = 60

INTENT_PHRASES: dict[Intent, tuple[str, ...]] = {
    Intent.NOT_REPORTED: ("im lang", "chua co tin", "missing", "silent"),
    Intent.BLOCKED: ("kho khan", "gap kho", "vuong", "vuong mac", "ach tac", "be tac", "bi tac",
                     "tac nghen", "tro ngai", "van de", "kien nghi", "can ho tro", "blocked",
                     "blocker", "blockers", "stuck", "problem", "problems", "issue", "issues",
                     "difficulty", "difficulties", "trouble", "obstacle"),
    Intent.LATE: ("tre", "tre han", "qua han", "het han", "lo han", "muon", "cham", "late",
                  "overdue", "behind", "delay", "delayed", "past due"),
    Intent.TASK: ("nhiem vu", "nhiemvu", "nv", "task", "tasks", "phuong huong"),
    # "đã báo cáo" without a negation (a negation makes it NOT_REPORTED, which wins ties)
    Intent.REPORTED: ("da bao cao", "bao cao roi", "da bc", "da nop", "nop roi", "da gui",
                      "gui roi", "da cap nhat", "cap nhat roi", "have reported",
                      "has reported", "already reported", "reported so far", "have submitted",
                      "has submitted", "so far"),
    Intent.DEADLINE: ("han bao cao", "han nop", "han gui", "han chot", "thoi han", "deadline",
                      "due", "due date", "han cuoi"),
    Intent.ATTENDANCE: ("tham du", "du hoi nghi", "du hop", "co mat", "xac nhan", "attend",
                        "attends", "attending", "attendance", "rsvp", "coming"),
    # "sơ kết"/"tổng kết" alone name the period's report ("báo cáo sơ kết đến đâu rồi")
    Intent.CONFERENCE: ("hoi nghi", "hop so ket", "hop tong ket", "cuoc hop", "hop khoi",
                        "conference", "meeting", "review meeting"),
    Intent.OVERVIEW: ("tinh hinh", "tong hop", "tong quan", "tien do", "thong ke", "the nao",
                      "ra sao", "den dau", "sao roi", "toan khoi", "ca khoi", "status",
                      "overview", "summary", "progress", "situation", "overall", "dashboard"),
}
# NOT_REPORTED is mostly a rule: a negation shortly before a reporting verb ("chưa báo cáo",
# "hasn't reported"), or "chưa"/"yet" as the question particle after it ("đã nộp chưa").
REPORT_VERBS = ("bao cao", "bc", "cap nhat", "nop", "gui", "tra loi", "report", "reported",
                "reports", "reporting", "update", "updated", "submit", "submitted", "replied")
NEGATIONS = frozenset({"chua", "khong", "ko", "not", "hasnt", "havent", "didnt", "dont", "no"})
TRAILING_NEGATIONS = frozenset({"chua", "yet"})
NEGATION_REACH = 3  # words between the negation and the verb

# A deadline named right after a word of lateness is lateness: "quá thời hạn", "trễ deadline"
# (right before it: folded, "qua" is also "via", as in "gửi qua email trước thời hạn"), and in
# English "past their due date".
PAST_WORDS = {"qua": 0, "tre": 0, "lo": 0, "past": 2, "missed": 2, "beyond": 2}  # word: reach
# Asked when ("khi nào hết hạn nộp báo cáo?"), lateness words describe the deadline.
WHEN_PHRASES = ("khi nao", "bao gio", "ngay nao", "luc nao", "hom nao", "when", "what date",
                "which day")
# "how many … reported" without a negation counts the units that have ("đã có bao nhiêu đơn
# vị gửi báo cáo"); one word's weight, so "how many units are late…" stays late.
COUNT_PHRASES = ("bao nhieu", "may don vi", "may dv", "how many", "so luong", "number of")
# Answering an invitation: beside attendance words, "chưa trả lời" asks about attendance.
ANSWER_VERBS = ("tra loi", "xac nhan", "phan hoi", "replied", "responded", "confirmed",
                "answered")

# beat TASK and OVERVIEW words; ties are broken in this order
SPECIFIC = (Intent.NOT_REPORTED, Intent.ATTENDANCE, Intent.BLOCKED, Intent.LATE, Intent.DEADLINE,
            Intent.REPORTED)
# a conference is named after the task words ("tiến độ nhiệm vụ tổ chức hội nghị tổng kết"
# asks about a task), before the overview's
ORDER = (*SPECIFIC, Intent.TASK, Intent.CONFERENCE, Intent.OVERVIEW)
FALLBACK = (Intent.OVERVIEW, Intent.NOT_REPORTED)
SUGGESTION_STOP_WORDS = frozenset({"the", "nao", "sao", "roi", "den", "dau", "gap", "can",
                                   "van", "toan", "past", "not", "far", "has", "have", "due"})
# A late question about units, even when it names tasks ("đơn vị nào chậm báo cáo nhiệm vụ?")
UNIT_PHRASES = ("don vi", "unit", "units", "ai", "who")
# Words a long keyword must never be read as by a typo: "nhiều" (in "bao nhiêu", how many)
# is one letter from "nhiemvu" once folded.
NEVER_FUZZY = frozenset({"nhieu"})

TASK_MARKERS = ("nhiem vu", "nhiemvu", "nv", "task", "tasks", "item", "muc", "so", "#",
                "phuong huong")
TASK_CONNECTORS = frozenset({"so", "thu", "number", "no", "#"})
ORDINALS = {"nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6,
            "bay": 7, "tam": 8, "chin": 9, "muoi": 10}  # only after "thứ": "nhiệm vụ thứ ba"

# Folding merges words: muốn (want) / muộn (late), chấm (grade) / chậm (slow). Typed with
# diacritics they are told apart before folding; typed without, by a neighbouring word.
PREFOLD_SENSES = {"muốn": "want", "chấm": "grade"}
HOMOGRAPHS: dict[str, tuple[frozenset[str], str]] = {
    "muon": (frozenset({"toi", "minh", "em", "anh", "chi", "xem", "biet", "hoi", "hieu"}), "want"),
    "cham": (frozenset({"diem", "bai", "thi", "cong"}), "grade"),
}

# KEYWORD_RATIO (rapidfuzz, 0-100, on folded text): keywords of 6+ letters (mostly English:
# "overdeu", "blokced"); shorter ones are Vietnamese syllables, where one letter makes another
# word, so they must be exact.
KEYWORD_RATIO = 80.0

_PREFOLD = re.compile("|".join(PREFOLD_SENSES))


def _split(phrases: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Phrases as tuples of words."""
    return tuple(tuple(phrase.split()) for phrase in phrases)


_INTENT_WORDS = {intent: _split(phrases) for intent, phrases in INTENT_PHRASES.items()}
_VERBS = _split(REPORT_VERBS)
_MARKERS = _split(TASK_MARKERS)
_WHEN = _split(WHEN_PHRASES)
_ANSWERING = _split(ANSWER_VERBS)
_REPORTING = tuple(verb for verb in _VERBS if verb not in _ANSWERING)
_COUNT = _split(COUNT_PHRASES)
_YEAR = {intent: _split(phrases) for intent, phrases in YEAR_PHRASES.items()}
_SCORE = _split(SCORE_PHRASES)
_NOT_SCORE = _split(NOT_SCORE_PHRASES)
_SUGGESTING = {**INTENT_PHRASES, Intent.NOT_REPORTED: (*REPORT_VERBS, "chua", "im lang")}
_VOCABULARY = {  # the content words of each intent's keywords, for suggestions
    intent: frozenset(w for p in phrases for w in p.split() if len(w) >= 3)
    - SUGGESTION_STOP_WORDS - ORG_WORDS for intent, phrases in _SUGGESTING.items()
}


# -- words -----------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """The question's words (``unit_names.words``), each homograph read in its sense."""
    raw = unicodedata.normalize("NFC", text[:MAX_CHARS]).lower()
    raw = _PREFOLD.sub(lambda m: f" {PREFOLD_SENSES[m.group(0)]} ", raw)
    return _disambiguate(words(raw)[:MAX_WORDS])


def _disambiguate(ws: tuple[str, ...]) -> tuple[str, ...]:
    """Rename a folded homograph of a keyword when a neighbouring word shows its other sense."""
    def sense(i: int, word: str) -> str:
        neighbours, other = HOMOGRAPHS.get(word, (frozenset(), word))
        return other if {*ws[max(i - 1, 0):i], *ws[i + 1:i + 2]} & neighbours else word
    return tuple(sense(i, word) for i, word in enumerate(ws))


def _same(keyword: str, word: str) -> bool:
    """A keyword word against a typed word: exact, or one typo in a long keyword (a letter
    swapped, missing or extra)."""
    return keyword == word or (len(keyword) >= 6 and word not in NEVER_FUZZY
                               and abs(len(word) - len(keyword)) <= 1  # "sent" ≠ "silent"
                               and fuzz.ratio(keyword, word) >= KEYWORD_RATIO)


def _find(phrase: tuple[str, ...], ws: tuple[str, ...]) -> list[int]:
    """Every position where ``phrase`` occurs in ``ws``."""
    return [i for i in range(len(ws) - len(phrase) + 1)
            if all(_same(k, w) for k, w in zip(phrase, ws[i:i + len(phrase)], strict=True))]


# -- intents ---------------------------------------------------------------------------------


def _task_number(ws: tuple[str, ...], task_count: int) -> tuple[int | None, bool]:
    """The task number named ("nv3", "nhiệm vụ số 3", "#3") if in range, and whether any is."""
    numbers = [n for i in range(len(ws)) for m in _MARKERS if ws[i:i + len(m)] == m
               and (n := _number_at(ws, i + len(m))) is not None]
    return next((n for n in numbers if 1 <= n <= task_count), None), bool(numbers)


def _number_at(ws: tuple[str, ...], at: int) -> int | None:
    """A number at ``at``, after an optional "số"/"thứ"/"#"; an ordinal word after "thứ"."""
    connector = ws[at] if at < len(ws) and ws[at] in TASK_CONNECTORS else None
    at += connector is not None
    if at >= len(ws):
        return None
    if ws[at].isdecimal() and len(ws[at]) <= 4:
        return int(ws[at])
    return ORDINALS.get(ws[at]) if connector == "thu" else None


def _about_units(ws: tuple[str, ...]) -> bool:
    """Whether the question asks about units (or people), not tasks."""
    return any(_find(tuple(phrase.split()), ws) for phrase in UNIT_PHRASES)


def _not_reported(ws: tuple[str, ...], verbs: Sequence[tuple[str, ...]] = _VERBS) -> int:
    """Score of the negation rule: words of a negation near a reporting verb, or 0."""
    for verb in verbs:
        for i in _find(verb, ws):
            before = ws[max(i - NEGATION_REACH, 0):i]
            after = ws[i + len(verb):i + len(verb) + NEGATION_REACH]
            if NEGATIONS.intersection(before) or TRAILING_NEGATIONS.intersection(after):
                return len(verb) + 1
    return 0


def _any(phrases: Sequence[tuple[str, ...]], ws: tuple[str, ...]) -> bool:
    return any(_find(phrase, ws) for phrase in phrases)


def _past_deadline(ws: tuple[str, ...]) -> int:
    """Words of the longest deadline named just after a word of lateness ("quá thời hạn"),
    plus one, or 0."""
    longest = 0
    for phrase in _INTENT_WORDS[Intent.DEADLINE]:
        for i in _find(phrase, ws):
            before = ws[max(i - 3, 0):i]  # a word k places before may reach PAST_WORDS[word]
            if any(PAST_WORDS.get(word, -1) >= len(before) - 1 - k
                   for k, word in enumerate(before)):
                longest = max(longest, len(phrase) + 1)
    return longest


def _intent_scores(ws: tuple[str, ...]) -> dict[Intent, int]:
    """For each intent, how many words of its keyword phrases the question holds, with the
    rules above: negations, lateness before a deadline, asking when, counting, answering."""
    scores = {intent: sum(len(p) for p in phrases if _find(p, ws))
              for intent, phrases in _INTENT_WORDS.items()}
    if scores[Intent.ATTENDANCE]:  # "chưa trả lời tham dự": not answered the invitation
        scores[Intent.ATTENDANCE] += _not_reported(ws, _ANSWERING)
        scores[Intent.NOT_REPORTED] += _not_reported(ws, _REPORTING)
    else:
        scores[Intent.NOT_REPORTED] += _not_reported(ws)
    scores[Intent.LATE] += _past_deadline(ws)
    if scores[Intent.LATE] and _any(_WHEN, ws) and not _about_units(ws):
        scores[Intent.DEADLINE] += scores[Intent.LATE] + 1  # "khi nào hết hạn?": the deadline
    if _any(_COUNT, ws) and _any(_VERBS, ws) and not scores[Intent.NOT_REPORTED]:
        scores[Intent.REPORTED] += 1
    return scores


def _suggest(ws: tuple[str, ...]) -> tuple[Intent, ...]:
    """The intents sharing most words with an unclear question, best first (at most 3)."""
    present = set(ws)
    overlap = {intent: len(_VOCABULARY[intent] & present) for intent in ORDER}
    ranked = sorted((i for i in ORDER if overlap[i]), key=lambda i: -overlap[i])
    return tuple(ranked[:3]) or FALLBACK


def _year_question(ws: tuple[str, ...], unit: UnitRef | None) -> Question | None:
    """A question about the emulation year: the covenant, the scoring sheets, the ranking
    (of one unit, when it names one), or a named unit's points; ``None`` for any other."""
    code = unit.code if unit is not None else None
    for intent, phrases in _YEAR.items():
        if _any(phrases, ws):
            if intent is Intent.RANKING and code is not None:
                return Question(Intent.UNIT_SCORE, unit_code=code)  # "… xếp thứ mấy?"
            return Question(intent, unit_code=code)
    if code is not None and _any(_SCORE, ws) and not _any(_NOT_SCORE, ws):
        return Question(Intent.UNIT_SCORE, unit_code=code)
    return None


def parse_question(text: str, units: Sequence[UnitRef], task_count: int) -> Question:
    """Read a status question; any text gives a Question, UNKNOWN with suggestions at worst.

    Precedence: the year's words (a named unit's points UNIT_SCORE, COVENANT, SCORING,
    RANKING), a named unit (UNIT, with the task number if one is named too), a valid task
    number (TASK), the specific words — not reported, attendance, blocked, late, deadline,
    reported — (most words wins, ties in that order; late words with task words ask which
    tasks are OVERDUE), task words (TASK without a number),
    conference words (CONFERENCE), overview words (OVERVIEW).
    """
    ws = _words(text)
    number, numbered = _task_number(ws, task_count)
    unit = best_unit(ws, units)
    year = _year_question(ws, unit)
    if year is not None:
        return year
    if unit is not None:
        return Question(Intent.UNIT, task_number=number, unit_code=unit.code)
    if number is not None:
        return Question(Intent.TASK, task_number=number)
    scores = _intent_scores(ws)
    specific = [intent for intent in SPECIFIC if scores[intent]]
    if specific:
        intent = max(specific, key=lambda intent: scores[intent])
        if intent is Intent.LATE and scores[Intent.TASK] and not _about_units(ws):
            return Question(Intent.OVERDUE)  # "nhiệm vụ nào quá hạn?", not "đơn vị nào…"
        return Question(intent)
    if numbered or scores[Intent.TASK]:
        return Question(Intent.TASK)
    if scores[Intent.CONFERENCE]:
        return Question(Intent.CONFERENCE)
    if scores[Intent.OVERVIEW]:
        return Question(Intent.OVERVIEW)
    return Question(Intent.UNKNOWN, suggestions=_suggest(ws))
