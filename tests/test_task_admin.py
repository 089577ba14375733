"""The chair keeps the task list in chat; the changes survive reloads of the bloc file."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from bot.app.runtime import Runtime
from bot.domain.events import Message, Published, Traits
from config.bloc import parse_bloc_text
from storage.records import Role
from tests.chat import plain
from tests.conftest import SMALL_BLOC
from tests.test_core import registered


class GroupRecorder:
    """A channel that remembers what it posted and edited in the group."""

    traits = Traits()

    def __init__(self) -> None:
        self.posts: list[tuple[str, str | None]] = []

    async def send(self, chat_id: str, message: Message) -> None:
        return None

    async def publish(self, chat_id: str, messages: list[Message], *, pin: bool,
                      replace: str | None = None) -> Published:
        self.posts.append(("\n".join(m.text for m in messages), replace))
        return Published(replace or "post-1", pinned=pin)


async def titles(runtime: Runtime) -> list[str]:
    period = max(await runtime.repo.list_periods(runtime.bloc.id), key=lambda p: p.start)
    return [f"{t.position}. {t.title}" for t in await runtime.repo.list_tasks(period.id)]


async def reload_with(runtime: Runtime, bloc_file: Path, text: str) -> None:
    before = bloc_file.stat().st_mtime
    bloc_file.write_text(text, encoding="utf-8")
    os.utime(bloc_file, (before + 5, before + 5))
    await runtime._reload()


async def test_add_a_task_for_some_units_and_only_they_are_asked(runtime: Runtime) -> None:
    group = GroupRecorder()
    runtime.channels.add("test", group)
    chair = await registered(runtime, "1", Role.CHAIR, None)
    await runtime.repo.set_bloc_group(runtime.bloc.id, "test", "g1")  # as a post would learn
    assert "Đã đăng và ghim" in plain(await chair.say("/dangnhiemvu"))
    for answer in ("/quanlynhiemvu", "Thêm nhiệm vụ", "Giải bóng đá của Khối", "-",
                   "20/12/2026 8h", "VIPRI"):
        await chair.say(answer)
    assert "Thêm nhiệm vụ: Giải bóng đá của Khối?" in plain(chair.history[-1])
    done = plain(await chair.say("Lưu"))
    assert "Đã thêm nhiệm vụ" in done and "Đã cập nhật 1 danh sách" in done
    assert "3. Giải bóng đá của Khối" in group.posts[-1][0] and group.posts[-1][1] == "post-1"
    assert "Đơn vị thực hiện: Viện KHSHTT" in group.posts[-1][0]
    shtt = await registered(runtime, "2", unit="SHTT")
    cncl = await registered(runtime, "3", unit="CNCL")
    assert "3. Giải bóng đá" in " ".join(o.label for o in (await shtt.say("/capnhat")).replies[
        -1].options)
    assert "3. Giải bóng đá" not in " ".join(o.label for o in (await cncl.say("/capnhat"))
                                              .replies[-1].options)
    added = [e for e in await runtime.repo.list_audit() if e.action == "task.add"]
    assert len(added) == 1 and added[0].actor == "test:1"
    assert added[0].details["title"] == "Giải bóng đá của Khối"


async def test_edit_move_close_and_a_reload_keeps_the_chat_version(
    runtime: Runtime, small_bloc_file: Path,
) -> None:
    chair = await registered(runtime, "1", Role.CHAIR, None)
    for answer in ("/quanlynhiemvu", "Sửa nhiệm vụ", "1", "Tên nhiệm vụ",
                   "Tổ chức Hội nghị Tổng kết năm 2026", "Lưu"):
        await chair.say(answer)
    for answer in ("/quanlynhiemvu", "Đổi thứ tự", "2", "1", "Lưu"):
        await chair.say(answer)
    assert await titles(runtime) == ["1. Biểu dương điển hình <tiên tiến> & nhân tố mới",
                                     "2. Tổ chức Hội nghị Tổng kết năm 2026"]
    contact = await registered(runtime, "2", unit="SHTT")
    await contact.say("/capnhat 1 50% Đã lập danh sách")
    await contact.say("Gửi")

    data = yaml.safe_load(SMALL_BLOC)
    data["periods"][0]["tasks"] = [{"code": "1", "title": "Tên cũ trong tệp"}]  # task 2 removed
    await reload_with(runtime, small_bloc_file, yaml.safe_dump(data, allow_unicode=True))
    assert await titles(runtime) == ["1. Biểu dương điển hình <tiên tiến> & nhân tố mới",
                                     "2. Tổ chức Hội nghị Tổng kết năm 2026"]

    for answer in ("/quanlynhiemvu", "Đóng nhiệm vụ", "1", "Lưu"):
        await chair.say(answer)
    assert await titles(runtime) == ["1. Tổ chức Hội nghị Tổng kết năm 2026"]
    await reload_with(runtime, small_bloc_file, SMALL_BLOC)  # the file lists it again
    assert await titles(runtime) == ["1. Tổ chức Hội nghị Tổng kết năm 2026"]


async def test_a_reload_keeps_a_task_that_has_updates_and_says_so(
    runtime: Runtime,
) -> None:
    contact = await registered(runtime, "2", unit="SHTT")
    await contact.say("/capnhat 2 50% Đã lập danh sách")
    await contact.say("Gửi")
    data = yaml.safe_load(SMALL_BLOC)
    del data["periods"][0]["tasks"][1]
    config = parse_bloc_text(yaml.safe_dump(data, allow_unicode=True))
    summary = await runtime.repo.sync_bloc(
        config.model_copy(update={"timezone": "Asia/Ho_Chi_Minh"}), runtime.clock.now())
    assert summary.skipped == ("2026-H2/2: has updates, kept",)
    assert len(await titles(runtime)) == 2


async def test_open_a_new_period_and_prepare_its_tasks(runtime: Runtime) -> None:
    chair = await registered(runtime, "1", Role.CHAIR, None)
    for answer in ("/quanlynhiemvu", "Mở kỳ mới", "6 tháng đầu năm 2027", "1/1/2027"):
        await chair.say(answer)
    assert "Ngày kết thúc phải sau" in plain(await chair.say("1/12/2026"))
    await chair.say("30/6/2027")
    await chair.say("5/6/2027")
    assert "Đã mở kỳ mới" in plain(await chair.say("Lưu"))
    for answer in ("/quanlynhiemvu", "Thêm nhiệm vụ", "Phát động thi đua năm 2027", "-",
                   "Không có hạn", "Tất cả đơn vị", "Lưu"):
        await chair.say(answer)
    assert await titles(runtime) == ["1. Phát động thi đua năm 2027"]
    assert "Tổ chức Hội nghị" in plain(await chair.say("/nhiemvu"))  # still the current period


async def test_a_changed_deadline_and_units_are_read_back_in_plain_words(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "1", Role.CHAIR, None)
    for answer in ("/quanlynhiemvu", "Sửa nhiệm vụ", "2", "Hạn hoàn thành"):
        await chair.say(answer)
    review = plain(await chair.say("15/12/2026 17h"))
    assert review.startswith("Sửa hạn hoàn thành của nhiệm vụ 2. Biểu dương điển hình")
    assert "thành 17:00 Thứ Ba, 15/12/2026?" in review
    await chair.say("Hủy")
    for answer in ("/quanlynhiemvu", "Sửa nhiệm vụ", "2", "Đơn vị thực hiện"):
        await chair.say(answer)
    review = plain(await chair.say("SHTT, CNCL"))
    assert "thành Viện KHSHTT, VP CNCL?" in review  # names, not codes


async def test_the_chair_manages_the_list_of_a_period_other_than_the_newest(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "1", Role.CHAIR, None)
    for answer in ("/quanlynhiemvu", "Mở kỳ mới", "6 tháng đầu năm 2027", "1/1/2027",
                   "30/6/2027", "Không có hạn", "Lưu"):
        await chair.say(answer)
    menu = plain(await chair.say("/quanlynhiemvu"))
    assert "kỳ: 6 tháng đầu năm 2027" in menu  # the newest, by default
    picker = (await chair.say("Quản lý kỳ khác")).replies[-1]
    assert [o.label for o in picker.options] == [
        "6 tháng đầu năm 2027", "6 tháng cuối năm 2026", "Quay lại", "Đóng"]
    menu = plain(await chair.press(picker, "6 tháng cuối năm 2026"))
    assert "kỳ: 6 tháng cuối năm 2026" in menu
    for answer in ("Thêm nhiệm vụ", "Tổng kết phong trào thi đua năm 2026", "-",
                   "Không có hạn", "Tất cả đơn vị", "Lưu"):
        await chair.say(answer)
    assert await titles(runtime) == []  # not added to the newest period's list
    current = min(await runtime.repo.list_periods(runtime.bloc.id), key=lambda p: p.start)
    assert [t.title for t in await runtime.repo.list_tasks(current.id)][-1] == (
        "Tổng kết phong trào thi đua năm 2026")
