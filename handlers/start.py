"""``/start``: registration with an invite token, or a greeting for a member."""

from __future__ import annotations

from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services import invites
from handlers._roles import describe_member
from handlers.help import command_list
from storage.records import RedeemOutcome, Role

router = Router()


@router.command("start", help_key="help.cmd_start", public=True, private_only=True, listed=False)
async def start(ctx: Context) -> None:
    """Register the sender with ``/start <token>``; greet a known member."""
    token = ctx.args.split()[0] if ctx.args else ""
    if not token:
        if ctx.role is None:
            ctx.reply(ctx.t("stranger.hello"))
        else:
            await greet(ctx)
        return
    result = await invites.redeem(
        ctx.repo, token, channel=ctx.event.channel, external_id=ctx.event.user_id,
        display_name=ctx.event.display_name, now=ctx.now(),
    )
    if result.outcome in (RedeemOutcome.ALREADY_MEMBER, RedeemOutcome.ALREADY_REGISTERED):
        ctx.reply(ctx.t(f"start.{result.outcome.value}"))
        await greet(ctx)
        return
    if result.outcome is not RedeemOutcome.REGISTERED or result.member is None:
        ctx.reply(ctx.t(f"start.invite_{result.outcome.value}"))
        return
    ctx.member = result.member
    if ctx.role is not Role.ADMIN:  # an admin keeps every right whatever the invite says
        ctx.role = result.member.role
    await greet(ctx, welcome=True)


async def greet(ctx: Context, *, welcome: bool = False) -> None:
    """Say who the person is for the bot and what they can do."""
    who = await describe_member(ctx, ctx.member) if ctx.member else ctx.t(f"role.{ctx.role}")
    key = "start.welcome" if welcome else "start.hello_again"
    ctx.reply(
        ctx.t(key, name=escape(ctx.display_name), who=who, bloc=escape(ctx.bloc.name))
        + "\n\n" + command_list(ctx)
    )
