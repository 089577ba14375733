"""Routers: each feature module declares the commands and forms it owns.

Like aiogram's ``Router``: handlers are registered by decorator, routers are
nested with :meth:`Router.include_router`, and the dispatcher reads the merged
registry. Role checks happen once, in the dispatcher, from these declarations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.domain.access import Action, may
from bot.kernel.context import Context
from bot.kernel.forms import A, Form
from storage.records import Role

Handler = Callable[[Context], Awaitable[None]]


@dataclass(frozen=True)
class Fallback:
    """What to do with free text in a private chat when no conversation is in progress."""

    handler: Handler
    action: Action


@dataclass(frozen=True)
class Command:
    """A slash command.

    ``names`` are the Vietnamese name first, then its English alias (if any);
    ``help_key`` is the catalog key of its one-line description.
    """

    names: tuple[str, ...]
    handler: Handler
    action: Action
    help_key: str
    public: bool = False  # strangers may use it (``/start`` with an invite)
    private_only: bool = False  # it converses, so it runs only in a private chat
    listed: bool = True  # shown in /help and the messenger's command menu

    @property
    def name(self) -> str:
        return self.names[0]

    def name_for(self, language: str) -> str:
        """The name to show a reader of ``language`` (English alias for ``en``)."""
        return self.names[1] if language == "en" and len(self.names) > 1 else self.names[0]

    def allows(self, role: Role | None) -> bool:
        """Whether a person with ``role`` (``None``: a stranger) may run it."""
        return self.public if role is None else may(role, self.action)


class Router:
    """A feature's commands and forms; include other routers to nest."""

    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._forms: dict[str, Form[Any]] = {}
        self._fallbacks: list[Fallback] = []
        self._membership: list[Handler] = []
        self._children: list[Router] = []

    def command(
        self, *names: str, action: Action = Action.USE_BASICS, help_key: str,
        public: bool = False, private_only: bool = False, listed: bool = True,
    ) -> Callable[[Handler], Handler]:
        """Register the decorated coroutine as the handler of ``/name`` and its aliases."""

        def register(handler: Handler) -> Handler:
            self._commands.append(Command(
                names=tuple(name.lower() for name in names), handler=handler, action=action,
                help_key=help_key, public=public, private_only=private_only, listed=listed,
            ))
            return handler

        return register

    def fallback(self, action: Action) -> Callable[[Handler], Handler]:
        """Register the decorated coroutine for free text from people allowed ``action``."""

        def register(handler: Handler) -> Handler:
            self._fallbacks.append(Fallback(handler, action))
            return handler

        return register

    def membership(self, handler: Handler) -> Handler:
        """Register the decorated coroutine for changes of the bot's place in a chat (a
        person blocking it, the bot added to or removed from a group)."""
        self._membership.append(handler)
        return handler

    def membership_handlers(self) -> Iterator[Handler]:
        """Every membership handler of this router and its children."""
        yield from self._membership
        for child in self._children:
            yield from child.membership_handlers()

    def fallbacks(self) -> Iterator[Fallback]:
        """Every free-text handler of this router and its children, in registration order."""
        yield from self._fallbacks
        for child in self._children:
            yield from child.fallbacks()

    def form(self, form: Form[A]) -> Form[A]:
        """Register a guided conversation."""
        self._forms[form.name] = form
        return form

    def include_router(self, router: Router) -> Router:
        """Nest ``router`` under this one."""
        self._children.append(router)
        return router

    def commands(self) -> Iterator[Command]:
        """Every command of this router and its children, in registration order."""
        yield from self._commands
        for child in self._children:
            yield from child.commands()

    def forms(self) -> dict[str, Form[Any]]:
        """Every form of this router and its children, by name."""
        merged = dict(self._forms)
        for child in self._children:
            merged.update(child.forms())
        return merged

    def command_table(self) -> dict[str, Command]:
        """Every name and alias mapped to its command; refuses a name used twice."""
        table: dict[str, Command] = {}
        for command in self.commands():
            for name in command.names:
                if name in table:
                    raise ValueError(f"command /{name} is registered twice")
                table[name] = command
        return table
