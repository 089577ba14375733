"""The year's emulation covenant (giao ước thi đua), as the bloc file writes it.

Its title and text (what every unit commits to), the targets every unit takes on and each
unit's own, when the chair may open it for signing and by when the units sign. The bot
holds none of it: a bloc writes its own covenant, and once a unit has signed, a reload of
the file no longer changes that year's text.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from config.fields import DayOrMoment, Strict, Text, in_order
from config.reminder_plan import DaysBefore

__all__ = ["ALL_UNITS", "CovenantConfig"]

ALL_UNITS = "all"
"""The key of ``targets`` every unit takes on."""


class CovenantConfig(Strict):
    """The year's covenant and its signing."""

    title: Text | None = None
    """Its title (default: "Giao ước thi đua năm <year>")."""
    text: tuple[Text, ...] = Field(min_length=1)
    """Its body, paragraph by paragraph: what the units commit to together."""
    targets: dict[str, tuple[Text, ...]] = Field(default_factory=dict)
    """``all``: the targets every unit takes on; a unit's code: its own besides."""
    opens: DayOrMoment | None = None
    """The earliest the chair may open it for signing (None: any time in the year)."""
    deadline: DayOrMoment
    """The units sign by then (a bare date: by the end of that day)."""
    reminder_days: tuple[DaysBefore, ...] | None = None
    """Days before the deadline the units yet to sign are reminded (None: the bloc's plan
    for report deadlines)."""

    @model_validator(mode="after")
    def _check(self) -> CovenantConfig:
        in_order(self.opens, self.deadline)
        return self
