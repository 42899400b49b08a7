"""Lunar festival dates converted to solar dates for real years."""

from __future__ import annotations

import datetime as dt

import pytest

from tourplanner.catalogue.models import Festival
from tourplanner.festivals import Holiday
from tourplanner.festivals import LunarDate
from tourplanner.festivals import festival_span
from tourplanner.festivals import holidays_between
from tourplanner.festivals import lunar_to_solar
from tourplanner.festivals import public_holidays
from tourplanner.festivals import solar_to_lunar


@pytest.mark.parametrize(
    ("lunar_year", "month", "day", "solar"),
    [
        (2025, 1, 1, dt.date(2025, 1, 29)),  # Tết Ất Tỵ
        (2026, 1, 1, dt.date(2026, 2, 17)),  # Tết Bính Ngọ
        (2027, 1, 1, dt.date(2027, 2, 6)),  # Tết Đinh Mùi
        (2026, 1, 10, dt.date(2026, 2, 26)),  # Yên Tử festival opening 2026
        (2025, 8, 9, dt.date(2025, 9, 30)),  # Đồ Sơn buffalo fighting 2025
        (1985, 1, 1, dt.date(1985, 1, 21)),  # Vietnam's Tết differs from China's (20 Feb) that year
        (2007, 1, 1, dt.date(2007, 2, 17)),  # and in 2007 (China: 18 Feb)
    ],
    ids=["tet-2025", "tet-2026", "tet-2027", "yen-tu-2026", "do-son-2025", "tet-1985", "tet-2007"],
)
def test_lunar_to_solar_real_years(lunar_year, month, day, solar):
    """Known festival days convert to the dates printed on Vietnamese calendars."""
    assert lunar_to_solar(lunar_year, month, day) == solar
    assert solar_to_lunar(solar) == LunarDate(lunar_year, month, day)


def test_lunar_day_that_does_not_exist_is_none():
    """The 30th of a 29-day lunar month does not exist (12th month of Ất Tỵ 2025 has 29 days)."""
    assert lunar_to_solar(2025, 12, 30) is None
    assert lunar_to_solar(2025, 13, 1) is None


def test_festival_on_missing_30th_falls_back_to_last_day():
    """A festival on the 30th of a short month is held on its last day."""
    start, end = festival_span(2025, 12, 30, 1)
    assert start == lunar_to_solar(2025, 12, 29)
    assert end == start


def test_festival_spans_cross_the_solar_year():
    """A trip in March 2027 overlaps the Yên Tử festival that opened in February 2027."""
    yen_tu = Festival("Lễ hội Xuân Yên Tử", "Yen Tu spring festival", 1, 10, 90)
    spans = yen_tu.spans(dt.date(2027, 3, 6), dt.date(2027, 3, 8))
    assert spans == [(dt.date(2027, 2, 15), dt.date(2027, 5, 15))]
    assert yen_tu.spans(dt.date(2027, 8, 1), dt.date(2027, 8, 5)) == []


@pytest.mark.parametrize(
    ("day", "name_vi", "name_en"),
    [
        (
            dt.date(2027, 5, 3),
            "Ngày Quốc tế Lao động (nghỉ bù)",
            "International Labor Day (observed)",
        ),
        (
            dt.date(2026, 4, 27),
            "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)",
            "Hung Kings' Commemoration Day (observed)",
        ),
        (dt.date(2027, 2, 6), "Tết Nguyên Đán", "Lunar New Year"),
    ],
    ids=["labour-day-2027-on-saturday", "hung-kings-2026-on-sunday", "tet-2027"],
)
def test_public_holidays_include_substitute_days(day, name_vi, name_en):
    """1 May 2027 is a Saturday and the Hùng Kings' day 2026 a Sunday: the next Monday is off,
    as the ``holidays`` package's Vietnam calendar says; Tết comes from the lunar calendar."""
    found = {h.date: h for h in public_holidays(day.year)}
    assert found[day] == Holiday(day, name_vi, name_en)


def test_holidays_between_keeps_the_trip_dates_only():
    """A trip over the 2027 Labour Day weekend meets the holiday and its substitute Monday."""
    found = holidays_between(dt.date(2027, 5, 1), dt.date(2027, 5, 3))
    assert [h.date for h in found] == [dt.date(2027, 5, 1), dt.date(2027, 5, 3)]
