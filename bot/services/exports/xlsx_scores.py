"""The year's scores as an Excel workbook: the ranking (each unit's groups, bonus, penalty
and total, in the order of the ranking) and every line of every sheet (the unit's own
points, the reviewer's proposal and reason, the final points and why). Points are numbers,
so a secretary can add them up again; the headings come localised in ``labels``."""

from __future__ import annotations

import io
from typing import Any

from bot.services.exports.worksheet import (
    ITALIC,
    Value,
    clean,
    finish_table,
    new_sheet,
    put,
    put_row,
)
from bot.services.exports.year_data import ScoresWorkbook


def render_scores(data: ScoresWorkbook) -> bytes:
    """The workbook as .xlsx bytes."""
    from openpyxl import Workbook  # imported when used: an idle bot need not hold it

    words = data.labels
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, words["sheet_ranking"], "Ranking", [
        words["place"], words["unit"], *(f"{words['group']} {code}" for code in data.groups),
        words["bonus"], words["penalty"], words["total"], words["submitted"]])
    styles: dict[int, Any] = {}
    for number, row in enumerate(data.ranking, start=2):
        values: list[Value] = [row.place, row.unit, *row.groups, row.bonus, row.penalty,
                               row.total, row.submitted]
        put_row(ws, number, values, styles=styles)
        ws.cell(number, len(values)).number_format = "dd/mm/yyyy hh:mm"
    finish_table(ws, words["no_data"])
    put(ws, ws.max_row + 2, 1, words["final_note"] if data.final else words["provisional"],
        ITALIC)
    ws = new_sheet(wb, words["sheet_lines"], "Lines", [
        words["unit"], words["code"], words["criterion"], words["max"], words["own"],
        words["justification"], words["proposed"], words["reason"], words["final"],
        words["final_reason"]])
    styles = {}
    for number, line in enumerate(data.lines, start=2):
        put_row(ws, number, [line.unit, line.code, line.title, line.maximum, line.own,
                             line.justification, line.proposed, line.reason, line.final,
                             line.final_reason], styles=styles)
    finish_table(ws, words["no_data"], {3: 50, 6: 50, 8: 50, 10: 50})
    props = wb.properties
    props.title = clean(f"{data.bloc} – {data.year}")
    props.creator = props.lastModifiedBy = "thidua-bot"
    props.language = "vi-VN"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
