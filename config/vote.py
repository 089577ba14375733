"""The vote for the unit that leads the bloc (bình xét, suy tôn), as the bloc file writes it.

Who may be voted for (the first ``candidates`` of the ranking, or those the chair names),
whether a unit may vote for itself, the window, and the share of votes the leading unit
needs: each is the bloc's own rule (its quy chế), read from here and copied into the vote
when the chair opens it, so a later reload does not change a vote under way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from config.fields import DayOrMoment, Strict, in_order

__all__ = ["VoteConfig"]


class VoteConfig(Strict):
    """The year's vote for the leading unit."""

    opens: DayOrMoment | None = None
    """The earliest the chair may open it (None: any time in the year)."""
    closes: DayOrMoment
    """Ballots are taken until then (a bare date: until the end of that day)."""
    candidates: int | None = Field(default=None, ge=1, le=50)
    """The first N units of the ranking stand; None: the chair names them when opening."""
    self_vote: bool = False
    """Whether a unit may vote for itself."""
    majority_percent: int = Field(default=50, ge=0, lt=100)
    """The leading unit needs more than this share of the votes (below 100: more than all
    of them could never be reached) ..."""
    majority_of: Literal["units", "ballots"] = "units"
    """... counted over every unit of the bloc, or over the ballots cast."""

    @model_validator(mode="after")
    def _check(self) -> VoteConfig:
        in_order(self.opens, self.closes)
        return self
