"""``/xephang`` (``/ranking``): the bloc's units by their scores.

Read from the sheets units have submitted, with the lines the chair has settled after the
cross-checks in their place, and marked "tạm tính" (provisional) until the chair makes the
settlement final (``/chotdiem xong``): from then on it is the official ranking. Equal
totals are ordered by the bloc file's ``tie_break`` rules, and units still equal share a
place. The chair, the deputy and the liaison see every unit; a unit sees its own place,
and the others' only where the bloc file allows it (``scoring.units_see_others``).
"""

from __future__ import annotations

from bot.domain.access import OBSERVERS, Action
from bot.domain.events import Option
from bot.domain.periods import format_day
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.router import Router
from handlers._score_chart import send_score_chart
from handlers._score_views import points, standings, year_scoring

router = Router()
PICTURE = "anh"
PICTURE_COMMAND = "/xephang anh"


@router.command("xephang", "ranking", action=Action.SEE_OWN_UNIT, help_key="help.cmd_ranking")
async def show_ranking(ctx: Context) -> None:
    """The ranking (all units, or the asker's own place); ``anh`` sends it as a picture."""
    scoring = await year_scoring(ctx)
    if scoring is None:
        ctx.reply(ctx.t("scoring.no_table", year=ctx.bloc.year))
        return
    if ctx.args.strip().casefold() in {PICTURE, "ảnh", "picture", "png"}:
        await send_score_chart(ctx, scoring)
        return
    year = scoring.year
    units = await ctx.repo.list_units(ctx.bloc.id)
    ranked, submitted = await standings(ctx, scoring, units)
    names = {unit.id: unit.short_name for unit in units}
    sees_all = ctx.role in OBSERVERS or bool(scoring.year.scoring_rules.get("units_see_others"))
    own = ctx.member.unit_id if ctx.member else None
    final = year.settled_at is not None
    lines = [ctx.t("ranking.title_final" if final else "ranking.title", year=year.year,
                   submitted=len(submitted), total=len(units))]
    if scoring.table.config.illustrative:
        lines.append(ctx.t("scoring.illustrative"))
    maximum = points(ctx, scoring.table.config.maximum)
    shown = [s for s in ranked if sees_all or s.unit_id == own]
    for standing in shown:
        lines.append(ctx.t("ranking.shared_line" if standing.shared else "ranking.line",
                           place=standing.place, unit=escape(names[standing.unit_id]),
                           total=points(ctx, standing.totals.total), max=maximum))
    if not shown:
        lines.append(ctx.t("ranking.none_yet" if sees_all else "ranking.own_not_submitted"))
    waiting = [names[unit.id] for unit in units if unit.id not in submitted]
    if waiting and sees_all:
        lines.append(ctx.t("ranking.waiting", count=len(waiting),
                           units=escape(", ".join(waiting))))
    if year.settled_at is not None:
        lines.append(ctx.t("ranking.final", day=format_day(
            year.settled_at.astimezone(ctx.zone).date(), ctx.t)))
    else:
        lines.append(ctx.t("ranking.provisional"))
    ctx.reply("\n".join(lines), options=(
        Option(ctx.t("ranking.picture_button"), PICTURE_COMMAND),) if sees_all and shown else ())
