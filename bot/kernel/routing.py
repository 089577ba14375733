"""Routing one event to what answers it: a command, a pressed option, the conversation
in progress, or a handler of free text.

Who may run a command is checked here, once, from the routers' declarations; in a
group the bot answers only commands (addressed to it); a stranger is greeted and
told how to register.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.domain.access import may
from bot.domain.events import ChatKind
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.kernel.dialog import DialogEngine
from bot.kernel.router import Command, Router


def parse_command(text: str) -> tuple[str, str | None, str] | None:
    """Split ``/name@bot args`` into (name, bot username or None, args); None if not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    parts = text[1:].split(maxsplit=1)
    if not parts:
        return None
    head, args = parts[0], (parts[1] if len(parts) > 1 else "")
    name, _, target = head.partition("@")
    if not name:
        return None
    return name.lower(), (target or None), args.strip()


class Routes:
    """The last step of the dispatcher's pipeline: find the handler and run it."""

    def __init__(self, router: Router, engine: DialogEngine,
                 usernames: Callable[[], Mapping[str, str]]) -> None:
        self._router = router
        self._engine = engine
        self._commands: dict[str, Command] = router.command_table()
        self._usernames = usernames  # the bot's own name on each messenger, once connected

    async def __call__(self, ctx: Context) -> None:
        event = ctx.event
        if event.unsupported:  # a sticker, a voice message
            if event.chat_kind is ChatKind.PRIVATE:
                ctx.reply(ctx.t("channel.text_or_pictures"))
            return
        if event.membership is not None:
            for handler in self._router.membership_handlers():
                await handler(ctx)
            return
        private = event.chat_kind is ChatKind.PRIVATE
        parsed = parse_command(event.text or "") if event.text else None
        if parsed is not None:
            name, target, args = parsed
            own = self._usernames().get(event.channel)
            if target and own and target.lower() != own.lower():
                return  # addressed to another bot in a group
            await self._run_command(ctx, name, args)
            return
        if ctx.role is None:
            if private:
                ctx.reply(ctx.t("stranger.hello"))
            return
        if event.choice is not None or event.raw_choice is not None:
            await self._on_choice(ctx)
            return
        if not private:
            return  # in groups the bot answers commands only
        if ctx.dialog.form is not None:
            if event.file is not None:
                await self._engine.accept_file(ctx, event.file)
                return
            if await self._engine.take_text(ctx, event.text):
                return
        for fallback in self._router.fallbacks():
            if event.text and may(ctx.role, fallback.action):
                await fallback.handler(ctx)
                return
        ctx.reply(ctx.t("fallback.not_understood"))

    async def _run_command(self, ctx: Context, name: str, args: str) -> None:
        command = self._commands.get(name)
        private = ctx.event.chat_kind is ChatKind.PRIVATE
        if command is None:
            if ctx.role is None:
                if private:
                    ctx.reply(ctx.t("stranger.hello"))
            elif private:
                ctx.reply(ctx.t("command.unknown", name=escape(name[:40])))
            return
        if not command.allows(ctx.role):
            if ctx.role is None:
                if private:
                    ctx.reply(ctx.t("stranger.hello"))
            else:
                ctx.reply(ctx.t("command.not_allowed", name=command.name_for(ctx.language)))
            return
        if command.private_only and not private:
            # it converses: the conversation goes to the asker's private chat, not the group
            ctx.reply(ctx.t("command.sent_privately", name=escape(ctx.display_name)),
                      chat_id=ctx.event.chat_id)
            ctx.private_chat = ctx.event.user_id
        ctx.args = args
        await command.handler(ctx)

    async def _on_choice(self, ctx: Context) -> None:
        choice = ctx.event.choice
        if choice is not None and choice.value.startswith("/"):
            # a button that runs a command (e.g. "update now" under a reminder)
            parsed = parse_command(choice.value)
            if parsed is not None:
                await self._run_command(ctx, parsed[0], parsed[2])
                return
        if choice is None or ctx.dialog.form is None or choice.token != ctx.dialog.token:
            ctx.notice(ctx.t("dialog.menu_outdated"))
            if ctx.dialog.form is not None:
                await self._engine.ask(ctx)
            else:
                ctx.reply(ctx.t("dialog.menu_outdated"))
            return
        await self._engine.answer(ctx, choice=choice.value)
