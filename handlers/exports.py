"""``/xuat`` (``/export``) and ``/baocao`` (``/report``): the workbook and the draft report.

Files are built in a worker thread, so the bot keeps answering everyone else
while a large export is made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.domain.access import Action, may
from bot.domain.events import OutFile
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.exports.build import build_export, file_slug, find_period
from bot.services.exports.data import ExportData

router = Router()

TELEGRAM_FILE_LIMIT = 50 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv"


# The renderers are imported when first used: openpyxl and python-docx take ~45 MB of memory
# that an idle bot need not hold (see bench/results.md).
def render_xlsx(data: ExportData) -> bytes:
    """The workbook (:func:`bot.services.exports.xlsx.render_xlsx`)."""
    from bot.services.exports.xlsx import render_xlsx as render

    return render(data)


def render_csv(data: ExportData) -> bytes:
    """The CSV (:func:`bot.services.exports.xlsx.render_csv`)."""
    from bot.services.exports.xlsx import render_csv as render

    return render(data)


def render_docx(data: ExportData) -> bytes:
    """The draft report (:func:`bot.services.exports.docx_report.render_docx`)."""
    from bot.services.exports.docx_report import render_docx as render

    return render(data)


async def _send(ctx: Context, render: Callable[[ExportData], bytes], data: ExportData,
                name: str, mime: str) -> None:
    content = await asyncio.to_thread(render, data)
    if len(content) > TELEGRAM_FILE_LIMIT:
        ctx.reply(ctx.t("exports.too_big", size=len(content) // (1024 * 1024)))
        return
    document = OutFile(name, content, mime)
    ctx.reply(ctx.t("exports.sent", period=escape(data.period_title)), file=document)


def _period_words(args: str) -> str | None:
    """``/xuat csv 2023-H2`` → ``2023-H2``; a title with spaces works too."""
    words = args.split()
    if words and words[0].lower() in {"csv", "xlsx"}:
        words = words[1:]
    return " ".join(words) or None


async def _data(ctx: Context, unit_id: int | None) -> ExportData | None:
    period = await find_period(ctx.repo, ctx.bloc, _period_words(ctx.args), ctx.today())
    if period is None:
        ctx.reply(ctx.t("exports.no_period"))
        return None
    return await build_export(ctx.repo, ctx.bloc, period, t=ctx.t, now=ctx.now(),
                              unit_id=unit_id)


@router.command("xuat", "export", help_key="help.cmd_export", private_only=True)
async def export(ctx: Context) -> None:
    """The Excel workbook of the period (``/xuat csv`` for CSV); contacts get their unit's."""
    unit_id = None
    if not may(ctx.role, Action.SEE_ALL):
        if ctx.member is None or ctx.member.unit_id is None:
            ctx.reply(ctx.t("common.no_unit"))
            return
        unit_id = ctx.member.unit_id
    data = await _data(ctx, unit_id)
    if data is None:
        return
    as_csv = [w.lower() for w in ctx.args.split()[:1]] == ["csv"]
    stem = ctx.t("exports.workbook_name", period=file_slug(data.period_title))
    if as_csv:
        await _send(ctx, render_csv, data, f"{stem}.csv", CSV)
    else:
        await _send(ctx, render_xlsx, data, f"{stem}.xlsx", XLSX)


@router.command("baocao", "report", action=Action.SEE_ALL, help_key="help.cmd_report",
                private_only=True)
async def report(ctx: Context) -> None:
    """The draft half-year report (.docx) laid out as a Vietnamese administrative report."""
    data = await _data(ctx, None)
    if data is None:
        return
    stem = ctx.t("exports.report_name", period=file_slug(data.period_title))
    await _send(ctx, render_docx, data, f"{stem}.docx", DOCX)
