"""The blocs side by side, as the ministry's liaison reads them (``/sosanh`` and the head of
their ``/tinhhinh``), and who follows every bloc."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.text import escape
from bot.kernel.context import Context
from bot.services.status import bloc_status
from storage.records import Bloc, Role


def follows_every_bloc(ctx: Context) -> bool:
    """The ministry's liaison (an invite made with --bloc all), or an operator."""
    return ctx.role is Role.ADMIN or (ctx.member is not None and ctx.member.all_blocs)


async def comparison(ctx: Context) -> str:
    """The blocs side by side: one line each."""
    lines = [ctx.t("blocs.compare_title", count=len(ctx.served_blocs))]
    for bloc in ctx.served_blocs:
        lines.append(await _line(ctx, bloc))
    return "\n".join(lines)


async def _line(ctx: Context, bloc: Bloc) -> str:
    read = await bloc_status(ctx.repo, bloc, ctx.now())
    days = read.days_left(ZoneInfo(bloc.timezone))  # as that bloc's people count days
    year = await ctx.repo.emulation_year(bloc.id, bloc.year)
    sheets = len(await ctx.repo.score_submissions(year.id)) if year is not None and \
        year.criteria is not None else None
    return ctx.t(
        "blocs.compare_line", bloc=escape(bloc.name), code=bloc.code,
        complete=len(read.complete_units), total=read.concerned_units,
        partial=len(read.partial_units), silent=len(read.silent_units),
        deadline=ctx.t("blocs.no_deadline") if days is None else ctx.t(
            "blocs.days_left", days=days) if days >= 0 else ctx.t("blocs.days_late",
                                                                  days=-days),
        sheets=ctx.t("blocs.sheets", submitted=sheets, units=len(read.units))
        if sheets is not None else "")
