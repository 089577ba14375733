"""The bloc the bot serves, as loaded from its file (and replaced when the file changes)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from storage.records import Bloc


class Blocs:
    """The loaded bloc. Services hold this, not the bloc, so that a reload of the bloc file
    reaches all of them at once."""

    def __init__(self, bloc: Bloc) -> None:
        self.current = bloc

    def replace(self, bloc: Bloc) -> None:
        """The bloc file was reloaded: from now on every service sees ``bloc``."""
        self.current = bloc

    @property
    def zone(self) -> ZoneInfo:
        """The bloc's time zone: every time a person sees is in it."""
        return ZoneInfo(self.current.timezone)

    def today(self, now: datetime) -> date:
        """The date ``now`` falls on in the bloc's time zone."""
        return now.astimezone(self.zone).date()
