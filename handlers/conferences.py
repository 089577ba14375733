"""``/hoinghi`` (``/meetings``): upcoming conferences; attendance; the chair schedules them.

Everyone sees the conferences ahead. A contact answers for their unit
(*Tham dự* / *Không tham dự* / *Cử người khác*, with the attendee's name and
position); the ministry's liaison, who belongs to no unit, answers for itself. The chair
or deputy schedules a conference, moves it or cancels it — everyone is told once, and its
reminders are planned again.
"""

from __future__ import annotations

from typing import Any, Literal

from bot.domain.access import Action, may
from bot.domain.events import Option, Reply
from bot.domain.periods import format_deadline
from bot.domain.text import escape, shorten
from bot.kernel.answers import Answers, Moment, Nav
from bot.kernel.context import Context
from bot.kernel.forms import CANCEL, FINISH, Form, InvalidAnswer, Step
from bot.kernel.router import Router
from bot.kernel.steps import (
    and_close,
    back_or_close,
    confirm_options,
    moment_answer,
    optional_text,
    required_text,
)
from bot.services.outbox import Outgoing
from config.bloc import ConferenceKind
from handlers._conference_views import (
    ANSWERS,
    answers_for_self,
    attendance_list,
    conference_list,
    describe_conference,
    upcoming_conferences,
)
from storage.records import Conference, Member, Role

router = Router()
Attendance = Literal["attend", "absent", "delegate"]


class ConferenceAnswers(Answers):
    """``/hoinghi``: a conference opened and what is done with it, or a new one."""

    pick: int | Literal["new", "close"] | None = None
    act: Attendance | Literal["list", "move", "cancel", "deadline"] | Nav | None = None
    delegate_name: str | None = None  # who attends (the unit's own, or someone sent)
    delegate_title: str | None = None
    reason: str | None = None  # why the unit does not attend
    new_time: Moment | None = None  # moving the conference
    confirm_cancel: Literal["yes", "no"] | None = None
    kind: ConferenceKind | None = None
    new_title: str | None = None
    new_when: Moment | None = None
    new_place: str | None = None
    new_agenda: str | None = None
    report_due: Literal["none"] | Moment | None = None  # units report before the conference


async def _chosen(ctx: Context, answers: ConferenceAnswers) -> Conference | None:
    return next((c for c in await upcoming_conferences(ctx) if c.id == answers.pick), None)


# -- the list ---------------------------------------------------------------------------------

async def _list(ctx: Context, answers: ConferenceAnswers) -> str:
    return conference_list(ctx, await upcoming_conferences(ctx))


async def _pick_options(ctx: Context, answers: ConferenceAnswers) -> list[Option]:
    options = [Option(ctx.t("conferences.open", title=shorten(c.title, 40)), str(c.id))
               for c in await upcoming_conferences(ctx)]
    if may(ctx.role, Action.MANAGE_TASKS):
        options.append(Option(ctx.t("conferences.schedule_new"), "new"))
    return and_close(ctx, options)


def _pick_route(answers: ConferenceAnswers, value: Any) -> str | None:
    return {"close": FINISH, "new": "kind"}.get(str(value))


# -- one conference ---------------------------------------------------------------------------

async def _detail(ctx: Context, answers: ConferenceAnswers) -> str:
    conference = await _chosen(ctx, answers)
    if conference is None:
        return ctx.t("common.gone")
    lines = [describe_conference(ctx, conference)]
    member = ctx.member
    if member is not None and member.unit_id is not None:
        mine = (await ctx.repo.attendance(conference.id)).get(member.unit_id)
        if mine is not None:
            lines.append(ctx.t("conferences.your_answer",
                               answer=ctx.t(f"conferences.answer_{mine.answer}")))
    elif member is not None and answers_for_self(member):
        own = (await ctx.repo.liaison_attendance(conference.id)).get(member.id)
        if own is not None:
            lines.append(ctx.t("conferences.your_own_answer",
                               answer=ctx.t(f"conferences.answer_{own.answer}")))
    return "\n".join(lines)


def _may_answer(ctx: Context) -> bool:
    member = ctx.member
    return (member is not None and may(ctx.role, Action.ATTEND)
            and (member.unit_id is not None or answers_for_self(member)))


