"""The dialog engine: guided conversations declared as data.

A :class:`Form` is an ordered list of :class:`Step` s. Each step has a prompt,
optionally a list of options and/or a parser for free text, and a condition
under which it is asked. The engine keeps each person's place (form, step,
answers, token) in the database through the repository, so a restart loses
nothing; and it works on any channel, because it only sees text and choices.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.domain.events import InboundFile, Option
from bot.domain.text import fold

if TYPE_CHECKING:
    from bot.kernel.context import Context

Answers = dict[str, Any]
PromptFn = Callable[["Context", Answers], Awaitable[str]]
OptionsFn = Callable[["Context", Answers], Awaitable[list[Option]]]
ParseFn = Callable[["Context", Answers, str], Awaitable[Any]]
FinishFn = Callable[["Context", Answers], Awaitable[None]]
FileFn = Callable[["Context", Answers, InboundFile], Awaitable[None]]
RouteFn = Callable[[Answers, Any], "str | None"]

FINISH = "__finish__"
"""A route target: the form is complete, call its ``finish``."""
CANCEL = "__cancel__"
"""A route target: the person cancelled the form."""


class InvalidAnswer(Exception):
    """An answer the step cannot accept; ``key`` names the catalog message to show."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Step:
    """One question of a form.

    ``prompt`` is a catalog key or a function building the (HTML) question.
    With ``options`` the user picks one (by button, number or label); with
    ``parse`` they may type an answer, which ``parse`` validates. A step whose
    ``when`` returns ``False`` for the answers so far is skipped.

    ``route`` may send the person elsewhere after the answer (a step name,
    :data:`FINISH` or :data:`CANCEL`); ``None`` goes on in order. A ``transient``
    step's answer is not kept (a summary's *submit / edit / cancel*).
    ``accept_file`` lets the step take documents and photos.
    """

    name: str
    prompt: str | PromptFn
    options: OptionsFn | None = None
    parse: ParseFn | None = None
    when: Callable[[Answers], bool] | None = None
    route: RouteFn | None = None
    transient: bool = False
    accept_file: FileFn | None = None


@dataclass(frozen=True)
class Form:
    """A guided conversation: its steps in order and what to do with the answers."""

    name: str
    steps: tuple[Step, ...]
    finish: FinishFn
    resume_hint: str | None = None  # catalog key: how to resume a parked draft
    browse: bool = False  # a view: at a menu, text that answers no option leaves it

    def step(self, name: str) -> Step | None:
        """The step called ``name``, if the form still has it."""
        return next((step for step in self.steps if step.name == name), None)

    def next_step(self, after: str | None, answers: Answers) -> Step | None:
        """The first step after ``after`` (or the first of all) that applies and is unanswered.

        Answered steps are passed over, so a pre-filled form (a one-line command,
        a resumed draft, one answer changed from the summary) asks only what it lacks.
        """
        names = [step.name for step in self.steps]
        start = names.index(after) + 1 if after in names else 0
        for step in self.steps[start:]:
            if step.name in answers:
                continue
            if step.when is None or step.when(answers):
                return step
        return None


def match_option(text: str, options: list[Option]) -> Option | None:
    """The option a typed answer means: its number, its label or its value."""
    wanted = fold(text)
    number = wanted.rstrip(".)")  # "2", "2." and "2)" all mean the second option
    if number.isascii() and number.isdigit() and 1 <= int(number) <= len(options):
        return options[int(number) - 1]
    for option in options:
        if wanted in (fold(option.label), fold(option.value)):
            return option
    return None


