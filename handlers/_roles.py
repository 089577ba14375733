"""How roles and units are named to people (shared by several handlers)."""

from __future__ import annotations

from bot.domain.text import escape
from bot.kernel.context import Context
from storage.records import Member, Role


async def describe_member(ctx: Context, member: Member) -> str:
    """``Đầu mối của Viện Khoa học sở hữu trí tuệ`` / ``Liaison (Vụ Thi đua – Khen thưởng)``."""
    role = ctx.t(f"role.{member.role.value}")
    if member.unit_id is not None:
        unit = await ctx.repo.get_unit(member.unit_id)
        if unit is not None:
            return ctx.t("role.of_unit", role=role, unit=escape(unit.name))
    if member.role is Role.LIAISON and ctx.bloc.liaison_organisation:
        return ctx.t("role.of_unit", role=role, unit=escape(ctx.bloc.liaison_organisation))
    return role
