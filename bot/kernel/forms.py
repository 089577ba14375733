"""Guided conversations declared as data: a :class:`Form` is an ordered list of
:class:`Step` s.

Each step has a prompt, optionally a list of options and/or a parser for free text,
and a condition under which it is asked. The dialog engine (``bot/kernel/dialog.py``)
runs them and keeps each person's place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.domain.events import InboundFile, Option
from bot.domain.text import fold
from bot.kernel.context import Context

Answers = dict[str, Any]
PromptFn = Callable[[Context, Answers], Awaitable[str]]
OptionsFn = Callable[[Context, Answers], Awaitable[list[Option]]]
ParseFn = Callable[[Context, Answers, str], Awaitable[Any]]
FinishFn = Callable[[Context, Answers], Awaitable[None]]
FileFn = Callable[[Context, Answers, InboundFile], Awaitable[None]]
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


