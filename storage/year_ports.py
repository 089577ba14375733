"""The ports to the emulation year's data: the year as loaded, the units' scores, the vote.

:class:`storage.repository.Repository` includes it with every other port.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from storage.records import Attachment
from storage.year_records import (
    CovenantSignature,
    EmulationYear,
    HandOver,
    Nomination,
    ProposedScore,
    ReviewAssignment,
    SettledScore,
    StoredScore,
    Tally,
    Vote,
    VoteRules,
)


class ScoreStore(Protocol):
    """The year's criteria and scoring window, and what each unit gave itself."""

    async def emulation_year(self, bloc_id: int, year: int) -> EmulationYear | None:
        """The bloc's year as loaded from its file."""

    async def set_self_score(self, year_id: int, unit_id: int, code: str, points: Decimal,
                             justification: str | None, files: tuple[Attachment, ...], *,
                             member_id: int | None, actor: str, now: datetime) -> bool:
        """Store a unit's score on one line; ``False`` once its sheet is submitted."""

    async def self_scores(self, year_id: int,
                          unit_id: int | None = None) -> dict[int, dict[str, StoredScore]]:
        """Each unit's scores by line code (one unit's only, when given)."""

    async def submit_scores(self, year_id: int, unit_id: int, *, member_id: int | None,
                            actor: str, now: datetime) -> bool:
        """Mark the unit's sheet submitted; ``False`` if it already was."""

    async def score_submissions(self, year_id: int) -> dict[int, datetime]:
        """When each unit that has submitted its sheet did so."""


class VoteStore(Protocol):
    """The vote for the leading unit: rounds, who has voted, and the ballot box."""

    async def latest_vote(self, year_id: int) -> Vote | None:
        """The year's last round (open or closed), if one was opened."""

    async def votes_of(self, year_id: int) -> list[Vote]:
        """Every round of the year's vote, the first first."""

    async def open_vote(self, year_id: int, candidates: tuple[int, ...], rules: VoteRules, *,
                        member_id: int | None, actor: str, now: datetime) -> Vote | None:
        """Open the next round; ``None`` while one is still open."""

    async def cast_ballot(self, vote_id: int, unit_id: int, candidate_unit_id: int,
                          receipt: str, *, actor: str, now: datetime) -> bool:
        """The unit's one ballot; ``False`` when it has voted or the round is closed."""

    async def tally(self, vote_id: int) -> Tally:
        """Votes per candidate, the receipts, and the units that have voted."""

    async def close_vote(self, vote_id: int, result: dict[str, Any], *, actor: str,
                         now: datetime) -> bool:
        """Close the round with its result; ``False`` if it was closed already."""


class ReviewStore(Protocol):
    """Cross-checks of the units' sheets and the chair's settlement of the final scores."""

    async def assign_reviewers(self, year_id: int, pairs: list[tuple[int, int]], *,
                               member_id: int | None, actor: str, now: datetime) -> bool:
        """Each ``(unit, reviewer unit)``; ``False`` once the settlement is final."""

    async def review_assignments(self, year_id: int) -> dict[int, ReviewAssignment]:
        """Each reviewed unit's reviewer."""

    async def propose_score(self, year_id: int, unit_id: int, code: str, reviewer_unit_id: int,
                            points: Decimal, reason: str, *, member_id: int | None, actor: str,
                            now: datetime) -> bool:
        """A reviewer's score for one line; ``False`` when final or not its reviewer."""

    async def finish_review(self, year_id: int, unit_id: int, reviewer_unit_id: int, *,
                            actor: str, now: datetime) -> bool:
        """The reviewer has checked the whole sheet."""

    async def proposed_scores(self, year_id: int) -> dict[int, dict[str, ProposedScore]]:
        """Each unit's proposed scores by line code."""

    async def settle_score(self, year_id: int, unit_id: int, code: str, points: Decimal,
                           reason: str | None, *, member_id: int | None, actor: str,
                           now: datetime) -> bool:
        """The chair's final score for one line; ``False`` once the settlement is final."""

    async def settled_scores(self, year_id: int) -> dict[int, dict[str, SettledScore]]:
        """Each unit's settled lines by code."""

    async def finalize_settlement(self, year_id: int, *, member_id: int | None, actor: str,
                                  now: datetime) -> bool:
        """Make the year's scores final; ``False`` if they already were."""


class CovenantStore(Protocol):
    """The year's covenant: opened by the chair, signed once by each unit."""

    async def open_covenant(self, year_id: int, *, member_id: int | None, actor: str,
                            now: datetime) -> bool:
        """Open it for signing; ``False`` if it was open already."""

    async def sign_covenant(self, year_id: int, unit_id: int, *, member_id: int | None,
                            signer_name: str, signer_title: str, actor: str,
                            now: datetime) -> bool:
        """A unit's signature; ``False`` if it signed already or the covenant is not open."""

    async def covenant_signatures(self, year_id: int) -> dict[int, CovenantSignature]:
        """Each unit's signature, by unit."""


class AwardStore(Protocol):
    """The year's commendation proposals: the units' nominations and the chair's decisions."""

    async def nominate(self, year_id: int, unit_id: int, form: str, nominee: str,
                       position: str | None, summary: str, files: tuple[Attachment, ...], *,
                       per_unit: int | None, member_id: int | None, actor: str,
                       now: datetime) -> int | None:
        """A unit's nomination; ``None`` when it has nominated ``per_unit`` for the form."""

    async def withdraw_nomination(self, nomination_id: int, unit_id: int, *, actor: str,
                                  now: datetime) -> bool:
        """The unit takes back an undecided nomination; ``False`` when it cannot."""

    async def nominations(self, year_id: int) -> list[Nomination]:
        """The year's nominations, in the order they came."""

    async def decide_nomination(self, nomination_id: int, include: bool, *,
                                quota: int | None, member_id: int | None, actor: str,
                                now: datetime) -> Literal["done", "over_quota", "gone"]:
        """Include a nomination in the bloc's proposal or leave it out."""


class HandoverStore(Protocol):
    """The year's end: the outgoing chair hands the offices to the next year's."""

    async def hand_over(self, bloc_id: int, year: int, *, chair_unit_id: int,
                        deputy_unit_id: int | None, member_id: int | None, actor: str,
                        now: datetime) -> HandOver | None:
        """Close ``year``, open the next with these officers, move the roles; ``None`` when
        the bloc is no longer in ``year``."""
