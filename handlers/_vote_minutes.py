"""``/binhchon bienban``: the minutes of the year's vote (biên bản họp bình xét, suy tôn) as a
Word document, from the counts of its closed rounds (no ballot exists to show)."""

from __future__ import annotations

from bot.domain.events import OutFile
from bot.domain.periods import format_deadline
from bot.domain.voting import Outcome
from bot.kernel.context import Context
from bot.services.exports.data import DOCX_MIME
from storage.year_records import EmulationYear, VoteRules


def rule_sentences(ctx: Context, rules: VoteRules, lang: str | None = None) -> list[str]:
    """The bloc's rules for the vote, one sentence each (in ``lang``, else the caller's)."""
    def say(key: str, **values: object) -> str:
        return ctx.t(key, lang=lang, **values)
    return [
        say("vote.rule_top", count=rules.candidates) if rules.candidates
        else say("vote.rule_named"),
        say("vote.rule_self_yes" if rules.self_vote else "vote.rule_self_no"),
        say(f"vote.rule_majority_{rules.majority_of}", percent=rules.majority_percent),
        say("vote.rule_closes", closes=format_deadline(
            rules.closes, ctx.zone, ctx.translator(lang or ctx.language)))]


async def send_minutes(ctx: Context, year: EmulationYear) -> None:
    """The Word minutes of every closed round, or why there are none yet."""
    from bot.services.exports.docx_minutes import MinutesDocument, Round, render_minutes

    closed = [vote for vote in await ctx.repo.votes_of(year.id)
              if vote.closed_at is not None and vote.result is not None]
    if not closed:
        ctx.reply(ctx.t("vote.no_minutes"))
        return
    names = {unit.id: unit.name for unit in await ctx.repo.list_units(ctx.bloc.id)}
    rounds = []
    for vote in closed:
        assert vote.closed_at is not None and vote.result is not None
        counted = Outcome.from_stored(vote.result)
        rounds.append(Round(
            number=vote.round, closed=vote.closed_at.astimezone(ctx.zone),
            candidates=[names.get(unit, "?") for unit in vote.candidates],
            counts=[(names.get(unit, "?"), votes) for unit, votes in counted.counts],
            units=counted.units, voters=counted.voters, ballots=counted.ballots,
            needed=counted.needed,
            winner=names.get(counted.winner) if counted.winner is not None else None,
            reason=counted.reason, receipts=list(vote.result.get("receipts") or ())))
    content = render_minutes(MinutesDocument(
        ministry=ctx.bloc.ministry, bloc=ctx.bloc.name, year=year.year,
        rules=rule_sentences(ctx, closed[-1].rules, lang="vi"),
        rounds=rounds, today=ctx.today(), place=ctx.t("export.place", lang="vi"),
        chair=ctx.bloc.signer_name))
    ctx.reply(ctx.t("vote.minutes", rounds=len(rounds)),
              file=OutFile(ctx.t("vote.minutes_name", year=year.year), content, DOCX_MIME))
