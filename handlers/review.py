"""``/thamdinh`` (``/review``): the cross-check of the units' sheets (chấm chéo, thẩm định).

The chair (or deputy) assigns the reviewers: ``/thamdinh phancong vongtron`` (each unit
checks the next one), ``cap`` (two by two) or ``lanhdao`` (the chair's unit checks every
other unit, the deputy's unit checks the chair's). A reviewing unit's people see the sheets
they check (each line's score, justification and evidence), propose a score for a line with
its reason (``/thamdinh Viện A 1.2 8 lý do``) and say when they are done
(``/thamdinh Viện A xong``). The chair settles the final scores with ``/chotdiem``.
"""

from __future__ import annotations

from bot.domain.access import Action, may
from bot.domain.events import FileRef, Option, Reply
from bot.domain.i18n import Translate
from bot.domain.review import MODES, OFFICERS, PAIRS, ROTATION, NoAssignment, assign
from bot.domain.scoring import Line, parse_points
from bot.domain.text import escape, says_something
from bot.kernel.context import Context
from bot.kernel.router import Router
from bot.services.year_results import scores_of
from handlers._score_views import (
    YearScoring,
    named_unit,
    points,
    split_unit_line,
    year_scoring,
)
from handlers._tell import tell
from storage.records import Member, Unit

router = Router()
COMMAND = "/thamdinh"
ASSIGN, DONE = "phancong", "xong"
MODE_WORDS = {"vongtron": ROTATION, "vòngtròn": ROTATION, "rotation": ROTATION,
              "cap": PAIRS, "cặp": PAIRS, "pairs": PAIRS,
              "lanhdao": OFFICERS, "lãnhđạo": OFFICERS, "officers": OFFICERS}
MODE_OF = {ROTATION: "vongtron", PAIRS: "cap", OFFICERS: "lanhdao"}


def _command(*words: str) -> str:
    return " ".join((COMMAND, *words))


@router.command("thamdinh", "review", action=Action.REVIEW, help_key="help.cmd_review",
                private_only=True)
async def review(ctx: Context) -> None:
    """The sheets the caller's unit checks; ``phancong`` assigns the reviewers; a unit's
    name shows its sheet, with a line, points and a reason proposes a score, with ``xong``
    finishes the check."""
    scoring = await year_scoring(ctx)
    if scoring is None:
        ctx.reply(ctx.t("scoring.no_table", year=ctx.bloc.year))
        return
    words = ctx.args.split()
    units = await ctx.repo.list_units(ctx.bloc.id)
    if not words:
        await _overview(ctx, scoring, units)
        return
    if words[0].casefold() in {ASSIGN, "phâncông", "assign"}:
        await _assign(ctx, scoring, units, "".join(words[1:]).casefold())
        return
    split = split_unit_line(scoring.table, words)
    named = " ".join(words[:split.unit_words])
    target = named_unit(units, named)
    if target is None:
        ctx.reply(ctx.t("review.unknown_unit", name=escape(named[:60])))
        return
    if not await _reviews(ctx, scoring, target,
                          reading=split.line is None and not split.done):
        return
    if split.done:
        await _finish(ctx, scoring, target)
    elif split.files is not None:
        await _send_files(ctx, scoring, target, split.files)
    elif split.line is not None:
        await _propose(ctx, scoring, target, split.line, words[split.unit_words + 1],
                       " ".join(words[split.unit_words + 2:]))
    else:
        await _show_sheet(ctx, scoring, target)


# -- who reviews whom ---------------------------------------------------------------------

