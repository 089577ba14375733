"""The draft half-year report (.docx): content, layout, wording template, PDF rendering."""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import time
import zipfile
from html import unescape
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table

from bot.services.exports import docx_report
from bot.services.exports.data import ExportData, LateUnit, TaskRow, UnitRow, UpdateRow
from bot.services.exports.docx_report import DEFAULT_TEMPLATE, ReportTemplateError, render_docx
from storage.records import ProgressStatus

UNIT_NAMES = [
    ("HVKHCN", "Học viện Khoa học, Công nghệ và Đổi mới sáng tạo", "Học viện KHCN&ĐMST"),
    ("NLNT", "Viện Năng lượng nguyên tử Việt Nam", "Viện NLNTVN"),
    ("UDCN", "Viện Ứng dụng công nghệ", "Viện ƯDCN"),
    ("NCPTV", "Viện Nghiên cứu và Phát triển Vùng", "Viện NC&PT Vùng"),
    ("DGKH", "Viện Đánh giá khoa học và Định giá công nghệ", "Viện ĐGKH&ĐGCN"),
    ("SHTT", "Viện Khoa học sở hữu trí tuệ", "Viện KHSHTT"),
    ("NCSC", "Viện Nghiên cứu sáng chế và Khai thác công nghệ", "Viện NCSC&KTCN"),
    ("HNQT", "Trung tâm Nghiên cứu và Phát triển hội nhập khoa học và công nghệ quốc tế",
     "Trung tâm HNQT"),
    ("CTTD", "Văn phòng các Chương trình trọng điểm cấp nhà nước", "VP Chương trình trọng điểm"),
    ("CTQG", "Văn phòng các Chương trình khoa học và công nghệ quốc gia", "VP Chương trình QG"),
    ("CNCL", "Văn phòng Công nhận Chất lượng", "VP Công nhận Chất lượng"),
    ("DKHD", "Văn phòng Đăng ký hoạt động khoa học và công nghệ", "VP Đăng ký hoạt động"),
    ("UBVT", "Văn phòng Ủy ban Vũ trụ Việt Nam", "VP Ủy ban Vũ trụ"),
]
UNITS = tuple(UnitRow(code, name, short) for code, name, short in UNIT_NAMES)
STATUS_WORD = {
    ProgressStatus.NOT_STARTED: "chưa bắt đầu",
    ProgressStatus.IN_PROGRESS: "đang thực hiện",
    ProgressStatus.DONE: "hoàn thành",
    ProgressStatus.BLOCKED: "gặp khó khăn",
}
STATUS_SHORT = {
    ProgressStatus.NOT_STARTED: "CBĐ",
    ProgressStatus.IN_PROGRESS: "ĐTH",
    ProgressStatus.DONE: "HT",
    ProgressStatus.BLOCKED: "KK",
}
HEADINGS = (
    "I. KẾT QUẢ THỰC HIỆN",
    "II. CÁC PHONG TRÀO THI ĐUA VÀ ĐIỂN HÌNH",
    "III. PHƯƠNG HƯỚNG KỲ TỚI",
)
MOVEMENTS = (
    "Khoa học và Công nghệ đồng hành cùng doanh nghiệp",
    "Cả nước chung tay vì người nghèo",
)


def update(unit: UnitRow, task: TaskRow, status: ProgressStatus, percent: int, note: str, *,
           help_needed: str | None = None, version: int = 1,
           withdrawn: bool = False) -> UpdateRow:
    """One stored version of a unit's report."""
    return UpdateRow(unit=unit, task=task, status=status, status_label=status.value,
                     percent=percent, note=note, help_needed=help_needed, author="Nguyễn Văn A",
                     time=f"09:{version:02d} 0{version}/12/2023", version=version,
                     withdrawn=withdrawn, on_behalf=False, attachments=())


