"""Who may do what: role groups used by command declarations."""

from __future__ import annotations

from storage.records import Role

MANAGERS: frozenset[Role] = frozenset({Role.CHAIR, Role.DEPUTY, Role.ADMIN})
"""The chair and deputy run the bloc; admins (``THIDUA_ADMIN_IDS``) may do anything."""

OBSERVERS: frozenset[Role] = MANAGERS | {Role.LIAISON}
"""Those who may see every unit's status (the liaison reads, never writes)."""

EVERYONE: frozenset[Role] = frozenset(Role)
"""Every registered person."""
