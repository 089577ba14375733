"""The bloc heat map: PNG size follows the grid, cells show the data, Vietnamese renders."""

from __future__ import annotations

import io
import logging
import struct
import subprocess
import sys
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from bot.services.heatmap import (
    DPI,
    STATUS_COLOURS,
    Cell,
    HeatMap,
    build_figure,
    cell_style,
    cell_text,
    render_heatmap,
    status_key,
    text_colour,
)
from storage.records import ProgressStatus
from tests.conftest import ROOT

LEGEND = {
    "done": "Hoàn thành",
    "in_progress": "Đang thực hiện",
    "blocked": "Vướng mắc",
    "not_started": "Chưa bắt đầu",
    "silent": "Chưa báo cáo",
}
UNITS = (
    "Viện KHSHTT", "VP Công nhận Chất lượng", "Trung tâm HNQT", "VP Ủy ban Vũ trụ",
    "Viện Ứng dụng công nghệ", "Viện ĐGKHĐTCB", "Trung tâm TTKHCN", "Cục SHTT", "Viện CLKT",
    "Học viện KHCN", "Nhà XB KHKT", "Báo KH&PT", "Viện NLNT", "Cục ATBX", "Viện Vật lý",
)
STATUSES = (None, *ProgressStatus)
SILENT = Cell(None, None)


