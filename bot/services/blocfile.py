"""Loading the bloc file into storage, reporting mistakes readably, and reloading on change."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.clock import Clock
from bot.domain.i18n import Catalog
from config.bloc import BlocConfig, BlocFileError, load_bloc_file
from storage.records import Bloc, SyncSummary
from storage.repository import BlocStore

log = logging.getLogger(__name__)



def render_problems(error: BlocFileError, catalog: Catalog, language: str) -> str:
    """Every problem of a bloc file, one line each, in words a secretary can act on."""
    lines = [catalog.text(language, "bloc.problem_header", path=error.path or "-",
                          count=len(error.problems))]
    for problem in error.problems:
        where = problem.where() or catalog.text(language, "bloc.whole_file")
        text = catalog.text(language, f"bloc.{problem.kind}", **problem.params)
        lines.append(catalog.text(language, "bloc.problem_line", where=where, text=text))
    return "\n".join(lines)


def with_timezone(config: BlocConfig, default_timezone: str) -> BlocConfig:
    """The bloc file's time zone, or the configured default when it names none."""
    if config.timezone:
        return config
    return config.model_copy(update={"timezone": default_timezone})


class BlocCodeTaken(Exception):
    """A bloc file's code is not one it may load: it changed, or another file holds it."""

    def __init__(self, code: str, kind: str) -> None:
        super().__init__(code)
        self.code, self.kind = code, kind


async def sync_file(
    repo: BlocStore, path: Path, *, default_timezone: str, clock: Clock,
    allowed: Callable[[str], str | None] | None = None,
) -> tuple[Bloc, SyncSummary]:
    """Validate ``path`` and write it to storage (raises :class:`BlocFileError`, or
    :class:`BlocCodeTaken` when ``allowed`` names why its code may not be loaded, before
    anything is written)."""
    config = with_timezone(load_bloc_file(path), default_timezone)
    refusal = allowed(config.code) if allowed is not None else None
    if refusal is not None:
        raise BlocCodeTaken(config.code, refusal)
    summary = await repo.sync_bloc(config, clock.now())
    for skipped in summary.skipped:
        log.warning("bloc file %s: not applied: %s", path, skipped)
    bloc = await repo.get_bloc(config.code)
    assert bloc is not None
    return bloc, summary


def bloc_files(path: Path) -> list[Path]:
    """The bloc files a setting names: the file itself, or every ``*.yaml`` (and ``*.yml``)
    in the folder, by name (a ministry's blocs, one file each)."""
    if path.is_dir():
        return sorted(found for found in path.iterdir()
                      if found.suffix in (".yaml", ".yml") and found.is_file())
    return [path]


async def last_good_bloc(repo: BlocStore) -> Bloc | None:
    """The bloc loaded by the last successful sync, if any."""
    return await repo.last_loaded_bloc()


@dataclass
class BlocFileWatcher:
    """Reloads the bloc file when it changes; a broken edit leaves the last good data."""

    repo: BlocStore
    path: Path
    default_timezone: str
    clock: Clock
    catalog: Catalog
    language: str
    _mtime: float | None = None
    code: str | None = None  # the bloc it loaded: a reload may not change it
    # the codes the other files of the folder hold (none may be taken over)
    others: Callable[[], set[str]] = field(default=set)

    def remember_current(self) -> None:
        """Note the file's current modification time (after a load)."""
        self._mtime = self._stat()

    def _stat(self) -> float | None:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return None

    def _refusal(self, code: str) -> str | None:
        """Why this file may not load ``code`` (``changed``, ``taken``), or ``None``."""
        if self.code is not None and code != self.code:
            return "changed"
        if code in self.others():
            return "taken"
        return None

    async def check(self) -> Bloc | None:
        """Reload if the file changed; return the new bloc, or ``None`` if nothing changed."""
        mtime = self._stat()
        if mtime is None or mtime == self._mtime:
            return None
        self._mtime = mtime
        try:
            bloc, summary = await sync_file(
                self.repo, self.path, default_timezone=self.default_timezone, clock=self.clock,
                allowed=self._refusal)
        except BlocFileError as error:
            log.error("%s\n%s", render_problems(error, self.catalog, self.language),
                      self.catalog.text(self.language, "bloc.kept_last_good"))
            return None
        except BlocCodeTaken as taken:
            log.error("%s", self.catalog.text(self.language, f"bloc.code_{taken.kind}",
                                              path=self.path, code=taken.code,
                                              before=self.code or ""))
            return None
        self.code = bloc.code
        log.info("%s", self.catalog.text(self.language, "bloc.reloaded", created=summary.created,
                                         updated=summary.updated, retired=summary.retired))
        return bloc
