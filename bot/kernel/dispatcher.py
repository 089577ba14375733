"""The core: turns one channel-neutral :class:`Inbound` into a :class:`Response`.

Cross-cutting concerns happen here, once, like middleware: dropping
re-delivered updates, serialising each person's events, recognising the
person and their role, choosing their language, turning strangers away,
checking a command's roles, and routing to a command, a pressed option or the
conversation in progress. Handlers only do their feature.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.domain.access import may
from bot.domain.clock import Clock
from bot.domain.events import ChannelPort, ChatKind, Inbound, Reply, Response, Sent
from bot.domain.i18n import Catalog, normalise_language
from bot.domain.text import escape, valid_unicode
from bot.kernel.context import Context
from bot.kernel.dialog import DialogEngine
from bot.kernel.router import Command, Router
from bot.services.digest import next_digest, send_digest
from bot.services.outbox import OutboxWorker
from bot.services.reminders import ReminderPlanner
from bot.services.replies import ReplyLedger
from bot.services.scheduler import Scheduler
from storage.failures import is_storage_failure
from storage.records import Bloc, DialogState, OutgoingMessage, Role
from storage.repository import Repository

log = logging.getLogger(__name__)

Deliver = Callable[[Response], Awaitable[Sent]]  # a channel's sending of a response

IDLE_LIMIT = timedelta(hours=48)
IDLE_CHECK = timedelta(minutes=15)
REPLAN = timedelta(minutes=30)  # the database may have changed (a new deadline, a moved conference)
PROCESSED_KEPT = timedelta(days=7)  # Telegram re-delivers within hours, never after days


def parse_command(text: str) -> tuple[str, str | None, str] | None:
    """Split ``/name@bot args`` into (name, bot username or None, args); None if not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    parts = text[1:].split(maxsplit=1)
    if not parts:
        return None
    head, args = parts[0], (parts[1] if len(parts) > 1 else "")
    name, _, target = head.partition("@")
    if not name:
        return None
    return name.lower(), (target or None), args.strip()


def _valid(event: Inbound) -> Inbound:
    """The event with its texts storable (a lone surrogate a messenger let through, which
    SQLite's UTF-8 cannot take, becomes U+FFFD)."""
    text, name = valid_unicode(event.text or ""), valid_unicode(event.display_name)
    if text == (event.text or "") and name == event.display_name:
        return event
    return replace(event, text=text if event.text is not None else None, display_name=name)


