"""Who may do what: one table of role × action, enforced once, in the core.

Every command names the action it performs; the core checks this table
before running it, ``/help`` lists what the caller's role allows, and a test
is generated from the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from storage.records import Role


class Action(StrEnum):
    """Things people do with the bot."""

    USE_BASICS = "use_basics"  # help, language, cancel, the task list
    REPORT = "report"  # send and correct the own unit's updates (chair/deputy: any unit)
    SEE_OWN_UNIT = "see_own_unit"  # the own unit's status
    SEE_ALL = "see_all"  # every unit's status, the heat map, plain-language questions
    INVITE = "invite"  # make invite links
    POST_TASKS = "post_tasks"  # post and pin the task list in the group
    REMIND = "remind"  # nudge the silent units now
    ANNOUNCE = "announce"  # send an announcement to contacts and the group
    MANAGE_TASKS = "manage_tasks"  # add, change, move, close tasks; open periods
    ATTEND = "attend"  # answer a conference invitation: for the own unit; the liaison for itself
    SCORE = "score"  # score the own unit against the year's criteria, submit its sheet
    VOTE = "vote"  # cast the own unit's ballot for the leading unit (its head where registered)
    RUN_VOTE = "run_vote"  # open a round of the vote, close it and announce the result
    REVIEW = "review"  # cross-check the sheets the own unit is assigned to review
    ASSIGN_REVIEWS = "assign_reviews"  # assign which unit reviews which unit's sheet
    SETTLE = "settle"  # settle the final scores after the cross-checks, make them final
    OPEN_COVENANT = "open_covenant"  # open the year's covenant for the units to sign
    SIGN_COVENANT = "sign_covenant"  # sign the covenant for the own unit (its head where one)
    NOMINATE = "nominate"  # nominate the own unit's exemplary collectives and people for awards
    PROPOSE_AWARDS = "propose_awards"  # include nominations in the bloc's proposal or not
    HAND_OVER = "hand_over"  # close the year and hand the offices to the next year's officers


MANAGERS: frozenset[Role] = frozenset({Role.CHAIR, Role.DEPUTY, Role.ADMIN})
"""The chair and deputy run the bloc; admins (``THIDUA_ADMIN_IDS``) may do anything."""

OBSERVERS: frozenset[Role] = MANAGERS | {Role.LIAISON}
"""Those who may see every unit's status (the liaison reads, and writes one thing only: its
own answer to a conference invitation, :attr:`Action.ATTEND`)."""

EVERYONE: frozenset[Role] = frozenset(Role)
"""Every registered person."""

PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.USE_BASICS: EVERYONE,
    Action.REPORT: MANAGERS | {Role.CONTACT, Role.HEAD},  # a unit's head, like its contact
    Action.SEE_OWN_UNIT: EVERYONE,
    Action.SEE_ALL: OBSERVERS,
    Action.INVITE: MANAGERS,
    Action.POST_TASKS: MANAGERS,
    Action.REMIND: MANAGERS,
    Action.ANNOUNCE: MANAGERS,
    Action.MANAGE_TASKS: MANAGERS,
    Action.ATTEND: EVERYONE,  # the liaison included: the one thing the liaison writes
    # a unit's people score it (who submits: its head where registered, handlers/scoring.py);
    # the chair's and deputy's officers score their own unit the same way
    Action.SCORE: MANAGERS | {Role.CONTACT, Role.HEAD},
    # one ballot per unit (who casts it: handlers/voting.py); the liaison has no vote
    Action.VOTE: MANAGERS | {Role.CONTACT, Role.HEAD},
    Action.RUN_VOTE: MANAGERS,
    Action.REVIEW: MANAGERS | {Role.CONTACT, Role.HEAD},
    Action.ASSIGN_REVIEWS: MANAGERS,
    # the chair settles (the "the chair settles each final score"); admins may all
    Action.SETTLE: frozenset({Role.CHAIR, Role.ADMIN}),
    Action.OPEN_COVENANT: MANAGERS,
    Action.SIGN_COVENANT: MANAGERS | {Role.CONTACT, Role.HEAD},
    Action.NOMINATE: MANAGERS | {Role.CONTACT, Role.HEAD},
    Action.PROPOSE_AWARDS: MANAGERS,
    Action.HAND_OVER: frozenset({Role.CHAIR, Role.ADMIN}),  # "confirmed by the outgoing chair"
}


def may(role: Role | None, action: Action) -> bool:
    """Whether a person with ``role`` (``None``: a stranger) may perform ``action``."""
    return role is not None and role in PERMISSIONS[action]
