"""The small pieces forms are made of, written once: back and close, a confirmation, the
unit picker, text that may not be empty, dates, a file received.

Each is a step's ``options`` or ``parse`` function (or builds one), so a form reads
``Step("unit", "status.ask_unit", options=unit_options(), parse=typed_unit)``; their
words are the catalog's ``common.*`` keys, shared by every feature.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from bot.domain.events import LEAVE, InboundFile, Option
from bot.domain.reporting import MAX_DOCUMENT_BYTES
from bot.domain.text import escape
from bot.domain.unit_names import UnitRef, match_unit
from bot.kernel.answers import Answers, Moment
from bot.kernel.context import Context
from bot.kernel.forms import CANCEL, FINISH, InvalidAnswer, OptionsFn, PromptFn, Step, back_to
from config.dates import DateParseError, parse_date, parse_date_or_datetime
from storage.records import Attachment, Unit

BACK, CLOSE = "back", "close"
EMPTY = ("", "-", "—")  # what a person types to leave an optional answer empty


# -- leaving a view ---------------------------------------------------------------------------

def back_option(ctx: Context) -> Option:
    """"Back": one step up in a view."""
    return Option(ctx.t("common.back"), BACK)


def close_option(ctx: Context) -> Option:
    """"Close": leave the view."""
    return Option(ctx.t("common.close"), CLOSE)


def and_close(ctx: Context, options: list[Option], *, back: bool = False) -> list[Option]:
    """``options`` followed by "Back" (with ``back``) and "Close"."""
    return [*options, *([back_option(ctx)] if back else []), close_option(ctx)]


def picker_exits(ctx: Context, *, back: str | None = None) -> list[Option]:
    """A picker's way out: "Back" to the step ``back`` (when there is one to go back to) and
    "Close". Their values are never stored as the picker's answer (``bot/kernel/forms.py``
    :func:`back_to`, :data:`LEAVE`), so they fit any picker, whatever its answer's type."""
    return [*([Option(ctx.t("common.back"), back_to(back))] if back else []),
            Option(ctx.t("common.close"), LEAVE)]


async def back_or_close(ctx: Context, answers: Answers) -> list[Option]:
    """A view's last question: back, or close."""
    return and_close(ctx, [], back=True)


def confirm_options(ctx: Context, yes_key: str, no_key: str = "common.cancel",
                    *, yes: str = "yes", no: str = "no") -> list[Option]:
    """A confirmation: ``yes_key``'s label, then ``no_key``'s."""
    return [Option(ctx.t(yes_key), yes), Option(ctx.t(no_key), no)]


def confirm_step(prompt: str | PromptFn[Any], yes_key: str, yes: str) -> Step[Any]:
    """A form's last question: its summary (``prompt``), then ``yes_key`` (the form
    finishes; the button's value ``yes``) or "Hủy" (it is cancelled). Not kept."""
    async def options(ctx: Context, answers: Answers) -> list[Option]:
        return confirm_options(ctx, yes_key, yes=yes, no="cancel")

    def route(answers: Answers, value: Any) -> str:
        return FINISH if value == yes else CANCEL

    return Step("confirm", prompt, options=options, route=route, transient=True)


# -- typed answers ----------------------------------------------------------------------------

async def required_text(ctx: Context, answers: Answers, text: str) -> str:
    """Text that may not be empty, trimmed."""
    if not text.strip():
        raise InvalidAnswer("common.text_needed")
    return text.strip()


async def optional_text(ctx: Context, answers: Answers, text: str) -> str:
    """Text that may be left empty (``-``), trimmed."""
    return "" if text.strip() in EMPTY else text.strip()


async def day_answer(ctx: Context, answers: Answers, text: str) -> date:
    """A day (``13/7/2023``, ``13-07``: this year when the year is left out)."""
    try:
        return parse_date(text, default_year=ctx.today().year)
    except DateParseError:
        raise InvalidAnswer("common.bad_date", value=escape(text[:40])) from None


