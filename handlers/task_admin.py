"""``/quanlynhiemvu`` (``/managetasks``): the chair keeps the task list in chat.

Add a task (title, description, deadline, the units it concerns), change one,
move it, close it, or open a new period. Every change is audited, wins over
later reloads of the bloc file, and is reflected at once in the pinned list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from bot.domain.access import Action
from bot.domain.events import Option
from bot.domain.periods import current_period, date_examples, format_deadline
from bot.domain.text import escape, shorten
from bot.kernel.answers import Answers, Moment, UnitCodes, unit_codes
from bot.kernel.context import Context
from bot.kernel.forms import CANCEL, FINISH, Form, InvalidAnswer, Step
from bot.kernel.router import Router
from bot.kernel.steps import (
    confirm_options,
    day_answer,
    moment_answer,
    optional_text,
    picker_exits,
    required_text,
    typed_units,
)
from storage.records import Deadline, Period, Task

router = Router()

NONE = "none"
ALL = "all"

TaskAction = Literal["add", "edit", "move", "close", "period", "deadline", "switch"]
TaskField = Literal["title", "description", "deadline", "units"]


class TaskAdminAnswers(Answers):
    """``/quanlynhiemvu``: one change to the task list, or a new period."""

    managed: int | None = None  # the period whose list is managed (None: the newest)
    action: TaskAction | None = None
    title: str | None = None
    description: str | None = None
    deadline: Literal["none"] | Moment | None = None
    units: Annotated[Literal["all"] | UnitCodes | None, Field(union_mode="left_to_right")] = None
    task: int | None = None
    field: TaskField | None = None
    # the field's new value: a title or description (text), a deadline (or none), units (or
    # all); tried in this order, so a title is never read as a date or a list of units
    value: Annotated[Literal["none", "all"] | str | Moment | UnitCodes | None,
                     Field(union_mode="left_to_right")] = None
    position: int | None = None
    p_title: str | None = None
    p_start: date | None = None
    p_end: date | None = None
    p_deadline: Literal["none"] | Moment | None = None
    r_deadline: Literal["none"] | Moment | None = None  # the current period's new deadline

    @model_validator(mode="after")
    def _stored_as_text(self) -> TaskAdminAnswers:
        """A new value an earlier version stored as text is read as its field's: a deadline
        (``2026-12-15T14:30:00``) as a moment, units (``UDCN,CNCL``) as their codes."""
        if isinstance(self.value, str) and self.value not in (NONE, ALL):
            if self.field == "deadline":
                object.__setattr__(self, "value", Moment.model_validate(self.value))
            elif self.field == "units":
                object.__setattr__(self, "value", unit_codes(self.value))
        return self


def _is(action: TaskAction) -> Callable[[TaskAdminAnswers], bool]:
    return lambda answers: answers.action == action


def _needs_task(answers: TaskAdminAnswers) -> bool:
    return answers.action in {"edit", "move", "close"}


async def _working_period(ctx: Context, answers: TaskAdminAnswers) -> Period | None:
    """The period whose list is managed: the one the chair picked, else the newest (where a
    new task list is prepared; the current one until a new opens)."""
    periods = await ctx.repo.list_periods(ctx.bloc.id)
    picked = next((p for p in periods if p.id == answers.managed), None)
    return picked or (max(periods, key=lambda p: p.start) if periods else None)


async def _reported_period(ctx: Context, answers: TaskAdminAnswers) -> Period | None:
    """The period whose report deadline is changed: the one the chair picked; else, of the
    periods begun, the one whose deadline comes next (a second-half report is due in January,
    when the first half has begun); else the current period, else the newest."""
    periods = await ctx.repo.list_periods(ctx.bloc.id)
    picked = next((p for p in periods if p.id == answers.managed), None)
    if picked is not None:
        return picked
    now = ctx.now()
    pending = [p for p in periods if p.start <= ctx.today() and p.report_deadline is not None
               and not p.report_deadline.passed(now)]
    if pending:
        return min(pending, key=lambda p: p.report_deadline.at if p.report_deadline else now)
    return current_period(periods, ctx.today()) or await _working_period(ctx, answers)


async def _tasks(ctx: Context, answers: TaskAdminAnswers) -> list[Task]:
    period = await _working_period(ctx, answers)
    return await ctx.repo.list_tasks(period.id) if period else []


# -- answers ----------------------------------------------------------------------------------

async def _actions(ctx: Context, answers: TaskAdminAnswers) -> list[Option]:
    several = len(await ctx.repo.list_periods(ctx.bloc.id)) > 1
    return [*(Option(ctx.t(f"taskadmin.action_{name}"), name)
              for name in ("add", "edit", "move", "close", "period", "deadline")),
            *([Option(ctx.t("taskadmin.action_switch"), "switch")] if several else []),
            *picker_exits(ctx)]


def _action_route(answers: TaskAdminAnswers, value: Any) -> str | None:
    return "managed" if value == "switch" else None


async def _menu(ctx: Context, answers: TaskAdminAnswers) -> str:
    period = await _working_period(ctx, answers)
    return ctx.t("taskadmin.menu", period=escape(period.title) if period else "—")


async def _periods(ctx: Context, answers: TaskAdminAnswers) -> list[Option]:
    """Every period, newest first, to manage its list."""
    periods = sorted(await ctx.repo.list_periods(ctx.bloc.id), key=lambda p: p.start,
                     reverse=True)
    return [*(Option(period.title, str(period.id)) for period in periods),
            *picker_exits(ctx, back="action")]


def _managed_route(answers: TaskAdminAnswers, value: Any) -> str:
    answers.forget("action")  # back at the menu, now of the period picked
    return "action"


async def _none_option(ctx: Context, answers: TaskAdminAnswers) -> list[Option]:
    return [Option(ctx.t("taskadmin.no_deadline"), NONE)]


async def _end_day(ctx: Context, answers: TaskAdminAnswers, text: str) -> date:
    end = await day_answer(ctx, answers, text)
    if answers.p_start is not None and end < answers.p_start:
        raise InvalidAnswer("taskadmin.end_before_start")
    return end


async def _all_units(ctx: Context, answers: TaskAdminAnswers) -> list[Option]:
    return [Option(ctx.t("taskadmin.all_units"), ALL)]


async def _task_options(ctx: Context, answers: TaskAdminAnswers) -> list[Option]:
    return [*(Option(f"{t.position}. {shorten(t.title)}", str(t.id))
              for t in await _tasks(ctx, answers)),
            *picker_exits(ctx, back="action")]


async def _fields(ctx: Context, answers: TaskAdminAnswers) -> list[Option]:
    return [Option(ctx.t(f"taskadmin.field_{name}"), name)
            for name in ("title", "description", "deadline", "units")]


async def _value_prompt(ctx: Context, answers: TaskAdminAnswers) -> str:
    field = answers.field
    return ctx.t(f"taskadmin.ask_{field}_value" if field in {"title", "description"}
                 else f"taskadmin.ask_{field}", **date_examples(ctx.today()))


async def _value_options(ctx: Context, answers: TaskAdminAnswers) -> list[Option]:
    field = answers.field
    if field == "deadline":
        return await _none_option(ctx, answers)
    return await _all_units(ctx, answers) if field == "units" else []


async def _value(ctx: Context, answers: TaskAdminAnswers, text: str) -> (
        str | Moment | tuple[str, ...]):
    field = answers.field
    if field == "deadline":
        return await moment_answer(ctx, answers, text)
    if field == "units":
        return await typed_units(ctx, answers, text)
    return await (required_text if field == "title" else optional_text)(ctx, answers, text)


async def _position(ctx: Context, answers: TaskAdminAnswers, text: str) -> int:
    count = len(await _tasks(ctx, answers))
    if not (text.strip().isascii() and text.strip().isdigit()
            and 1 <= int(text.strip()) <= count):
        raise InvalidAnswer("taskadmin.bad_position", count=count)
    return int(text.strip())


def _shown(ctx: Context, answers: TaskAdminAnswers, names: dict[str, str]) -> str:
    """The new value as the chair reads it back: ``17:00 Thứ Sáu, 15/12/2023``, the units'
    names (``names``: code → short name), not their codes."""
    value = answers.value
    if answers.field == "deadline":
        return _deadline_text(ctx, value if isinstance(value, Moment) else "none")
    if answers.field == "units" and value == ALL:
        return ctx.t("taskadmin.all_units")
    if isinstance(value, tuple):
        return ", ".join(names.get(code, code) for code in value)
    return value if isinstance(value, str) else ""


def _deadline_text(ctx: Context, value: Literal["none"] | Moment | None) -> str:
    """``Thứ Sáu, 15/12/2026 17:00``, or "no deadline"."""
    deadline = _deadline_of(ctx, value)
    return (format_deadline(deadline, ctx.zone, ctx.t) if deadline
            else ctx.t("taskadmin.no_deadline"))


async def _review(ctx: Context, answers: TaskAdminAnswers) -> str:
    task = next((t for t in await _tasks(ctx, answers) if t.id == answers.task), None)
    if answers.action == "deadline":
        period = await _reported_period(ctx, answers)
        return ctx.t("taskadmin.confirm_deadline",
                     period=escape(period.title if period else ""),
                     value=escape(_deadline_text(ctx, answers.r_deadline)))
    return ctx.t(f"taskadmin.confirm_{answers.action}",
                 title=escape(answers.title or answers.p_title or ""),
                 task=escape(f"{task.position}. {shorten(task.title, 80)}" if task else ""),
                 field=ctx.t(f"taskadmin.of_{answers.field or 'title'}"),
                 value=escape(_shown(ctx, answers, {
                     unit.code: unit.short_name
                     for unit in await ctx.repo.list_units(ctx.bloc.id)})),
                 position=answers.position if answers.position is not None else "")


async def _confirm_options(ctx: Context, answers: TaskAdminAnswers) -> list[Option]:
    return confirm_options(ctx, "taskadmin.save", yes="save", no="cancel")


def _confirm_route(answers: TaskAdminAnswers, value: Any) -> str:
    return FINISH if value == "save" else CANCEL


# -- doing it ---------------------------------------------------------------------------------

async def _unit_ids(ctx: Context, codes: object) -> list[int] | None:
    """The units named (``None``: every unit, as the chair chose)."""
    if codes == ALL:
        return None
    if not isinstance(codes, tuple) or not codes:  # never "every unit" by mistake
        raise TypeError(f"a units answer of an unexpected kind: {type(codes).__name__}")
    return [u.id for u in await ctx.repo.list_units(ctx.bloc.id) if u.code in codes]


def _deadline_of(ctx: Context, value: object) -> Deadline | None:
    return value.deadline(ctx.zone) if isinstance(value, Moment) else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


async def _apply(ctx: Context, answers: TaskAdminAnswers) -> str:
    repo, actor, now = ctx.repo, ctx.actor, ctx.now()
    action, task_id = answers.action, answers.task or 0
    if action == "add":
        period = await _working_period(ctx, answers)
        if period is None:
            return ctx.t("tasks.no_period")
        await repo.add_task(period_id=period.id, title=answers.title or "",
                            description=answers.description or None,
                            deadline=_deadline_of(ctx, answers.deadline),
                            unit_ids=await _unit_ids(ctx, answers.units),
                            actor=actor, now=now)
    elif action == "edit":
        field, value = answers.field, answers.value
        if field == "title":
            await repo.change_task(task_id, title=_text(value), actor=actor, now=now)
        elif field == "description":
            await repo.change_task(task_id, description=_text(value) or None, actor=actor,
                                   now=now)
        elif field == "deadline":
            await repo.change_task(task_id, deadline=_deadline_of(ctx, value), actor=actor,
                                   now=now)
        else:
            await repo.change_task(task_id, unit_ids=await _unit_ids(ctx, value), actor=actor,
                                   now=now)
    elif action == "move":
        await repo.move_task(task_id, answers.position or 1, actor=actor, now=now)
    elif action == "close":
        await repo.close_task(task_id, actor=actor, now=now)
    elif action == "deadline":
        period = await _reported_period(ctx, answers)
        if period is None:
            return ctx.t("tasks.no_period")
        await repo.set_report_deadline(period.id, _deadline_of(ctx, answers.r_deadline),
                                       actor=actor, now=now)
        return ctx.t("taskadmin.done_deadline", period=escape(period.title),
                     value=escape(_deadline_text(ctx, answers.r_deadline)))
    elif answers.p_start is not None and answers.p_end is not None:
        await repo.open_period(bloc_id=ctx.bloc.id, title=answers.p_title or "",
                               start=answers.p_start, end=answers.p_end,
                               deadline=_deadline_of(ctx, answers.p_deadline),
                               actor=actor, now=now)
    return ctx.t(f"taskadmin.done_{action}")


async def _finish(ctx: Context, answers: TaskAdminAnswers) -> None:
    ctx.reply(await _apply(ctx, answers))
    await ctx.reminders.plan()  # a new period or deadline changes the reminders
    refreshed = await ctx.posted_lists.refresh()
    if refreshed:
        ctx.reply(ctx.t("taskadmin.pinned_refreshed", count=refreshed))


TASK_ADMIN = router.form(Form(
    name="task_admin",
    answers=TaskAdminAnswers,
    steps=(
        Step("action", _menu, options=_actions, route=_action_route),
        Step("managed", "taskadmin.ask_managed", options=_periods, route=_managed_route,
             when=lambda answers: False),  # only when "switch" is picked
        Step("title", "taskadmin.ask_title", parse=required_text, when=_is("add")),
        Step("description", "taskadmin.ask_description", parse=optional_text,
             when=_is("add")),
        Step("deadline", "taskadmin.ask_deadline", options=_none_option, parse=moment_answer,
             when=_is("add")),
        Step("units", "taskadmin.ask_units", options=_all_units, parse=typed_units,
             when=_is("add")),
        Step("task", "taskadmin.ask_task", options=_task_options, when=_needs_task),
        Step("field", "taskadmin.ask_field", options=_fields, when=_is("edit")),
        Step("value", _value_prompt, options=_value_options, parse=_value, when=_is("edit")),
        Step("position", "taskadmin.ask_position", parse=_position, when=_is("move")),
        Step("p_title", "taskadmin.ask_period_title", parse=required_text, when=_is("period")),
        Step("p_start", "taskadmin.ask_period_start", parse=day_answer, when=_is("period")),
        Step("p_end", "taskadmin.ask_period_end", parse=_end_day, when=_is("period")),
        Step("r_deadline", "taskadmin.ask_report_deadline", options=_none_option,
             parse=moment_answer, when=_is("deadline")),
        Step("p_deadline", "taskadmin.ask_period_deadline", options=_none_option,
             parse=moment_answer, when=_is("period")),
        Step("confirm", _review, options=_confirm_options, route=_confirm_route,
             transient=True),
    ),
    finish=_finish,
))


@router.command("quanlynhiemvu", "managetasks", action=Action.MANAGE_TASKS,
                help_key="help.cmd_managetasks", private_only=True)
async def manage_tasks(ctx: Context) -> None:
    """Change the bloc's task list in chat."""
    await ctx.start_form(TASK_ADMIN)

