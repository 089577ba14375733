"""Invites: unguessable single-use (by default) tokens that register a person.

Only a token's SHA-256 is stored, so a copy of the database cannot be used to
register. A token is 24 URL-safe characters (144 random bits), which fits
Telegram's 64-character ``/start`` parameter.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.text import escape
from storage.records import Bloc, Invite, RedeemOutcome, Redemption, Role, Unit
from storage.repository import BlocStore, MemberStore

TOKEN_BYTES = 18
DEFAULT_VALIDITY = timedelta(days=7)
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
_DURATION = re.compile(r"^\s*(\d{1,4})\s*([mhdw]|phút|phut|giờ|gio|ngày|ngay|tuần|tuan)?\s*$",
                       re.IGNORECASE)
_UNITS = {
    "m": timedelta(minutes=1), "phút": timedelta(minutes=1), "phut": timedelta(minutes=1),
    "h": timedelta(hours=1), "giờ": timedelta(hours=1), "gio": timedelta(hours=1),
    "d": timedelta(days=1), "ngày": timedelta(days=1), "ngay": timedelta(days=1),
    "w": timedelta(weeks=1), "tuần": timedelta(weeks=1), "tuan": timedelta(weeks=1),
}
MAX_VALIDITY = timedelta(days=366)


class InviteError(ValueError):
    """An invite that cannot be made; ``kind`` names the reason (a catalog key suffix)."""

    def __init__(self, kind: str, **params: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.params = params


def describe_error(error: InviteError, t: Callable[..., str]) -> str:
    """The error in the reader's words (role codes turned into role names)."""
    params = dict(error.params)
    for name in ("role",):
        if name in params:
            params[name] = t(f"role.{params[name]}")
    return t(f"invite.error_{error.kind}", **params)


@dataclass(frozen=True)
class NewInvite:
    token: str
    invite: Invite
    unit: Unit | None


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_validity(text: str) -> timedelta:
    """``7d``, ``12h``, ``30m``, ``2w`` (or ``7 ngày``); a bare number means days."""
    match = _DURATION.match(text)
    if not match:
        raise InviteError("bad_validity", value=text)
    amount = int(match.group(1))
    unit = _UNITS[(match.group(2) or "d").lower()]
    validity = amount * unit
    if validity <= timedelta(0) or validity > MAX_VALIDITY:
        raise InviteError("bad_validity", value=text)
    return validity


def deep_link(bot_username: str, token: str) -> str:
    """The link that opens the bot and sends ``/start <token>``."""
    return f"https://t.me/{bot_username}?start={token}"


def how_to_register(bot_names: Mapping[str, str], token: str, t: Callable[..., str]) -> str:
    """What the invited person does, on each messenger the bot runs on (HTML).

    Telegram gets a link that registers in one tap; Zalo has no links into a
    bot, so the person sends ``dangky <token>``; without either, ``/start <token>``.
    """
    ways = []
    if bot_names.get("telegram"):
        ways.append(t("invite.link", link=deep_link(bot_names["telegram"], token)))
    if bot_names.get("zalo"):
        ways.append(t("invite.zalo_command", bot=escape(bot_names["zalo"]), token=token))
    return "\n\n".join(ways) or t("invite.start_command", token=token)


def resolve_unit(bloc: Bloc, units: list[Unit], role: Role, code: str | None) -> Unit | None:
    """Which unit an invite for ``role`` belongs to, enforcing the bloc's structure.

    A contact or a unit head belongs to the unit named; the chair's and deputy's officers to the
    chair and deputy units (named or not); the liaison to no unit.
    """
    by_code = {unit.code.casefold(): unit for unit in units}
    named = by_code.get(code.casefold()) if code else None
    if code and named is None:
        raise InviteError("unknown_unit", value=code,
                          known=", ".join(unit.code for unit in units))
    if role is Role.LIAISON:
        if code:
            raise InviteError("liaison_has_no_unit")
        return None
    if role in (Role.CONTACT, Role.HEAD, Role.ADMIN):
        if named is None:
            raise InviteError("unit_required")
        return named
    wanted_id = bloc.chair_unit_id if role is Role.CHAIR else bloc.deputy_unit_id
    wanted = next((unit for unit in units if unit.id == wanted_id), None)
    if wanted is None:
        raise InviteError("no_such_office", role=role.value)
    if named is not None and named.id != wanted.id:
        raise InviteError("wrong_office", role=role.value, value=named.code, expected=wanted.code)
    return wanted


class InviteStores(BlocStore, MemberStore, Protocol):
    """What making and redeeming invites reads and writes."""


async def create_invite(
    repo: InviteStores, bloc: Bloc, *, role: Role, unit_code: str | None, uses: int,
    validity: timedelta, created_by: str, now: datetime, all_blocs: bool = False,
) -> NewInvite:
    """Make an invite and return its token (shown once, never stored in clear).

    ``all_blocs``: the ministry's liaison, who follows every bloc served (``bloc`` is then
    the one they look at first); only a liaison may be invited so."""
    if uses < 1 or uses > 1000:
        raise InviteError("bad_uses", value=str(uses))
    if all_blocs and role is not Role.LIAISON:
        raise InviteError("all_blocs_liaison_only", role=role.value)
    unit = resolve_unit(bloc, await repo.list_units(bloc.id), role, unit_code)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invite = await repo.create_invite(
        bloc_id=bloc.id, token_hash=hash_token(token), unit_id=unit.id if unit else None,
        role=role, max_uses=uses, expires_at=now + validity, created_by=created_by, now=now,
        all_blocs=all_blocs,
    )
    return NewInvite(token, invite, unit)


async def redeem(
    repo: MemberStore, token: str, *, channel: str, external_id: str, display_name: str,
    now: datetime,
) -> Redemption:
    """Register the person if ``token`` is a live invite."""
    if not _TOKEN_SHAPE.match(token):
        return Redemption(RedeemOutcome.UNKNOWN)
    return await repo.redeem_invite(
        token_hash=hash_token(token), channel=channel, external_id=external_id,
        display_name=display_name, now=now,
    )
