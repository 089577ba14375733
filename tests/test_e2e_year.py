"""The example bloc's emulation year, end to end over real HTTP on Telegram and on Zalo.

All 13 units sign the covenant (the last after its reminder), score themselves (one score
over a criterion's maximum refused), a cross-check changes two scores, the chair settles and
makes the ranking final, the units elect the leading unit in a secret vote (one unit trying
to vote twice), a unit nominates, the chair compiles the proposal and the year-end report,
hands over to the next chair, who runs ``/tinhhinh`` in the next year. The Word documents
sent on Telegram are rendered to PDF and their text checked.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from unittest.mock import patch

import pytest
from pydantic import SecretStr

from bot.domain.clock import FixedClock
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi
from tests.conftest import EXAMPLE_BLOC
from tests.e2e import running_bot
from tests.scenario_drivers import TelegramDriver, run_on_zalo
from tests.scenario_dump import dump_database
from tests.scenario_runner import Driver, Scenario, ScenarioPerson, ScenarioStep, ids_of, play

UNITS = ("HVKHCN", "NLNT", "UDCN", "NCPTV", "DGKH", "SHTT", "NCSC", "HNQT", "CTTD", "CTQG",
         "CNCL", "DKHD", "UBVT")  # the example bloc's, in its order
NAMES = ("Lê Văn Hải", "Phạm Thị Lan", "Trần Minh Nhân", "Nguyễn Thị Vân", "Đỗ Quang Huy",
         "Nguyễn Văn An", "Vũ Thị Hà", "Bùi Đức Long", "Hoàng Thị Mai", "Đặng Văn Tùng",
         "Lê Thị Phó", "Phan Văn Khải", "Trịnh Thị Ngọc")
LATE_SIGNER = "UBVT"
FULL = {"1.1": 5, "1.2": 10, "1.3": 5, "2.1": 25, "2.2": 15, "3.1": 10, "3.2": 10,
        "4.1": 10, "4.2": 5, "4.3": 5}
EVIDENCE = {"1.1", "2.1"}  # the example's table asks for files there
NEXT_YEAR = EXAMPLE_BLOC.read_text(encoding="utf-8").replace("2023", "2024")


def key(code: str) -> str:
    return {"UDCN": "chair", "CNCL": "deputy"}.get(code, code.casefold())


class _Steps:
    def __init__(self) -> None:
        self.steps: list[ScenarioStep] = []

    def __call__(self, who: str, kind: str, value: str) -> None:
        self.steps.append(ScenarioStep(len(self.steps) + 1, who, kind, value))


def the_year() -> Scenario:
    people = {key(code): ScenarioPerson(key(code), name, {"UDCN": Role.CHAIR,
                                                          "CNCL": Role.DEPUTY}.get(
                                                              code, Role.CONTACT), code)
              for code, name in zip(UNITS, NAMES, strict=True)}
    do = _Steps()
    do("chair", "at", "03/01/2023 09:00")
    for code in UNITS:
        do(key(code), "join", "operator")
        do(key(code), "expect", "Đồng chí đã được đăng ký")
    # the covenant: opened, signed by twelve units; the thirteenth after its reminder
    do("chair", "say", "/giaouoc mo")
    do("chair", "expect", "Đã mở ký Giao ước thi đua năm 2023 (minh họa)")
    for code, name in zip(UNITS, NAMES, strict=True):
        if code == LATE_SIGNER:
            continue
        _sign(do, key(code), name)
    do("chair", "say", "/giaouoc")
    do("chair", "expect", "Đã ký: 12/13 đơn vị.")
    do("chair", "expect", "Chưa ký: VP Ủy ban Vũ trụ.")
    do("chair", "at", "30/01/2023 10:00")
    do(key(LATE_SIGNER), "receive", "hạn ký Giao ước thi đua năm 2023")
    _sign(do, key(LATE_SIGNER), NAMES[-1])
    # self-scoring in the window: every unit, one score over its maximum refused
    do("chair", "at", "15/12/2023 09:00")
    for index, code in enumerate(UNITS):
        who = key(code)
        if index == 0:
            do(who, "say", "/chamdiem 1.2 12")
            do(who, "expect", "Không ghi được 12 điểm cho mục 1.2: điểm tối đa của mục này "
                              "là 10")
        for line, maximum in FULL.items():
            points = maximum - index if line == "2.2" else maximum
            do(who, "say", f"/chamdiem {line} {points}" + (
                " Còn chậm một số thủ tục hành chính" if points < maximum else ""))
            if line in EVIDENCE:
                do(who, "expect", "cần tệp minh chứng")
                do(who, "photo", "")
                do(who, "choose", "Xong")
            do(who, "expect", f"Đã ghi: mục {line}, {points}/{maximum} điểm.")
        do(who, "say", "/chamdiem nop")
        do(who, "say", "/chamdiem nop xacnhan")
        do(who, "expect", "Đã nộp bảng tự chấm điểm của đơn vị")
    # the cross-check: each unit checks the next; NLNT changes two of HVKHCN's scores
    do("chair", "at", "19/12/2023 09:00")
    do("chair", "say", "/thamdinh phancong vongtron")
    do("chair", "expect", "Đã phân công thẩm định")
    do("nlnt", "receive", "được phân công thẩm định bảng điểm của: Học viện KHCN&ĐMST")
    do("nlnt", "say", "/thamdinh HVKHCN 1.2 8 Chưa đủ minh chứng hưởng ứng phong trào")
    do("nlnt", "expect", "Đã ghi đề nghị điều chỉnh mục 1.2 của Học viện KHCN&ĐMST: 10 → 8")
    do("nlnt", "say", "/thamdinh HVKHCN 4.1 8 Vắng một hội nghị của Khối")
    do("nlnt", "say", "/thamdinh HVKHCN xong")
    do("nlnt", "expect", "(2 mục đề nghị điều chỉnh)")
    # the chair settles both at the proposed scores and makes the scores final
    do("chair", "say", "/chotdiem HVKHCN 1.2 8")
    do("chair", "expect", "Đã chốt mục 1.2 của Học viện KHCN&ĐMST: 10 → 8 điểm")
    do("chair", "say", "/chotdiem HVKHCN 4.1 8")
    do("chair", "say", "/chotdiem xong xacnhan")
    do("chair", "expect", "Đã chốt kết quả chính thức: 13 đơn vị được xếp hạng")
    do("hvkhcn", "receive", "Chưa đủ minh chứng hưởng ứng phong trào")
    do("chair", "say", "/xephang")
    do("chair", "expect", "chính thức")
    do("chair", "expect", "1. Viện NLNTVN")
    # the vote on the day of the year-end conference: the first three stand
    do("chair", "at", "20/12/2023 09:00")
    do("chair", "say", "/binhchon mo")
    do("chair", "expect", "Đơn vị được đề cử: Viện NLNTVN, Viện ƯDCN, Viện NC&PT Vùng")
    for code in UNITS:
        who = key(code)
        do(who, "say", "/binhchon")
        do(who, "expect", "PHIẾU BẦU KÍN")
        do(who, "vote", "Viện ƯDCN" if code == "NLNT" else "Viện NLNTVN")
        do(who, "expect", "Mã biên nhận")
    do("shtt", "say", "/binhchon")
    do("shtt", "expect", "đã bỏ phiếu ở vòng này")
    do("chair", "say", "/binhchon dong")
    do("chair", "expect", "số phiếu trong hòm: 13 (khớp)")
    do("chair", "expect", "Viện NLNTVN được suy tôn là đơn vị dẫn đầu Khối")
    do("chair", "say", "/binhchon bienban")
    do("chair", "expect", "Biên bản họp bình xét, suy tôn (1 vòng bỏ phiếu)")
    # a unit nominates; the chair compiles the proposal and the year-end report
    do("shtt", "say", "/khenthuong de")
    do("shtt", "choose", "(cá nhân)")
    do("shtt", "say", "Nguyễn Văn Bình")
    do("shtt", "say", "Trưởng phòng Sở hữu công nghiệp")
    do("shtt", "say", "Chủ trì 2 sáng kiến cấp Bộ về quản lý sở hữu trí tuệ")
    do("shtt", "choose", "Không có tệp")
    do("shtt", "choose", "Gửi đề nghị")
    do("shtt", "expect", "Đã gửi đề nghị #1: Nguyễn Văn Bình")
    do("chair", "say", "/khenthuong nhan 1")
    do("chair", "expect", "Đã đưa #1 (Nguyễn Văn Bình) vào tờ trình")
    do("chair", "say", "/khenthuong tai")
    do("chair", "expect", "đơn vị dẫn đầu: Viện Năng lượng nguyên tử Việt Nam")
    do("chair", "say", "/giaouoc tai")
    do("chair", "expect", "13/13 đơn vị đã ký")
    do("chair", "say", "/tongket")
    do("chair", "expect", "Dự thảo báo cáo tổng kết công tác thi đua, khen thưởng năm 2023")
    # the hand-over: the deputy's unit takes the chair; the next year's file comes
    do("chair", "at", "28/12/2023 09:00")
    do("chair", "say", "/chuyengiao")
    do("chair", "expect", "Khối trưởng năm 2024: Văn phòng Công nhận Chất lượng")
    do("chair", "choose", "Xác nhận chuyển giao")
    do("chair", "expect", "Đã chuyển giao năm 2023 sang năm 2024")
    do("deputy", "receive", "nhận nhiệm vụ Khối trưởng")
    do("chair", "reload", "2024")
    do("chair", "at", "15/07/2024 09:00")
    do("deputy", "say", "/tinhhinh")
    do("deputy", "expect", "6 tháng cuối năm 2024")
    do("chair", "say", "/chuyengiao")
    do("chair", "expect", "chỉ dành cho người có vai trò phù hợp")
    return Scenario("the example bloc's year", people, tuple(do.steps), {"2024": NEXT_YEAR})


def _sign(do: _Steps, who: str, name: str) -> None:
    do(who, "say", "/giaouoc ky")
    do(who, "expect", "Họ và tên người ký")
    do(who, "choose", name)
    do(who, "expect", "Chức vụ của người ký")
    do(who, "say", "Viện trưởng")
    do(who, "choose", "Ký giao ước")
    do(who, "expect", "đã ký Giao ước thi đua năm 2023 (minh họa)")


@pytest.fixture
def year_settings(settings: Settings, tmp_path: Path) -> Settings:
    bloc_file = tmp_path / "bloc.yaml"
    shutil.copy(EXAMPLE_BLOC, bloc_file)
    return settings.model_copy(update={"bloc_file": bloc_file})


def _text_of_pdf(content: bytes, folder: Path, name: str) -> str:
    source = folder / f"{name}.docx"
    source.write_bytes(content)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=120)
    return " ".join(subprocess.run(["pdftotext", str(folder / f"{name}.pdf"), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())


async def test_the_year_on_telegram(year_settings: Settings, clock: FixedClock,
                                    tmp_path: Path) -> None:
    scenario = the_year()
    async with FakeBotApi() as api:
        settings = year_settings.model_copy(update={
            "telegram_bot_token": SecretStr(api.token), "telegram_api_url": api.base_url,
            "zalo_bot_token": None, "webhook_url": None})
        async with running_bot(settings, clock) as bot:
            driver = TelegramDriver(scenario, bot.runtime, api)
            driver.wait_seconds = 30.0  # the outbox paces each chat at 1 message a second
            outcome = await play(scenario, driver)
        documents = {message.document.name: message.document.content
                     for message in api.sent
                     if message.document is not None and message.document.name
                     and message.document.content}
    assert len(outcome.checked) == scenario.count("expect") + scenario.count("receive")
    _the_database_holds_the_year(dump_database(settings.database, ids_of(driver)))
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) and pdftotext render the documents")  # make test
        # installs them; a bare machine still checks the whole year above
    folder = tmp_path / "pdf"
    folder.mkdir()
    covenant = _text_of_pdf(documents["giao-uoc-thi-dua-2023.docx"], folder, "covenant")
    assert "GIAO ƯỚC THI ĐUA NĂM 2023 (MINH HỌA)" in covenant
    assert covenant.count("(Đã ký xác nhận trên hệ thống ngày") == 13
    minutes = _text_of_pdf(documents["bien-ban-binh-xet-2023.docx"], folder, "minutes")
    assert "Viện Năng lượng nguyên tử Việt Nam được suy tôn là đơn vị dẫn đầu Khối (12 " \
        "phiếu" in minutes
    proposal = _text_of_pdf(documents["to-trinh-de-nghi-khen-thuong-2023.docx"], folder,
                            "proposal")
    assert "TỜ TRÌNH" in proposal and "Nguyễn Văn Bình, Trưởng phòng Sở hữu công nghiệp" \
        in proposal
    assert "Viện Năng lượng nguyên tử Việt Nam, đơn vị dẫn đầu Khối thi đua Văn phòng – " \
        "Viện năm 2023: đạt 99 điểm, xếp thứ 1; được suy tôn với 12/13 phiếu bầu" in proposal
    report = _text_of_pdf(documents["Bao-cao-tong-ket-2023.docx"], folder, "report")
    for wanted in ("Tổng kết công tác thi đua, khen thưởng năm 2023",
                   "Kết quả chấm điểm đã được Khối trưởng chốt chính thức ngày 19/12/2023.",
                   "Qua bỏ phiếu kín (vòng 1), Viện Năng lượng nguyên tử Việt Nam được suy tôn",
                   "Nguyễn Văn Bình, Trưởng phòng Sở hữu công nghiệp (Viện Khoa học sở hữu trí "
                   "tuệ)", "VI. PHƯƠNG HƯỚNG NĂM 2024"):
        assert wanted in report, wanted


async def test_the_year_on_zalo(year_settings: Settings, clock: FixedClock) -> None:
    scenario = the_year()
    with patch.object(Driver, "wait_seconds", 30.0):
        outcome = await run_on_zalo(scenario, year_settings, clock)
    assert len(outcome.checked) == scenario.count("expect") + scenario.count("receive")
    _the_database_holds_the_year(outcome.dump)


def _the_database_holds_the_year(dump: dict[str, list[dict[str, object]]]) -> None:
    """What the year left: 13 signatures, 13 sheets, two settled lines, 13 ballots counted
    with no ballot kept, one nomination included, the hand-over's roles."""
    assert len(dump["covenant_signatures"]) == 13
    assert len(dump["score_submissions"]) == 13
    assert sorted((row["code"], row["points"]) for row in dump["settled_scores"]) == [
        ("1.2", "8"), ("4.1", "8")]
    assert sum(int(str(row["votes"])) for row in dump["vote_tallies"]) == 13
    assert len(dump["vote_voters"]) == 13 and len(dump["vote_receipts"]) == 13
    assert [row["included"] for row in dump["award_nominations"]] == [1]
    roles = {str(row["external_id"]): row["role"] for row in dump["members"]}
    assert roles["<chair>"] == "contact" and roles["<deputy>"] == "chair"
    assert roles["<dkhd>"] == "deputy"
