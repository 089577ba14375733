"""``/xephang anh``: the year's scores as a picture, units in ranking order × the criteria
groups (coloured by the share of each group's maximum), bonus, penalty and total."""

from __future__ import annotations

import io

from PIL import Image

from bot.app.runtime import Runtime
from bot.services.score_chart import BANDS, band
from handlers._score_chart import score_chart_of
from handlers._score_views import year_scoring
from storage.records import Role
from tests.chat import context_for, plain
from tests.test_core import registered
from tests.test_cross_check import _bloc, year  # noqa: F401 - the fixture


def test_a_groups_colour_follows_its_share_of_the_maximum() -> None:
    assert [band(share) for share in (1.0, 0.9, 0.8, 0.6, 0.1)] == [
        BANDS[0][1], BANDS[0][1], BANDS[1][1], BANDS[2][1], BANDS[3][1]]


async def test_the_chair_gets_the_scores_as_a_picture_in_ranking_order(
        year: Runtime) -> None:  # noqa: F811 - the fixture
    chair, _, contact = await _bloc(year)
    await registered(year, "5", Role.LIAISON, None, name="Vụ TĐKT")
    ranking = await chair.say("/xephang")
    sent = await chair.press(ranking.replies[-1], "Ảnh bảng điểm")
    picture = next(reply.file for reply in sent.replies if reply.file is not None)
    assert picture.is_image and picture.name == "bang-diem-thi-dua-2026.png"
    width, height = Image.open(io.BytesIO(picture.content)).size
    assert width >= 1000 and height >= 400  # legible on a phone at 150 dpi

    chart = await score_chart_of(await context_for(year, "1"),
                                 await year_scoring(await context_for(year, "1")))
    assert [row.label for row in chart.rows] == ["1. Viện KHSHTT", "2. VP CNCL", "3. Viện ƯDCN"]
    assert chart.columns == ("Nhóm 1\n/20", "Nhóm 2\n/10", "Thưởng", "Trừ", "Tổng\n/30")
    assert chart.rows[2].cells == ("15", "5", "+0", "−0", "20")
    assert chart.rows[2].shares == (0.75, 0.5)
    # a unit sees only its own scores unless the bloc allows more
    assert "chỉ xem điểm của đơn vị mình" in plain(await contact.say("/xephang anh"))
