"""``/vangmat`` (``/away``): a contact going on leave or a work trip says from when to when
and who covers; reminders go to that colleague meanwhile, and the chair sees who covers."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from bot.domain.access import Action
from bot.domain.events import Option
from bot.domain.periods import format_day
from bot.domain.text import escape
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from bot.kernel.forms import CANCEL, FINISH, Form, InvalidAnswer, Step
from bot.kernel.router import Router
from bot.kernel.steps import confirm_options, day_answer, picker_exits
from storage.records import Absence, Member, Role

router = Router()
NOBODY = "none"


class AbsenceAnswers(Answers):
    """When the person is away and who covers (or that the absence is called off)."""

    action: Literal["set", "clear"] | None = None
    starts: date | None = None
    ends: date | None = None
    backup: int | Literal["none"] | None = None


async def _colleagues(ctx: Context) -> list[Member]:
    """The other people of the person's unit who can cover: its contacts and its head."""
    me = ctx.member
    if me is None or me.unit_id is None:
        return []
    return [m for m in await ctx.repo.list_members(ctx.bloc.id)
            if m.unit_id == me.unit_id and m.id != me.id and m.role in (Role.CONTACT, Role.HEAD)]


async def _current(ctx: Context) -> Absence | None:
    """The person's absence not over yet."""
    if ctx.member is None:
        return None
    absence = (await ctx.repo.absences()).get(ctx.member.id)
    return absence if absence is not None and absence.ends >= ctx.today() else None


async def _shown(ctx: Context, absence: Absence) -> str:
    backup = next((m for m in await _colleagues(ctx) if m.id == absence.backup_member_id), None)
    return ctx.t("absence.current", starts=format_day(absence.starts, ctx.t),
                 ends=format_day(absence.ends, ctx.t),
                 backup=escape(backup.display_name) if backup else ctx.t("absence.nobody"))


async def _menu(ctx: Context, answers: AbsenceAnswers) -> str:
    absence = await _current(ctx)
    return await _shown(ctx, absence) if absence else ctx.t("common.gone")


async def _menu_options(ctx: Context, answers: AbsenceAnswers) -> list[Option]:
    return [Option(ctx.t("absence.set_again"), "set"), Option(ctx.t("absence.clear"), "clear"),
            *picker_exits(ctx)]


def _menu_route(answers: AbsenceAnswers, value: Any) -> str | None:
    return FINISH if value == "clear" else None


async def _starts(ctx: Context, answers: AbsenceAnswers, text: str) -> date:
    day = await day_answer(ctx, answers, text)
    if day < ctx.today():
        raise InvalidAnswer("absence.in_the_past")
    return day


async def _ends(ctx: Context, answers: AbsenceAnswers, text: str) -> date:
    day = await day_answer(ctx, answers, text)
    if answers.starts is not None and day < answers.starts:
        raise InvalidAnswer("absence.ends_before_starts")
    return day


async def _backup_prompt(ctx: Context, answers: AbsenceAnswers) -> str:
    return ctx.t("absence.ask_backup" if await _colleagues(ctx) else "absence.no_colleague")


async def _backups(ctx: Context, answers: AbsenceAnswers) -> list[Option]:
    return [*(Option(m.display_name, str(m.id)) for m in await _colleagues(ctx)),
            Option(ctx.t("absence.nobody_option"), NOBODY), *picker_exits(ctx, back="ends")]


async def _review(ctx: Context, answers: AbsenceAnswers) -> str:
    backup = next((m for m in await _colleagues(ctx) if m.id == answers.backup), None)
    return ctx.t("absence.review", starts=format_day(answers.starts or ctx.today(), ctx.t),
                 ends=format_day(answers.ends or ctx.today(), ctx.t),
                 backup=escape(backup.display_name) if backup else ctx.t("absence.nobody"))


async def _review_options(ctx: Context, answers: AbsenceAnswers) -> list[Option]:
    return confirm_options(ctx, "absence.save")


def _review_route(answers: AbsenceAnswers, value: Any) -> str:
    return FINISH if value == "yes" else CANCEL


async def _finish(ctx: Context, answers: AbsenceAnswers) -> None:
    member = ctx.member
    if member is None:
        ctx.reply(ctx.t("common.no_unit"))
        return
    if answers.action == "clear":
        await ctx.repo.clear_absence(member.id)
        ctx.reply(ctx.t("absence.cleared"))
        return
    if answers.starts is None or answers.ends is None:
        ctx.reply(ctx.t("common.gone"))
        return
    backup = answers.backup if isinstance(answers.backup, int) else None
    if backup is not None and backup not in {m.id for m in await _colleagues(ctx)}:
        ctx.reply(ctx.t("common.gone"))  # never someone of another unit, whatever a button says
        return
    await ctx.repo.set_absence(Absence(member.id, answers.starts, answers.ends, backup),
                               ctx.now())
    await ctx.repo.audit(actor=ctx.actor, action="member.absence", subject=f"member:{member.id}",
                         details={"starts": answers.starts.isoformat(),
                                  "ends": answers.ends.isoformat(), "backup": backup},
                         now=ctx.now())
    ctx.reply(ctx.t("absence.saved"))


ABSENCE = router.form(Form(
    name="absence",
    answers=AbsenceAnswers,
    steps=(
        Step("action", _menu, options=_menu_options, route=_menu_route,
             when=lambda answers: False),  # only when an absence is already set
        Step("starts", "absence.ask_starts", parse=_starts),
        Step("ends", "absence.ask_ends", parse=_ends),
        Step("backup", _backup_prompt, options=_backups),
        Step("confirm", _review, options=_review_options, route=_review_route,
             transient=True),
    ),
    finish=_finish,
))


@router.command("vangmat", "away", action=Action.REPORT, help_key="help.cmd_away",
                private_only=True)
async def away(ctx: Context) -> None:
    """Set (or call off) an absence and who covers."""
    if ctx.member is None or ctx.member.unit_id is None:
        ctx.reply(ctx.t("common.no_unit"))
        return
    if await _current(ctx) is not None:
        await ctx.start_form(ABSENCE, AbsenceAnswers(), at=ABSENCE.steps[0])
    else:
        await ctx.start_form(ABSENCE, AbsenceAnswers())
