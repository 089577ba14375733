"""How the bloc's offices pass at the year's end (chuyển giao), as the bloc file writes it.

Each bloc's rules (quy chế) say who chairs next: often the year's deputy takes the chair and
the next unit in the bloc's order becomes deputy, or the chair simply passes to the next unit.
The bot proposes the officers this rule gives when the outgoing chair hands over
(``/chuyengiao``); a bloc that votes its officers names them in the command instead.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from config.fields import Code, Strict

__all__ = ["HandoverConfig"]


class HandoverConfig(Strict):
    """Who takes the offices for the next year."""

    chair: Literal["deputy", "next"] = "deputy"
    """``deputy``: the year's deputy takes the chair; ``next``: the next unit in ``order``
    after the chair. The deputy is then the next unit in ``order`` after the new chair."""
    order: tuple[Code, ...] = Field(default=())
    """The units in the order the offices pass (empty: the order of ``units``)."""
