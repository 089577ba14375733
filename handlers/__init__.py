"""What the bot does: one module per feature, each exposing a ``router``."""

from __future__ import annotations

from bot.kernel.router import Router
from handlers import (
    cancel,
    conferences,
    exports,
    help,
    invite,
    language,
    matrix,
    my_updates,
    outreach,
    posting,
    progress,
    questions,
    schedule,
    start,
    status,
    task_admin,
    tasks,
)


def build_router() -> Router:
    """The bot's full registry of commands and forms."""
    root = Router("thidua")
    for module in (start, help, tasks, progress, my_updates, status, matrix, posting, outreach,
                   schedule, conferences, exports, task_admin, invite, language, cancel,
                   questions):
        root.include_router(module.router)
    return root
