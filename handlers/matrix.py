"""``/bando`` (``/matrix``): a picture of the whole bloc — units × tasks, coloured by status."""

from __future__ import annotations

import asyncio

from bot.domain.access import Action
from bot.domain.events import OutFile
from bot.domain.periods import written_date
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.heatmap import (
    LEGEND_KEYS,
    NOT_APPLICABLE,
    OVERDUE,
    Cell,
    HeatMap,
    render_heatmap,
)
from bot.services.status import BlocStatus
from handlers._status_views import current_status

router = Router()
PNG = "image/png"


def heatmap_of(ctx: Context, status: BlocStatus) -> HeatMap:
    """The heat map's data: every unit's latest status and percent on every task, tasks
    past their own deadline framed, cells of tasks that do not concern a unit hatched; each
    unit with how many of its tasks it has reported, and a key of the task numbers."""
    cells = tuple(
        tuple(Cell(update.status if update else None, update.percent if update else None,
                   overdue=status.overdue(unit.id, task), applicable=task.concerns(unit.id))
              for task in status.tasks
              for update in (status.latest.get((unit.id, task.id)),))
        for unit in status.units
    )
    progress = {p.unit.id: p for p in status.progress()}
    tallies = tuple(ctx.t("matrix.tally", done=progress[unit.id].reported,
                          required=progress[unit.id].required)
                    if progress[unit.id].concerned else "" for unit in status.units)
    units = tuple(ctx.t("matrix.unit", unit=unit.short_name, tally=tally) if tally
                  else unit.short_name for unit, tally in zip(status.units, tallies, strict=True))
    local = ctx.now().astimezone(ctx.zone)
    period = status.period.title if status.period else ""
    overdue = any(cell.overdue for row in cells for cell in row)
    applicable = all(cell.applicable for row in cells for cell in row)
    legend = {key: ctx.t(f"matrix.legend_{key}") for key in LEGEND_KEYS
              if (key != OVERDUE or overdue) and (key != NOT_APPLICABLE or not applicable)}
    return HeatMap(
        title=ctx.t("matrix.title", bloc=ctx.bloc.name, period=period),
        units=units,
        unit_tails=tallies,
        tasks=tuple(ctx.t("matrix.task", number=task.position) for task in status.tasks),
        cells=cells,
        legend=legend,
        caption=ctx.t("matrix.caption", time=local.strftime("%H:%M"),
                      day=written_date(local.date())),
        empty_text=ctx.t("matrix.empty"),
        key=tuple(ctx.t("matrix.key", number=task.position, title=task.title)
                  for task in status.tasks),
    )


@router.command("bando", "matrix", action=Action.SEE_ALL, help_key="help.cmd_matrix")
async def send_matrix(ctx: Context) -> None:
    """Render the heat map (off the event loop) and send it as a photo."""
    status = await current_status(ctx)
    png = await asyncio.to_thread(render_heatmap, heatmap_of(ctx, status))
    picture = OutFile(ctx.t("matrix.file_name"), png, PNG, is_image=True)
    ctx.reply(ctx.t("matrix.sent", done=len(status.complete_units), total=status.concerned_units,
                    period=escape(status.period.title if status.period else "")), file=picture)
