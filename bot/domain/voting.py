"""The vote for the leading unit (bình xét, suy tôn), read by the bloc's rules (no I/O).

Who stands (the first N of the ranking, units sharing the N-th place included), whom a
unit may vote for, and who leads once the ballots are counted: the most votes, more than
the bloc's share of the units (or of the ballots cast), and no tie at the top. Every
number is the bloc file's, copied into the round when it opened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.scoring import Standing
from storage.year_records import VoteRules

ELECTED, TIE, SHORT, NO_BALLOTS = "elected", "tie", "short", "no_ballots"


def top_candidates(standings: Sequence[Standing], count: int) -> tuple[int, ...]:
    """The units in the first ``count`` places, with every unit that shares the last of
    them (a tie at the N-th place is not broken by the order of a list)."""
    if not standings or count < 1:
        return ()
    last = standings[min(count, len(standings)) - 1].place
    return tuple(standing.unit_id for standing in standings if standing.place <= last)


def choices_for(voter_unit_id: int, candidates: Sequence[int], rules: VoteRules) -> tuple[int, ...]:
    """Whom ``voter_unit_id`` may vote for: every candidate, itself only where the bloc
    allows it."""
    return tuple(candidate for candidate in candidates
                 if rules.self_vote or candidate != voter_unit_id)


@dataclass(frozen=True)
class Outcome:
    """The count of one round, and who leads the bloc by it (``None``: no one yet)."""

    counts: tuple[tuple[int, int], ...]  # (unit id, votes), most votes first
    ballots: int
    voters: int
    units: int  # units in the bloc: the base of the majority by units
    needed: int  # the fewest votes that lead
    winner: int | None
    reason: str  # elected / tie / short / no_ballots

    def as_stored(self) -> dict[str, Any]:
        """The result as the round keeps it (JSON)."""
        return {"counts": [list(pair) for pair in self.counts], "ballots": self.ballots,
                "voters": self.voters, "units": self.units, "needed": self.needed,
                "winner": self.winner, "reason": self.reason}

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Outcome:
        return cls(counts=tuple((int(a), int(b)) for a, b in data["counts"]),
                   ballots=int(data["ballots"]), voters=int(data["voters"]),
                   units=int(data["units"]), needed=int(data["needed"]),
                   winner=data.get("winner"), reason=str(data["reason"]))


def outcome(counts: Mapping[int, int], candidates: Sequence[int], rules: VoteRules, *,
            units: int, voters: int) -> Outcome:
    """Count a round: every candidate with its votes (none for those no one chose), most
    first in the ballot's order; the leader needs more than ``majority_percent`` of the
    units (or of the ballots) and no other candidate with as many votes."""
    order = {unit: index for index, unit in enumerate(candidates)}
    pairs = sorted(((unit, counts.get(unit, 0)) for unit in candidates),
                   key=lambda pair: (-pair[1], order[pair[0]]))
    ballots = sum(counts.values())
    base = units if rules.majority_of == "units" else ballots
    needed = base * rules.majority_percent // 100 + 1  # more than the share
    if ballots == 0:
        return Outcome(tuple(pairs), 0, voters, units, needed, None, NO_BALLOTS)
    top = pairs[0][1]
    if len(pairs) > 1 and pairs[1][1] == top:
        return Outcome(tuple(pairs), ballots, voters, units, needed, None, TIE)
    if top < needed:
        return Outcome(tuple(pairs), ballots, voters, units, needed, None, SHORT)
    return Outcome(tuple(pairs), ballots, voters, units, needed, pairs[0][0], ELECTED)
