"""``/chamdiem`` (``/score``): a unit scores itself against the year's criteria table.

``/chamdiem`` shows the unit's sheet with its running total; "Chấm lần lượt" walks through
the criteria not yet scored (the criterion and its maximum → the score → a justification
where the table requires one → evidence files where it requires them), saving each as it
goes. ``/chamdiem 1.2 8,5 giải trình`` scores one criterion in one line. ``/chamdiem nop``
submits the sheet, once, after a confirmation; it falls to the unit's head where one is
registered, else to its contact. Every limit (maximums, caps, what needs a justification
or a file, the window) is the bloc file's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from bot.domain.access import Action
from bot.domain.events import InboundFile, Option
from bot.domain.periods import format_deadline
from bot.domain.scoring import Line, Score, parse_points, submission_gaps
from bot.domain.text import escape, says_something
from bot.kernel.answers import Answers
from bot.kernel.context import Context
from bot.kernel.forms import Form, InvalidAnswer, Step
from bot.kernel.router import Router
from bot.kernel.steps import attach_file, files_done_or, files_received, picker_exits
from bot.services.year_results import scores_of
from handlers._score_views import (
    CLOSED,
    NOT_OPEN,
    YearScoring,
    acts_for_unit,
    line_label,
    opening,
    points,
    sheet_text,
    total_line,
    year_scoring,
)
from storage.records import Attachment

router = Router()
SUBMIT, CONFIRM, NEXT = "nop", "xacnhan", "tiep"
COMMAND = "/chamdiem"


def _command(*words: str) -> str:
    """An option that runs ``/chamdiem`` with ``words`` (a button's value)."""
    return " ".join((COMMAND, *words))


class ScoreAnswers(Answers):
    """One criterion being scored."""

    line: str | None = None
    points: Decimal | None = None
    justification: str | None = None
    files: Literal["done", "later"] | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    # what the table asks with these points, worked out when they are given
    why_needed: bool | None = None
    files_needed: bool | None = None


# -- the guided form --------------------------------------------------------------------------

async def _scoring(ctx: Context) -> YearScoring:
    scoring = await year_scoring(ctx)
    if scoring is None:
        raise InvalidAnswer("scoring.no_table", year=ctx.bloc.year)
    return scoring


async def _own_scores(ctx: Context) -> dict[str, Score]:
    """The unit's scores as the event began (a prompt, its check and the save share one
    read; what the save wrote is read afresh)."""
    scoring = await _scoring(ctx)
    unit_id = ctx.member.unit_id if ctx.member else None

    async def load() -> dict[str, Score]:
        stored = await ctx.repo.self_scores(scoring.year.id, unit_id) if unit_id else {}
        return scores_of(stored.get(unit_id or 0, {}))
    return await ctx.memo("own_scores", load)


async def _line(ctx: Context, answers: ScoreAnswers) -> Line:
    line = (await _scoring(ctx)).table.find(answers.line or "")
    if line is None:
        raise InvalidAnswer("scoring.unknown_code", code=escape(answers.line or ""))
    return line


async def _line_options(ctx: Context, answers: ScoreAnswers) -> list[Option]:
    scoring = await year_scoring(ctx)
    if scoring is None:  # the table left the bloc file meanwhile: only the way out
        return picker_exits(ctx)
    scores = await _own_scores(ctx)
    return [*(Option(line_label(ctx, line, scores.get(line.code)), line.code)
              for line in scoring.table.lines), *picker_exits(ctx)]


async def _gone(ctx: Context, answers: ScoreAnswers) -> str | None:
    """What to say instead of a question whose line left the table (a reload meanwhile);
    a prompt never fails, or the person could not leave the question."""
    scoring = await year_scoring(ctx)
    if scoring is None or scoring.table.find(answers.line or "") is None:
        return ctx.t("scoring.line_gone", code=escape(answers.line or ""))
    return None


async def _points_prompt(ctx: Context, answers: ScoreAnswers) -> str:
    if (gone := await _gone(ctx, answers)) is not None:
        return gone
    line = await _line(ctx, answers)
    current = (await _own_scores(ctx)).get(line.code)
    text = [ctx.t(f"scoring.ask_points_{line.kind}", code=line.code,
                  title=escape(line.item.title), max=points(ctx, line.maximum))]
    if line.item.guidance:
        text.append(ctx.t("scoring.guidance", text=escape(line.item.guidance)))
    if current is not None:
        text.append(ctx.t("scoring.current", points=points(ctx, current.points)))
    return "\n".join(text)


async def _points(ctx: Context, answers: ScoreAnswers, text: str) -> Decimal:
    value = parse_points(text)
    if value is None:
        raise InvalidAnswer("scoring.bad_points", value=escape(text[:30]))
    line = await _line(ctx, answers)
    refusal = (await _scoring(ctx)).table.check(line, value, "-", await _own_scores(ctx),
                                                ctx.language)
    if refusal is not None:  # the justification is asked next: only the points count here
        raise InvalidAnswer(f"scoring.refused_{refusal.kind}", **refusal.params)
    stored = (await _own_scores(ctx)).get(line.code)
    answers.why_needed = line.needs_justification(value)
    answers.files_needed = line.needs_evidence(value) and not (stored and stored.files)
    return value


async def _justification_prompt(ctx: Context, answers: ScoreAnswers) -> str:
    if (gone := await _gone(ctx, answers)) is not None:
        return gone
    line = await _line(ctx, answers)
    return ctx.t("scoring.ask_justification", code=line.code,
                 points=points(ctx, answers.points or Decimal(0)),
                 max=points(ctx, line.maximum))


async def _justification(ctx: Context, answers: ScoreAnswers, text: str) -> str:
    """A justification says something: a dash or a dot is not one."""
    if not says_something(text):
        raise InvalidAnswer("scoring.justification_empty")
    return text.strip()


async def _files_prompt(ctx: Context, answers: ScoreAnswers) -> str:
    if (gone := await _gone(ctx, answers)) is not None:
        return gone
    line = await _line(ctx, answers)
    return files_received(ctx, ctx.t("scoring.ask_files", code=line.code), answers.attachments)


async def _files_options(ctx: Context, answers: ScoreAnswers) -> list[Option]:
    # later: the points are kept; the sheet cannot be submitted until the file is in
    return files_done_or(ctx, answers.attachments,
                         Option(ctx.t("scoring.files_later"), "later"))


async def _files_typed(ctx: Context, answers: ScoreAnswers, text: str) -> str:
    raise InvalidAnswer("scoring.files_please")


async def _accept_file(ctx: Context, answers: ScoreAnswers, file: InboundFile) -> None:
    answers.attachments = attach_file(ctx, answers.attachments, file)


async def _save(ctx: Context, answers: ScoreAnswers) -> None:
    """Store the score (and its files), say the running total, and offer what comes next."""
    scoring = await year_scoring(ctx)
    member = ctx.member
    if scoring is None or member is None or member.unit_id is None:
        ctx.reply(ctx.t("scoring.no_table", year=ctx.bloc.year))
        return
    if not await _may_edit(ctx, scoring):
        return
    line = scoring.table.find(answers.line or "")
    value = answers.points
    if line is None or value is None:
        ctx.reply(ctx.t("dialog.gone"))
        return
    # the check and the write in one write transaction, begun now: two people of one unit
    # claiming bonus lines at the same moment cannot both pass the part's cap
    async with ctx.repo.unit_of_work(join=True, immediate=True):
        fresh = await ctx.repo.self_scores(scoring.year.id, member.unit_id)
        refusal = scoring.table.check(line, value, answers.justification,
                                      scores_of(fresh.get(member.unit_id, {})), ctx.language)
        if refusal is not None:  # another line changed meanwhile (a cap shared by a part)
            ctx.reply(ctx.t(f"scoring.refused_{refusal.kind}", **refusal.params))
            return
        saved = await ctx.repo.set_self_score(
            scoring.year.id, member.unit_id, line.code, value, answers.justification,
            tuple(answers.attachments), member_id=member.id, actor=ctx.actor, now=ctx.now())
    if not saved:
        ctx.reply(ctx.t("scoring.already_submitted"))
        return
    stored = await ctx.repo.self_scores(scoring.year.id, member.unit_id)
    scores = scores_of(stored.get(member.unit_id, {}))
    ctx.reply("\n".join([
        ctx.t("scoring.saved", code=line.code, points=points(ctx, value),
              max=points(ctx, line.maximum)),
        total_line(ctx, scoring, scores)]))
    following = next((candidate for candidate in scoring.table.criteria
                      if candidate.code not in scores), None)
    options = [Option(ctx.t("scoring.next", code=following.code), _command(NEXT))] \
        if following else [Option(ctx.t("scoring.submit_button"), _command(SUBMIT))]
    if scores[line.code].files == 0 and line.needs_evidence(value):
        ctx.reply(ctx.t("scoring.evidence_needed", code=line.code))
    ctx.reply(ctx.t("scoring.what_next"), options=(
        *options, Option(ctx.t("scoring.show_sheet"), _command())))


SCORE = router.form(Form(
    name="score",
    answers=ScoreAnswers,
    steps=(
        Step("line", "scoring.ask_line", options=_line_options),
        Step("points", _points_prompt, parse=_points),
        Step("justification", _justification_prompt, parse=_justification,
             when=lambda a: bool(a.why_needed)),
        Step("files", _files_prompt, options=_files_options, parse=_files_typed,
             accept_file=_accept_file, when=lambda a: bool(a.files_needed)),
    ),
    finish=_save,
    resume_hint="scoring.resume_hint",
))


# -- the command ------------------------------------------------------------------------------

async def _may_edit(ctx: Context, scoring: YearScoring) -> bool:
    """Whether the window is open and the scores not final; says why not when not."""
    if scoring.year.settled_at is not None:
        ctx.reply(ctx.t("scoring.final"))
        return False
    state = scoring.window(ctx.now())
    if state == NOT_OPEN and scoring.year.scoring_opens is not None:
        ctx.reply(ctx.t("scoring.not_open", opens=opening(ctx, scoring.year)))
        return False
    if state == CLOSED and scoring.year.scoring_deadline is not None:
        ctx.reply(ctx.t("scoring.closed", deadline=format_deadline(
            scoring.year.scoring_deadline, ctx.zone, ctx.t)))
        return False
    return True


@router.command("chamdiem", "score", action=Action.SCORE, help_key="help.cmd_score",
                private_only=True)
async def score(ctx: Context) -> None:
    """The unit's sheet; ``/chamdiem <mã> <điểm> [giải trình]`` scores one line;
    ``/chamdiem tiep`` walks through what is left; ``/chamdiem nop`` submits."""
    member = ctx.member
    if member is None or member.unit_id is None:
        ctx.reply(ctx.t("common.no_unit"))
        return
    scoring = await year_scoring(ctx)
    if scoring is None:
        ctx.reply(ctx.t("scoring.no_table", year=ctx.bloc.year))
        return
    words = ctx.args.split(maxsplit=2)
    if not words:
        await _show_sheet(ctx, scoring, member.unit_id)
        return
    verb = words[0].casefold()
    if verb in {SUBMIT, "submit", "nộp"}:
        await _submit(ctx, scoring, member.unit_id,
                      confirmed=len(words) > 1 and words[1].casefold() in {CONFIRM, "confirm"})
        return
    if not await _may_edit(ctx, scoring):
        return
    if await _submitted(ctx, scoring, member.unit_id):
        ctx.reply(ctx.t("scoring.already_submitted"))
        return
    if verb in {NEXT, "next"}:
        scores = await _own_scores(ctx)
        following = next((line for line in scoring.table.criteria
                          if line.code not in scores), None)
        if following is None:  # all scored: the sheet, with "Nộp bảng điểm" under it
            await _show_sheet(ctx, scoring, member.unit_id)
            return
        await ctx.start_form(SCORE, ScoreAnswers(line=following.code))
        return
    line = scoring.table.find(words[0])
    if line is None:
        ctx.reply(ctx.t("scoring.unknown_code", code=escape(words[0])))
        return
    answers = ScoreAnswers(line=line.code)
    if len(words) == 1:  # "/chamdiem 1.2": the questions of that criterion
        await ctx.start_form(SCORE, answers)
        return
    await _quick(ctx, scoring, line, answers, words[1], words[2] if len(words) > 2 else None)


async def _quick(ctx: Context, scoring: YearScoring, line: Line, answers: ScoreAnswers,
                 typed: str, why: str | None) -> None:
    """``/chamdiem 1.2 8,5 giải trình``: saved at once, or refused with the reason; a file
    the table requires is asked for before saving."""
    value = parse_points(typed)
    if value is None:
        ctx.reply(ctx.t("scoring.bad_points", value=escape(typed[:30])))
        return
    refusal = scoring.table.check(line, value, why, await _own_scores(ctx), ctx.language)
    if refusal is not None:
        ctx.reply(ctx.t(f"scoring.refused_{refusal.kind}", **refusal.params))
        return
    if line.needs_justification(value) and not says_something(why):
        ctx.reply(ctx.t("scoring.justification_empty"))
        return
    answers.points, answers.justification = value, (why or "").strip() or None
    stored = (await _own_scores(ctx)).get(line.code)
    if line.needs_evidence(value) and not (stored and stored.files):
        answers.files_needed = True
        await ctx.start_form(SCORE, answers)  # asks for the file, then saves
        return
    await _save(ctx, answers)


async def _submitted(ctx: Context, scoring: YearScoring, unit_id: int) -> bool:
    return unit_id in await ctx.repo.score_submissions(scoring.year.id)


async def _show_sheet(ctx: Context, scoring: YearScoring, unit_id: int) -> None:
    unit = await ctx.repo.get_unit(unit_id)
    submissions = await ctx.repo.score_submissions(scoring.year.id)
    scores = await _own_scores(ctx)
    settled = (await ctx.repo.settled_scores(scoring.year.id)).get(unit_id, {})
    text = sheet_text(ctx, scoring, unit.name if unit else "", scores, submissions.get(unit_id),
                      settled)
    options: list[Option] = []
    if unit_id not in submissions:
        text += "\n\n" + ctx.t("scoring.how")
        if any(line.code not in scores for line in scoring.table.criteria):
            options.append(Option(ctx.t("scoring.walk"), _command(NEXT)))
        options.append(Option(ctx.t("scoring.submit_button"), _command(SUBMIT)))
    ctx.reply(text, options=tuple(options))


async def _submit(ctx: Context, scoring: YearScoring, unit_id: int, *, confirmed: bool) -> None:
    """Submit the sheet once: gaps are listed first; then a confirmation; then it is final."""
    if await _submitted(ctx, scoring, unit_id):
        ctx.reply(ctx.t("scoring.already_submitted"))
        return
    if not await _may_edit(ctx, scoring):
        return
    if not await acts_for_unit(ctx, unit_id):
        ctx.reply(ctx.t("scoring.head_submits"))
        return
    scores = await _own_scores(ctx)
    gaps = submission_gaps(scoring.table, scores)
    if gaps:
        ctx.reply("\n".join([ctx.t("scoring.gaps", count=len(gaps)), *(
            ctx.t(f"scoring.gap_{gap.kind}", **gap.params) for gap in gaps)]))
        return
    if not confirmed:
        ctx.reply("\n".join([ctx.t("scoring.confirm_submit"), total_line(ctx, scoring, scores)]),
                  options=(Option(ctx.t("scoring.confirm_button"), _command(SUBMIT, CONFIRM)),
                           Option(ctx.t("scoring.show_sheet"), _command())))
        return
    member = ctx.member
    done = await ctx.repo.submit_scores(scoring.year.id, unit_id,
                                        member_id=member.id if member else None,
                                        actor=ctx.actor, now=ctx.now())
    ctx.reply(ctx.t("scoring.submitted" if done else "scoring.already_submitted"))
    if done:
        ctx.reply(total_line(ctx, scoring, scores))
