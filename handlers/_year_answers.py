"""Plain questions about the emulation year, answered from its data (see
:mod:`handlers.questions`): who has signed the covenant, who has submitted the self-scoring
sheet, the ranking, and one unit's points."""

from __future__ import annotations

from bot.domain.periods import format_deadline, format_moment
from bot.domain.scoring import totals
from bot.domain.text import escape
from bot.kernel.context import Context
from handlers._score_views import (
    current_year,
    final_sheets,
    points,
    standings,
    submissions,
    year_scoring,
    year_sheets,
)
from storage.records import Unit


async def covenant_answer(ctx: Context, units: list[Unit], unit: Unit | None = None) -> None:
    """"Đơn vị nào chưa ký giao ước?": the count and the units yet to sign; of one unit
    ("Viện … đã ký giao ước chưa?"): whether it has, who signed and when."""
    year = await current_year(ctx)
    if year is None or year.covenant is None:
        ctx.reply(ctx.t("covenant.none", year=ctx.bloc.year))
        return
    if year.covenant.opened_at is None:
        ctx.reply(ctx.t("covenant.not_open"))
        return
    signed = await ctx.repo.covenant_signatures(year.id)
    if unit is not None:
        signature = signed.get(unit.id)
        ctx.reply(ctx.t("questions.covenant_unsigned", unit=escape(unit.short_name))
                  if signature is None else
                  ctx.t("questions.covenant_signed", unit=escape(unit.short_name),
                        name=escape(signature.signer_name),
                        title=escape(signature.signer_title),
                        when=format_moment(signature.signed_at, ctx.zone)))
        return
    waiting = [unit.short_name for unit in units if unit.id not in signed]
    lines = [ctx.t("covenant.progress", signed=len(signed), total=len(units)),
             ctx.t("covenant.deadline", when=format_deadline(year.covenant.deadline, ctx.zone,
                                                             ctx.t))]
    if waiting:
        lines.append(ctx.t("covenant.waiting", units=escape(", ".join(waiting))))
    ctx.reply("\n".join(lines))


async def scoring_answer(ctx: Context, units: list[Unit]) -> None:
    """"Đơn vị nào chưa chấm điểm?": who has submitted the sheet, who has not, by when."""
    scoring = await year_scoring(ctx)
    if scoring is None:
        ctx.reply(ctx.t("scoring.no_table", year=ctx.bloc.year))
        return
    submitted = await submissions(ctx, scoring)
    sheets = (await year_sheets(ctx, scoring))[0]
    codes = {line.code for line in scoring.table.criteria}
    lines = [ctx.t("questions.scoring", submitted=len(submitted), total=len(units))]
    if scoring.year.scoring_deadline is not None:
        lines.append(ctx.t("scoring.window_deadline", deadline=format_deadline(
            scoring.year.scoring_deadline, ctx.zone, ctx.t)))
    lines += [ctx.t("questions.scoring_unit", unit=escape(unit.short_name),
                    scored=len(codes & set(sheets.get(unit.id, {}))), required=len(codes))
              for unit in units if unit.id not in submitted]
    ctx.reply("\n".join(lines))


async def unit_score_answer(ctx: Context, unit: Unit, units: list[Unit]) -> None:
    """"Viện … được bao nhiêu điểm?": its total as it stands, and its place."""
    scoring = await year_scoring(ctx)
    if scoring is None:
        ctx.reply(ctx.t("scoring.no_table", year=ctx.bloc.year))
        return
    ranked, submitted = await standings(ctx, scoring, units)
    total = totals(scoring.table, (await final_sheets(ctx, scoring)).get(unit.id, {}))
    maximum = points(ctx, scoring.table.config.maximum)
    if unit.id not in submitted:
        ctx.reply(ctx.t("questions.unit_score_draft", unit=escape(unit.short_name),
                        total=points(ctx, total.total), max=maximum, scored=total.scored,
                        required=total.required))
        return
    place = next((s.place for s in ranked if s.unit_id == unit.id), None)
    ctx.reply(ctx.t("questions.unit_score_final" if scoring.year.settled_at
                    else "questions.unit_score", unit=escape(unit.short_name),
                    total=points(ctx, total.total), max=maximum, place=place,
                    count=len(ranked)))
