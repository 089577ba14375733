"""The dispatcher: one event's way through the bot, as a pipeline of steps.

Like aiogram's middlewares, each step is ``step(handling, call_next)``: it does its
part before and after the steps inside it, and a new concern is a new step, not an
edit of the others. From the outside in:

1. :class:`PersonLock` — a person's events are handled one at a time, in order, their
   replies' delivery included, so the answers to two quick messages never overtake
   each other;
2. :class:`Delivery` — after the commit, the replies are sent at once and their rows
   settled (one the messenger does not take is the outbox's from then on);
3. :class:`Faults` — a database fault anywhere rolls back everything: the person is
   told once that their message is delayed, and it stays in the inbox for a later
   attempt; any other fault outside a handler is told and raised;
4. :class:`UnitOfWork` — everything inside commits together or not at all;
5. :class:`Dedup` — a re-delivered update is dropped; a handled one is marked, and
   removed from the inbox it came from;
6. :class:`TypedMenus` — on a messenger without buttons, a typed number of the menu
   last shown is the choice a button would have been;
7. :class:`Identify` — the person, their role and language, their conversation: the
   handler's :class:`~bot.kernel.context.Context`;
8. :class:`Persist` — the conversation's place and the replies, presented for the
   messenger (one outbox row per message), are written with the rest;
9. :class:`HandlerFaults` — a handler's fault undoes its writes and tells the person;
   the event counts as handled;

and last, :class:`~bot.kernel.routing.Routes` finds the handler and runs it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.domain.clock import Clock
from bot.domain.events import Inbound, Message, Reply, Response, Sent
from bot.domain.i18n import Texts
from bot.domain.text import valid_unicode
from bot.kernel.context import Context, Services
from bot.kernel.handling import Deliver, Handling, Next, Step
from bot.kernel.locks import PersonLocks
from bot.kernel.menus import TypedMenus
from bot.kernel.routing import Routes
from bot.services.metrics import Metrics
from bot.services.presenter import Presenter
from bot.services.replies import ReplyLedger
from storage.failures import is_storage_failure
from storage.records import DialogState, Role, ShownMenu
from storage.repository import Database, DialogStore, InboxStore, MemberStore

log = logging.getLogger(__name__)

class Measure:
    """Counts each update by channel and result, and times its whole handling (the
    operator's ``/metrics``)."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(self, handling: Handling, call_next: Next) -> None:
        started, result = time.perf_counter(), "error"
        try:
            await call_next()
            response = handling.response
            result = ("duplicate" if response.duplicate else "failed" if response.failed
                      else "handled")
        finally:
            channel = handling.event.channel
            self._metrics.updates.labels(channel, result).inc()
            self._metrics.handler_seconds.labels(channel).observe(
                time.perf_counter() - started)


class PersonLock:
    """Serialise each person's events (and the delivery of their replies)."""

    def __init__(self, locks: PersonLocks) -> None:
        self._locks = locks

    async def __call__(self, handling: Handling, call_next: Next) -> None:
        async with self._locks(handling.event.channel, handling.event.user_id):
            await call_next()


class Delivery:
    """After the commit: send the replies and note how it went. They go at once, ahead of
    the outbox's bulk, which takes what they leave of the messenger's budget
    (``bot/services/send_lanes.py``; the channel counts what it posts)."""

    def __init__(self, replies: ReplyLedger) -> None:
        self._replies = replies

    async def __call__(self, handling: Handling, call_next: Next) -> None:
        await call_next()
        if handling.deliver is None:
            return
        if handling.rows is not None:
            sent = await handling.deliver(handling.response)
            await self._replies.settle(handling.rows, sent)
            _sealed_sent(handling, sent)
        elif handling.response.replies:  # a note that the event could not be recorded
            await handling.deliver(handling.response)


def _sealed_sent(handling: Handling, sent: Sent) -> None:
    """Say (without a word of it) when a ballot or its receipt could not be sent: nothing
    keeps it to send again, the voter asks for it again."""
    count = len(handling.rows or ())
    sealed = [message for message in handling.response.messages[count:] if message.secret]
    tried = list(sent)[count:] if sent is not None else [None] * len(sealed)
    lost = len(sealed) - sum(1 for error in tried if error is None)
    if sealed and lost:
        log.warning("%d secret message(s) to %s could not be sent; not kept to send again",
                    lost, handling.event.channel)


class Faults:
    """What the person hears when the event cannot be recorded, or the bot failed (the
    note is presented here: nothing after this step runs)."""

    def __init__(self, repo: MemberStore, texts: Texts, presenter: Presenter) -> None:
        self._repo = repo
        self._texts = texts
        self._presenter = presenter
        self._told_delayed: set[int] = set()  # inbox rows whose sender heard of the delay

    async def __call__(self, handling: Handling, call_next: Next) -> None:
        event, receipt = handling.event, handling.receipt
        try:
            await call_next()
        except Exception as exc:
            handling.rows = None
            if not is_storage_failure(exc):
                # a bug outside the handler (reading the person, storing the replies):
                # nothing was kept; the person hears of it, the inbox drops the update
                log.exception("could not handle an event from %s:%s", event.channel,
                              event.user_id)
                if handling.deliver is not None:
                    await handling.deliver(await self._note(event, "error.internal"))
                raise
            log.error("could not record an event from %s:%s (%s); it is kept for later",
                      event.channel, event.user_id, type(exc).__name__)
            handling.response = Response(failed=True)
            if receipt is None or receipt not in self._told_delayed:
                # told once: the inbox tries again every minute while the disk is full
                if receipt is not None:
                    self._told_delayed.add(receipt)
                note = await self._note(event, "error.storage_kept" if receipt is not None
                                        else "error.storage_resend")
                handling.response.replies, handling.response.messages = (
                    note.replies, note.messages)
            return
        if receipt is not None:
            self._told_delayed.discard(receipt)  # handled: a later row may reuse the id

    async def _note(self, event: Inbound, key: str) -> Response:
        """A response holding the catalog text ``key``, presented for the messenger."""
        reply = Reply(await self._text_for(event, key))
        shown = await self._presenter.present(event.channel, reply, None)
        return Response(replies=[reply], messages=shown.messages)

    async def _text_for(self, event: Inbound, key: str) -> str:
        """A catalog text in the person's language (the bot's own if the database, the
        likely trouble, cannot say which)."""
        try:
            member = await self._repo.get_member(event.channel, event.user_id)
            language = self._texts.language_of(member.language if member else None)
        except Exception:
            language = self._texts.default_language
        return self._texts.text(language, key)


class UnitOfWork:
    """The steps inside commit together (one write transaction), or not at all; what the
    handler asked to run once they have (:meth:`Context.when_committed`) runs after."""

    def __init__(self, repo: Database) -> None:
        self._repo = repo

    async def __call__(self, handling: Handling, call_next: Next) -> None:
        async with self._repo.unit_of_work():
            await call_next()
        for work in handling.ctx.committed if handling.ctx is not None else ():
            try:
                await work()
            except Exception:  # the event is handled and committed: only noted
                log.exception("work after the commit of an event failed")


class Dedup:
    """Each update is handled once: a re-delivery is dropped, a handled one is marked."""

    def __init__(self, repo: InboxStore, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

    async def __call__(self, handling: Handling, call_next: Next) -> None:
        event, receipt = handling.event, handling.receipt
        if event.update_key is not None and await self._repo.was_handled(
                event.channel, event.update_key):
            log.info("dropping re-delivered update %s/%s", event.channel, event.update_key)
            if receipt is not None:
                await self._repo.inbox_remove(receipt)
            handling.response = Response(duplicate=True)
            return
        await call_next()
        if event.update_key is not None:
            await self._repo.mark_handled(event.channel, event.update_key,
                                                   self._clock.now())
        if receipt is not None:
            await self._repo.inbox_remove(receipt)


class Identify:
    """Who is asking: their membership, role, language and conversation."""

    def __init__(self, services: Services, admins: Mapping[str, frozenset[str]]) -> None:
        self._services = services
        self._admins = admins  # by channel: the people the operator named (THIDUA_ADMIN_IDS)

    async def __call__(self, handling: Handling, call_next: Next) -> None:
        handling.ctx = await self.context(handling.event)
        # the rest of the event is the sender's bloc's (the first bloc's for a stranger)
        with self._services.blocs.scope(handling.ctx.bloc):
            await call_next()

    async def context(self, event: Inbound) -> Context:
        """The handler context of ``event``'s sender."""
        repo = self._services.repo
        member = await repo.get_member(event.channel, event.user_id)
        role: Role | None = member.role if member else None
        if event.user_id in self._admins.get(event.channel, frozenset()):
            role = Role.ADMIN
        # Vietnamese unless the person chose otherwise with /ngonngu: a phone set to
        # English does not mean its owner wants the bloc's business in English.
        language = self._services.texts.language_of(member.language if member else None)
        dialog = await repo.load_dialog(event.channel, event.user_id) or DialogState(
            channel=event.channel, external_id=event.user_id, form=None, step=None)
        ctx = Context(self._services, event, member=member, role=role, language=language,
                      dialog=dialog)
        if member is not None and self._services.blocs.get(member.bloc_id) is None:
            # their bloc's file is broken (skipped at start): its last good data, never
            # another bloc's
            ctx.home_bloc = await repo.bloc_by_id(member.bloc_id)
        return ctx


class Persist:
    """The conversation's place and the replies are written with the event: each reply
    presented for the messenger as the messages it shows (one outbox row each), and the
    numbered menu a messenger without buttons now shows remembered for the typed numbers."""

    def __init__(self, repo: DialogStore, replies: ReplyLedger, clock: Clock,
                 presenter: Presenter) -> None:
        self._repo = repo
        self._replies = replies
        self._clock = clock
        self._presenter = presenter

    async def __call__(self, handling: Handling, call_next: Next) -> None:
        await call_next()
        ctx = handling.ctx
        assert ctx is not None, "Persist runs inside Identify"
        if ctx.dialog_changed:
            await self._repo.save_dialog(ctx.dialog, self._clock.now())
        handling.response = ctx.response
        if handling.deliver is None:
            return  # the caller shows the replies itself (the console)
        event, now = handling.event, self._clock.now()
        sealed: list[Message] = []  # a ballot and its receipt: sent last, recorded nowhere
        for reply in ctx.response.replies:
            shown = await self._presenter.present(event.channel, reply, ctx.language)
            if reply.secret:
                sealed += shown.messages
                continue
            ctx.response.messages += shown.messages
            chat = reply.chat_id or event.chat_id
            if shown.menu is not None:
                await self._repo.save_menu(ShownMenu(event.channel, chat, reply.token, tuple(
                    (option.label, option.value) for option in shown.menu)), now)
            elif shown.ends_menu:
                await self._repo.clear_menu(event.channel, chat)
        handling.rows = await self._replies.record(event, ctx.response.messages)
        ctx.response.messages += sealed  # after the recorded ones: their rows match by index


class HandlerFaults:
    """A handler's fault undoes its writes and tells the person; storage faults go on out."""

    def __init__(self, repo: Database) -> None:
        self._repo = repo

    async def __call__(self, handling: Handling, call_next: Next) -> None:
        try:
            await call_next()
        except Exception as exc:
            if is_storage_failure(exc):
                raise
            ctx = handling.ctx
            assert ctx is not None, "HandlerFaults runs inside Identify"
            log.exception("error while handling an event from %s", ctx.actor)
            await self._repo.discard_unit()
            ctx.dialog_changed = False  # the conversation stays where it was
            ctx.committed.clear()  # what was to follow the handler's writes: they are undone
            ctx.response.replies.clear()
            ctx.reply(ctx.t("error.internal"))


def _valid(event: Inbound) -> Inbound:
    """The event with its texts storable (a lone surrogate a messenger let through, which
    SQLite's UTF-8 cannot take, becomes U+FFFD)."""
    text, name = valid_unicode(event.text or ""), valid_unicode(event.display_name)
    if text == (event.text or "") and name == event.display_name:
        return event
    return replace(event, text=text if event.text is not None else None, display_name=name)


class Dispatcher:
    """Runs every event through the steps, then the routes."""

    def __init__(self, steps: Sequence[Step], routes: Routes) -> None:
        self.steps = tuple(steps)
        self._routes = routes

    async def handle(self, event: Inbound, deliver: Deliver | None = None, *,
                     receipt: int | None = None) -> Response:
        """Answer one event. Never raises for a handler's or the database's fault.

        With ``deliver`` the replies are outbox rows of the event's transaction, sent at
        once after the commit; without it (the console) they are only returned.
        ``receipt`` is the inbox row the event came from, removed when it is handled.
        A crash anywhere before the commit leaves the event in the inbox, unmarked, to
        be handled at the next start; after it, nothing is handled twice.
        """
        handling = Handling(_valid(event), deliver, receipt)
        await self._run(handling, 0)
        return handling.response

    async def _run(self, handling: Handling, index: int) -> None:
        if index == len(self.steps):
            assert handling.ctx is not None, "the pipeline has an Identify step"
            await self._routes(handling.ctx)
            return
        await self.steps[index](handling, lambda: self._run(handling, index + 1))


def standard_steps(*, services: Services, replies: ReplyLedger, locks: PersonLocks,
                   presenter: Presenter,
                   admins: Mapping[str, frozenset[str]]) -> list[Step]:
    """The pipeline every channel's events go through, outermost first."""
    repo, clock = services.repo, services.clock
    return [Measure(services.metrics), PersonLock(locks), Delivery(replies),
            Faults(repo, services.texts, presenter),
            UnitOfWork(repo), Dedup(repo, clock), TypedMenus(repo, presenter),
            Identify(services, admins), Persist(repo, replies, clock, presenter),
            HandlerFaults(repo)]
