"""``/binhchon`` (``/vote``): the secret vote for the unit that leads the bloc (suy tôn).

The chair opens a round (``/binhchon mo``): its candidates are the first N of the ranking
by the bloc file's rule, or the units the chair names; its rules (voting for oneself, the
closing time, the majority) are the file's. Each unit casts one ballot: its head where one
is registered, else its contact. ``/binhchon`` hands the voter a ballot whose buttons (or,
without buttons, the commands to type) carry one-time codes; the pairing of codes and
candidates exists only in the bot's memory and in the ballot message itself, which is sent
once and stored nowhere (``Reply.secret``). The ballot box keeps the candidate and a
receipt, apart from the unit's "has voted" row; the voter's receipt, sent the same way, is
listed with every other when the chair closes the round (``/binhchon dong``) and the
result is announced to the bloc.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from bot.domain.access import OBSERVERS, Action, may
from bot.domain.events import Option, Reply
from bot.domain.i18n import Translate
from bot.domain.periods import format_deadline, format_opening
from bot.domain.text import escape
from bot.domain.voting import ELECTED, choices_for, top_candidates
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from bot.kernel.forms import InvalidAnswer
from bot.kernel.router import Router
from bot.kernel.steps import typed_units
from bot.services.vote_closing import count_and_close, result_text
from handlers._score_views import acts_for_unit, current_year, standings, year_scoring
from handlers._tell import officers, tell
from handlers._vote_minutes import rule_sentences, send_minutes
from storage.records import Member, Unit
from storage.year_records import EmulationYear, Vote, VoteRules

log = logging.getLogger(__name__)
router = Router()
COMMAND = "/binhchon"
OPEN, CLOSE, CONFIRM, MINUTES = "mo", "dong", "xacnhan", "bienban"


def _command(*words: str) -> str:
    return " ".join((COMMAND, *words))


@router.command("binhchon", "vote", action=Action.SEE_OWN_UNIT, help_key="help.cmd_vote",
                private_only=True)  # a ballot or a receipt is never shown in a group
async def vote(ctx: Context) -> None:
    """The round as the caller may see it (a voter: its ballot); ``mo`` opens a round,
    ``dong`` closes it and announces the result, a ballot's code casts the ballot."""
    year = await current_year(ctx)
    if year is None or year.vote_rules is None:
        ctx.reply(ctx.t("vote.no_rules", year=ctx.bloc.year))
        return
    words = ctx.args.split(maxsplit=1)
    verb = words[0].casefold() if words else ""
    rest = words[1] if len(words) > 1 else ""
    if verb in {OPEN, "mở", "open"}:
        await _open(ctx, year, year.vote_rules, rest)
    elif verb in {MINUTES, "biênbản", "minutes"}:
        if ctx.role in OBSERVERS:
            await send_minutes(ctx, year)
        else:
            ctx.reply(ctx.t("vote.minutes_for_officers"))
    elif verb in {CLOSE, "đóng", "close"}:
        await _close(ctx, year, confirmed=rest.casefold() in {CONFIRM, "xác nhận", "confirm"})
    elif verb:
        await _cast(ctx, year, words[0])
    else:
        await _show(ctx, year, year.vote_rules)


# -- seeing the round -------------------------------------------------------------------------

async def _show(ctx: Context, year: EmulationYear, rules: VoteRules) -> None:
    current = await ctx.repo.latest_vote(year.id)
    manages = may(ctx.role, Action.RUN_VOTE)
    if current is None:
        lines = [ctx.t("vote.not_open", year=year.year), _rules_text(ctx, rules)]
        options = (Option(ctx.t("vote.open_button"), _command(OPEN)),) if manages else ()
        ctx.reply("\n".join(lines), options=options)
        return
    units = await ctx.repo.list_units(ctx.bloc.id)
    names = {unit.id: unit.short_name for unit in units}
    if current.closed_at is not None:
        lines = [result_text(ctx.t, year.year, current, names)]
        options = (Option(ctx.t("vote.next_round_button"), _command(OPEN)),) if manages and (
            current.result and current.result.get("reason") != ELECTED) else ()
        if ctx.role in OBSERVERS:
            options = (*options, Option(ctx.t("vote.minutes_button"), _command(MINUTES)))
        ctx.reply("\n".join(lines), options=options)
        return
    tally = await ctx.repo.tally(current.id)
    late = ctx.now() >= current.closes_at
    if ctx.role in OBSERVERS:
        lines = [ctx.t("vote.under_way", year=year.year, round=current.round,
                       closes=format_deadline(current.rules.closes, ctx.zone, ctx.t)),
                 ctx.t("vote.candidates", units=escape(", ".join(
                     names.get(unit, "?") for unit in current.candidates))),
                 ctx.t("vote.turnout", voted=len(tally.voters), total=len(units))]
        waiting = [unit.short_name for unit in units if unit.id not in tally.voters]
        if waiting:
            lines.append(ctx.t("vote.waiting", units=escape(", ".join(waiting))))
        if late:
            lines.append(ctx.t("vote.time_up"))
        ctx.reply("\n".join(lines), options=(
            Option(ctx.t("vote.close_button"), _command(CLOSE)),) if manages else ())
    await _hand_ballot(ctx, current, units, tally.voters, late=late)


