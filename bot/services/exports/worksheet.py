"""Writing cells and sizing tables for the sheets of the export workbook.

The sheets of :mod:`bot.services.exports.xlsx` are written only through these helpers, so that
every sheet holds its text the same way: a string is always a text cell (a note starting with
"=" is never taken for a formula), after dropping what XML or Excel cannot hold (control
characters other than tab, LF and CR; anything past Excel's 32 767 characters). A table gets a
bold header row, frozen and printed on every page, a "no data" row when it has no rows, columns
as wide as their longest line (capped) and rows tall enough for their wrapped text, since
viewers do not reliably size them on opening. Nothing here knows the export's data or labels;
it keeps no global state and may run in a worker thread.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import datetime
from typing import Any

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

__all__ = [
    "BOLD", "CENTRE", "GREY", "ITALIC", "Value", "clean", "finish_table", "fit_widths",
    "new_sheet", "put", "put_row",
]

_EXCEL_MAX_CHARS = 32767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl's ILLEGAL_CHARACTERS_RE
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")
_MIN_WIDTH, _MAX_WIDTH = 6, 40
_LINE_PT, _MAX_ROW_PT = 15.0, 409.0  # one line of 11 pt text; Excel's tallest row
BOLD, ITALIC, GREY = Font(bold=True), Font(italic=True), Font(italic=True, color="FF808080")
_WRAP = Alignment(vertical="top", wrap_text=True)
CENTRE = Alignment(horizontal="center", vertical="center")

Value = str | int | float | datetime | None


def clean(text: str) -> str:
    """Text as a cell can hold it: no XML-illegal control characters, at most 32 767 long."""
    return _ILLEGAL.sub("", text)[:_EXCEL_MAX_CHARS]


def put(ws: Any, row: int, col: int, value: Value, font: Any = None) -> Any:
    """Write one cell; strings always as text (never a formula), empty ones as blank."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = clean(value) or None
        if cell.value is not None:
            cell.data_type = "s"  # openpyxl would take "=…" for a formula
    else:
        cell.value = value
    if font is not None:
        cell.font = font
    return cell


def put_row(ws: Any, row: int, values: Sequence[Value], font: Any = None,
            styles: dict[int, Any] | None = None) -> None:
    """Write ``values`` into ``row`` from column A, top-aligned, long text wrapped.

    ``styles``, a dict the caller keeps for one sheet, makes long tables fast: the first
    cell of each font is styled the usual way and the others copy its style array, since
    openpyxl otherwise hashes the font and alignment again for every cell (a third of the
    time of a 3,000-row export; see bench/results.md).
    """
    for col, value in enumerate(values, start=1):
        if styles is None or (key := id(font)) not in styles:
            cell = put(ws, row, col, value, font)
            cell.alignment = _WRAP
            if styles is not None:
                styles[key] = copy(cell._style)
        else:
            put(ws, row, col, value)._style = copy(styles[key])


def _display_len(value: object) -> int:
    """Characters in the longest line of ``value`` as shown (composed Vietnamese marks)."""
    text = unicodedata.normalize("NFC", str(value))
    return max((len(line) for line in text.splitlines()), default=0)


def fit_widths(ws: Any, first_row: int, caps: Mapping[int, int] | None = None) -> None:
    """Size each column to its longest value from ``first_row`` down, capped."""
    longest: dict[int, int] = {}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is not None:
                longest[cell.column] = max(longest.get(cell.column, 0), _display_len(cell.value))
    for col in range(1, ws.max_column + 1):
        cap = (caps or {}).get(col, _MAX_WIDTH)
        width = min(cap, max(_MIN_WIDTH, longest.get(col, 0) + 2))
        ws.column_dimensions[get_column_letter(col)].width = width


def _fit_heights(ws: Any) -> None:
    """Give rows with wrapped text room for their lines (no viewer can be relied on to)."""
    widths: dict[str, int] = {}  # characters per line, by column letter
    wraps: dict[int, bool] = {}  # whether an alignment wraps, by the workbook's style id
    alignments = ws.parent._alignments
    for row in ws.iter_rows(min_row=2):
        lines = 1
        for cell in row:
            if cell.value is None or cell._style is None:  # unstyled: not wrapped
                continue
            style = cell._style.alignmentId
            if style not in wraps:
                wraps[style] = bool(alignments[style].wrap_text)
            if not wraps[style]:
                continue
            letter = cell.column_letter
            if letter not in widths:
                widths[letter] = max(1, int(ws.column_dimensions[letter].width) - 1)
            per_line = widths[letter]
            text = unicodedata.normalize("NFC", str(cell.value))
            lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in text.split("\n")))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = min(_MAX_ROW_PT, _LINE_PT * lines)


def new_sheet(wb: Any, title: str, fallback: str, headers: Sequence[str]) -> Any:
    """A new sheet with a bold header row, titled ``title`` made safe and unique.

    Excel refuses some characters in a title and more than 31 of them: those characters
    become "-", and ``fallback`` is taken when nothing is left.
    """
    title = _BAD_TITLE.sub("-", title).strip("' ")[:31] or fallback
    base, taken = title, set(wb.sheetnames)
    for n in range(2, 100):
        if title not in taken:
            break
        title = f"{base[:28]} {n}"
    ws = wb.create_sheet(title)
    put_row(ws, 1, headers, BOLD)
    return ws


def finish_table(ws: Any, empty_text: str, caps: Mapping[int, int] | None = None) -> None:
    """Add the "no data" row when there is no row, freeze the header, size the columns."""
    if ws.max_row < 2:
        put(ws, 2, 1, empty_text, ITALIC)
    ws.freeze_panes = "A2"
    fit_widths(ws, 1, caps)
    _fit_heights(ws)
    ws.page_setup.orientation = "landscape" if ws.max_column > 4 else "portrait"
    ws.print_title_rows = "1:1"