async def _act_options(ctx: Context, answers: ConferenceAnswers) -> list[Option]:
    options = []
    if _may_answer(ctx):
        options += [Option(ctx.t(f"conferences.answer_{a}"), a) for a in ANSWERS]
    if may(ctx.role, Action.MANAGE_TASKS):
        options += [Option(ctx.t("conferences.attendance"), "list"),
                    Option(ctx.t("conferences.move"), "move"),
                    Option(ctx.t("conferences.set_deadline"), "deadline"),
                    Option(ctx.t("conferences.cancel"), "cancel")]
    return and_close(ctx, options, back=True)


def _act_route(answers: ConferenceAnswers, value: Any) -> str | None:
    if value == "back":
        answers.forget("pick", "act")
        return "pick"
    return {"attend": "delegate_name", "absent": "reason", "close": FINISH,
            "delegate": "delegate_name", "list": "attendance", "move": "new_time",
            "deadline": "report_due", "cancel": "confirm_cancel"}.get(str(value))


async def _attendance(ctx: Context, answers: ConferenceAnswers) -> str:
    conference = await _chosen(ctx, answers)
    if conference is None:
        return ctx.t("common.gone")
    return await attendance_list(ctx, conference)


def _back_to_detail(answers: ConferenceAnswers, value: Any) -> str:
    answers.forget("act")
    return FINISH if value == "close" else "act"


async def _text(ctx: Context, answers: ConferenceAnswers, text: str) -> str:
    return (await required_text(ctx, answers, text))[:200]


async def _when(ctx: Context, answers: ConferenceAnswers, text: str) -> Moment:
    value = await moment_answer(ctx, answers, text)
    if value.before(ctx.now(), ctx.zone):
        raise InvalidAnswer("conferences.in_the_past")
    return value


async def _yes_no(ctx: Context, answers: ConferenceAnswers) -> list[Option]:
    return confirm_options(ctx, "conferences.yes_cancel", "common.back")


def _cancel_route(answers: ConferenceAnswers, value: Any) -> str:
    if value == "no":
        answers.forget("act", "confirm_cancel")
        return "act"
    return FINISH


async def _who_prompt(ctx: Context, answers: ConferenceAnswers) -> str:
    """Who attends: the unit's own representative, or the person it sends."""
    return ctx.t("conferences.ask_delegate_name" if answers.act == "delegate"
                 else "conferences.ask_attendee_name")


async def _no_deadline(ctx: Context, answers: ConferenceAnswers) -> list[Option]:
    return [Option(ctx.t("conferences.no_report_due"), "none")]


async def _report_due(ctx: Context, answers: ConferenceAnswers, text: str) -> Moment:
    value = await moment_answer(ctx, answers, text)
    if value.before(ctx.now(), ctx.zone):
        raise InvalidAnswer("conferences.in_the_past")
    conference = None if _new(answers) else await _chosen(ctx, answers)
    starts = (answers.new_when.start(ctx.zone) if _new(answers) and answers.new_when
              else conference.starts if conference else None)
    if starts is not None and value.deadline(ctx.zone).at > starts.at:
        raise InvalidAnswer("conferences.due_after_start",
                            when=format_deadline(starts, ctx.zone, ctx.t))
    return value


def _due_route(answers: ConferenceAnswers, value: Any) -> str | None:
    return FINISH if answers.act == "deadline" else None  # a new one goes on to its review


async def _people(ctx: Context) -> int:
    """How many people a conference's news reaches (the groups aside)."""
    return sum(1 for member in await ctx.repo.list_members(ctx.bloc.id) if _told(member))


async def _review(ctx: Context, answers: ConferenceAnswers) -> str:
    """What will be announced, before anyone is told."""
    people = await _people(ctx)
    if _new(answers):
        when = (format_deadline(answers.new_when.start(ctx.zone), ctx.zone, ctx.t)
                if answers.new_when else "")
        return ctx.t("conferences.review_new", title=escape(answers.new_title or ""),
                     when=when, people=people,
                     place=escape(answers.new_place or ctx.t("reminders.place_unknown")),
                     due=_due_text(ctx, answers.report_due))
    conference = await _chosen(ctx, answers)
    if conference is None or answers.new_time is None:
        return ctx.t("common.gone")
    return ctx.t("conferences.review_move", title=escape(conference.title), people=people,
                 old=format_deadline(conference.starts, ctx.zone, ctx.t),
                 new=format_deadline(answers.new_time.start(ctx.zone), ctx.zone, ctx.t))


