"""``/lichnhac`` (``/schedule``): what the bot will send when, to whom; pause and resume.

The chair can pause reminders for a unit (e.g. it asked for an extension) or
for the whole deadline, and sees messages that could not be delivered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from bot.domain.access import Action
from bot.domain.events import Option
from bot.domain.occasions import Occasion
from bot.domain.periods import format_day
from bot.domain.text import escape
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from bot.kernel.forms import FINISH, Form, Step
from bot.kernel.router import Router
from bot.kernel.steps import and_close, typed_unit, unit_options
from bot.services.status import BlocStatus, bloc_status
from handlers._score_views import current_year
from handlers._status_views import current_status
from storage.records import OutboxStatus, Unit

router = Router()

ScheduleAction = Literal["pause_unit", "resume_unit", "pause_deadline", "resume_deadline",
                         "close"]


class ScheduleAnswers(Answers):
    """``/lichnhac``: pause or resume reminders, for a unit or for the deadline."""

    action: ScheduleAction | None = None
    unit: int | None = None


async def _overview(ctx: Context, answers: ScheduleAnswers) -> str:
    planner = ctx.reminders
    status = await current_status(ctx)
    lines = [ctx.t("schedule.title")]
    upcoming = [o for o in await planner.pending() if o.fire_at > ctx.now()]
    paused_ids = await ctx.repo.paused_units()
    # each period's status read once, however many of its tasks' reminders are listed
    statuses = {status.period.id: status} if status.period is not None else {}
    entries: list[tuple[datetime, str]] = []
    for occasion in upcoming:
        local = occasion.fire_at.astimezone(ctx.zone)
        what = _what(ctx, occasion)
        if occasion.origin[0] in {"scoring", "covenant"}:
            what, whom = await _year_occasion(ctx, status, occasion)
        elif occasion.task_id is not None:
            what, whom = await _task_occasion(ctx, statuses, occasion, paused_ids)
        elif occasion.kind == "conference":
            whom = ctx.t("schedule.to_everyone")
        else:
            silent = ([] if await planner.is_paused(occasion.subject_id)
                      else [p.unit for p in status.incomplete if p.unit.id not in paused_ids])
            whom = ctx.t("schedule.to_silent", units=len(silent), people=sum(
                len(status.contacts.get(u.id, [])) for u in silent))
        entries.append((occasion.fire_at, ctx.t(
            "schedule.line", time=local.strftime("%H:%M"), day=format_day(local.date(), ctx.t),
            what=what, whom=whom)))
    closing = await _vote_closing(ctx)
    if closing is not None:
        entries.append(closing)
    lines += [line for _, line in sorted(entries, key=lambda entry: entry[0])]
    if not entries:
        lines.append(ctx.t("schedule.nothing"))
    paused = [u.short_name for u in status.units if u.id in paused_ids]
    if paused:
        lines.append(ctx.t("schedule.paused_units", units=escape(", ".join(paused))))
    if status.period and await planner.is_paused(status.period.id):
        lines.append(ctx.t("schedule.paused_deadline"))
    failed = [row for status_ in (OutboxStatus.FAILED, OutboxStatus.BLOCKED)
              for row in await ctx.repo.outbox_rows(status_, limit=20)]
    if failed:
        lines.append(ctx.t("schedule.failed", count=len(failed)))
    return "\n".join(lines)


async def _vote_closing(ctx: Context) -> tuple[datetime, str] | None:
    """The open round of the vote, which closes (counted and announced) on its own."""
    year = await current_year(ctx)
    vote = await ctx.repo.latest_vote(year.id) if year is not None else None
    if vote is None or vote.closed_at is not None or vote.closes_at <= ctx.now():
        return None
    local = vote.closes_at.astimezone(ctx.zone)
    return vote.closes_at, ctx.t(
        "schedule.line", time=local.strftime("%H:%M"), day=format_day(local.date(), ctx.t),
        what=ctx.t("schedule.what_vote_close", round=vote.round),
        whom=ctx.t("schedule.to_everyone_vote"))


def _when(ctx: Context, occasion: Occasion) -> str:
    """``trước 7 ngày``, ``trước 2 giờ``, ``sáng ngày hết hạn``: when it goes out, in words."""
    label = occasion.label
    if label.endswith("h") and label[:-1].isdigit():
        return ctx.t("schedule.before_hours", hours=label[:-1])
    if label.endswith("d") and label[:-1].isdigit():
        return ctx.t("schedule.before_days", days=label[:-1])
    return ctx.t("schedule.on_conference_day" if occasion.kind == "conference"
                 else "schedule.on_the_day")


def _what(ctx: Context, occasion: Occasion) -> str:
    """What a reminder is about: the report deadline (a conference's, or the period's), the
    escalation after it, or the conference."""
    if occasion.kind == "conference":
        return ctx.t("schedule.what_conference", when=_when(ctx, occasion))
    what = (ctx.t("schedule.what_escalation") if occasion.kind == "escalation"
            else ctx.t("schedule.what_deadline", when=_when(ctx, occasion)))
    if occasion.origin[0] == "conference":  # units report before the conference
        what = ctx.t("schedule.before_conference", what=what)
    return what


async def _task_occasion(ctx: Context, statuses: dict[int, BlocStatus], occasion: Occasion,
                         paused: set[int]) -> tuple[str, str]:
    """What a task deadline's reminder is, and to whom it will go as things stand (a task
    of the period before is read in its own period: its deadline may fall after it).
    ``statuses`` keeps each period's status read so far."""
    status = statuses.get(occasion.subject_id)
    if status is None:
        period = next((p for p in await ctx.repo.list_periods(ctx.bloc.id)
                       if p.id == occasion.subject_id), None)
        status = await bloc_status(ctx.repo, ctx.bloc, ctx.now(), period)
        statuses[occasion.subject_id] = status
    task = next((t for t in status.tasks if t.id == occasion.task_id), None)
    if task is None:  # closed since
        number = "?"
        owing: list[Unit] = []
    else:
        number = str(task.position)
        owing = [u for u in status.not_done_units(task) if u.id not in paused]
    if occasion.kind == "escalation":
        what = ctx.t("schedule.what_task_after", number=number)
    else:
        what = ctx.t("schedule.what_task", number=number, when=_when(ctx, occasion))
    return what, ctx.t("schedule.to_not_done", units=len(owing),
                       people=sum(len(status.contacts.get(u.id, [])) for u in owing))