def export(units: tuple[UnitRow, ...], tasks: tuple[TaskRow, ...],
           updates: tuple[UpdateRow, ...] = (), **changes: object) -> ExportData:
    """An ExportData with ``latest`` and ``late`` derived from ``updates`` as the builder does."""
    latest: dict[tuple[str, int], UpdateRow] = {}
    for row in updates:
        key = (row.unit.code, row.task.number)
        if row.withdrawn:
            latest.pop(key, None)
        else:
            latest[key] = row
    late = []
    for u in units:  # every task concerns every unit here
        missing = tuple(t.number for t in tasks if (u.code, t.number) not in latest)
        if missing:
            late.append(LateUnit(u, (), reported=len(tasks) - len(missing), required=len(tasks),
                                 missing=missing))
    values: dict[str, object] = {
        "ministry": "Bộ Khoa học và Công nghệ", "bloc_name": "Khối thi đua Văn phòng – Viện",
        "year": 2023, "theme": "Kỷ cương, kết nối, đổi mới, thành công",
        "period_title": "6 tháng cuối năm 2023", "period_code": "2023-H2",
        "deadline": "Thứ Sáu, 08/12/2023", "generated_at": "10:00 13/12/2023",
        "place": "Hà Nội", "report_date": (13, 7, 2023), "units": units, "tasks": tasks,
        "latest": latest, "updates": updates,
        "late": tuple(late),
        "attendance": (), "movements": MOVEMENTS, "next_period_title": "năm 2024",
        "next_tasks": (TaskRow(1, "Tổ chức Hội nghị Tổng kết công tác thi đua năm 2023.",
                               "Thứ Sáu, 12/01/2024"),
                       TaskRow(2, "Xây dựng Giao ước thi đua năm 2024.", None)),
    }
    values.update(changes)
    return ExportData(**values)  # type: ignore[arg-type]


def big_export() -> ExportData:
    """13 units × 20 tasks, with several versions, withdrawals and a unit that never reported."""
    tasks = tuple(TaskRow(n, f"Nhiệm vụ thử nghiệm số {n} của Khối thi đua", None)
                  for n in range(1, 21))
    statuses = list(ProgressStatus)
    updates: list[UpdateRow] = []
    for i, unit in enumerate(UNITS[:-1]):  # the last unit stays silent
        for task in tasks:
            if (i + task.number) % 7 == 0:
                continue  # no report on this task
            for version in range(1, 2 + (i + task.number) % 3):
                status = statuses[(i * 7 + task.number + version) % 4]
                percent = {ProgressStatus.DONE: 100, ProgressStatus.NOT_STARTED: 0}.get(
                    status, (i * 13 + task.number * 7 + version) % 90 + 5)
                help_needed = (f"Đề nghị Khối hỗ trợ {unit.code}-{task.number}-{version}"
                               if status is ProgressStatus.BLOCKED else None)
                note = f"{unit.short_name}: nhiệm vụ {task.number}, bản {version} <b>&amp;</b>"
                updates.append(update(unit, task, status, percent, note,
                                      help_needed=help_needed, version=version))
            if (i * task.number) % 11 == 5:  # a withdrawn last version: the one before stands
                updates.append(update(unit, task, ProgressStatus.DONE, 100,
                                      f"rút lại {unit.code}-{task.number}", version=9,
                                      withdrawn=True))
    return export(UNITS, tasks, tuple(updates))


def read(data: ExportData, template: Path = DEFAULT_TEMPLATE) -> DocxDocument:
    """Render and read the bytes back."""
    return Document(io.BytesIO(render_docx(data, template)))


def texts(doc: DocxDocument) -> list[str]:
    """Body paragraphs' texts (tables excluded)."""
    return [p.text for p in doc.paragraphs]


def appendix(doc: DocxDocument) -> Table:
    return doc.tables[-1]


def expected_line(row: UpdateRow) -> str:
    """The report's line of an update: its note as a sentence (ending with a full stop)."""
    note = row.note.strip()
    note += "" if note[-1:] in (".", "!", "?", "…", ":", ";") else "."
    return f"– {row.unit.name} ({STATUS_WORD[row.status]}, {row.percent}%): {note}"


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


