"""Text helpers every channel relies on (``bot/domain/text.py``): escaping user text for
Telegram HTML, matching Vietnamese input with or without diacritics, plain-text
rendering and splitting long messages under Telegram's 4096-character limit.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.text import TELEGRAM_LIMIT, escape, fold, html_to_plain, split_message

ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);")
TAG = re.compile(r"</?(b|i|code|a)(?: [^<>]*)?>")


def words(text: str) -> str:
    """The text's non-whitespace content, in order."""
    return "".join(text.split())


def open_tags(piece: str) -> list[str]:
    """Tags opened in ``piece`` and not closed there (or ``["?"]`` for a stray closer)."""
    stack: list[str] = []
    for match in TAG.finditer(piece):
        if match.group(0).startswith("</"):
            if not stack or stack.pop() != match.group(1):
                return ["?"]
        else:
            stack.append(match.group(1))
    return stack


# -- escape / html_to_plain -------------------------------------------------------------------


def test_escape_makes_markup_in_user_text_inert() -> None:
    assert escape("<b>Viện</b> R&D") == "&lt;b&gt;Viện&lt;/b&gt; R&amp;D"
    assert escape("a < b > c") == "a &lt; b &gt; c"
    assert escape("Khối “Văn phòng – Viện”") == "Khối “Văn phòng – Viện”"


def test_escape_does_not_leave_anything_telegram_would_parse_as_a_tag() -> None:
    escaped = escape('<a href="x">&amp;</a><code>')
    assert "<" not in escaped
    assert ">" not in escaped
    assert html_to_plain(escaped) == '<a href="x">&amp;</a><code>'


def test_html_to_plain_drops_tags_and_decodes_entities() -> None:
    assert html_to_plain("<b>Khối</b> R&amp;D &lt;3") == "Khối R&D <3"
    assert html_to_plain('<a href="https://t.me/x?start=1&amp;a=2">mời</a>') == "mời"
    assert html_to_plain("Hạn: <i>13/7/2023</i>") == "Hạn: 13/7/2023"


@given(st.text())
def test_user_text_survives_escaping_then_plain_rendering(text: str) -> None:
    assert html_to_plain(escape(text)) == text


# -- fold -------------------------------------------------------------------------------------


def test_fold_matches_with_or_without_diacritics_and_case() -> None:
    forms = ["Viện Sở hữu Trí tuệ", "vien so huu tri tue", "VIỆN SỞ HỮU TRÍ TUỆ",
             "  Viện   Sở hữu\tTrí tuệ "]
    assert len({fold(form) for form in forms}) == 1
    assert fold(forms[0]) == "vien so huu tri tue"


def test_fold_handles_d_with_stroke() -> None:
    assert fold("Văn phòng Đăng ký") == "van phong dang ky"
    assert fold("đổi mới") == "doi moi"
    assert fold("ĐỔI MỚI") == fold("đổi mới")


def test_fold_treats_composed_and_decomposed_input_alike() -> None:
    composed = "Ứng dụng công nghệ"
    decomposed = "U\u031b\u0301ng du\u0323ng co\u0302ng nghe\u0323\u0302"
    assert fold(composed) == fold(decomposed) == "ung dung cong nghe"


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


# -- split_message ----------------------------------------------------------------------------


def test_short_text_is_one_message_unchanged() -> None:
    text = "<b>Nhiệm vụ</b>\n1. Báo cáo sơ kết\n\n2. Hội nghị"
    assert split_message(text) == [text]
    exact = "x" * TELEGRAM_LIMIT
    assert split_message(exact) == [exact]


def test_long_text_of_many_lines_splits_at_line_boundaries() -> None:
    lines = [f"{n}. Nhiệm vụ số {n} của <b>Khối thi đua</b> Văn phòng – Viện" for n in range(250)]
    text = "\n".join(lines)
    assert len(text) > 10_000

    pieces = split_message(text)

    assert len(pieces) >= 3
    assert all(len(piece) <= TELEGRAM_LIMIT for piece in pieces)
    assert "\n".join(pieces) == text  # every line kept, whole and in order
    assert all(piece.split("\n")[0] in lines for piece in pieces)


def _long_html_line() -> str:
    words = []
    for n in range(400):
        words += [f"<b>Viện {n}</b>", "R&amp;D", f'<a href="https://t.me/x?a=1&amp;b={n}">mời</a>']
    return " ".join(words)


def test_one_long_line_is_cut_at_spaces_never_inside_a_tag_or_entity() -> None:
    line = _long_html_line()
    assert len(line) > 10_000
    assert "\n" not in line

    pieces = split_message(line)

    assert len(pieces) >= 3
    assert all(len(piece) <= TELEGRAM_LIMIT for piece in pieces)
    # every cut fell on a space (formatting open at a cut is closed and reopened around it)
    assert FORMATTING.sub("", " ".join(pieces)) == FORMATTING.sub("", line)
    for piece in pieces:
        without_tags = TAG.sub("", piece)
        assert "<" not in without_tags and ">" not in without_tags, piece[:80]
        assert "&" not in ENTITY.sub("", without_tags), piece[:80]


def test_a_line_without_spaces_is_still_cut_to_size() -> None:
    line = "x" * 10_000

    pieces = split_message(line)

    assert [len(piece) for piece in pieces] == [4096, 4096, 1808]
    assert "".join(pieces) == line


def test_a_cut_inside_formatted_text_leaves_every_piece_well_formed() -> None:
    sentence = "<b>" + " ".join(["chữ"] * 50) + "</b>"
    line = " ".join([sentence] * 60)

    pieces = split_message(line)

    assert len(pieces) > 1
    assert [open_tags(piece) for piece in pieces] == [[] for _ in pieces]


FORMATTING = re.compile(r"</?(?:b|i|a|code)\b[^>]*>")
TRICKY = st.sampled_from(
    ["<b>", "</b>", '<a href="https://t.me/x?a=1&amp;b=2">', "</a>", "&amp;", "&lt;", "&",
     "<", ">", " ", "  ", "\n", "\n\n", "\t", "\u200f", "\u202e", "\u00a0", "😀", "👨‍👩‍👧",
     "Việt", "nghị", "ưu tiên", "x" * 60]
)
TEXTS = st.lists(st.one_of(TRICKY, st.text(max_size=20)), max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.one_of(st.integers(1, 120), st.just(50), st.just(TELEGRAM_LIMIT)))
def test_every_piece_fits_and_no_content_is_lost(text: str, limit: int) -> None:
    pieces = split_message(text, limit)

    assert bool(pieces) == bool(text.strip()) or len(text) <= limit
    assert all(len(piece) <= limit for piece in pieces)
    joined = "".join(pieces)
    if limit >= 256:  # a cut inside <b>…</b> closes and reopens it: formatting may repeat
        joined, text = FORMATTING.sub("", joined), FORMATTING.sub("", text)
    assert words(joined) == words(text)


@settings(deadline=None)
@given(st.lists(st.text(alphabet=st.characters(exclude_characters="\n"), min_size=1,
                        max_size=40), min_size=1, max_size=60),
       st.integers(40, 200))
def test_lines_that_fit_are_never_broken(lines: list[str], limit: int) -> None:
    lines = [line for line in lines if line.strip()] or ["x"]
    text = "\n".join(lines)

    pieces = split_message(text, limit)

    assert "\n".join(pieces) == text
