"""Many blocs on one deployment: ``THIDUA_BLOC_FILE`` names a folder, every bloc file in it is
loaded on its own (a broken one reported and skipped), each person belongs to the bloc of
their invite and sees that bloc only, and each bloc's reminders go to its own people."""

from __future__ import annotations

import io
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.app.runtime import Runtime, open_runtime
from bot.domain.clock import FixedClock
from bot.domain.events import ChatKind, Inbound, Membership, Response
from bot.domain.text import html_to_plain as plain_text
from bot.services import invites
from config.settings import Settings
from storage.records import Role
from tests.chat import Person, plain
from tests.conftest import SMALL_BLOC
from tests.test_cli import thidua

OTHER = """\
code: other-bloc
name: Khối thi đua Thứ hai
ministry: Bộ Khoa học và Công nghệ
year: 2026
chair: VKT
deputy: VDL
units:
  - {code: VKT, name: Viện Kinh tế số, short_name: Viện KTS}
  - {code: VDL, name: Viện Dữ liệu, short_name: Viện DL}
periods:
  - code: 2026-H2
    title: 6 tháng cuối năm 2026 (Khối hai)
    start: 1/7/2026
    end: 31/12/2026
    report_deadline: 30/11/2026
    tasks:
      - {code: "1", title: Xây dựng kho dữ liệu mở}
"""


@pytest.fixture
def ministry(tmp_path: Path) -> Path:
    folder = tmp_path / "blocs"
    folder.mkdir()
    (folder / "a-thu-nghiem.yaml").write_text(SMALL_BLOC, encoding="utf-8")
    (folder / "b-thu-hai.yaml").write_text(OTHER, encoding="utf-8")
    (folder / "c-hong.yaml").write_text("code: broken\nname: [\n", encoding="utf-8")
    (folder / "ghi-chu.txt").write_text("not a bloc file", encoding="utf-8")
    return folder


@pytest.fixture
async def served(settings: Settings, ministry: Path, clock: FixedClock,
                 caplog: pytest.LogCaptureFixture) -> Runtime:
    with caplog.at_level(logging.ERROR):
        runtime = await open_runtime(settings.model_copy(update={"bloc_file": ministry}),
                                     clock=clock)
    assert "c-hong.yaml" in caplog.text and "bỏ qua" in caplog.text  # reported, skipped
    return runtime


async def _member(runtime: Runtime, bloc_code: str, user_id: str, role: Role,
                  unit: str | None, name: str) -> Person:
    bloc = runtime.blocs.by_code(bloc_code)
    assert bloc is not None
    made = await invites.create_invite(runtime.repo, bloc, role=role, unit_code=unit, uses=1,
                                       validity=timedelta(days=7), created_by="test",
                                       now=runtime.clock.now())
    person = Person(runtime.dispatcher, user_id, name)
    welcome = plain(await person.say(f"/start {made.token}"))
    assert bloc.name in welcome, welcome
    return person


async def test_each_person_sees_the_bloc_of_their_invite_only(served: Runtime) -> None:
    try:
        assert [bloc.code for bloc in served.blocs.all] == ["test-bloc", "other-bloc"]
        first = await _member(served, "test-bloc", "1", Role.CHAIR, "UDCN", "Trần Một")
        second = await _member(served, "other-bloc", "2", Role.CHAIR, "VKT", "Lê Hai")
        contact = await _member(served, "other-bloc", "3", Role.CONTACT, "VDL", "Phạm Ba")

        tasks = plain(await contact.say("/nhiemvu"))
        assert "Xây dựng kho dữ liệu mở" in tasks and "Tổ chức Hội nghị Tổng kết" not in tasks
        status = plain(await second.say("/tinhhinh"))
        assert "Viện KTS" in status and "Viện DL" in status
        assert "Viện ƯDCN" not in status and "Viện KHSHTT" not in status
        own = plain(await first.say("/tinhhinh"))
        assert "Viện ƯDCN" in own and "Viện KTS" not in own
        # a unit of the other bloc cannot be named: it is not this bloc's
        assert "Viện KTS" not in plain(await first.say("/tinhhinh Viện KTS"))
    finally:
        await served.close()


async def test_each_blocs_reminders_go_to_its_own_people(served: Runtime,
                                                         clock: FixedClock) -> None:
    try:
        await _member(served, "test-bloc", "1", Role.CONTACT, "SHTT", "Trần Một")
        await _member(served, "other-bloc", "3", Role.CONTACT, "VDL", "Phạm Ba")
        # the other bloc's deadline (30/11) is a week ahead on 23/11; the first's (5/12) not
        clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
        await served.reminders.plan_all()
        rows = [row for row in await served.repo.outbox_rows()
                if row.dedup_key.startswith("remind:")]
        assert {row.chat_id for row in rows} == {"3"}
        assert "(Khối hai)" in rows[0].payload["text"]
    finally:
        await served.close()