class DialogEngine:
    """Runs forms for one person at a time, keeping their place in storage."""

    def __init__(self, forms: dict[str, Form]) -> None:
        self._forms = forms

    def form(self, name: str | None) -> Form | None:
        """A registered form by name."""
        return self._forms.get(name) if name else None

    async def start(self, ctx: Context, form_name: str, answers: Answers | None = None,
                    *, at: str | None = None) -> None:
        """Begin ``form_name`` for the person, replacing any conversation they were in.

        Steps already answered in ``answers`` are passed over; with ``at`` the
        conversation resumes at that step (a draft being continued).
        """
        form = self._forms[form_name]
        state = ctx.dialog
        state.form, state.answers = form.name, dict(answers or {})
        if at is not None and form.step(at) is not None:
            state.step = at
            await self.ask(ctx)
            return
        await self._advance(ctx, form, after=None)

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
        form = self.form(ctx.dialog.form)
        step = form.step(ctx.dialog.step or "") if form else None
        if form is None or step is None:
            await self.cancel(ctx)
            ctx.reply(ctx.t("dialog.gone"))
            return
        if not same_token:
            ctx.dialog.token += 1
        await ctx.save_dialog()
        text = ctx.t(step.prompt) if isinstance(step.prompt, str) else await step.prompt(
            ctx, ctx.dialog.answers
        )
        options = await step.options(ctx, ctx.dialog.answers) if step.options else []
        ctx.reply(text, options=tuple(options), token=ctx.dialog.token)

    async def answer(self, ctx: Context, *, text: str | None = None,
                     choice: str | None = None) -> None:
        """Take the person's answer to the current step and move on."""
        form = self.form(ctx.dialog.form)
        step = form.step(ctx.dialog.step or "") if form else None
        if form is None or step is None:
            await self.cancel(ctx)
            ctx.reply(ctx.t("dialog.gone"))
            return
        try:
            value = await self._value(ctx, step, text=text, choice=choice)
        except InvalidAnswer as problem:
            ctx.reply(ctx.t(problem.key, **problem.params))
            await self.ask(ctx, same_token=True)  # the same question: its buttons stay valid
            return
        if not step.transient:
            ctx.dialog.answers[step.name] = value
        target = step.route(ctx.dialog.answers, value) if step.route else None
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

    def current_step(self, ctx: Context) -> Step | None:
        """The step the person is at, if their form still has it."""
        form = self.form(ctx.dialog.form)
        return form.step(ctx.dialog.step or "") if form else None

    async def fits(self, ctx: Context, text: str) -> bool:
        """Whether ``text`` is an acceptable answer to the current step."""
        form = self.form(ctx.dialog.form)
        step = form.step(ctx.dialog.step or "") if form else None
        if step is None:
            return False
        try:
            await self._value(ctx, step, text=text, choice=None)
        except InvalidAnswer:
            return False
        return True

    async def accept_file(self, ctx: Context, file: InboundFile) -> None:
        """Give a sent document or photo to the current step, if it takes files."""
        form = self.form(ctx.dialog.form)
        step = form.step(ctx.dialog.step or "") if form else None
        if step is None or step.accept_file is None:
            ctx.reply(ctx.t("dialog.no_file_here"))
            await self.ask(ctx)
            return
        try:
            await step.accept_file(ctx, ctx.dialog.answers, file)
        except InvalidAnswer as problem:
            ctx.reply(ctx.t(problem.key, **problem.params))
        await self.ask(ctx, same_token=True)

    async def _value(self, ctx: Context, step: Step, *, text: str | None,
                     choice: str | None) -> Any:
        options = await step.options(ctx, ctx.dialog.answers) if step.options else []
        if choice is not None:
            if any(option.value == choice for option in options):
                return choice
            raise InvalidAnswer("dialog.stale_option")
        raw = (text or "").strip()
        if options:
            picked = match_option(raw, options)
            if picked is not None:
                return picked.value
        if step.parse is not None:
            return await step.parse(ctx, ctx.dialog.answers, raw)
        raise InvalidAnswer("dialog.pick_option", count=len(options))

    async def _advance(self, ctx: Context, form: Form, *, after: str | None) -> None:
        step = form.next_step(after, ctx.dialog.answers)
        if step is not None:
            ctx.dialog.step = step.name
            await self.ask(ctx)
            return
        await self._finish(ctx, form)

    async def _finish(self, ctx: Context, form: Form) -> None:
        answers = dict(ctx.dialog.answers)
        ctx.dialog.form, ctx.dialog.step, ctx.dialog.answers = None, None, {}
        ctx.dialog.token += 1  # every keyboard of the finished form is now out of date
        await ctx.save_dialog()
        # The form's writes and the cleared conversation commit together with the event
        # (the core's unit of work): if finishing fails, both are rolled back and the
        # person's answers are still there for them to send the last step again.
        await form.finish(ctx, answers)
