"""What no log line may show, at any level: a ballot's codes and its receipt, and every
statement on the ballot box (a driver's DEBUG line for a ballot would name its candidate
next to the "has voted" line of its unit).

The codes are made while the bot runs; each is sealed here as it is made, and the logging
filter (:mod:`bot.app.logs`) reads this set for every record.
"""

from __future__ import annotations

BALLOT_BOX = "vote_tallies"
"""The ballot box's table: a log line that names it is replaced whole."""

_SEALED: set[str] = set()


def seal(*words: str) -> None:
    """Keep ``words`` (codes, receipts) out of every log line from now on."""
    _SEALED.update(word for word in words if word)


def sealed() -> frozenset[str]:
    """The words sealed so far."""
    return frozenset(_SEALED)
