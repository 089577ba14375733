"""What ``/chamdiem`` shows: the year's table as the unit scores it, its window, and the
unit's sheet added up (used by the command, its guided form and its submission)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.periods import format_deadline, format_moment, format_opening
from bot.domain.review import differs, final_scores
from bot.domain.scoring import (
    BONUS,
    PENALTY,
    Line,
    Score,
    Standing,
    Table,
    format_points,
    parse_points,
    rank,
    totals,
)
from bot.domain.text import escape, shorten
from bot.domain.unit_names import UnitRef, match_unit
from bot.kernel.context import Context
from bot.services.year_results import settled_sheets
from config.criteria import CriteriaConfig
from storage.records import Role, Unit
from storage.year_records import EmulationYear, SettledScore, StoredScore

NOT_OPEN, OPEN, CLOSED = "not_open", "open", "closed"


@dataclass(frozen=True)
class YearScoring:
    """The bloc's current year as far as scoring goes: the table and whether it is open."""

    year: EmulationYear
    table: Table

    def window(self, now: datetime) -> str:
        """``not_open`` before the window, ``open`` in it, ``closed`` after its deadline."""
        if self.year.scoring_opens is not None and now < self.year.scoring_opens:
            return NOT_OPEN
        if self.year.scoring_deadline is not None and now > self.year.scoring_deadline.at:
            return CLOSED
        return OPEN


async def current_year(ctx: Context) -> EmulationYear | None:
    """The bloc's current emulation year as loaded, read once per event (a handler that
    changes it reads the repository again)."""
    return await ctx.memo("emulation_year",
                          lambda: ctx.repo.emulation_year(ctx.bloc.id, ctx.bloc.year))


async def year_scoring(ctx: Context) -> YearScoring | None:
    """The current year's table (``None`` when the bloc file has none), read once per event."""
    async def load() -> YearScoring | None:
        year = await current_year(ctx)
        if year is None or year.criteria is None:
            return None
        return YearScoring(year, Table(CriteriaConfig.model_validate(year.criteria)))
    return await ctx.memo("year_scoring", load)


def points(ctx: Context, value: Decimal) -> str:
    return format_points(value, ctx.language)


def window_line(ctx: Context, scoring: YearScoring) -> str:
    """"Thời gian tự chấm điểm: từ … đến …" (or only the deadline)."""
    year = scoring.year
    deadline = format_deadline(year.scoring_deadline, ctx.zone, ctx.t) \
        if year.scoring_deadline else ctx.t("scoring.no_deadline")
    if year.scoring_opens is None:
        return ctx.t("scoring.window_deadline", deadline=deadline)
    return ctx.t("scoring.window", opens=opening(ctx, year), deadline=deadline)


def opening(ctx: Context, year: EmulationYear) -> str:
    """When scoring opens: a day (the file gave a date: it opens at its first moment) or a
    time and a day."""
    assert year.scoring_opens is not None
    return format_opening(year.scoring_opens, ctx.zone, ctx.t)


def line_label(ctx: Context, line: Line, score: Score | None) -> str:
    """A button: "1.2 Hưởng ứng… — 8,5/10" or "… — chưa chấm"."""
    title = shorten(line.item.title, 40)
    if score is None:
        return ctx.t("scoring.option_unscored", code=line.code, title=title,
                     max=points(ctx, line.maximum))
    return ctx.t("scoring.option_scored", code=line.code, title=title,
                 points=points(ctx, score.points), max=points(ctx, line.maximum))


def total_line(ctx: Context, scoring: YearScoring, scores: dict[str, Score]) -> str:
    """The running total: criteria scored, bonus, penalty, and what is still to score."""
    sums = totals(scoring.table, scores)
    return ctx.t("scoring.total", total=points(ctx, sums.total),
                 max=points(ctx, scoring.table.config.maximum), scored=sums.scored,
                 required=sums.required, bonus=points(ctx, sums.bonus),
                 penalty=points(ctx, sums.penalty))


def sheet_text(ctx: Context, scoring: YearScoring, unit_name: str, scores: dict[str, Score],
               submitted_at: datetime | None,
               settled: Mapping[str, SettledScore] | None = None) -> str:
    """The unit's whole sheet, group by group, then bonus and penalty, then its total;
    each line the chair settled at another score says so and why, and the total as
    settled follows."""
    settled = settled or {}
    table = scoring.table
    lines = [ctx.t("scoring.sheet_title", year=scoring.year.year, unit=escape(unit_name))]
    if table.config.illustrative:
        lines.append(ctx.t("scoring.illustrative"))
    lines.append(window_line(ctx, scoring))
    sums = totals(table, scores)
    for group in table.config.groups:
        lines += ["", ctx.t("scoring.group", code=group.code, title=escape(group.title),
                            points=points(ctx, sums.groups[group.code]),
                            max=points(ctx, group.ceiling))]
        lines += [_line_text(ctx, line, scores.get(line.code), settled.get(line.code))
                  for line in table.lines if line.group == group.code]
    for kind in (BONUS, PENALTY):
        kind_lines = [line for line in table.lines if line.kind == kind]
        if kind_lines:
            cap = table.cap(kind) or Decimal(0)
            lines += ["", ctx.t(f"scoring.{kind}_title", cap=points(ctx, cap))]
            lines += [_line_text(ctx, line, scores.get(line.code), settled.get(line.code))
                      for line in kind_lines]
    lines += ["", total_line(ctx, scoring, scores)]
    if any(differs(_points_of(scores.get(code)), line.points)
           for code, line in settled.items()):
        final = final_scores(scores, {code: line.points for code, line in settled.items()})
        lines.append(ctx.t("scoring.total_settled" if scoring.year.settled_at
                           else "scoring.total_settling",
                           total=points(ctx, totals(table, final).total),
                           max=points(ctx, table.config.maximum)))
    if submitted_at is not None:
        lines.append(ctx.t("scoring.submitted_at", time=format_moment(submitted_at, ctx.zone)))
    return "\n".join(lines)


