"""``/cuatoi`` (``/mine``): the unit's latest update per task; open one to edit or withdraw it."""

from __future__ import annotations

from typing import Any, Literal

from bot.domain import reporting
from bot.domain.access import Action
from bot.domain.events import Option
from bot.domain.text import escape, shorten
from bot.kernel.answers import Answers, Nav
from bot.kernel.context import Context
from bot.kernel.forms import FINISH, Form, Step
from bot.kernel.router import Router
from bot.kernel.steps import and_close, confirm_options
from handlers._progress_views import ReportDraft, local_time, period_tasks, task_label, update_body
from handlers.progress import edit_update
from storage.records import ProgressUpdate

router = Router()


class MineAnswers(Answers):
    """``/cuatoi``: the unit's reports, one opened."""

    unit: int
    pick: int | Literal["close"] | None = None  # the report opened
    action: Literal["edit", "withdraw"] | Nav | None = None


async def _latest(ctx: Context, answers: MineAnswers) -> dict[int, ProgressUpdate]:
    _, tasks = await period_tasks(ctx)
    return await ctx.repo.latest_updates(answers.unit, [t.id for t in tasks])


async def _overview(ctx: Context, answers: MineAnswers) -> str:
    unit = await ctx.repo.get_unit(answers.unit)
    period, tasks = await period_tasks(ctx)
    latest = await _latest(ctx, answers)
    lines = [ctx.t("mine.title", unit=escape(unit.short_name if unit else "?"),
                   period=escape(period.title if period else ""))]
    for task in (t for t in tasks if t.concerns(answers.unit)):  # the unit's own tasks
        update = latest.get(task.id)
        lines.append(escape(task_label(ctx, task, update)))
        if update is not None:
            lines.append(ctx.t("mine.by", name=escape(update.author_name),
                               time=local_time(ctx, update), number=update.id))
    lines += ["", ctx.t("mine.pick")]
    return "\n".join(lines)


async def _pick_options(ctx: Context, answers: MineAnswers) -> list[Option]:
    _, tasks = await period_tasks(ctx)
    latest = await _latest(ctx, answers)
    options = [Option(ctx.t("mine.open", number=task.position, title=shorten(task.title, 40)),
                      str(latest[task.id].id))
               for task in tasks if task.id in latest]
    return and_close(ctx, options)


def _pick_route(answers: MineAnswers, value: Any) -> str | None:
    return FINISH if value == "close" else None


async def _chosen(ctx: Context, answers: MineAnswers) -> ProgressUpdate | None:
    if not isinstance(answers.pick, int):
        return None
    update = await ctx.repo.get_update(answers.pick)
    if update is None or update.unit_id != answers.unit:
        return None  # never another unit's update, whatever a crafted button says
    return update


async def _detail(ctx: Context, answers: MineAnswers) -> str:
    update = await _chosen(ctx, answers)
    if update is None:
        return ctx.t("mine.gone")
    _, tasks = await period_tasks(ctx)
    task = next((t for t in tasks if t.id == update.task_id), None)
    history = await ctx.repo.update_history(update.unit_id, update.task_id)
    lines = [
        ctx.t("mine.detail_title", number=task.position if task else "?",
              title=escape(task.title if task else "")),
        *update_body(ctx, update),
    ]
    lines.append(ctx.t("mine.version", version=update.version, versions=len(history),
                       name=escape(update.author_name), time=local_time(ctx, update)))
    if update.on_behalf:
        lines.append(ctx.t("mine.on_behalf"))
    return "\n".join(lines)


async def _action_options(ctx: Context, answers: MineAnswers) -> list[Option]:
    update = await _chosen(ctx, answers)
    options = [Option(ctx.t("mine.edit"), "edit")] if update else []
    if update is not None and reporting.can_withdraw(update, ctx.now()):
        options.append(Option(ctx.t("mine.withdraw"), "withdraw"))
    return and_close(ctx, options, back=True)


def _action_route(answers: MineAnswers, value: Any) -> str | None:
    if value == "back":
        answers.forget("pick", "action")  # the next update opened gets its own choice
        return "pick"
    return "confirm_withdraw" if value == "withdraw" else FINISH


async def _withdraw_review(ctx: Context, answers: MineAnswers) -> str:
    """What withdrawing takes back, before it is done."""
    update = await _chosen(ctx, answers)
    if update is None:
        return ctx.t("mine.gone")
    _, tasks = await period_tasks(ctx)
    task = next((t for t in tasks if t.id == update.task_id), None)
    return ctx.t("mine.confirm_withdraw", number=update.id,
                 task=escape(f"{task.position}. {shorten(task.title, 60)}" if task else "?"))


async def _withdraw_options(ctx: Context, answers: MineAnswers) -> list[Option]:
    return confirm_options(ctx, "mine.withdraw", "common.back")


def _withdraw_route(answers: MineAnswers, value: Any) -> str:
    if value == "no":
        answers.forget("action")
        return "action"
    return FINISH


async def _finish(ctx: Context, answers: MineAnswers) -> None:
    if answers.pick == "close" or answers.action == "close":
        ctx.reply(ctx.t("common.closed"))
        return
    update = await _chosen(ctx, answers)
    if update is None:
        ctx.reply(ctx.t("mine.gone"))
        return
    if answers.action == "withdraw":
        if ctx.member is None or not reporting.can_withdraw(update, ctx.now()):
            ctx.reply(ctx.t("mine.too_late"))
            return
        await ctx.repo.withdraw_update(update.id, ctx.member.id, ctx.now())
        ctx.reply(ctx.t("mine.withdrawn", number=update.id))
        return
    ctx.reply(ctx.t("mine.editing", number=update.id))
    await edit_update(ctx, ReportDraft.of(update))


MINE = router.form(Form(
    name="mine",
    answers=MineAnswers,
    steps=(
        Step("pick", _overview, options=_pick_options, route=_pick_route),
        Step("action", _detail, options=_action_options, route=_action_route),
        Step("confirm_withdraw", _withdraw_review, options=_withdraw_options,
             route=_withdraw_route, transient=True, when=lambda a: False),
    ),
    finish=_finish,
))


@router.command("cuatoi", "mine", action=Action.REPORT, help_key="help.cmd_mine",
                private_only=True)
async def my_updates(ctx: Context) -> None:
    """Show the unit's updates this period and offer to open one."""
    if ctx.member is None or ctx.member.unit_id is None:
        ctx.reply(ctx.t("common.no_unit"))
        return
    await ctx.start_form(MINE, MineAnswers(unit=ctx.member.unit_id))
