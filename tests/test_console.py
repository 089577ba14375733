"""The console channel as a demo user sees it: numbered options, plain text, saved files."""

from __future__ import annotations

import io
from pathlib import Path

from bot.app.demo import demo_personas
from bot.app.runtime import Runtime
from bot.channels.console import CHANNEL, ConsoleChannel, Persona
from bot.domain.events import Option, OutFile, Reply, Response


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
