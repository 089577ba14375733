"""A picture of the year's scores: units down the side in ranking order, the criteria groups,
the bonus, the penalty and the total across, one cell each (like the heat map of tasks).

A group's cell is coloured by the share of its maximum the unit has (four bands), so the
weak spots stand out; the total column is bold. Units that have not submitted are listed
last in grey. Only matplotlib's object-oriented API on the Agg canvas is used, so it may run
in a worker thread; text is set in DejaVu Sans (it covers Vietnamese) and fitted by
:mod:`bot.services.heatmap_text`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.services.heatmap_text import FONT, Metrics, nfc, shrink, text_height

DPI = 150
# share of a group's maximum → colour (Okabe-Ito-based, light enough for black text)
BANDS = ((0.9, "#009E73"), (0.75, "#7FD0B9"), (0.5, "#F0E442"), (0.0, "#E69F00"))
NOT_SUBMITTED, PLAIN = "#DDDDDD", "#F4F4F4"
_MARGIN, _GAP, _ROW_H, _HEADER_H, _COL_W, _LABEL_W = 0.2, 0.1, 0.42, 0.5, 0.85, 3.2
_MIN_W = 7.5  # room for the legend's five entries on one line
_TITLE_PT, _LABEL_PT, _HEADER_PT, _CELL_PT, _CAPTION_PT = 14, 10.5, 9.5, 10.5, 9


@dataclass(frozen=True)
class ScoreRow:
    """One unit's line: its label (with its place), its cells as text, and each group's share
    of the group's maximum (None: the unit has not submitted)."""

    label: str
    cells: tuple[str, ...]
    shares: tuple[float, ...] | None  # one per group column (not bonus, penalty, total)


@dataclass(frozen=True)
class ScoreChart:
    """Everything the picture shows; all text comes localised from the caller."""

    title: str
    columns: tuple[str, ...]  # the groups, then bonus, penalty, total
    groups: int  # how many of the columns are groups (coloured by share)
    rows: tuple[ScoreRow, ...]
    legend: tuple[str, ...]  # one label per band, in BANDS' order, then "not submitted"
    caption: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ValueError(f"{row.label}: {len(row.cells)} cells for "
                                 f"{len(self.columns)} columns")
        if len(self.legend) != len(BANDS) + 1:
            raise ValueError("one legend label per band and one for 'not submitted'")


def band(share: float) -> str:
    """The colour of a group's cell for ``share`` of its maximum."""
    return next(colour for floor, colour in BANDS if share >= floor)


def render_score_chart(chart: ScoreChart) -> bytes:
    """The chart as PNG bytes at :data:`DPI`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    m = Metrics()
    n_rows, n_cols = len(chart.rows), len(chart.columns)
    labels_w = min(_LABEL_W, max([1.0] + [m.width(nfc(r.label), _LABEL_PT) for r in chart.rows]))
    labels_w += _GAP
    grid_w = n_cols * _COL_W
    fig_w = max(_MIN_W, 2 * _MARGIN + labels_w + grid_w)
    title = m.wrap(chart.title, _TITLE_PT, fig_w - 2 * _MARGIN, 3, bold=True)
    legend_h = 0.35
    caption = m.wrap(chart.caption, _CAPTION_PT, fig_w - 2 * _MARGIN, 2) if chart.caption else ""
    grid_h = _HEADER_H + max(n_rows, 1) * _ROW_H
    fig_h = (2 * _MARGIN + text_height(title, _TITLE_PT) + 2 * _GAP + grid_h + legend_h
             + (text_height(caption, _CAPTION_PT) + _GAP if caption else 0.0))
    fig = Figure(figsize=(fig_w, fig_h), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    common: dict[str, Any] = {"family": FONT, "parse_math": False}
    top = _MARGIN
    fig.text(0.5, 1 - top / fig_h, title, ha="center", va="top", fontsize=_TITLE_PT,
             weight="bold", gid="title", **common)
    top += text_height(title, _TITLE_PT) + _GAP
    left = (fig_w - labels_w - grid_w) / 2 + labels_w  # labels and grid centred
    ax = fig.add_axes((left / fig_w, 1 - (top + grid_h) / fig_h, grid_w / fig_w,
                       grid_h / fig_h))
    rows_h = grid_h / _ROW_H  # the axes' height in rows (the header is part of it)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(rows_h, 0)
    ax.set_axis_off()
    header = _HEADER_H / _ROW_H
    heads = [nfc(column).split("\n") for column in chart.columns]  # "Nhóm 1" over "/20"
    size = shrink(_HEADER_PT, max(m.width(line, _HEADER_PT, bold=True)
                                  for lines in heads for line in lines), _COL_W - 0.06)
    for c, lines in enumerate(heads):
        ax.text(c + 0.5, header / 2, "\n".join(m.fit(line, size, _COL_W - 0.06, bold=True)
                                               for line in lines),
                ha="center", va="center", fontsize=size, weight="bold", gid=f"column-{c}",
                clip_on=False, linespacing=1.1, **common)
    for r, row in enumerate(chart.rows):
        y = header + r
        ax.text(-_GAP / _COL_W, y + 0.5, m.fit(nfc(row.label), _LABEL_PT, labels_w - _GAP),
                ha="right", va="center", fontsize=_LABEL_PT, gid=f"unit-{r}", clip_on=False,
                color="#000000" if row.shares is not None else "#666666", **common)
        for c, text in enumerate(row.cells):
            face = NOT_SUBMITTED if row.shares is None else (
                band(row.shares[c]) if c < chart.groups else PLAIN)
            ax.add_artist(Rectangle((c, y), 1, 1, facecolor=face, edgecolor="white",
                                    linewidth=1.5, gid=f"cell-{r}-{c}"))
            ax.text(c + 0.5, y + 0.5, nfc(text), ha="center", va="center", fontsize=_CELL_PT,
                    weight="bold" if c == n_cols - 1 else "normal", gid=f"text-{r}-{c}",
                    **common)
    top += grid_h + _GAP
    _legend(fig, chart.legend, 1 - top / fig_h, **common)
    top += legend_h
    if caption:
        fig.text(0.5, 1 - (top + _GAP) / fig_h, caption, ha="center", va="top",
                 fontsize=_CAPTION_PT, color="#555555", style="italic", gid="caption",
                 **common)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    finally:
        fig.clear()
    return buffer.getvalue()


def _legend(fig: Any, labels: Sequence[str], y: float, **common: Any) -> None:
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import Patch

    colours = [colour for _, colour in BANDS] + [NOT_SUBMITTED]
    handles = [Patch(facecolor=colour, edgecolor="#888888", label=nfc(label))
               for colour, label in zip(colours, labels, strict=True)]
    legend = fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, y),
                        ncols=len(handles), frameon=False, borderaxespad=0,
                        prop=FontProperties(family=common["family"], size=_CAPTION_PT),
                        handlelength=1.4, columnspacing=1.0)
    legend.set_gid("legend")
