"""The bloc's task list as a message, and keeping its pinned copies in groups up to date."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.events import Reply
from bot.domain.periods import current_period, format_day, format_deadline
from bot.domain.text import escape
from bot.kernel.dispatcher import Core
from storage.records import Bloc
from storage.repository import Repository

log = logging.getLogger(__name__)

Translate = Callable[..., str]
POSTED_KEY = "tasklist:{channel}:{chat}"
POSTED_PREFIX = "tasklist:"


async def task_list_text(repo: Repository, bloc: Bloc, today: date, t: Translate) -> str:
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


async def refresh_posted_lists(core: Core) -> int:
    """Edit every posted (pinned) task list in place after the list changed; returns how many."""
    refreshed = 0
    for key, message_id in await core.repo.list_meta(POSTED_PREFIX):
        _, channel, chat = key.split(":", 2)
        port = core.channels.get(channel)
        if port is None:
            continue
        text = await task_list_text(core.repo, core.bloc, core.today(), core.translator())
        try:
            published = await port.publish(chat, Reply(text), pin=True, replace=message_id)
        except Exception:
            log.exception("could not refresh the task list posted in %s", chat)
            continue
        await core.repo.set_meta(key, published.message_id)
        refreshed += 1
    return refreshed

