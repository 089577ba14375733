"""``/giaouoc`` (``/covenant``): the year's emulation covenant, opened and signed in chat.

The covenant's text and targets are the bloc file's. The chair (or deputy) opens it for
signing (``/giaouoc mo``) and every unit's people are told; each unit signs once: its head
where one is registered, else its contact, giving the signer's name and position and
acknowledging the unit's targets. The chair, deputy and liaison see who has signed; the
units yet to sign are reminded before the deadline as for a report. ``/giaouoc tai`` sends
the covenant as a Word document with every unit's signer block.
"""

from __future__ import annotations

import hashlib
import json

from bot.domain.access import OBSERVERS, Action, may
from bot.domain.events import Option, OutFile, Reply
from bot.domain.periods import format_deadline, format_moment, format_opening
from bot.domain.text import escape, says_something
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from bot.kernel.forms import Form, InvalidAnswer, Step
from bot.kernel.router import Router
from bot.kernel.steps import confirm_step
from bot.services.exports.data import DOCX_MIME
from handlers._score_views import acts_for_unit, current_year
from handlers._tell import officers, tell
from storage.records import Unit
from storage.year_records import Covenant, EmulationYear

router = Router()
COMMAND = "/giaouoc"
OPEN, SIGN, DOWNLOAD = "mo", "ky", "tai"
NAME_LIMIT, TITLE_LIMIT = 80, 80
NAME_IN_BUTTON = 40  # bytes: a button's value travels in Telegram's 64-byte callback data


def _command(*words: str) -> str:
    return " ".join((COMMAND, *words))


def covenant_title(ctx: Context, year: EmulationYear, covenant: Covenant,
                   lang: str | None = None) -> str:
    return covenant.title or ctx.t("covenant.default_title", lang=lang, year=year.year)


def _version(year: EmulationYear, text: Covenant) -> str:
    """What the signer read: a change to the covenant's words makes another version."""
    words = json.dumps([text.title, list(text.text), {k: list(v) for k, v in
                                                      sorted(text.targets.items())}],
                       ensure_ascii=False)
    return hashlib.sha256(f"{year.id}:{words}".encode()).hexdigest()[:16]


async def _year(ctx: Context) -> tuple[EmulationYear, Covenant] | None:
    year = await current_year(ctx)
    if year is None or year.covenant is None:
        return None
    return year, year.covenant


@router.command("giaouoc", "covenant", action=Action.SEE_OWN_UNIT,
                help_key="help.cmd_covenant")
async def covenant(ctx: Context) -> None:
    """The covenant and who has signed; ``mo`` opens it, ``ky`` signs, ``tai`` downloads."""
    found = await _year(ctx)
    if found is None:
        ctx.reply(ctx.t("covenant.none", year=ctx.bloc.year))
        return
    year, text = found
    verb = ctx.args.strip().casefold()
    if verb in {OPEN, "mở", "open"}:
        await _open(ctx, year, text)
    elif verb in {SIGN, "ký", "sign"}:
        await _start_signing(ctx, year, text)
    elif verb in {DOWNLOAD, "tải", "download", "docx"}:
        await _download(ctx, year, text)
    else:
        await _show(ctx, year, text)


async def _show(ctx: Context, year: EmulationYear, text: Covenant) -> None:
    units = await ctx.repo.list_units(ctx.bloc.id)
    signatures = await ctx.repo.covenant_signatures(year.id)
    lines = [ctx.t("covenant.title_line", title=escape(covenant_title(ctx, year, text)))]
    lines += [escape(paragraph) for paragraph in text.text]
    own = next((u for u in units if ctx.member and u.id == ctx.member.unit_id), None)
    if own is not None and text.targets_of(own.code):
        lines += ["", ctx.t("covenant.targets_of", unit=escape(own.short_name))]
        lines += [ctx.t("covenant.target", text=escape(item)) for item in text.targets_of(own.code)]
    lines += ["", ctx.t("covenant.deadline", when=format_deadline(text.deadline, ctx.zone,
                                                                    ctx.t))]
    options: list[Option] = []
    if text.opened_at is None:
        lines.append(ctx.t("covenant.not_open"))
        if may(ctx.role, Action.OPEN_COVENANT):
            options.append(Option(ctx.t("covenant.open_button"), _command(OPEN)))
        ctx.reply("\n".join(lines), options=tuple(options))
        return
    if own is not None:
        signed = signatures.get(own.id)
        if signed is not None:
            lines.append(ctx.t("covenant.signed_by", name=escape(signed.signer_name),
                               title=escape(signed.signer_title),
                               when=format_moment(signed.signed_at, ctx.zone)))
        else:
            lines.append(ctx.t("covenant.not_signed"))
            if await _signs(ctx, own):
                options.append(Option(ctx.t("covenant.sign_button"), _command(SIGN)))
            elif may(ctx.role, Action.SIGN_COVENANT):
                lines.append(ctx.t("covenant.head_signs"))
    if ctx.role in OBSERVERS:
        waiting = [unit.short_name for unit in units if unit.id not in signatures]
        lines += ["", ctx.t("covenant.progress", signed=len(signatures), total=len(units))]
        if waiting:
            lines.append(ctx.t("covenant.waiting", units=escape(", ".join(waiting))))
    options.append(Option(ctx.t("covenant.download_button"), _command(DOWNLOAD)))
    ctx.reply("\n".join(lines), options=tuple(options))


