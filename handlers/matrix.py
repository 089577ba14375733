"""``/bando`` (``/matrix``): a picture of the whole bloc — units × tasks, coloured by status."""

from __future__ import annotations

import asyncio

from bot.domain.access import Action
from bot.domain.events import OutFile
from bot.domain.periods import format_moment
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.heatmap import LEGEND_KEYS, Cell, HeatMap, render_heatmap
from bot.services.status import BlocStatus
from handlers._status_views import current_status

router = Router()
PNG = "image/png"


def heatmap_of(ctx: Context, status: BlocStatus) -> HeatMap:
    """The heat map's data: every unit's latest status and percent on every task."""
    cells = tuple(
        tuple(Cell(update.status, update.percent) if (update := status.latest.get(
            (unit.id, task.id))) is not None else Cell(None, None) for task in status.tasks)
        for unit in status.units
    )
    period = status.period.title if status.period else ""
    return HeatMap(
        title=ctx.t("matrix.title", bloc=ctx.bloc.name, period=period),
        units=tuple(unit.short_name for unit in status.units),
        tasks=tuple(ctx.t("matrix.task", number=task.position) for task in status.tasks),
        cells=cells,
        legend={key: ctx.t(f"matrix.legend_{key}") for key in LEGEND_KEYS},
        caption=ctx.t("matrix.caption", time=format_moment(ctx.now(), ctx.zone)),
        empty_text=ctx.t("matrix.empty"),
    )


@router.command("bando", "matrix", action=Action.SEE_ALL, help_key="help.cmd_matrix")
async def send_matrix(ctx: Context) -> None:
    """Render the heat map (off the event loop) and send it as a photo."""
    status = await current_status(ctx)
    png = await asyncio.to_thread(render_heatmap, heatmap_of(ctx, status))
    picture = OutFile(ctx.t("matrix.file_name"), png, PNG, is_image=True)
    ctx.reply(ctx.t("matrix.sent", done=len(status.complete_units), total=status.concerned_units,
                    period=escape(status.period.title if status.period else "")), file=picture)
