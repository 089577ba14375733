"""Records of the emulation year: the year as loaded, what units scored in it, and the
vote for the leading unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from config.awards import AwardFormConfig
from storage.records import Attachment, Deadline, Role


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
    vote_rules: VoteRules | None = None  # the file's vote section, when it has one
    settled_at: datetime | None = None  # the chair made the scores final (the ranking too)
    covenant: Covenant | None = None  # the file's covenant, when it has one
    awards: Awards | None = None  # the file's commendation proposals, when it has them
    chair_unit_id: int | None = None  # the year's officers: from the file, or the hand-over
    deputy_unit_id: int | None = None
    handed_over_at: datetime | None = None  # a hand-over in chat opened it
    closed_at: datetime | None = None  # its chair handed over: read-only from then on
    theme: str | None = None  # a closed year's theme and movements, as they were
    movements: tuple[str, ...] | None = None


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


@dataclass(frozen=True)
class VoteRules:
    """The bloc's rules for the vote for the leading unit (its file's ``vote:``)."""

    closes: Deadline  # ballots are taken until then
    opens: datetime | None = None  # the earliest the chair may open it
    candidates: int | None = None  # the first N of the ranking stand (None: the chair names)
    self_vote: bool = False  # a unit may vote for itself
    majority_percent: int = 50  # the leading unit needs more than this share of the votes
    majority_of: str = "units"  # ... of every unit ("units") or of the ballots cast


@dataclass(frozen=True)
class Vote:
    """One round of the vote, as the chair opened it (its rules copied then)."""

    id: int
    year_id: int
    round: int
    candidates: tuple[int, ...]  # unit ids, in the order the ballot lists them
    rules: VoteRules
    opened_at: datetime
    closed_at: datetime | None = None
    result: dict[str, Any] | None = None  # the count, once closed (see bot.domain.voting)

    @property
    def closes_at(self) -> datetime:
        """When ballots stop being taken (its rules' closing time)."""
        return self.rules.closes.at


@dataclass(frozen=True)
class Tally:
    """What the ballot box holds: votes per candidate and the receipts, never who cast
    which; ``voters`` are the units that have voted."""

    counts: dict[int, int]
    receipts: tuple[str, ...]  # sorted
    voters: dict[int, datetime]

    @property
    def ballots(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ReviewAssignment:
    """Which unit cross-checks (thẩm định) a unit's sheet, and whether it has finished."""

    unit_id: int  # the unit whose sheet is checked
    reviewer_unit_id: int
    done_at: datetime | None = None


@dataclass(frozen=True)
class ProposedScore:
    """The score a reviewer proposes for one line of a unit's sheet, with its reason."""

    unit_id: int
    code: str
    reviewer_unit_id: int
    points: Decimal
    reason: str
    reviewed_at: datetime


@dataclass(frozen=True)
class SettledScore:
    """The final score the chair settled on one line of a unit's sheet, and why."""

    unit_id: int
    code: str
    points: Decimal
    reason: str | None
    settled_at: datetime


@dataclass(frozen=True)
class Covenant:
    """The year's covenant as the bloc file gave it (kept once a unit has signed)."""

    text: tuple[str, ...]  # its paragraphs
    deadline: Deadline  # the units sign by then
    title: str | None = None
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "all" / unit code
    opens: datetime | None = None  # the earliest the chair may open it
    reminder_days: tuple[int, ...] | None = None
    opened_at: datetime | None = None  # when the chair opened it for signing

    def targets_of(self, unit_code: str) -> tuple[str, ...]:
        """What one unit commits to: every unit's targets, then its own."""
        return (*self.targets.get("all", ()), *self.targets.get(unit_code, ()))


@dataclass(frozen=True)
class CovenantSignature:
    """A unit's signature of the covenant: who signed, as what, when."""

    unit_id: int
    member_id: int | None
    signer_name: str
    signer_title: str
    signed_at: datetime


@dataclass(frozen=True)
class Awards:
    """The year's commendation proposals as the bloc file gives them (they follow it)."""

    recipient: str
    forms: tuple[AwardFormConfig, ...]  # as the file writes them
    deadline: Deadline  # the units nominate by then
    grounds: tuple[str, ...] = ()
    opens: datetime | None = None

    def form(self, code: str) -> AwardFormConfig | None:
        """The form with this code (its case ignored)."""
        return next((form for form in self.forms if form.code.casefold() == code.casefold()),
                    None)

    @property
    def leading(self) -> AwardFormConfig | None:
        """The form for the unit the vote elects, when the bloc has one."""
        return next((form for form in self.forms if form.leading_unit), None)

    @property
    def nominated(self) -> tuple[AwardFormConfig, ...]:
        """The forms the units nominate for."""
        return tuple(form for form in self.forms if not form.leading_unit)


@dataclass(frozen=True)
class Nomination:
    """A unit's nomination of one of its collectives or people for a form of commendation,
    and whether the chair included it in the bloc's proposal (None: not decided yet)."""

    id: int
    year_id: int
    unit_id: int
    form: str  # the form's code
    nominee: str  # the collective's or the person's name
    position: str | None  # the person's position (None for a collective)
    summary: str  # the achievements, in short
    files: tuple[Attachment, ...]
    submitted_at: datetime
    included: bool | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class HandOver:
    """What a hand-over did: the year closed, the year opened, its officers, and each
    member whose role it moved (to their new role)."""

    closed: int
    opened: int
    chair_unit_id: int
    deputy_unit_id: int | None
    moved: dict[int, Role]