class Core:
    """The bot's brain, shared by every channel."""

    def __init__(
        self, *, repo: Repository, bloc: Bloc, router: Router, clock: Clock,
        catalog: Catalog, default_language: str = "vi",
        admins: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.repo = repo
        self.bloc = bloc
        self.router = router
        self.clock = clock
        self.catalog = catalog
        self.default_language = default_language
        self.admins = dict(admins or {})
        self.commands: dict[str, Command] = router.command_table()
        self.engine = DialogEngine(router.forms())
        self.scheduler = Scheduler(clock)
        self.bot_usernames: dict[str, str] = {}
        self.channels: dict[str, ChannelPort] = {}  # the running channels, by name
        self.outbox = OutboxWorker(self)
        self.replies = ReplyLedger(repo, clock, self.scheduler, self.outbox.wake)
        self.reminders = ReminderPlanner(self)
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._told_delayed: set[int] = set()  # inbox rows whose sender heard of the delay

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the scheduler and the outbox worker (inside the running event loop)."""
        await self.outbox.start()
        if not self.scheduler.running:
            self.scheduler.every("plan-reminders", REPLAN, self.reminders.plan)
            self.scheduler.every("park-idle-dialogs", IDLE_CHECK, self.park_idle_dialogs)
            self._plan_digest()
            self.scheduler.start()
        await self.reminders.plan()
        await send_digest(self)  # a Monday digest missed while the bot was down

    async def stop(self) -> None:
        """Stop the scheduler and the outbox; both resume from the database on the next start."""
        await self.outbox.stop()
        self.scheduler.stop()

    def _plan_digest(self) -> None:
        self.scheduler.at("weekly-digest", next_digest(self), self._digest)

    async def _digest(self) -> None:
        try:
            await send_digest(self)
        finally:
            self._plan_digest()  # next week's

    async def enqueue(self, messages: list[OutgoingMessage]) -> int:
        """Queue messages in the outbox (idempotent by key) and wake the sender."""
        added = await self.repo.enqueue(messages, self.clock.now())
        self.outbox.wake()
        return added

    # -- handling ---------------------------------------------------------------------------

    async def handle(
        self, event: Inbound, deliver: Deliver | None = None, *, receipt: int | None = None,
    ) -> Response:
        """Answer one event. Never raises for a handler's or the database's fault.

        The pipeline: the person's lock (their events are handled one at a time, in
        order) → one unit of work holding the dedup mark, the removal of the event from
        the inbox (``receipt``, the inbox row it came from), the handler's writes and the
        conversation's place → commit → ``deliver`` (the channel's sending, still under
        the lock, so the answers to two quick messages never overtake each other). A
        crash anywhere before the commit leaves the event in the inbox, unmarked, to be
        handled at the next start; after it, nothing is handled twice. With ``deliver``
        the replies are outbox rows of the same transaction, sent at once after the
        commit: one the messenger does not take, or that a crash interrupts, is sent
        by the outbox later (only those in flight at a crash may arrive twice).

        A handler's fault rolls back its writes and the person is told; the event counts
        as handled. A database fault (disk full, the file locked too long) rolls back
        everything: the response is ``failed``, the person is told it is delayed and the
        event stays in the inbox for a later attempt.
        """
        event = _valid(event)
        async with self._lock(event.channel, event.user_id):
            try:
                async with self.repo.unit_of_work():
                    if event.update_key is not None and await self.repo.was_processed(
                            event.channel, event.update_key):
                        log.info("dropping re-delivered update %s/%s", event.channel,
                                 event.update_key)
                        if receipt is not None:
                            await self.repo.update_handled(receipt)
                        return Response(duplicate=True)
                    ctx = await self._context(event)
                    await self._run_handler(ctx)
                    if event.update_key is not None:
                        await self.repo.mark_update_processed(
                            event.channel, event.update_key, self.clock.now())
                    if receipt is not None:
                        await self.repo.update_handled(receipt)
                    if ctx.dialog_changed:
                        await self.repo.save_dialog(ctx.dialog, self.clock.now())
                    rows = (await self.replies.record(event, ctx.response.replies)
                            if deliver is not None else [])
            except Exception as exc:
                if not is_storage_failure(exc):
                    # a bug outside the handler (reading the person, storing the replies):
                    # nothing was kept; the person hears of it, the inbox drops the update
                    log.exception("could not handle an event from %s:%s", event.channel,
                                  event.user_id)
                    if deliver is not None:
                        await deliver(Response(replies=[Reply(
                            await self._text_for(event, "error.internal"))]))
                    raise
                log.error("could not record an event from %s:%s (%s); it is kept for later",
                          event.channel, event.user_id, type(exc).__name__)
                response = Response(failed=True)
                if receipt is None or receipt not in self._told_delayed:
                    # told once: the inbox tries again every minute while the disk is full
                    if receipt is not None:
                        self._told_delayed.add(receipt)
                    response.replies.append(Reply(await self._text_for(
                        event, "error.storage_kept" if receipt is not None
                        else "error.storage_resend")))
                if deliver is not None and response.replies:
                    await deliver(response)
                return response
            if receipt is not None:
                self._told_delayed.discard(receipt)  # handled: a later row may reuse the id
            if deliver is not None:
                await self.replies.settle(rows, await deliver(ctx.response))
            return ctx.response

    async def _run_handler(self, ctx: Context) -> None:
        """Route the event; a handler's fault undoes its writes and tells the person."""
        try:
            await self._dispatch(ctx)
        except Exception as exc:
            if is_storage_failure(exc):
                raise
            log.exception("error while handling an event from %s", ctx.actor)
            await self.repo.discard_unit()
            ctx.dialog_changed = False  # the conversation stays where it was
            ctx.response.replies.clear()
            ctx.reply(ctx.t("error.internal"))

    async def _text_for(self, event: Inbound, key: str) -> str:
        """A catalog text in the person's language (the bot's own if the database, the
        likely trouble, cannot say which)."""
        try:
            language = await self.language_of(event.channel, event.user_id)
        except Exception:
            language = self.default_language
        return self.catalog.text(language, key)

    def _lock(self, channel: str, user_id: str) -> asyncio.Lock:
        key = (channel, user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    # -- the bot's own initiative -----------------------------------------------------------

    def today(self) -> date:
        """Today in the bloc's time zone."""
        return self.clock.now().astimezone(ZoneInfo(self.bloc.timezone)).date()

    def translator(self, language: str | None = None) -> Callable[..., str]:
        """``t(key, **params)`` in ``language`` (default: the bloc's), for text without a person."""
        chosen = language or self.default_language

        def t(key: str, /, **params: object) -> str:
            return self.catalog.text(chosen, key, **params)

        return t

    async def language_of(self, channel: str, external_id: str) -> str:
        """The language a person chose, or the bot's default."""
        member = await self.repo.get_member(channel, external_id)
        return normalise_language(member.language if member else None, self.default_language)

    async def send(self, channel: str, chat_id: str, reply: Reply) -> bool:
        """Send a message the bot decided to send; ``False`` if the channel is not running."""
        port = self.channels.get(channel)
        if port is None:
            log.warning("no running %s channel to send to chat %s", channel, chat_id)
            return False
        await port.send(chat_id, reply)
        return True

    async def park_idle_dialogs(self) -> int:
        """Close conversations idle for 48 hours, keeping their answers as drafts.

        Each person is told once, in their language, how to resume. Returns how
        many conversations were closed.
        """
        now = self.clock.now()
        await self.repo.forget_processed_updates(before=now - PROCESSED_KEPT)
        parked = 0
        for idle in await self.repo.list_idle_dialogs(now - IDLE_LIMIT):
            async with self._lock(idle.channel, idle.external_id):
                state = await self.repo.load_dialog(idle.channel, idle.external_id)
                if state is None or state.form is None or state.updated_at is None or (
                        state.updated_at >= now - IDLE_LIMIT):
                    continue  # answered meanwhile
                form = self.engine.form(state.form)
                if form is None or not form.resume_hint:
                    # a view or a question with nothing worth keeping: close it quietly
                    state.form, state.step, state.answers = None, None, {}
                    state.token += 1
                    await self.repo.save_dialog(state, now)
                    continue
                await self.repo.park_dialog(state, now)
                parked += 1
                language = await self.language_of(idle.channel, idle.external_id)
                text = (self.catalog.text(language, "dialog.parked") + "\n"
                        + self.catalog.text(language, form.resume_hint))
                try:
                    await self.send(idle.channel, idle.external_id, Reply(text))
                except Exception:
                    log.exception("could not tell %s:%s their conversation was closed",
                                  idle.channel, idle.external_id)
        return parked

    async def _context(self, event: Inbound) -> Context:
        member = await self.repo.get_member(event.channel, event.user_id)
        role: Role | None = member.role if member else None
        if event.user_id in self.admins.get(event.channel, frozenset()):
            role = Role.ADMIN
        # Vietnamese unless the person chose otherwise with /ngonngu: a phone set to
        # English does not mean its owner wants the bloc's business in English.
        language = normalise_language(member.language if member else None,
                                      self.default_language)
        dialog = await self.repo.load_dialog(event.channel, event.user_id) or DialogState(
            channel=event.channel, external_id=event.user_id, form=None, step=None
        )
        return Context(self, event, member=member, role=role, language=language, dialog=dialog)

    async def _dispatch(self, ctx: Context) -> None:
        event = ctx.event
        private = event.chat_kind is ChatKind.PRIVATE
        parsed = parse_command(event.text or "") if event.text else None
        if parsed is not None:
            name, target, args = parsed
            own = self.bot_usernames.get(event.channel)
            if target and own and target.lower() != own.lower():
                return  # addressed to another bot in a group
            await self._run_command(ctx, name, args)
            return
        if ctx.role is None:
            if private:
                ctx.reply(ctx.t("stranger.hello"))
            return
        if event.choice is not None or event.raw_choice is not None:
            await self._on_choice(ctx)
            return
        if not private:
            return  # in groups the bot answers commands only
        if ctx.dialog.form is not None:
            if event.file is not None:
                await self.engine.accept_file(ctx, event.file)
                return
            form, step = self.engine.form(ctx.dialog.form), self.engine.current_step(ctx)
            at_menu = step is not None and step.options is not None and step.parse is None
            if not (form is not None and form.browse and at_menu and event.text
                    and not await self.engine.fits(ctx, event.text)):
                await self.engine.answer(ctx, text=event.text or "")
                return
            await self.engine.cancel(ctx)  # a new question typed while browsing a view
        for fallback in self.router.fallbacks():
            if event.text and may(ctx.role, fallback.action):
                await fallback.handler(ctx)
                return
        ctx.reply(ctx.t("fallback.not_understood"))

    async def _run_command(self, ctx: Context, name: str, args: str) -> None:
        command = self.commands.get(name)
        private = ctx.event.chat_kind is ChatKind.PRIVATE
        if command is None:
            if ctx.role is None:
                if private:
                    ctx.reply(ctx.t("stranger.hello"))
            elif private:
                ctx.reply(ctx.t("command.unknown", name=escape(name[:40])))
            return
        if not command.allows(ctx.role):
            if ctx.role is None:
                if private:
                    ctx.reply(ctx.t("stranger.hello"))
            else:
                ctx.reply(ctx.t("command.not_allowed", name=command.name_for(ctx.language)))
            return
        if command.private_only and not private:
            # it converses: the conversation goes to the asker's private chat, not the group
            ctx.reply(ctx.t("command.sent_privately", name=escape(ctx.display_name)),
                      chat_id=ctx.event.chat_id)
            ctx.private_chat = ctx.event.user_id
        ctx.args = args
        await command.handler(ctx)

    async def _on_choice(self, ctx: Context) -> None:
        choice = ctx.event.choice
        if choice is not None and choice.value.startswith("/"):
            # a button that runs a command (e.g. "update now" under a reminder)
            parsed = parse_command(choice.value)
            if parsed is not None:
                await self._run_command(ctx, parsed[0], parsed[2])
                return
        if choice is None or ctx.dialog.form is None or choice.token != ctx.dialog.token:
            ctx.notice(ctx.t("dialog.menu_outdated"))
            if ctx.dialog.form is not None:
                await self.engine.ask(ctx)
            else:
                ctx.reply(ctx.t("dialog.menu_outdated"))
            return
        await self.engine.answer(ctx, choice=choice.value)
