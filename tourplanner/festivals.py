"""Lunar calendar: festival dates and lunar closures converted to solar dates.

Vietnamese festivals are fixed in the lunar calendar (Yên Tử opens on the 10th day of the 1st
lunar month). The conversion uses ``vnlunar``, which computes the Vietnamese calendar
astronomically for UTC+7 (it differs from the Chinese calendar in some years, e.g. Tết 1985).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays
import vnlunar

VIETNAM_UTC_OFFSET_H = 7.0


@dataclass(frozen=True, slots=True)
class LunarDate:
    """A day of the Vietnamese lunar calendar."""

    year: int
    month: int
    day: int
    leap: bool = False


@lru_cache(maxsize=4096)
def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> dt.date | None:
    """Return the solar date of lunar *day*/*month* of lunar *year*.

    :return: ``None`` when that lunar day does not exist that year (a 30th in a 29-day month,
        a leap month that year does not have).
    """
    if not (1 <= month <= 12 and 1 <= day <= 30):
        return None
    result = vnlunar.convert_lunar_to_solar(day, month, year, int(leap), VIETNAM_UTC_OFFSET_H)
    if not result or result[0] == 0:
        return None
    solar = dt.date(result[2], result[1], result[0])
    # vnlunar answers a day past the month's end with the next month's day: refuse it.
    if solar_to_lunar(solar) != LunarDate(year, month, day, leap):
        return None
    return solar


@lru_cache(maxsize=8192)
def solar_to_lunar(date: dt.date) -> LunarDate:
    """Return the lunar date of the solar *date*."""
    lunar = vnlunar.convert_solar_to_lunar(date.day, date.month, date.year, VIETNAM_UTC_OFFSET_H)
    return LunarDate(lunar["year"], lunar["month"], lunar["day"], bool(lunar["leap"]))


def festival_span(
    lunar_year: int, month: int, day: int, duration_days: int
) -> tuple[dt.date, dt.date] | None:
    """Return the first and last solar day of a festival starting on lunar *month*/*day*.

    When the start day does not exist (a 30th in a short month) the festival starts on the
    last day of that month, as it is celebrated.
    """
    for start_day in range(day, 0, -1):
        start = lunar_to_solar(lunar_year, month, start_day)
        if start is not None:
            return start, start + dt.timedelta(days=max(duration_days, 1) - 1)
    return None


def spans_overlapping(
    month: int, day: int, duration_days: int, first: dt.date, last: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """Return the solar spans of a yearly lunar festival that overlap ``[first, last]``."""
    spans = []
    for lunar_year in range(first.year - 1, last.year + 1):
        span = festival_span(lunar_year, month, day, duration_days)
        if span and span[0] <= last and span[1] >= first:
            spans.append(span)
    return spans


@dataclass(frozen=True, slots=True)
class Holiday:
    """A Vietnamese public holiday or day off, named in both languages."""

    date: dt.date
    name_vi: str
    name_en: str


@lru_cache(maxsize=64)
def public_holidays(year: int) -> tuple[Holiday, ...]:
    """Return the public holidays and official days off of solar *year* in date order.

    They come from the ``holidays`` package (Vietnam): the Labour Code's holidays with Tết and
    the Hùng Kings' day from the lunar calendar, the days off the government moves each year
    (a working Saturday traded for a bridge day) and the observed days when a holiday falls on
    a weekend.
    """
    names_vi = holidays.country_holidays("VN", years=year, language="vi")
    names_en = holidays.country_holidays("VN", years=year, language="en_US")
    return tuple(
        Holiday(day, name, names_en.get(day, name)) for day, name in sorted(names_vi.items())
    )


def holidays_between(first: dt.date, last: dt.date) -> list[Holiday]:
    """Return the public holidays from *first* to *last* inclusive."""
    found = []
    for year in range(first.year, last.year + 1):
        found.extend(h for h in public_holidays(year) if first <= h.date <= last)
    return found
