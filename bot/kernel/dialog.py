"""The dialog engine: runs the forms (``bot/kernel/forms.py``) for one person at a time.

The engine keeps each person's place (form, step, answers, token) in their dialog
state, which the dispatcher stores with the event's other writes, so a restart
loses nothing; and it works on any channel, because it only sees text and choices.
Every rule of a conversation lives here: what a typed answer means, when an answer
is refused, and when a view being browsed gives way to a new question. The answers
are stored as JSON and handed to the steps as the form's typed model (``answers.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from bot.domain.events import LEAVE, InboundFile
from bot.domain.periods import date_examples
from bot.domain.text import fold
from bot.kernel.answers import Answers
from bot.kernel.context import Context, Named
from bot.kernel.forms import (
    BACK_TO,
    CANCEL,
    FINISH,
    Form,
    InvalidAnswer,
    Step,
    match_option,
)

log = logging.getLogger(__name__)


class _Unreadable(Exception):
    """Stored answers the form's model no longer reads (a form changed under a draft)."""


class DialogEngine:
    """Runs forms for one person at a time, keeping their place in storage."""

    def __init__(self, forms: dict[str, Form[Any]]) -> None:
        self._forms = forms

    def form(self, name: str | None) -> Form[Any] | None:
        """A registered form by name."""
        return self._forms.get(name) if name else None

    async def start(self, ctx: Context, form: Named, answers: Answers | None = None,
                    *, at: Named | None = None) -> None:
        """Begin ``form`` for the person, replacing any conversation they were in.

        Steps already answered in ``answers`` (the form's own model) are passed over;
        with ``at`` the conversation resumes at that step (a draft being continued).
        """
        registered = self._forms[form.name]
        if answers is not None and not isinstance(answers, registered.answers):
            raise TypeError(f"form {registered.name!r} takes {registered.answers.__name__}, "
                            f"not {type(answers).__name__}")
        state = ctx.dialog
        state.form, state.answers = registered.name, {} if answers is None else answers.stored()
        if at is not None and registered.step(at.name) is not None:
            state.step = at.name
            await self.ask(ctx)
            return
        await self._advance(ctx, registered, after=None)

    async def cancel(self, ctx: Context) -> bool:
        """Leave the current conversation; ``False`` if there was none."""
        state = ctx.dialog
        if state.form is None:
            return False
        state.form, state.step, state.answers = None, None, {}
        await ctx.save_dialog()
        return True

    async def ask(self, ctx: Context, *, same_token: bool = False) -> None:
        """Ask (again) the question the person is at, under a fresh token.

        ``same_token`` keeps the previous question's options valid (a re-ask
        that only acknowledges a file).
        """
        current = await self._current(ctx)
        if current is None:
            return
        _, step, answers = current
        if not same_token:
            ctx.dialog.token += 1
        await ctx.save_dialog()
        text = (ctx.t(step.prompt, **date_examples(ctx.today())) if isinstance(step.prompt, str)
                else await step.prompt(ctx, answers))
        options = await step.options(ctx, answers) if step.options else []
        ctx.reply(text, options=tuple(options), token=ctx.dialog.token)

    async def answer(self, ctx: Context, *, text: str | None = None,
                     choice: str | None = None) -> None:
        """Take the person's answer to the current step and move on."""
        current = await self._current(ctx)
        if current is None:
            return
        form, step, answers = current
        try:
            value, picked = await self._value(ctx, step, answers, text=text, choice=choice)
        except InvalidAnswer as problem:
            ctx.reply(ctx.t(problem.key, **{**date_examples(ctx.today()), **problem.params}))
            await self.ask(ctx, same_token=True)  # the same question: its buttons stay valid
            return
        # Back and Close are options; the same words typed as an answer are just text
        if picked and value == LEAVE:  # a picker's "Close"
            await self.cancel(ctx)
            ctx.reply(ctx.t("common.closed"))
            return
        if picked and isinstance(value, str) and value.startswith(BACK_TO):  # "Back"
            earlier = value.removeprefix(BACK_TO)
            if earlier in type(answers).model_fields:
                answers.forget(earlier)
            ctx.dialog.answers = answers.stored()
            ctx.dialog.step = earlier
            await self.ask(ctx)
            return
        if not step.transient:
            setattr(answers, step.name, value)
        target = step.route(answers, value) if step.route else None
        ctx.dialog.answers = answers.stored()
        if target == CANCEL:
            await self.cancel(ctx)
            ctx.reply(ctx.t("dialog.cancelled"))
        elif target == FINISH:
            await self._finish(ctx, form)
        elif target is not None:
            ctx.dialog.step = target
            await self.ask(ctx)
        else:
            await self._advance(ctx, form, after=step.name)

    def current_step(self, ctx: Context) -> Step[Any] | None:
        """The step the person is at, if their form still has it."""
        form = self.form(ctx.dialog.form)
        return form.step(ctx.dialog.step or "") if form else None

    async def _current(self, ctx: Context) -> tuple[Form[Any], Step[Any], Answers] | None:
        """The person's form, step and answers; ``None`` (the conversation closed, the
        person told) when the form no longer has the step or can no longer read the
        answers (the bot was updated under a conversation)."""
        form, step = self.form(ctx.dialog.form), self.current_step(ctx)
        if form is not None and step is not None:
            try:
                return form, step, self._answers(ctx, form)
            except _Unreadable:
                pass
        await self._gone(ctx)
        return None

    async def take_text(self, ctx: Context, text: str | None) -> bool:
        """Give typed text to the conversation in progress; ``False`` when it is not for it.

        A view being browsed (a form marked ``browse``) waiting at a menu gives way to
        text that answers none of its options: the view is closed and the text is free
        to be read as a new question. Everything else is an answer to the current step.
        """
        form, step = self.form(ctx.dialog.form), self.current_step(ctx)
        at_menu = step is not None and step.options is not None and step.parse is None
        if form is not None and form.browse and at_menu and text and not await self.fits(
                ctx, text):
            await self.cancel(ctx)
            return False
        await self.answer(ctx, text=text or "")
        return True

    async def fits(self, ctx: Context, text: str) -> bool:
        """Whether ``text`` is an acceptable answer to the current step."""
        form, step = self.form(ctx.dialog.form), self.current_step(ctx)
        if form is None or step is None:
            return False
        try:
            await self._value(ctx, step, self._answers(ctx, form), text=text, choice=None)
        except (InvalidAnswer, _Unreadable):
            return False
        return True

    async def accept_file(self, ctx: Context, file: InboundFile) -> None:
        """Give a sent document or photo to the current step, if it takes files."""
        step = self.current_step(ctx)
        if step is None or step.accept_file is None:
            ctx.reply(ctx.t("dialog.no_file_here"))
            await self.ask(ctx)
            return
        current = await self._current(ctx)
        if current is None:
            return
        _, _, answers = current
        try:
            await step.accept_file(ctx, answers, file)
        except InvalidAnswer as problem:
            ctx.reply(ctx.t(problem.key, **problem.params))
        else:
            ctx.dialog.answers = answers.stored()
        await self.ask(ctx, same_token=True)

    def _answers(self, ctx: Context, form: Form[Any]) -> Answers:
        """The stored answers as the form's model."""
        model: type[Answers] = form.answers
        try:
            return model.model_validate(ctx.dialog.answers)
        except ValidationError as problem:
            log.warning("stored answers of form %r no longer fit it (%d error(s)); the "
                        "conversation is closed", form.name, problem.error_count())
            raise _Unreadable from None

    async def _gone(self, ctx: Context) -> None:
        """The conversation cannot go on (its form or step is gone): close it, say so."""
        await self.cancel(ctx)
        ctx.reply(ctx.t("dialog.gone"))

    async def _value(self, ctx: Context, step: Step[Any], answers: Answers, *,
                     text: str | None, choice: str | None) -> tuple[Any, bool]:
        """The answer, and whether it is one of the step's options (not parsed text)."""
        options = await step.options(ctx, answers) if step.options else []
        if choice is not None:
            if any(option.value == choice for option in options):
                return choice, True
            raise InvalidAnswer("dialog.stale_option")
        raw = (text or "").strip()
        # "Close" has no number: a numbered menu (Zalo) leaves it out, its 0 leaves instead
        numbered = [option for option in options if option.value != LEAVE]
        if options:
            picked = match_option(raw, numbered) or next(
                (option for option in options
                 if option.value == LEAVE and fold(raw) == fold(option.label)), None)
            if picked is not None:
                return picked.value, True
        number = raw.rstrip(".)")
        # "9" on a menu of 4 (a menu: two or more numbered options, not a date question's
        # one "no deadline" button)
        beyond = number.isascii() and number.isdigit() and len(numbered) >= 2
        if step.parse is not None:
            try:
                return await step.parse(ctx, answers, raw), False
            except InvalidAnswer:
                if not beyond:
                    raise
        if beyond:
            raise InvalidAnswer("dialog.pick_number", value=number[:6], count=len(numbered))
        raise InvalidAnswer("dialog.pick_option", count=len(numbered))

    async def _advance(self, ctx: Context, form: Form[Any], *, after: str | None) -> None:
        try:
            step = form.next_step(after, self._answers(ctx, form))
        except _Unreadable:
            await self._gone(ctx)
            return
        if step is not None:
            ctx.dialog.step = step.name
            await self.ask(ctx)
            return
        await self._finish(ctx, form)

    async def _finish(self, ctx: Context, form: Form[Any]) -> None:
        try:
            answers = self._answers(ctx, form)
        except _Unreadable:
            await self._gone(ctx)
            return
        ctx.dialog.form, ctx.dialog.step, ctx.dialog.answers = None, None, {}
        ctx.dialog.token += 1  # every keyboard of the finished form is now out of date
        await ctx.save_dialog()
        # The form's writes and the cleared conversation commit together with the event
        # (the core's unit of work): if finishing fails, both are rolled back and the
        # person's answers are still there for them to send the last step again.
        await form.finish(ctx, answers)
