"""``/xuat`` (``/export``), ``/baocao`` (``/report``) and ``/tongket`` (``/yearreport``): the
period's workbook, the year's scores (``/xuat diem``), the draft half-year and year-end
reports.

Files are built in a worker thread, so the bot keeps answering everyone else
while a large export is made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.access import Action, may
from bot.domain.events import OutFile
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.exports.build import build_export, file_slug, find_period
from bot.services.exports.data import DOCX_MIME as DOCX
from bot.services.exports.data import XLSX_MIME as XLSX
from bot.services.exports.data import ExportData
from bot.services.exports.year_build import build_scores_workbook, build_year_report
from bot.services.exports.year_data import ScoresWorkbook, YearReportDocument
from handlers._bloc_views import follows_every_bloc

if TYPE_CHECKING:  # the worksheet module loads openpyxl, which an idle bot need not hold
    from bot.services.exports.worksheet import Value

router = Router()

TELEGRAM_FILE_LIMIT = 50 * 1024 * 1024
CSV = "text/csv"
SCORES = {"diem", "điểm", "scores"}  # /xuat diem: the year's scores
MINISTRY_COLUMNS = ("bloc", "period", "units", "complete", "partial", "silent", "deadline")
T = TypeVar("T")


# The renderers are imported when first used: openpyxl and python-docx take ~45 MB of memory
# that an idle bot need not hold (see bench/results.md).
def render_xlsx(data: ExportData) -> bytes:
    """The workbook (:func:`bot.services.exports.xlsx.render_xlsx`)."""
    from bot.services.exports.xlsx import render_xlsx as render

    return render(data)


def render_ministry(blocs: list[ExportData], summary: list[list[Value]], headers: list[str],
                   title: str) -> bytes:
    """The ministry's workbook (:func:`bot.services.exports.xlsx.render_ministry`)."""
    from bot.services.exports.xlsx import render_ministry as render

    return render(blocs, summary, headers, title)


def render_csv(data: ExportData) -> bytes:
    """The CSV (:func:`bot.services.exports.xlsx.render_csv`)."""
    from bot.services.exports.xlsx import render_csv as render

    return render(data)


def render_docx(data: ExportData) -> bytes:
    """The draft report (:func:`bot.services.exports.docx_report.render_docx`)."""
    from bot.services.exports.docx_report import render_docx as render

    return render(data)


def render_year_report(data: YearReportDocument) -> bytes:
    """The year-end report (:mod:`bot.services.exports.docx_year_report`)."""
    from bot.services.exports.docx_year_report import render_year_report as render

    return render(data)


def render_scores(data: ScoresWorkbook) -> bytes:
    """The year's scores (:mod:`bot.services.exports.xlsx_scores`)."""
    from bot.services.exports.xlsx_scores import render_scores as render

    return render(data)


async def _send(ctx: Context, render: Callable[[T], bytes], data: T, name: str, mime: str,
                said: str) -> None:
    """Render in a worker thread and send, with ``said`` as its caption."""
    content = await asyncio.to_thread(render, data)
    if len(content) > TELEGRAM_FILE_LIMIT:
        ctx.reply(ctx.t("exports.too_big", size=len(content) // (1024 * 1024)))
        return
    ctx.reply(said, file=OutFile(name, content, mime))


def _year(ctx: Context, words: list[str]) -> int:
    """``/tongket 2023`` → 2023; the bloc's current year by default."""
    given = next((word for word in words if word.isdigit() and len(word) == 4), None)
    return int(given) if given else ctx.bloc.year


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
    words = ctx.args.casefold().split()
    if words[:1] and words[0] in SCORES:
        await _scores(ctx, words[1:])
        return
    if not words and follows_every_bloc(ctx) and len(ctx.served_blocs) > 1:
        await _ministry(ctx)
        return
    data = await _data(ctx, unit_id)
    if data is None:
        return
    as_csv = words[:1] == ["csv"]
    stem = ctx.t("exports.workbook_name", period=file_slug(data.period_title))
    said = ctx.t("exports.sent", period=escape(data.period_title))
    if as_csv:
        await _send(ctx, render_csv, data, f"{stem}.csv", CSV, said)
    else:
        await _send(ctx, render_xlsx, data, f"{stem}.xlsx", XLSX, said)


async def _ministry(ctx: Context) -> None:
    """The ministry's liaison's workbook: every bloc's current period, a summary sheet and
    a sheet per bloc."""
    blocs: list[ExportData] = []
    summary: list[list[Value]] = []
    for bloc in ctx.served_blocs:
        today = ctx.now().astimezone(ZoneInfo(bloc.timezone)).date()
        period = await find_period(ctx.repo, bloc, None, today)
        if period is None:
            continue
        data = await build_export(ctx.repo, bloc, period, t=ctx.t, now=ctx.now())
        blocs.append(data)
        summary.append([bloc.name, period.title, len(data.units), data.complete, data.partial,
                        data.silent, data.deadline or ""])
    headers = [ctx.t(f"exports.ministry_{key}") for key in MINISTRY_COLUMNS]
    title = ctx.t("exports.ministry_title")
    await _send(ctx, lambda _: render_ministry(blocs, summary, headers, title), None,
                ctx.t("exports.ministry_name"), XLSX,
                ctx.t("exports.ministry_sent", blocs=len(blocs)))


async def _scores(ctx: Context, words: list[str]) -> None:
    """``/xuat diem [năm]``: the year's scores as a workbook (the officers' view)."""
    if not may(ctx.role, Action.SEE_ALL):
        ctx.reply(ctx.t("exports.scores_officers"))
        return
    year = _year(ctx, words)
    data = await build_scores_workbook(ctx.repo, ctx.bloc, year, t=ctx.t)
    if data is None:
        ctx.reply(ctx.t("exports.no_scores", year=year))
        return
    await _send(ctx, render_scores, data, ctx.t("exports.scores_name", year=year), XLSX,
                ctx.t("exports.scores_sent", year=year, units=len(data.ranking)))


@router.command("baocao", "report", action=Action.SEE_ALL, help_key="help.cmd_report",
                private_only=True)
async def report(ctx: Context) -> None:
    """The draft half-year report (.docx) laid out as a Vietnamese administrative report."""
    data = await _data(ctx, None)
    if data is None:
        return
    stem = ctx.t("exports.report_name", period=file_slug(data.period_title))
    await _send(ctx, render_docx, data, f"{stem}.docx", DOCX,
                ctx.t("exports.sent", period=escape(data.period_title)))


@router.command("tongket", "yearreport", action=Action.SEE_ALL,
                help_key="help.cmd_yearreport", private_only=True)
async def year_report(ctx: Context) -> None:
    """The draft year-end report (.docx): both halves, the scores and ranking, the vote,
    the proposals and the next year's directions (``/tongket 2023`` for another year)."""
    year = _year(ctx, ctx.args.split())
    data = await build_year_report(ctx.repo, ctx.bloc, year, t=ctx.t, now=ctx.now())
    await _send(ctx, render_year_report, data, ctx.t("exports.year_report_name", year=year),
                DOCX, ctx.t("exports.year_report_sent", year=year, periods=len(data.periods)))