def test_page_size_margins_and_fonts() -> None:
    doc = read(big_export())
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    for length, mm in ((section.page_width, 210), (section.page_height, 297),
                       (section.top_margin, 20), (section.bottom_margin, 20),
                       (section.left_margin, 30), (section.right_margin, 15)):
        assert length is not None and abs(length.mm - mm) < 0.1
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    fonts = [el for el in defaults.iter(qn("w:rFonts"))] + [
        doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))]
    for rfonts in fonts:
        assert {k.split("}")[1]: v for k, v in rfonts.attrib.items()} == {
            "ascii": "Times New Roman", "hAnsi": "Times New Roman",
            "eastAsia": "Times New Roman", "cs": "Times New Roman"}
    normal = doc.styles["Normal"].font
    assert normal.size.pt == 14 and str(normal.color.rgb) == "000000"
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for c in t._cells for p in c.paragraphs for r in p.runs]
    assert all(r.font.name is None and r.font.color.rgb is None for r in runs)
    assert all(12 <= r.font.size.pt <= 14 for p in doc.paragraphs for r in p.runs)
    body = next(p for p in doc.paragraphs if p.text.startswith("Tính đến ngày "))
    fmt = body.style.paragraph_format
    assert body.style.name == "Report Body" and fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert 1.0 <= fmt.first_line_indent.cm <= 1.27 and 1.15 <= fmt.line_spacing <= 1.3


def test_heading_block_motto_and_date() -> None:
    doc = read(big_export())
    head = doc.tables[0]
    left, right = head.cell(0, 0).paragraphs, head.cell(0, 1).paragraphs
    assert [p.text for p in left[:2]] == ["BỘ KHOA HỌC VÀ CÔNG NGHỆ",
                                          "KHỐI THI ĐUA VĂN PHÒNG – VIỆN"]
    assert left[1].runs[0].bold and not left[0].runs[0].bold
    assert left[0].runs[0].font.size.pt in (12, 13)
    assert left[2].text == "" and left[2]._p.pPr.find(qn("w:pBdr")) is not None  # the rule
    assert [p.text for p in right[:2]] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                           "Độc lập - Tự do - Hạnh phúc"]
    assert right[0].runs[0].bold and right[0].runs[0].font.size.pt in (12, 13)
    assert right[1].runs[0].bold and right[1].runs[0].font.size.pt in (13, 14)
    assert right[2]._p.pPr.find(qn("w:pBdr")) is not None
    assert head.cell(1, 0).text == "Số: …/BC-…"
    date = head.cell(1, 1).paragraphs[0]
    assert date.text == "Hà Nội, ngày 13 tháng 7 năm 2023" and date.runs[0].italic
    body = texts(doc)
    title = doc.paragraphs[body.index("BÁO CÁO")]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and title.runs[0].bold
    subject = ("Công tác thi đua, khen thưởng 6 tháng cuối năm 2023 "
               "của Khối thi đua Văn phòng – Viện")
    assert body[body.index("BÁO CÁO") + 1] == subject
    closing = doc.tables[1]
    recipients = closing.cell(0, 0).paragraphs
    assert recipients[0].text == "Nơi nhận:" and recipients[0].runs[0].italic
    assert recipients[0].runs[0].bold and recipients[0].runs[0].font.size.pt == 12
    assert [p.text for p in recipients[1:]] == [
        "- Hội đồng Thi đua – Khen thưởng Bộ;", "- Vụ Thi đua – Khen thưởng;",
        "- Các đơn vị thành viên;", "- Lưu: …"]
    assert closing.cell(0, 1).text.startswith("KHỐI TRƯỞNG\n(Ký, ghi rõ họ tên)")


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


def test_custom_template_rewords_and_falls_back(tmp_path: Path) -> None:
    custom = tmp_path / "report.toml"
    custom.write_text('[results]\nheading = "I. KẾT QUẢ ĐẠT ĐƯỢC"\n\n[title]\nintro = ""\n',
                      encoding="utf-8")
    data = export(UNITS[:2], (TaskRow(1, "Nhiệm vụ một", None),))
    default, changed = texts(read(data)), texts(read(data, custom))
    assert "I. KẾT QUẢ THỰC HIỆN" in default and "I. KẾT QUẢ THỰC HIỆN" not in changed
    assert "I. KẾT QUẢ ĐẠT ĐƯỢC" in changed
    assert HEADINGS[1] in changed and "BÁO CÁO" in changed  # the rest from the default file
    assert any(t.startswith("Thực hiện Giao ước") for t in default)
    assert not any(t.startswith("Thực hiện Giao ước") for t in changed)  # "" drops the line


