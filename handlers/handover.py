"""``/chuyengiao`` (``/handover``): the outgoing chair hands the bloc to the next year's
officers.

The next chair and deputy come from the bloc file's rule (``handover:``), or are named in
the command when the bloc voted them (``/chuyengiao Viện A, Viện B``). The chair sees what
the year leaves open (scores not final, no unit elected) and confirms; then the year closes
(still readable and exportable: ``/tongket 2023``, ``thidua export yearreport --year
2023``), the bloc moves to the next year, the outgoing officers become their units' contacts
and the incoming units' contacts take the offices; everyone is told, and where the incoming
chair's unit has no one registered the outgoing chair gets an invite to pass on. A reload of
the bloc file does not undo it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.domain.access import Action, may
from bot.domain.events import Reply
from bot.domain.handover import DEPUTY, next_after, next_officers
from bot.domain.periods import format_moment
from bot.domain.text import escape
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from bot.kernel.forms import Form
from bot.kernel.router import Router
from bot.kernel.steps import confirm_step
from bot.services import invites
from bot.services.year_results import elected
from handlers._score_views import current_year, named_unit
from handlers._tell import tell
from storage.records import Role, Unit
from storage.year_records import EmulationYear, HandOver

router = Router()
INVITE_VALIDITY = timedelta(days=7)


class HandoverAnswers(Answers):
    """The officers the chair hands over to, and the confirmation."""

    year: int | None = None  # the year shown when the chair began: only it is handed over
    chair: int | None = None
    deputy: int | None = None


def _order(ctx: Context, units: list[Unit]) -> list[int]:
    """The units in the order the offices pass (the file's ``handover.order``, else its
    order of units)."""
    by_code = {unit.code: unit.id for unit in units}
    named = (ctx.bloc.handover or {}).get("order") or ()
    return [by_code[code] for code in named if code in by_code] or [unit.id for unit in units]


def _rule_officers(ctx: Context, units: list[Unit]) -> tuple[int | None, int | None]:
    """The next officers by the bloc file's rule (none without one)."""
    rule = ctx.bloc.handover
    if rule is None:
        return None, None
    return next_officers(_order(ctx, units), ctx.bloc.chair_unit_id, ctx.bloc.deputy_unit_id,
                         str(rule.get("chair") or DEPUTY))


@router.command("chuyengiao", "handover", action=Action.HAND_OVER,
                help_key="help.cmd_handover", private_only=True)
async def handover(ctx: Context) -> None:
    """The plan for the next year's officers, to confirm."""
    units = await ctx.repo.list_units(ctx.bloc.id)
    if await _vote_open(ctx):
        return
    names = [part.strip() for part in ctx.args.split(",") if part.strip()]
    if len(names) > 2:
        ctx.reply(ctx.t("handover.two_units"))
        return
    if names:
        found = [named_unit(units, name) for name in names]
        missing = [name for name, unit in zip(names, found, strict=True) if unit is None]
        if missing:
            ctx.reply(ctx.t("handover.unknown_units", names=escape(", ".join(missing)),
                            known=escape(", ".join(unit.short_name for unit in units))))
            return
        chair = found[0].id if found[0] else None
        deputy = found[1].id if len(found) > 1 and found[1] else next_after(
            _order(ctx, units), chair, {chair} if chair is not None else set())
    else:
        chair, deputy = _rule_officers(ctx, units)
    if chair is None:
        ctx.reply(ctx.t("handover.name_them", year=ctx.bloc.year + 1))
        return
    if chair == deputy:
        ctx.reply(ctx.t("handover.same_unit"))
        return
    await ctx.start_form(HANDOVER_FORM, HandoverAnswers(year=ctx.bloc.year, chair=chair,
                                                        deputy=deputy))


async def _vote_open(ctx: Context) -> bool:
    """A round of the vote is open: it is closed first (else it would never close, its year
    gone); says so."""
    year = await current_year(ctx)
    vote = await ctx.repo.latest_vote(year.id) if year is not None else None
    if vote is None or vote.closed_at is not None:
        return False
    ctx.reply(ctx.t("handover.vote_open", round=vote.round))
    return True


async def _open_ends(ctx: Context, year: EmulationYear | None) -> list[str]:
    """What the year leaves undone, one line each."""
    if year is None:
        return []
    lines = []
    if year.criteria is not None and year.settled_at is None:
        lines.append(ctx.t("handover.open_scores"))
    if year.vote_rules is not None and await elected(ctx.repo, year) is None:
        lines.append(ctx.t("handover.open_vote"))
    return lines


