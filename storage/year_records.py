"""Records of the emulation year: the year as loaded, and what units scored in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from storage.records import Attachment, Deadline


@dataclass(frozen=True)
class EmulationYear:
    """One year of a bloc, with the criteria table and scoring window it was loaded with."""

    id: int
    bloc_id: int
    year: int
    criteria: dict[str, Any] | None  # the bloc file's table (see config.criteria)
    scoring_opens: datetime | None
    scoring_deadline: Deadline | None
    scoring_rules: dict[str, Any] = field(default_factory=dict)  # tie_break, units_see_others,
    # reminder_days


@dataclass(frozen=True)
class StoredScore:
    """What a unit gave itself on one line of the table, and who entered it when."""

    unit_id: int
    code: str
    points: Decimal
    justification: str | None
    scored_by: int | None
    scored_at: datetime
    files: tuple[Attachment, ...] = ()
