"""The per-event context a handler receives: who is asking, in which language, and how to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.events import FileRef, Inbound, Option, OutFile, Reply, Response
from storage.records import Bloc, DialogState, Member, Role

T = TypeVar("T")

if TYPE_CHECKING:
    from bot.kernel.dispatcher import Core
    from storage.repository import Repository


class Context:
    """Everything a handler needs for one event, and the replies it collects."""

    def __init__(
        self, core: Core, event: Inbound, *, member: Member | None, role: Role | None,
        language: str, dialog: DialogState,
    ) -> None:
        self.core = core
        self.event = event
        self.member = member
        self.role = role
        self.language = language
        self.dialog = dialog
        self.args = ""
        self.response = Response()
        self.private_chat: str | None = None  # set when a group command answers privately
        self.dialog_changed = False  # stored by the core when the event commits
        self._memo: dict[str, Any] = {}

    # -- services ---------------------------------------------------------------------------

    @property
    def repo(self) -> Repository:
        return self.core.repo

    @property
    def bloc(self) -> Bloc:
        return self.core.bloc

    @property
    def zone(self) -> ZoneInfo:
        """The bloc's time zone: every time a person sees is in it."""
        return ZoneInfo(self.core.bloc.timezone)

    def now(self) -> datetime:
        """The current instant (UTC), from the core's clock."""
        return self.core.clock.now()

    def today(self) -> date:
        """Today's date in the bloc's time zone."""
        return self.now().astimezone(self.zone).date()

    @property
    def actor(self) -> str:
        """Who acts, as written in the audit log (``telegram:123``)."""
        return f"{self.event.channel}:{self.event.user_id}"

    @property
    def display_name(self) -> str:
        return self.member.display_name if self.member else self.event.display_name

    async def memo(self, key: str, make: Callable[[], Awaitable[T]]) -> T:
        """``make()``'s result, computed once per event.

        A step's prompt, its options and the check of the answer all need the same
        data (the period's tasks, the bloc's status); one read serves them all.
        Only for reads: a value is never refreshed within the event.
        """
        if key not in self._memo:
            self._memo[key] = await make()
        return self._memo[key]  # type: ignore[no-any-return]

    # -- answering --------------------------------------------------------------------------

    def t(self, key: str, /, *, lang: str | None = None, **params: Any) -> str:
        """The catalog message ``key`` in this person's language (or in ``lang``)."""
        return self.core.catalog.text(lang or self.language, key, **params)

    def reply(
        self, text: str, *, options: tuple[Option, ...] = (), token: int = 0,
        file: OutFile | None = None, chat_id: str | None = None,
        attachment: FileRef | None = None,
    ) -> None:
        """Queue a message (HTML with user text escaped) for this chat or another."""
        self.response.replies.append(Reply(
            text=text, options=options, token=token, file=file,
            chat_id=chat_id or self.private_chat, attachment=attachment,
        ))

    def notice(self, text: str) -> None:
        """A short toast answering a pressed option."""
        self.response.notice = text

    # -- conversations ----------------------------------------------------------------------

    async def start_form(self, name: str, answers: dict[str, Any] | None = None) -> None:
        """Begin the guided conversation ``name`` for this person."""
        await self.core.engine.start(self, name, answers)

    async def save_dialog(self) -> None:
        """Note that this person's place in their conversation changed: the core stores it
        with the rest of the event's writes, in the same transaction."""
        self.dialog_changed = True
