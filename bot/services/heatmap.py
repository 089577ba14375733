"""A picture of the whole bloc: units down the side, tasks across, one coloured cell each.

The chair asks the bot for "a picture of the whole bloc"; :func:`render_heatmap` draws it
as a PNG that stays legible on a phone. Only matplotlib's object-oriented API on the Agg
canvas is used (no ``pyplot``, no window system, no rcParams changes), so rendering keeps
no global state and may run in a worker thread, e.g. ``await asyncio.to_thread(...)``.
Text is set in the bundled DejaVu Sans, which covers Vietnamese, and is measured and fitted
(wrapped, cut with "…", shrunk) by :mod:`bot.services.heatmap_text`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from bot.services.heatmap_text import (
    FONT,
    Metrics,
    nfc,
    shrink,
    text_height,
    wrap_keeping_tail,
)
from storage.records import ProgressStatus

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.path import Path

# matplotlib is imported when a picture is first drawn, not with this module: it is half of
# an idle bot's memory (about 50 MB of RSS, see bench/results.md), and most bots draw rarely.

__all__ = [
    "DPI", "LEGEND_KEYS", "NOT_APPLICABLE", "OVERDUE", "OVERDUE_EDGE", "STATUS_COLOURS", "Cell",
    "HeatMap",
    "build_figure", "cell_style", "cell_text", "render_heatmap", "status_key", "text_colour",
]

DPI = 150
PNG_COMPRESSION = 3  # zlib level; the default 6 took 35 ms more at 15 × 20 for a 5 % smaller file
SILENT = "silent"
NOT_APPLICABLE = "not_applicable"  # a task that does not concern the unit
OVERDUE = "overdue"  # a cell's mark, not a colour: past the task's deadline, not done
LEGEND_KEYS = ("done", "in_progress", "blocked", "not_started", SILENT, NOT_APPLICABLE, OVERDUE)
# Okabe-Ito hues (safe for the common colour-vision deficiencies); all light enough for black text.
STATUS_COLOURS: Mapping[str, str] = MappingProxyType({
    "done": "#009E73",
    "in_progress": "#56B4E9",
    "blocked": "#D55E00",
    "not_started": "#F0E442",
    SILENT: "#DDDDDD",
    NOT_APPLICABLE: "#FFFFFF",
})
OVERDUE_EDGE = "#8B0000"  # a thick dark-red frame inside the cell
BLOCKED_MARK = "!"  # before a blocked cell's percent, so it does not rest on colour alone

# Layout: lengths in inches, font sizes in points.
_MAX_W, _MIN_W, _MARGIN, _GAP, _EMPTY_H = 12.0, 6.5, 0.2, 0.1, 1.4
_COL_MIN_W, _COL_MAX_W, _ROW_H, _HEADER_H = 0.55, 0.75, 0.45, 0.32
_LABEL_MIN_W, _LABEL_MAX_W = 1.4, 2.4
_TITLE_PT, _LABEL_PT, _HEADER_PT, _CELL_PT, _LEGEND_PT, _CAPTION_PT = 14, 10.5, 10, 11, 10, 9
_GREY = "#555555"


@dataclass(frozen=True)
class Cell:
    """A unit's latest report on one task; ``status`` is None when it has not reported."""

    status: ProgressStatus | None
    percent: int | None
    overdue: bool = False  # the task's own deadline has passed and the unit has not done it
    applicable: bool = True  # False: the task does not concern the unit


