"""``/ngonngu`` (``/lang``): switch between Vietnamese and English."""

from __future__ import annotations

from bot.domain.events import Option
from bot.domain.i18n import LANGUAGES
from bot.domain.text import escape
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from bot.kernel.forms import Form, InvalidAnswer, Step
from bot.kernel.router import Router

router = Router()


class LanguageAnswers(Answers):
    """``/ngonngu``: the language chosen."""

    language: str | None = None


async def _options(ctx: Context, answers: LanguageAnswers) -> list[Option]:
    return [Option(ctx.t(f"language.name_{code}"), code) for code in LANGUAGES]


async def _parse(ctx: Context, answers: LanguageAnswers, text: str) -> str:
    raise InvalidAnswer("language.unknown", value=escape(text[:40]))


async def _finish(ctx: Context, answers: LanguageAnswers) -> None:
    await _switch(ctx, answers.language or ctx.language)


async def _switch(ctx: Context, language: str) -> None:
    if ctx.member is None:
        ctx.reply(ctx.t("language.admin_not_registered"))
        return
    await ctx.repo.set_member_language(ctx.member.id, language)
    ctx.language = language
    ctx.reply(ctx.t("language.switched"))


LANGUAGE = router.form(Form(
    name="language",
    answers=LanguageAnswers,
    steps=(Step("language", "language.ask", options=_options, parse=_parse),),
    finish=_finish,
))


@router.command("ngonngu", "lang", help_key="help.cmd_lang", private_only=True)
async def choose_language(ctx: Context) -> None:
    """``/ngonngu en`` switches at once; plain ``/ngonngu`` offers the choice."""
    wanted = ctx.args.strip().lower()
    if wanted in LANGUAGES:
        await _switch(ctx, wanted)
    elif wanted:
        ctx.reply(ctx.t("language.unknown", value=escape(wanted[:40])))
    else:
        await ctx.start_form(LANGUAGE)
