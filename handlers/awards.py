"""``/khenthuong`` (``/awards``): the year's commendation proposals, compiled in chat.

The forms of commendation, their quotas and the units' deadline are the bloc file's. Each
unit nominates its exemplary collectives and people (``/khenthuong de``: the form, the
name, the achievements in short, the files); the chair or deputy includes each nomination
in the bloc's proposal or leaves it out (``/khenthuong nhan 3`` / ``bo 3``), within the
form's quota; the form for the leading unit goes to the unit the vote elected. ``/khenthuong
tai`` sends the proposal (tờ trình) to the ministry's council as a Word document.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.domain.access import OBSERVERS, Action, may
from bot.domain.events import FileRef, InboundFile, Option, Reply
from bot.domain.periods import format_deadline, format_opening
from bot.domain.text import escape, says_something, shorten
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from bot.kernel.forms import Form, InvalidAnswer, Step
from bot.kernel.router import Router
from bot.kernel.steps import attach_file, confirm_step, files_done_or, files_received
from bot.services.year_results import elected
from config.awards import AwardFormConfig
from handlers._award_proposal import send_proposal
from handlers._score_views import current_year
from handlers._tell import officers, tell
from storage.records import Attachment, Unit
from storage.year_records import Awards, EmulationYear, Nomination

router = Router()
COMMAND = "/khenthuong"
NOMINATE, INCLUDE, LEAVE_OUT, WITHDRAW, SHOW, DOWNLOAD = "de", "nhan", "bo", "rut", "xem", "tai"
VERBS = {
    NOMINATE: {NOMINATE, "denghi", "đề", "đềnghị", "nominate"},
    INCLUDE: {INCLUDE, "nhận", "include"}, LEAVE_OUT: {LEAVE_OUT, "bỏ", "exclude"},
    WITHDRAW: {WITHDRAW, "rút", "withdraw"}, SHOW: {SHOW, "show"},
    DOWNLOAD: {DOWNLOAD, "tải", "download", "docx"},
}
NAME_LIMIT, POSITION_LIMIT, SUMMARY_LIMIT = 150, 150, 1500
BUTTONS_FOR = 5  # undecided nominations given buttons in the chair's list


def _command(*words: str) -> str:
    return " ".join((COMMAND, *words))


async def _awards(ctx: Context) -> tuple[EmulationYear, Awards] | None:
    year = await current_year(ctx)
    if year is None or year.awards is None:
        return None
    return year, year.awards


@router.command("khenthuong", "awards", action=Action.SEE_OWN_UNIT, help_key="help.cmd_awards",
                private_only=True)
async def awards(ctx: Context) -> None:
    """The forms and nominations; ``de`` nominates, ``nhan``/``bo`` decide, ``tai`` the
    proposal."""
    found = await _awards(ctx)
    if found is None:
        ctx.reply(ctx.t("awards.none", year=ctx.bloc.year))
        return
    year, rules = found
    verb, _, rest = ctx.args.strip().partition(" ")
    verb = next((key for key, words in VERBS.items() if verb.casefold() in words), "")
    if verb == NOMINATE:
        await _start_nominating(ctx, year, rules)
    elif verb in {INCLUDE, LEAVE_OUT, WITHDRAW, SHOW}:
        await _on_one(ctx, year, rules, verb, rest.strip().lstrip("#"))
    elif verb == DOWNLOAD:
        if ctx.role not in OBSERVERS:
            ctx.reply(ctx.t("awards.officers_only"))
            return
        await send_proposal(ctx, year, rules)
    else:
        await _show(ctx, year, rules)


def _status(ctx: Context, nomination: Nomination) -> str:
    if nomination.included is None:
        return ctx.t("awards.status_waiting")
    return ctx.t("awards.status_included" if nomination.included else "awards.status_left_out")


def _nomination_line(ctx: Context, nomination: Nomination, units: dict[int, Unit],
                     rules: Awards) -> str:
    form = rules.form(nomination.form)
    nominee = nomination.nominee if nomination.position is None else ctx.t(
        "awards.person", name=nomination.nominee, position=nomination.position)
    unit = units.get(nomination.unit_id)
    return ctx.t("awards.nomination_line", number=nomination.id,
                 unit=escape(unit.short_name if unit else "?"), nominee=escape(nominee),
                 form=escape(form.code if form else nomination.form),
                 summary=escape(shorten(nomination.summary, 80)),
                 status=_status(ctx, nomination))


async def _show(ctx: Context, year: EmulationYear, rules: Awards) -> None:
    units = {unit.id: unit for unit in await ctx.repo.list_units(ctx.bloc.id)}
    nominations = await ctx.repo.nominations(year.id)
    lines = [ctx.t("awards.title", year=year.year, recipient=escape(rules.recipient)),
             ctx.t("awards.deadline", when=format_deadline(rules.deadline, ctx.zone, ctx.t)),
             "", ctx.t("awards.forms_heading")]
    leader = await elected(ctx.repo, year)
    for form in rules.forms:
        if form.leading_unit:
            lines.append(ctx.t("awards.form_leading", name=escape(form.name), code=form.code,
                               unit=escape(units[leader.unit_id].short_name)
                               if leader and leader.unit_id in units
                               else ctx.t("awards.no_leader_yet")))
            continue
        included = sum(1 for n in nominations if n.form == form.code and n.included)
        lines.append(ctx.t("awards.form_line", name=escape(form.name), code=form.code,
                           included=included, quota=form.quota if form.quota else "—",
                           kind=ctx.t(f"awards.kind_{form.kind}")))
    options: list[Option] = []
    own_unit = ctx.member.unit_id if ctx.member else None
    if own_unit is not None:
        own = [n for n in nominations if n.unit_id == own_unit]
        lines += ["", ctx.t("awards.own_heading", count=len(own))]
        lines += [_nomination_line(ctx, n, units, rules) for n in own]
        if may(ctx.role, Action.NOMINATE) and rules.nominated:
            options.append(Option(ctx.t("awards.nominate_button"), _command(NOMINATE)))
    if ctx.role in OBSERVERS:
        others = [n for n in nominations if n.unit_id != own_unit]
        lines += ["", ctx.t("awards.all_heading", count=len(nominations))]
        lines += [_nomination_line(ctx, n, units, rules) for n in others]
        if may(ctx.role, Action.PROPOSE_AWARDS):
            lines.append(ctx.t("awards.decide_hint"))
            for nomination in [n for n in nominations if n.included is None][:BUTTONS_FOR]:
                options += [
                    Option(ctx.t("awards.include_button", number=nomination.id),
                           _command(INCLUDE, str(nomination.id))),
                    Option(ctx.t("awards.leave_out_button", number=nomination.id),
                           _command(LEAVE_OUT, str(nomination.id)))]
        options.append(Option(ctx.t("awards.download_button"), _command(DOWNLOAD)))
    ctx.reply("\n".join(lines), options=tuple(options))


async def _on_one(ctx: Context, year: EmulationYear, rules: Awards, verb: str,
                  number: str) -> None:
    """One nomination, by its number: shown with its files, decided, or withdrawn."""
    nomination = next((n for n in await ctx.repo.nominations(year.id)
                       if number.isdigit() and n.id == int(number)), None)
    own_unit = ctx.member.unit_id if ctx.member else None
    if nomination is None or (ctx.role not in OBSERVERS and nomination.unit_id != own_unit):
        ctx.reply(ctx.t("awards.no_such", number=escape(number or "?")),
                  options=(Option(ctx.t("awards.list_button"), COMMAND),))
        return
    if verb == SHOW:
        _show_one(ctx, nomination, rules)
    elif verb == WITHDRAW:
        if nomination.unit_id != own_unit or not may(ctx.role, Action.NOMINATE):
            ctx.reply(ctx.t("awards.not_yours"))
        elif await ctx.repo.withdraw_nomination(nomination.id, nomination.unit_id,
                                                actor=ctx.actor, now=ctx.now()):
            ctx.reply(ctx.t("awards.withdrawn", number=nomination.id))
        else:
            ctx.reply(ctx.t("awards.decided_already", number=nomination.id))
    else:
        await _decide(ctx, year, rules, nomination, include=verb == INCLUDE)


def _show_one(ctx: Context, nomination: Nomination, rules: Awards) -> None:
    form = rules.form(nomination.form)
    ctx.reply(ctx.t("awards.one", number=nomination.id, nominee=escape(nomination.nominee),
                    position=escape(nomination.position or "—"),
                    form=escape(form.name if form else nomination.form),
                    summary=escape(nomination.summary), files=len(nomination.files),
                    status=_status(ctx, nomination)))
    for index, file in enumerate(nomination.files, 1):
        ctx.reply(ctx.t("awards.file_caption", number=nomination.id, index=index,
                        count=len(nomination.files)),
                  attachment=FileRef(file.channel, file.file_id, file.kind, file.name))


async def _decide(ctx: Context, year: EmulationYear, rules: Awards, nomination: Nomination,
                  *, include: bool) -> None:
    if not may(ctx.role, Action.PROPOSE_AWARDS):
        ctx.reply(ctx.t("awards.chair_decides"))
        return
    form = rules.form(nomination.form)
    if form is None or form.leading_unit:
        ctx.reply(ctx.t("awards.form_gone", form=escape(nomination.form)))
        return
    done = await ctx.repo.decide_nomination(
        nomination.id, include, quota=form.quota, member_id=ctx.member.id if ctx.member
        else None, actor=ctx.actor, now=ctx.now())
    if done == "over_quota":
        ctx.reply(ctx.t("awards.over_quota", form=escape(form.name), quota=form.quota or 0))
        return
    if done == "gone":
        ctx.reply(ctx.t("awards.no_such", number=nomination.id))
        return
    key = "awards.included" if include else "awards.left_out"
    ctx.reply(ctx.t(key, number=nomination.id, nominee=escape(nomination.nominee),
                    form=escape(form.name)),
              options=(Option(ctx.t("awards.list_button"), COMMAND),))
    unit_people = [m for m in await ctx.repo.list_members(ctx.bloc.id)
                   if m.unit_id == nomination.unit_id]
    await tell(ctx, unit_people, f"awards:{nomination.id}:{'in' if include else 'out'}",
               lambda t, _: Reply(t(f"{key}_notice", nominee=escape(nomination.nominee),
                                    form=escape(form.name))))


# -- nominating ----------------------------------------------------------------------------

class NominationAnswers(Answers):
    """A unit's nomination of one of its collectives or people."""

    form: str | None = None
    individual: bool | None = None  # the form is for a person: their position is asked
    nominee: str | None = None
    position: str | None = None
    summary: str | None = None
    files: Literal["done", "none"] | None = None
    attachments: list[Attachment] = Field(default_factory=list)


