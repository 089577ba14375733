"""``/chotdiem`` (``/settle``): the chair settles the final scores after the cross-checks.

``/chotdiem`` lists, unit by unit, each line where the reviewer proposed another score
than the unit gave itself, side by side, with a button to settle it either way;
``/chotdiem Viện A 1.2 8 lý do`` settles any line at any score (a score that moves the
unit's own needs a reason, the reviewer's when it is the one proposed). ``/chotdiem xong``
makes the settlement final, after a confirmation: the ranking becomes official and every
unit is told its final total, its place, and each line that moved and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from bot.domain.access import Action
from bot.domain.events import Option, Reply
from bot.domain.i18n import Translate
from bot.domain.periods import format_deadline
from bot.domain.review import differs
from bot.domain.scoring import Line, Score, format_points, parse_points, totals
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.year_results import scores_of
from handlers._score_views import (
    YearScoring,
    final_sheets,
    named_unit,
    points,
    split_unit_line,
    standings,
    submissions,
    year_scoring,
    year_sheets,
)
from handlers._tell import tell
from storage.records import Member, Unit
from storage.year_records import ProposedScore, SettledScore, StoredScore

router = Router()
COMMAND = "/chotdiem"
RANKING = "/xephang"
DONE, CONFIRM = "xong", "xacnhan"
MAX_BUTTONS = 8  # differences offered as buttons at once; the rest by the typed form


def _command(*words: str) -> str:
    return " ".join((COMMAND, *words))


@router.command("chotdiem", "settle", action=Action.SETTLE, help_key="help.cmd_settle",
                private_only=True)
async def settle(ctx: Context) -> None:
    """The differences to settle; a unit, line and points settle one; ``xong`` makes the
    settlement final."""
    scoring = await year_scoring(ctx)
    if scoring is None:
        ctx.reply(ctx.t("scoring.no_table", year=ctx.bloc.year))
        return
    if scoring.year.settled_at is not None:
        ctx.reply(ctx.t("settlement.already_final"))
        return
    words = ctx.args.split()
    units = await ctx.repo.list_units(ctx.bloc.id)
    if not words:
        await _differences(ctx, scoring, units)
        return
    if words[0].casefold() in {DONE, "done"}:
        await _finalize(ctx, scoring, units, confirmed=words[1:2] != [] and words[1].casefold()
                        in {CONFIRM, "confirm"})
        return
    split = split_unit_line(scoring.table, words)
    named = " ".join(words[:split.unit_words])
    target = named_unit(units, named)
    if target is None or split.line is None:
        ctx.reply(ctx.t("settlement.how") if target is not None
                  else ctx.t("review.unknown_unit", name=escape(named[:60])))
        return
    await _settle_line(ctx, scoring, target, split.line, words[split.unit_words + 1],
                       " ".join(words[split.unit_words + 2:]).strip())


# -- the differences ----------------------------------------------------------------------

async def _differences(ctx: Context, scoring: YearScoring, units: list[Unit]) -> None:
    """Each proposed score beside the unit's own and the settled one."""
    year = scoring.year.id
    submitted = await submissions(ctx, scoring)
    assignments = await ctx.repo.review_assignments(year)
    proposed = await ctx.repo.proposed_scores(year)
    own, settled = await year_sheets(ctx, scoring)
    names = {unit.id: unit.short_name for unit in units}
    lines = [ctx.t("settlement.title", year=scoring.year.year)]
    options: list[Option] = []
    open_count = total = 0
    for unit in units:
        mine = own.get(unit.id, {})
        changes = [(code, p) for code, p in proposed.get(unit.id, {}).items()
                   if differs(mine[code].points if code in mine else None, p.points)]
        if not changes:
            continue
        assignment = assignments.get(unit.id)
        reviewer = assignment.reviewer_unit_id if assignment else changes[0][1].reviewer_unit_id
        lines += ["", ctx.t("settlement.unit", unit=escape(unit.short_name),
                            reviewer=escape(names.get(reviewer, "?")),
                            state=ctx.t("review.state_done" if assignment and assignment.done_at
                                        else "review.state_open"))]
        for code, proposal in changes:
            total += 1
            line = scoring.table.find(code)
            before = own.get(unit.id, {}).get(code)
            final = settled.get(unit.id, {}).get(code)
            lines.append(ctx.t(
                "settlement.line", code=code,
                title=escape(line.item.title) if line else "",
                own=points(ctx, before.points) if before else "0",
                proposed=points(ctx, proposal.points), reason=escape(proposal.reason),
                final=points(ctx, final.points) if final else ctx.t("settlement.not_yet")))
            if final is None:
                open_count += 1
                if len(options) < MAX_BUTTONS * 2:
                    options += _choice_buttons(ctx, unit, code, before, proposal)
    if total == 0:
        lines.append(ctx.t("settlement.no_differences"))
    done = sum(1 for unit in submitted if assignments.get(unit) and assignments[unit].done_at)
    lines += ["", ctx.t("settlement.progress", done=done, submitted=len(submitted),
                        open=open_count, total=total),
              ctx.t("settlement.how")]
    options.append(Option(ctx.t("settlement.final_button"), _command(DONE)))
    ctx.reply("\n".join(lines), options=tuple(options))


