"""The draft report (.docx) says what the period's data holds: every unit's latest update
under its task, the summary and the late units, the movements, the next period's tasks, the
signer, and the appendix's units × tasks table; an empty period says so in every section.
"""

from __future__ import annotations

import time

import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from bot.services.exports.data import TaskRow
from storage.records import ProgressStatus
from tests.docx_helpers import (
    HEADINGS,
    UNITS,
    appendix,
    big_export,
    expected_line,
    export,
    read,
    texts,
    update,
)

STATUS_SHORT = {
    ProgressStatus.NOT_STARTED: "CBĐ",
    ProgressStatus.IN_PROGRESS: "ĐTH",
    ProgressStatus.DONE: "HT",
    ProgressStatus.BLOCKED: "KK",
}


def test_big_report_attributes_every_latest_update_and_only_it() -> None:
    data = big_export()
    started = time.perf_counter()
    doc = read(data)
    assert time.perf_counter() - started < 5
    body = texts(doc)
    positions = [body.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert len(data.latest) > 150
    for row in data.latest.values():
        assert expected_line(row) in body
        if row.help_needed:
            assert f"Khó khăn, vướng mắc; đề xuất, kiến nghị: {row.help_needed}." in body
    stale = [row for row in data.updates if data.latest.get((row.unit.code, row.task.number))
             != row]
    assert stale and all(expected_line(row) not in body for row in stale)
    assert not any("rút lại" in text for text in body)
    assert "đề xuất, kiến nghị" not in "\n".join(
        t for t in body if "đang thực hiện" in t or "hoàn thành" in t)
    summary = next(t for t in body if t.startswith("Tính đến ngày "))
    assert data.complete == 0 and data.partial and data.silent
    assert (f"chưa có đơn vị nào gửi đủ báo cáo, {data.partial} đơn vị gửi chưa đủ "
            f"và {data.silent} đơn vị chưa gửi báo cáo về 20 nhiệm vụ") in summary
    silent = next(t for t in body if t.startswith("Các đơn vị chưa gửi báo cáo: "))
    assert UNITS[-1].name in silent
    late = next(t for t in body if t.startswith("Các đơn vị gửi chưa đủ báo cáo: "))
    partial = next(u for u in data.late if not u.silent)
    assert (f"{partial.unit.name} (còn thiếu nhiệm vụ "
            f"{', '.join(str(n) for n in partial.missing)})") in late
    assert "1. Nhiệm vụ thử nghiệm số 1 của Khối thi đua" in body
    assert "Khó khăn, vướng mắc" in body
    assert any(t.startswith("– Nhiệm vụ ") for t in body)


def test_appendix_is_the_units_by_tasks_matrix() -> None:
    data = big_export()
    doc = read(data)
    table = appendix(doc)
    # a row per unit and one of totals; a column of row numbers and one of totals
    assert len(table.rows) == len(data.units) + 2
    assert len(table.columns) == len(data.tasks) + 3
    assert [c.text for c in table.rows[0].cells] == [
        "TT", "Đơn vị", *(f"NV{n}" for n in range(1, 21)), "Đã báo cáo"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    for number, (unit, row) in enumerate(zip(data.units, table.rows[1:-1], strict=True), 1):
        assert [row.cells[0].text, row.cells[1].text] == [str(number), unit.name]
        reported = 0
        for task, cell in zip(data.tasks, row.cells[2:-1], strict=True):
            latest = data.latest.get((unit.code, task.number))
            want = "–" if latest is None else f"{STATUS_SHORT[latest.status]}\n{latest.percent}%"
            assert cell.text == want
            reported += latest is not None and not latest.withdrawn
        assert row.cells[-1].text == f"{reported}/20"
    totals = [cell.text for cell in table.rows[-1].cells]
    assert totals[0] == "Số đơn vị đã báo cáo"
    assert totals[2] == f"{sum(1 for u in data.units if (u.code, 1) in data.latest)}/13"
    assert doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    assert any(t.startswith("Ghi chú: ") and "HT: hoàn thành" in t for t in texts(doc))


@pytest.mark.parametrize(("date", "line"), [
    ((13, 7, 2023), "Hà Nội, ngày 13 tháng 7 năm 2023"),
    ((5, 1, 2024), "Hà Nội, ngày 05 tháng 01 năm 2024"),
    ((9, 12, 2024), "Hà Nội, ngày 09 tháng 12 năm 2024"),
    ((28, 2, 2025), "Hà Nội, ngày 28 tháng 02 năm 2025"),
])
def test_date_line_follows_the_decree(date: tuple[int, int, int], line: str) -> None:
    doc = read(export(UNITS[:1], (), report_date=date))
    assert doc.tables[0].cell(1, 1).text == line


def test_empty_period_says_so_in_every_section() -> None:
    tasks = (TaskRow(1, "Tổ chức Hội nghị Tổng kết", None),)
    doc = read(export(UNITS[:3], tasks, movements=(), next_tasks=(), next_period_title=None))
    body = texts(doc)
    assert all(heading in body for heading in HEADINGS)
    assert "Tính đến ngày 13/7/2023, chưa có đơn vị nào gửi báo cáo trong kỳ." in body
    assert "Trong kỳ, Khối chưa ghi nhận phong trào thi đua nào." in body
    assert "Danh sách nhiệm vụ kỳ tới của Khối chưa được xác định." in body
    table = appendix(doc)
    assert len(table.rows) == 5 and len(table.columns) == 4  # with the totals
    assert [row.cells[2].text for row in table.rows[1:-1]] == ["–", "–", "–"]
    assert [row.cells[3].text for row in table.rows[1:-1]] == ["0/1", "0/1", "0/1"]
    assert doc.sections[-1].orientation == WD_ORIENT.PORTRAIT

    nothing = read(export((), (), movements=(), next_tasks=()))
    assert "Kỳ báo cáo chưa có danh sách nhiệm vụ." in texts(nothing)
    assert len(appendix(nothing).rows) == 1 and len(appendix(nothing).columns) == 2


def test_one_unit_text_is_written_exactly() -> None:
    unit = UNITS[5]
    task = TaskRow(1, "Đẩy mạnh công tác thông tin truyền thông về KH&CN", "Thứ Sáu, 08/12/2023")
    note = "Đã đăng 12 tin <b>bài</b> & {ảnh}\nDòng hai: “trích dẫn”\x07"
    rows = (update(unit, task, ProgressStatus.IN_PROGRESS, 60, "bản cũ"),
            update(unit, task, ProgressStatus.BLOCKED, 60, note, version=2,
                   help_needed="Cần Vụ TĐKT hướng dẫn <mẫu> hồ sơ"))
    doc = read(export((unit,), (task,), rows))
    body = texts(doc)
    clean = note.replace("\x07", "")
    assert f"– Viện Khoa học sở hữu trí tuệ (gặp khó khăn, 60%): {clean}." in body
    assert ("Khó khăn, vướng mắc; đề xuất, kiến nghị: Cần Vụ TĐKT hướng dẫn <mẫu> hồ sơ."
            in body)
    # the difficulties section says what the difficulty is, not only who has one
    assert ("– Nhiệm vụ 1, Viện Khoa học sở hữu trí tuệ: Cần Vụ TĐKT hướng dẫn <mẫu> hồ sơ."
            in body)
    assert not any("bản cũ" in t for t in body)
    assert "Tính đến ngày 13/7/2023, 1/1 đơn vị đã gửi đủ báo cáo" in " ".join(body)
    assert "1. Tổ chức Hội nghị Tổng kết công tác thi đua năm 2023. (hạn: Thứ Sáu, 12/01/2024)" \
        in body
    assert "2. Xây dựng Giao ước thi đua năm 2024." in body
    assert "– Khoa học và Công nghệ đồng hành cùng doanh nghiệp;" in body
    assert "– Cả nước chung tay vì người nghèo." in body
    assert appendix(doc).cell(1, 2).text == "KK\n60%"


def test_the_signer_of_the_bloc_file_signs_and_the_appendix_names_the_report() -> None:
    doc = read(export(UNITS[:2], (TaskRow(1, "Tổ chức Hội nghị Tổng kết", None),),
                      signer_name="Hoàng Ngọc Nhân",
                      signer_title="Phó Viện trưởng phụ trách Viện Ứng dụng công nghệ"))
    signature = [p.text for p in doc.tables[1].cell(0, 1).paragraphs]
    assert signature[:3] == ["KHỐI TRƯỞNG", "PHÓ VIỆN TRƯỞNG PHỤ TRÁCH VIỆN ỨNG DỤNG CÔNG NGHỆ",
                             "(Ký, ghi rõ họ tên)"]
    assert signature[-1] == "Hoàng Ngọc Nhân"
    assert ("(Kèm theo Báo cáo số …/BC-… ngày 13 tháng 7 năm 2023 của Khối thi đua Văn phòng – "
            "Viện)") in texts(doc)


def test_tasks_not_concerning_a_unit_and_overdue_tasks_are_told_apart() -> None:
    first, second = UNITS[0], UNITS[1]
    task = TaskRow(1, "Tổ chức Hội nghị Tổng kết", "Thứ Sáu, 08/12/2023",
                   description="Theo Kế hoạch số 12/KH-KTĐ", overdue=(second.name,),
                   units=(second.code,))
    doc = read(export((first, second), (task,)))
    body = texts(doc)
    assert "Theo Kế hoạch số 12/KH-KTĐ" in body
    assert (f"Nhiệm vụ đã quá hạn hoàn thành (Thứ Sáu, 08/12/2023); đơn vị chưa báo cáo hoàn "
            f"thành: {second.name}.") in body
    table = appendix(doc)
    assert [row.cells[2].text for row in table.rows[1:-1]] == ["×", "–"]
    assert [row.cells[3].text for row in table.rows[1:-1]] == ["0/0", "0/1"]