async def _overview(ctx: Context, scoring: YearScoring, units: list[Unit]) -> None:
    """The sheets the caller's unit checks (and, for the chair and deputy, the whole
    assignment, or the ways to make one)."""
    assignments = await ctx.repo.review_assignments(scoring.year.id)
    names = {unit.id: unit.short_name for unit in units}
    code_of = {unit.id: unit.code for unit in units}
    lines: list[str] = []
    options: list[Option] = []
    own = ctx.member.unit_id if ctx.member else None
    mine = [a for a in assignments.values() if a.reviewer_unit_id == own]
    if may(ctx.role, Action.ASSIGN_REVIEWS):
        if not assignments:
            lines.append(ctx.t("review.not_assigned"))
            options += [Option(ctx.t(f"review.assign_{mode}"), _command(ASSIGN, MODE_OF[mode]))
                        for mode in MODES]
        else:
            lines.append(ctx.t("review.assignment_title", year=scoring.year.year))
            lines += [ctx.t("review.assignment_line", unit=escape(names.get(a.unit_id, "?")),
                            reviewer=escape(names.get(a.reviewer_unit_id, "?")),
                            state=ctx.t("review.state_done" if a.done_at else
                                        "review.state_open"))
                      for a in sorted(assignments.values(), key=lambda a: names.get(a.unit_id, ""))]
    if mine:
        submitted = await ctx.repo.score_submissions(scoring.year.id)
        proposed = await ctx.repo.proposed_scores(scoring.year.id)
        lines += ["", ctx.t("review.mine_title")] if lines else [ctx.t("review.mine_title")]
        for assignment in mine:
            unit = assignment.unit_id
            state = "review.state_done" if assignment.done_at else (
                "review.state_open" if unit in submitted else "review.state_not_submitted")
            lines.append(ctx.t("review.mine_line", unit=escape(names.get(unit, "?")),
                               count=len(proposed.get(unit, {})), state=ctx.t(state)))
            options.append(Option(ctx.t("review.open_sheet", unit=names.get(unit, "?")),
                                  _command(code_of.get(unit, ""))))
    if not lines:
        lines.append(ctx.t("review.nothing_to_review"))
    ctx.reply("\n".join(lines), options=tuple(options))


async def _assign(ctx: Context, scoring: YearScoring, units: list[Unit], word: str) -> None:
    if not may(ctx.role, Action.ASSIGN_REVIEWS):
        ctx.reply(ctx.t("review.chair_assigns"))
        return
    mode = MODE_WORDS.get(word)
    if mode is None:
        ctx.reply(ctx.t("review.which_mode"), options=tuple(
            Option(ctx.t(f"review.assign_{mode}"), _command(ASSIGN, MODE_OF[mode]))
            for mode in MODES))
        return
    try:
        pairs = assign(mode, [unit.id for unit in units], chair=ctx.bloc.chair_unit_id,
                       deputy=ctx.bloc.deputy_unit_id)
    except NoAssignment as refused:
        ctx.reply(ctx.t(f"review.cannot_{refused}"))
        return
    if not await ctx.repo.assign_reviewers(scoring.year.id, pairs,
                                           member_id=ctx.member.id if ctx.member else None,
                                           actor=ctx.actor, now=ctx.now()):
        ctx.reply(ctx.t("review.settled"))
        return
    names = {unit.id: unit.short_name for unit in units}
    reviews: dict[int, list[str]] = {}
    for unit, reviewer in pairs:
        reviews.setdefault(reviewer, []).append(names[unit])
    def say(t: Translate, member: Member) -> Reply | None:
        checked = reviews.get(member.unit_id or 0)
        return Reply(t("review.assigned_notice", year=scoring.year.year,
                       units=escape(", ".join(checked))),
                     options=(Option(t("review.open_list"), _command()),)) if checked else None
    sent = await tell(ctx, await ctx.repo.list_members(ctx.bloc.id),
                      f"review:{scoring.year.id}:{ctx.now().isoformat()}", say)
    ctx.reply("\n".join([
        ctx.t("review.assigned", mode=ctx.t(f"review.assign_{mode}")),
        *(ctx.t("review.pair_line", unit=escape(names[unit]), reviewer=escape(names[reviewer]))
          for unit, reviewer in pairs),
        ctx.t("review.told", count=sent)]))


async def _reviews(ctx: Context, scoring: YearScoring, target: Unit, *,
                   reading: bool) -> bool:
    """Whether the caller's unit checks ``target``'s sheet (the chair and deputy may read
    any, and propose only for those their unit checks); says why not when it does not."""
    assignment = (await ctx.repo.review_assignments(scoring.year.id)).get(target.id)
    own = ctx.member.unit_id if ctx.member else None
    if assignment is not None and assignment.reviewer_unit_id == own:
        return True
    if reading and may(ctx.role, Action.ASSIGN_REVIEWS):
        return True
    ctx.reply(ctx.t("review.not_yours", unit=escape(target.short_name)))
    return False


# -- checking one sheet -------------------------------------------------------------------

