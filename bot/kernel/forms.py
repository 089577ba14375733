"""Guided conversations declared as data: a :class:`Form` is an ordered list of
:class:`Step` s.

Each step has a prompt, optionally a list of options and/or a parser for free text,
and a condition under which it is asked. A form's answers are its own typed model
(``bot/kernel/answers.py``): a step's answer is the field named like the step. The
dialog engine (``bot/kernel/dialog.py``) runs them and keeps each person's place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.domain.events import InboundFile, Option
from bot.domain.text import fold
from bot.kernel.answers import Answers
from bot.kernel.context import Context

A = TypeVar("A", bound=Answers)
# A step only consumes answers: a step written for any form's answers (the kit's unit
# picker) is a step of every form.
A_in = TypeVar("A_in", bound=Answers, contravariant=True)

PromptFn = Callable[[Context, A], Awaitable[str]]
OptionsFn = Callable[[Context, A], Awaitable[list[Option]]]
ParseFn = Callable[[Context, A, str], Awaitable[Any]]
FinishFn = Callable[[Context, A], Awaitable[None]]
FileFn = Callable[[Context, A, InboundFile], Awaitable[None]]
RouteFn = Callable[[A, Any], "str | None"]

FINISH = "__finish__"
"""A route target: the form is complete, call its ``finish``."""
CANCEL = "__cancel__"
"""A route target: the person cancelled the form."""
# LEAVE (bot/domain/events.py) is an option's value (a picker's "Close"): the form ends where
# it is, nothing it asked is kept, and the person is told it is closed. Never stored as an
# answer.
BACK_TO = "__back__:"
"""The prefix of an option's value that goes back to an earlier step (see :func:`back_to`)."""


def back_to(step: str) -> str:
    """An option's value (a picker's "Back"): ask the step ``step`` again, its answer
    forgotten. Never stored as an answer, so a picker whose field is an ``int`` can offer it."""
    return BACK_TO + step


class InvalidAnswer(Exception):
    """An answer the step cannot accept; ``key`` names the catalog message to show."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Step(Generic[A_in]):
    """One question of a form.

    ``prompt`` is a catalog key or a function building the (HTML) question.
    With ``options`` the user picks one (by button, number or label); with
    ``parse`` they may type an answer, which ``parse`` validates. A step whose
    ``when`` returns ``False`` for the answers so far is skipped.

    ``route`` may send the person elsewhere after the answer (a step name,
    :data:`FINISH` or :data:`CANCEL`); ``None`` goes on in order. A ``transient``
    step's answer is not kept (a summary's *submit / edit / cancel*).
    ``accept_file`` lets the step take documents and photos.

    The answer (an option's value, or what ``parse`` returns) is stored in the form's
    answers under the step's name, converted to that field's type.
    """

    name: str
    prompt: str | PromptFn[A_in]
    options: OptionsFn[A_in] | None = None
    parse: ParseFn[A_in] | None = None
    when: Callable[[A_in], bool] | None = None
    route: RouteFn[A_in] | None = None
    transient: bool = False
    accept_file: FileFn[A_in] | None = None


@dataclass(frozen=True)
class Form(Generic[A]):
    """A guided conversation: its answers' model, its steps in order and what to do with
    the answers."""

    name: str
    answers: type[A]
    steps: tuple[Step[A], ...]
    finish: FinishFn[A]
    resume_hint: str | None = None  # catalog key: how to resume a parked draft
    browse: bool = False  # a view: at a menu, text that answers no option leaves it

    def __post_init__(self) -> None:
        fields = self.answers.model_fields
        missing = [step.name for step in self.steps
                   if not step.transient and step.name not in fields]
        if missing:  # a programming error, found when the feature module is imported
            raise TypeError(f"form {self.name!r}: {self.answers.__name__} has no field for "
                            f"the step(s) {', '.join(missing)}")

    def step(self, name: str) -> Step[A] | None:
        """The step called ``name``, if the form still has it."""
        return next((step for step in self.steps if step.name == name), None)

    def next_step(self, after: str | None, answers: A) -> Step[A] | None:
        """The first step after ``after`` (or the first of all) that applies and is unanswered.

        Answered steps are passed over, so a pre-filled form (a one-line command,
        a resumed draft, one answer changed from the summary) asks only what it lacks.
        """
        names = [step.name for step in self.steps]
        start = names.index(after) + 1 if after in names else 0
        for step in self.steps[start:]:
            if answers.answered(step.name):
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


