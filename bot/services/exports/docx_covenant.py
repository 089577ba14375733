"""The year's emulation covenant as a Word document (.docx), with every unit's signer block.

Laid out as the half-year report is (Decree 30/2020/NĐ-CP: A4, Times New Roman, the bloc
and the national motto side by side), then the title, the covenant's text, the targets every
unit takes on and each unit's own, and a table of signer blocks two by two: the unit, its
signer's position and name, and when it signed in the bot (a unit yet to sign shows an empty
block). The wording is the ``[covenant]`` section of ``config/report.vi.toml``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.periods import written_date
from bot.services.exports.docx_writer import (
    TEXT_MM,
    Writer,
    fitting_size,
    new_writer,
    saved,
    text_mm,
)
from storage.year_records import CovenantSignature

# the header's columns, as the half-year report's (docx_report.py says why): the national
# motto's column is wide enough for any serif LibreOffice substitutes, and the header reaches
# 7 mm into each margin so that the bloc's name keeps one line
_NATION_MM, _HEADER_OUT_MM = 109.0, 7.0
_ISSUER_MM = TEXT_MM + 2 * _HEADER_OUT_MM - _NATION_MM


@dataclass(frozen=True)
class CovenantDocument:
    """What the covenant's document says."""

    ministry: str
    bloc: str
    year: int
    title: str
    text: Sequence[str]
    shared: Sequence[str]  # every unit's targets
    units: Sequence[tuple[str, Sequence[str], CovenantSignature | None]]  # name, own, signed
    today: datetime.date
    zone: ZoneInfo  # the bloc's: the day each unit signed, as its people count days
    place: str  # where it is dated (the catalog's export.place)


def render_covenant(data: CovenantDocument) -> bytes:
    """The covenant as .docx bytes."""
    out = new_writer()
    words, doc = out.words, out.doc
    header(out, data.ministry, data.bloc, data.today, data.place)
    out.para(doc, data.title.upper(), bold=True, center=True, before=18)
    out.rule(doc, 45, TEXT_MM)
    out.say("covenant.intro", {"year": data.year, "bloc": data.bloc}, before=12)
    for paragraph in data.text:
        out.para(doc, paragraph, body=True)
    if data.shared:
        out.say("covenant.shared_heading", bold=True, keep=True, before=6)
        for number, item in enumerate(data.shared, 1):
            out.para(doc, words.text("covenant.item", number=number, text=item), body=True)
    own = [(name, items) for name, items, _ in data.units if items]
    if own:
        out.say("covenant.own_heading", bold=True, keep=True, before=6)
        for name, items in own:
            out.para(doc, words.text("covenant.unit_heading", unit=name), body=True,
                     italic=True, keep=True)
            for number, item in enumerate(items, 1):
                out.para(doc, words.text("covenant.item", number=number, text=item), body=True)
    out.say("covenant.closing", {"count": len(data.units)}, before=6)
    _signatures(out, data)
    return saved(out, data.title, data.bloc)


def header(out: Writer, ministry: str, bloc: str, today: datetime.date, place: str,
           number: str | None = None) -> None:
    """The ministry and the bloc beside the national motto, the place and date under it (a
    document of the bloc's: the covenant, the minutes of the vote, the proposal); a
    document's ``number`` line under the bloc, when it has one."""
    words = out.words
    table = out.table(1, [_ISSUER_MM, _NATION_MM], pad_mm=0, indent_mm=-_HEADER_OUT_MM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    out.para(left, ministry.upper(), size=12, center=True)
    out.para(left, bloc.upper(), bold=True, center=True,
             size=fitting_size(bloc.upper(), _ISSUER_MM, 12))
    out.rule(left, 25, _ISSUER_MM)
    if number:
        out.para(left, number, size=13, center=True, before=6)
    out.para(right, words.text("header.nation"), size=12, bold=True, center=True)
    motto = words.text("header.motto")
    out.para(right, motto, size=13, bold=True, center=True)
    out.rule(right, text_mm(motto, 13), _NATION_MM)
    day, month, year = written_date(today).split("/")
    out.para(right, words.text("header.date", place=place, day=day, month=month,
                               year=year), size=13, italic=True, center=True, before=6)


def _signatures(out: Writer, data: CovenantDocument) -> None:
    """The units' signer blocks, two to a row."""
    words, units = out.words, list(data.units)
    rows = (len(units) + 1) // 2
    if not rows:
        return
    table = out.table(rows, [TEXT_MM / 2, TEXT_MM / 2])
    for index, (name, _, signed) in enumerate(units):
        cell = table.cell(index // 2, index % 2)
        out.para(cell, words.text("covenant.for_unit"), size=13, bold=True, center=True,
                 before=12)
        out.para(cell, name.upper(), size=12, bold=True, center=True)
        if signed is None:
            out.para(cell, words.text("covenant.not_signed"), size=12, italic=True,
                     center=True, before=36)
            continue
        out.para(cell, signed.signer_title.upper(), size=12, bold=True, center=True)
        out.para(cell, words.text("covenant.signed_in_bot",
                                  date=written_date(
                                      signed.signed_at.astimezone(data.zone).date())),
                 size=11, italic=True, center=True, before=6)
        out.para(cell, signed.signer_name, size=13, bold=True, center=True, before=24)
