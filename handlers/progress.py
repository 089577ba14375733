"""``/capnhat`` (``/update``): a unit's contact reports progress on a task, guided step by step.

Task → status → (help needed, when blocked) → percent (unless done or not
started) → what was done → attachments → summary with *Gửi* / *Sửa* / *Hủy*.
``/capnhat 3 80% Đã tổ chức hội thảo`` fills the form in one line and goes
straight to the summary. The chair or deputy picks a unit first and reports on
its behalf.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationError

from bot.domain import reporting
from bot.domain.access import MANAGERS, Action
from bot.domain.events import InboundFile, Option
from bot.domain.periods import format_moment
from bot.domain.text import escape, shorten
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from bot.kernel.forms import CANCEL, FINISH, Form, InvalidAnswer, Step
from bot.kernel.router import Router
from bot.kernel.steps import (
    attach_file,
    files_received,
    picker_exits,
    required_text,
    typed_unit,
    unit_options,
)
from handlers._progress_views import ReportDraft, period_tasks, status_text, summary, task_label
from storage.records import ProgressStatus

router = Router()

EDITABLE = ("task", "status", "help", "percent", "note", "files")


class UpdateAnswers(ReportDraft):
    """``/capnhat``: a report being written (a draft kept 48 h when left)."""

    files: Literal["done", "clear"] | None = None


# -- options and answers ----------------------------------------------------------------------

async def _tasks(ctx: Context, answers: UpdateAnswers) -> list[Option]:
    _, tasks = await period_tasks(ctx)
    unit_id = answers.unit or 0
    latest = await ctx.repo.latest_updates(unit_id, [t.id for t in tasks])
    # the chair and deputy picked the unit first: they may go back to it
    back = "unit" if ctx.role in MANAGERS else None
    return [*(Option(task_label(ctx, task, latest.get(task.id)), str(task.id))
              for task in tasks if task.concerns(unit_id)), *picker_exits(ctx, back=back)]


async def _statuses(ctx: Context, answers: Answers) -> list[Option]:
    return [Option(ctx.t(f"progress.status_{status.value}"), status.value)
            for status in reporting.STATUS_ORDER]


async def _percent(ctx: Context, answers: Answers, text: str) -> int:
    try:
        return reporting.parse_percent(text)
    except reporting.PercentError:
        raise InvalidAnswer("progress.bad_percent", value=escape(text[:50])) from None


def _asks_percent(answers: UpdateAnswers) -> bool:
    return (answers.status or ProgressStatus.IN_PROGRESS) in reporting.ASKS_PERCENT


async def _files_prompt(ctx: Context, answers: UpdateAnswers) -> str:
    return files_received(ctx, ctx.t("progress.ask_files"), answers.attachments)


async def _files_options(ctx: Context, answers: UpdateAnswers) -> list[Option]:
    options = [Option(ctx.t("progress.files_done"), "done")]
    if answers.attachments:
        options.append(Option(ctx.t("progress.files_clear"), "clear"))
    return options


async def _files_typed(ctx: Context, answers: UpdateAnswers, text: str) -> str:
    raise InvalidAnswer("progress.files_please")


async def _accept_file(ctx: Context, answers: UpdateAnswers, file: InboundFile) -> None:
    answers.attachments = attach_file(ctx, answers.attachments, file)


def _files_route(answers: UpdateAnswers, value: Any) -> str | None:
    if value == "clear":
        answers.attachments = []
        answers.forget("files")
        return "files"
    return None


async def _review(ctx: Context, answers: UpdateAnswers) -> str:
    return await summary(ctx, answers, heading="progress.summary_title")


async def _confirm_options(ctx: Context, answers: UpdateAnswers) -> list[Option]:
    return [Option(ctx.t("progress.submit"), "submit"), Option(ctx.t("progress.edit"), "edit"),
            Option(ctx.t("progress.cancel"), "cancel")]


def _confirm_route(answers: UpdateAnswers, value: Any) -> str:
    return {"submit": FINISH, "edit": "edit", "cancel": CANCEL}[str(value)]


async def _edit_options(ctx: Context, answers: UpdateAnswers) -> list[Option]:
    status = answers.status or ProgressStatus.IN_PROGRESS
    shown = [name for name in EDITABLE
             if (name != "help" or status is ProgressStatus.BLOCKED)
             and (name != "percent" or status in reporting.ASKS_PERCENT)]
    return [Option(ctx.t(f"progress.field_{name}"), name) for name in shown]


def _edit_route(answers: UpdateAnswers, value: Any) -> str:
    answers.forget(str(value))  # asked again; the steps it implies follow, then the summary
    if value == "status":  # a new status needs its own percent and, if blocked, its help
        answers.forget("percent", "help")
    return str(value)


# -- the form ---------------------------------------------------------------------------------

EDIT = Step("edit", "progress.ask_edit", options=_edit_options, route=_edit_route,
            transient=True, when=lambda a: False)
"""Which answer to change: only reached from the summary, or from an update opened again."""


async def edit_update(ctx: Context, report: ReportDraft) -> None:
    """Open a stored update's answers to change one of them (it becomes a new version)."""
    answers = UpdateAnswers.model_validate(report.model_dump())
    answers.files = "done"
    await ctx.start_form(UPDATE, answers, at=EDIT)


