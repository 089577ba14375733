"""``/xephang anh``: the year's scores as a picture (units in ranking order × the criteria
groups, the bonus, the penalty and the total), for those who see every unit's scores."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bot.domain.access import OBSERVERS
from bot.domain.events import OutFile
from bot.domain.periods import written_date
from bot.domain.scoring import Totals, totals
from bot.kernel.context import Context
from bot.services.score_chart import BANDS, ScoreChart, ScoreRow, render_score_chart
from handlers._score_views import YearScoring, final_sheets, points, standings

PNG = "image/png"


async def send_score_chart(ctx: Context, scoring: YearScoring) -> None:
    """Draw the chart off the event loop and send it as a photo (or say why not)."""
    if not (ctx.role in OBSERVERS or scoring.year.scoring_rules.get("units_see_others")):
        ctx.reply(ctx.t("ranking.picture_not_allowed"))
        return
    chart = await score_chart_of(ctx, scoring)
    if not any(row.shares is not None for row in chart.rows):
        ctx.reply(ctx.t("ranking.none_yet"))
        return
    png = await asyncio.to_thread(render_score_chart, chart)
    ctx.reply(ctx.t("ranking.picture_sent", year=scoring.year.year),
              file=OutFile(ctx.t("ranking.picture_name", year=scoring.year.year), png, PNG,
                           is_image=True))


async def score_chart_of(ctx: Context, scoring: YearScoring) -> ScoreChart:
    """The chart's data: the ranked units with their places, then those yet to submit."""
    units = await ctx.repo.list_units(ctx.bloc.id)
    ranked, submitted = await standings(ctx, scoring, units)
    sheets = await final_sheets(ctx, scoring)
    table = scoring.table
    groups = table.config.groups
    names = {unit.id: unit.short_name for unit in units}

    def cells(sums: Totals) -> tuple[str, ...]:
        return (*(points(ctx, sums.groups[group.code]) for group in groups),
                "+" + points(ctx, sums.bonus), "−" + points(ctx, sums.penalty),
                points(ctx, sums.total))

    rows = [ScoreRow(ctx.t("ranking.picture_place", place=standing.place,
                           unit=names[standing.unit_id]), cells(standing.totals),
                     tuple(float(standing.totals.groups[group.code] / group.ceiling)
                           if group.ceiling > Decimal(0) else 0.0 for group in groups))
            for standing in ranked]
    rows += [ScoreRow(ctx.t("ranking.picture_waiting", unit=unit.short_name),
                      cells(totals(table, sheets.get(unit.id, {}))), None)
             for unit in units if unit.id not in submitted]
    local = ctx.now().astimezone(ctx.zone)
    final = scoring.year.settled_at is not None
    return ScoreChart(
        title=ctx.t("ranking.picture_title_final" if final else "ranking.picture_title",
                    year=scoring.year.year, bloc=ctx.bloc.name),
        columns=(*(ctx.t("ranking.picture_group", code=group.code,
                         max=points(ctx, group.ceiling)) for group in groups),
                 ctx.t("ranking.picture_bonus"), ctx.t("ranking.picture_penalty"),
                 ctx.t("ranking.picture_total", max=points(ctx, table.config.maximum))),
        groups=len(groups),
        rows=tuple(rows),
        legend=(*(ctx.t(f"ranking.picture_band_{index}") for index in range(len(BANDS))),
                ctx.t("ranking.picture_not_submitted")),
        caption=ctx.t("ranking.picture_caption", time=local.strftime("%H:%M"),
                      day=written_date(local.date()),
                      groups="; ".join(ctx.t("ranking.picture_group_name", code=group.code,
                                             title=group.title) for group in groups)),
    )
