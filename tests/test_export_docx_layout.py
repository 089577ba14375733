"""The draft report's layout after Decree 30/2020/NĐ-CP: A4 page, margins, fonts and sizes,
the heading block (issuer beside the national motto, rules, date line) and the closing; and,
where LibreOffice and pdftotext are installed, that it renders to a PDF with its Vietnamese
text intact and the national name on one line beside the issuer in any common serif.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
import zipfile
from html import unescape
from pathlib import Path

import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from bot.services.exports.docx_report import render_docx
from tests.docx_helpers import big_export, read, texts


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

