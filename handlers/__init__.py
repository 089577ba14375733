"""What the bot does: one module per feature, each exposing a ``router``.

The order of :data:`FEATURES` is the order of ``/trogiup`` and of the messenger's
command menu; a new feature is one line here.
"""

from __future__ import annotations

from types import ModuleType

from bot.kernel.router import Router
from handlers import (
    absence,
    awards,
    blocs,
    cancel,
    conferences,
    covenant,
    deadline,
    exports,
    handover,
    help,
    invite,
    language,
    matrix,
    membership,
    my_updates,
    outreach,
    posting,
    progress,
    questions,
    ranking,
    review,
    schedule,
    scoring,
    settlement,
    snooze,
    start,
    status,
    task_admin,
    tasks,
    voting,
)

FEATURES: tuple[ModuleType, ...] = (
    start,
    help,
    tasks,
    progress,
    my_updates,
    absence,
    status,
    blocs,
    deadline,
    matrix,
    posting,
    outreach,
    schedule,
    conferences,
    covenant,
    scoring,
    review,
    settlement,
    ranking,
    voting,
    awards,
    exports,
    handover,
    task_admin,
    invite,
    language,
    cancel,
    questions,
    membership,
    snooze,
)


def build_router() -> Router:
    """The bot's full registry of commands and forms."""
    root = Router()
    for module in FEATURES:
        root.include_router(module.router)
    return root
