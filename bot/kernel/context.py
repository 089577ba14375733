"""The per-event context a handler receives: its whole world for one event.

Who is asking, in which language, where they are in a conversation, how to answer —
and the services a feature may use: the storage, the bloc, the clock, the
translations, the outbox, the reminders, the posted task lists and the running
channels. A handler needs nothing else, and reaches nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.events import FileRef, Inbound, Option, OutFile, Reply, Response
from bot.domain.i18n import Texts, Translate
from bot.kernel.answers import Answers
from bot.services.ballot_papers import BallotPapers
from bot.services.blocs import Blocs
from bot.services.channels import Channels
from bot.services.metrics import Metrics
from bot.services.outbox import OutboxWorker
from bot.services.reminders import ReminderPlanner
from bot.services.tasklist import PostedLists
from storage.records import Bloc, DialogState, Member, Role
from storage.repository import Repository

T = TypeVar("T")


class Named(Protocol):
    """A form or a step, known by its name."""

    @property
    def name(self) -> str: ...


class Forms(Protocol):
    """The dialog engine, as a handler uses it (see ``bot/kernel/dialog.py``)."""

    async def start(self, ctx: Context, form: Named, answers: Answers | None = None,
                    *, at: Named | None = None) -> None: ...

    async def ask(self, ctx: Context) -> None: ...

    async def cancel(self, ctx: Context) -> bool: ...


class Listed(Protocol):
    """A command as /trogiup lists it."""

    @property
    def names(self) -> tuple[str, ...]: ...

    @property
    def listed(self) -> bool: ...

    def name_for(self, language: str) -> str: ...

    @property
    def help_key(self) -> str: ...

    def allows(self, role: Role | None) -> bool: ...


@dataclass(frozen=True)
class Services:
    """What the composition root gives every handler (through its :class:`Context`)."""

    repo: Repository
    blocs: Blocs
    clock: Clock
    texts: Texts
    outbox: OutboxWorker
    reminders: ReminderPlanner
    posted_lists: PostedLists
    channels: Channels
    forms: Forms
    commands: Callable[[], tuple[Listed, ...]]
    ballots: BallotPapers = field(default_factory=BallotPapers)  # in memory only
    metrics: Metrics = field(default_factory=Metrics)  # what /metrics shows


class Context:
    """Everything a handler needs for one event, and the replies it collects."""

    def __init__(
        self, services: Services, event: Inbound, *, member: Member | None, role: Role | None,
        language: str, dialog: DialogState,
    ) -> None:
        self.services = services
        self.event = event
        self.member = member
        self.role = role
        self.language = language
        self.dialog = dialog
        self.args = ""
        self.response = Response()
        self.private_chat: str | None = None  # set when a group command answers privately
        self.dialog_changed = False  # stored by the dispatcher when the event commits
        self.committed: list[Callable[[], Awaitable[None]]] = []  # run once it has committed
        # the person's bloc when it is not served now (its file broken): its last good data
        self.home_bloc: Bloc | None = None
        self._memo: dict[str, Any] = {}

    # -- the services -----------------------------------------------------------------------

    @property
    def repo(self) -> Repository:
        return self.services.repo

    @property
    def bloc(self) -> Bloc:
        """The person's bloc (the one in scope for a stranger; a person registered by this
        event is in the bloc of their invite from then on; for the ministry's liaison, the
        bloc they chose to look at)."""
        blocs, member = self.services.blocs, self.member
        if member is None:
            return blocs.current
        if member.all_blocs:  # the ministry's liaison: the bloc they look at now
            return blocs.get(member.viewing_bloc_id) or blocs.get(member.bloc_id) \
                or blocs.current
        return blocs.get(member.bloc_id) or self.home_bloc or blocs.current

    @property
    def served_blocs(self) -> list[Bloc]:
        """Every bloc this deployment serves (what the ministry's liaison follows)."""
        return self.services.blocs.all

    @property
    def outbox(self) -> OutboxWorker:
        """Where messages to other people go (queued, rate-limited, retried)."""
        return self.services.outbox

    @property
    def reminders(self) -> ReminderPlanner:
        return self.services.reminders

    @property
    def posted_lists(self) -> PostedLists:
        """The task list as pinned in the bloc's groups."""
        return self.services.posted_lists

    @property
    def ballots(self) -> BallotPapers:
        """The vote's ballots handed out (in memory only: see the module)."""
        return self.services.ballots

    @property
    def channels(self) -> Channels:
        """The running messengers (the bot's name on each, posting in a group)."""
        return self.services.channels

    def commands(self) -> tuple[Listed, ...]:
        """Every command of the bot, in the order /trogiup lists them."""
        return self.services.commands()

    @property
    def zone(self) -> ZoneInfo:
        """The bloc's time zone: every time a person sees is in it."""
        return ZoneInfo(self.bloc.timezone)

    def now(self) -> datetime:
        """The current instant (UTC), from the bot's clock."""
        return self.services.clock.now()

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

    @contextmanager
    def looking_at(self, bloc: Bloc) -> Iterator[None]:
        """For the code inside, this event is about ``bloc`` (the ministry's liaison asking
        of another bloc): the context, the services' scope and what was read once per event
        all follow it, and come back after."""
        member, memo = self.member, self._memo
        if member is not None:
            self.member = replace(member, viewing_bloc_id=bloc.id)
        self._memo = {}
        try:
            with self.services.blocs.scope(bloc):
                yield
        finally:
            self.member, self._memo = member, memo

    async def memo(self, key: str, make: Callable[[], Awaitable[T]]) -> T:
        """``make()``'s result, computed once per event.

        A step's prompt, its options and the check of the answer all need the same
        data (the period's tasks, the bloc's status); one read serves them all.
        Only for reads: a value is never refreshed within the event.
        """
        if key not in self._memo:
            self._memo[key] = await make()
        return self._memo[key]  # type: ignore[no-any-return]

    # -- words ------------------------------------------------------------------------------

    def t(self, key: str, /, *, lang: str | None = None, **params: Any) -> str:
        """The catalog message ``key`` in this person's language (or in ``lang``)."""
        return self.services.texts.text(lang or self.language, key, **params)

    def language_of(self, chosen: str | None) -> str:
        """The language someone reads, from the one they chose (``None``: the bot's)."""
        return self.services.texts.language_of(chosen)

    def translator(self, language: str | None = None) -> Translate:
        """Messages for someone else: in ``language``, or the bot's own (a group's)."""
        return self.services.texts.translator(language)

    @property
    def group_language(self) -> str:
        """The language a group reads: the bot's own."""
        return self.services.texts.default_language

    # -- answering --------------------------------------------------------------------------

    def reply(
        self, text: str, *, options: tuple[Option, ...] = (), token: int = 0,
        file: OutFile | None = None, chat_id: str | None = None,
        attachment: FileRef | None = None, secret: bool = False,
    ) -> None:
        """Queue a message (HTML with user text escaped) for this chat or another;
        ``secret``: a ballot or its receipt, kept nowhere (see :attr:`Reply.secret`)."""
        self.response.replies.append(Reply(
            text=text, options=options, token=token, file=file,
            chat_id=chat_id or self.private_chat, attachment=attachment, secret=secret,
        ))

    def notice(self, text: str) -> None:
        """A short toast answering a pressed option."""
        self.response.notice = text

    # -- conversations ----------------------------------------------------------------------

    async def start_form(self, form: Named, answers: Answers | None = None, *,
                         at: Named | None = None) -> None:
        """Begin the guided conversation ``form`` for this person, with ``answers`` (the
        form's own model) already given (at step ``at``: a draft being continued)."""
        await self.services.forms.start(self, form, answers, at=at)

    async def ask_again(self) -> None:
        """Ask again the question the person is at (a conversation being continued)."""
        await self.services.forms.ask(self)

    async def cancel_form(self) -> bool:
        """Leave the conversation in progress; ``False`` if there was none."""
        return await self.services.forms.cancel(self)

    def when_committed(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` after the event's transaction has committed (not if it rolls back),
        in the scope of the event's bloc."""
        blocs, bloc_id = self.services.blocs, self.bloc.id
        self.committed.append(lambda: blocs.run_in(bloc_id, work))

    def bloc_changed(self) -> None:
        """This event changed the bloc's own row (a hand-over moved its year and officers):
        once it commits, every service sees the bloc as stored."""
        code, blocs, repo = self.bloc.code, self.services.blocs, self.repo

        async def refresh() -> None:
            fresh = await repo.get_bloc(code)
            if fresh is not None:
                blocs.replace(fresh)
        self.when_committed(refresh)

    async def save_dialog(self) -> None:
        """Note that this person's place in their conversation changed: the dispatcher
        stores it with the rest of the event's writes, in the same transaction."""
        self.dialog_changed = True
