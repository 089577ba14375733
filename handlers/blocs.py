"""The ministry's liaison across the blocs of one deployment: ``/khoi`` (``/bloc``) says which
bloc one is looking at and lets the liaison switch; ``/sosanh`` (``/compare``) puts the blocs
side by side (units complete, partial and silent, days to the report deadline, sheets
submitted); ``/tinhhinh`` starts with the same table for the liaison."""

from __future__ import annotations

from bot.domain.access import Action
from bot.domain.events import Option
from bot.domain.text import escape, fold
from bot.kernel.context import Context
from bot.kernel.router import Router
from handlers._bloc_views import comparison, follows_every_bloc

router = Router()
COMMAND, STATUS = "/khoi", "/tinhhinh"


def _pick(code: str) -> str:
    """The option that switches to the bloc ``code``."""
    return f"{COMMAND} {code}"


@router.command("khoi", "bloc", action=Action.SEE_OWN_UNIT, help_key="help.cmd_bloc",
                private_only=True)
async def choose_bloc(ctx: Context) -> None:
    """The bloc one looks at; the liaison picks another (``/khoi <mã>``)."""
    if not follows_every_bloc(ctx) or ctx.member is None:
        ctx.reply(ctx.t("blocs.yours", bloc=escape(ctx.bloc.name)))
        return
    wanted = fold(ctx.args.strip())
    if wanted:
        found = next((bloc for bloc in ctx.served_blocs
                      if wanted in (fold(bloc.code), fold(bloc.name))), None)
        if found is None:
            ctx.reply(ctx.t("blocs.unknown", value=escape(ctx.args.strip()),
                            codes=escape(", ".join(b.code for b in ctx.served_blocs))))
            return
        await ctx.repo.view_bloc(ctx.member.id, found.id)
        ctx.reply(ctx.t("blocs.now_viewing", bloc=escape(found.name)),
                  options=(Option(ctx.t("blocs.status_button"), STATUS),))
        return
    ctx.reply(ctx.t("blocs.viewing", bloc=escape(ctx.bloc.name)), options=tuple(
        Option(bloc.name[:40], _pick(bloc.code)) for bloc in ctx.served_blocs
        if bloc.id != ctx.bloc.id))


@router.command("sosanh", "compare", action=Action.SEE_ALL, help_key="help.cmd_compare",
                private_only=True)
async def compare(ctx: Context) -> None:
    """Every bloc side by side, for the ministry's liaison."""
    if not follows_every_bloc(ctx):
        ctx.reply(ctx.t("blocs.liaison_only"))
        return
    ctx.reply(await comparison(ctx), options=tuple(
        Option(bloc.name[:40], _pick(bloc.code)) for bloc in ctx.served_blocs))
