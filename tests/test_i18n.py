"""The message catalogs (``bot/domain/i18n.py``, ``bot/locales/*.toml``) and their use by handlers.

Every sentence a user reads lives in the catalogs, in Vietnamese first and English
second; both must offer the same messages with the same placeholders, and each text
must be HTML that Telegram accepts.
"""

from __future__ import annotations

import ast
import logging
import re
import string
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

import handlers
from bot.domain.i18n import DEFAULT_LANGUAGE, LANGUAGES, Catalog, catalog, normalise_language

VI: dict[str, str] = catalog().messages["vi"]
EN: dict[str, str] = catalog().messages["en"]
HANDLER_FILES = sorted(Path(handlers.__file__).parent.glob("*.py"))

# Texts that are rightly the same in both languages: format strings made only of
# placeholders and punctuation, language names, and the bilingual language prompt.
SAME_IN_BOTH = {
    "role.of_unit", "help.line", "tasks.item", "tasks.movement", "calendar.day",
    "scoring.line_scored", "scoring.option_scored", "vote.ballot_line", "vote.rule_line",
    "review.sheet_line", "covenant.title_line", "covenant.target", "covenant.name_is_mine",
    "awards.file_name", "awards.nomination_line", "awards.person", "export.exemplary",
    "exports.scores_name", "exports.year_report_name", "exports.ministry_name",
    "ranking.picture_place", "ranking.picture_group_name", "ranking.picture_band_1",
    "ranking.picture_band_2",
    "calendar.moment", "bloc.problem_line", "console.identity_line",
    "language.ask", "language.name_vi", "language.name_en", "progress.status_percent",
    "status.count_blocked", "status.count_done", "status.count_in_progress",
    "status.count_not_started", "status.history_line", "status.task_unit", "status.unit_task",
    "status.unit_title", "reminders.task_line", "schedule.line", "conferences.agenda_item",
    "questions.unit_item", "matrix.unit", "matrix.tally", "status.task_description",
    "tasks.item_description", "conferences.delegate_who", "conferences.liaison",
    "export.no", "export.no_update", "export.place",
    "exports.workbook_name", "exports.report_name", "reminders.letter_item", "reminders.icon",
    "reminders.icon_firm",
}
# "Xong", "NV1", a file name and a command are right without diacritics
VIETNAMESE_WITHOUT_DIACRITICS = {"progress.files_done", "matrix.task", "matrix.file_name",
                                 "export.task_prefix", "matrix.key", "reminders.update_command",
                                 "reminders.command_score",
                                 "reminders.command_covenant", "covenant.file_name",
                                 "ranking.picture_name", "vote.minutes_name",
                                 "awards.file_name", "exports.scores_name",
                                 "exports.year_report_name", "exports.ministry_name"}

ALLOWED_TAG = re.compile(r'<(b|i|code)>|<a href="[^"<>]*">|</(b|i|code|a)>')
ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);")


