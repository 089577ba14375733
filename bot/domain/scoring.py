"""Self-scoring against the bloc's criteria table, and the ranking read from the scores
(no I/O).

The table (:class:`config.criteria.CriteriaConfig`) holds every number and rule; this module
only applies them: a score above a line's maximum, a bonus or penalty over its part's cap, a
justification the table requires and the unit left out, a file the table requires and the
unit has not sent are each refused with a kind and the values to show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from config.criteria import (
    CriteriaConfig,
    CriterionConfig,
    Evidence,
    Justification,
    points_text,
)

CRITERION, BONUS, PENALTY = "criterion", "bonus", "penalty"
ZERO = Decimal(0)
_POINTS = re.compile(r"^\d{1,4}(?:[.,]\d{1,2})?$")


def format_points(points: Decimal, language: str = "vi") -> str:
    """``8.5`` as ``"8,5"`` in Vietnamese and ``"8.5"`` in English; no trailing zeros."""
    text = points_text(points)
    return text.replace(".", ",") if language == "vi" else text


def parse_points(text: str) -> Decimal | None:
    """``"8"``, ``"8,5"`` or ``"8.5"`` → the points; ``None`` for anything else (negative
    numbers included: a penalty is entered as the points it takes away)."""
    text = text.strip()
    if not _POINTS.match(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


@dataclass(frozen=True)
class Line:
    """One line a unit scores: a criterion, a bonus or a penalty item, with its rules."""

    kind: str
    group: str | None  # the criteria group's code (None for bonus and penalty items)
    item: CriterionConfig
    justification: Justification
    evidence: Evidence

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def maximum(self) -> Decimal:
        return self.item.max

    def needs_justification(self, points: Decimal) -> bool:
        """Whether a score of ``points`` must come with a justification, by the table."""
        if self.justification is Justification.REQUIRED:
            return self.kind == CRITERION or points > ZERO
        if self.justification is Justification.BELOW_MAX:
            return self.kind == CRITERION and points < self.maximum
        return False

    def needs_evidence(self, points: Decimal) -> bool:
        """Whether the table requires a file for this line: only for points given (nothing
        to prove for 0)."""
        return self.evidence is Evidence.REQUIRED and points > ZERO


@dataclass(frozen=True)
class Score:
    """What a unit gave itself on one line."""

    code: str
    points: Decimal
    justification: str | None = None
    files: int = 0  # evidence files sent


@dataclass(frozen=True)
class Refusal:
    """Why a score is not taken: a catalog kind (``scoring.refused_<kind>``) and its values."""

    kind: str
    params: dict[str, str] = field(default_factory=dict)


class Table:
    """The criteria table as a unit scores it: its lines in order, found by code."""

    def __init__(self, config: CriteriaConfig) -> None:
        self.config = config
        lines: list[Line] = []
        for group in config.groups:
            lines += [self._line(CRITERION, group.code, item) for item in group.items]
        for kind, part in ((BONUS, config.bonus), (PENALTY, config.penalty)):
            if part is not None:
                lines += [self._line(kind, None, item) for item in part.items]
        self.lines: tuple[Line, ...] = tuple(lines)
        self._by_code = {line.code.casefold(): line for line in self.lines}

    def _line(self, kind: str, group: str | None, item: CriterionConfig) -> Line:
        return Line(kind, group, item, item.justification or self.config.justification,
                    item.evidence or self.config.evidence)

    def find(self, code: str) -> Line | None:
        """The line with this code (``1.2``, ``1,2`` and ``T1``/``t1`` alike)."""
        return self._by_code.get(code.strip().replace(",", ".").casefold())

    @property
    def criteria(self) -> tuple[Line, ...]:
        """The lines every unit must score (bonus and penalty items are claimed or left)."""
        return tuple(line for line in self.lines if line.kind == CRITERION)

    def cap(self, kind: str) -> Decimal | None:
        part = {BONUS: self.config.bonus, PENALTY: self.config.penalty}.get(kind)
        return part.cap if part is not None else None

    def check(self, line: Line, points: Decimal, justification: str | None,
              scores: Mapping[str, Score], language: str = "vi") -> Refusal | None:
        """Why ``points`` cannot be taken on ``line`` given the unit's other ``scores``;
        ``None`` when it can."""
        shown = {"code": line.code, "points": format_points(points, language),
                 "max": format_points(line.maximum, language)}
        if points > line.maximum:
            return Refusal("over_max", shown)
        cap = self.cap(line.kind)
        if cap is not None:
            others = sum((score.points for code, score in scores.items()
                          if code != line.code and (found := self.find(code)) is not None
                          and found.kind == line.kind), ZERO)
            if others + points > cap:
                return Refusal(f"over_cap_{line.kind}", {
                    **shown, "cap": format_points(cap, language),
                    "others": format_points(others, language),
                    "left": format_points(max(cap - others, ZERO), language)})
        if line.needs_justification(points) and not (justification or "").strip():
            return Refusal("justification_missing", shown)
        return None


@dataclass(frozen=True)
class Totals:
    """A unit's score sheet added up."""

    criteria: Decimal
    bonus: Decimal
    penalty: Decimal
    groups: Mapping[str, Decimal]
    scored: int  # criteria scored
    required: int  # criteria in the table

    @property
    def total(self) -> Decimal:
        return self.criteria + self.bonus - self.penalty

    @property
    def complete(self) -> bool:
        return self.scored == self.required