async def _year_occasion(ctx: Context, status: BlocStatus,
                         occasion: Occasion) -> tuple[str, str]:
    """A deadline of the year (the covenant's signing, the scoring sheets): reminded to the
    units that have not done it; after it, the list of those goes to the chair and deputy
    (and, for the covenant, a firm reminder to the units)."""
    kind = occasion.origin[0]
    done = set(await ctx.repo.covenant_signatures(occasion.subject_id)) if kind == "covenant" \
        else set(await ctx.repo.score_submissions(occasion.subject_id))
    owing = [unit for unit in status.units if unit.id not in done]
    if occasion.kind == "escalation":
        return ctx.t(f"schedule.what_{kind}_after"), ctx.t(f"schedule.to_officers_{kind}",
                                                          units=len(owing))
    return (ctx.t(f"schedule.what_{kind}", when=_when(ctx, occasion)),
            ctx.t(f"schedule.to_not_done_{kind}", units=len(owing)))


async def _actions(ctx: Context, answers: ScheduleAnswers) -> list[Option]:
    status = await current_status(ctx)
    options = [Option(ctx.t("schedule.pause_unit"), "pause_unit"),
               Option(ctx.t("schedule.resume_unit"), "resume_unit")]
    if status.period is not None:
        paused = await ctx.reminders.is_paused(status.period.id)
        options.append(Option(ctx.t("schedule.resume_deadline" if paused
                                    else "schedule.pause_deadline"),
                              "resume_deadline" if paused else "pause_deadline"))
    return and_close(ctx, options)


def _action_route(answers: ScheduleAnswers, value: Any) -> str | None:
    return FINISH if value in {"close", "pause_deadline", "resume_deadline"} else None


async def _finish(ctx: Context, answers: ScheduleAnswers) -> None:
    action = answers.action
    if action is None or action == "close":
        ctx.reply(ctx.t("common.closed"))
        return
    status = await current_status(ctx)
    if action.endswith("_deadline"):
        if status.period is None:
            ctx.reply(ctx.t("tasks.no_period"))
            return
        period_id = status.period.id
        key, subject = f"pause:period:{period_id}", status.period.title
        await ctx.repo.pause_period(period_id, action.startswith("pause"), ctx.now())
    else:
        unit = next((u for u in status.units if u.id == answers.unit), None)
        if unit is None:
            ctx.reply(ctx.t("common.gone"))
            return
        key, subject = f"pause:unit:{unit.id}", unit.name
        await ctx.repo.pause_unit(unit.id, action.startswith("pause"), ctx.now())
    pausing = action.startswith("pause")
    await ctx.repo.audit(actor=ctx.actor, action=f"reminders.{action}", subject=key, details={},
                         now=ctx.now())
    ctx.reply(ctx.t("schedule.paused" if pausing else "schedule.resumed",
                    subject=escape(subject)))


SCHEDULE = router.form(Form(
    name="schedule",
    answers=ScheduleAnswers,
    steps=(
        Step("action", _overview, options=_actions, route=_action_route),
        Step("unit", "schedule.ask_unit", options=unit_options(back="action"), parse=typed_unit,
             when=lambda a: a.action in {"pause_unit", "resume_unit"}),
    ),
    finish=_finish,
    browse=True,
))


@router.command("lichnhac", "schedule", action=Action.REMIND, help_key="help.cmd_schedule",
                private_only=True)
async def show_schedule(ctx: Context) -> None:
    """The reminders ahead; pause or resume them."""
    await ctx.start_form(SCHEDULE)