def placeholders(template: str) -> set[str]:
    """The names a template fills in (``{name}`` → ``name``)."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def has_diacritics(text: str) -> bool:
    """Whether ``text`` has a letter only Vietnamese spelling would give (ă, ê, ơ, đ, ...)."""
    return any(
        char in "đĐ" or any(unicodedata.combining(part) for part in unicodedata.normalize("NFD",
                                                                                          char))
        for char in text
    )


def prose(template: str) -> str:
    """What a reader sees of a template apart from placeholders and tags."""
    return re.sub(r"\{[^{}]*\}|<[^<>]*>", "", template)


def html_mistakes(text: str) -> list[str]:
    """Why Telegram would refuse ``text`` in HTML parse mode (empty if it would not)."""
    mistakes: list[str] = []
    stack: list[str] = []
    position = 0
    for match in ALLOWED_TAG.finditer(text):
        if "<" in text[position:match.start()] or ">" in text[position:match.start()]:
            mistakes.append("a literal < or > (write &lt; / &gt;)")
        position = match.end()
        closed = match.group(2)
        if closed is None:
            stack.append(match.group(1) or "a")
        elif not stack or stack.pop() != closed:
            mistakes.append(f"unbalanced </{closed}>")
    if "<" in text[position:] or ">" in text[position:]:
        mistakes.append("a literal < or > (write &lt; / &gt;)")
    if stack:
        mistakes.append(f"unclosed <{stack[-1]}>")
    if "&" in ENTITY.sub("", text):
        mistakes.append("a bare & (write &amp;)")
    return mistakes


# -- the two catalogs agree ---------------------------------------------------------------------


def test_both_languages_are_shipped() -> None:
    assert set(catalog().messages) == set(LANGUAGES) == {"vi", "en"}
    assert DEFAULT_LANGUAGE == "vi"


def test_both_catalogs_have_exactly_the_same_keys() -> None:
    assert sorted(set(VI) - set(EN)) == []
    assert sorted(set(EN) - set(VI)) == []


@pytest.mark.parametrize("key", sorted(VI))
def test_each_message_has_the_same_placeholders_in_both_languages(key: str) -> None:
    assert placeholders(VI[key]) == placeholders(EN.get(key, ""))


def test_only_format_strings_and_language_names_are_the_same_in_both_languages() -> None:
    same = {key for key in VI if VI[key] == EN.get(key)}
    assert sorted(same - SAME_IN_BOTH) == []
    assert sorted(SAME_IN_BOTH - set(VI)) == []  # the allow-list names real keys


def test_vietnamese_prose_is_written_with_diacritics() -> None:
    plain = [key for key in VI if key not in SAME_IN_BOTH | VIETNAMESE_WITHOUT_DIACRITICS
             and not has_diacritics(prose(VI[key]))]
    assert plain == []


def test_has_diacritics_helper_tells_vietnamese_from_ascii() -> None:
    assert has_diacritics("Đã hủy")
    assert has_diacritics("đ")
    assert not has_diacritics("Da huy")


# -- every text is Telegram HTML ------------------------------------------------------------------


@pytest.mark.parametrize(("language", "key"), [(lang, key) for lang in ("vi", "en")
                                               for key in sorted(VI)])
def test_each_text_is_well_formed_telegram_html(language: str, key: str) -> None:
    text = catalog().messages[language][key]
    assert html_mistakes(text) == []
    filled = text.format(**{name: "x" for name in placeholders(text)})
    assert html_mistakes(filled) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("<b>x</b>", []), ('<a href="https://t.me/x">x</a>', []), ("a &lt; b", []),
     ("a < b", ["a literal < or > (write &lt; / &gt;)"]), ("<b>x", ["unclosed <b>"]),
     ("<u>x</u>", ["a literal < or > (write &lt; / &gt;)"]), ("R&D", ["a bare & (write &amp;)"]),
     ("<b>x</i>", ["unbalanced </i>"]), ("</b>", ["unbalanced </b>"])],
)
def test_the_html_checker_itself(text: str, expected: list[str]) -> None:
    assert html_mistakes(text) == expected


# -- Catalog.text ---------------------------------------------------------------------------------


@pytest.fixture
def small() -> Catalog:
    return Catalog({
        "vi": {"greet": "Xin chào đồng chí <b>{name}</b>!", "bye": "Tạm biệt."},
        "en": {"greet": "Hello <b>{name}</b>!"},
    })


def test_text_fills_in_placeholders_in_the_asked_language(small: Catalog) -> None:
    assert small.text("en", "greet", name="Lan") == "Hello <b>Lan</b>!"
    assert small.text("vi", "greet", name="Lan") == "Xin chào đồng chí <b>Lan</b>!"


def test_a_key_missing_in_english_falls_back_to_vietnamese(small: Catalog) -> None:
    assert small.text("en", "bye") == "Tạm biệt."


def test_an_unknown_language_gets_vietnamese(small: Catalog) -> None:
    assert small.text("fr", "greet", name="Lan") == "Xin chào đồng chí <b>Lan</b>!"
    assert catalog().text("fr", "dialog.cancelled") == VI["dialog.cancelled"]


def test_an_unknown_key_shows_the_key_and_is_logged(
    small: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.domain.i18n"):
        assert small.text("en", "no.such_key") == "no.such_key"
    assert any("no.such_key" in record.getMessage() for record in caplog.records)


def test_a_missing_parameter_does_not_break_the_reply(
    small: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.domain.i18n"):
        assert small.text("vi", "greet") == "Xin chào đồng chí <b>{name}</b>!"
    assert caplog.records


def test_has_looks_at_the_default_language(small: Catalog) -> None:
    assert small.has("bye")
    assert not small.has("no.such_key")


# -- normalise_language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en-GB", "en"), ("en", "en"), ("EN-us", "en"), ("en_US", "en"), ("vi", "vi"),
     ("vi-VN", "vi"), ("fr", "vi"), ("zh-hans", "vi"), ("", "vi"), (None, "vi")],
)
def test_normalise_language(code: str | None, expected: str) -> None:
    assert normalise_language(code) == expected


def test_normalise_language_uses_the_given_default_for_unknown_codes() -> None:
    assert normalise_language("fr", default="en") == "en"
    assert normalise_language("vi", default="en") == "vi"


# -- handlers hold no sentences ----------------------------------------------------------------


def _is_call_to(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == name and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "ctx")


def _texts_outside_ctx_t(node: ast.AST) -> Iterator[str]:
    """String constants with letters in ``node``, not counting ``ctx.t(...)`` calls."""
    if _is_call_to(node, "t"):
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if any(char.isalpha() for char in node.value):
            yield node.value
        return
    for child in ast.iter_child_nodes(node):
        yield from _texts_outside_ctx_t(child)


def _reply_calls() -> Iterator[tuple[str, ast.Call]]:
    for path in HANDLER_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Call) and _is_call_to(node, "reply"):
                yield f"{path.name}:{node.lineno}", node


def test_handlers_pass_no_literal_text_to_reply() -> None:
    calls = list(_reply_calls())
    assert calls, "expected handlers to call ctx.reply"
    offenders = []
    for where, call in calls:
        for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
            if isinstance(argument, ast.JoinedStr) or (
                    isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
                offenders.append(f"{where}: {ast.unparse(argument)}")
            offenders += [f"{where}: {text!r}" for text in _texts_outside_ctx_t(argument)]
    assert offenders == []


def test_keys_handlers_ask_for_exist() -> None:
    missing = []
    for path in HANDLER_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (_is_call_to(node, "t") and isinstance(node, ast.Call) and node.args):
                continue
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if key.value not in VI:
                    missing.append(f"{path.name}:{node.lineno}: {key.value}")
            elif isinstance(key, ast.JoinedStr) and isinstance(key.values[0], ast.Constant):
                prefix = str(key.values[0].value)
                if not any(known.startswith(prefix) for known in VI):
                    missing.append(f"{path.name}:{node.lineno}: {prefix}…")
    assert missing == []
