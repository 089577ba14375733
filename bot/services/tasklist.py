"""The bloc's task list as a message, and keeping its pinned copies in groups up to date."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.events import Message, Published, Reply
from bot.domain.i18n import Texts
from bot.domain.periods import current_period, format_day, format_deadline
from bot.domain.text import escape
from bot.services.blocs import Blocs
from bot.services.channels import Channels
from bot.services.presenter import Presenter
from storage.records import Bloc
from storage.repository import BlocStore, PostingStore, TaskStore

log = logging.getLogger(__name__)

Translate = Callable[..., str]


class ListReads(BlocStore, TaskStore, Protocol):
    """What the task list's text reads."""


class PostingStores(ListReads, PostingStore, Protocol):
    """What posting the task list reads and writes."""


async def task_list_text(repo: ListReads, bloc: Bloc, today: date, t: Translate) -> str:
    """The current period's task list, theme and movements as one HTML message."""
    zone = ZoneInfo(bloc.timezone)
    lines = [t("tasks.header", bloc=escape(bloc.name), year=bloc.year)]
    if bloc.theme:
        lines.append(t("tasks.theme", theme=escape(bloc.theme)))
    period = current_period(await repo.list_periods(bloc.id), today)
    if period is None:
        lines += ["", t("tasks.no_period")]
    else:
        lines += ["", t("tasks.period", title=escape(period.title),
                        start=format_day(period.start, t), end=format_day(period.end, t))]
        if period.report_deadline:
            lines.append(t("tasks.report_deadline",
                           when=format_deadline(period.report_deadline, zone, t)))
        tasks = await repo.list_tasks(period.id)
        names = {unit.id: unit.short_name for unit in await repo.list_units(bloc.id)}
        if not tasks:
            lines.append(t("tasks.empty"))
        for task in tasks:
            lines.append(t("tasks.item", number=task.position, title=escape(task.title)))
            if task.description:  # as entered in chat or in the bloc file
                lines.append(t("tasks.item_description", text=escape(task.description)))
            if task.unit_ids is not None:
                lines.append(t("tasks.item_units", units=escape(", ".join(
                    names[unit_id] for unit_id in task.unit_ids if unit_id in names))))
            if task.deadline:
                lines.append(t("tasks.item_deadline",
                               when=format_deadline(task.deadline, zone, t)))
    movements = await repo.list_movements(bloc.id)
    if movements:
        lines += ["", t("tasks.movements")]
        lines += [t("tasks.movement", name=escape(name)) for name in movements]
    return "\n".join(lines)


async def bloc_group_of(repo: BlocStore, bloc: Bloc, channel: str) -> str | None:
    """The bloc's group on ``channel``: the one its file names, else where its list was
    posted."""
    return bloc.groups.get(channel) or await repo.bloc_group(bloc.id, channel)


class PostedLists:
    """The task list as posted (and pinned) in the bloc's groups, kept up to date."""

    def __init__(self, repo: PostingStores, blocs: Blocs, clock: Clock, channels: Channels,
                 texts: Texts, presenter: Presenter) -> None:
        self._presenter = presenter
        self._repo = repo
        self._blocs = blocs
        self._clock = clock
        self._channels = channels
        self._texts = texts

    async def text(self) -> str:
        """The task list as the groups read it (in the bot's language)."""
        bloc = self._blocs.current
        return await task_list_text(self._repo, bloc, self._blocs.today(self._clock.now()),
                                    self._texts.translator())

    async def _messages(self, channel: str) -> list[Message]:
        return (await self._presenter.present(channel, Reply(await self.text()), None)).messages

    async def post(self, channel: str, chat: str) -> tuple[Published, bool] | None:
        """Post the list in ``chat`` (editing the copy posted there before) and pin it;
        returns where it is and whether the earlier copy was edited in place, ``None``
        when ``channel`` is not running."""
        port = self._channels.get(channel)
        if port is None:
            return None
        previous = await self._repo.posted_list(channel, chat)
        published = await port.publish(chat, await self._messages(channel), pin=True,
                                       replace=previous)
        await self._repo.set_posted_list(channel, chat, published.message_id)
        return published, previous == published.message_id

    async def refresh(self) -> int:
        """Edit the posted (pinned) task lists of the bloc in scope in place after its list
        changed (another bloc's groups keep theirs); returns how many."""
        refreshed, bloc = 0, self._blocs.current
        for channel, chat, message_id in await self._repo.posted_lists():
            port = self._channels.get(channel)
            if port is None or chat not in (bloc.groups.get(channel),
                                            await self._repo.bloc_group(bloc.id, channel)):
                continue
            try:
                published = await port.publish(chat, await self._messages(channel), pin=True,
                                               replace=message_id)
            except Exception:
                log.exception("could not refresh the task list posted in %s", chat)
                continue
            await self._repo.set_posted_list(channel, chat, published.message_id)
            refreshed += 1
        return refreshed
