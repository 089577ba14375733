"""Cross-checks (thẩm định) of the units' sheets and the final scores the chair settles
(no I/O).

Who reviews whom, by the way the chair chooses: a rotation (each unit checks the next one
in the bloc's order), pairs (units check each other two by two; with an odd count the last
is checked by the first), or the officers (the chair's unit checks every other unit and the
deputy's unit checks the chair's). A unit's final sheet is its own scores with the lines
the chair settled put in their place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from bot.domain.scoring import Score

ROTATION, PAIRS, OFFICERS = "rotation", "pairs", "officers"
MODES = (ROTATION, PAIRS, OFFICERS)


class NoAssignment(ValueError):
    """The bloc cannot be reviewed that way (too few units, no chair or deputy)."""


def assign(mode: str, units: Sequence[int], *, chair: int | None,
           deputy: int | None) -> list[tuple[int, int]]:
    """``(unit, reviewer unit)`` for every unit in ``units`` (in the bloc's order); no unit
    reviews itself."""
    if len(units) < 2:
        raise NoAssignment("too_few_units")
    if mode == ROTATION:
        return [(unit, units[(index + 1) % len(units)]) for index, unit in enumerate(units)]
    if mode == PAIRS:
        pairs: list[tuple[int, int]] = []
        for index in range(0, len(units) - 1, 2):
            first, second = units[index], units[index + 1]
            pairs += [(first, second), (second, first)]
        if len(units) % 2:
            pairs.append((units[-1], units[0]))
        return pairs
    if mode == OFFICERS:
        if chair is None or deputy is None or chair not in units or deputy not in units:
            raise NoAssignment("no_officers")
        return [(unit, deputy if unit == chair else chair) for unit in units]
    raise NoAssignment("unknown_mode")


def final_scores(own: Mapping[str, Score], settled: Mapping[str, Decimal]) -> dict[str, Score]:
    """The unit's sheet as settled: its own lines, each settled line at the chair's points
    (a line the unit left out and the chair settled counts too)."""
    final = dict(own)
    for code, points in settled.items():
        before = own.get(code)
        final[code] = Score(code, points, before.justification if before else None,
                            before.files if before else 0)
    return final


def differs(own: Decimal | None, points: Decimal) -> bool:
    """Whether ``points`` (proposed or settled) moves a line from the unit's own score (a
    line it left out counts as 0)."""
    return (own if own is not None else Decimal(0)) != points
