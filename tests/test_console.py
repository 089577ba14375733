"""The console channel as a demo user sees it: numbered options, plain text, saved files."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from bot.app.demo import demo_personas
from bot.app.runtime import Runtime
from bot.channels.console import CHANNEL, ConsoleChannel, Persona
from bot.domain.events import Option, OutFile, Reply, Response
from tests.conftest import ROOT


async def personas(runtime: Runtime) -> list[Persona]:
    return await demo_personas(runtime.repo, runtime.bloc, runtime.clock.now(), runtime.texts)


async def console(runtime: Runtime, script: str, tmp_path: Path,
                  as_who: str | None = None) -> str:
    out = io.StringIO()
    channel = ConsoleChannel(runtime.dispatcher.handle, runtime.texts, await personas(runtime),
                             bloc_name=runtime.bloc.name,
                             out_dir=tmp_path / "out", stdin=io.StringIO(script), stdout=out)
    runtime.channels.add(CHANNEL, channel)
    await channel.run(as_who)
    return out.getvalue()


async def test_personas_cover_chair_deputy_liaison_and_every_unit(runtime: Runtime) -> None:
    codes = [p.code for p in await personas(runtime)]
    assert codes == ["chair", "deputy", "liaison", "UDCN", "CNCL", "SHTT"]
    again = [p.code for p in await personas(runtime)]  # idempotent
    assert again == codes
    assert len(await runtime.repo.list_members(runtime.bloc.id)) == 6


async def test_options_are_numbered_and_chosen_by_number_or_label(
    runtime: Runtime, tmp_path: Path,
) -> None:
    out = await console(runtime, "/moi\nkhoi pho\n2\n", tmp_path, as_who="deputy")
    assert "  1. Đầu mối\n  2. Khối trưởng\n  3. Khối phó\n" in out
    assert "(gõ số thứ tự hoặc tên lựa chọn)" in out
    assert "Khối phó — Văn phòng Công nhận Chất lượng" in out  # label without diacritics
    assert "<b>" not in out and "&amp;" not in out


async def test_unknown_persona_is_explained_and_the_demo_asks_again(
    runtime: Runtime, tmp_path: Path,
) -> None:
    out = await console(runtime, "nobody\n3\n/trogiup\n/as shtt\n/trogiup\n", tmp_path)
    assert "Không có vai “nobody”" in out
    assert "— Vai trò hiện tại: Cán bộ Vụ TĐKT (demo) —" in out
    assert "— Vai trò hiện tại: Đầu mối Viện KHSHTT (demo) —" in out


async def test_files_sent_to_the_console_are_saved_and_their_path_printed(
    runtime: Runtime, tmp_path: Path,
) -> None:
    out = io.StringIO()
    channel = ConsoleChannel(runtime.dispatcher.handle, runtime.texts, [],
                             bloc_name=runtime.bloc.name, out_dir=tmp_path / "out",
                             stdin=io.StringIO(""),
                             stdout=out)
    channel.render(Response([
        Reply("Báo cáo <b>6 tháng</b>", file=OutFile("báo cáo/6 tháng.docx", b"DOCX", "x")),
        Reply("Chọn", options=(Option("Có", "y"),), token=3),
    ]))
    saved = list((tmp_path / "out").iterdir())
    assert len(saved) == 1 and saved[0].read_bytes() == b"DOCX"
    assert "/" not in saved[0].name.replace(str(tmp_path), "")
    text = out.getvalue()
    assert str(saved[0]) in text and "Báo cáo 6 tháng" in text and "  1. Có" in text


async def test_a_second_demo_in_the_same_folder_never_overwrites_an_earlier_file(
    runtime: Runtime, tmp_path: Path,
) -> None:
    for content in (b"FIRST", b"SECOND"):  # two demos, each starting its count afresh
        channel = ConsoleChannel(runtime.dispatcher.handle, runtime.texts, [],
                                 bloc_name=runtime.bloc.name, out_dir=tmp_path / "out",
                                 stdin=io.StringIO(""), stdout=io.StringIO())
        channel.render(Response([Reply("", file=OutFile("bao-cao.docx", content, "x"))]))
    saved = sorted((tmp_path / "out").iterdir())
    assert [(p.name, p.read_bytes()) for p in saved] == [
        ("001-bao-cao.docx", b"FIRST"), ("002-bao-cao.docx", b"SECOND")]


def test_the_demo_plays_the_example_year_from_its_script(tmp_path: Path) -> None:
    """``make demo-year``: the shipped script plays the covenant, the scoring, the
    cross-check, the settlement, the vote, the proposal, the report and the hand-over."""
    script = (ROOT / "demo" / "nam-thi-dua-2023.txt").read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot.app.cli", "demo", "--today", "2/1/2023",
         "--bloc-file", str(ROOT / "config" / "bloc.example.yaml"),
         "--out-dir", str(tmp_path)],
        input=script, capture_output=True, text=True, cwd=ROOT, timeout=240)
    said = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    for wanted in ("— Ngày giờ trong bản chạy thử: 09:00 03/01/2023 —",
                   "hạn ký Giao ước thi đua năm 2023 là",
                   "Không ghi được 12 điểm cho mục 1.2: điểm tối đa của mục này là 10.",
                   "Đã chốt kết quả chính thức: 13 đơn vị được xếp hạng.",
                   "Đơn vị của đồng chí đã bỏ phiếu ở vòng này.",
                   "Viện NLNTVN được suy tôn là đơn vị dẫn đầu Khối (12 phiếu",
                   "Đã gửi đề nghị #1: Nguyễn Văn Bình",
                   "Dự thảo báo cáo tổng kết công tác thi đua, khen thưởng năm 2023",
                   "Đã chuyển giao năm 2023 sang năm 2024."):
        assert wanted in said, wanted
    assert said.count("✅ Đã nộp bảng tự chấm điểm của đơn vị.") == 13
    assert "chỉ chuyển tới ngày sau" not in said and "Lỗi" not in said
    assert {path.name.partition("-")[2] for path in tmp_path.glob("*.docx")} >= {  # 001-…
        "giao-uoc-thi-dua-2023.docx", "bien-ban-binh-xet-2023.docx",
        "to-trinh-de-nghi-khen-thuong-2023.docx", "Bao-cao-tong-ket-2023.docx"}


def test_the_demo_plays_a_ministry_with_its_liaison() -> None:
    """``thidua demo --bloc-file config --as liaison``: the seed's bloc and the illustrative
    second one, side by side for the ministry's liaison, who opens the second."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.app.cli", "demo", "--bloc-file", str(ROOT / "config"),
         "--as", "liaison", "--today", "20/11/2023"],
        input="/sosanh\n/khoi cuc-minh-hoa\n/tinhhinh\n", capture_output=True, text=True,
        cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    said = done.stdout
    assert "So sánh 2 Khối thi đua" in said
    assert "Khối thi đua Văn phòng – Viện (vp-vien): 0/13 đủ" in said
    assert "Khối thi đua Các Cục (minh họa) (cuc-minh-hoa): 0/4 đủ" in said
    assert "• Cục A — chưa báo cáo nhiệm vụ nào" in said