async def _open_for(ctx: Context, rules: Awards) -> bool:
    """Whether the units may nominate now; says why not when not."""
    if rules.opens is not None and ctx.now() < rules.opens:
        ctx.reply(ctx.t("awards.not_open", opens=format_opening(rules.opens, ctx.zone, ctx.t)))
        return False
    if ctx.now() > rules.deadline.at:
        ctx.reply(ctx.t("awards.closed", when=format_deadline(rules.deadline, ctx.zone, ctx.t)))
        return False
    return True


async def _start_nominating(ctx: Context, year: EmulationYear, rules: Awards) -> None:
    if ctx.member is None or ctx.member.unit_id is None or not may(ctx.role, Action.NOMINATE):
        ctx.reply(ctx.t("awards.units_nominate"))
        return
    if not await _open_for(ctx, rules):
        return
    if not await _form_options(ctx, NominationAnswers()):
        ctx.reply(ctx.t("awards.all_sent"), options=(Option(ctx.t("awards.list_button"),
                                                            COMMAND),))
        return
    await ctx.start_form(NOMINATE_FORM, NominationAnswers())


async def _form_of(ctx: Context, answers: NominationAnswers) -> AwardFormConfig:
    found = await _awards(ctx)
    form = found[1].form(answers.form or "") if found else None
    if form is None:
        raise InvalidAnswer("awards.pick_form")
    return form


