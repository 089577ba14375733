"""Putting the bot together: settings → storage → bloc → services → kernel. Shared by every
CLI verb; the only place that knows what each part is built with.

The lifecycle is explicit, as in PTB's ``Application``: :func:`open_runtime` builds
(opening the database, loading the bloc file), :meth:`Runtime.start` starts what runs
on its own (the scheduler's jobs, the outbox), :meth:`Runtime.stop` stops it, and
:meth:`Runtime.close` closes the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType

from bot.domain.clock import Clock, SystemClock
from bot.domain.i18n import LANGUAGES, Texts, catalog
from bot.kernel.context import Listed, Services
from bot.kernel.dialog import DialogEngine
from bot.kernel.dispatcher import Dispatcher, standard_steps
from bot.kernel.locks import PersonLocks
from bot.kernel.menus import OwnMenus
from bot.kernel.parking import IDLE_CHECK, IdleParking
from bot.kernel.router import Router
from bot.kernel.routing import Routes
from bot.services.blocfile import (
    BlocFileWatcher,
    bloc_files,
    last_good_bloc,
    render_problems,
    sync_file,
)
from bot.services.blocs import Blocs
from bot.services.channels import Channels
from bot.services.digest import Digest
from bot.services.leadership import HEARTBEAT, Leadership
from bot.services.metrics import Metrics
from bot.services.outbox import OutboxWorker
from bot.services.presenter import Presenter
from bot.services.reminders import ReminderPlanner
from bot.services.replies import ReplyLedger
from bot.services.scheduler import Scheduler
from bot.services.tasklist import PostedLists
from config.bloc import BlocFileError
from config.database import HIDDEN, ServerDatabase, hide_password
from config.settings import Settings
from handlers import build_router
from storage.failures import OPENING_ERRORS
from storage.migrations import SchemaTooNew
from storage.opening import open_repository
from storage.records import Bloc
from storage.repository import Repository

log = logging.getLogger(__name__)

BLOC_FILE_CHECK = timedelta(seconds=30)
REPLAN_SHARED = timedelta(minutes=1)  # (another process may have planned: see lead())
REPLAN = timedelta(minutes=30)  # the database may have changed (a new deadline, a moved conference)
REPLAN_SHARED = timedelta(minutes=1)  # as much, with other processes on the database


class StartupError(Exception):
    """The bot cannot start; the message is meant for the operator, in their language."""


@dataclass
class Runtime:
    """An open database with the bloc loaded, and every service and the dispatcher on it."""

    settings: Settings
    repo: Repository
    blocs: Blocs
    clock: Clock
    texts: Texts
    scheduler: Scheduler  # the leader's jobs: reminders, digests, the vote's closing
    timers: Scheduler  # this process's own: its outbox, inbox, bloc files, lease
    channels: Channels
    outbox: OutboxWorker
    reminders: ReminderPlanner
    digest: Digest
    posted_lists: PostedLists
    router: Router
    engine: DialogEngine
    dispatcher: Dispatcher
    parking: IdleParking
    watchers: list[BlocFileWatcher]  # one per bloc file
    services: Services
    admins: dict[str, frozenset[str]]
    presenter: Presenter
    leadership: Leadership = field(init=False)

    async def __aenter__(self) -> Runtime:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def bloc(self) -> Bloc:
        """The bloc as loaded now."""
        return self.blocs.current

    def today(self) -> date:
        """Today in the bloc's time zone."""
        return self.blocs.today(self.clock.now())

    def command_menu(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The messenger's command menu in each language: names and one-line descriptions."""
        return [(language, [(command.name_for(language),
                             self.texts.text(language, command.help_key))
                            for command in self.router.commands() if command.listed])
                for language in LANGUAGES]

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start what runs on its own: the outbox, then, in the process that holds the
        scheduler's lease (the only one on SQLite), the scheduler's jobs."""
        await self.outbox.start()
        self.timers.start()
        await self.leadership.beat()
        await self.leadership.settled()
        if self.leadership.shared:
            self.timers.every("leadership", HEARTBEAT, self.leadership.beat)

    async def lead(self) -> None:
        """This process runs the scheduler: reminders, the digest, the vote's closing,
        parking idle conversations; a digest missed while nobody led is sent."""
        if not self.scheduler.running:
            # with other processes beside it, what they planned reaches the leader sooner
            replan = REPLAN if self.repo.exclusive else REPLAN_SHARED
            self.scheduler.every("plan-reminders", replan, self.reminders.plan_all)
            self.scheduler.every("park-idle-dialogs", IDLE_CHECK, self.parking.park)
            self.digest.plan()
            self.scheduler.start()
        await self.reminders.plan_all()
        await self.digest.send()  # a Monday digest missed while the bot was down

    async def follow(self) -> None:
        """Another process runs the scheduler now."""
        self.scheduler.stop()

    async def stop(self) -> None:
        """Stop the scheduler and the outbox; both resume from the database on the next start."""
        await self.outbox.stop()
        self.timers.stop()
        await self.leadership.leave()
        self.scheduler.stop()

    def watch_bloc_file(self) -> None:
        """Reload the bloc file when it changes (each process keeps its own copy)."""
        self.timers.every("bloc-file-watch", BLOC_FILE_CHECK, self._reload)

    async def _reload(self) -> None:
        self._watch_new_files()
        for watcher in self.watchers:
            bloc = await watcher.check()
            if bloc is None:
                continue
            self.blocs.replace(bloc)
            with self.blocs.scope(bloc):
                await self.posted_lists.refresh()  # pinned lists follow the file
                await self.reminders.plan()  # and reminders follow its deadlines
                if self.scheduler.running:
                    self.digest.plan_bloc()  # a bloc loaded since the start has its digest

    def _watch_new_files(self) -> None:
        """A bloc file added to the folder since is watched (and so loaded) too."""
        if not self.settings.bloc_file.is_dir():
            return
        known = {watcher.path for watcher in self.watchers}
        for path in bloc_files(self.settings.bloc_file):
            if path not in known:
                self.watchers.append(_watcher(self.repo, self.settings, self.clock, path,
                                              self.watchers))

    async def close(self) -> None:
        """Stop and close the database."""
        await self.stop()
        await self.repo.close()


async def _load_blocs(repo: Repository, settings: Settings,
                      clock: Clock) -> tuple[list[Bloc], list[BlocFileWatcher]]:
    """Every bloc file the setting names, each loaded and validated on its own.

    Of a folder, a broken file is reported and skipped (the others run); of a single file,
    a broken one leaves the last good data, and is fatal only when there is none.
    """
    messages, folder = catalog(), settings.bloc_file.is_dir()
    loaded: list[Bloc] = []
    watchers: list[BlocFileWatcher] = []
    reports: list[str] = []
    for path in bloc_files(settings.bloc_file):
        watcher = _watcher(repo, settings, clock, path, watchers)
        watcher.remember_current()
        watchers.append(watcher)
        try:
            bloc, _ = await sync_file(repo, path, default_timezone=settings.timezone,
                                      clock=clock)
        except BlocFileError as error:
            report = render_problems(error, messages, settings.language)
            previous = None if folder else await last_good_bloc(repo)
            if previous is None:
                reports.append(report)
                log.error("%s\n%s", report, messages.text(settings.language,
                                                          "bloc.file_skipped"))
                continue
            log.error("%s\n%s", report, messages.text(settings.language, "bloc.kept_last_good"))
            bloc = previous
        if any(other.id == bloc.id for other in loaded):
            raise StartupError(messages.text(settings.language, "bloc.same_code",
                                             code=bloc.code, path=path))
        watcher.code = bloc.code
        loaded.append(bloc)
    if not loaded:
        raise StartupError("\n".join(reports) or messages.text(
            settings.language, "bloc.no_files", path=settings.bloc_file))
    return loaded, watchers


def _other_codes(watchers: list[BlocFileWatcher], path: Path) -> Callable[[], set[str]]:
    """The codes the folder's other files hold (read when asked: files come and go)."""
    return lambda: {w.code for w in watchers if w.path != path and w.code is not None}


def _watcher(repo: Repository, settings: Settings, clock: Clock, path: Path,
             watchers: list[BlocFileWatcher]) -> BlocFileWatcher:
    """The watcher of one bloc file of the setting (a new one loads it on its first check);
    the folder's other files' codes are ``watchers``' (read when asked: files come and go)."""
    return BlocFileWatcher(repo, path, settings.timezone, clock, catalog(), settings.language,
                           others=_other_codes(watchers, path))


def build(settings: Settings, repo: Repository, bloc: Bloc | list[Bloc], clock: Clock,
          watchers: list[BlocFileWatcher], router: Router | None = None) -> Runtime:
    """Wire the services, the kernel and the handlers' router on an open database."""
    texts = Texts(catalog(), settings.language)
    blocs, channels = Blocs(bloc), Channels()
    # the leader's jobs (one process of several runs them: bot/services/leadership.py),
    # and this process's own (its outbox, its inbox, its bloc files)
    scheduler, timers = Scheduler(clock), Scheduler(clock)
    presenter = Presenter(channels, texts, blocs, clock)
    metrics = Metrics()
    outbox = OutboxWorker(repo, clock, timers, channels, texts, presenter, metrics=metrics)
    reminders = ReminderPlanner(repo, blocs, clock, scheduler, outbox, texts)
    digest = Digest(repo, blocs, clock, scheduler, outbox, texts)
    posted_lists = PostedLists(repo, blocs, clock, channels, texts, presenter)
    router = router or build_router()
    engine = DialogEngine(router.forms())
    commands: Sequence[Listed] = tuple(router.commands())
    services = Services(repo=repo, blocs=blocs, clock=clock, texts=texts, outbox=outbox,
                        reminders=reminders, posted_lists=posted_lists, channels=channels,
                        forms=engine, commands=lambda: tuple(commands), metrics=metrics)
    locks = PersonLocks(repo)
    replies = ReplyLedger(repo, clock, timers, outbox.wake)
    admins = {"telegram": frozenset(str(user_id) for user_id in settings.admin_ids)}
    dispatcher = Dispatcher(
        standard_steps(services=services, replies=replies, locks=locks, presenter=presenter,
                       admins=admins),
        Routes(router, engine, lambda: channels.usernames))
    parking = IdleParking(repo, engine, locks, clock, texts, channels, presenter)
    outbox.own_menus = OwnMenus(repo, engine, clock)
    runtime = Runtime(settings=settings, repo=repo, blocs=blocs, clock=clock, texts=texts,
                      scheduler=scheduler, timers=timers, channels=channels, outbox=outbox,
                      reminders=reminders, digest=digest, posted_lists=posted_lists,
                      router=router, engine=engine, dispatcher=dispatcher, parking=parking,
                      watchers=watchers, services=services, admins=admins, presenter=presenter)
    runtime.leadership = Leadership(repo, clock, metrics, lead=runtime.lead,
                                    follow=runtime.follow, recover=outbox.recover)
    return runtime


async def open_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    """Open (create, migrate) the database, load the bloc file into it, build the bot.

    A broken bloc file is fatal only when the database holds no earlier good
    copy; otherwise the problem is logged and the last good data is used.
    """
    clock = clock or SystemClock()
    messages = catalog()
    try:
        repo = await open_repository(settings.database)
    except SchemaTooNew as exc:
        raise StartupError(messages.text(settings.language, "cli.schema_too_new",
                                         path=settings.database, version=exc.version)) from None
    except OPENING_ERRORS as exc:
        on_server = isinstance(settings.database, ServerDatabase)
        reason = str(exc)
        for secret in settings.secrets():
            reason = reason.replace(secret, HIDDEN)
        key = "cli.bad_server_database" if on_server else "cli.bad_database"
        raise StartupError(messages.text(settings.language, key, path=settings.database,
                                         reason=hide_password(reason))) from None
    try:
        blocs, watchers = await _load_blocs(repo, settings, clock)
        return build(settings, repo, blocs, clock, watchers)
    except BaseException:
        await repo.close()
        raise