def _points_of(score: Score | None) -> Decimal | None:
    return score.points if score is not None else None


def _line_text(ctx: Context, line: Line, score: Score | None,
               settled: SettledScore | None = None) -> str:
    title = escape(line.item.title)
    if score is None:
        key = "scoring.line_unscored" if line.kind not in (BONUS, PENALTY) \
            else "scoring.line_unclaimed"
        text = ctx.t(key, code=line.code, title=title, max=points(ctx, line.maximum))
    else:
        text = ctx.t("scoring.line_scored", code=line.code, title=title,
                     points=points(ctx, score.points), max=points(ctx, line.maximum))
        if score.files:
            text += ctx.t("scoring.line_files", count=score.files)
    if settled is not None and differs(_points_of(score), settled.points):
        text += "\n" + ctx.t("scoring.line_settled", points=points(ctx, settled.points),
                             reason=escape(settled.reason or ""))
    return text


async def acts_for_unit(ctx: Context, unit_id: int) -> bool:
    """Whether the caller does what falls to a unit's head (submitting its sheet, casting
    its ballot, signing its covenant): its head where one is registered, else its contact
    (the chair's and deputy's own officers are their units' contacts)."""
    members = await ctx.repo.list_members(ctx.bloc.id, unit_id)
    return ctx.role is Role.HEAD or not any(member.role is Role.HEAD for member in members)


async def year_sheets(ctx: Context, scoring: YearScoring) -> tuple[
        dict[int, dict[str, StoredScore]], dict[int, dict[str, SettledScore]]]:
    """Every unit's own scores and the lines the chair settled, read once per event."""
    async def load() -> tuple[dict[int, dict[str, StoredScore]],
                              dict[int, dict[str, SettledScore]]]:
        return (await ctx.repo.self_scores(scoring.year.id),
                await ctx.repo.settled_scores(scoring.year.id))
    return await ctx.memo("year_sheets", load)


async def submissions(ctx: Context, scoring: YearScoring) -> dict[int, datetime]:
    """When each unit submitted its sheet, read once per event."""
    return await ctx.memo("submissions", lambda: ctx.repo.score_submissions(scoring.year.id))


async def final_sheets(ctx: Context, scoring: YearScoring) -> dict[int, dict[str, Score]]:
    """Each unit's sheet as it stands: its own scores with the lines the chair has settled
    in their place (final once the settlement is; read once per event)."""
    async def load() -> dict[int, dict[str, Score]]:
        own, settled = await year_sheets(ctx, scoring)
        return settled_sheets(own, settled)
    return await ctx.memo("final_sheets", load)


async def standings(ctx: Context, scoring: YearScoring,
                    units: list[Unit]) -> tuple[list[Standing], dict[int, datetime]]:
    """The ranking of the units that have submitted their sheets (by the bloc's
    tie-breaks, on their scores as settled so far), and when each submitted."""
    submitted = await submissions(ctx, scoring)
    sheets = await final_sheets(ctx, scoring)
    ranked = rank([(unit.id, totals(scoring.table, sheets.get(unit.id, {})))
                   for unit in units if unit.id in submitted],
                  scoring.year.scoring_rules.get("tie_break") or ())
    return ranked, submitted


@dataclass(frozen=True)
class UnitLine:
    """Words read as a unit's name (its first ``unit_words``), then a line and points, or
    ``xong`` (``done``), or nothing more."""

    unit_words: int
    line: Line | None = None
    done: bool = False
    files: Line | None = None  # a line alone: its evidence files


def split_unit_line(table: Table, words: list[str]) -> UnitLine:
    """``Viện KHSHTT 1.2 8 lý do`` → the unit's two words and line 1.2 (the points follow
    it); ``Viện KHSHTT xong`` → done; ``Viện KHSHTT 1.1`` → that line's files; ``Viện
    KHSHTT`` → the unit alone."""
    for index in range(1, len(words) - 1):
        line = table.find(words[index])
        if line is not None and parse_points(words[index + 1]) is not None:
            return UnitLine(index, line)
    if len(words) > 1 and words[-1].casefold() in {"xong", "done"}:
        return UnitLine(len(words) - 1, done=True)
    if len(words) > 1 and (line := table.find(words[-1])) is not None:
        return UnitLine(len(words) - 1, files=line)
    return UnitLine(len(words))


def named_unit(units: list[Unit], named: str) -> Unit | None:
    """The bloc's unit ``named`` names (its code, short or full name, an alias)."""
    found = match_unit(named, [UnitRef.of(unit) for unit in units])
    return next((unit for unit in units if found is not None and unit.code == found.code),
                None)
