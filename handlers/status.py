"""``/tinhhinh`` (``/status``): the bloc at a glance, then one unit, one task, one history.

The chair, deputy and liaison see every unit; a contact sees their own unit.
"""

from __future__ import annotations

from typing import Any

from bot.domain.access import Action, may
from bot.domain.events import FileRef, Option
from bot.domain.text import escape, shorten
from bot.kernel.answers import Answers, Nav
from bot.kernel.context import Context
from bot.kernel.forms import FINISH, Form, Step
from bot.kernel.router import Router
from bot.kernel.steps import (
    and_close,
    back_option,
    back_or_close,
    close_option,
    picker_exits,
    typed_unit,
    unit_options,
)
from bot.services.status import BlocStatus
from handlers._bloc_views import comparison, follows_every_bloc
from handlers._status_views import (
    current_status,
    detail_view,
    history_view,
    overview,
    task_view,
    unit_view,
)
from storage.records import ProgressUpdate, Task, Unit

router = Router()


class StatusAnswers(Answers):
    """``/tinhhinh``: what the person has opened: a unit (and one of its tasks), or a task."""

    unit: int | None = None
    own: bool = False  # a contact, who sees only their own unit
    unit_view: int | Nav | None = None  # the task opened from the unit's view
    task: int | None = None


async def _picked(ctx: Context, answers: StatusAnswers) -> tuple[
        BlocStatus, Unit | None, Task | None, ProgressUpdate | None]:
    """The status, and the unit, task and latest update the person has opened (if any)."""
    status = await current_status(ctx)
    unit = next((u for u in status.units if u.id == answers.unit), None)
    task_id = answers.unit_view if isinstance(answers.unit_view, int) else answers.task
    task = next((t for t in status.tasks if t.id == task_id), None)
    update = status.latest.get((unit.id, task.id)) if unit and task else None
    return status, unit, task, update


# -- the overview -----------------------------------------------------------------------------

async def _overview(ctx: Context, answers: StatusAnswers) -> str:
    return overview(ctx, await current_status(ctx))


async def _menu_options(ctx: Context, answers: StatusAnswers) -> list[Option]:
    return and_close(ctx, [Option(ctx.t("status.open_unit"), "unit"),
                           Option(ctx.t("status.open_task"), "task")])


def _menu_route(answers: StatusAnswers, value: Any) -> str:
    return FINISH if value == "close" else str(value)


# -- one unit ---------------------------------------------------------------------------------

async def _unit_view(ctx: Context, answers: StatusAnswers) -> str:
    status, unit, _, _ = await _picked(ctx, answers)
    return unit_view(ctx, status, unit) if unit else ctx.t("common.gone")


async def _unit_options(ctx: Context, answers: StatusAnswers) -> list[Option]:
    status, unit, _, _ = await _picked(ctx, answers)
    options = [] if unit is None else [
        Option(ctx.t("status.see_more", number=task.position, title=shorten(task.title, 32)),
               str(task.id))
        for task, update in status.unit_updates(unit.id) if update is not None]
    return [*options, *([] if answers.own else [back_option(ctx)]), close_option(ctx)]


def _unit_route(answers: StatusAnswers, value: Any) -> str:
    if value == "close":
        return FINISH
    if value == "back":
        answers.forget("unit", "unit_view")
        return "unit"
    return "detail"


# -- one unit × task, its files and history ---------------------------------------------------

async def _detail(ctx: Context, answers: StatusAnswers) -> str:
    _, unit, task, update = await _picked(ctx, answers)
    if unit is None or task is None or update is None:
        return ctx.t("common.gone")
    return detail_view(ctx, unit, task, update)


async def _detail_options(ctx: Context, answers: StatusAnswers) -> list[Option]:
    _, unit, task, update = await _picked(ctx, answers)
    options = []
    if update is not None and update.attachments:
        options.append(Option(ctx.t("status.resend_files", count=len(update.attachments)),
                              "files"))
    if update is not None and unit is not None and task is not None:
        versions = len(await ctx.repo.update_history(unit.id, task.id))
        options.append(Option(ctx.t("status.history", count=versions), "history"))
    return [*options, back_option(ctx), close_option(ctx)]


