"""Closing conversations left idle for 48 hours, keeping their answers as drafts."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

from bot.domain.clock import Clock
from bot.domain.events import Reply
from bot.domain.i18n import Texts
from bot.kernel.dialog import DialogEngine
from bot.kernel.locks import PersonLocks
from bot.services.channels import Channels
from bot.services.presenter import Presenter
from storage.repository import DialogStore, InboxStore, MemberStore

log = logging.getLogger(__name__)

IDLE_LIMIT = timedelta(hours=48)
IDLE_CHECK = timedelta(minutes=15)
PROCESSED_KEPT = timedelta(days=7)  # Telegram re-delivers within hours, never after days


class ParkingStores(DialogStore, InboxStore, MemberStore, Protocol):
    """What parking idle conversations reads and writes."""


class IdleParking:
    """Parks idle conversations (the scheduler runs it every :data:`IDLE_CHECK`)."""

    def __init__(self, repo: ParkingStores, engine: DialogEngine, locks: PersonLocks,
                 clock: Clock, texts: Texts, channels: Channels, presenter: Presenter) -> None:
        self._presenter = presenter
        self._repo = repo
        self._engine = engine
        self._locks = locks
        self._clock = clock
        self._texts = texts
        self._channels = channels

    async def park(self) -> int:
        """Close conversations idle for 48 hours, keeping their answers as drafts.

        Each person is told once, in their language, how to resume. Returns how
        many conversations were closed. Marks of handled updates older than a week
        are forgotten on the way.
        """
        now = self._clock.now()
        await self._repo.forget_handled(before=now - PROCESSED_KEPT)
        parked = 0
        for idle in await self._repo.list_idle_dialogs(now - IDLE_LIMIT):
            async with self._locks(idle.channel, idle.external_id):
                state = await self._repo.load_dialog(idle.channel, idle.external_id)
                if state is None or state.form is None or state.updated_at is None or (
                        state.updated_at >= now - IDLE_LIMIT):
                    continue  # answered meanwhile
                form = self._engine.form(state.form)
                if form is None or not form.resume_hint:
                    # a view or a question with nothing worth keeping: close it quietly
                    state.form, state.step, state.answers = None, None, {}
                    state.token += 1
                    await self._repo.save_dialog(state, now)
                    continue
                await self._repo.park_dialog(state, now)
                parked += 1
                member = await self._repo.get_member(idle.channel, idle.external_id)
                language = self._texts.language_of(member.language if member else None)
                text = (self._texts.text(language, "dialog.parked") + "\n"
                        + self._texts.text(language, form.resume_hint))
                shown = await self._presenter.present(idle.channel, Reply(text), language)
                try:
                    await self._channels.send(idle.channel, idle.external_id, shown.messages)
                except Exception:
                    log.exception("could not tell %s:%s their conversation was closed",
                                  idle.channel, idle.external_id)
        return parked
