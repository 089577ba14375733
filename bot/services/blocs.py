"""The blocs the bot serves, as loaded from their files (and replaced when a file changes).

One deployment may serve many blocs (a ministry's: ``THIDUA_BLOC_FILE`` names a folder of
bloc files). What a service or a handler does is always for one of them: the bloc *in
scope*. An event is in its sender's bloc's scope (the dispatcher's identify step), a
service's pass over the blocs puts each in scope in turn, and a job on the scheduler is
run in the scope of the bloc it was planned for (:meth:`Blocs.run_in`). Outside any scope
the first bloc loaded stands (the only one of a one-bloc deployment).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from storage.records import Bloc

_SCOPE: ContextVar[Bloc | None] = ContextVar("bloc_in_scope", default=None)


class Blocs:
    """The loaded blocs. Services hold this, not a bloc, so that a reload of a bloc file
    reaches all of them at once."""

    def __init__(self, blocs: Bloc | Sequence[Bloc]) -> None:
        loaded = [blocs] if isinstance(blocs, Bloc) else list(blocs)
        if not loaded:
            raise ValueError("a bot serves at least one bloc")
        self._blocs = {bloc.id: bloc for bloc in loaded}

    @property
    def current(self) -> Bloc:
        """The bloc in scope (the first loaded outside any scope)."""
        scoped = _SCOPE.get()
        if scoped is not None:  # as served now (a reload replaced it), else as scoped
            return self._blocs.get(scoped.id, scoped)
        return next(iter(self._blocs.values()))

    @property
    def all(self) -> list[Bloc]:
        """Every bloc served, in the order they were loaded."""
        return list(self._blocs.values())

    def get(self, bloc_id: int | None) -> Bloc | None:
        """The served bloc with this id."""
        return self._blocs.get(bloc_id) if bloc_id is not None else None

    def by_code(self, code: str) -> Bloc | None:
        """The served bloc with this code (its case ignored)."""
        return next((bloc for bloc in self._blocs.values()
                     if bloc.code.casefold() == code.casefold()), None)

    def replace(self, bloc: Bloc) -> None:
        """A bloc file was (re)loaded: from now on every service sees ``bloc``."""
        self._blocs[bloc.id] = bloc

    @contextmanager
    def scope(self, bloc: Bloc | None) -> Iterator[Bloc]:
        """Put ``bloc`` in scope for the code inside (``None``: the first bloc). A bloc not
        served now (its file broken) may be put in scope too: its people are answered from
        its last good data, never from another bloc's."""
        chosen = bloc or self.current
        token = _SCOPE.set(chosen)
        try:
            yield chosen
        finally:
            _SCOPE.reset(token)

    async def run_in(self, bloc_id: int, work: Callable[..., Awaitable[Any]],
                     *args: Any) -> None:
        """Run ``work(*args)`` in the scope of the bloc ``bloc_id`` (a scheduled job of that
        bloc's; nothing when the bloc is no longer served)."""
        bloc = self.get(bloc_id)
        if bloc is None:
            return
        with self.scope(bloc):
            await work(*args)

    @property
    def zone(self) -> ZoneInfo:
        """The time zone of the bloc in scope: every time a person sees is in it."""
        return ZoneInfo(self.current.timezone)

    def today(self, now: datetime) -> date:
        """The date ``now`` falls on in the time zone of the bloc in scope."""
        return now.astimezone(self.zone).date()
