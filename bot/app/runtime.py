"""Putting the bot together: settings → storage → bloc → core. Shared by every CLI verb."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType

from bot.domain.clock import Clock, SystemClock
from bot.domain.i18n import catalog
from bot.kernel.dispatcher import Core
from bot.services.blocfile import BlocFileWatcher, last_good_bloc, render_problems, sync_file
from bot.services.tasklist import refresh_posted_lists
from config.bloc import BlocFileError
from config.settings import Settings
from handlers import build_router
from storage.migrations import SchemaTooNew
from storage.repository import Repository
from storage.sqlite import SqliteRepository

log = logging.getLogger(__name__)

BLOC_FILE_CHECK = timedelta(seconds=30)


class StartupError(Exception):
    """The bot cannot start; the message is meant for the operator, in their language."""


@dataclass
class Runtime:
    """An open database with the bloc loaded, and the core built on it."""

    settings: Settings
    repo: Repository
    core: Core
    watcher: BlocFileWatcher

    async def __aenter__(self) -> Runtime:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def watch_bloc_file(self) -> None:
        """Reload the bloc file when it changes, from the core's scheduler."""
        self.core.scheduler.every("bloc-file-watch", BLOC_FILE_CHECK, self._reload)

    async def _reload(self) -> None:
        bloc = await self.watcher.check()
        if bloc is not None:
            self.core.bloc = bloc
            await refresh_posted_lists(self.core)  # pinned lists follow the file
            await self.core.reminders.plan()  # and reminders follow its deadlines

    async def close(self) -> None:
        """Stop the core and close the database."""
        await self.core.stop()
        await self.repo.close()


async def open_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    """Open (create, migrate) the database and load the bloc file into it.

    A broken bloc file is fatal only when the database holds no earlier good
    copy; otherwise the problem is logged and the last good data is used.
    """
    clock = clock or SystemClock()
    messages = catalog()
    try:
        repo = await SqliteRepository.open(settings.database)
    except SchemaTooNew as exc:
        raise StartupError(messages.text(settings.language, "cli.schema_too_new",
                                         path=settings.database, version=exc.version)) from None
    except (sqlite3.Error, OSError) as exc:
        raise StartupError(messages.text(settings.language, "cli.bad_database",
                                         path=settings.database, reason=exc)) from None
    try:
        try:
            bloc, _ = await sync_file(repo, settings.bloc_file,
                                      default_timezone=settings.timezone, clock=clock)
        except BlocFileError as error:
            report = render_problems(error, messages, settings.language)
            previous = await last_good_bloc(repo)
            if previous is None:
                raise StartupError(report) from None
            log.error("%s\n%s", report, messages.text(settings.language, "bloc.kept_last_good"))
            bloc = previous
        core = Core(
            repo=repo, bloc=bloc, router=build_router(), clock=clock, catalog=messages,
            default_language=settings.language,
            admins={"telegram": frozenset(str(user_id) for user_id in settings.admin_ids)},
        )
    except BaseException:
        await repo.close()
        raise
    watcher = BlocFileWatcher(repo, settings.bloc_file, settings.timezone, clock, messages,
                              settings.language)
    watcher.remember_current()
    return Runtime(settings=settings, repo=repo, core=core, watcher=watcher)