async def _show_sheet(ctx: Context, scoring: YearScoring, target: Unit) -> None:
    """The sheet as its reviewer reads it: each line's score, justification and files,
    and the score proposed for it."""
    submitted = await ctx.repo.score_submissions(scoring.year.id)
    if target.id not in submitted:
        ctx.reply(ctx.t("review.not_submitted", unit=escape(target.short_name)))
        return
    own = (await ctx.repo.self_scores(scoring.year.id, target.id)).get(target.id, {})
    proposed = (await ctx.repo.proposed_scores(scoring.year.id)).get(target.id, {})
    lines = [ctx.t("review.sheet_title", unit=escape(target.name), year=scoring.year.year)]
    for line in scoring.table.lines:
        stored = own.get(line.code)
        if stored is None and line.code not in proposed:
            continue
        lines.append(ctx.t("review.sheet_line", code=line.code, title=escape(line.item.title),
                           points=points(ctx, stored.points) if stored else "0",
                           max=points(ctx, line.maximum)))
        if stored is not None and stored.justification:
            lines.append(ctx.t("review.sheet_why", text=escape(stored.justification)))
        if stored is not None and stored.files:
            lines.append(ctx.t("review.sheet_files", count=len(stored.files),
                               unit=escape(target.code), code=line.code))
        if line.code in proposed:
            lines.append(ctx.t("review.sheet_proposed", points=points(
                ctx, proposed[line.code].points), reason=escape(proposed[line.code].reason)))
    lines += ["", ctx.t("review.how", unit=escape(target.short_name))]
    ctx.reply("\n".join(lines), options=(
        Option(ctx.t("review.done_button"), _command(target.code, DONE)),))


async def _propose(ctx: Context, scoring: YearScoring, target: Unit, line: Line, typed: str,
                   reason: str) -> None:
    """A score for one line with its reason, checked against the table like the unit's."""
    value = parse_points(typed)
    assert value is not None, "the split found points here"
    if not says_something(reason):
        ctx.reply(ctx.t("review.reason_needed", code=line.code))
        return
    submitted = await ctx.repo.score_submissions(scoring.year.id)
    if target.id not in submitted:
        ctx.reply(ctx.t("review.not_submitted", unit=escape(target.short_name)))
        return
    own = scores_of((await ctx.repo.self_scores(scoring.year.id, target.id)).get(target.id, {}))
    refusal = scoring.table.check(line, value, reason, own, ctx.language)
    if refusal is not None:
        ctx.reply(ctx.t(f"scoring.refused_{refusal.kind}", **refusal.params))
        return
    own_unit = ctx.member.unit_id if ctx.member else None
    if own_unit is None or not await ctx.repo.propose_score(
            scoring.year.id, target.id, line.code, own_unit, value, reason.strip(),
            member_id=ctx.member.id if ctx.member else None, actor=ctx.actor, now=ctx.now()):
        # the scores were made final meanwhile, or the checks were assigned anew
        final = (await ctx.repo.emulation_year(ctx.bloc.id, scoring.year.year))
        ctx.reply(ctx.t("review.settled") if final is None or final.settled_at is not None
                  else ctx.t("review.not_yours", unit=escape(target.short_name)))
        return
    before = own.get(line.code)
    ctx.reply(ctx.t("review.proposed", unit=escape(target.short_name), code=line.code,
                    own=points(ctx, before.points) if before else "0",
                    points=points(ctx, value)), options=(
        Option(ctx.t("review.open_sheet", unit=target.short_name), _command(target.code)),
        Option(ctx.t("review.done_button"), _command(target.code, DONE))))


async def _send_files(ctx: Context, scoring: YearScoring, target: Unit, line: Line) -> None:
    """The evidence files the unit sent for one line, sent again to the reviewer."""
    own = (await ctx.repo.self_scores(scoring.year.id, target.id)).get(target.id, {})
    stored = own.get(line.code)
    if stored is None or not stored.files:
        ctx.reply(ctx.t("review.no_files", unit=escape(target.short_name), code=line.code))
        return
    for number, file in enumerate(stored.files, 1):
        ctx.reply(ctx.t("review.file_caption", unit=escape(target.short_name),
                        code=line.code, number=number, count=len(stored.files)),
                  attachment=FileRef(file.channel, file.file_id, file.kind, file.name))


async def _finish(ctx: Context, scoring: YearScoring, target: Unit) -> None:
    """The reviewer has checked the whole sheet: the chair is told."""
    own_unit = ctx.member.unit_id if ctx.member else None
    if own_unit is None or not await ctx.repo.finish_review(
            scoring.year.id, target.id, own_unit, actor=ctx.actor, now=ctx.now()):
        ctx.reply(ctx.t("review.not_yours", unit=escape(target.short_name)))
        return
    proposed = (await ctx.repo.proposed_scores(scoring.year.id)).get(target.id, {})
    ctx.reply(ctx.t("review.finished", unit=escape(target.short_name), count=len(proposed)))
