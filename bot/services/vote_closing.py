"""The vote's round closes at its closing time on its own: counted, closed and announced to
every member and the bloc's group, as when the chair closes it (``/binhchon dong``).

The count and the closing are one write transaction (a ballot cast meanwhile waits, then is
refused as late); the announcement is queued in the outbox under the round's key, so the
chair's closing and this one never both announce."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol

from bot.domain.clock import Clock
from bot.domain.events import Reply
from bot.domain.i18n import Texts, Translate
from bot.domain.text import escape
from bot.domain.voting import Outcome, outcome
from bot.services.blocs import Blocs
from bot.services.outbox import OutboxWorker, Outgoing
from bot.services.scheduler import Scheduler
from bot.services.tasklist import bloc_group_of
from storage.repository import BlocStore, Database, MemberStore, PostingStore, ScoreStore, VoteStore
from storage.year_records import Vote

log = logging.getLogger(__name__)
JOB = "vote-close"
ACTOR = "system:vote-closing"


class VoteReads(Database, BlocStore, MemberStore, PostingStore, ScoreStore, VoteStore,
                Protocol):
    """What closing a round reads and writes."""


async def count_and_close(repo: VoteReads, vote: Vote, units: int, *, actor: str,
                          now: Any) -> Vote | None:
    """Count the open round and close it with its result (in the caller's transaction);
    ``None`` when it was closed meanwhile."""
    tally = await repo.tally(vote.id)
    if tally.ballots != len(tally.voters):  # the box and the list of voters disagree
        log.error("vote %s: %d ballot(s) but %d unit(s) marked as voted", vote.id,
                  tally.ballots, len(tally.voters))
    counted = outcome(tally.counts, vote.candidates, vote.rules, units=units,
                      voters=len(tally.voters))
    result = {**counted.as_stored(), "receipts": list(tally.receipts)}
    if not await repo.close_vote(vote.id, result, actor=actor, now=now):
        return None
    return replace(vote, closed_at=now, result=result)


def result_text(t: Translate, year: int, closed: Vote, names: Mapping[int, str]) -> str:
    """The count of a closed round: turnout, votes per candidate, who leads (or why no one
    does), and the receipts counted."""
    assert closed.result is not None
    counted = Outcome.from_stored(closed.result)
    receipts = closed.result.get("receipts") or []
    lines = [t("vote.result_title", year=year, round=closed.round),
             t("vote.result_turnout", units=counted.units, voters=counted.voters,
               ballots=counted.ballots,
               check=t("vote.box_matches" if counted.ballots == counted.voters
                       else "vote.box_differs"))]
    lines += [t("vote.result_line", place=index, unit=escape(names.get(unit, "?")),
                votes=votes) for index, (unit, votes) in enumerate(counted.counts, 1)]
    if counted.winner is not None:
        lines.append(t("vote.result_elected", unit=escape(names.get(counted.winner, "?")),
                       votes=counted.counts[0][1], needed=counted.needed))
    else:
        lines.append(t(f"vote.result_{counted.reason}", needed=counted.needed))
    if receipts:
        lines.append(t("vote.receipts", receipts=", ".join(receipts)))
    return "\n".join(lines)


class VoteClosing:
    """Closes the open round at its closing time (planned on the scheduler)."""

    def __init__(self, repo: VoteReads, blocs: Blocs, clock: Clock, scheduler: Scheduler,
                 outbox: OutboxWorker, texts: Texts) -> None:
        self._repo, self._blocs, self._clock = repo, blocs, clock
        self._scheduler, self._outbox, self._texts = scheduler, outbox, texts

    async def plan(self) -> None:
        """Have the scheduler close the open round of the bloc in scope at its closing time
        (at once if past)."""
        vote = await self._open_round()
        if vote is not None:
            bloc = self._blocs.current
            self._scheduler.at(f"{JOB}:{bloc.id}", vote.closes_at, self._blocs.run_in,
                               bloc.id, self.close_due)

    async def _open_round(self) -> Vote | None:
        bloc = self._blocs.current
        year = await self._repo.emulation_year(bloc.id, bloc.year)
        vote = await self._repo.latest_vote(year.id) if year is not None else None
        return vote if vote is not None and vote.closed_at is None else None

    async def close_due(self) -> bool:
        """Close the open round of the bloc in scope if its time is up; whether this call
        closed it."""
        bloc, now = self._blocs.current, self._clock.now()
        async with self._repo.unit_of_work(immediate=True):
            vote = await self._open_round()
            if vote is None or now < vote.closes_at:
                return False
            units = await self._repo.list_units(bloc.id)
            closed = await count_and_close(self._repo, vote, len(units), actor=ACTOR, now=now)
            if closed is None:
                return False
            names = {unit.id: unit.short_name for unit in units}
            members = await self._repo.list_members(bloc.id)
            messages = [self._message(f"vote:{vote.id}:result:{member.id}", member.channel,
                                      member.external_id, member.language, bloc.year, closed,
                                      names, now) for member in members]
            for channel in {member.channel for member in members}:
                group = await bloc_group_of(self._repo, bloc, channel)
                if group:
                    messages.append(self._message(f"vote:{vote.id}:result:group", channel,
                                                  group, None, bloc.year, closed, names, now))
            await self._outbox.enqueue(messages)
        log.info("vote %s closed at its closing time", vote.id)
        return True

    def _message(self, key: str, channel: str, chat: str, language: str | None, year: int,
                 closed: Vote, names: Mapping[int, str], now: Any) -> Outgoing:
        t = self._texts.translator(language)
        return Outgoing(dedup_key=key, channel=channel, chat_id=chat, kind="vote",
                        reply=Reply(t("vote.closed_on_time") + "\n" +
                                    result_text(t, year, closed, names), language=language),
                        due_at=now)

