"""Where the bloc's task list is posted, and which group is the bloc's on each messenger."""

from __future__ import annotations

from storage._sql import SqlParts


class SqlPosting(SqlParts):
    """The posting part of the repository."""

    async def posted_list(self, channel: str, chat_id: str) -> str | None:
        """The message holding the task list posted in ``chat_id``, if one was."""
        row = await self._one("SELECT message_id FROM posted_lists WHERE channel = ? AND "
                              "chat_id = ?", (channel, chat_id))
        return str(row[0]) if row else None

    async def posted_lists(self) -> list[tuple[str, str, str]]:
        """Every posted task list: (channel, chat, message)."""
        rows = await self._all("SELECT channel, chat_id, message_id FROM posted_lists "
                               "ORDER BY channel, chat_id")
        return [(str(row[0]), str(row[1]), str(row[2])) for row in rows]

    async def set_posted_list(self, channel: str, chat_id: str, message_id: str) -> None:
        """The task list in ``chat_id`` is now ``message_id`` (posted anew, or edited)."""
        await self._write_alone(
            "INSERT INTO posted_lists (channel, chat_id, message_id) VALUES (?, ?, ?) "
            "ON CONFLICT (channel, chat_id) DO UPDATE SET message_id = excluded.message_id",
            (channel, chat_id, message_id))

    async def bloc_group(self, bloc_id: int, channel: str) -> str | None:
        """The group the bloc's list was posted in on ``channel`` (the bloc file may name one
        instead)."""
        row = await self._one("SELECT chat_id FROM bloc_groups WHERE bloc_id = ? AND "
                              "channel = ?", (bloc_id, channel))
        return str(row[0]) if row else None

    async def set_bloc_group(self, bloc_id: int, channel: str, chat_id: str) -> None:
        """``chat_id`` is the bloc's group on ``channel`` from now on."""
        await self._write_alone(
            "INSERT INTO bloc_groups (bloc_id, channel, chat_id) VALUES (?, ?, ?) "
            "ON CONFLICT (bloc_id, channel) DO UPDATE SET chat_id = excluded.chat_id",
            (bloc_id, channel, chat_id))
