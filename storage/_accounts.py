"""What the bot learnt of the messengers: its own name on each, and groups that moved."""

from __future__ import annotations

from storage._sql import SqlParts


class SqlAccounts(SqlParts):
    """The messengers' part of the repository."""

    async def bot_username(self, channel: str) -> str | None:
        """The bot's name on ``channel`` as it last connected (``thidua invite`` prints the
        link with it while the bot is not running)."""
        row = await self._one("SELECT username FROM bot_accounts WHERE channel = ?", (channel,))
        return str(row[0]) if row else None

    async def set_bot_username(self, channel: str, username: str) -> None:
        await self._write_alone(
            "INSERT INTO bot_accounts (channel, username) VALUES (?, ?) "
            "ON CONFLICT (channel) DO UPDATE SET username = excluded.username",
            (channel, username))

    async def moved_chat(self, channel: str, chat_id: str) -> str | None:
        """Where a group moved (a Telegram group that became a supergroup), if it did."""
        row = await self._one("SELECT moved_to FROM moved_chats WHERE channel = ? AND "
                              "chat_id = ?", (channel, chat_id))
        return str(row[0]) if row else None

    async def moved_chats(self, channel: str) -> dict[str, str]:
        """Every group of ``channel`` that moved: old id → new id."""
        rows = await self._all("SELECT chat_id, moved_to FROM moved_chats WHERE channel = ?",
                               (channel,))
        return {str(row[0]): str(row[1]) for row in rows}

    async def move_chat(self, channel: str, chat_id: str, moved_to: str) -> None:
        """``chat_id`` is ``moved_to`` from now on."""
        await self._write_alone(
            "INSERT INTO moved_chats (channel, chat_id, moved_to) VALUES (?, ?, ?) "
            "ON CONFLICT (channel, chat_id) DO UPDATE SET moved_to = excluded.moved_to",
            (channel, chat_id, moved_to))
