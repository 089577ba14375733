"""The year's results as the repository holds them, for the chat and for the files: each
unit's sheet as settled, the ranking, the unit the vote elected and what the bloc proposes
for commendation. Read from the ports alone (no chat context), so ``thidua export`` builds
the same year report as ``/tongket``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.domain.review import final_scores
from bot.domain.scoring import Score, Standing, Table, format_points, rank, totals
from bot.domain.voting import Outcome
from bot.services.exports.year_data import Entry, FormSection, Leading
from config.criteria import CriteriaConfig
from storage.records import Unit
from storage.repository import Repository
from storage.year_records import Awards, EmulationYear, SettledScore, StoredScore

Translate = Callable[..., str]


def scores_of(stored: Mapping[str, StoredScore]) -> dict[str, Score]:
    """The domain's view of a unit's stored scores."""
    return {code: Score(code, s.points, s.justification, len(s.files))
            for code, s in stored.items()}


def settled_sheets(own: Mapping[int, Mapping[str, StoredScore]],
                   settled: Mapping[int, Mapping[str, SettledScore]],
                   ) -> dict[int, dict[str, Score]]:
    """Each unit's sheet as it stands: its own scores with the lines the chair settled in
    their place (final once the settlement is)."""
    return {unit: final_scores(scores_of(own.get(unit, {})), {
        code: line.points for code, line in settled.get(unit, {}).items()})
        for unit in set(own) | set(settled)}


@dataclass(frozen=True)
class YearScores:
    """The year's scoring: the table, each unit's sheet as settled, the ranking of the
    units that submitted, and whether it is final."""

    table: Table
    sheets: dict[int, dict[str, Score]]
    standings: list[Standing]
    submitted: dict[int, datetime]
    settled_at: datetime | None


async def year_scores(repo: Repository, year: EmulationYear,
                      units: list[Unit]) -> YearScores | None:
    """The year's scores (``None`` when the year has no criteria table)."""
    if year.criteria is None:
        return None
    table = Table(CriteriaConfig.model_validate(year.criteria))
    sheets = settled_sheets(await repo.self_scores(year.id), await repo.settled_scores(year.id))
    submitted = await repo.score_submissions(year.id)
    standings = rank([(unit.id, totals(table, sheets.get(unit.id, {})))
                      for unit in units if unit.id in submitted],
                     year.scoring_rules.get("tie_break") or ())
    return YearScores(table, sheets, standings, submitted, year.settled_at)


@dataclass(frozen=True)
class Elected:
    """The unit the vote elected to lead the bloc, and by how many votes."""

    unit_id: int
    votes: int
    units: int  # the bloc's units when it was counted
    round: int


async def elected(repo: Repository, year: EmulationYear) -> Elected | None:
    """The unit the year's last closed round elected (``None``: no one yet)."""
    for vote in reversed(await repo.votes_of(year.id)):
        if vote.closed_at is None or vote.result is None:
            continue
        counted = Outcome.from_stored(vote.result)
        if counted.winner is None:
            return None
        votes = next((n for unit, n in counted.counts if unit == counted.winner), 0)
        return Elected(counted.winner, votes, counted.units, vote.round)
    return None


def person(t: Translate, name: str, position: str | None) -> str:
    """A nominee as the documents name them: the person with their position."""
    return t("awards.person", name=name, position=position) if position else name


async def proposal_sections(repo: Repository, year: EmulationYear, rules: Awards,
                            units: list[Unit], t: Translate) -> list[FormSection]:
    """What the bloc proposes, form by form: the unit the vote elected (with its total where
    the year has a table) and the nominations the chair included."""
    names = {unit.id: unit.name for unit in units}
    included = [n for n in await repo.nominations(year.id) if n.included]
    leader = await elected(repo, year)
    leading = None
    if leader is not None:
        scores = await year_scores(repo, year, units)
        standing = next((s for s in scores.standings if s.unit_id == leader.unit_id),
                        None) if scores is not None else None
        total = format_points(standing.totals.total, "vi") if standing is not None else None
        leading = Leading(names.get(leader.unit_id, "?"), total, leader.votes, leader.units,
                          standing.place if standing is not None else None,
                          year.settled_at is not None)
    sections = []
    for form in rules.forms:
        if form.leading_unit:
            sections.append(FormSection(form.name, False, form.quota, for_leading_unit=True,
                                        leading=leading))
            continue
        sections.append(FormSection(
            form.name, form.kind == "individual", form.quota,
            entries=[Entry(person(t, n.nominee, n.position), names.get(n.unit_id, "?"),
                           n.summary) for n in included if n.form == form.code]))
    return sections