def test_the_cli_names_the_bloc_when_several_are_served(ministry: Path, tmp_path: Path) -> None:
    common = ("--database", str(tmp_path / "x.db"), "--bloc-file", str(ministry))
    unnamed = thidua("invite", "--role", "contact", "--unit", "VDL", *common, cwd=tmp_path)
    assert unnamed.returncode == 2
    assert "nhiều Khối (test-bloc, other-bloc)" in unnamed.stderr
    named = thidua("invite", "--role", "contact", "--unit", "VDL", "--bloc", "other-bloc",
                   *common, cwd=tmp_path)
    assert named.returncode == 0, named.stderr
    assert "Viện Dữ liệu" in named.stdout
    checked = thidua("bloc", "check", str(ministry), cwd=tmp_path)
    assert checked.returncode == 2 and "Khối thi đua Thứ hai" in checked.stdout


FORBIDDEN = ("Viện Kinh tế số", "Viện KTS", "Viện Dữ liệu", "Viện DL", "Xây dựng kho dữ liệu mở",
             "Khối thi đua Thứ hai", "Khối hai", "Ghi chú của khối hai")  # bloc B's


def _texts_of(response: Response) -> list[str]:
    """What a person reads in a response: its texts, its buttons, the files' words."""
    texts = []
    for reply in response.replies:
        texts += [plain_text(reply.text), *(option.label for option in reply.options)]
        file = reply.file
        if file is None:
            continue
        if file.name.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(file.content))
            texts += [str(cell) for sheet in book.worksheets
                      for row in sheet.iter_rows(values_only=True) for cell in row]
        elif file.name.endswith(".docx"):
            doc = Document(io.BytesIO(file.content))
            texts += [p.text for p in doc.paragraphs]
            texts += [cell.text for table in doc.tables for row in table.rows
                      for cell in row.cells]
        elif file.name.endswith(".csv"):
            texts.append(file.content.decode("utf-8-sig"))
    return texts


async def test_no_command_or_view_shows_a_member_of_one_bloc_anything_of_another(
        served: Runtime) -> None:
    """Every command, by every kind of member of bloc A, and every button it offers one
    level down: nothing of bloc B (its units, tasks, reports, name) is ever shown."""
    try:
        people = [await _member(served, "test-bloc", "1", Role.CHAIR, "UDCN", "Trần Một"),
                  await _member(served, "test-bloc", "2", Role.DEPUTY, "CNCL", "Lê Phó"),
                  await _member(served, "test-bloc", "3", Role.CONTACT, "SHTT", "Nguyễn An")]
        other = await _member(served, "other-bloc", "9", Role.CONTACT, "VDL", "Phạm Ba")
        review = await other.say("/capnhat 1 50% Ghi chú của khối hai")
        await other.press(review.replies[-1], "Gửi")
        names = [command.names[0] for command in served.router.commands()
                 if command.names[0] not in ("start", "huy")]
        seen = 0
        for person in people:
            for name in names:
                response = await person.say(f"/{name}")
                shown = _texts_of(response)
                for reply in response.replies[-1:]:
                    for option in reply.options[:6]:
                        shown += _texts_of(await person.press(reply, option.label))
                await person.say("/huy")
                seen += len(shown)
                for text in shown:
                    for word in FORBIDDEN:
                        assert word not in text, (person.name, name, text)
        assert seen > 200  # the views said something
    finally:
        await served.close()