def make(n_units: int, n_tasks: int, title: str = "Khối thi đua Văn phòng – Viện") -> HeatMap:
    """A grid whose cells cycle through every status, with varied percents."""

    def cell(r: int, c: int) -> Cell:
        status = STATUSES[(r + c) % len(STATUSES)]
        return Cell(status, None if status is None else (r * 7 + c * 13) % 101)

    return HeatMap(
        title=title,
        units=UNITS[:n_units],
        tasks=tuple(f"NV{i + 1}" for i in range(n_tasks)),
        cells=tuple(tuple(cell(r, c) for c in range(n_tasks)) for r in range(n_units)),
        legend=LEGEND,
        caption="Cập nhật lúc 09:00 24/11/2026",
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG signature and IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def texts(fig: Figure) -> dict[str, str]:
    """The string of every text artist that has a gid, keyed by gid."""
    found = fig.findobj(lambda a: isinstance(a, Text) and bool(a.get_gid()))
    return {str(t.get_gid()): t.get_text() for t in found if isinstance(t, Text)}


def rectangles(fig: Figure) -> dict[str, Rectangle]:
    """Every rectangle that has a gid (the cells), keyed by gid."""
    found = fig.findobj(lambda a: isinstance(a, Rectangle) and bool(a.get_gid()))
    return {str(r.get_gid()): r for r in found if isinstance(r, Rectangle)}


def hex_of(rgb: Sequence[float]) -> str:
    """``#rrggbb`` of an RGB triple in 0..1."""
    return "#" + "".join(f"{round(float(v) * 255):02x}" for v in rgb[:3])


@contextmanager
def font_complaints(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Collects every warning and matplotlib log warning raised inside the block."""
    complaints: list[str] = []
    with caplog.at_level(logging.WARNING), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield complaints
    complaints += [str(w.message) for w in caught]
    complaints += [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")]


# --- pure functions -----------------------------------------------------------------------


def test_cell_text() -> None:
    assert cell_text(Cell(ProgressStatus.IN_PROGRESS, 60)) == "60%"
    assert cell_text(Cell(ProgressStatus.DONE, 100)) == "100%"
    assert cell_text(Cell(ProgressStatus.NOT_STARTED, 0)) == "0%"
    assert cell_text(SILENT) == "—"
    assert cell_text(Cell(ProgressStatus.BLOCKED, None)) == "—"
    assert cell_text(Cell(ProgressStatus.BLOCKED, 40)) == "!40%"  # not by colour alone
    assert cell_text(Cell(None, None, applicable=False)) == ""  # hatched, nothing written


def test_overdue_cells_are_framed_and_cells_not_concerned_hatched() -> None:
    heat = HeatMap(title="Khối", units=("A", "B"), tasks=("NV1",),
                   cells=((Cell(ProgressStatus.IN_PROGRESS, 60, overdue=True),),
                          (Cell(None, None, applicable=False),)),
                   legend={**LEGEND, "overdue": "Quá hạn", "not_applicable": "Không áp dụng"},
                   key=("NV1: Tổ chức hội nghị",))
    fig = build_figure(heat)
    gids = {artist.get_gid() for ax in fig.axes for artist in ax.get_children()}
    assert {"overdue-0-0", "na-1-0"} <= gids and "overdue-1-0" not in gids
    assert [t.get_text() for t in fig.texts if t.get_gid() == "key"] == ["NV1: Tổ chức hội nghị"]
    assert "Quá hạn" in [t.get_text() for t in fig.legends[0].get_texts()]
    assert png_size(render_heatmap(heat))[0] > 0


def test_cell_style_follows_status() -> None:
    assert status_key(SILENT) == "silent"
    for status in ProgressStatus:
        face, ink = cell_style(Cell(status, 50))
        assert face == STATUS_COLOURS[status.value]
        assert ink in ("#000000", "#FFFFFF")
    assert cell_style(SILENT)[0] == STATUS_COLOURS["silent"]
    assert len(set(STATUS_COLOURS.values())) == len(STATUS_COLOURS) == 6  # and not applicable
    assert status_key(Cell(None, None, applicable=False)) == "not_applicable"


def test_text_colour_by_luminance() -> None:
    assert text_colour("#FFFFFF") == "#000000"
    assert text_colour("#F0E442") == "#000000"
    assert text_colour("#000000") == "#FFFFFF"
    assert text_colour("#0072B2") == "#FFFFFF"  # a dark blue: white reads better


def wcag_contrast(a: str, b: str) -> float:
    def lum(colour: str) -> float:
        srgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("key", sorted(STATUS_COLOURS))
def test_palette_text_is_readable(key: str) -> None:
    face = STATUS_COLOURS[key]
    assert wcag_contrast(face, text_colour(face)) >= 4.5


def test_ragged_input_is_refused() -> None:
    good = make(2, 3)
    with pytest.raises(ValueError, match="row 1"):
        HeatMap("t", good.units, good.tasks, (good.cells[0], good.cells[1][:2]), LEGEND)
    with pytest.raises(ValueError, match="rows of cells"):
        HeatMap("t", good.units, good.tasks, good.cells[:1], LEGEND)
    with pytest.raises(ValueError, match="legend"):
        HeatMap("t", good.units, good.tasks, good.cells, {"finished": "Xong"})


# --- the figure -------------------------------------------------------------------------


def test_figure_cells_use_cell_style_and_text() -> None:
    heatmap = make(13, 6)
    fig = build_figure(heatmap)
    cells, labels = rectangles(fig), texts(fig)
    # the cells' labels: one collection of outlines, in row order, centred on their cells
    (written,) = fig.findobj(lambda a: a.get_gid() == "cell-texts")
    assert isinstance(written, PathCollection)
    shapes, centres, inks = written.get_paths(), written.get_offsets(), written.get_facecolors()
    shape_of: dict[str, object] = {}
    for r, row in enumerate(heatmap.cells):
        for c, cell in enumerate(row):
            face, ink = cell_style(cell)
            index = r * len(row) + c
            assert to_hex(cells[f"cell-{r}-{c}"].get_facecolor()) == face.lower()
            assert to_hex(inks[index]) == ink.lower()
            assert tuple(centres[index]) == (c + 0.5, r + 0.5)
            # a label is laid out once and reused: same text, same outline
            assert shape_of.setdefault(cell_text(cell), shapes[index]) is shapes[index]
    assert len({id(shape) for shape in shape_of.values()}) == len(shape_of)
    assert [labels[f"unit-{r}"] for r in range(13)] == list(heatmap.units)
    assert [labels[f"task-{c}"] for c in range(6)] == list(heatmap.tasks)
    assert "Hoàn thành" in [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels["caption"] == "Cập nhật lúc 09:00 24/11/2026"


def test_rendered_pixels_match_cell_colours() -> None:
    heatmap = make(4, 5)
    fig = build_figure(heatmap)
    ax = fig.axes[0]
    image = imread(io.BytesIO(render_heatmap(heatmap)))
    height = image.shape[0]
    for r, c in [(0, 0), (1, 2), (3, 4), (2, 1)]:
        # near the top of the cell: away from its text and from the white border
        x, y = ax.transData.transform((c + 0.5, r + 0.15))
        pixel = [float(v) for v in image[int(height - y), int(x), :3]]
        assert hex_of(pixel) == cell_style(heatmap.cells[r][c])[0].lower()


def test_png_size_follows_grid() -> None:
    sizes = {(u, t): png_size(render_heatmap(make(u, t))) for u, t in [(13, 6), (15, 20), (13, 20)]}
    assert sizes[(13, 20)][0] > sizes[(13, 6)][0]  # more tasks → wider
    assert sizes[(15, 20)][1] > sizes[(13, 20)][1]  # more units → taller
    for (units, tasks), (width, height) in sizes.items():
        fig = build_figure(make(units, tasks))
        assert (width, height) == tuple(round(v * DPI) for v in fig.get_size_inches())
        assert width <= 12 * DPI
        grid_w, grid_h = (v / DPI for v in fig.axes[0].bbox.size)  # inches
        assert grid_w / tasks >= 0.45 and grid_h / units >= 0.4


def test_long_names_are_wrapped_or_shortened() -> None:
    long_unit = "Viện Ứng dụng công nghệ và Phát triển bền vững vùng Tây Nguyên và Nam Trung Bộ"
    heatmap = HeatMap(
        title="Tổng hợp tiến độ thực hiện nhiệm vụ " * 8,
        units=(long_unit,),
        tasks=("NV1",),
        cells=((Cell(ProgressStatus.DONE, 100),),),
        legend=LEGEND,
    )
    labels = texts(build_figure(heatmap))
    unit = labels["unit-0"]
    assert unit.count("\n") == 1 and unit.endswith("…")
    title = labels["title"]
    assert title.count("\n") == 2 and title.endswith("…")


def test_a_units_tally_stays_whole_on_the_last_line_of_a_long_name() -> None:
    names = ("VP Chương trình trọng điểm", "VP Đăng ký hoạt động KH&CN", "Trung tâm HNQT",
             "Viện Ứng dụng công nghệ và Phát triển bền vững vùng Tây Nguyên và Nam Trung Bộ")
    heatmap = HeatMap(
        title="Tiến độ", units=tuple(f"{name} · 0/6" for name in names),
        tasks=tuple(f"NV{i}" for i in range(1, 7)),
        cells=((SILENT,) * 6,) * len(names), legend=LEGEND, unit_tails=("· 0/6",) * len(names))
    labels = texts(build_figure(heatmap))
    shown = [labels[f"unit-{row}"] for row in range(len(names))]
    assert shown[2] == "Trung tâm HNQT · 0/6"  # fits: one line, as written
    for label in shown:  # never "… ·" on one line and "0/6" alone on the next
        assert label.split("\n")[-1].endswith(" · 0/6") and label.count("\n") <= 1
    assert shown[3].endswith("… · 0/6")  # a name too long is cut, its tally kept


def test_vietnamese_renders_without_missing_glyphs(caplog: pytest.LogCaptureFixture) -> None:
    heatmap = HeatMap(
        title="Tổng hợp tiến độ — Viện Ứng dụng công nghệ",
        units=("VP Ủy ban Vũ trụ", "Viện Ứng dụng công nghệ", "Trung tâm HNQT"),
        tasks=("NV1", "NV2"),
        cells=((SILENT, Cell(ProgressStatus.DONE, 100)),) * 3,
        legend=LEGEND,
        caption="Cập nhật lúc 09:00 24/11/2026 – Đà Nẵng, Huế, Quảng Trị",
    )
    with font_complaints(caplog) as complaints:
        png = render_heatmap(heatmap)
    assert complaints == []
    assert png_size(png)[0] > 0
    fig = build_figure(heatmap)
    assert texts(fig)["title"] == heatmap.title
    assert texts(fig)["unit-0"] == "VP Ủy ban Vũ trụ"


def test_missing_glyph_check_is_effective(caplog: pytest.LogCaptureFixture) -> None:
    """The check above would catch a glyph the font lacks (here a CJK character)."""
    with font_complaints(caplog) as complaints:
        render_heatmap(make(1, 1, title="Báo cáo 中文"))
    assert any("missing from font" in c for c in complaints)


def test_decomposed_text_is_composed() -> None:
    title = unicodedata.normalize("NFD", "Tổng hợp tiến độ")
    fig = build_figure(make(1, 1, title=title))
    assert texts(fig)["title"] == unicodedata.normalize("NFC", title)


@pytest.mark.parametrize(("units", "tasks"), [(0, 0), (0, 6), (3, 0)])
def test_empty_grid_renders_a_notice(units: int, tasks: int) -> None:
    heatmap = HeatMap(
        title="Khối thi đua Văn phòng – Viện",
        units=UNITS[:units],
        tasks=tuple(f"NV{i + 1}" for i in range(tasks)),
        cells=((),) * units,
        legend=LEGEND,
        empty_text="Chưa có nhiệm vụ nào trong kỳ",
    )
    width, height = png_size(render_heatmap(heatmap))
    assert width > 0 and height > 0
    fig = build_figure(heatmap)
    assert texts(fig)["empty"] == "Chưa có nhiệm vụ nào trong kỳ"
    assert rectangles(fig) == {}
    assert fig.legends == []


def test_text_is_not_parsed_as_mathtext(caplog: pytest.LogCaptureFixture) -> None:
    heatmap = make(2, 2, title="Chi phí $5 và $10")
    with font_complaints(caplog) as complaints:
        render_heatmap(heatmap)
    assert complaints == []
    fig = build_figure(heatmap)
    assert texts(fig)["title"] == "Chi phí $5 và $10"
    everything = fig.findobj(Text)
    assert all(not t.get_parse_math() for t in everything if isinstance(t, Text) and t.get_text())


def test_concurrent_renders_match_serial_ones() -> None:
    heatmaps = [make(3, 4), make(5, 2), make(2, 7), make(4, 4)]
    serial = [render_heatmap(h) for h in heatmaps]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(render_heatmap, heatmaps)) == serial


def test_pyplot_is_never_imported() -> None:
    code = (
        "import sys; from tests.test_heatmap import make; "
        "from bot.services.heatmap import render_heatmap;"
        "render_heatmap(make(2, 2)); assert 'matplotlib.pyplot' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
