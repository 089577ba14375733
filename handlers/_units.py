"""Units named in typed text (shared by the forms that ask "which units?")."""

from __future__ import annotations

from bot.domain.questions import UnitRef, match_unit
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.forms import Answers, InvalidAnswer


async def typed_units(ctx: Context, answers: Answers, text: str) -> str:
    """Unit names, short names, codes or aliases separated by commas → their codes, joined.

    Tolerant of missing diacritics and small typos; a name that matches no unit is
    refused with the name shown, so the person can correct it.
    """
    units = await ctx.repo.list_units(ctx.bloc.id)
    refs = [UnitRef.of(unit) for unit in units]
    codes = []
    for part in text.replace(";", ",").split(","):
        if part.strip():
            found = match_unit(part, refs)
            if found is None:
                raise InvalidAnswer("outreach.unit_unknown", value=escape(part.strip()[:60]))
            codes.append(found.code)
    if not codes:
        raise InvalidAnswer("outreach.unit_unknown", value="")
    return ",".join(dict.fromkeys(codes))