async def _finish(ctx: Context, answers: UpdateAnswers) -> None:
    member = ctx.member
    if member is None:
        ctx.reply(ctx.t("progress.register_first"))
        return
    unit_id, task_id = answers.unit or 0, answers.task or 0
    if ctx.role not in MANAGERS and unit_id != member.unit_id:
        ctx.reply(ctx.t("progress.not_your_unit"))  # a contact reports for their own unit only
        return
    period, tasks = await period_tasks(ctx)
    task = next((t for t in tasks if t.id == task_id), None)
    unit = await ctx.repo.get_unit(unit_id)
    if task is None or unit is None or period is None or not task.concerns(unit_id):
        ctx.reply(ctx.t("progress.task_gone"))
        return
    status = answers.status or ProgressStatus.IN_PROGRESS
    stored = await ctx.repo.record_update(reporting.new_report(
        member=member, unit_id=unit_id, task_id=task_id, status=status,
        percent=answers.percent, note=answers.note or "", help_needed=answers.help,
        attachments=tuple(answers.attachments),
    ), ctx.now())
    ctx.reply(ctx.t("progress.recorded", number=stored.id, task=task.position,
                    unit=escape(unit.short_name),
                    time=format_moment(stored.created_at, ctx.zone),
                    status=status_text(ctx, stored.status, stored.percent)))
    group = ctx.bloc.groups.get(ctx.event.channel)
    if ctx.bloc.announce_updates and group:
        group_language = ctx.group_language  # a group reads the bloc's language
        status_line = status_text(ctx, stored.status, stored.percent, lang=group_language)
        ctx.reply(ctx.t("progress.announce", lang=group_language, unit=escape(unit.name),
                        task=task.position, status=status_line), chat_id=group)
    latest = await ctx.repo.latest_updates(unit_id, [t.id for t in tasks])
    following = reporting.next_unreported([t for t in tasks if t.concerns(unit_id)], latest,
                                         after=task_id)
    if following is None:
        ctx.reply(ctx.t("progress.all_reported"))
        return
    await ctx.start_form(UPDATE_MORE, MoreAnswers(unit=unit_id, following=following.id))


UPDATE = router.form(Form(
    name="update",
    answers=UpdateAnswers,
    steps=(
        Step("unit", "progress.ask_unit", options=unit_options(), parse=typed_unit),
        Step("task", "progress.ask_task", options=_tasks),
        Step("status", "progress.ask_status", options=_statuses),
        Step("help", "progress.ask_help", parse=required_text,
             when=lambda a: a.status is ProgressStatus.BLOCKED),
        Step("percent", "progress.ask_percent", parse=_percent, when=_asks_percent),
        Step("note", "progress.ask_note", parse=required_text),
        Step("files", _files_prompt, options=_files_options, parse=_files_typed,
             accept_file=_accept_file, route=_files_route),
        Step("confirm", _review, options=_confirm_options, route=_confirm_route, transient=True),
        EDIT,
    ),
    finish=_finish,
    resume_hint="progress.resume_hint",
))


class MoreAnswers(Answers):
    """After a report: the offer to report the next task not yet reported."""

    unit: int | None = None
    following: int | None = None  # the task offered
    next: int | Literal["later"] | None = None


async def _more_prompt(ctx: Context, answers: MoreAnswers) -> str:
    return ctx.t("progress.ask_more")


