"""``/quanlynhiemvu`` (``/managetasks``): the chair keeps the task list in chat.

Add a task (title, description, deadline, the units it concerns), change one,
move it, close it, or open a new period. Every change is audited, wins over
later reloads of the bloc file, and is reflected at once in the pinned list.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.access import Action
from bot.domain.events import Option
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.forms import CANCEL, FINISH, Answers, Form, InvalidAnswer, Step
from bot.kernel.router import Router
from bot.kernel.steps import (
    confirm_options,
    day_answer,
    deadline_of,
    moment_answer,
    optional_text,
    required_text,
    typed_units,
)
from handlers._progress_views import shorten
from storage.records import Deadline, Period, Task

router = Router()

NONE = "none"
ALL = "all"


def _is(action: str) -> Any:
    return lambda answers: answers.get("action") == action


def _needs_task(answers: Answers) -> bool:
    return answers.get("action") in {"edit", "move", "close"}


async def _working_period(ctx: Context) -> Period | None:
    """The newest period: where a new task list is prepared (the current one until a new opens)."""
    periods = await ctx.repo.list_periods(ctx.bloc.id)
    return max(periods, key=lambda p: p.start) if periods else None


async def _tasks(ctx: Context) -> list[Task]:
    period = await _working_period(ctx)
    return await ctx.repo.list_tasks(period.id) if period else []


# -- answers ----------------------------------------------------------------------------------

async def _actions(ctx: Context, answers: Answers) -> list[Option]:
    return [Option(ctx.t(f"taskadmin.action_{name}"), name)
            for name in ("add", "edit", "move", "close", "period")]


async def _menu(ctx: Context, answers: Answers) -> str:
    period = await _working_period(ctx)
    return ctx.t("taskadmin.menu", period=escape(period.title) if period else "—")


async def _none_option(ctx: Context, answers: Answers) -> list[Option]:
    return [Option(ctx.t("taskadmin.no_deadline"), NONE)]


async def _end_day(ctx: Context, answers: Answers, text: str) -> str:
    end = await day_answer(ctx, answers, text)
    if end < str(answers.get("p_start", "")):
        raise InvalidAnswer("taskadmin.end_before_start")
    return end


async def _all_units(ctx: Context, answers: Answers) -> list[Option]:
    return [Option(ctx.t("taskadmin.all_units"), ALL)]


async def _task_options(ctx: Context, answers: Answers) -> list[Option]:
    return [Option(f"{t.position}. {shorten(t.title)}", str(t.id)) for t in await _tasks(ctx)]


async def _fields(ctx: Context, answers: Answers) -> list[Option]:
    return [Option(ctx.t(f"taskadmin.field_{name}"), name)
            for name in ("title", "description", "deadline", "units")]


async def _value_prompt(ctx: Context, answers: Answers) -> str:
    field = answers["field"]
    return ctx.t(f"taskadmin.ask_{field}_value" if field in {"title", "description"}
                 else f"taskadmin.ask_{field}")


async def _value_options(ctx: Context, answers: Answers) -> list[Option]:
    field = answers.get("field")
    if field == "deadline":
        return await _none_option(ctx, answers)
    return await _all_units(ctx, answers) if field == "units" else []


async def _value(ctx: Context, answers: Answers, text: str) -> str:
    field = answers["field"]
    if field == "deadline":
        return await moment_answer(ctx, answers, text)
    if field == "units":
        return await typed_units(ctx, answers, text)
    return await (required_text if field == "title" else optional_text)(ctx, answers, text)


async def _position(ctx: Context, answers: Answers, text: str) -> int:
    count = len(await _tasks(ctx))
    if not (text.strip().isascii() and text.strip().isdigit()
            and 1 <= int(text.strip()) <= count):
        raise InvalidAnswer("taskadmin.bad_position", count=count)
    return int(text.strip())


async def _review(ctx: Context, answers: Answers) -> str:
    action = answers["action"]
    task = next((t for t in await _tasks(ctx) if str(t.id) == answers.get("task")), None)
    return ctx.t(f"taskadmin.confirm_{action}",
                 title=escape(answers.get("title") or answers.get("p_title") or ""),
                 task=escape(f"{task.position}. {shorten(task.title, 80)}" if task else ""),
                 field=ctx.t(f"taskadmin.field_{answers.get('field', 'title')}"),
                 value=escape(str(answers.get("value", ""))), position=answers.get("position", ""))


async def _confirm_options(ctx: Context, answers: Answers) -> list[Option]:
    return confirm_options(ctx, "taskadmin.save", yes="save", no="cancel")


def _confirm_route(answers: Answers, value: Any) -> str:
    return FINISH if value == "save" else CANCEL


# -- doing it ---------------------------------------------------------------------------------

async def _unit_ids(ctx: Context, codes: str) -> list[int] | None:
    if not codes or codes == ALL:
        return None
    wanted = set(codes.split(","))
    return [u.id for u in await ctx.repo.list_units(ctx.bloc.id) if u.code in wanted]


def _deadline_of(ctx: Context, value: str | None) -> Deadline | None:
    if not value or value == NONE:
        return None
    return deadline_of(ctx, value)


async def _apply(ctx: Context, answers: Answers) -> str:
    repo, actor, now = ctx.repo, ctx.actor, ctx.now()
    action, task_id = answers["action"], int(answers.get("task") or 0)
    if action == "add":
        period = await _working_period(ctx)
        if period is None:
            return ctx.t("tasks.no_period")
        await repo.add_task(period_id=period.id, title=answers["title"],
                            description=answers.get("description") or None,
                            deadline=_deadline_of(ctx, answers.get("deadline")),
                            unit_ids=await _unit_ids(ctx, answers.get("units", ALL)),
                            actor=actor, now=now)
    elif action == "edit":
        field, value = answers["field"], answers["value"]
        if field == "title":
            await repo.change_task(task_id, title=value, actor=actor, now=now)
        elif field == "description":
            await repo.change_task(task_id, description=value or None, actor=actor, now=now)
        elif field == "deadline":
            await repo.change_task(task_id, deadline=_deadline_of(ctx, value), actor=actor,
                                   now=now)
        else:
            await repo.change_task(task_id, unit_ids=await _unit_ids(ctx, value), actor=actor,
                                   now=now)
    elif action == "move":
        await repo.move_task(task_id, int(answers["position"]), actor=actor, now=now)
    elif action == "close":
        await repo.close_task(task_id, actor=actor, now=now)
    else:
        await repo.open_period(bloc_id=ctx.bloc.id, title=answers["p_title"],
                               start=date.fromisoformat(answers["p_start"]),
                               end=date.fromisoformat(answers["p_end"]),
                               deadline=_deadline_of(ctx, answers.get("p_deadline")),
                               actor=actor, now=now)
    return ctx.t(f"taskadmin.done_{action}")


async def _finish(ctx: Context, answers: Answers) -> None:
    ctx.reply(await _apply(ctx, answers))
    await ctx.reminders.plan()  # a new period or deadline changes the reminders
    refreshed = await ctx.posted_lists.refresh()
    if refreshed:
        ctx.reply(ctx.t("taskadmin.pinned_refreshed", count=refreshed))


TASK_ADMIN = router.form(Form(
    name="task_admin",
    steps=(
        Step("action", _menu, options=_actions),
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

