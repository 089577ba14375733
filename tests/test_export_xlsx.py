"""The Excel workbook and CSV export: sheets, headers, exact text, colours, layout, PDF."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
import subprocess
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from bot.services.exports.data import (
    AttendanceRow,
    ExportData,
    LateUnit,
    TaskRow,
    UnitRow,
    UpdateRow,
)
from bot.services.exports.xlsx import (
    DEFAULT_LABELS,
    MATRIX_HEADER_ROW,
    UPDATE_COLUMNS,
    render_csv,
    render_xlsx,
    update_values,
)
from bot.services.heatmap import STATUS_COLOURS
from storage.records import ProgressStatus

SHEETS = ["Tổng hợp", "Báo cáo", "Chưa báo cáo", "Tham dự hội nghị"]
UPDATE_HEADERS = [
    "Đơn vị", "Nhiệm vụ", "Nội dung nhiệm vụ", "Tình trạng", "Tỷ lệ (%)", "Kết quả",
    "Khó khăn, vướng mắc; đề xuất, kiến nghị", "Người báo cáo", "Thời gian", "Phiên bản",
    "Đã rút lại",
    "Báo cáo thay", "Tệp đính kèm", "Bản mới nhất",
]
STATUS_LABELS = {
    ProgressStatus.NOT_STARTED: "Chưa thực hiện",
    ProgressStatus.IN_PROGRESS: "Đang thực hiện",
    ProgressStatus.DONE: "Hoàn thành",
    ProgressStatus.BLOCKED: "Gặp vướng mắc",
}
SHORT_NAMES = [
    "VP Bộ", "Viện CL", "Viện ĐG", "Viện NLNT", "Viện KHCN", "Viện SHTT", "Viện TC",
    "Viện ƯD", "Viện NC", "Viện KT", "Viện TĐC", "Viện TT", "Viện Năng lượng nguyên tử VN",
]
NOTES = [
    "=SUM(A1)",
    "😀 Đã hoàn thành <b>&</b> gửi báo cáo",
    "Dòng 1\nDòng 2\r\nDòng 3",
    "+84 912 345 678",
    "-5% so với kế hoạch",
    "  khoảng trắng đầu và cuối  ",
    "Tổ chức hội thảo “Khoa học và công nghệ đồng hành cùng doanh nghiệp” " * 30,
    "@mention 'nháy đơn' \"nháy kép\" ; , \t tab",
]


def make_data(
    n_units: int = 13, n_tasks: int = 20, versions: int = 3,
    labels: Mapping[str, str] | None = None,
) -> ExportData:
    """A bloc-period export built by hand; the last unit never reports."""
    units = tuple(
        UnitRow(f"U{i:02d}", f"Đơn vị thành viên số {i + 1} – {SHORT_NAMES[i % 13]}",
                SHORT_NAMES[i % 13])
        for i in range(n_units)
    )
    tasks = tuple(
        TaskRow(j + 1, f"Nhiệm vụ {j + 1}: đẩy mạnh chuyển đổi số, cải cách hành chính",
                f"Thứ Sáu, {j + 1:02d}/12/2023" if j % 2 else None)
        for j in range(n_tasks)
    )
    statuses = list(ProgressStatus)
    updates: list[UpdateRow] = []
    latest: dict[tuple[str, int], UpdateRow] = {}
    for i, unit in enumerate(units[:-1] if n_units > 1 else units):
        for j, task in enumerate(tasks):
            for v in range(1, (i + j) % (versions + 1) + 1):
                k = len(updates)
                status = statuses[k % len(statuses)]
                row = UpdateRow(
                    unit=unit, task=task, status=status, status_label=STATUS_LABELS[status],
                    percent=(k * 7) % 101, note=NOTES[k % len(NOTES)],
                    help_needed=None if k % 3 else f"Cần hỗ trợ kinh phí #{k}",
                    author=f"Nguyễn Thị Hạnh {i}", time=f"{8 + v:02d}:30 {j + 1:02d}/11/2023",
                    version=v, withdrawn=k % 11 == 5, on_behalf=k % 7 == 0,
                    attachments=("báo cáo quý 3.docx", "ảnh") if k % 4 == 0 else (),
                )
                updates.append(row)
                latest[(unit.code, task.number)] = row
    late = tuple(LateUnit(u, ("Trần Văn Bình", "Lê Thị Cúc"), reported=0, required=n_tasks,
                          missing=tuple(range(1, n_tasks + 1)))
                 for u in units[-1:] if n_units > 1)
    attendance = tuple(
        AttendanceRow("Hội nghị sơ kết 6 tháng đầu năm 2023", "08:00 Thứ Năm, 13/7/2023",
                      u.short_name,
                      "Cử người khác" if i % 2 else "Tham dự",
                      "Nguyễn Văn A, Phó Viện trưởng" if i % 2 else None)
        for i, u in enumerate(units)
    )
    return ExportData(
        ministry="Bộ Khoa học và Công nghệ", bloc_name="Khối thi đua Văn phòng – Viện",
        year=2023, theme="Kỷ cương, kết nối, đổi mới, thành công",
        period_title="6 tháng cuối năm 2023", period_code="2023H2", deadline="05/12/2023",
        generated_at="14:05 20/11/2023", place="Hà Nội", report_date=(20, 11, 2023),
        units=units, tasks=tasks, latest=latest, updates=tuple(updates), late=late,
        attendance=attendance, movements=(), labels=dict(labels or {}),
    )


def empty_data() -> ExportData:
    """No units, tasks, updates, late units or conferences."""
    return make_data(n_units=0, n_tasks=0)


def load(data: ExportData) -> Any:
    """Render and read the workbook back."""
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(data)))


def rows(ws: Any, first: int = 1) -> list[list[Any]]:
    """Cell values of a sheet from row ``first``."""
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


@pytest.fixture(scope="module")
def data() -> ExportData:
    return make_data()


@pytest.fixture(scope="module")
def book(data: ExportData) -> Any:
    return load(data)


def test_sheet_names_and_headers(book: Any) -> None:
    assert book.sheetnames == SHEETS
    assert rows(book["Báo cáo"])[0] == UPDATE_HEADERS
    assert rows(book["Chưa báo cáo"])[0] == [
        "Đơn vị", "Tên viết tắt", "Đã báo cáo", "Nhiệm vụ còn thiếu", "Đầu mối"]
    assert rows(book["Tham dự hội nghị"])[0] == [
        "Hội nghị", "Thời gian", "Đơn vị", "Trả lời", "Người tham dự"]
    matrix = book["Tổng hợp"]
    header = rows(matrix, MATRIX_HEADER_ROW)[0]
    assert header == ["Đơn vị", *(f"NV{n}" for n in range(1, 21)), "Đã báo cáo"]
    assert [matrix.cell(r, 1).value for r in (1, 2, 3)] == [
        "Khối thi đua Văn phòng – Viện", "6 tháng cuối năm 2023", "Xuất lúc: 14:05 20/11/2023"]


def test_labels_override_and_fall_back() -> None:
    labels = {"sheet_matrix": "Overview", "note": "Note", "yes": "Yes",
              "sheet_late": "Late: units/not [yet] reported, a very long sheet title"}
    book = load(make_data(n_units=3, n_tasks=2, labels=labels))
    assert book.sheetnames[0] == "Overview"
    assert book.sheetnames[1] == "Báo cáo"  # missing key: the Vietnamese default
    late_title = book.sheetnames[2]
    assert len(late_title) <= 31 and not set(late_title) & set("\\*?:/[]")
    headers = rows(book["Báo cáo"])[0]
    assert headers[UPDATE_COLUMNS.index("note")] == "Note"
    assert headers[0] == "Đơn vị"


def expected_update(row: UpdateRow) -> list[Any]:
    return [
        row.unit.short_name, row.task.number, row.task.title, row.status_label, row.percent,
        row.note, row.help_needed, row.author, row.time, row.version,
        "Có" if row.withdrawn else "—", "Có" if row.on_behalf else "—",
        "; ".join(row.attachments) or None, "Có" if row.standing else "Không",
    ]


def test_every_update_row_equals_the_data(data: ExportData, book: Any) -> None:
    ws = book["Báo cáo"]
    got = rows(ws, 2)
    assert len(data.updates) > 13 * 20
    assert got == [expected_update(u) for u in data.updates]
    note_col = UPDATE_COLUMNS.index("note") + 1
    notes = {ws.cell(r, note_col).value for r in range(2, ws.max_row + 1)}
    assert set(NOTES) <= notes
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, note_col)
        assert cell.data_type == "s" and cell.alignment.wrap_text
        if cell.value == "=SUM(A1)":
            assert isinstance(cell.value, str)
    assert {type(ws.cell(r, 5).value) for r in range(2, ws.max_row + 1)} == {int}


def test_update_values_match_sheet_columns(data: ExportData) -> None:
    assert len(update_values(data, data.updates[0])) == len(UPDATE_COLUMNS) == 14


def test_matrix_cells_text_and_colour(data: ExportData, book: Any) -> None:
    ws = book["Tổng hợp"]
    seen: set[str] = set()
    for i, unit in enumerate(data.units):
        r = MATRIX_HEADER_ROW + 1 + i
        assert ws.cell(r, 1).value == unit.short_name
        for task in data.tasks:
            cell = ws.cell(r, 1 + task.number)
            latest = data.latest.get((unit.code, task.number))
            key = "silent" if latest is None else latest.status.value
            text = "—" if latest is None else f"{latest.status_label} {latest.percent}%"
            assert cell.value == text
            assert cell.fill.fill_type == "solid"
            assert cell.fill.fgColor.rgb == "FF" + STATUS_COLOURS[key][1:].upper()
            seen.add(key)
    assert seen == set(STATUS_COLOURS) - {"not_applicable"}  # every task concerns every unit
    assert any(str(c.value).startswith("Đang thực hiện ") for row in ws.iter_rows() for c in row)


def test_matrix_task_titles_in_comments_and_list(data: ExportData, book: Any) -> None:
    ws = book["Tổng hợp"]
    for task in data.tasks:
        comment = ws.cell(MATRIX_HEADER_ROW, 1 + task.number).comment
        assert comment is not None and comment.text.startswith(task.title)
        assert (task.deadline is None) == ("Hạn:" not in comment.text)
    values = [c.value for row in ws.iter_rows(min_row=MATRIX_HEADER_ROW + 14) for c in row]
    assert "Danh sách nhiệm vụ" in values
    assert data.tasks[0].title in values
    assert f"{data.tasks[1].title} (Hạn: {data.tasks[1].deadline})" in values


def test_frozen_panes_autofilter_and_widths(data: ExportData, book: Any) -> None:
    assert book["Tổng hợp"].freeze_panes == f"B{MATRIX_HEADER_ROW + 1}"
    for name in SHEETS[1:]:
        assert book[name].freeze_panes == "A2"
    assert book["Báo cáo"].auto_filter.ref == f"A1:N{len(data.updates) + 1}"
    for ws in book.worksheets:
        for col in range(1, ws.max_column + 1):
            letter = openpyxl.utils.get_column_letter(col)
            assert 0 < ws.column_dimensions[letter].width <= 60, (ws.title, letter)
    matrix = book["Tổng hợp"]
    assert matrix.column_dimensions["A"].width >= len("Viện Năng lượng nguyên tử VN")
    assert matrix.column_dimensions["B"].width >= len("Đang thực hiện 100%")
    assert book["Báo cáo"].column_dimensions["F"].width == 60  # the note column, capped


def test_wrapped_rows_are_tall_enough(data: ExportData, book: Any) -> None:
    ws = book["Báo cáo"]
    note_col = UPDATE_COLUMNS.index("note") + 1
    for r in range(2, ws.max_row + 1):
        note, height = ws.cell(r, note_col).value, ws.row_dimensions[r].height
        if note == "Dòng 1\nDòng 2\r\nDòng 3":
            assert height is not None and height >= 45
        elif note == NOTES[6]:
            assert height == 409  # Excel's tallest row
    assert all(d.height is None or 0 < d.height <= 409 for d in ws.row_dimensions.values())


def test_workbook_properties(book: Any) -> None:
    assert book.properties.title == "Khối thi đua Văn phòng – Viện – 6 tháng cuối năm 2023"
    assert book.properties.description == "Xuất lúc: 14:05 20/11/2023"


def test_late_and_attendance(data: ExportData, book: Any) -> None:
    unit = data.units[-1]
    assert rows(book["Chưa báo cáo"], 2) == [
        [unit.name, unit.short_name, f"0/{len(data.tasks)}", "chưa báo cáo nhiệm vụ nào",
         "Trần Văn Bình; Lê Thị Cúc"]]
    got = rows(book["Tham dự hội nghị"], 2)
    assert got[:len(data.attendance)] == [
        [a.conference, a.when, a.who, a.answer, a.attendee]
        for a in data.attendance]
    # then how many units answered what, per conference
    assert got[len(data.attendance) + 1][0] == "Tổng hợp trả lời"
    counted = got[len(data.attendance) + 2]
    assert counted[0] == data.attendance[0].conference and ": " in counted[3]


def test_empty_data_still_a_workbook_with_headers() -> None:
    book = load(empty_data())
    assert book.sheetnames == SHEETS
    assert rows(book["Báo cáo"]) == [UPDATE_HEADERS, ["Chưa có dữ liệu"] + [None] * 13]
    assert rows(book["Chưa báo cáo"])[1][0] == "Chưa có dữ liệu"
    assert rows(book["Tham dự hội nghị"])[1][0] == "Chưa có dữ liệu"
    matrix = book["Tổng hợp"]
    assert matrix.cell(MATRIX_HEADER_ROW, 1).value == "Đơn vị"
    assert matrix.cell(MATRIX_HEADER_ROW + 1, 1).value == "Chưa có dữ liệu"
    assert matrix.freeze_panes == f"B{MATRIX_HEADER_ROW + 1}"
    assert book["Báo cáo"].auto_filter.ref == "A1:N2"
    text = render_csv(empty_data()).decode("utf-8-sig")
    assert text.endswith("\r\n") and text.count("\n") == 1
    assert list(csv.reader(io.StringIO(text, newline=""))) == [UPDATE_HEADERS]


def test_one_unit() -> None:
    data = make_data(n_units=1, n_tasks=3, versions=2)
    book = load(data)
    assert rows(book["Tổng hợp"], MATRIX_HEADER_ROW)[:2] == [
        ["Đơn vị", "NV1", "NV2", "NV3", "Đã báo cáo"],
        ["VP Bộ", "—", "Chưa thực hiện 0%", "Hoàn thành 14%", "2/3"],
    ]
    assert rows(book["Chưa báo cáo"], 2) == [["Tất cả đơn vị đã báo cáo đủ", None, None, None,
                                               None]]
    assert rows(book["Báo cáo"], 2) == [expected_update(u) for u in data.updates]


def test_units_without_tasks_say_no_data() -> None:
    book = load(make_data(n_units=2, n_tasks=0))
    assert rows(book["Tổng hợp"], MATRIX_HEADER_ROW)[:2] == [
        ["Đơn vị", None], ["VP Bộ", "Chưa có dữ liệu"]]


def test_text_excel_cannot_hold_is_cleaned() -> None:
    base = make_data(n_units=1, n_tasks=2, versions=1)
    row = base.updates[0]
    odd = dataclasses.replace(row, note="a\x00b\x07c\td", author="x" * 40000)
    data = dataclasses.replace(base, updates=(odd,))
    got = rows(load(data)["Báo cáo"], 2)[0]
    assert got[5] == "abc\td"
    assert got[7] == "x" * 32767
    assert "," + "x" * 40000 + "," in render_csv(data).decode("utf-8-sig")  # CSV: exact


def test_csv_bom_crlf_and_same_rows(data: ExportData, book: Any) -> None:
    raw = render_csv(data)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.startswith('Đơn vị,Nhiệm vụ,') and text.endswith("\r\n")
    assert text.split("\n", 1)[0].endswith("\r")  # records end in CRLF
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[0] == UPDATE_HEADERS == [DEFAULT_LABELS[k] for k in UPDATE_COLUMNS]
    sheet = [["" if v is None else str(v) for v in r] for r in rows(book["Báo cáo"], 2)]
    assert parsed[1:] == sheet
    assert "=SUM(A1)" in {r[5] for r in parsed[1:]}
    assert "Dòng 1\nDòng 2\r\nDòng 3" in {r[5] for r in parsed[1:]}


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_libreoffice_prints_vietnamese(tmp_path: Path) -> None:
    data = make_data(n_units=3, n_tasks=4, versions=2)
    source = tmp_path / "export.xlsx"
    source.write_bytes(render_xlsx(data))
    profile = (tmp_path / "profile").as_uri()  # own profile: no clash with a running office
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=60,
    )
    pdf = tmp_path / "export.pdf"
    assert pdf.exists()
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                         capture_output=True, timeout=30).stdout.decode("utf-8")
    text = _flat(out)
    for expected in ("Khối thi đua Văn phòng – Viện", "6 tháng cuối năm 2023", "Viện CL",
                     "Đang thực hiện", "Danh sách nhiệm vụ", "đẩy mạnh chuyển đổi số",
                     "Nguyễn Văn A, Phó Viện trưởng"):
        assert expected in text, expected
