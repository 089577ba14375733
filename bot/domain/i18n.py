"""Message catalogs: every user-facing sentence, Vietnamese first, English second.

Catalogs are TOML files in ``bot/locales/`` (``vi.toml``, ``en.toml``); a key is
``section.name`` and its text uses ``str.format`` placeholders. Handlers never
hold sentences, only keys.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

log = logging.getLogger(__name__)

LANGUAGES: tuple[str, ...] = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def _flatten(prefix: str, table: dict[str, Any], into: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(name, value, into)
        else:
            into[name] = str(value)


class Catalog:
    """All languages' messages, with fallback to Vietnamese for a missing key."""

    def __init__(self, messages: dict[str, dict[str, str]], default: str = DEFAULT_LANGUAGE):
        self.messages = messages
        self.default = default

    def text(self, language: str, key: str, /, **params: Any) -> str:
        """The message ``key`` in ``language``, with ``params`` filled in."""
        table = self.messages.get(language) or self.messages[self.default]
        template = table.get(key)
        if template is None:
            template = self.messages[self.default].get(key)
            if template is None:
                log.error("missing message key %r", key)
                return key
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            log.exception("message %r in %r lacks a parameter", key, language)
            return template

    def has(self, key: str) -> bool:
        """Whether the default language defines ``key``."""
        return key in self.messages[self.default]


@cache
def catalog() -> Catalog:
    """The catalogs shipped with the bot (read once)."""
    messages: dict[str, dict[str, str]] = {}
    folder = resources.files("bot") / "locales"
    for language in LANGUAGES:
        data = tomllib.loads((folder / f"{language}.toml").read_text(encoding="utf-8"))
        flat: dict[str, str] = {}
        _flatten("", data, flat)
        messages[language] = flat
    return Catalog(messages)


def normalise_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a messenger's language code (``en-GB``, ``vi``) to a catalog language."""
    if code:
        short = code.split("-")[0].split("_")[0].lower()
        if short in LANGUAGES:
            return short
    return default


Translate = Callable[..., str]
"""``t(key, **params)``: a catalog's messages in one language."""


@dataclass(frozen=True)
class Texts:
    """The catalogs and the bot's own language: what to say to whom, in their language."""

    catalog: Catalog
    default_language: str = DEFAULT_LANGUAGE

    def text(self, language: str | None, key: str, /, **params: Any) -> str:
        """The message ``key`` in ``language`` (the bot's own when ``None``)."""
        return self.catalog.text(language or self.default_language, key, **params)

    def translator(self, language: str | None = None) -> Translate:
        """``t(key, **params)`` in ``language`` (default: the bot's), for text without a person."""
        chosen = language or self.default_language

        def t(key: str, /, **params: object) -> str:
            return self.catalog.text(chosen, key, **params)

        return t

    def language_of(self, chosen: str | None) -> str:
        """A person's language: the one they chose with /ngonngu, else the bot's."""
        return normalise_language(chosen, self.default_language)