def _choice_buttons(ctx: Context, unit: Unit, code: str, before: StoredScore | None,
                    proposal: ProposedScore) -> list[Option]:
    """"Theo thẩm định: 8" and "Giữ điểm tự chấm: 10" for one difference."""
    own = before.points if before is not None else Decimal(0)
    return [
        Option(ctx.t("settlement.take_proposed", unit=unit.short_name, code=code,
                     points=points(ctx, proposal.points)),
               _command(unit.code, code, str(proposal.points))),
        Option(ctx.t("settlement.keep_own", unit=unit.short_name, code=code,
                     points=points(ctx, own)),
               _command(unit.code, code, str(own)))]


# -- settling a line ----------------------------------------------------------------------

async def _settle_line(ctx: Context, scoring: YearScoring, target: Unit, line: Line,
                       typed: str, reason: str) -> None:
    value = parse_points(typed)
    assert value is not None, "the split found points here"
    year = scoring.year.id
    if target.id not in await submissions(ctx, scoring):
        ctx.reply(ctx.t("review.not_submitted", unit=escape(target.short_name)))
        return
    own = scores_of((await year_sheets(ctx, scoring))[0].get(target.id, {}))
    proposal = (await ctx.repo.proposed_scores(year)).get(target.id, {}).get(line.code)
    before = own.get(line.code)
    if not reason and value != (before.points if before else Decimal(0)):
        if proposal is None or proposal.points != value:
            ctx.reply(ctx.t("settlement.reason_needed", code=line.code))
            return
        reason = proposal.reason  # the reviewer's reason, for the score it proposed
    sheet = (await final_sheets(ctx, scoring)).get(target.id, {})
    refusal = scoring.table.check(line, value, reason or "-", sheet, ctx.language)
    if refusal is not None and refusal.kind != "justification_missing":
        ctx.reply(ctx.t(f"scoring.refused_{refusal.kind}", **refusal.params))
        return
    if not await ctx.repo.settle_score(year, target.id, line.code, value, reason or None,
                                       member_id=ctx.member.id if ctx.member else None,
                                       actor=ctx.actor, now=ctx.now()):
        ctx.reply(ctx.t("settlement.already_final"))
        return
    ctx.reply(ctx.t("settlement.settled", unit=escape(target.short_name), code=line.code,
                    own=points(ctx, before.points) if before else "0",
                    points=points(ctx, value)),
              options=(Option(ctx.t("settlement.back"), _command()),))


# -- making it final ----------------------------------------------------------------------

