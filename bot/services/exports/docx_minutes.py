"""The minutes of the vote for the leading unit (biên bản họp bình xét, suy tôn), as a Word
document (.docx): every closed round of the year with its candidates, its turnout, the votes
per candidate, the check that the box holds as many votes as units voted, who leads (or why
no one does), and the receipts counted; the chair's and the secretary's signature blocks.

Laid out as the half-year report (Decree 30/2020/NĐ-CP header); the wording is the
``[minutes]`` section of ``config/report.vi.toml``. The minutes hold counts only: the bot
keeps no ballot, so no unit's choice can appear here.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.periods import written_date
from bot.services.exports.docx_covenant import header
from bot.services.exports.docx_writer import TEXT_MM, Writer, new_writer, saved


@dataclass(frozen=True)
class Round:
    """One closed round, as its minutes tell it."""

    number: int
    closed: datetime.datetime  # when it closed, in the bloc's time zone
    candidates: Sequence[str]
    counts: Sequence[tuple[str, int]]  # candidate, votes; most first
    units: int
    voters: int
    ballots: int
    needed: int
    winner: str | None
    reason: str  # elected / tie / short / no_ballots
    receipts: Sequence[str]


@dataclass(frozen=True)
class MinutesDocument:
    """What the minutes say."""

    ministry: str
    bloc: str
    year: int
    rules: Sequence[str]  # the bloc's rules for the vote, one sentence each
    rounds: Sequence[Round]
    today: datetime.date
    place: str  # where it is dated (the catalog's export.place)
    chair: str | None = None  # the bloc's signer (its chair), when the bloc file names one


def render_minutes(data: MinutesDocument) -> bytes:
    """The minutes as .docx bytes."""
    out = new_writer()
    words, doc = out.words, out.doc
    header(out, data.ministry, data.bloc, data.today, data.place)
    out.para(doc, words.text("minutes.kind"), bold=True, center=True, before=18)
    out.para(doc, words.text("minutes.subject", bloc=data.bloc, year=data.year), bold=True,
             center=True)
    out.rule(doc, 45, TEXT_MM)
    out.say("minutes.intro", {"bloc": data.bloc, "year": data.year}, before=12)
    if data.rules:
        out.say("minutes.rules_heading", bold=True, keep=True, before=6)
        for rule in data.rules:
            out.para(doc, words.text("minutes.rule", text=rule), body=True)
    for vote in data.rounds:
        _round(out, vote)
    _signatures(out, data)
    return saved(out, words.text("minutes.subject", bloc=data.bloc, year=data.year), data.bloc)


def _round(out: Writer, vote: Round) -> None:
    words = out.words
    closed = words.text("minutes.moment", time=f"{vote.closed:%H:%M}",
                        date=written_date(vote.closed.date()))
    out.say("minutes.round_heading", {"round": vote.number, "closed": closed}, bold=True,
            keep=True, before=6)
    out.say("minutes.candidates", {"units": ", ".join(vote.candidates)})
    out.say("minutes.turnout", {"units": vote.units, "voters": vote.voters,
                                "ballots": vote.ballots})
    out.say("minutes.box_matches" if vote.ballots == vote.voters else "minutes.box_differs")
    table = out.table(len(vote.counts) + 1, [15.0, TEXT_MM - 45.0, 30.0], grid=True)
    for column, key in enumerate(("minutes.col_number", "minutes.col_unit",
                                  "minutes.col_votes")):
        out.para(table.cell(0, column), words.text(key), size=12, bold=True, center=True)
    for row, (unit, votes) in enumerate(vote.counts, 1):
        out.para(table.cell(row, 0), str(row), size=12, center=True)
        out.para(table.cell(row, 1), unit, size=12)
        out.para(table.cell(row, 2), str(votes), size=12, center=True)
    if vote.winner is not None:
        out.say("minutes.elected", {"unit": vote.winner, "votes": vote.counts[0][1],
                                    "needed": vote.needed}, bold=True, before=6)
    else:
        out.say(f"minutes.not_elected_{vote.reason}", {"needed": vote.needed}, before=6)
    if vote.receipts:
        out.say("minutes.receipts", {"receipts": ", ".join(vote.receipts)})


def _signatures(out: Writer, data: MinutesDocument) -> None:
    words = out.words
    out.say("minutes.closing", before=6)
    table = out.table(1, [TEXT_MM / 2, TEXT_MM / 2])
    left, right = table.cell(0, 0), table.cell(0, 1)
    out.para(left, words.text("minutes.secretary"), bold=True, center=True, before=12)
    out.para(left, words.text("minutes.sign_hint"), italic=True, center=True)
    out.para(right, words.text("minutes.chair"), bold=True, center=True, before=12)
    out.para(right, words.text("minutes.sign_hint"), italic=True, center=True)
    if data.chair:
        out.para(right, data.chair, bold=True, center=True, before=60)

