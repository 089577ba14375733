"""Plain-language questions from the chair, deputy or liaison: no command needed.

"đơn vị nào chưa báo cáo?", "tiến độ nhiệm vụ 3", "viện sở hữu trí tuệ làm đến đâu rồi",
and of the year "đơn vị nào chưa ký giao ước?", "xếp hạng hiện nay thế nào?"… are read by
the offline parser in :mod:`bot.domain.questions` and answered with the matching view. A
question it cannot place gets suggestions, never silence.
"""

from __future__ import annotations

from bot.domain.access import Action
from bot.domain.periods import format_deadline
from bot.domain.questions import Intent, parse_question
from bot.domain.text import escape, fold
from bot.domain.unit_names import UnitRef
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.status import BlocStatus
from config.bloc import ConferenceKind
from handlers._bloc_views import follows_every_bloc, named_bloc
from handlers._conference_views import (
    ANSWERS,
    conference_list,
    liaison_lines,
    upcoming_conferences,
)
from handlers._status_views import (
    blocked_lines,
    completeness_line,
    current_status,
    deadline_line,
    missing_lines,
    overdue_lines,
)
from handlers._year_answers import (
    covenant_answer,
    scoring_answer,
    unit_score_answer,
)
from handlers.ranking import show_ranking
from handlers.status import ask_which_task, open_status
from storage.records import Conference

router = Router()


def _not_reported(ctx: Context, status: BlocStatus) -> None:
    silent = missing_lines(ctx, status)
    if not status.tasks:
        ctx.reply(ctx.t("status.no_tasks"))
        return
    if not silent:
        ctx.reply(ctx.t("questions.all_reported", total=status.concerned_units))
        return
    lines = [ctx.t("questions.not_reported", count=len(silent),
                   total=status.concerned_units)]
    if (deadline := deadline_line(ctx, status)) is not None:
        lines.append(deadline)
    ctx.reply("\n".join([*lines, *silent]))


def _late(ctx: Context, status: BlocStatus) -> None:
    """Units late with the period's report, then tasks late against their own deadline."""
    overdue = overdue_lines(ctx, status)
    tail = ["", ctx.t("status.overdue_title", count=len(overdue)), *overdue] if overdue else []
    left = status.days_left(ctx.zone)
    if left is None or not status.deadline_passed(ctx.now()):
        line = deadline_line(ctx, status) or ctx.t("questions.no_deadline")
        ctx.reply("\n".join([ctx.t("questions.not_late_yet", deadline=line,
                                   count=len(status.incomplete)), *tail]))
        return
    silent = missing_lines(ctx, status)
    if not silent:
        ctx.reply("\n".join([ctx.t("status.no_tasks") if not status.tasks
                             else ctx.t("questions.all_reported", total=status.concerned_units),
                             *tail]))
        return
    title = (ctx.t("questions.late", count=len(silent), days=-left) if left < 0
             else ctx.t("questions.late_today", count=len(silent)))
    ctx.reply("\n".join([title, *silent, *tail]))


def _overdue(ctx: Context, status: BlocStatus) -> None:
    """The tasks past their own deadline, and who has not reported each done."""
    if not status.tasks:
        ctx.reply(ctx.t("status.no_tasks"))
        return
    overdue = overdue_lines(ctx, status)
    if not overdue:
        dated = sum(1 for task in status.tasks if task.deadline is not None)
        ctx.reply(ctx.t("questions.none_overdue", dated=dated, total=len(status.tasks)))
        return
    ctx.reply("\n".join([ctx.t("status.overdue_title", count=len(overdue)), *overdue]))


def _reported(ctx: Context, status: BlocStatus) -> None:
    """How many units have reported, which in full, which in part."""
    if not status.tasks:
        ctx.reply(ctx.t("status.no_tasks"))
        return
    lines = [completeness_line(ctx, status)]
    if status.complete_units:
        lines += [ctx.t("questions.complete_title"),
                  *(ctx.t("questions.unit_item", unit=escape(unit.short_name))
                    for unit in status.complete_units)]
    partial = [line for line, p in zip(missing_lines(ctx, status), status.incomplete,
                                       strict=True) if p.partial]
    if partial:
        lines += [ctx.t("questions.partial_title"), *partial]
    ctx.reply("\n".join(lines))


def _deadline(ctx: Context, status: BlocStatus) -> None:
    """When the period's report is due, and how far the units are."""
    if status.period is None:
        ctx.reply(ctx.t("tasks.no_period"))
        return
    ctx.reply("\n".join([deadline_line(ctx, status) or ctx.t("questions.no_deadline"),
                         completeness_line(ctx, status)]))


_KINDS = {ConferenceKind.MIDYEAR: "so ket", ConferenceKind.YEAR_END: "tong ket"}


