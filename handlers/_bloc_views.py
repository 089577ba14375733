"""The blocs side by side, as the ministry's liaison reads them (``/sosanh`` and the head of
their ``/tinhhinh``), and who follows every bloc."""

from __future__ import annotations

from bot.domain.text import escape, fold
from bot.kernel.context import Context
from bot.services.status import BlocGlance, blocs_at_a_glance
from storage.records import Bloc, Role


def follows_every_bloc(ctx: Context) -> bool:
    """The ministry's liaison (an invite made with --bloc all), or an operator."""
    return ctx.role is Role.ADMIN or (ctx.member is not None and ctx.member.all_blocs)


async def comparison(ctx: Context) -> str:
    """The blocs side by side: one line each."""
    lines = [ctx.t("blocs.compare_title", count=len(ctx.served_blocs))]
    for glance in await blocs_at_a_glance(ctx.repo, ctx.served_blocs, ctx.now()):
        lines.append(_line(ctx, glance))
    return "\n".join(lines)


def _line(ctx: Context, glance: BlocGlance) -> str:
    bloc, days = glance.bloc, glance.days_left()  # as that bloc's people count days
    return ctx.t(
        "blocs.compare_line", bloc=escape(bloc.name), code=bloc.code,
        complete=glance.complete, total=glance.concerned, partial=glance.partial,
        silent=glance.silent,
        deadline=ctx.t("blocs.no_deadline") if days is None else ctx.t(
            "blocs.days_left", days=days) if days >= 0 else ctx.t("blocs.days_late",
                                                                  days=-days),
        sheets=ctx.t("blocs.sheets", submitted=glance.sheets, units=len(glance.owed))
        if glance.sheets is not None else "")


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