async def test_the_ministrys_liaison_follows_every_bloc(served: Runtime) -> None:
    try:
        bloc = served.blocs.all[0]
        with pytest.raises(invites.InviteError):  # only a liaison may follow every bloc
            await invites.create_invite(served.repo, bloc, role=Role.CONTACT, unit_code="SHTT",
                                        uses=1, validity=timedelta(days=7), created_by="test",
                                        now=served.clock.now(), all_blocs=True)
        made = await invites.create_invite(served.repo, bloc, role=Role.LIAISON,
                                           unit_code=None, uses=1, validity=timedelta(days=7),
                                           created_by="test", now=served.clock.now(),
                                           all_blocs=True)
        liaison = Person(served.dispatcher, "7", "Vụ TĐKT")
        await liaison.say(f"/start {made.token}")
        compared = plain(await liaison.say("/sosanh"))
        assert "So sánh 2 Khối thi đua" in compared
        assert "Khối thi đua Thử nghiệm (test-bloc): 0/3 đủ" in compared
        assert "Khối thi đua Thứ hai (other-bloc): 0/2 đủ" in compared
        status = await liaison.say("/tinhhinh")
        assert "So sánh 2 Khối" in plain(status) and "Viện ƯDCN" in plain(status)
        switched = plain(await liaison.say("/khoi other-bloc"))
        assert "Từ giờ đồng chí xem Khối thi đua Thứ hai" in switched
        other = plain(await liaison.say("/tinhhinh"))
        assert "Viện KTS" in other.split("So sánh", 1)[1].split("\n", 3)[-1]
        # a plain question may name the bloc it is about
        asked = plain(await liaison.say("khối thứ hai đơn vị nào chưa báo cáo?"))
        assert "Viện KTS" in asked and "Viện ƯDCN" not in asked
        asked = plain(await liaison.say("khối thử nghiệm, đơn vị nào chưa báo cáo?"))
        assert "Viện ƯDCN" in asked and "Viện KTS" not in asked
        # the ministry's workbook: a summary sheet, then a sheet per bloc
        sent = await liaison.say("/xuat")
        file = next(reply.file for reply in sent.replies if reply.file is not None)
        assert file.name == "Tong-hop-cac-Khoi.xlsx"
        book = load_workbook(io.BytesIO(file.content))
        assert book.sheetnames == ["Tổng hợp các Khối", "Khối thi đua Thử nghiệm",
                                   "Khối thi đua Thứ hai"]
        rows = list(book["Tổng hợp các Khối"].iter_rows(values_only=True))
        assert rows[0][:4] == ("Khối thi đua", "Kỳ báo cáo", "Số đơn vị", "Đã báo cáo đủ")
        assert rows[2][:3] == ("Khối thi đua Thứ hai", "6 tháng cuối năm 2026 (Khối hai)", 2)
        # a liaison of one bloc follows that bloc only
        one = await _member(served, "other-bloc", "8", Role.LIAISON, None, "Liên lạc")
        assert "dành cho cán bộ theo dõi của Bộ" in plain(await one.say("/sosanh"))
        assert "Khối thi đua Thứ hai" in plain(await one.say("/khoi"))
    finally:
        await served.close()


def test_only_a_liaison_is_invited_to_every_bloc(ministry: Path, tmp_path: Path) -> None:
    common = ("--database", str(tmp_path / "x.db"), "--bloc-file", str(ministry))
    liaison = thidua("invite", "--role", "liaison", "--bloc", "all", *common, cwd=tmp_path)
    assert liaison.returncode == 0, liaison.stderr
    contact = thidua("invite", "--role", "contact", "--unit", "VDL", "--bloc", "all", *common,
                     cwd=tmp_path)
    assert contact.returncode == 2 and "--bloc all" in contact.stderr


async def test_the_people_of_a_bloc_whose_file_broke_keep_their_own_bloc(
        served: Runtime, settings: Settings, ministry: Path, clock: FixedClock) -> None:
    try:
        contact = await _member(served, "other-bloc", "3", Role.CONTACT, "VDL", "Phạm Ba")
        assert "Xây dựng kho dữ liệu mở" in plain(await contact.say("/nhiemvu"))
    finally:
        await served.close()
    (ministry / "b-thu-hai.yaml").write_text(OTHER.replace("units:", "units: [\n"),
                                            encoding="utf-8")
    restarted = await open_runtime(settings.model_copy(update={"bloc_file": ministry}),
                                   clock=clock)
    try:
        assert [bloc.code for bloc in restarted.blocs.all] == ["test-bloc"]
        again = Person(restarted.dispatcher, "3", "Phạm Ba")
        tasks = plain(await again.say("/nhiemvu"))  # the last good data, never bloc A's
        assert "Xây dựng kho dữ liệu mở" in tasks and "Tổ chức Hội nghị Tổng kết" not in tasks
    finally:
        await restarted.close()


async def test_the_bot_added_to_a_blocs_group_tells_that_blocs_officers(
        settings: Settings, ministry: Path, clock: FixedClock) -> None:
    (ministry / "b-thu-hai.yaml").write_text(OTHER.replace(
        "chair: VKT", 'groups: {test: "-200"}\nchair: VKT'), encoding="utf-8")
    runtime = await open_runtime(settings.model_copy(update={"bloc_file": ministry}),
                                 clock=clock)
    try:
        await _member(runtime, "test-bloc", "1", Role.CHAIR, "UDCN", "Trần Một")
        await _member(runtime, "other-bloc", "2", Role.CHAIR, "VKT", "Lê Hai")
        for chat in ("-200", "-999"):  # bloc B's group; a group no bloc names
            await runtime.dispatcher.handle(Inbound(
                channel="test", user_id="77", chat_id=chat, chat_kind=ChatKind.GROUP,
                display_name="Chủ nhóm", membership=Membership.ADDED, chat_title="Nhóm",
                update_key=f"add-{chat}"))
        told = {row.chat_id for row in await runtime.repo.outbox_rows()
                if row.kind == "membership"}
        assert told == {"2"}  # B's chair about B's group; nobody about the unknown one
    finally:
        await runtime.close()


