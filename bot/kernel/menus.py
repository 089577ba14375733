"""Numbered menus, on a messenger without buttons (Zalo): shown, and typed back.

A question's options are presented as numbered lines (``bot/domain/presenting.py``)
and remembered for the chat with the question's token when its reply is recorded; a
menu of the bot's own (a reminder's "update now") is numbered only when the person is
not in the middle of a conversation, whose numbers it must not take over, and is
remembered when it is sent. A typed number, or an option's label, then means what a
button press would, under the menu's token: an answer to a menu no longer current is
refused like an old button, and ``0`` leaves the conversation.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain.clock import Clock
from bot.domain.events import Choice, Message, Option
from bot.domain.presenting import EXIT_NUMBER
from bot.kernel.dialog import DialogEngine
from bot.kernel.forms import match_option
from bot.kernel.handling import Handling, Next
from bot.services.presenter import Presenter
from storage.records import ShownMenu
from storage.repository import DialogStore


class TypedMenus:
    """On a messenger without buttons, a typed number (or label) of the numbered menu last
    shown in the chat is the same choice a button press would be, under the menu's token —
    so an answer to a menu no longer current is refused like an old button; ``0`` leaves
    the conversation."""

    def __init__(self, repo: DialogStore, presenter: Presenter) -> None:
        self._repo = repo
        self._presenter = presenter

    async def __call__(self, handling: Handling, call_next: Next) -> None:
        event = handling.event
        text = event.text
        if (text and not text.startswith("/") and event.file is None
                and event.choice is None and not self._presenter.traits(event.channel).buttons):
            menu = await self._repo.load_menu(event.channel, event.chat_id)
            if menu is not None:
                if text.strip() == EXIT_NUMBER and menu.token > 0:
                    handling.event = replace(event, text="/huy")
                else:
                    picked = match_option(text, [Option(label, value)
                                                 for label, value in menu.options])
                    if picked is not None:
                        handling.event = replace(event, text=None,
                                                 choice=Choice(menu.token, picked.value))
        await call_next()




class OwnMenus:
    """Decides, as a message of the bot's own is sent, whether its menu is shown."""

    def __init__(self, repo: DialogStore, engine: DialogEngine, clock: Clock) -> None:
        self._repo = repo
        self._engine = engine
        self._clock = clock

    async def __call__(self, channel: str, chat_id: str, message: Message) -> Message:
        dialog = await self._repo.load_dialog(channel, chat_id)
        form = self._engine.form(dialog.form if dialog is not None else None)
        if form is not None and not form.browse:  # filling in a form: leave its numbers alone
            return replace(message, text=message.alternate or message.text, menu=(),
                           alternate=None)
        await self._repo.save_menu(ShownMenu(channel, chat_id, 0, tuple(
            (option.label, option.value) for option in message.menu)), self._clock.now())
        return message