@dataclass(frozen=True)
class HeatMap:
    """Everything the picture shows; all text comes localized from the caller.

    ``cells`` has one row per unit and one column per task (checked: ``ValueError``);
    ``legend`` maps keys of :data:`LEGEND_KEYS` to labels (keys left out are not shown);
    ``key`` lines (what each column is: ``NV1: Tổ chức hội nghị…``) are set under the
    legend, each cut to one line.
    """

    title: str
    units: tuple[str, ...]
    tasks: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    legend: Mapping[str, str]
    caption: str | None = None
    empty_text: str = "Chưa có dữ liệu"
    key: tuple[str, ...] = ()
    unit_tails: tuple[str, ...] = ()  # each unit label's end, kept whole on its last line

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.units):
            raise ValueError(f"{len(self.cells)} rows of cells for {len(self.units)} units")
        if self.unit_tails and len(self.unit_tails) != len(self.units):
            raise ValueError(f"{len(self.unit_tails)} tails for {len(self.units)} units")
        for index, row in enumerate(self.cells):
            if len(row) != len(self.tasks):
                raise ValueError(f"row {index} has {len(row)} cells for {len(self.tasks)} tasks")
        if unknown := set(self.legend) - set(LEGEND_KEYS):
            raise ValueError(f"unknown legend keys: {sorted(unknown)}")


def status_key(cell: Cell) -> str:
    """The legend/colour key of a cell: the status value, ``"silent"`` or
    ``"not_applicable"``."""
    if not cell.applicable:
        return NOT_APPLICABLE
    return SILENT if cell.status is None else ProgressStatus(cell.status).value


def cell_text(cell: Cell) -> str:
    """What is written in a cell: ``"60%"`` (``"!40%"`` when blocked), ``"—"`` when there is
    no percent to show, nothing where the task does not concern the unit."""
    if not cell.applicable:
        return ""
    if cell.status is None or cell.percent is None:
        return "—"
    mark = BLOCKED_MARK if cell.status is ProgressStatus.BLOCKED else ""
    return f"{mark}{cell.percent}%"