async def moment_answer(ctx: Context, answers: Answers, text: str) -> Moment:
    """A day or a day and time (``15/12 14h30``); the time is the bloc's."""
    try:
        return Moment.of(parse_date_or_datetime(text, default_year=ctx.today().year))
    except DateParseError:
        raise InvalidAnswer("common.bad_date", value=escape(text[:40])) from None


# -- units --------------------------------------------------------------------------------------

def by_id(unit: Unit) -> str:
    """A unit picker's value: the unit's id."""
    return str(unit.id)


def by_code(unit: Unit) -> str:
    """A unit picker's value: the unit's code (where the answer names units, an invite)."""
    return unit.code


def unit_options(value: Callable[[Unit], str] = by_id, *,
                 back: str | None = None) -> OptionsFn[Answers]:
    """The bloc's units as options (their short names; the value ``value(unit)``, the id by
    default), then "Back" (to the step ``back``, if given) and "Close"."""

    async def options(ctx: Context, answers: Answers) -> list[Option]:
        return [*(Option(unit.short_name, value(unit))
                  for unit in await ctx.repo.list_units(ctx.bloc.id)),
                *picker_exits(ctx, back=back)]

    return options


async def typed_unit(ctx: Context, answers: Answers, text: str) -> int:
    """One unit named in words (its code, short or full name, or an alias, with or without
    diacritics): its id, as the unit picker's options give it."""
    units = await ctx.repo.list_units(ctx.bloc.id)
    found = match_unit(text, [UnitRef.of(unit) for unit in units])
    if found is None:
        raise InvalidAnswer("common.unit_unknown", value=escape(text.strip()[:60]))
    return next(unit.id for unit in units if unit.code == found.code)


async def typed_unit_code(ctx: Context, answers: Answers, text: str) -> str:
    """One unit named in words, as :func:`typed_unit`: its code (for pickers whose options
    carry codes)."""
    unit_id = await typed_unit(ctx, answers, text)
    return next(unit.code for unit in await ctx.repo.list_units(ctx.bloc.id)
                if unit.id == unit_id)


async def typed_units(ctx: Context, answers: Answers, text: str) -> tuple[str, ...]:
    """Unit names, short names, codes or aliases separated by commas → their codes.

    Tolerant of missing diacritics and small typos; a name that matches no unit is
    refused with the name shown, so the person can correct it.
    """
    refs = [UnitRef.of(unit) for unit in await ctx.repo.list_units(ctx.bloc.id)]
    codes = []
    for part in text.replace(";", ",").split(","):
        if part.strip():
            found = match_unit(part, refs)
            if found is None:
                raise InvalidAnswer("common.unit_unknown", value=escape(part.strip()[:60]))
            codes.append(found.code)
    if not codes:
        raise InvalidAnswer("common.unit_unknown", value="")
    return tuple(dict.fromkeys(codes))


# -- files ------------------------------------------------------------------------------------

def files_received(ctx: Context, question: str, attachments: list[Attachment]) -> str:
    """A files step's question, with how many have come so far."""
    if not attachments:
        return question
    return question + "\n" + ctx.t("progress.files_received", count=len(attachments))


def files_done_or(ctx: Context, attachments: list[Attachment], otherwise: Option) -> list[Option]:
    """A files step's way on: "Xong" once a file has come, ``otherwise`` before."""
    return [Option(ctx.t("progress.files_done"), "done")] if attachments else [otherwise]


def attach_file(ctx: Context, attachments: list[Attachment],
                file: InboundFile) -> list[Attachment]:
    """``attachments`` with the file just received (a step's ``accept_file``); a document
    over the size the bot takes is refused with its name."""
    if file.kind == "document" and (file.size or 0) > MAX_DOCUMENT_BYTES:
        raise InvalidAnswer("progress.file_too_big", name=escape(file.name or ""))
    return [*attachments, Attachment(channel=ctx.event.channel, file_id=file.file_id,
                                     kind=file.kind, name=file.name, mime_type=file.mime_type,
                                     size=file.size)]
