"""When key dates fall: the day of each statutory festival in a year, and the occurrences of a ``KeyDate``.

Three statutory festivals are lunar dates: Spring Festival (正月初一), Dragon Boat (五月初五) and Mid-Autumn
(八月十五); the Lantern Festival (正月十五) is a key date at Spring Festival + 14 days. Qingming is a solar term.
All four come from lunar-python (maintained, MIT; read through ``crowdsafe.workdays.festivals``, which the
calendar also uses for years without a schedule), which follows the official rules of GB/T 33661-2017,
including the leap month after the eleventh month in 2033 that a naive "month N contains the N-th principal
term" rule gets wrong (tests/events/test_lunar_calendar.py compares it with the dates this module once computed
by astronomy, 2000–2100). The chinese-calendar library gives the State Council's holiday schedules
(``statutory_holiday_days``); the computed day lies inside the statutory holiday of that name (a test checks
every year the library covers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

from crowdsafe.workdays.festivals import lunar_date, qingming
from events.choices import DateRule, Festival

# (lunar month, day of the lunar month)
LUNAR_FESTIVALS: dict[str, tuple[int, int]] = {
    Festival.SPRING_FESTIVAL: (1, 1),
    Festival.DRAGON_BOAT_FESTIVAL: (5, 5),
    Festival.MID_AUTUMN_FESTIVAL: (8, 15),
}
SOLAR_FESTIVALS: dict[str, tuple[int, int]] = {
    Festival.NEW_YEARS_DAY: (1, 1),
    Festival.LABOUR_DAY: (5, 1),
    Festival.NATIONAL_DAY: (10, 1),
}
# The library's names (chinese_calendar.Holiday values), as get_holiday_detail returns them.
LIBRARY_NAMES: dict[str, str] = {f.value: chinese_calendar.Holiday[f.value].value for f in Festival}
# The years the dates are checked for (tests/events/test_lunar_calendar.py); further out nobody plans a gathering.
FIRST_YEAR, LAST_YEAR = 1901, 2100


@lru_cache(maxsize=512)
def festival_day(festival: str, year: int) -> dt.date | None:
    """The day of a statutory festival in ``year`` (Spring Festival: 正月初一; Qingming: the solar term), or None
    for a year outside 1901–2100."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if festival in SOLAR_FESTIVALS:
        month, day = SOLAR_FESTIVALS[festival]
        return dt.date(year, month, day)
    if festival == Festival.TOMB_SWEEPING_DAY:
        return qingming(year)
    if festival in LUNAR_FESTIVALS:
        return lunar_date(year, *LUNAR_FESTIVALS[festival])
    raise ValueError(f"Unknown festival {festival!r}")


def statutory_holiday_days(festival: str, year: int) -> list[dt.date]:
    """The days of the State Council's holiday block named ``festival`` in ``year`` (empty when the library has
    no schedule for that year)."""
    name = LIBRARY_NAMES[festival]
    days = []
    try:
        for offset in range(366):
            day = dt.date(year, 1, 1) + dt.timedelta(days=offset)
            if day.year != year:
                break
            on_holiday, holiday_name = chinese_calendar.get_holiday_detail(day)
            if on_holiday and holiday_name == name:
                days.append(day)
    except NotImplementedError:
        return []
    return days


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a key date: its first and last day."""

    starts_on: dt.date
    ends_on: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def occurrence_in_year(key_date, year: int, *, explicit: list | None = None) -> list[Occurrence]:
    """The occurrences of ``key_date`` (a ``KeyDate``) that start in ``year``. ``explicit`` may pass the key date's
    entered dates (``KeyDateOccurrence`` rows) already read."""
    span = dt.timedelta(days=max(1, key_date.span_days or 1) - 1)
    if key_date.rule == DateRule.FIXED:
        try:
            start = dt.date(year, key_date.month, key_date.day)
        except (TypeError, ValueError):  # 29 February in a common year
            return []
        return [Occurrence(start, start + span)]
    if key_date.rule == DateRule.HOLIDAY:
        day = festival_day(key_date.festival, year)
        if day is None:
            return []
        start = day + dt.timedelta(days=key_date.offset_days or 0)
        return [Occurrence(start, start + span)]
    rows = explicit if explicit is not None else list(key_date.dates.all())
    return [Occurrence(row.starts_on, row.ends_on) for row in rows if row.starts_on.year == year]


def occurrences_between(key_date, first: dt.date, last: dt.date, *, explicit: list | None = None) -> list[Occurrence]:
    """The occurrences of ``key_date`` starting from ``first`` to ``last``, in order."""
    if key_date.rule == DateRule.EXPLICIT and explicit is None:
        explicit = list(key_date.dates.all())
    found: list[Occurrence] = []
    for year in range(first.year, last.year + 1):
        found.extend(o for o in occurrence_in_year(key_date, year, explicit=explicit) if first <= o.starts_on <= last)
    return sorted(found, key=lambda o: o.starts_on)


def next_occurrence(key_date, today: dt.date, *, explicit: list | None = None) -> Occurrence | None:
    """The first occurrence starting today or later (looking two years ahead)."""
    found = occurrences_between(key_date, today, dt.date(today.year + 2, 12, 31), explicit=explicit)
    return found[0] if found else None


def previous_occurrence(key_date, before: dt.date, *, explicit: list | None = None) -> Occurrence | None:
    """The last occurrence that started before ``before`` (looking two years back)."""
    found = occurrences_between(
        key_date, dt.date(before.year - 2, 1, 1), before - dt.timedelta(days=1), explicit=explicit
    )
    return found[-1] if found else None
