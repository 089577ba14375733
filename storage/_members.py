"""The people of the blocs: members registered on each channel, their language, and the
invites that register them (only a token's hash is kept; redeeming one is one
transaction: the use counted, the member written, the audit line)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage._sql import Row, SqlParts, Statements
from storage._time import from_db, to_db
from storage.records import Invite, Member, RedeemOutcome, Redemption, Role


def _member(row: Row) -> Member:
    return Member(
        id=row["id"], bloc_id=row["bloc_id"], channel=row["channel"],
        external_id=row["external_id"], display_name=row["display_name"],
        unit_id=row["unit_id"], role=Role(row["role"]), language=row["language"],
        registered_at=from_db(row["registered_at"]), all_blocs=bool(row["all_blocs"]),
        viewing_bloc_id=row["viewing_bloc_id"],
    )


def _invite(row: Row) -> Invite:
    return Invite(
        id=row["id"], bloc_id=row["bloc_id"], unit_id=row["unit_id"], role=Role(row["role"]),
        max_uses=row["max_uses"], uses=row["uses"], expires_at=from_db(row["expires_at"]),
        created_by=row["created_by"], created_at=from_db(row["created_at"]),
        all_blocs=bool(row["all_blocs"]),
    )


class SqlMembers(SqlParts):
    """The members and invites part of the repository."""

    async def get_member(self, channel: str, external_id: str) -> Member | None:
        row = await self._one(
            "SELECT * FROM members WHERE channel = ? AND external_id = ? AND active = 1",
            (channel, external_id),
        )
        return _member(row) if row else None

    async def list_members(self, bloc_id: int, unit_id: int | None = None) -> list[Member]:
        sql = "SELECT * FROM members WHERE bloc_id = ? AND active = 1"
        params: tuple[Any, ...] = (bloc_id,)
        if unit_id is not None:
            sql += " AND unit_id = ?"
            params += (unit_id,)
        return [_member(row) for row in await self._all(sql + " ORDER BY id", params)]

    async def set_member_language(self, member_id: int, language: str) -> None:
        async with self._transaction() as db:
            await db.execute("UPDATE members SET language = ? WHERE id = ?", (language, member_id))

    async def upsert_member(
        self, *, bloc_id: int, channel: str, external_id: str, display_name: str,
        unit_id: int | None, role: Role, now: datetime, all_blocs: bool = False,
    ) -> Member:
        async with self._transaction() as db:
            return await self._register(
                db, bloc_id=bloc_id, channel=channel, external_id=external_id,
                display_name=display_name, unit_id=unit_id, role=role, now=now,
                all_blocs=all_blocs,
            )

    async def _register(
        self, db: Statements, *, bloc_id: int, channel: str, external_id: str,
        display_name: str, unit_id: int | None, role: Role, now: datetime,
        all_blocs: bool = False,
    ) -> Member:
        await db.execute(
            """
            INSERT INTO members (bloc_id, channel, external_id, display_name, unit_id, role,
                                 registered_at, all_blocs)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (channel, external_id) DO UPDATE SET
                bloc_id = excluded.bloc_id, display_name = excluded.display_name,
                unit_id = excluded.unit_id, role = excluded.role, active = 1,
                all_blocs = excluded.all_blocs, viewing_bloc_id = NULL
            """,
            (bloc_id, channel, external_id, display_name, unit_id, role.value, to_db(now),
             int(all_blocs)),
        )
        row = await self._one(
            "SELECT * FROM members WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        assert row is not None
        return _member(row)

    async def view_bloc(self, member_id: int, bloc_id: int) -> None:
        """The ministry's liaison looks at this bloc from now on."""
        async with self._transaction() as db:
            await db.execute("UPDATE members SET viewing_bloc_id = ? WHERE id = ? AND "
                             "all_blocs = 1", (bloc_id, member_id))

    # -- invites ----------------------------------------------------------------------------

    async def create_invite(
        self, *, bloc_id: int, token_hash: str, unit_id: int | None, role: Role,
        max_uses: int, expires_at: datetime, created_by: str, now: datetime,
        all_blocs: bool = False,
    ) -> Invite:
        async with self._transaction() as db:
            cursor = await db.execute(
                """
                INSERT INTO invites (bloc_id, token_hash, unit_id, role, max_uses, expires_at,
                                     created_by, created_at, all_blocs)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (bloc_id, token_hash, unit_id, role.value, max_uses, to_db(expires_at),
                 created_by, to_db(now), int(all_blocs)),
            )
            await self._insert_audit(
                db, actor=created_by, action="invite.create", subject=f"invite:{cursor.lastrowid}",
                details={"role": role.value, "unit_id": unit_id, "max_uses": max_uses,
                         "expires_at": to_db(expires_at), "all_blocs": all_blocs},
                now=now,
            )
            row = await self._one("SELECT * FROM invites WHERE id = ?", (cursor.lastrowid,))
        assert row is not None
        return _invite(row)

    async def redeem_invite(
        self, *, token_hash: str, channel: str, external_id: str, display_name: str,
        now: datetime,
    ) -> Redemption:
        async with self._transaction() as db:
            row = await self._one("SELECT * FROM invites WHERE token_hash = ?", (token_hash,))
            if row is None:
                return Redemption(RedeemOutcome.UNKNOWN)
            invite = _invite(row)
            existing = await self._one(
                "SELECT * FROM members WHERE channel = ? AND external_id = ? AND active = 1",
                (channel, external_id))
            spent = invite.uses >= invite.max_uses or invite.expires_at <= now
            if (existing is not None and not spent and invite.all_blocs
                    and invite.role is Role.LIAISON and existing["role"] == Role.LIAISON.value
                    and not existing["all_blocs"]):  # a bloc's liaison becomes the ministry's
                await db.execute("UPDATE invites SET uses = uses + 1 WHERE id = ?",
                                 (invite.id,))
                await db.execute("UPDATE members SET all_blocs = 1 WHERE id = ?",
                                 (existing["id"],))
                await self._insert_audit(
                    db, actor=f"{channel}:{external_id}", action="invite.redeem",
                    subject=f"invite:{invite.id}",
                    details={"member_id": existing["id"], "all_blocs": True}, now=now)
                upgraded = await self._one("SELECT * FROM members WHERE id = ?",
                                           (existing["id"],))
                assert upgraded is not None
                return Redemption(RedeemOutcome.REGISTERED, _member(upgraded))
            if existing is not None:  # a member tapping a link keeps their role
                # a spent invite is most often their own, opened again: they are registered
                return Redemption(RedeemOutcome.ALREADY_REGISTERED if spent
                                  else RedeemOutcome.ALREADY_MEMBER, _member(existing))
            if invite.uses >= invite.max_uses:
                return Redemption(RedeemOutcome.USED_UP)
            if invite.expires_at <= now:
                return Redemption(RedeemOutcome.EXPIRED)
            await db.execute("UPDATE invites SET uses = uses + 1 WHERE id = ?", (invite.id,))
            member = await self._register(
                db, bloc_id=invite.bloc_id, channel=channel, external_id=external_id,
                display_name=display_name, unit_id=invite.unit_id, role=invite.role, now=now,
                all_blocs=invite.all_blocs,
            )
            await self._insert_audit(
                db, actor=f"{channel}:{external_id}", action="invite.redeem",
                subject=f"invite:{invite.id}",
                details={"member_id": member.id, "role": invite.role.value,
                         "unit_id": invite.unit_id},
                now=now,
            )
        return Redemption(RedeemOutcome.REGISTERED, member)