async def _form_options(ctx: Context, answers: NominationAnswers) -> list[Option]:
    found = await _awards(ctx)
    if found is None or ctx.member is None:
        return []
    year, rules = found
    own = [n for n in await ctx.repo.nominations(year.id)
           if n.unit_id == ctx.member.unit_id and n.included is not False]
    return [Option(shorten(form.name, 60), form.code) for form in rules.nominated
            if form.per_unit is None or sum(n.form == form.code for n in own) < form.per_unit]


async def _nominee_prompt(ctx: Context, answers: NominationAnswers) -> str:
    form = await _form_of(ctx, answers)
    return ctx.t(f"awards.ask_nominee_{form.kind}", form=escape(form.name))


async def _text(limit: int, empty_key: str, text: str) -> str:
    if not says_something(text):
        raise InvalidAnswer(empty_key)
    return text.strip()[:limit]


async def _nominee(ctx: Context, answers: NominationAnswers, text: str) -> str:
    answers.individual = (await _form_of(ctx, answers)).kind == "individual"
    return await _text(NAME_LIMIT, "awards.nominee_empty", text)


async def _position(ctx: Context, answers: NominationAnswers, text: str) -> str:
    return await _text(POSITION_LIMIT, "awards.position_empty", text)


async def _summary(ctx: Context, answers: NominationAnswers, text: str) -> str:
    if len(text.strip()) > SUMMARY_LIMIT:
        raise InvalidAnswer("awards.summary_too_long", limit=SUMMARY_LIMIT)
    return await _text(SUMMARY_LIMIT, "awards.summary_empty", text)