def text_colour(face: str) -> str:
    """Black or white, whichever has the higher WCAG contrast ratio on ``face`` (#RRGGBB)."""
    srgb = [int(face.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb)
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


def cell_style(cell: Cell) -> tuple[str, str]:
    """``(face colour, text colour)`` of a cell, both ``#RRGGBB``."""
    face = STATUS_COLOURS[status_key(cell)]
    return face, text_colour(face)


def build_figure(heatmap: HeatMap) -> Figure:
    """Lay out and draw the heat map on a new Agg-backed figure.

    Artists carry gids for inspection: ``cell-R-C`` (rectangle), ``text-R-C``, ``unit-R``,
    ``task-C``, ``title``, ``caption``, ``legend``, ``empty``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import Patch

    m = Metrics()
    n_rows, n_cols = len(heatmap.units), len(heatmap.tasks)
    empty = n_rows == 0 or n_cols == 0
    # Unit names give way to columns (down to _LABEL_MIN_W) before columns get narrower.
    label_room = _MAX_W - 2 * _MARGIN - _GAP - n_cols * _COL_MIN_W
    label_room = min(_LABEL_MAX_W, max(_LABEL_MIN_W, label_room))
    tails = heatmap.unit_tails or ("",) * n_rows
    units = [wrap_keeping_tail(m, unit, tail, _LABEL_PT, label_room)
             for unit, tail in zip(heatmap.units, tails, strict=True)]
    labels_w = max([0.5] + [m.width(ln, _LABEL_PT) for u in units for ln in u.split("\n")])
    labels_w += _GAP
    col_w = _COL_MAX_W if empty else min(_COL_MAX_W, (_MAX_W - 2 * _MARGIN - labels_w) / n_cols)
    fig_w = max(_MIN_W, 2 * _MARGIN + labels_w + n_cols * col_w)
    room = fig_w - 2 * _MARGIN
    title = m.wrap(heatmap.title, _TITLE_PT, room, 3, bold=True)
    caption = m.wrap(heatmap.caption, _CAPTION_PT, room, 2) if heatmap.caption else ""
    entries = [] if empty else [(k, nfc(v)) for k in LEGEND_KEYS if (v := heatmap.legend.get(k))]
    entry_w = max([1.0] + [m.width(label, _LEGEND_PT) + 0.5 for _, label in entries])
    rows = math.ceil(len(entries) / max(1, int(room // entry_w)))
    legend_h = rows * 1.9 * _LEGEND_PT / 72
    key = "\n".join(m.fit(nfc(line), _CAPTION_PT, room) for line in heatmap.key)
    grid_h = _EMPTY_H if empty else _HEADER_H + n_rows * _ROW_H
    fig_h = 2 * _MARGIN + text_height(title, _TITLE_PT) + 2 * _GAP + grid_h + legend_h
    fig_h += text_height(caption, _CAPTION_PT) + (_GAP if caption else 0.0)
    fig_h += text_height(key, _CAPTION_PT) + (_GAP if key else 0.0)

    fig_w, fig_h = (math.ceil(v * DPI) / DPI for v in (fig_w, fig_h))  # whole pixels
    fig = Figure(figsize=(fig_w, fig_h), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)

    def y(top: float) -> float:
        """Figure fraction of a point ``top`` inches below the figure's top edge."""
        return 1 - top / fig_h

    common: dict[str, Any] = {"family": FONT, "parse_math": False, "linespacing": 1.3}
    top = _MARGIN
    fig.text(0.5, y(top), title, ha="center", va="top", fontsize=_TITLE_PT, weight="bold",
             gid="title", **common)
    top += text_height(title, _TITLE_PT) + _GAP
    if empty:
        fig.text(0.5, y(top + grid_h / 2), nfc(heatmap.empty_text), ha="center", va="center",
                 fontsize=16, color=_GREY, gid="empty", **common,
                 bbox={"boxstyle": "round,pad=0.8", "fc": "#F4F4F4", "ec": "#BBBBBB"})
    else:
        left = (fig_w - labels_w - n_cols * col_w) / 2 + labels_w  # centre labels + grid
        rect = (left / fig_w, y(top + grid_h), n_cols * col_w / fig_w, n_rows * _ROW_H / fig_h)
        _draw_grid(fig, rect, heatmap, units, col_w, m)
    top += grid_h + _GAP
    if entries:
        handles = [Patch(facecolor="white", edgecolor=OVERDUE_EDGE, linewidth=2.5, label=label)
                   if k == OVERDUE else
                   Patch(facecolor="white", edgecolor="#888888", hatch="///", label=label)
                   if k == NOT_APPLICABLE else
                   Patch(facecolor=STATUS_COLOURS[k], edgecolor="#888888", label=label)
                   for k, label in entries]
        legend = fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, y(top)),
                            ncols=math.ceil(len(entries) / rows), frameon=False,
                            borderaxespad=0, prop=FontProperties(family=FONT, size=_LEGEND_PT),
                            handlelength=1.6, handleheight=1.1, columnspacing=1.2)
        legend.set_gid("legend")
        for text in legend.get_texts():
            text.set_parse_math(False)
        top += legend_h
    if key:
        fig.text(_MARGIN / fig_w, y(top + _GAP), key, ha="left", va="top",
                 fontsize=_CAPTION_PT, gid="key", **common)
        top += text_height(key, _CAPTION_PT) + _GAP
    if caption:
        fig.text(0.5, y(top + _GAP), caption, ha="center", va="top", fontsize=_CAPTION_PT,
                 color=_GREY, style="italic", gid="caption", **common)
    return fig


