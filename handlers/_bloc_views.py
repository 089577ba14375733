"""The blocs side by side, as the ministry's liaison reads them (``/sosanh`` and the head of
their ``/tinhhinh``), and who follows every bloc."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.text import escape, fold
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


BLOC_WORDS = {"khoi", "thi", "dua"}  # "Khối thi đua …": what every bloc's name begins with


def _words(text: str) -> list[str]:
    return "".join(ch if ch.isalnum() else " " for ch in fold(text)).split()


def named_bloc(blocs: list[Bloc], text: str) -> tuple[Bloc, str] | None:
    """The bloc a question names ("khối văn phòng viện …", or its code), and the question
    without those words; ``None`` when it names none (or several equally)."""
    asked = _words(text)
    found: list[tuple[int, Bloc, list[str]]] = []
    for bloc in blocs:
        key = [word for word in _words(bloc.name) if word not in BLOC_WORDS]
        for name in (key, _words(bloc.code)):
            for start in range(len(asked) - len(name) + 1):
                if name and asked[start:start + len(name)] == name:
                    found.append((len(name), bloc, asked[:start] + asked[start + len(name):]))
    if not found:
        return None
    found.sort(key=lambda item: -item[0])
    if len(found) > 1 and found[0][0] == found[1][0] and found[0][1] != found[1][1]:
        return None
    _, bloc, rest = found[0]
    return bloc, " ".join(word for word in rest if word not in BLOC_WORDS)