async def _review(ctx: Context, answers: HandoverAnswers) -> str:
    units = {unit.id: unit for unit in await ctx.repo.list_units(ctx.bloc.id)}
    chair, deputy = units.get(answers.chair or 0), units.get(answers.deputy or 0)
    lines = [ctx.t("handover.plan", year=ctx.bloc.year, next=ctx.bloc.year + 1,
                   chair=escape(chair.name if chair else "?"),
                   deputy=escape(deputy.name if deputy else ctx.t("handover.no_deputy")))]
    open_ends = await _open_ends(ctx, await current_year(ctx))
    if open_ends:
        lines += ["", ctx.t("handover.open_heading"), *open_ends]
    lines += ["", ctx.t("handover.what_happens", year=ctx.bloc.year, next=ctx.bloc.year + 1)]
    return "\n".join(lines)


async def _hand_over(ctx: Context, answers: HandoverAnswers) -> None:
    if answers.chair is None or answers.year is None:
        ctx.reply(ctx.t("dialog.gone"))
        return
    if not may(ctx.role, Action.HAND_OVER):  # no longer the chair (handed over meanwhile)
        ctx.reply(ctx.t("handover.already", year=answers.year))
        return
    if await _vote_open(ctx):
        return
    year = answers.year
    done = await ctx.repo.hand_over(ctx.bloc.id, year, chair_unit_id=answers.chair,
                                    deputy_unit_id=answers.deputy,
                                    member_id=ctx.member.id if ctx.member else None,
                                    actor=ctx.actor, now=ctx.now())
    if done is None:
        ctx.reply(ctx.t("handover.already", year=year))
        return
    ctx.bloc_changed()
    units = {unit.id: unit for unit in await ctx.repo.list_units(ctx.bloc.id)}
    chair = units[done.chair_unit_id]
    deputy = units.get(done.deputy_unit_id or 0)
    deputy_name = deputy.name if deputy else "—"
    members = await ctx.repo.list_members(ctx.bloc.id)
    await tell(ctx, members, f"handover:{ctx.bloc.id}:{done.opened}",
               lambda t, member: Reply(_notice(t, done, member.id, chair.name, deputy_name)),
               group=lambda t: Reply(t("handover.group", year=done.closed, next=done.opened,
                                       chair=escape(chair.name), deputy=escape(deputy_name))))
    lines = [ctx.t("handover.done", year=done.closed, next=done.opened,
                   chair=escape(chair.name), deputy=escape(deputy_name),
                   moved=len(done.moved))]
    if not any(member.role is Role.CHAIR and member.unit_id == chair.id
               for member in await ctx.repo.list_members(ctx.bloc.id)):
        lines.append(await _invite_next_chair(ctx, chair))
    ctx.when_committed(ctx.reminders.plan)  # with the bloc as moved: the closed year's
    # reminders end, the next year's begin
    ctx.reply("\n\n".join(lines))


def _notice(t: Any, done: HandOver, member_id: int, chair: str, deputy: str) -> str:
    """What one member is told: their new office, the office they left, or the news."""
    role = done.moved.get(member_id)
    key = {Role.CHAIR: "handover.you_chair", Role.DEPUTY: "handover.you_deputy",
           Role.CONTACT: "handover.you_contact"}.get(role, "handover.notice") \
        if role is not None else "handover.notice"
    return str(t(key, year=done.closed, next=done.opened, chair=escape(chair),
                 deputy=escape(deputy)))


async def _invite_next_chair(ctx: Context, chair: Unit) -> str:
    """No one of the incoming chair's unit is registered: an invite for the outgoing chair
    to pass on."""
    bloc = await ctx.repo.get_bloc(ctx.bloc.code)
    if bloc is None:
        return ""
    made = await invites.create_invite(ctx.repo, bloc, role=Role.CHAIR, unit_code=chair.code,
                                       uses=1, validity=INVITE_VALIDITY, created_by=ctx.actor,
                                       now=ctx.now())
    return ctx.t("handover.invite", unit=escape(chair.name),
                 expires=format_moment(made.invite.expires_at, ctx.zone),
                 how=invites.how_to_register(ctx.channels.usernames, made.token, ctx.t))


HANDOVER_FORM = router.form(Form(
    name="handover",
    answers=HandoverAnswers,
    steps=(
        confirm_step(_review, "handover.confirm", yes="hand_over"),
    ),
    finish=_hand_over,
))
