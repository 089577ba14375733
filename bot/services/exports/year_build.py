"""Building the year-end report's :class:`YearReportDocument` from the repository: each of
the year's periods as the half-year report reads it, and the year's scores, vote, proposals
and exemplary cases (:mod:`bot.services.year_results`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.scoring import format_points, totals
from bot.services.exports.build import Translate, build_export, exemplary_lines
from bot.services.exports.data import TaskRow
from bot.services.exports.year_data import (
    SCORE_LABELS,
    LineRow,
    RankingRow,
    ScoreRow,
    ScoresWorkbook,
    ScoreTable,
    VoteResult,
    YearReportDocument,
)
from bot.services.year_results import YearScores, elected, proposal_sections, year_scores
from storage.records import Bloc, Unit
from storage.repository import Repository


def score_table(scores: YearScores, units: list[Unit], zone: ZoneInfo) -> ScoreTable:
    """The ranking as the report's table gives it: each submitted unit's groups, bonus,
    penalty and total, in the order of the ranking."""
    names = {unit.id: unit.name for unit in units}
    groups = [(group.code, group.title, format_points(
        group.max if group.max is not None else sum((item.max for item in group.items),
                                                     Decimal(0)), "vi"))
        for group in scores.table.config.groups]
    rows = []
    for standing in scores.standings:
        added = totals(scores.table, scores.sheets.get(standing.unit_id, {}))
        rows.append(ScoreRow(
            str(standing.place), names.get(standing.unit_id, "?"),
            [format_points(added.groups.get(code, Decimal(0)), "vi") for code, _, _ in groups],
            format_points(added.bonus, "vi"), format_points(added.penalty, "vi"),
            format_points(added.total, "vi")))
    return ScoreTable(groups, rows, scores.settled_at.astimezone(zone).date()
                      if scores.settled_at else None,
                      [unit.name for unit in units if unit.id not in scores.submitted])


async def build_year_report(repo: Repository, bloc: Bloc, year: int, *, t: Translate,
                            now: datetime) -> YearReportDocument:
    """Everything the year-end report of ``year`` says, localised with ``t``."""
    zone = ZoneInfo(bloc.timezone)
    units = await repo.list_units(bloc.id)
    periods = sorted(await repo.list_periods(bloc.id), key=lambda p: p.start)
    halves = [await build_export(repo, bloc, period, t=t, now=now)
              for period in periods if period.start.year == year]
    following = [period for period in periods if period.start.year == year + 1]
    next_tasks = [TaskRow(task.position, task.title, None)
                  for period in following for task in await repo.list_tasks(period.id)]
    found = await repo.emulation_year(bloc.id, year)
    scores = await year_scores(repo, found, units) if found is not None else None
    leader = await elected(repo, found) if found is not None else None
    names = {unit.id: unit.name for unit in units}
    awards = found.awards if found is not None else None
    closed = found is not None and found.closed_at is not None  # as it was when it closed
    return YearReportDocument(
        ministry=bloc.ministry, bloc=bloc.name, year=year,
        theme=found.theme if closed and found is not None else bloc.theme,
        today=now.astimezone(zone).date(), place=t("export.place"), periods=halves,
        movements=(found.movements or ()) if closed and found is not None
        else tuple(await repo.list_movements(bloc.id)),
        exemplary=await exemplary_lines(repo, bloc, year, t, names),
        scores=score_table(scores, units, zone) if scores is not None else None,
        vote=VoteResult(names.get(leader.unit_id, "?"), leader.votes, leader.units,
                        leader.round) if leader is not None else None,
        recipient=awards.recipient if awards is not None else None,
        proposals=await proposal_sections(repo, found, awards, units, t)
        if found is not None and awards is not None else (),
        next_tasks=next_tasks, signer_name=bloc.signer_name, signer_title=bloc.signer_title)


def _number(points: Decimal | None) -> float | None:
    return float(points) if points is not None else None


async def build_scores_workbook(repo: Repository, bloc: Bloc, year: int, *,
                                t: Translate) -> ScoresWorkbook | None:
    """The year's scores for the workbook (``None`` when the year has no criteria table)."""
    zone = ZoneInfo(bloc.timezone)
    units = await repo.list_units(bloc.id)
    found = await repo.emulation_year(bloc.id, year)
    scores = await year_scores(repo, found, units) if found is not None else None
    if found is None or scores is None:
        return None
    names = {unit.id: unit.name for unit in units}
    codes = [group.code for group in scores.table.config.groups]
    ranking = []
    for standing in scores.standings:
        added = totals(scores.table, scores.sheets.get(standing.unit_id, {}))
        at = scores.submitted.get(standing.unit_id)
        ranking.append(RankingRow(
            standing.place, names.get(standing.unit_id, "?"),
            [float(added.groups.get(code, Decimal(0))) for code in codes], float(added.bonus),
            float(added.penalty), float(added.total),
            at.astimezone(zone).replace(tzinfo=None) if at else None))
    own, proposed = await repo.self_scores(found.id), await repo.proposed_scores(found.id)
    settled = await repo.settled_scores(found.id)
    lines = []
    for unit in units:
        for line in scores.table.lines:
            mine = own.get(unit.id, {}).get(line.code)
            review = proposed.get(unit.id, {}).get(line.code)
            final = settled.get(unit.id, {}).get(line.code)
            if mine is None and review is None and final is None:
                continue
            lines.append(LineRow(
                unit.name, line.code, line.item.title, float(line.maximum),
                _number(mine.points if mine else None), mine.justification if mine else None,
                _number(review.points if review else None), review.reason if review else None,
                _number(final.points if final else mine.points if mine else None),
                final.reason if final else None))
    return ScoresWorkbook(bloc.name, year, codes, ranking, lines, found.settled_at is not None,
                          {key: t(f"export.scores_{key}") for key in SCORE_LABELS})