async def _asked_conferences(ctx: Context) -> list[Conference]:
    """The conferences ahead, those of the kind the question names first ("sơ kết")."""
    ahead = await upcoming_conferences(ctx)
    asked = fold(ctx.event.text or "")
    named = [c for c in ahead if (kind := _KINDS.get(ConferenceKind(c.kind))) and kind in asked]
    return named or ahead


async def _conference(ctx: Context) -> None:
    """When and where the conference asked about is (the next one if none is named)."""
    ctx.reply(conference_list(ctx, await _asked_conferences(ctx)))


async def _attendance(ctx: Context, status: BlocStatus) -> None:
    """Who comes to the conference asked about, in counts, and who has not answered."""
    conferences = await _asked_conferences(ctx)
    if not conferences:
        ctx.reply(ctx.t("conferences.none"))
        return
    conference = conferences[0]
    given = await ctx.repo.attendance(conference.id)
    counts = {answer: sum(1 for a in given.values() if a.answer == answer) for answer in ANSWERS}
    silent = [unit for unit in status.units if unit.id not in given]
    lines = [ctx.t("questions.attendance", title=escape(conference.title),
                   when=format_deadline(conference.starts, ctx.zone, ctx.t),
                   attend=counts["attend"], delegate=counts["delegate"],
                   absent=counts["absent"], silent=len(silent), total=len(status.units))]
    if silent:
        lines += [ctx.t("questions.not_confirmed", count=len(silent)),
                  *(ctx.t("questions.unit_item", unit=escape(unit.short_name))
                    for unit in silent)]
    ctx.reply("\n".join([*lines, *await liaison_lines(ctx, conference)]))


def _blocked(ctx: Context, status: BlocStatus) -> None:
    lines = blocked_lines(ctx, status)
    ctx.reply("\n".join([ctx.t("status.blocked_title"), *lines]) if lines
              else ctx.t("questions.none_blocked"))


@router.fallback(Action.SEE_ALL)
async def answer_question(ctx: Context) -> None:
    """Answer a typed question with the view it asks for (the ministry's liaison may name
    the bloc: "khối văn phòng viện tiến độ thế nào?")."""
    text = ctx.event.text or ""
    named = named_bloc(ctx.served_blocs, text) if follows_every_bloc(ctx) \
        and len(ctx.served_blocs) > 1 else None
    if named is None:
        await _answer(ctx, text)
        return
    bloc, rest = named  # this question is about that bloc
    with ctx.looking_at(bloc):
        await _answer(ctx, rest)


async def _answer(ctx: Context, text: str) -> None:
    status = await current_status(ctx)
    refs = [UnitRef.of(unit) for unit in status.units]
    question = parse_question(text, refs, len(status.tasks))
    unit = next((u for u in status.units if u.code == question.unit_code), None)
    task = next((t for t in status.tasks if t.position == question.task_number), None)
    if question.intent is Intent.COVENANT:
        await covenant_answer(ctx, status.units, unit)
    elif question.intent is Intent.SCORING and unit is not None:
        await unit_score_answer(ctx, unit, status.units)
    elif question.intent is Intent.SCORING:
        await scoring_answer(ctx, status.units)
    elif question.intent is Intent.RANKING:
        await show_ranking(ctx)  # "xếp hạng hiện nay thế nào?"
    elif question.intent is Intent.UNIT_SCORE and unit is not None:
        await unit_score_answer(ctx, unit, status.units)
    elif question.intent is Intent.NOT_REPORTED:
        _not_reported(ctx, status)
    elif question.intent is Intent.REPORTED:
        _reported(ctx, status)
    elif question.intent is Intent.DEADLINE:
        _deadline(ctx, status)
    elif question.intent is Intent.CONFERENCE:
        await _conference(ctx)
    elif question.intent is Intent.ATTENDANCE:
        await _attendance(ctx, status)
    elif question.intent is Intent.OVERDUE:
        _overdue(ctx, status)
    elif question.intent is Intent.LATE:
        _late(ctx, status)
    elif question.intent is Intent.BLOCKED:
        _blocked(ctx, status)
    elif question.intent is Intent.UNIT and unit is not None:
        await open_status(ctx, unit_id=unit.id)
    elif question.intent is Intent.TASK and task is not None:
        await open_status(ctx, task_id=task.id)
    elif question.intent is Intent.TASK:
        await ask_which_task(ctx)
    elif question.intent is Intent.OVERVIEW:
        await open_status(ctx)
    else:
        hints = [ctx.t(f"questions.suggest_{intent.value}") for intent in question.suggestions]
        ctx.reply("\n".join([ctx.t("questions.unknown"), *hints]))
