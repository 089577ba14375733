"""Conferences as people read them in chat: the list ahead, one conference described, and
who attends (each unit's answer, then the ministry's liaison's own)."""

from __future__ import annotations

from bot.domain.periods import format_deadline
from bot.domain.text import escape, shorten
from bot.kernel.context import Context
from storage.records import Attendance, Conference, Member, Role

ANSWERS = ("attend", "absent", "delegate")


async def upcoming_conferences(ctx: Context) -> list[Conference]:
    """The bloc's conferences not yet begun, soonest first."""
    now = ctx.now()
    return [c for c in await ctx.repo.list_conferences(ctx.bloc.id) if c.starts.at >= now]


def describe_conference(ctx: Context, conference: Conference) -> str:
    """A conference as a list shows it: title, kind, when, where, its agenda."""
    lines = [ctx.t("conferences.item", title=escape(conference.title),
                   kind=ctx.t(f"conferences.kind_{conference.kind}"),
                   when=format_deadline(conference.starts, ctx.zone, ctx.t),
                   place=escape(conference.place or ctx.t("reminders.place_unknown")))]
    lines += [ctx.t("conferences.agenda_item", item=escape(item)) for item in conference.agenda]
    return "\n".join(lines)


def conference_list(ctx: Context, conferences: list[Conference]) -> str:
    """The conferences ahead as a list under its title (or that there is none)."""
    if not conferences:
        return ctx.t("conferences.none")
    return "\n\n".join([ctx.t("conferences.title"),
                         *(describe_conference(ctx, c) for c in conferences)])


def answers_for_self(member: Member) -> bool:
    """The liaison (Vụ Thi đua – Khen thưởng) belongs to no unit: it answers for itself."""
    return member.unit_id is None and member.role is Role.LIAISON


async def attendance_list(ctx: Context, conference: Conference) -> str:
    """Who attends: the counts, each unit's answer, then the liaison's."""
    given = await ctx.repo.attendance(conference.id)
    units = await ctx.repo.list_units(ctx.bloc.id)
    counts = {answer: sum(1 for a in given.values() if a.answer == answer) for answer in ANSWERS}
    lines = [ctx.t("conferences.attendance_title", title=escape(shorten(conference.title, 80))),
             ctx.t("conferences.attendance_counts", attend=counts["attend"],
                   delegate=counts["delegate"], absent=counts["absent"],
                   silent=sum(1 for unit in units if unit.id not in given), total=len(units))]
    for unit in units:
        lines.append(ctx.t("status.task_unit", unit=escape(unit.short_name),
                           state=answer_text(ctx, given.get(unit.id))))
    return "\n".join([*lines, *await liaison_lines(ctx, conference)])


def answer_text(ctx: Context, answer: Attendance | None) -> str:
    """An answer as the list shows it: what, who attends, why not."""
    if answer is None:
        return ctx.t("conferences.no_answer")
    text = ctx.t(f"conferences.answer_{answer.answer}")
    if answer.attendee_name:
        text += ctx.t("conferences.delegate_who", name=escape(answer.attendee_name),
                      title=escape(answer.attendee_title or ""))
    if answer.reason:
        text += ctx.t("conferences.absent_why", reason=escape(answer.reason))
    return text


async def liaison_lines(ctx: Context, conference: Conference) -> list[str]:
    """The ministry's liaisons in an attendance list, each with its own answer."""
    liaisons = [m for m in await ctx.repo.list_members(ctx.bloc.id) if answers_for_self(m)]
    given = await ctx.repo.liaison_attendance(conference.id) if liaisons else {}
    organisation = escape(ctx.bloc.liaison_organisation
                          or ctx.t("conferences.liaison_organisation"))
    return [ctx.t("status.task_unit",
                  unit=ctx.t("conferences.liaison", organisation=organisation,
                             name=escape(member.display_name)),
                  state=answer_text(ctx, given.get(member.id))) for member in liaisons]