async def _more_options(ctx: Context, answers: MoreAnswers) -> list[Option]:
    _, tasks = await period_tasks(ctx)
    following = next((t for t in tasks if t.id == answers.following), None)
    options = [Option(ctx.t("progress.later"), "later")]
    if following is not None:
        label = ctx.t("progress.next_task", number=following.position,
                      title=shorten(following.title))
        options.insert(0, Option(label, str(following.id)))
    return options


async def _more_finish(ctx: Context, answers: MoreAnswers) -> None:
    if answers.next == "later" or answers.next is None:
        ctx.reply(ctx.t("progress.see_you"))
        return
    await ctx.start_form(UPDATE, UpdateAnswers(unit=answers.unit, task=answers.next))


UPDATE_MORE = router.form(Form(
    name="update_more",
    answers=MoreAnswers,
    steps=(Step("next", _more_prompt, options=_more_options),),
    finish=_more_finish,
    browse=True,  # typing something else simply leaves the offer
))


class ResumeAnswers(Answers):
    """A draft was kept: continue it, or start over."""

    resume: Literal["resume", "new"] | None = None


async def _resume_options(ctx: Context, answers: ResumeAnswers) -> list[Option]:
    return [Option(ctx.t("progress.resume_draft"), "resume"),
            Option(ctx.t("progress.start_over"), "new")]


async def _resume_finish(ctx: Context, answers: ResumeAnswers) -> None:
    channel, user = ctx.event.channel, ctx.event.user_id
    draft = await ctx.repo.load_draft(channel, user, "update")
    await ctx.repo.delete_draft(channel, user, "update")
    if answers.resume == "resume" and draft is not None:
        step, saved = draft
        try:
            kept = UpdateAnswers.model_validate(saved)
        except ValidationError:  # a draft an earlier version kept, which no longer fits
            ctx.reply(ctx.t("dialog.gone"))
        else:
            ctx.reply(ctx.t("progress.resuming"))
            await ctx.start_form(UPDATE, kept, at=UPDATE.step(step or ""))
            return
    await ctx.start_form(UPDATE, _own_unit(ctx))


UPDATE_RESUME = router.form(Form(
    name="update_resume",
    answers=ResumeAnswers,
    steps=(Step("resume", "progress.ask_resume", options=_resume_options),),
    finish=_resume_finish,
))


# -- the command ------------------------------------------------------------------------------

def _own_unit(ctx: Context) -> UpdateAnswers:
    """Contacts report for their own unit; the chair and deputy are asked which unit."""
    if ctx.role in MANAGERS or ctx.member is None or ctx.member.unit_id is None:
        return UpdateAnswers()
    return UpdateAnswers(unit=ctx.member.unit_id)


@router.command("capnhat", "update", action=Action.REPORT, help_key="help.cmd_update",
                private_only=True)
async def start_update(ctx: Context) -> None:
    """Start (or continue) a progress update; ``/capnhat 3 80% note`` fills it in one line."""
    if ctx.member is None:
        ctx.reply(ctx.t("progress.register_first"))
        return
    if ctx.role not in MANAGERS and ctx.member.unit_id is None:
        ctx.reply(ctx.t("common.no_unit"))
        return
    _, tasks = await period_tasks(ctx)
    if not tasks:
        ctx.reply(ctx.t("progress.no_tasks"))
        return
    answers = _own_unit(ctx)
    if ctx.args:
        own = answers.unit
        quick = reporting.parse_quick_update(
            ctx.args, [t for t in tasks if own is None or t.concerns(own)])
        if quick.task is not None:
            answers.task = quick.task.id
        answers.status, answers.percent = quick.status, quick.percent
        answers.note, answers.help = quick.note, quick.help_needed
        if quick.problems:  # said what cannot be taken, and why, instead of dropping it
            ctx.reply(ctx.t("progress.quick_problems", problems="; ".join(
                ctx.t(problem.key, **{k: escape(str(v)) for k, v in problem.values})
                for problem in quick.problems)))
        elif quick.complete:
            answers.files = "done"
        else:
            ctx.reply(ctx.t("progress.quick_incomplete"))
        await ctx.start_form(UPDATE, answers)
        return
    if ctx.dialog.form == "update":
        ctx.reply(ctx.t("progress.continuing"))
        await ctx.ask_again()
        return
    if await ctx.repo.load_draft(ctx.event.channel, ctx.event.user_id, "update") is not None:
        await ctx.start_form(UPDATE_RESUME)
        return
    await ctx.start_form(UPDATE, answers)