def _due_text(ctx: Context, value: Literal["none"] | Moment | None) -> str:
    if isinstance(value, Moment):
        return format_deadline(value.deadline(ctx.zone), ctx.zone, ctx.t)
    return ctx.t("conferences.no_report_due")


async def _review_options(ctx: Context, answers: ConferenceAnswers) -> list[Option]:
    return confirm_options(ctx, "conferences.send_news", yes="send", no="cancel")


async def _review_typed(ctx: Context, answers: ConferenceAnswers, text: str) -> str:
    """At the review, only its two answers: other text is not a question to leave it for
    (the announcement would be dropped without a word)."""
    raise InvalidAnswer("dialog.pick_option", count=2)


def _review_route(answers: ConferenceAnswers, value: Any) -> str:
    return FINISH if value == "send" else CANCEL


def _told(member: Member) -> bool:
    """Whether a conference's news goes to this person: the units' people and the
    ministry's liaison (Vụ Thi đua – Khen thưởng)."""
    return member.unit_id is not None or member.role is Role.LIAISON


async def _kinds(ctx: Context, answers: ConferenceAnswers) -> list[Option]:
    return [Option(ctx.t(f"conferences.kind_{k.value}"), k.value) for k in ConferenceKind]


# -- doing it ---------------------------------------------------------------------------------

async def _tell_everyone(ctx: Context, key: str, text_key: str, conference: Conference) -> int:
    """One message per member with a unit, and one to each group, under ``key``."""
    messages = []
    for member in await ctx.repo.list_members(ctx.bloc.id):
        if not _told(member):
            continue
        t = ctx.translator(member.language)
        text = t(text_key, title=escape(conference.title),
                 when=format_deadline(conference.starts, ctx.zone, t),
                 place=escape(conference.place or t("reminders.place_unknown")))
        messages.append(Outgoing(
            dedup_key=f"{key}:{member.id}", channel=member.channel, chat_id=member.external_id,
            kind="conference", reply=Reply(text, language=member.language), due_at=ctx.now()))
    t = ctx.translator()
    for channel, chat in ctx.bloc.groups.items():
        text = t(text_key, title=escape(conference.title),
                 when=format_deadline(conference.starts, ctx.zone, t),
                 place=escape(conference.place or t("reminders.place_unknown")))
        messages.append(Outgoing(
            dedup_key=f"{key}:group:{channel}", channel=channel, chat_id=chat,
            kind="conference", reply=Reply(text), due_at=ctx.now()))
    return await ctx.outbox.enqueue(messages)