async def _hand_ballot(ctx: Context, current: Vote, units: list[Unit],
                       voters: Mapping[int, datetime], *, late: bool) -> None:
    """The caller's ballot, when the caller casts its unit's; else why not (nothing to a
    person without a unit: the liaison)."""
    member = ctx.member
    if member is None or member.unit_id is None or not may(ctx.role, Action.VOTE):
        if ctx.role not in OBSERVERS:
            ctx.reply(ctx.t("vote.not_a_voter"))
        return
    if member.unit_id in voters:
        ctx.reply(ctx.t("vote.already_voted"))
        return
    if late:
        if ctx.role not in OBSERVERS:
            ctx.reply(ctx.t("vote.time_up_voter"))
        return
    if not await _casts(ctx, member):
        ctx.reply(ctx.t("vote.head_votes"))
        return
    names = {unit.id: unit.short_name for unit in units}
    choices = choices_for(member.unit_id, current.candidates, current.rules)
    codes = ctx.ballots.issue(current.id, member.unit_id, choices)
    text = "\n".join([
        ctx.t("vote.ballot", year=ctx.bloc.year, round=current.round,
              unit=escape(names.get(member.unit_id, "")),
              closes=format_deadline(current.rules.closes, ctx.zone, ctx.t)),
        *(ctx.t("vote.ballot_line", unit=escape(names.get(unit, "?"))) for unit in choices),
        "", ctx.t("vote.ballot_secret"),
        *([ctx.t("vote.ballot_no_self")] if not current.rules.self_vote else [])])
    ctx.reply(text, secret=True, options=tuple(
        Option(names.get(unit, "?"), _command(codes[unit])) for unit in choices))


async def _casts(ctx: Context, member: Member) -> bool:
    """Whether ``member`` casts its unit's ballot: its head where one is registered."""
    assert member.unit_id is not None
    return await acts_for_unit(ctx, member.unit_id)


# -- casting ----------------------------------------------------------------------------------

async def _cast(ctx: Context, year: EmulationYear, code: str) -> None:
    """A ballot's code: the unit's one ballot goes into the box; the voter gets a receipt.
    Nothing said back names the candidate."""
    member = ctx.member
    paper = ctx.ballots.take(code, member.unit_id) if member and member.unit_id else None
    if paper is None or member is None:
        ctx.reply(ctx.t("vote.code_unknown"), options=(
            Option(ctx.t("vote.ballot_again"), _command()),))
        return
    current = await ctx.repo.latest_vote(year.id)
    if current is None or current.id != paper.vote_id or current.closed_at is not None \
            or ctx.now() >= current.closes_at:
        ctx.reply(ctx.t("vote.closed"))
        return
    if not may(ctx.role, Action.VOTE) or not await _casts(ctx, member):
        ctx.reply(ctx.t("vote.head_votes"))
        return
    receipt = ctx.ballots.receipt()
    if not await ctx.repo.cast_ballot(current.id, paper.unit_id, paper.candidate, receipt,
                                      actor=ctx.actor, now=ctx.now()):
        latest = await ctx.repo.latest_vote(year.id)  # closed meanwhile, or voted already
        ctx.reply(ctx.t("vote.closed" if latest is None or latest.closed_at is not None
                        else "vote.already_voted"))
        return
    # the ballot and the "has voted" row were written together: once committed, the
    # journal that holds them side by side is folded in and emptied
    ctx.when_committed(ctx.repo.erase_journal)
    unit = await ctx.repo.get_unit(paper.unit_id)
    ctx.reply(ctx.t("vote.cast", unit=escape(unit.short_name if unit else ""),
                    receipt=receipt), secret=True)
    await _tell_when_all_voted(ctx, current)


async def _tell_when_all_voted(ctx: Context, current: Vote) -> None:
    """Once every unit has voted, the chair and deputy are told they may close."""
    units = await ctx.repo.list_units(ctx.bloc.id)
    tally = await ctx.repo.tally(current.id)
    if len(tally.voters) < len(units):
        return
    await tell(ctx, officers(await ctx.repo.list_members(ctx.bloc.id)),
               f"vote:{current.id}:all-voted", lambda t, _: Reply(
                   t("vote.all_voted", round=current.round),
                   options=(Option(t("vote.close_button"), _command(CLOSE)),)),
               skip_self=False)


# -- opening and closing ----------------------------------------------------------------------