def totals(table: Table, scores: Mapping[str, Score]) -> Totals:
    """The unit's totals over the lines the table has now (a score on a line since removed
    from the table counts for nothing)."""
    sums = {CRITERION: ZERO, BONUS: ZERO, PENALTY: ZERO}
    groups = {group.code: ZERO for group in table.config.groups}
    scored = 0
    for line in table.lines:
        score = scores.get(line.code)
        if score is None:
            continue
        sums[line.kind] += score.points
        if line.group is not None:
            groups[line.group] += score.points
            scored += 1
    return Totals(sums[CRITERION], sums[BONUS], sums[PENALTY], groups, scored,
                  len(table.criteria))


def submission_gaps(table: Table, scores: Mapping[str, Score]) -> list[Refusal]:
    """What keeps a sheet from being submitted: criteria not scored, files the table
    requires and the unit has not sent (each a kind and the line's code)."""
    gaps: list[Refusal] = []
    for line in table.lines:
        score = scores.get(line.code)
        if score is None:
            if line.kind == CRITERION:
                gaps.append(Refusal("not_scored", {"code": line.code}))
            continue
        if line.needs_evidence(score.points) and score.files == 0:
            gaps.append(Refusal("no_evidence", {"code": line.code}))
    return gaps


@dataclass(frozen=True)
class Standing:
    """A unit's place in the ranking."""

    unit_id: int
    totals: Totals
    place: int
    shared: bool  # another unit holds the same place (đồng hạng)


def rank(sheets: Iterable[tuple[int, Totals]], tie_break: Iterable[str]) -> list[Standing]:
    """Units by total, highest first; equal totals ordered by the bloc's ``tie_break`` rules
    in turn (``group:<code>`` more points in the group, ``fewer_penalty``, ``more_bonus``);
    units still equal share a place, and the next place skips (1, 2, 2, 4)."""
    rules = tuple(tie_break)

    def key(entry: tuple[int, Totals]) -> tuple[Decimal, ...]:
        sheet = entry[1]
        parts = [sheet.total]
        for rule in rules:
            if rule == "fewer_penalty":
                parts.append(-sheet.penalty)
            elif rule == "more_bonus":
                parts.append(sheet.bonus)
            elif rule.startswith("group:"):
                parts.append(sheet.groups.get(rule.removeprefix("group:"), ZERO))
        return tuple(parts)

    ordered = sorted(sheets, key=lambda entry: (tuple(-part for part in key(entry)), entry[0]))
    keys = [key(entry) for entry in ordered]
    standings: list[Standing] = []
    for index, (unit_id, sheet) in enumerate(ordered):
        place = index + 1
        if index and keys[index] == keys[index - 1]:
            place = standings[-1].place
        shared = (index > 0 and keys[index] == keys[index - 1]) or (
            index + 1 < len(keys) and keys[index] == keys[index + 1])
        standings.append(Standing(unit_id, sheet, place, shared))
    return standings
