"""Where people are in conversations, and the drafts of conversations left idle."""

from __future__ import annotations

import json
from datetime import datetime

from storage._sql import SqlParts
from storage._time import from_db, to_db
from storage.records import DialogState, ShownMenu


class SqlDialogs(SqlParts):
    """The dialog part of the repository."""

    # -- dialogs ----------------------------------------------------------------------------

    async def load_dialog(self, channel: str, external_id: str) -> DialogState | None:
        row = await self._one(
            "SELECT * FROM dialog_states WHERE channel = ? AND external_id = ?",
            (channel, external_id),
        )
        if row is None:
            return None
        return DialogState(
            channel=channel, external_id=external_id, form=row["form"], step=row["step"],
            answers=json.loads(row["answers"]), token=row["token"],
            updated_at=from_db(row["updated_at"]),
        )

    async def save_dialog(self, state: DialogState, now: datetime) -> None:
        async with self._transaction() as db:
            await db.execute(
                """
                INSERT INTO dialog_states (channel, external_id, form, step, answers, token,
                                           updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (channel, external_id) DO UPDATE SET
                    form = excluded.form, step = excluded.step, answers = excluded.answers,
                    token = excluded.token, updated_at = excluded.updated_at
                """,
                (state.channel, state.external_id, state.form, state.step,
                 json.dumps(state.answers, ensure_ascii=False), state.token, to_db(now)),
            )
        state.updated_at = now

    async def list_idle_dialogs(self, before: datetime) -> list[DialogState]:
        """Conversations in progress whose last step was before ``before``."""
        rows = await self._all(
            "SELECT * FROM dialog_states WHERE form IS NOT NULL AND updated_at < ? "
            "ORDER BY updated_at", (to_db(before),))
        return [
            DialogState(channel=row["channel"], external_id=row["external_id"], form=row["form"],
                        step=row["step"], answers=json.loads(row["answers"]), token=row["token"],
                        updated_at=from_db(row["updated_at"]))
            for row in rows
        ]

    async def park_dialog(self, state: DialogState, now: datetime) -> None:
        """Keep an idle conversation's answers as a draft and leave the conversation."""
        if state.form is None:
            return
        async with self._transaction() as db:
            await db.execute(
                """
                INSERT INTO dialog_drafts (channel, external_id, form, step, answers, parked_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (channel, external_id, form) DO UPDATE SET
                    step = excluded.step, answers = excluded.answers,
                    parked_at = excluded.parked_at
                """,
                (state.channel, state.external_id, state.form, state.step,
                 json.dumps(state.answers, ensure_ascii=False), to_db(now)),
            )
            await db.execute(
                "UPDATE dialog_states SET form = NULL, step = NULL, answers = '{}', "
                "token = token + 1, updated_at = ? WHERE channel = ? AND external_id = ?",
                (to_db(now), state.channel, state.external_id),
            )
        state.form, state.step, state.answers = None, None, {}
        state.token += 1

    async def load_draft(self, channel: str, external_id: str,
                         form: str) -> tuple[str | None, dict[str, object]] | None:
        """A parked draft of ``form``: (step, answers), or ``None``."""
        row = await self._one(
            "SELECT step, answers FROM dialog_drafts WHERE channel = ? AND external_id = ? "
            "AND form = ?", (channel, external_id, form))
        return (row["step"], json.loads(row["answers"])) if row else None

    async def delete_draft(self, channel: str, external_id: str, form: str) -> None:
        """Forget a parked draft (resumed or discarded)."""
        async with self._transaction() as db:
            await db.execute(
                "DELETE FROM dialog_drafts WHERE channel = ? AND external_id = ? AND form = ?",
                (channel, external_id, form))

    # -- numbered menus ---------------------------------------------------------------------

    async def save_menu(self, menu: ShownMenu, now: datetime) -> None:
        async with self._transaction() as db:
            await db.execute(
                """
                INSERT INTO shown_menus (channel, chat_id, token, options, shown_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (channel, chat_id) DO UPDATE SET token = excluded.token,
                    options = excluded.options, shown_at = excluded.shown_at
                """,
                (menu.channel, menu.chat_id, menu.token,
                 json.dumps([list(pair) for pair in menu.options], ensure_ascii=False),
                 to_db(now)),
            )

    async def load_menu(self, channel: str, chat_id: str) -> ShownMenu | None:
        row = await self._one(
            "SELECT token, options FROM shown_menus WHERE channel = ? AND chat_id = ?",
            (channel, chat_id))
        if row is None:
            return None
        options = tuple((str(label), str(value)) for label, value in json.loads(row["options"]))
        return ShownMenu(channel, chat_id, int(row["token"]), options)

    async def clear_menu(self, channel: str, chat_id: str) -> None:
        async with self._transaction() as db:
            await db.execute("DELETE FROM shown_menus WHERE channel = ? AND chat_id = ?",
                             (channel, chat_id))
