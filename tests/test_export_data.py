"""Exports hold exactly what the database holds: the example bloc, every unit, many versions."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from bot.app.runtime import open_runtime
from bot.domain.clock import FixedClock
from bot.services.exports.build import build_export, file_slug
from bot.services.exports.docx_report import render_docx
from bot.services.exports.xlsx import render_csv, render_xlsx
from config.settings import Settings
from storage.records import NewProgressUpdate, ProgressStatus, Role
from tests.conftest import EXAMPLE_BLOC
from tests.test_cli import thidua

NOTES = ("Đã tổ chức hội thảo “KH&CN đồng hành cùng doanh nghiệp” <b>",
         "=SUM(A1) không phải công thức", "Ghi chú 😀 với xuống dòng\nvà dấu cách cuối ")


async def test_every_update_of_13_units_reaches_the_workbook_csv_and_report(
    settings: Settings, clock: FixedClock,
) -> None:
    runtime = await open_runtime(settings.model_copy(update={"bloc_file": EXAMPLE_BLOC}),
                                 clock=clock)
    repo, bloc = runtime.repo, runtime.bloc
    period = (await repo.list_periods(bloc.id))[0]
    tasks = await repo.list_tasks(period.id)
    units = await repo.list_units(bloc.id)
    author = await repo.upsert_member(bloc_id=bloc.id, channel="test", external_id="1",
                                      display_name="Nguyễn Văn An", unit_id=units[0].id,
                                      role=Role.CHAIR, now=clock.now())
    statuses = list(ProgressStatus)
    for u, unit in enumerate(units[:-2]):  # the last two units stay silent
        for t, task in enumerate(tasks):
            for version in range(1 + (u + t) % 3):
                clock.advance(timedelta(minutes=1))
                await repo.record_update(NewProgressUpdate(
                    unit_id=unit.id, task_id=task.id, status=statuses[(u + t + version) % 4],
                    percent=(10 * (u + t + version)) % 101,
                    note=f"{NOTES[(u + version) % 3]} {unit.code}-{task.position}-{version}",
                    help_needed="Cần kinh phí" if statuses[(u + t + version) % 4]
                    is ProgressStatus.BLOCKED else None, author_member_id=author.id,
                    author_name=author.display_name, on_behalf=True), clock.now())
    data = await build_export(repo, bloc, period, t=runtime.texts.translator(), now=clock.now())
    stored = [(unit.short_name, task.position, v.note, v.percent, v.version)
              for unit in units for task in tasks
              for v in await repo.update_history(unit.id, task.id)]
    await runtime.close()

    assert len(data.units) == 13 and len(data.late) == 2
    sheet = load_workbook(io.BytesIO(render_xlsx(data)))["Báo cáo"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    rows = [dict(zip(header, (c.value for c in row), strict=False))
            for row in sheet.iter_rows(min_row=2)]
    assert sorted((r["Đơn vị"], r["Nhiệm vụ"], r["Kết quả"], r["Tỷ lệ (%)"], r["Phiên bản"])
                  for r in rows) == sorted(stored)
    # times are real dates (they sort and filter); a superseded version says so
    assert all(isinstance(r["Thời gian"], datetime) for r in rows)
    assert sheet.cell(2, header.index("Thời gian") + 1).number_format == "DD/MM/YYYY HH:MM"
    newest = {(r["Đơn vị"], r["Nhiệm vụ"]): r["Phiên bản"] for r in sorted(
        rows, key=lambda r: r["Phiên bản"])}
    assert all((r["Bản mới nhất"] == "Có") == (r["Phiên bản"] == newest[(r["Đơn vị"],
                                                                          r["Nhiệm vụ"])])
               for r in rows)
    assert any(r["Bản mới nhất"] == "Không" for r in rows)
    parsed = list(csv.reader(io.StringIO(render_csv(data).decode("utf-8-sig"))))
    assert len(parsed) == len(stored) + 1
    report = "\n".join(p.text for p in Document(io.BytesIO(render_docx(data))).paragraphs)
    latest_notes = {r.note for r in data.latest.values()}
    assert all(note.split("\n")[0] in report for note in latest_notes)


def test_thidua_export_writes_all_three_files(tmp_path: Path) -> None:
    for fmt in ("xlsx", "csv", "docx"):
        out = tmp_path / f"out.{fmt}"
        result = thidua("export", fmt, "--out", str(out), "--database", str(tmp_path / "x.db"),
                        "--bloc-file", str(EXAMPLE_BLOC), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert out.stat().st_size > 100 and "Đã xuất" in result.stdout
    missing = thidua("export", "xlsx", "--period", "2099-H1", "--out", str(tmp_path / "n.xlsx"),
                     "--database", str(tmp_path / "x.db"), "--bloc-file", str(EXAMPLE_BLOC),
                     cwd=tmp_path)
    assert missing.returncode == 2 and "Không tìm thấy kỳ" in missing.stderr


def test_file_names_are_safe_vietnamese_slugs() -> None:
    assert file_slug("6 tháng cuối năm 2023") == "6-thang-cuoi-nam-2023"
    assert file_slug("Kỳ: Đặc biệt / 2024") == "ky-dac-biet-2024"


async def test_the_matrix_has_totals_and_a_key_and_a_contacts_export_says_it_is_theirs(
    settings: Settings, clock: FixedClock,
) -> None:
    runtime = await open_runtime(settings, clock=clock)
    repo, bloc = runtime.repo, runtime.bloc
    period = (await repo.list_periods(bloc.id))[0]
    task = (await repo.list_tasks(period.id))[0]
    shtt = next(u for u in await repo.list_units(bloc.id) if u.code == "SHTT")
    author = await repo.upsert_member(bloc_id=bloc.id, channel="test", external_id="1",
                                      display_name="Nguyễn Văn An", unit_id=shtt.id,
                                      role=Role.CONTACT, now=clock.now())
    await repo.record_update(NewProgressUpdate(
        unit_id=shtt.id, task_id=task.id, status=ProgressStatus.DONE, percent=100,
        note="Đã tổ chức", help_needed=None, author_member_id=author.id,
        author_name=author.display_name, on_behalf=False), clock.now())
    t = runtime.texts.translator()
    whole = await build_export(repo, bloc, period, t=t, now=clock.now())
    own = await build_export(repo, bloc, period, t=t, now=clock.now(), unit_id=shtt.id)
    await runtime.close()

    matrix = load_workbook(io.BytesIO(render_xlsx(whole)))["Tổng hợp"]
    values = [[c.value for c in row] for row in matrix.iter_rows()]
    assert ["Viện KHSHTT", "Hoàn thành 100%", "—", "1/2"] in values  # each unit's n/m
    assert ["Số đơn vị đã báo cáo", "1/3", "0/3", None] in values  # each task's k/n
    column_a = [row[0] for row in values]
    assert "Chú thích" in column_a  # the colours' key below the task list
    assert {"Hoàn thành", "Chưa báo cáo", "Không áp dụng", "quá hạn"} <= {
        row[1] for row in values[column_a.index("Chú thích"):]}
    mine = load_workbook(io.BytesIO(render_xlsx(own)))["Tổng hợp"]
    assert mine.cell(2, 1).value == ("6 tháng cuối năm 2026 — chỉ gồm số liệu của Viện Khoa "
                                     "học sở hữu trí tuệ")
