"""``/tongket`` (``/yearreport``), ``/xuat diem`` and ``thidua export yearreport|scores``: the
year-end report (both halves, the movements and exemplary cases, the ranking, the vote, the
proposals, the next year) and the scores workbook, in chat and from the command line."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from bot.app.runtime import Runtime
from storage.records import Role
from tests.chat import plain
from tests.conftest import EXAMPLE_BLOC
from tests.test_awards import a_year, awarding  # noqa: F401 - the fixture
from tests.test_core import registered
from tests.test_export_data import thidua


async def test_the_year_report_gathers_the_whole_year(awarding: Runtime) -> None:  # noqa: F811
    chair = await a_year(awarding, progress=True)
    contact = await registered(awarding, "3", Role.CONTACT, "SHTT")
    assert "chỉ dành cho người có vai trò phù hợp" in plain(await contact.say("/tongket"))

    sent = await chair.say("/tongket")
    file = next(reply.file for reply in sent.replies if reply.file is not None)
    assert file.name == "Bao-cao-tong-ket-2026.docx"
    assert "Dự thảo báo cáo tổng kết công tác thi đua, khen thưởng năm 2026 (1 kỳ báo cáo)" \
        in plain(sent)
    docx = Document(io.BytesIO(file.content))
    text = "\n".join(p.text for p in docx.paragraphs)
    cells = [[cell.text for cell in row.cells] for table in docx.tables for row in table.rows]
    assert "Tổng kết công tác thi đua, khen thưởng năm 2026 của Khối thi đua Thử nghiệm" in text
    # I: the half's results, unit by unit
    assert "1. 6 tháng cuối năm 2026" in text
    assert "Viện Khoa học sở hữu trí tuệ (hoàn thành, 100%): Đã tổ chức Hội nghị Tổng kết." \
        in text
    # II: the exemplary cases the units nominated, the one left pending included
    assert "Nguyễn Văn Bình, Trưởng phòng (Viện Khoa học sở hữu trí tuệ): Có 2 sáng kiến " \
        "cấp Bộ." in text
    assert "Phòng Đánh giá (Văn phòng Công nhận Chất lượng)" in text
    # III: the ranking, provisional until the chair settles
    assert "tạm tính" in text
    assert ["1", "Viện Khoa học sở hữu trí tuệ", "20", "10", "0", "0", "30"] in cells
    assert ["3", "Viện Ứng dụng công nghệ", "15", "5", "0", "0", "20"] in cells
    # IV and V: the vote and the proposals
    assert ("Qua bỏ phiếu kín (vòng 1), Viện Khoa học sở hữu trí tuệ được suy tôn là đơn vị "
            "dẫn đầu Khối thi đua Thử nghiệm năm 2026 với 2/3 phiếu bầu.") in text
    assert "– Cờ thi đua của Bộ Khoa học và Công nghệ: Viện Khoa học sở hữu trí tuệ." in text
    assert ("– Bằng khen của Bộ trưởng (cá nhân) (1): Nguyễn Văn Bình, Trưởng phòng (Viện Khoa "
            "học sở hữu trí tuệ).") in text
    assert "– Bằng khen của Bộ trưởng (tập thể): không có đề nghị." in text
    assert "VI. PHƯƠNG HƯỚNG NĂM 2027" in text

    # the scores workbook: the ranking with numbers, and every line with its justification
    workbook = await chair.say("/xuat diem")
    file = next(reply.file for reply in workbook.replies if reply.file is not None)
    assert file.name == "Bang-diem-thi-dua-2026.xlsx"
    assert "3 đơn vị đã nộp bảng điểm" in plain(workbook)
    book = load_workbook(io.BytesIO(file.content))
    ranking = [list(row) for row in book["Xếp hạng"].iter_rows(values_only=True)]
    assert ranking[0][:7] == ["Hạng", "Đơn vị", "Nhóm 1", "Nhóm 2", "Điểm thưởng", "Điểm trừ",
                              "Tổng điểm"]
    assert ranking[1][:7] == [1, "Viện Khoa học sở hữu trí tuệ", 20, 10, 0, 0, 30]
    assert "Kết quả tạm tính" in str(ranking[-1][0])
    lines = [list(row) for row in book["Điểm từng tiêu chí"].iter_rows(values_only=True)]
    line = next(row for row in lines if row[:2] == ["Viện Ứng dụng công nghệ", "1.2"])
    assert line[3:6] == [10, 5, "Chưa đủ"] and line[8] == 5  # its maximum, own, why, final
    assert "do Khối trưởng, Khối phó" in plain(await contact.say("/xuat diem"))


def test_thidua_export_writes_the_year_report_and_the_scores(tmp_path: Path) -> None:
    common = ("--database", str(tmp_path / "x.db"), "--bloc-file", str(EXAMPLE_BLOC))
    report = tmp_path / "tong-ket.docx"
    done = thidua("export", "yearreport", "--year", "2023", "--out", str(report), *common,
                  cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = "\n".join(p.text for p in Document(str(report)).paragraphs)
    assert "Tổng kết công tác thi đua, khen thưởng năm 2023 của Khối thi đua Văn phòng – Viện" \
        in text
    assert "Khối chưa có kết quả bình xét, suy tôn đơn vị dẫn đầu năm 2023." in text
    scores = tmp_path / "diem.xlsx"
    done = thidua("export", "scores", "--out", str(scores), *common, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert load_workbook(scores).sheetnames == ["Xếp hạng", "Điểm từng tiêu chí"]
    mixed = thidua("export", "scores", "--period", "2023-H2", "--out", str(scores), *common,
                   cwd=tmp_path)
    assert mixed.returncode == 2 and "--year dùng với yearreport và scores" in mixed.stderr
