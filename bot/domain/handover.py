"""Who holds the bloc's offices next year (no I/O): the bloc file's rule applied to this
year's chair and deputy, in the order the offices pass."""

from __future__ import annotations

from collections.abc import Sequence

DEPUTY, NEXT = "deputy", "next"


def next_after(order: Sequence[int], unit: int | None, skip: set[int]) -> int | None:
    """The first unit after ``unit`` in ``order`` (round the end) not in ``skip``."""
    if not order:
        return None
    start = order.index(unit) + 1 if unit in order else 0
    for step in range(len(order)):
        candidate = order[(start + step) % len(order)]
        if candidate not in skip:
            return candidate
    return None


def next_officers(order: Sequence[int], chair: int | None, deputy: int | None,
                  rule: str) -> tuple[int | None, int | None]:
    """The next year's chair and deputy: by ``deputy`` the deputy takes the chair (the next
    unit after the chair when there is no deputy), by ``next`` the next unit after the chair;
    the deputy is then the next unit after the new chair."""
    if rule == DEPUTY and deputy is not None and deputy in order:
        new_chair: int | None = deputy
    else:
        new_chair = next_after(order, chair, {chair} if chair is not None else set())
    if new_chair is None:
        return None, None
    return new_chair, next_after(order, new_chair, {new_chair})
