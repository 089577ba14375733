"""The offline demo's people: registered in the database as the console's personas."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.channels.console import CHANNEL, DEMO_GROUP, Persona
from bot.domain.i18n import Texts
from storage.records import Bloc, Role
from storage.repository import BlocStore, MemberStore


class DemoStores(BlocStore, MemberStore, Protocol):
    """What registering the demo's people writes."""


async def demo_personas(repo: DemoStores, bloc: Bloc, now: datetime,
                        texts: Texts, *, ministry: bool = False) -> list[Persona]:
    """Register (idempotently) and list the demo's people.

    They are the chair, the deputy, the liaison and one contact per unit of ``bloc``; with
    ``ministry`` (a folder of blocs), the liaison is the ministry's, who follows every bloc.
    """
    units = await repo.list_units(bloc.id)
    unit_by_id = {unit.id: unit for unit in units}

    def name(key: str, **params: str) -> str:
        return texts.text(None, f"console.demo_name_{key}", **params)

    people: list[tuple[str, str, int | None, Role]] = [
        ("chair", name("chair"), bloc.chair_unit_id, Role.CHAIR),
        ("deputy", name("deputy"), bloc.deputy_unit_id, Role.DEPUTY),
        ("liaison", name("liaison"), None, Role.LIAISON),
    ]
    people += [(unit.code, name("contact", unit=unit.short_name), unit.id, Role.CONTACT)
               for unit in units]
    if await repo.bloc_group(bloc.id, CHANNEL) is None:
        await repo.set_bloc_group(bloc.id, CHANNEL, DEMO_GROUP)  # posts "to the group" print here
    personas = []
    for code, display, unit_id, role in people:
        if role is Role.DEPUTY and unit_id is None:
            continue
        external_id = f"demo-{code.lower()}"
        await repo.upsert_member(bloc_id=bloc.id, channel=CHANNEL, external_id=external_id,
                                 display_name=display, unit_id=unit_id, role=role, now=now,
                                 all_blocs=ministry and role is Role.LIAISON)
        unit = unit_by_id.get(unit_id) if unit_id else None
        label = display if unit is None or role is Role.CONTACT else f"{display} — {unit.name}"
        personas.append(Persona(code, external_id, label))
    return personas
