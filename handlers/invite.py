"""``/moi`` (``/invite``): the chair makes an invite link in chat."""

from __future__ import annotations

from bot.domain.access import Action
from bot.domain.events import Option
from bot.domain.periods import format_moment
from bot.domain.text import escape
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from bot.kernel.forms import Form, InvalidAnswer, Step
from bot.kernel.router import Router
from bot.kernel.steps import by_code, typed_unit_code, unit_options
from bot.services import invites
from storage.records import Role

router = Router()

# a role added later goes last, so the numbers people type for the others stay
INVITABLE = (Role.CONTACT, Role.CHAIR, Role.DEPUTY, Role.LIAISON, Role.HEAD)
VALIDITY_CHOICES = ("1d", "7d", "30d")


class InviteAnswers(Answers):
    """``/moi``: whom the invite is for, and for how long."""

    role: Role | None = None
    unit: str | None = None  # the unit's code
    validity: str | None = None  # "7d", "48h"…, as ``invites.parse_validity`` reads it


async def _roles(ctx: Context, answers: InviteAnswers) -> list[Option]:
    return [Option(ctx.t(f"role.{role.value}"), role.value) for role in INVITABLE]


async def _validities(ctx: Context, answers: InviteAnswers) -> list[Option]:
    return [Option(ctx.t(f"invite.validity_{value}"), value) for value in VALIDITY_CHOICES]


async def _parse_validity(ctx: Context, answers: InviteAnswers, text: str) -> str:
    try:
        invites.parse_validity(text)
    except invites.InviteError as problem:
        raise InvalidAnswer("invite.error_bad_validity", value=escape(text)) from problem
    return text.strip()


async def _finish(ctx: Context, answers: InviteAnswers) -> None:
    role = answers.role or Role.CONTACT
    try:
        made = await invites.create_invite(
            ctx.repo, ctx.bloc, role=role, unit_code=answers.unit, uses=1,
            validity=invites.parse_validity(answers.validity or ""),
            created_by=ctx.actor, now=ctx.now(),
        )
    except invites.InviteError as problem:
        ctx.reply(invites.describe_error(problem, ctx.t))
        return
    local_expiry = format_moment(made.invite.expires_at, ctx.zone)
    who = ctx.t(f"role.{role.value}")
    if made.unit is not None:
        who = ctx.t("role.of_unit", role=who, unit=escape(made.unit.name))
    how = invites.how_to_register(ctx.channels.usernames, made.token, ctx.t)
    ctx.reply(ctx.t("invite.made", who=who, expires=local_expiry, how=how))


INVITE = router.form(Form(
    name="invite",
    answers=InviteAnswers,
    steps=(
        Step("role", "invite.ask_role", options=_roles),
        Step("unit", "invite.ask_unit", options=unit_options(by_code, back="role"),
             parse=typed_unit_code,
             when=lambda answers: answers.role in (Role.CONTACT, Role.HEAD)),
        Step("validity", "invite.ask_validity", options=_validities, parse=_parse_validity),
    ),
    finish=_finish,
))


@router.command("moi", "invite", action=Action.INVITE, help_key="help.cmd_invite",
                private_only=True)
async def invite(ctx: Context) -> None:
    """``/moi`` asks role, unit and validity; ``/moi CODE`` invites a contact of that unit."""
    code = ctx.args.strip()
    if not code:
        await ctx.start_form(INVITE)
        return
    units = await ctx.repo.list_units(ctx.bloc.id)
    unit = next((unit for unit in units if unit.code.casefold() == code.casefold()), None)
    if unit is None:
        ctx.reply(ctx.t("invite.unit_not_found", value=escape(code)))
        return
    await ctx.start_form(INVITE, InviteAnswers(role=Role.CONTACT, unit=unit.code))
