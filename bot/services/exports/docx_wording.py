"""The draft report's fixed wording, read from a TOML template.

Every sentence, heading and label of the .docx (:mod:`bot.services.exports.docx_report`) is
looked up here by a dotted key (``results.heading``) and its ``{placeholders}`` filled in, so
the code holds no Vietnamese of its own. The default template is ``config/report.vi.toml``; a
bloc's own copy is laid over it, so that a key the copy leaves out keeps the default's value.
A value of the wrong type or an unknown placeholder raises :class:`ReportTemplateError` when
its key is read.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_TEMPLATE = Path(str(resources.files("config") / "report.vi.toml")).resolve()


class ReportTemplateError(ValueError):
    """A wording template that cannot be used (wrong type, unknown placeholder)."""


class Wording:
    """The report's fixed wording: a template file laid over the default one."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    @classmethod
    def load(cls, template: Path = DEFAULT_TEMPLATE) -> Wording:
        """Read ``template``; keys it lacks fall back to :data:`DEFAULT_TEMPLATE`'s."""
        values = tomllib.loads(DEFAULT_TEMPLATE.read_text(encoding="utf-8"))
        if template.resolve() != DEFAULT_TEMPLATE:
            values = _merge(values, tomllib.loads(template.read_text(encoding="utf-8")))
        return cls(values)

    def _get(self, key: str) -> object:
        node: object = self._values
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def text(self, key: str, **values: object) -> str:
        """The text at dotted ``key`` with its ``{placeholders}`` filled from ``values``."""
        pattern = self._get(key)
        if not isinstance(pattern, str):
            raise ReportTemplateError(f"report template key {key!r} must be a string")
        try:
            return pattern.format_map(values)
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise ReportTemplateError(f"report template key {key!r}: placeholder {exc}") from exc

    def lines(self, key: str) -> list[str]:
        """The list of strings at dotted ``key``."""
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ReportTemplateError(f"report template key {key!r} must be a list of strings")
        return [str(item) for item in value]


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        old = merged.get(key)
        nested = isinstance(old, dict) and isinstance(value, dict)
        merged[key] = _merge(old, value) if nested else value  # type: ignore[arg-type]
    return merged