def _draw_grid(fig: Figure, rect: tuple[float, float, float, float], heatmap: HeatMap,
               units: list[str], col_w: float, m: Metrics) -> None:
    """Draw the cells in an axes at ``rect``, task labels above it, unit labels to its left."""
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import IdentityTransform

    n_rows, n_cols = len(heatmap.units), len(heatmap.tasks)
    ax = fig.add_axes(rect)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)  # row 0 at the top
    ax.set_axis_off()
    common: dict[str, Any] = {"family": FONT, "parse_math": False, "clip_on": False}
    tasks = [nfc(task) for task in heatmap.tasks]
    size = shrink(_HEADER_PT, max(m.width(t, _HEADER_PT, bold=True) for t in tasks), col_w - 0.04)
    for c, task in enumerate(tasks):
        ax.text(c + 0.5, -_HEADER_H / 2 / _ROW_H, m.fit(task, size, col_w - 0.04, bold=True),
                ha="center", va="center", fontsize=size, weight="bold", gid=f"task-{c}", **common)
    size = shrink(_CELL_PT, m.width("100%", _CELL_PT, bold=True), col_w - 0.06)
    shapes = _LabelShapes(size)
    paths, centres, inks = [], [], []
    for r, (unit, row) in enumerate(zip(units, heatmap.cells, strict=True)):
        ax.text(-_GAP / col_w, r + 0.5, unit, ha="right", va="center", fontsize=_LABEL_PT,
                linespacing=1.15, gid=f"unit-{r}", **common)
        for c, cell in enumerate(row):
            face, ink = cell_style(cell)
            # add_artist, not add_patch: limits are fixed, and updating them costs time
            ax.add_artist(Rectangle((c, r), 1, 1, facecolor=face, edgecolor="white",
                                    linewidth=1.5, gid=f"cell-{r}-{c}"))
            if not cell.applicable:
                ax.add_artist(Rectangle((c, r), 1, 1, fill=False, hatch="///",
                                        edgecolor="#BBBBBB", linewidth=0, gid=f"na-{r}-{c}"))
            if cell.overdue:
                ax.add_artist(Rectangle((c + 0.06, r + 0.08), 0.88, 0.84, fill=False,
                                        edgecolor=OVERDUE_EDGE, linewidth=2.5,
                                        gid=f"overdue-{r}-{c}"))
            paths.append(shapes.of(cell_text(cell)))
            centres.append((c + 0.5, r + 0.5))
            inks.append(ink)
    # The cells' labels are drawn as one collection of outlines, each distinct label laid
    # out once: as 300 text artists they were most of a ministry-sized picture's time.
    labels = PathCollection(paths, sizes=[1.0] * len(paths), offsets=centres,
                            offset_transform=ax.transData, facecolors=inks,
                            edgecolors="none", gid="cell-texts")
    labels.set_transform(IdentityTransform())
    ax.add_collection(labels, autolim=False)


def _points(path: Path) -> Any:
    """An outline's points, without the placeholders of its close-path codes."""
    from matplotlib.path import Path as MplPath

    points: Any = path.vertices
    return points if path.codes is None else points[path.codes != MplPath.CLOSEPOLY]


class _LabelShapes:
    """Outlines of cell labels in points, centred on the origin, made once per label."""

    def __init__(self, size: float) -> None:
        from matplotlib.font_manager import FontProperties
        from matplotlib.textpath import TextPath

        self._prop = FontProperties(family=FONT, weight="bold")
        self._size = size
        self._make = TextPath
        digit = _points(TextPath((0, 0), "0", size=size, prop=self._prop))
        self._middle = (digit[:, 1].min() + digit[:, 1].max()) / 2  # digits centred
        self._shapes: dict[str, Path] = {}

    def of(self, label: str) -> Path:
        from matplotlib.transforms import Affine2D

        shape = self._shapes.get(label)
        if shape is None and not label:  # a cell with nothing written in it
            import numpy as np
            from matplotlib.path import Path as MplPath

            shape = self._shapes[label] = MplPath(np.zeros((0, 2)))
        if shape is None:
            raw = self._make((0, 0), label, size=self._size, prop=self._prop)
            # the outline's points bound it closely enough (exact extents cost 4 ms a label)
            points = _points(raw)
            left, right = points[:, 0].min(), points[:, 0].max()
            shape = raw.transformed(Affine2D().translate(-(left + right) / 2, -self._middle))
            self._shapes[label] = shape
        return shape


def render_heatmap(heatmap: HeatMap) -> bytes:
    """The heat map as PNG bytes at :data:`DPI`; the figure is cleared afterwards."""
    fig = build_figure(heatmap)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None},
                    pil_kwargs={"compress_level": PNG_COMPRESSION})
    finally:
        fig.clear()
    return buffer.getvalue()