async def _open(ctx: Context, year: EmulationYear, text: Covenant) -> None:
    """Open the covenant for signing and tell every unit's people."""
    if not may(ctx.role, Action.OPEN_COVENANT):
        ctx.reply(ctx.t("covenant.chair_opens"))
        return
    if text.opens is not None and ctx.now() < text.opens:
        ctx.reply(ctx.t("covenant.too_early", opens=format_opening(text.opens, ctx.zone, ctx.t)))
        return
    if not await ctx.repo.open_covenant(year.id, member_id=ctx.member.id if ctx.member
                                        else None, actor=ctx.actor, now=ctx.now()):
        ctx.reply(ctx.t("covenant.already_open"))
        return
    title = covenant_title(ctx, year, text)
    sent = await tell(ctx, await ctx.repo.list_members(ctx.bloc.id), f"covenant:{year.id}:open",
                      lambda t, member: Reply(
                          t("covenant.opened_notice", title=escape(title),
                            when=format_deadline(text.deadline, ctx.zone, t)),
                          options=(Option(t("covenant.see_button"), _command()),))
                      if member.unit_id is not None else None)
    await ctx.reminders.plan()  # the units yet to sign are reminded from now on
    ctx.reply(ctx.t("covenant.opened", title=escape(title), count=sent))


# -- signing ------------------------------------------------------------------------------

class SignAnswers(Answers):
    """A unit's signature of the covenant."""

    version: str | None = None  # the covenant's words as shown when signing began
    name: str | None = None
    title: str | None = None


async def _signs(ctx: Context, unit: Unit) -> bool:
    """Whether the caller signs for ``unit``: its head where one is registered, else its
    people (the chair's and deputy's officers for their own units)."""
    if not may(ctx.role, Action.SIGN_COVENANT):
        return False
    return await acts_for_unit(ctx, unit.id)


async def _may_sign(ctx: Context, year: EmulationYear, text: Covenant) -> Unit | None:
    """The caller's unit, when the caller signs for it now; else says why not."""
    member = ctx.member
    if member is None or member.unit_id is None or not may(ctx.role, Action.SIGN_COVENANT):
        ctx.reply(ctx.t("covenant.not_a_signer"))
        return None
    if text.opened_at is None:
        ctx.reply(ctx.t("covenant.not_open"))
        return None
    if member.unit_id in await ctx.repo.covenant_signatures(year.id):
        ctx.reply(ctx.t("covenant.already_signed"))
        return None
    if not await acts_for_unit(ctx, member.unit_id):
        ctx.reply(ctx.t("covenant.head_signs"))
        return None
    return await ctx.repo.get_unit(member.unit_id)


async def _start_signing(ctx: Context, year: EmulationYear, text: Covenant) -> None:
    if await _may_sign(ctx, year, text) is not None:
        await ctx.start_form(SIGN_FORM, SignAnswers(version=_version(year, text)))


async def _name_options(ctx: Context, answers: SignAnswers) -> list[Option]:
    """The person's own name, as a button (pressed, it is the answer), when it is a name
    and short enough to travel in a button."""
    name = ctx.display_name.strip()
    if sum(char.isalpha() for char in name) < 2 or len(name.encode()) > NAME_IN_BUTTON:
        return []
    return [Option(ctx.t("covenant.name_is_mine", name=name), name)]


