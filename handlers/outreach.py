"""``/nhacnho`` (``/remind``) and ``/thongbao`` (``/announce``): the chair reaches the units.

Both go through the outbox: rate-limited, retried, never sent twice, and the
chair gets one report of how the sending went.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from bot.domain.access import Action
from bot.domain.events import Option, Reply
from bot.domain.text import escape
from bot.kernel.answers import Answers, UnitCodes
from bot.kernel.context import Context
from bot.kernel.forms import Form, Step
from bot.kernel.router import Router
from bot.kernel.steps import (
    by_code,
    confirm_step,
    required_text,
    typed_units,
    unit_options,
)
from bot.services.outbox import Outgoing
from bot.services.reminder_notices import task_lines
from handlers._status_views import current_status, deadline_line
from handlers._tell import message_to
from handlers.posting import bloc_group
from storage.records import Member, Unit

router = Router()


async def _batch(ctx: Context, kind: str) -> int:
    return await ctx.repo.create_batch(
        channel=ctx.event.channel, report_chat=ctx.event.user_id, language=ctx.language,
        kind=kind, now=ctx.now())


@router.command("nhacnho", "remind", action=Action.REMIND, help_key="help.cmd_remind")
async def remind_now(ctx: Context) -> None:
    """Send every contact of every unit still owing a report on some task this period a
    polite reminder now, naming only the tasks it lacks."""
    status = await current_status(ctx)
    owing = status.incomplete
    if status.period is None or not status.tasks:
        ctx.reply(ctx.t("status.no_tasks"))
        return
    if not owing:
        ctx.reply(ctx.t("questions.all_reported", total=status.concerned_units))
        return
    reached = [p for p in owing if status.contacts.get(p.unit.id)]
    unreachable = [p.unit for p in owing if not status.contacts.get(p.unit.id)]
    messages: list[Outgoing] = []
    for progress in reached:
        unit = progress.unit
        for member in status.contacts[unit.id]:
            t = ctx.translator(member.language)
            text = t("outreach.nudge", name=escape(member.display_name), unit=escape(unit.name),
                     period=escape(status.period.title),
                     tasks=task_lines(progress.missing, t),
                     deadline=deadline_line(ctx, status, t) or "")
            button = Option(t("outreach.update_now"), "/capnhat")
            # one nudge per contact per day, however often the chair asks
            key = f"nudge:{status.period.id}:{member.id}:{ctx.today().isoformat()}"
            messages.append(message_to(ctx, key, member, Reply(text, options=(button,))))
    fresh = [m for m in messages if not await ctx.repo.outbox_has(m.channel, m.dedup_key)]
    lines = []
    if fresh:
        batch = await _batch(ctx, "nudge")
        await ctx.outbox.enqueue([replace_batch(m, batch) for m in fresh])
        lines.append(ctx.t("outreach.nudging", people=len(fresh),
                           units=len(reached)))
    elif messages:
        lines.append(ctx.t("outreach.already_nudged"))
    if unreachable:
        names = ", ".join(escape(unit.short_name) for unit in unreachable)
        lines.append(ctx.t("outreach.no_contacts", units=names))
    ctx.reply("\n".join(lines))
    await ctx.repo.audit(actor=ctx.actor, action="outreach.nudge", subject=ctx.bloc.code,
                         details={"messages": len(fresh)}, now=ctx.now())


def replace_batch(message: Outgoing, batch: int) -> Outgoing:
    """The same message, counted in ``batch``'s report."""
    return replace(message, batch_id=batch)


# -- announcements ----------------------------------------------------------------------------

class AnnounceAnswers(Answers):
    """``/thongbao``: to whom, and what."""

    to: Literal["all", "some"] | None = None
    units: UnitCodes | None = None
    text: str | None = None

async def _audiences(ctx: Context, answers: AnnounceAnswers) -> list[Option]:
    return [Option(ctx.t("outreach.to_all"), "all"), Option(ctx.t("outreach.to_some"), "some")]


async def _review(ctx: Context, answers: AnnounceAnswers) -> str:
    recipients = await _recipients(ctx, answers)
    return ctx.t("outreach.review", people=len(recipients), text=escape(answers.text or ""))


async def _recipients(ctx: Context, answers: AnnounceAnswers) -> list[tuple[Unit, Member]]:
    codes = set(answers.units or ()) if answers.to == "some" else None
    units = [u for u in await ctx.repo.list_units(ctx.bloc.id) if codes is None or u.code in codes]
    members = await ctx.repo.list_members(ctx.bloc.id)
    return [(unit, member) for unit in units for member in members
            if member.unit_id == unit.id and member.id != (ctx.member.id if ctx.member else 0)]


async def _send(ctx: Context, answers: AnnounceAnswers) -> None:
    recipients = await _recipients(ctx, answers)
    group = await bloc_group(ctx)
    if not recipients and not (answers.to == "all" and group):
        ctx.reply(ctx.t("outreach.nobody"))
        return
    batch = await _batch(ctx, "announce")
    sender = escape(ctx.display_name)
    messages = []
    for _, member in recipients:
        t = ctx.translator(member.language)
        text = t("outreach.announcement", sender=sender, text=escape(answers.text or ""))
        messages.append(replace_batch(
            message_to(ctx, f"announce:{batch}:{member.id}", member, Reply(text)), batch))
    if answers.to == "all" and group:
        text = ctx.t("outreach.announcement", lang=ctx.group_language, sender=sender,
                     text=escape(answers.text or ""))
        messages.append(Outgoing(
            dedup_key=f"announce:{batch}:group", channel=ctx.event.channel, chat_id=group,
            kind="announce", reply=Reply(text), due_at=ctx.now(), batch_id=batch))
    await ctx.outbox.enqueue(messages)
    await ctx.repo.audit(actor=ctx.actor, action="outreach.announce", subject=ctx.bloc.code,
                         details={"messages": len(messages), "to": answers.to},
                         now=ctx.now())
    ctx.reply(ctx.t("outreach.announcing", count=len(messages)))


ANNOUNCE = router.form(Form(
    name="announce",
    answers=AnnounceAnswers,
    steps=(
        Step("to", "outreach.ask_audience", options=_audiences),
        Step("units", "outreach.ask_units", options=unit_options(by_code, back="to"),
             parse=typed_units,
             when=lambda a: a.to == "some"),
        Step("text", "outreach.ask_text", parse=required_text),
        confirm_step(_review, "outreach.send", yes="send"),
    ),
    finish=_send,
))


@router.command("thongbao", "announce", action=Action.ANNOUNCE, help_key="help.cmd_announce",
                private_only=True)
async def announce(ctx: Context) -> None:
    """Write an announcement to all contacts (and the group) or to chosen units."""
    await ctx.start_form(ANNOUNCE)