async def _open(ctx: Context, year: EmulationYear, rules: VoteRules, named: str) -> None:
    """Open the next round with the ranking's first N, or the units the chair names."""
    if not may(ctx.role, Action.RUN_VOTE):
        ctx.reply(ctx.t("vote.chair_opens"))
        return
    now = ctx.now()
    if rules.opens is not None and now < rules.opens:
        ctx.reply(ctx.t("vote.too_early", opens=format_opening(rules.opens, ctx.zone, ctx.t)))
        return
    if now >= rules.closes.at:
        ctx.reply(ctx.t("vote.window_over",
                        closes=format_deadline(rules.closes, ctx.zone, ctx.t)))
        return
    units = await ctx.repo.list_units(ctx.bloc.id)
    candidates = await _candidates(ctx, rules, units, named)
    if candidates is None:
        return
    opened = await ctx.repo.open_vote(year.id, candidates, rules,
                                      member_id=ctx.member.id if ctx.member else None,
                                      actor=ctx.actor, now=now)
    if opened is None:
        ctx.reply(ctx.t("vote.already_open"))
        return
    names = {unit.id: unit.short_name for unit in units}
    listed = escape(", ".join(names[unit] for unit in candidates))
    closes = format_deadline(rules.closes, ctx.zone, ctx.t)
    sent = await _announce(ctx, lambda t: t("vote.opened_notice", year=year.year,
                                            round=opened.round, units=listed, closes=closes),
                           key=f"vote:{opened.id}:open", ballot=True)
    ctx.reply("\n".join([ctx.t("vote.opened", round=opened.round, units=listed,
                               closes=closes), ctx.t("vote.told", count=sent)]))
    ctx.when_committed(ctx.reminders.vote_closing.plan)  # it closes on its own at its time


async def _candidates(ctx: Context, rules: VoteRules, units: list[Unit],
                      named: str) -> tuple[int, ...] | None:
    """The round's candidates, or ``None`` after saying why there are none."""
    if named.strip():
        try:  # "Viện A, Viện B": the names a form's unit question takes
            codes = await typed_units(ctx, Answers(), named)
        except InvalidAnswer as refused:
            ctx.reply(ctx.t(refused.key, **refused.params))
            return None
        by_code = {unit.code: unit.id for unit in units}
        picked = tuple(by_code[code] for code in codes)
    elif rules.candidates is not None:
        scoring = await year_scoring(ctx)
        ranked = (await standings(ctx, scoring, units))[0] if scoring is not None else []
        if not ranked:
            ctx.reply(ctx.t("vote.no_ranking"))
            return None
        picked = top_candidates(ranked, rules.candidates)
    else:
        ctx.reply(ctx.t("vote.name_candidates"))
        return None
    if len(picked) < 2:
        ctx.reply(ctx.t("vote.too_few"))
        return None
    return picked


async def _close(ctx: Context, year: EmulationYear, *, confirmed: bool) -> None:
    """Close the round, count it, and announce the result to the bloc."""
    if not may(ctx.role, Action.RUN_VOTE):
        ctx.reply(ctx.t("vote.chair_closes"))
        return
    # the count and the closing in one write transaction, begun now: a ballot cast meanwhile
    # waits for it and is then refused as late, instead of being kept out of the count
    async with ctx.repo.unit_of_work(join=True, immediate=True):
        await _close_now(ctx, year, confirmed=confirmed)


async def _close_now(ctx: Context, year: EmulationYear, *, confirmed: bool) -> None:
    current = await ctx.repo.latest_vote(year.id)
    if current is None or current.closed_at is not None:
        ctx.reply(ctx.t("vote.nothing_open"))
        return
    units = await ctx.repo.list_units(ctx.bloc.id)
    tally = await ctx.repo.tally(current.id)
    missing = len(units) - len(tally.voters)
    if missing > 0 and ctx.now() < current.closes_at and not confirmed:
        ctx.reply(ctx.t("vote.confirm_close", count=missing), options=(
            Option(ctx.t("vote.confirm_close_button"), _command(CLOSE, CONFIRM)),))
        return
    closed = await count_and_close(ctx.repo, current, len(units), actor=ctx.actor,
                                   now=ctx.now())
    if closed is None:
        ctx.reply(ctx.t("vote.nothing_open"))
        return
    names = {unit.id: unit.short_name for unit in units}
    sent = await _announce(ctx, lambda t: result_text(t, year.year, closed, names),
                           key=f"vote:{current.id}:result", ballot=False)
    ctx.reply("\n".join([result_text(ctx.t, year.year, closed, names),
                         ctx.t("vote.told", count=sent)]))


async def _announce(ctx: Context, text: Callable[[Translate], str], *, key: str,
                    ballot: bool) -> int:
    """Tell every member (in their language) and the bloc's group; ``ballot``: with the
    way to the ballot. Returns how many messages were queued."""
    def say(t: Translate, member: Member) -> Reply:
        return Reply(text(t), options=(Option(t("vote.ballot_button"), _command()),)
                     if ballot and member.unit_id is not None else ())
    return await tell(ctx, await ctx.repo.list_members(ctx.bloc.id), key, say,
                      group=lambda t: Reply(text(t)))


# -- words ------------------------------------------------------------------------------------

def _rules_text(ctx: Context, rules: VoteRules) -> str:
    """The bloc's rules for the vote, as its members read them."""
    return "\n".join(ctx.t("vote.rule_line", text=sentence)
                     for sentence in rule_sentences(ctx, rules))
