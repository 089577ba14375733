"""What the year's documents hold: the commendation proposal's sections, the year-end
report's parts and the scores workbook's rows, built by :mod:`bot.services.year_results` and
:mod:`bot.services.exports.year_build` and rendered by the ``docx_*`` and ``xlsx_*``
modules. Plain data: importing it loads neither python-docx nor openpyxl, which an idle bot
need not hold."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.services.exports.data import ExportData, TaskRow

SCORE_LABELS = (
    "sheet_ranking", "sheet_lines", "place", "unit", "group", "bonus", "penalty", "total",
    "submitted", "code", "criterion", "max", "own", "justification", "proposed", "reason",
    "final", "final_reason", "provisional", "final_note", "no_data",
)


@dataclass(frozen=True)
class Leading:
    """The unit the vote elected, as the proposal gives it."""

    unit: str
    points: str | None  # its total, written in Vietnamese (None: it submitted no sheet)
    votes: int
    units: int
    place: int | None = None  # its place in the ranking
    final: bool = False  # the scores are settled (else the total and place are provisional)


@dataclass(frozen=True)
class Entry:
    """One nomination the chair included."""

    nominee: str  # the collective, or the person with their position
    unit: str
    summary: str


@dataclass(frozen=True)
class FormSection:
    """One form of commendation and what the bloc proposes for it."""

    name: str
    individual: bool
    quota: int | None
    entries: Sequence[Entry] = ()
    leading: Leading | None = None
    for_leading_unit: bool = False


@dataclass(frozen=True)
class ScoreRow:
    """One unit's line of the ranking table (points already written in Vietnamese)."""

    place: str
    unit: str
    groups: Sequence[str]
    bonus: str
    penalty: str
    total: str


@dataclass(frozen=True)
class ScoreTable:
    """The year's scores as the report gives them."""

    groups: Sequence[tuple[str, str, str]]  # code, title, maximum
    rows: Sequence[ScoreRow]
    settled: datetime.date | None  # the day the chair made them final (None: provisional)
    missing: Sequence[str]  # units that have not submitted


@dataclass(frozen=True)
class VoteResult:
    """Who the vote elected."""

    unit: str
    votes: int
    units: int
    round: int


@dataclass(frozen=True)
class YearReportDocument:
    """What the year-end report says."""

    ministry: str
    bloc: str
    year: int
    theme: str | None
    today: datetime.date
    place: str
    periods: Sequence[ExportData]  # the year's periods, the first first
    movements: Sequence[str]
    exemplary: Sequence[str]
    scores: ScoreTable | None
    vote: VoteResult | None
    recipient: str | None  # the proposals' addressee (None: the year has no awards section)
    proposals: Sequence[FormSection]
    next_tasks: Sequence[TaskRow]  # the next year's, where its periods are loaded
    signer_name: str | None = None
    signer_title: str | None = None


@dataclass(frozen=True)
class RankingRow:
    place: int
    unit: str
    groups: Sequence[float]
    bonus: float
    penalty: float
    total: float
    submitted: datetime.datetime | None  # local, naive


@dataclass(frozen=True)
class LineRow:
    unit: str
    code: str
    title: str
    maximum: float
    own: float | None
    justification: str | None
    proposed: float | None
    reason: str | None
    final: float | None
    final_reason: str | None


@dataclass(frozen=True)
class ScoresWorkbook:
    bloc: str
    year: int
    groups: Sequence[str]  # the groups' codes, in the table's order
    ranking: Sequence[RankingRow]
    lines: Sequence[LineRow]
    final: bool
    labels: Mapping[str, str]
