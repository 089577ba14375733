"""The bloc's commendation proposal (tờ trình đề nghị khen thưởng) as a Word document (.docx).

Laid out under Decree 30/2020/NĐ-CP as the bloc's other documents are (the header shared
with the covenant), addressed to the ministry's Emulation and Commendation Council: the
legal grounds the bloc file gives, then one numbered section per form of commendation: the
unit the vote elected for the emulation flag, and for every other form a table of the
nominations the chair included (the collective or person, its unit, its achievements). The
wording is the ``[proposal]`` section of ``config/report.vi.toml``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from bot.services.exports.docx_covenant import header
from bot.services.exports.docx_writer import TEXT_MM, Writer, new_writer, saved
from bot.services.exports.year_data import FormSection


@dataclass(frozen=True)
class ProposalDocument:
    """What the proposal says."""

    ministry: str
    bloc: str
    year: int
    recipient: str
    grounds: Sequence[str]
    forms: Sequence[FormSection]
    today: datetime.date
    place: str
    chair: str | None = None  # the bloc's signer, when the bloc file names one


def render_proposal(data: ProposalDocument) -> bytes:
    """The proposal as .docx bytes."""
    out = new_writer()
    words, doc = out.words, out.doc
    header(out, data.ministry, data.bloc, data.today, data.place,
           number=words.text("proposal.number"))
    out.para(doc, words.text("proposal.kind"), bold=True, center=True, before=18)
    out.para(doc, words.text("proposal.subject", year=data.year), bold=True, center=True)
    out.rule(doc, 45, TEXT_MM)
    out.para(doc, words.text("proposal.to", recipient=data.recipient), center=True, before=6)
    for ground in data.grounds:
        out.para(doc, words.text("proposal.ground", text=ground), body=True, italic=True)
    out.say("proposal.results", {"year": data.year, "bloc": data.bloc}, italic=True)
    out.say("proposal.ask", {"bloc": data.bloc, "recipient": data.recipient})
    for number, form in enumerate(data.forms, 1):
        _form(out, data, number, form)
    out.say("proposal.attached", italic=True, before=6)
    out.say("proposal.closing", {"bloc": data.bloc, "recipient": data.recipient})
    _signature(out, data)
    return saved(out, words.text("proposal.subject", year=data.year), data.bloc)


def _form(out: Writer, data: ProposalDocument, number: int, form: FormSection) -> None:
    words = out.words
    out.say("proposal.form_heading", {"number": number, "form": form.name}, bold=True,
            keep=True, before=6)
    if form.for_leading_unit:
        leading = form.leading
        if leading is None:
            out.say("proposal.no_leading", italic=True)
        else:
            key = ("proposal.leading_points_only" if not leading.points
                   else "proposal.leading" if leading.final else "proposal.leading_provisional")
            out.say(key, {"unit": leading.unit, "bloc": data.bloc, "year": data.year,
                          "points": leading.points or "", "place": leading.place or "",
                          "votes": leading.votes, "units": leading.units})
        return
    if not form.entries:
        out.say("proposal.none_for_form", italic=True)
        return
    count = len(form.entries)
    out.say("proposal.quota" if form.quota else "proposal.count",
            {"count": count, "quota": form.quota or ""}, italic=True, keep=True)
    table = out.table(count + 1, [12.0, 48.0, 40.0, TEXT_MM - 100.0], grid=True)
    name_key = "proposal.col_individual" if form.individual else "proposal.col_collective"
    for column, key in enumerate(("proposal.col_number", name_key, "proposal.col_unit",
                                  "proposal.col_summary")):
        out.para(table.cell(0, column), words.text(key), size=12, bold=True, center=True)
    for row, entry in enumerate(form.entries, 1):
        out.para(table.cell(row, 0), str(row), size=12, center=True)
        out.para(table.cell(row, 1), entry.nominee, size=12)
        out.para(table.cell(row, 2), entry.unit, size=12)
        out.para(table.cell(row, 3), entry.summary, size=12)


def _signature(out: Writer, data: ProposalDocument) -> None:
    words = out.words
    table = out.table(1, [TEXT_MM / 2, TEXT_MM / 2])
    left, right = table.cell(0, 0), table.cell(0, 1)
    out.para(left, words.text("proposal.recipients"), size=12, bold=True, italic=True,
             before=12)
    for item in (words.text("proposal.recipient_as_above"), words.text("proposal.recipient_units")):
        out.para(left, words.text("proposal.recipient_line", text=item), size=11)
    out.para(left, words.text("proposal.recipient_archive"), size=11)
    out.para(right, words.text("proposal.for_bloc"), bold=True, center=True, before=12)
    out.para(right, words.text("proposal.chair"), bold=True, center=True)
    if data.chair:
        out.para(right, data.chair, bold=True, center=True, before=60)
