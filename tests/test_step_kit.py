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
    assert "nhiệm vụ nào" in asked
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
    assert "Vui lòng viết vài chữ cho mục này." in again
    await chair.say("Giải bóng đá của Khối")
    await chair.say("-")
    refused = plain(await chair.say("ngày mai"))
    assert "“ngày mai” không phải là ngày hợp lệ. Ví dụ: 15/12/2026" in refused


async def test_closing_a_view_reads_the_same_in_every_feature(runtime: Runtime) -> None:
    chair = await registered(runtime, "9", Role.CHAIR, None)
    closed = []
    for command in ("/tinhhinh", "/lichnhac", "/hoinghi"):
        await chair.say(command)
        closed.append(plain(await chair.say("Đóng")))
    assert closed == ["Đã đóng."] * 3