async def _finalize(ctx: Context, scoring: YearScoring, units: list[Unit], *,
                    confirmed: bool) -> None:
    """After a confirmation naming what is still open: final, and every unit told."""
    year = scoring.year.id
    submitted = await submissions(ctx, scoring)
    if not submitted:
        ctx.reply(ctx.t("settlement.nothing_submitted"))
        return
    if not confirmed:
        assignments = await ctx.repo.review_assignments(year)
        unreviewed = [unit.short_name for unit in units if unit.id in submitted
                      and not (assignments.get(unit.id) and assignments[unit.id].done_at)]
        waiting = [unit.short_name for unit in units if unit.id not in submitted]
        lines = [ctx.t("settlement.confirm", submitted=len(submitted), total=len(units))]
        deadline = scoring.year.scoring_deadline
        if deadline is not None and ctx.now() <= deadline.at:
            lines.append(ctx.t("settlement.before_deadline",
                               deadline=format_deadline(deadline, ctx.zone, ctx.t)))
        unsettled = await _unsettled(ctx, scoring)
        if unsettled:
            lines.append(ctx.t("settlement.unsettled", count=unsettled))
        if unreviewed:
            lines.append(ctx.t("settlement.unreviewed", units=escape(", ".join(unreviewed))))
        if waiting:
            lines.append(ctx.t("settlement.left_out", units=escape(", ".join(waiting))))
        ctx.reply("\n".join(lines), options=(
            Option(ctx.t("settlement.confirm_button"), _command(DONE, CONFIRM)),
            Option(ctx.t("settlement.back"), _command())))
        return
    if not await ctx.repo.finalize_settlement(year, member_id=ctx.member.id if ctx.member
                                              else None, actor=ctx.actor, now=ctx.now()):
        ctx.reply(ctx.t("settlement.already_final"))
        return
    ranked, _ = await standings(ctx, scoring, units)
    own, settled = await year_sheets(ctx, scoring)
    sent = await _tell_units(ctx, scoring, ranked_places={s.unit_id: s.place for s in ranked},
                             sheets=await final_sheets(ctx, scoring),
                             own={unit: scores_of(lines) for unit, lines in own.items()},
                             settled=settled, units=[u for u in units if u.id in submitted])
    ctx.reply(ctx.t("settlement.final", count=len(ranked), told=sent),
              options=(Option(ctx.t("settlement.see_ranking"), RANKING),))


async def _unsettled(ctx: Context, scoring: YearScoring) -> int:
    """How many lines a reviewer proposed another score for and the chair has not settled
    (they stay at the unit's own score when the result is made final)."""
    year = scoring.year.id
    own, settled = await year_sheets(ctx, scoring)
    return sum(1 for unit, lines in (await ctx.repo.proposed_scores(year)).items()
               for code, proposal in lines.items()
               if code not in settled.get(unit, {}) and differs(
                   own[unit][code].points if code in own.get(unit, {}) else None,
                   proposal.points))


async def _tell_units(ctx: Context, scoring: YearScoring, *, ranked_places: Mapping[int, int],
                      sheets: Mapping[int, Mapping[str, Score]],
                      own: Mapping[int, Mapping[str, Score]],
                      settled: Mapping[int, Mapping[str, SettledScore]],
                      units: list[Unit]) -> int:
    """Each unit's people: its final total and place, and every line that moved, why."""
    maximum = scoring.table.config.maximum
    by_unit = {unit.id: unit for unit in units}

    def say(t: Translate, member: Member) -> Reply | None:
        unit = by_unit.get(member.unit_id or 0)
        if unit is None:
            return None
        lang = ctx.language_of(member.language)  # the language ``t`` writes
        total = totals(scoring.table, sheets.get(unit.id, {})).total
        lines = [t("settlement.unit_notice", year=scoring.year.year,
                   unit=escape(unit.short_name), total=format_points(total, lang),
                   max=format_points(maximum, lang), place=ranked_places.get(unit.id, "—"))]
        for code, line in sorted(settled.get(unit.id, {}).items()):
            before = own.get(unit.id, {}).get(code)
            if not differs(before.points if before else None, line.points):
                continue
            lines.append(t("settlement.moved", code=code,
                           own=format_points(before.points, lang) if before else "0",
                           final=format_points(line.points, lang),
                           reason=escape(line.reason or "")))
        return Reply("\n".join(lines))
    return await tell(ctx, await ctx.repo.list_members(ctx.bloc.id),
                      f"settled:{scoring.year.id}", say, skip_self=False)