def _detail_route(answers: StatusAnswers, value: Any) -> str:
    if value == "back":
        answers.forget("unit_view")
        return "unit_view"
    return FINISH if value == "close" else str(value)


async def _files(ctx: Context, answers: StatusAnswers) -> str:
    _, _, _, update = await _picked(ctx, answers)
    attachments = update.attachments if update else ()
    for item in attachments:
        ctx.reply(escape(item.name or ""), attachment=FileRef(item.channel, item.file_id,
                                                              item.kind, item.name))
    return ctx.t("status.files_sent", count=len(attachments))


async def _history(ctx: Context, answers: StatusAnswers) -> str:
    _, unit, task, _ = await _picked(ctx, answers)
    if unit is None or task is None:
        return ctx.t("common.gone")
    return history_view(ctx, unit, task, await ctx.repo.update_history(unit.id, task.id))


def _to_detail(answers: StatusAnswers, value: Any) -> str:
    return FINISH if value == "close" else "detail"


# -- one task ---------------------------------------------------------------------------------

async def _tasks(ctx: Context, answers: StatusAnswers) -> list[Option]:
    status = await current_status(ctx)
    return [*(Option(f"{task.position}. {shorten(task.title)}", str(task.id))
              for task in status.tasks), *picker_exits(ctx, back="menu")]


async def _task_view(ctx: Context, answers: StatusAnswers) -> str:
    status, _, task, _ = await _picked(ctx, answers)
    return task_view(ctx, status, task) if task else ctx.t("common.gone")


def _task_route(answers: StatusAnswers, value: Any) -> str:
    if value == "back":
        answers.forget("task")
        return "task"
    return FINISH


async def _finish(ctx: Context, answers: StatusAnswers) -> None:
    ctx.reply(ctx.t("common.closed"))


MENU = Step("menu", _overview, options=_menu_options, route=_menu_route, transient=True)
UNIT_VIEW = Step("unit_view", _unit_view, options=_unit_options, route=_unit_route)
TASK = Step("task", "status.ask_task", options=_tasks)
TASK_VIEW = Step("task_view", _task_view, options=back_or_close, route=_task_route,
                 transient=True)

STATUS = router.form(Form(
    name="status",
    answers=StatusAnswers,
    steps=(
        MENU,
        Step("unit", "status.ask_unit", options=unit_options(back="menu"), parse=typed_unit),
        UNIT_VIEW,
        Step("detail", _detail, options=_detail_options, route=_detail_route, transient=True),
        Step("files", _files, options=back_or_close, route=_to_detail, transient=True),
        Step("history", _history, options=back_or_close, route=_to_detail, transient=True),
        TASK,
        TASK_VIEW,
    ),
    finish=_finish,
    browse=True,
))


async def open_status(ctx: Context, *, unit_id: int | None = None,
                      task_id: int | None = None) -> None:
    """Open the status views: the overview, or straight at a unit or a task."""
    if not may(ctx.role, Action.SEE_ALL):
        if ctx.member is None or ctx.member.unit_id is None:
            ctx.reply(ctx.t("common.no_unit"))
            return
        await ctx.start_form(STATUS, StatusAnswers(unit=ctx.member.unit_id, own=True),
                             at=UNIT_VIEW)
    elif unit_id is not None:
        await ctx.start_form(STATUS, StatusAnswers(unit=unit_id), at=UNIT_VIEW)
    elif task_id is not None:
        await ctx.start_form(STATUS, StatusAnswers(task=task_id), at=TASK_VIEW)
    else:
        await ctx.start_form(STATUS, StatusAnswers(), at=MENU)


async def ask_which_task(ctx: Context) -> None:
    """Open the status views at the list of tasks (a question named no task)."""
    await ctx.start_form(STATUS, StatusAnswers(), at=TASK)


@router.command("tinhhinh", "status", action=Action.SEE_OWN_UNIT, help_key="help.cmd_status",
                private_only=True)
async def show_status(ctx: Context) -> None:
    """The chair's overview; a contact's own unit; for the ministry's liaison, the blocs side
    by side first, then the bloc they look at."""
    if follows_every_bloc(ctx) and len(ctx.served_blocs) > 1:
        ctx.reply(await comparison(ctx))
    await open_status(ctx)