def test_broken_template_is_refused(tmp_path: Path) -> None:
    custom = tmp_path / "report.toml"
    custom.write_text('[results]\nheading = "I. {kết_quả}"\n', encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"results\.heading"):
        render_docx(export(UNITS[:1], ()), custom)
    custom.write_text('[closing]\nrecipients = "- Vụ TĐKT;"\n', encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"closing\.recipients"):
        render_docx(export(UNITS[:1], ()), custom)


def test_code_has_no_vietnamese_wording_of_its_own() -> None:
    tree = ast.parse(Path(docx_report.__file__).read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    literals = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                and isinstance(node.value, str) and id(node) not in docstrings]
    assert literals and not [t for t in literals if any(c.isalpha() and not c.isascii() for c in t)]


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) and pdftotext are needed to render a PDF")
def test_renders_to_pdf_with_vietnamese_text(tmp_path: Path) -> None:
    source = tmp_path / "baocao.docx"
    source.write_bytes(render_docx(big_export()))
    started = time.perf_counter()
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=60)
    assert time.perf_counter() - started < 20
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "baocao.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    for wanted in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "BÁO CÁO", "KHỐI THI ĐUA VĂN PHÒNG", "Hà Nội, ngày 13 tháng 7 năm 2023",
                   "I. KẾT QUẢ THỰC HIỆN", "Viện Ứng dụng công nghệ", "Nơi nhận:",
                   "KHỐI TRƯỞNG", "PHỤ LỤC"):
        assert wanted in text


def _pdf_words(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float]]:
    """(word, x min, y min, x max) of every word on a page, as pdftotext places them."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], check=True, capture_output=True, text=True).stdout
    pattern = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                         r'yMax="[\d.]+">([^<]*)</word>')
    return [(unescape(word), float(x0), float(y0), float(x1))
            for x0, y0, x1, word in pattern.findall(html)]


def _with_font(docx: bytes, family: str) -> bytes:
    """The same document with every run set in ``family`` (a PC that lacks Times)."""
    source, out = zipfile.ZipFile(io.BytesIO(docx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith(".xml"):
                data = data.replace(b"Times New Roman", family.encode())
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) and pdftotext are needed to render a PDF")
@pytest.mark.parametrize("family", ["Times New Roman", "DejaVu Serif"])
def test_the_national_name_stays_on_one_line_beside_the_issuer_in_any_common_serif(
    tmp_path: Path, family: str,
) -> None:
    source = tmp_path / "baocao.docx"
    source.write_bytes(_with_font(render_docx(big_export()), family))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=60)
    pdf = tmp_path / "baocao.pdf"
    if family == "Times New Roman":  # set in Times or its metric twin, never a wider stand-in
        fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                               text=True).stdout
        assert re.search(r"TimesNewRoman|LiberationSerif|Tinos", fonts), (
            "no font metric-compatible with Times New Roman: install fonts-liberation2 "
            f"(make test-tools)\n{fonts}")
    words = _pdf_words(pdf)
    nation = ["CỘNG", "HÒA", "XÃ", "HỘI", "CHỦ", "NGHĨA", "VIỆT", "NAM"]
    start = next(i for i in range(len(words)) if [w for w, *_ in words[i:i + len(nation)]]
                 == nation)
    line = words[start:start + len(nation)]
    assert len({round(y) for _, _, y, _ in line}) == 1  # one line, not "…VIỆT / NAM"
    left_edge = min(x for _, x, _, _ in line)
    issuer = [w for w in words if w[0] in {"KHOA", "HỌC", "KHỐI", "THI", "ĐUA"}
              and w[2] < line[0][2] + 40]
    assert issuer and all(x_max < left_edge for _, _, _, x_max in issuer)


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