async def _files_prompt(ctx: Context, answers: NominationAnswers) -> str:
    return files_received(ctx, ctx.t("awards.ask_files"), answers.attachments)


async def _files_options(ctx: Context, answers: NominationAnswers) -> list[Option]:
    return files_done_or(ctx, answers.attachments, Option(ctx.t("awards.no_files"), "none"))


async def _files_typed(ctx: Context, answers: NominationAnswers, text: str) -> str:
    raise InvalidAnswer("awards.files_please")


async def _accept_file(ctx: Context, answers: NominationAnswers, file: InboundFile) -> None:
    answers.attachments = attach_file(ctx, answers.attachments, file)


async def _review(ctx: Context, answers: NominationAnswers) -> str:
    form = await _form_of(ctx, answers)
    return ctx.t("awards.review", form=escape(form.name), nominee=escape(answers.nominee or ""),
                 position=escape(answers.position or "—"),
                 summary=escape(answers.summary or ""), files=len(answers.attachments))


async def _send(ctx: Context, answers: NominationAnswers) -> None:
    found = await _awards(ctx)
    member = ctx.member
    if found is None or member is None or member.unit_id is None:
        ctx.reply(ctx.t("awards.none", year=ctx.bloc.year))
        return
    year, rules = found
    form = rules.form(answers.form or "")
    if form is None or form.leading_unit or answers.nominee is None or answers.summary is None:
        ctx.reply(ctx.t("awards.form_gone", form=escape(answers.form or "")))
        return
    if not await _open_for(ctx, rules):
        return
    number = await ctx.repo.nominate(
        year.id, member.unit_id, form.code, answers.nominee,
        answers.position if form.kind == "individual" else None, answers.summary,
        tuple(answers.attachments), per_unit=form.per_unit, member_id=member.id,
        actor=ctx.actor, now=ctx.now())
    if number is None:
        ctx.reply(ctx.t("awards.per_unit_reached", form=escape(form.name),
                        count=form.per_unit or 0))
        return
    unit = await ctx.repo.get_unit(member.unit_id)
    ctx.reply(ctx.t("awards.sent", number=number, nominee=escape(answers.nominee),
                    form=escape(form.name)),
              options=(Option(ctx.t("awards.list_button"), COMMAND),))
    await tell(ctx, officers(await ctx.repo.list_members(ctx.bloc.id)),
               f"awards:{number}:sent", lambda t, _: Reply(
                   t("awards.sent_notice", number=number,
                     unit=escape(unit.short_name if unit else "?"),
                     nominee=escape(answers.nominee or ""), form=escape(form.name)),
                   options=(Option(t("awards.see_button", number=number),
                                   _command(SHOW, str(number))),)))


NOMINATE_FORM = router.form(Form(
    name="nomination",
    answers=NominationAnswers,
    steps=(
        Step("form", "awards.ask_form", options=_form_options),
        Step("nominee", _nominee_prompt, parse=_nominee),
        Step("position", "awards.ask_position", parse=_position,
             when=lambda a: bool(a.individual)),
        Step("summary", "awards.ask_summary", parse=_summary),
        Step("files", _files_prompt, options=_files_options, parse=_files_typed,
             accept_file=_accept_file),
        confirm_step(_review, "awards.send_confirm", yes="send"),
    ),
    finish=_send,
    resume_hint="awards.resume_hint",
))
