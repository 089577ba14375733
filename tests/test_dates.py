"""How the bot reads the dates and times Vietnamese officials write (``config/dates.py``).

A deadline typed wrong must be refused with :class:`DateParseError`, never guessed
and never answered with another exception.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.dates import DateParseError, parse_date, parse_date_or_datetime, parse_time

# Years written with four digits: the forms a secretary types (two-digit years mean 20xx).
REAL_DATES = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13/7/2023", date(2023, 7, 13)),
        ("13/07/2023", date(2023, 7, 13)),
        ("13-07-2023", date(2023, 7, 13)),
        ("13.7.2023", date(2023, 7, 13)),
        ("13.7.23", date(2023, 7, 13)),
        ("2023-07-13", date(2023, 7, 13)),
        ("  13/7/2023  ", date(2023, 7, 13)),
        ("1/1/2024", date(2024, 1, 1)),
        ("29/2/2024", date(2024, 2, 29)),
    ],
)
def test_accepts_day_first_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13/7/2023", date(2023, 7, 13)),
        ("13-07-2023 14h30", datetime(2023, 7, 13, 14, 30)),
        ("14h30 13/7/2023", datetime(2023, 7, 13, 14, 30)),
        ("13/7/2023 14:30", datetime(2023, 7, 13, 14, 30)),
        ("13/7/2023 lúc 8h", datetime(2023, 7, 13, 8, 0)),
        ("13/7/2023 luc 8h", datetime(2023, 7, 13, 8, 0)),
        ("8g30 ngày 13/7/2023", datetime(2023, 7, 13, 8, 30)),
        ("13/7/2023, 16h", datetime(2023, 7, 13, 16, 0)),
        ("2023-07-13 09:05", datetime(2023, 7, 13, 9, 5)),
    ],
)
def test_accepts_dates_with_a_time_before_or_after(text: str, expected: date) -> None:
    result = parse_date_or_datetime(text)
    assert result == expected
    assert type(result) is type(expected)  # a date alone stays a date: no midnight invented


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14h30", time(14, 30)), ("14h", time(14, 0)), ("8g", time(8, 0)), ("14:30", time(14, 30)),
     ("8h05", time(8, 5)), ("0h", time(0, 0)), ("23h59", time(23, 59))],
)
def test_accepts_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["31/2/2023", "29/2/2023", "32/1/2023", "13/13/2023", "0/7/2023", "7", "abc", "", "   ",
     "13/7", "13/7/202", "13/7/2023 14h30 15h", "hôm qua"],
)
def test_refuses_what_is_not_a_full_date(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_date_or_datetime(text)


@pytest.mark.parametrize(
    "text", ["25h 13/7/2023", "13/7/2023 25h", "13/7/2023 14h75", "13/7/2023 lúc", "31/2/2023 8h"]
)
def test_refuses_impossible_times(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_date_or_datetime(text)


def test_missing_year_is_refused_unless_a_default_year_is_given() -> None:
    with pytest.raises(DateParseError):
        parse_date("13/7")
    assert parse_date("13/7", default_year=2024) == date(2024, 7, 13)
    assert parse_date_or_datetime("13/7 14h", default_year=2024) == datetime(2024, 7, 13, 14)
    # a year that is written wins over the default
    assert parse_date("13/7/2023", default_year=2024) == date(2023, 7, 13)


def test_default_year_does_not_make_an_impossible_day_possible() -> None:
    with pytest.raises(DateParseError):
        parse_date("29/2", default_year=2023)
    assert parse_date("29/2", default_year=2024) == date(2024, 2, 29)


def test_error_is_a_value_error_carrying_the_text() -> None:
    with pytest.raises(ValueError, match="31/2/2023"):
        parse_date("31/2/2023")


@given(REAL_DATES)
def test_round_trip_of_zero_padded_forms(day: date) -> None:
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.strftime("%d-%m-%Y")) == day
    assert parse_date(day.strftime("%d.%m.%Y")) == day
    assert parse_date(day.isoformat()) == day


@given(REAL_DATES)
def test_round_trip_without_leading_zeros(day: date) -> None:
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(f"{day.day}-{day.month}-{day.year}") == day


@given(REAL_DATES, st.integers(0, 23), st.integers(0, 59), st.booleans())
def test_round_trip_with_time_on_either_side(
    day: date, hour: int, minute: int, time_first: bool
) -> None:
    written_day, written_time = f"{day.day}/{day.month}/{day.year}", f"{hour}h{minute:02d}"
    text = f"{written_time} {written_day}" if time_first else f"{written_day} {written_time}"
    assert parse_date_or_datetime(text) == datetime(day.year, day.month, day.day, hour, minute)


DATE_LIKE = st.text(alphabet="0123456789/-.:hHgG, lúcngàyat\t", max_size=30)


@given(st.one_of(st.text(max_size=40), DATE_LIKE), st.one_of(st.none(), st.integers(1, 9999)))
def test_any_text_is_parsed_or_refused_with_date_parse_error(
    text: str, default_year: int | None
) -> None:
    for parse in (
        lambda: parse_date(text, default_year=default_year),
        lambda: parse_time(text),
        lambda: parse_date_or_datetime(text, default_year=default_year),
    ):
        try:
            result = parse()
        except DateParseError:
            continue
        assert isinstance(result, date | time)
