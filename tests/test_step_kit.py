"""The pieces forms share (``bot/kernel/steps.py``), as people meet them: every unit picker
takes a code, a name or an alias; a date is refused with an example; an empty answer is
asked again; back and close read the same everywhere."""

from __future__ import annotations

from bot.app.runtime import Runtime
from storage.records import Role
from tests.chat import plain
from tests.test_core import registered


async def test_every_unit_picker_takes_a_code_a_name_or_an_alias(runtime: Runtime) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    await chair.say("/tinhhinh")
    await chair.say("Xem một đơn vị")
    viewed = plain(await chair.say("vien so huu tri tue"))  # the full name, no diacritics
    assert viewed.startswith("Viện Khoa học sở hữu trí tuệ")
    await chair.say("/huy")
    await chair.say("/capnhat")  # the chair reports on behalf of a unit: which one?
    asked = plain(await chair.say("VIPRI"))  # an alias from the bloc file
    assert "Chọn nhiệm vụ cần báo cáo" in asked
    await chair.say("/huy")
    await chair.say("/lichnhac")
    await chair.say("Tạm dừng nhắc một đơn vị")
    paused = plain(await chair.say("CNCL"))  # its code
    assert "VP CNCL" in paused or "Văn phòng Công nhận Chất lượng" in paused


async def test_a_unit_nobody_knows_is_named_back(runtime: Runtime) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    await chair.say("/tinhhinh")
    await chair.say("Xem một đơn vị")
    refused = plain(await chair.say("Viện Vật lý thiên văn"))
    assert "Không tìm thấy đơn vị “Viện Vật lý thiên văn”" in refused
    assert "Xem đơn vị nào?" in refused  # and the question is asked again


async def test_a_date_that_is_not_one_gets_an_example_and_an_empty_title_is_asked_again(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    await chair.say("/quanlynhiemvu")
    await chair.say("Thêm nhiệm vụ")
    again = plain(await chair.say("   "))
    assert "Vui lòng nhập nội dung cho mục này." in again
    await chair.say("Giải bóng đá của Khối")
    await chair.say("-")
    refused = plain(await chair.say("ngày mai"))
    assert "“ngày mai” không phải là ngày hợp lệ. Ví dụ: 4/12/2026" in refused  # near today


async def test_closing_a_view_reads_the_same_in_every_feature(runtime: Runtime) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    closed = []
    for command in ("/tinhhinh", "/lichnhac", "/hoinghi"):
        await chair.say(command)
        closed.append(plain(await chair.say("Đóng")))
    assert closed == ["Đã đóng."] * 3


async def test_every_unit_picker_has_back_and_close_and_numbers_beyond_it_are_named(
    runtime: Runtime,
) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    await chair.say("/tinhhinh")
    picker = (await chair.say("Xem một đơn vị")).replies[-1]
    assert [o.label for o in picker.options] == ["Viện ƯDCN", "VP CNCL", "Viện KHSHTT",
                                                 "Quay lại", "Đóng"]
    refused = plain(await chair.say("9"))  # a number past the menu, not a unit's name
    assert "Không có mục số 9. Vui lòng chọn từ 1 đến 4." in refused  # "Đóng" has no number
    back = plain(await chair.press(chair.last_reply(), "Quay lại"))
    assert "Tình hình thực hiện" in back  # the overview again, its menu under it
    await chair.say("Xem một nhiệm vụ")
    tasks = chair.last_reply()
    assert [o.label for o in tasks.options][-2:] == ["Quay lại", "Đóng"]
    assert plain(await chair.press(tasks, "Đóng")) == "Đã đóng."
    assert "Tình hình" not in plain(await chair.say("Xem một đơn vị"))  # the view is closed

    await chair.say("/capnhat")  # on behalf of a unit: the first question, so no "Back"
    assert [o.label for o in chair.last_reply().options][-2:] == ["Viện KHSHTT", "Đóng"]
    tasks_of_unit = (await chair.say("VIPRI")).replies[-1]
    assert [o.label for o in tasks_of_unit.options][-2:] == ["Quay lại", "Đóng"]
    again = (await chair.press(tasks_of_unit, "Quay lại")).replies[-1]
    assert again.text == "Báo cáo thay cho đơn vị nào?"
    assert plain(await chair.press(again, "Đóng")) == "Đã đóng."

    await chair.say("/lichnhac")
    picker = (await chair.say("Tạm dừng nhắc một đơn vị")).replies[-1]
    assert [o.label for o in picker.options][-2:] == ["Quay lại", "Đóng"]
    menu = (await chair.press(picker, "Quay lại")).replies[-1]
    assert "Tạm dừng nhắc một đơn vị" in [o.label for o in menu.options]

    await chair.say("/moi")
    roles = chair.last_reply()
    units = (await chair.press(roles, "Đầu mối")).replies[-1]
    assert [o.label for o in units.options][-2:] == ["Quay lại", "Đóng"]
    assert plain(await chair.press(units, "Đóng")) == "Đã đóng."


async def test_close_has_no_number_so_a_typed_number_never_closes_a_form(
    runtime: Runtime,
) -> None:
    an = await registered(runtime, "1", unit="SHTT")
    tasks = (await an.say("/capnhat")).replies[-1]
    assert [o.label for o in tasks.options] == [
        "1. Tổ chức Hội nghị Tổng kết — chưa báo cáo",
        "2. Biểu dương điển hình <tiên tiến> & nhân tố mới — chưa báo cáo", "Đóng"]
    # a numbered menu (Zalo) shows 1 and 2, and "0. Thoát": 3 is not "Đóng"
    refused = plain(await an.say("3"))
    assert "Không có mục số 3. Vui lòng chọn từ 1 đến 2." in refused
    assert plain(await an.say("đóng")) == "Đã đóng."  # by its name it closes
    # Back and Close typed as an answer's text are text, not a way out
    await an.say("/capnhat 1 50%")
    went_on = plain(await an.say("__leave__"))  # the note's text
    assert "Đã đóng" not in went_on and "Nếu có báo cáo, biên bản" in went_on
