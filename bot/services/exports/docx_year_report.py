"""The bloc's year-end report (báo cáo tổng kết năm) as a Word document (.docx).

Both halves' results task by task and unit by unit (as the half-year report gives them,
each under its period's heading), the movements and the exemplary collectives and people the
units nominated, the scores and ranking (provisional or final), the vote for the leading
unit, the commendation proposals and the directions for the next year. Laid out as the
bloc's other documents (Decree 30/2020/NĐ-CP); the wording is the ``[year]`` section of
``config/report.vi.toml`` with the half-year report's for the results.
"""

from __future__ import annotations

from bot.domain.periods import written_date
from bot.services.exports.docx_covenant import header
from bot.services.exports.docx_report import closing, movements, results, standing_rows
from bot.services.exports.docx_writer import TEXT_MM, Writer, new_writer, saved
from bot.services.exports.year_data import YearReportDocument


def render_year_report(data: YearReportDocument) -> bytes:
    """The year-end report as .docx bytes."""
    out = new_writer()
    words, doc = out.words, out.doc
    header(out, data.ministry, data.bloc, data.today, data.place,
           number=words.text("year.number"))
    subject = words.text("year.subject", year=data.year, bloc=data.bloc)
    out.para(doc, words.text("title.kind"), bold=True, center=True, before=18)
    out.para(doc, subject, bold=True, center=True)
    out.rule(doc, 45, TEXT_MM)
    out.say("year.intro", {"year": data.year, "bloc": data.bloc}, before=12)
    _results(out, data)
    _movements(out, data)
    _scores(out, data)
    _vote(out, data)
    _proposals(out, data)
    _next_year(out, data)
    closing(out, data.signer_name, data.signer_title)
    return saved(out, f"{words.text('title.kind')} {subject}", data.bloc)


def _results(out: Writer, data: YearReportDocument) -> None:
    out.say("year.results_heading", bold=True, keep=True, before=12)
    if not data.periods:
        out.say("year.no_periods", {"year": data.year})
    day, month, year = written_date(data.today).split("/")
    for number, period in enumerate(data.periods, 1):
        out.say("year.period_heading", {"number": number, "period": period.period_title},
                bold=True, keep=True, before=6)
        results(out, period, standing_rows(period), {"day": day, "month": month,
                                                     "year": year}, heading=False)


def _movements(out: Writer, data: YearReportDocument) -> None:
    movements(out, "year.movements_heading", data.year, data.theme, data.movements,
              data.exemplary, intro="year.movements_intro", none="year.movements_none")


def _scores(out: Writer, data: YearReportDocument) -> None:
    words, scores = out.words, data.scores
    out.say("year.scores_heading", bold=True, keep=True, before=12)
    if scores is None or not scores.rows:
        out.say("year.no_scores", {"year": data.year})
        return
    if scores.settled is not None:
        out.say("year.scores_final", {"date": written_date(scores.settled)})
    else:
        out.say("year.scores_provisional")
    groups = [code for code, _, _ in scores.groups]
    place_mm, unit_mm = 11.0, 44.0  # the points' columns share the rest: "Thưởng" fits
    each = (TEXT_MM - place_mm - unit_mm) / (len(groups) + 3)
    table = out.table(len(scores.rows) + 1, [place_mm, unit_mm, *([each] * (len(groups) + 3))],
                      grid=True, pad_mm=0.8)
    titles = [words.text("year.col_place"), words.text("year.col_unit"),
              *(words.text("year.col_group", code=code) for code in groups),
              words.text("year.col_bonus"), words.text("year.col_penalty"),
              words.text("year.col_total")]
    size = 10 if len(groups) > 4 else 11
    for cell, title in zip(table.rows[0].cells, titles, strict=True):
        out.para(cell, title, size=size, bold=True, center=True)
    for line, row in zip(scores.rows, table.rows[1:], strict=True):
        values = [line.place, line.unit, *line.groups, line.bonus, line.penalty, line.total]
        for column, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            out.para(cell, value, size=size, center=column != 1, bold=column == len(values) - 1)
    out.para(out.doc, words.text("year.groups_key", groups="; ".join(
        words.text("year.group_item", code=code, title=title, max=maximum)
        for code, title, maximum in scores.groups)), size=12, italic=True, body=True)
    if scores.missing:
        out.say("year.scores_missing", {"units": ", ".join(scores.missing)})


def _vote(out: Writer, data: YearReportDocument) -> None:
    out.say("year.vote_heading", bold=True, keep=True, before=12)
    if data.vote is None:
        out.say("year.vote_none", {"year": data.year})
        return
    out.say("year.vote_elected", {"round": data.vote.round, "unit": data.vote.unit,
                                  "bloc": data.bloc, "year": data.year,
                                  "votes": data.vote.votes, "units": data.vote.units})


def _proposals(out: Writer, data: YearReportDocument) -> None:
    out.say("year.awards_heading", bold=True, keep=True, before=12)
    if data.recipient is None:
        out.say("year.awards_none", {"year": data.year})
        return
    out.say("year.awards_intro", {"recipient": data.recipient})
    for form in data.proposals:
        if form.for_leading_unit:
            if form.leading is None:
                out.say("year.awards_leading_none", {"form": form.name})
            else:
                out.say("year.awards_leading", {"form": form.name, "unit": form.leading.unit})
        elif form.entries:
            out.say("year.awards_form", {"form": form.name, "count": len(form.entries),
                                         "entries": "; ".join(
                                             f"{e.nominee} ({e.unit})" for e in form.entries)})
        else:
            out.say("year.awards_form_none", {"form": form.name})


def _next_year(out: Writer, data: YearReportDocument) -> None:
    following = data.year + 1
    out.say("year.next_heading", {"year": following}, bold=True, keep=True, before=12)
    if not data.next_tasks:
        out.say("year.next_none", {"year": following})
        return
    out.say("year.next_intro", {"year": following})
    for number, task in enumerate(data.next_tasks, 1):
        out.say("next.task_deadline" if task.deadline else "next.task",
                {"number": number, "title": task.title, "deadline": task.deadline})