async def test_a_reload_never_lets_one_file_take_another_blocs_code_and_finds_new_files(
        served: Runtime, ministry: Path, caplog: pytest.LogCaptureFixture) -> None:
    def edit(name: str, text: str) -> None:
        path = ministry / name
        path.write_text(text, encoding="utf-8")
        os.utime(path, (path.stat().st_atime + 5, path.stat().st_mtime + 5))

    try:
        edit("d-moi.yaml", OTHER.replace("code: other-bloc", "code: test-bloc"))
        with caplog.at_level(logging.ERROR):
            await served._reload()  # a new file with the first bloc's code
        assert "ghi mã Khối “test-bloc” của một tệp khác" in caplog.text
        first = served.blocs.by_code("test-bloc")
        assert first is not None and first.name == "Khối thi đua Thử nghiệm"
        assert [u.code for u in await served.repo.list_units(first.id)] == [
            "UDCN", "CNCL", "SHTT"]  # nothing of the other file was written over it
        edit("b-thu-hai.yaml", OTHER.replace("code: other-bloc", "code: doi-ma"))
        with caplog.at_level(logging.ERROR):
            await served._reload()
        assert "đổi mã Khối từ “other-bloc” thành “doi-ma”" in caplog.text
        edit("d-moi.yaml", OTHER.replace("code: other-bloc", "code: khoi-moi")
             .replace("Khối thi đua Thứ hai", "Khối thi đua Mới"))
        await served._reload()
        assert [bloc.code for bloc in served.blocs.all] == ["test-bloc", "other-bloc",
                                                            "khoi-moi"]
    finally:
        await served.close()


async def test_a_blocs_liaison_becomes_the_ministrys_with_an_all_blocs_invite(
        served: Runtime) -> None:
    try:
        liaison = await _member(served, "other-bloc", "8", Role.LIAISON, None, "Liên lạc")
        assert "dành cho cán bộ theo dõi của Bộ" in plain(await liaison.say("/sosanh"))
        made = await invites.create_invite(served.repo, served.blocs.all[0], role=Role.LIAISON,
                                           unit_code=None, uses=1, validity=timedelta(days=7),
                                           created_by="test", now=served.clock.now(),
                                           all_blocs=True)
        await liaison.say(f"/start {made.token}")
        assert "So sánh 2 Khối thi đua" in plain(await liaison.say("/sosanh"))
    finally:
        await served.close()


async def test_the_blocs_side_by_side_count_as_each_blocs_own_status_does(
    served: Runtime,
) -> None:
    """Read at once for every bloc (the reports counted in the database), the counts are
    those of each bloc's status: a complete unit, a partial one, a silent one, a task for
    some units only (one reported, one not)."""
    from bot.services.status import bloc_status, blocs_at_a_glance

    repo, now = served.repo, served.clock.now()
    try:
        bloc = served.blocs.by_code("test-bloc")
        assert bloc is not None
        units = {unit.code: unit.id for unit in await repo.list_units(bloc.id)}
        period = (await repo.list_periods(bloc.id))[0]
        await repo.add_task(period_id=period.id, title="Chỉ hai viện", description=None,
                            deadline=None, unit_ids=[units["SHTT"], units["UDCN"]],
                            actor="test", now=now)
        shtt = await _member(served, "test-bloc", "1", Role.CONTACT, "SHTT", "Trần Một")
        udcn = await _member(served, "test-bloc", "2", Role.CONTACT, "UDCN", "Lê Hai")
        for person, number in ((shtt, 1), (shtt, 2), (shtt, 3), (udcn, 1)):
            await person.say(f"/capnhat {number} 50% Đang làm")
            await person.say("Gửi")
        glances = await blocs_at_a_glance(repo, served.blocs.all, now)
        mine = next(glance for glance in glances if glance.bloc.id == bloc.id)
        assert (mine.complete, mine.partial, mine.silent) == (1, 1, 1)
        for glance in glances:
            status = await bloc_status(repo, glance.bloc, now)
            assert (glance.complete, glance.partial, glance.silent, glance.concerned) == (
                len(status.complete_units), len(status.partial_units),
                len(status.silent_units), status.concerned_units)
            assert glance.days_left() == status.days_left(ZoneInfo(glance.bloc.timezone))
    finally:
        await served.close()