async def _name(ctx: Context, answers: SignAnswers, text: str) -> str:
    if not says_something(text):
        raise InvalidAnswer("covenant.name_empty")
    return text.strip()[:NAME_LIMIT]


async def _title(ctx: Context, answers: SignAnswers, text: str) -> str:
    if not says_something(text):
        raise InvalidAnswer("covenant.title_empty")
    return text.strip()[:TITLE_LIMIT]


async def _review(ctx: Context, answers: SignAnswers) -> str:
    found = await _year(ctx)
    unit = await ctx.repo.get_unit(ctx.member.unit_id) if ctx.member and ctx.member.unit_id \
        else None
    if found is None or unit is None:
        return ctx.t("covenant.none", year=ctx.bloc.year)
    year, text = found
    lines = [ctx.t("covenant.review", unit=escape(unit.name), name=escape(answers.name or ""),
                   title=escape(answers.title or ""),
                   covenant=escape(covenant_title(ctx, year, text)))]
    lines += [ctx.t("covenant.target", text=escape(item)) for item in text.targets_of(unit.code)]
    return "\n".join(lines)


async def _sign(ctx: Context, answers: SignAnswers) -> None:
    found = await _year(ctx)
    if found is None:
        ctx.reply(ctx.t("covenant.none", year=ctx.bloc.year))
        return
    year, text = found
    unit = await _may_sign(ctx, year, text)
    if unit is None or answers.name is None or answers.title is None:
        return
    if answers.version != _version(year, text):  # the file changed while they signed
        ctx.reply(ctx.t("covenant.changed"), options=(
            Option(ctx.t("covenant.see_button"), _command()),))
        return
    if not await ctx.repo.sign_covenant(year.id, unit.id, member_id=ctx.member.id
                                        if ctx.member else None, signer_name=answers.name,
                                        signer_title=answers.title, actor=ctx.actor,
                                        now=ctx.now()):
        ctx.reply(ctx.t("covenant.already_signed"))
        return
    ctx.reply(ctx.t("covenant.signed", unit=escape(unit.short_name),
                    covenant=escape(covenant_title(ctx, year, text))),
              options=(Option(ctx.t("covenant.download_button"), _command(DOWNLOAD)),))
    await _tell_when_all_signed(ctx, year, text)


async def _tell_when_all_signed(ctx: Context, year: EmulationYear, text: Covenant) -> None:
    units = await ctx.repo.list_units(ctx.bloc.id)
    if len(await ctx.repo.covenant_signatures(year.id)) < len(units):
        return
    title = covenant_title(ctx, year, text)
    await tell(ctx, officers(await ctx.repo.list_members(ctx.bloc.id)),
               f"covenant:{year.id}:all-signed", lambda t, _: Reply(
                   t("covenant.all_signed", title=escape(title), count=len(units)),
                   options=(Option(t("covenant.download_button"), _command(DOWNLOAD)),)),
               skip_self=False)


SIGN_FORM = router.form(Form(
    name="covenant",
    answers=SignAnswers,
    steps=(
        Step("name", "covenant.ask_name", options=_name_options, parse=_name),
        Step("title", "covenant.ask_title", parse=_title),
        confirm_step(_review, "covenant.sign_confirm", yes="sign"),
    ),
    finish=_sign,
    resume_hint="covenant.resume_hint",
))


# -- the document -------------------------------------------------------------------------

async def _download(ctx: Context, year: EmulationYear, text: Covenant) -> None:
    from bot.services.exports.docx_covenant import CovenantDocument, render_covenant

    units = await ctx.repo.list_units(ctx.bloc.id)
    signatures = await ctx.repo.covenant_signatures(year.id)
    content = render_covenant(CovenantDocument(
        ministry=ctx.bloc.ministry, bloc=ctx.bloc.name, year=year.year,
        title=covenant_title(ctx, year, text, lang="vi"), text=text.text,
        shared=text.targets.get("all", ()),
        units=[(unit.name, text.targets.get(unit.code, ()), signatures.get(unit.id))
               for unit in units],
        today=ctx.today(), zone=ctx.zone, place=ctx.t("export.place", lang="vi")))
    ctx.reply(ctx.t("covenant.document", signed=len(signatures), total=len(units)),
              file=OutFile(ctx.t("covenant.file_name", year=year.year), content, DOCX_MIME))
