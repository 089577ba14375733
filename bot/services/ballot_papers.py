"""Ballot papers handed out for the vote, kept in the bot's memory only.

A unit's ballot pairs each candidate it may vote for with a fresh random code; the unit's
voter presses (or types) the code of its choice. The pairing lives here and nowhere else:
not in the database, the outbox or a log line (each code is sealed, see
:mod:`bot.domain.sealed`), so what the bot keeps of a press, the code alone, names no
candidate. A code is used once: taking it voids the rest of that ballot, and handing out
a new ballot to the unit voids its old one. A restart forgets every ballot handed out
(not a ballot cast): the voter asks for a new one.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.sealed import seal

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a phone's screen
CODE_LENGTH = 6
RECEIPT_LENGTH = 8


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class Paper:
    """What one code on a ballot stands for."""

    vote_id: int
    unit_id: int  # the voting unit
    candidate: int  # the unit it votes for


class BallotPapers:
    """The ballots handed out and not yet used."""

    def __init__(self) -> None:
        self._papers: dict[str, Paper] = {}
        self._ballots: dict[tuple[int, int], tuple[str, ...]] = {}  # (vote, unit) → codes

    def issue(self, vote_id: int, unit_id: int, candidates: Sequence[int]) -> dict[int, str]:
        """A new ballot for ``unit_id``: each candidate's code (the unit's earlier ballot,
        if any, no longer counts)."""
        self._void(vote_id, unit_id)
        codes: dict[int, str] = {}
        for candidate in candidates:
            code = _random(CODE_LENGTH)
            while code in self._papers:  # pragma: no cover - 32**6 codes
                code = _random(CODE_LENGTH)
            codes[candidate] = code
            self._papers[code] = Paper(vote_id, unit_id, candidate)
        seal(*codes.values())
        self._ballots[(vote_id, unit_id)] = tuple(codes.values())
        return codes

    def take(self, code: str, unit_id: int) -> Paper | None:
        """What ``code`` stands for, once, when it is on ``unit_id``'s ballot: the whole
        ballot is used up (a code of another unit's ballot is no use, and leaves it be)."""
        paper = self._papers.get(code.strip().upper())
        if paper is None or paper.unit_id != unit_id:
            return None
        self._void(paper.vote_id, paper.unit_id)
        return paper

    @staticmethod
    def receipt() -> str:
        """A receipt code for a ballot cast (``ABCD-EFGH``), sealed from the logs."""
        text = _random(RECEIPT_LENGTH)
        receipt = f"{text[:4]}-{text[4:]}"
        seal(receipt)
        return receipt

    def _void(self, vote_id: int, unit_id: int) -> None:
        for code in self._ballots.pop((vote_id, unit_id), ()):
            self._papers.pop(code, None)