async def _finish(ctx: Context, answers: ConferenceAnswers) -> None:
    act = answers.act
    if act == "close" or answers.pick == "close":
        ctx.reply(ctx.t("common.closed"))
        return
    repo, now, actor = ctx.repo, ctx.now(), ctx.actor
    if answers.pick == "new":
        if answers.kind is None or answers.new_title is None or answers.new_when is None:
            ctx.reply(ctx.t("common.gone"))
            return
        conference_id = await repo.schedule_conference(
            bloc_id=ctx.bloc.id, kind=answers.kind.value, title=answers.new_title,
            starts=answers.new_when.start(ctx.zone), place=answers.new_place or None,
            agenda=[line.strip() for line in (answers.new_agenda or "").splitlines()
                    if line.strip()], actor=actor, now=now)
        if isinstance(answers.report_due, Moment):
            await repo.set_conference_report_deadline(
                conference_id, answers.report_due.deadline(ctx.zone), actor=actor, now=now)
        scheduled = next(c for c in await upcoming_conferences(ctx) if c.id == conference_id)
        await _tell_everyone(ctx, f"conf-new:{conference_id}", "conferences.announce_new",
                             scheduled)
        ctx.reply(ctx.t("conferences.scheduled"))
    else:
        conference = await _chosen(ctx, answers)
        if conference is None:
            ctx.reply(ctx.t("common.gone"))
            return
        if act in ANSWERS:
            if ctx.member is None or not _may_answer(ctx):
                ctx.reply(ctx.t("common.no_unit"))
                return
            if ctx.member.unit_id is None:  # the liaison, for itself
                await repo.answer_liaison_attendance(
                    conference_id=conference.id, member_id=ctx.member.id, answer=str(act),
                    attendee_name=answers.delegate_name if act != "absent" else None,
                    attendee_title=answers.delegate_title if act != "absent" else None,
                    now=now, reason=answers.reason if act == "absent" else None)
                ctx.reply(ctx.t("conferences.answered",
                                answer=ctx.t(f"conferences.answer_{act}")))
                return
            await repo.answer_attendance(
                conference_id=conference.id, unit_id=ctx.member.unit_id, answer=str(act),
                attendee_name=answers.delegate_name if act != "absent" else None,
                attendee_title=answers.delegate_title if act != "absent" else None,
                member_id=ctx.member.id, now=now,
                reason=answers.reason if act == "absent" else None)
            ctx.reply(ctx.t("conferences.answered", answer=ctx.t(f"conferences.answer_{act}")))
            return
        if act == "move" and answers.new_time is not None:
            starts = answers.new_time.start(ctx.zone)
            await repo.move_conference(conference.id, starts, actor=actor, now=now)
            moved = next(c for c in await upcoming_conferences(ctx) if c.id == conference.id)
            await _tell_everyone(ctx, f"conf-move:{conference.id}@{int(starts.at.timestamp())}",
                                 "conferences.announce_move", moved)
            # the move notice is this moment's news: no reminder already due on top of it
            await ctx.reminders.skip_due(f"conference:{conference.id}@")
            ctx.reply(ctx.t("conferences.moved"))
        elif act == "deadline":
            deadline = (answers.report_due.deadline(ctx.zone)
                        if isinstance(answers.report_due, Moment) else None)
            await repo.set_conference_report_deadline(conference.id, deadline, actor=actor,
                                                      now=now)
            ctx.reply(ctx.t("conferences.deadline_set", title=escape(conference.title),
                            due=_due_text(ctx, answers.report_due)))
        elif act == "cancel":
            await repo.cancel_conference(conference.id, actor=actor, now=now)
            await repo.expire_pending(f"remind:conference:{conference.id}@", now)
            await _tell_everyone(ctx, f"conf-cancel:{conference.id}",
                                 "conferences.announce_cancel", conference)
            ctx.reply(ctx.t("conferences.cancelled"))
    await ctx.reminders.plan()


def _new(answers: ConferenceAnswers) -> bool:
    return answers.pick == "new"


CONFERENCES = router.form(Form(
    name="conferences",
    answers=ConferenceAnswers,
    steps=(
        Step("pick", _list, options=_pick_options, route=_pick_route),
        Step("act", _detail, options=_act_options, route=_act_route, when=lambda a: not _new(a)),
        Step("delegate_name", _who_prompt, parse=_text,
             when=lambda a: a.act in ("attend", "delegate")),
        Step("delegate_title", "conferences.ask_delegate_title", parse=_text,
             when=lambda a: a.act in ("attend", "delegate")),
        Step("reason", "conferences.ask_reason", parse=_text, when=lambda a: a.act == "absent"),
        Step("attendance", _attendance, options=back_or_close, route=_back_to_detail,
             transient=True, when=lambda a: False),
        Step("new_time", "conferences.ask_when", parse=_when,
             when=lambda a: a.act == "move"),
        Step("confirm_cancel", "conferences.ask_cancel", options=_yes_no, route=_cancel_route,
             when=lambda a: a.act == "cancel"),
        Step("kind", "conferences.ask_kind", options=_kinds, when=_new),
        Step("new_title", "conferences.ask_title", parse=_text, when=_new),
        Step("new_when", "conferences.ask_when", parse=_when, when=_new),
        Step("new_place", "conferences.ask_place", parse=optional_text, when=_new),
        Step("new_agenda", "conferences.ask_agenda", parse=optional_text, when=_new),
        Step("report_due", "conferences.ask_report_due", options=_no_deadline,
             parse=_report_due, route=_due_route,
             when=lambda a: _new(a) or a.act == "deadline"),
        Step("review", _review, options=_review_options, parse=_review_typed,
             route=_review_route, transient=True,
             when=lambda a: _new(a) or a.act == "move"),
    ),
    finish=_finish,
    browse=True,
))


@router.command("hoinghi", "meetings", help_key="help.cmd_meetings", private_only=True)
async def conferences(ctx: Context) -> None:
    """The conferences ahead; answer for your unit; (chair) schedule, move, cancel."""
    await ctx.start_form(CONFERENCES)
