"""When key dates fall: the day of each statutory festival in a year, and the occurrences of a ``KeyDate``.

The chinese-calendar library (already a dependency, for the working-day calendar) names the statutory holidays
and gives the 24 solar terms for 1900–2100, but not the lunar calendar. Three festivals are lunar dates:
Spring Festival (正月初一), Dragon Boat (五月初五) and Mid-Autumn (八月十五); the Lantern Festival (正月十五) is
Spring Festival + 14. A lunar month starts on the day (Beijing time) of a new moon, and month N is the month
that contains the N-th principal solar term (中气): month 1 contains 雨水, month 5 contains 夏至, month 8
contains 秋分 (a leap month never contains one). So the festival is found as: the new moon on or before that
solar term, plus the day of the month − 1. New moons are computed with Meeus, *Astronomical Algorithms*,
ch. 49 (accurate to well under a minute for these years), converted to Beijing time (UTC+8).

Where the library has the State Council's schedule for the year, the computed day lies inside the statutory
holiday of that name (a test checks every year the library covers, 2004–2026).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

from events.choices import DateRule, Festival

SYNODIC_MONTH = 29.530588861
_UNIX_EPOCH_JD = 2440587.5
BEIJING = dt.timezone(dt.timedelta(hours=8))

# (solar term that the lunar month contains, day of the lunar month)
LUNAR_FESTIVALS: dict[str, tuple[str, int]] = {
    Festival.SPRING_FESTIVAL: ("雨水", 1),
    Festival.DRAGON_BOAT_FESTIVAL: ("夏至", 5),
    Festival.MID_AUTUMN_FESTIVAL: ("秋分", 15),
}
SOLAR_FESTIVALS: dict[str, tuple[int, int]] = {
    Festival.NEW_YEARS_DAY: (1, 1),
    Festival.LABOUR_DAY: (5, 1),
    Festival.NATIONAL_DAY: (10, 1),
}
# The library's names (chinese_calendar.Holiday values), as get_holiday_detail returns them.
LIBRARY_NAMES: dict[str, str] = {f.value: chinese_calendar.Holiday[f.value].value for f in Festival}
FIRST_YEAR, LAST_YEAR = 1901, 2099  # solar terms are known for 1900–2100


def _delta_t_seconds(year: float) -> float:
    """TT − UT (NASA's polynomial for 2005–2050; within a minute of it for the rest of this century)."""
    t = year - 2000
    return 62.92 + 0.32217 * t + 0.005589 * t * t


def _new_moon_jde(k: int) -> float:
    """The Julian Ephemeris Day of the true new moon of lunation ``k`` (k = 0 at 2000-01-06)."""
    t = k / 1236.85
    jde = 2451550.09766 + SYNODIC_MONTH * k + 0.00015437 * t**2 - 0.000000150 * t**3 + 0.00000000073 * t**4
    e = 1 - 0.002516 * t - 0.0000074 * t**2
    rad = math.radians
    m = rad(2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3)
    mp = rad(201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3 - 0.000000058 * t**4)
    f = rad(160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3 + 0.000000011 * t**4)
    om = rad(124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3)
    sin = math.sin
    jde += (
        -0.40720 * sin(mp)
        + 0.17241 * e * sin(m)
        + 0.01608 * sin(2 * mp)
        + 0.01039 * sin(2 * f)
        + 0.00739 * e * sin(mp - m)
        - 0.00514 * e * sin(mp + m)
        + 0.00208 * e * e * sin(2 * m)
        - 0.00111 * sin(mp - 2 * f)
        - 0.00057 * sin(mp + 2 * f)
        + 0.00056 * e * sin(2 * mp + m)
        - 0.00042 * sin(3 * mp)
        + 0.00042 * e * sin(m + 2 * f)
        + 0.00038 * e * sin(m - 2 * f)
        - 0.00024 * e * sin(2 * mp - m)
        - 0.00017 * sin(om)
        - 0.00007 * sin(mp + 2 * m)
        + 0.00004 * sin(2 * mp - 2 * f)
        + 0.00004 * sin(3 * m)
        + 0.00003 * sin(mp + m - 2 * f)
        + 0.00003 * sin(2 * mp + 2 * f)
        - 0.00003 * sin(mp + m + 2 * f)
        + 0.00003 * sin(mp - m + 2 * f)
        - 0.00002 * sin(mp - m - 2 * f)
        - 0.00002 * sin(3 * mp + m)
        + 0.00002 * sin(4 * mp)
    )
    planetary = (
        (0.000325, 299.77 + 0.107408 * k - 0.009173 * t**2),
        (0.000165, 251.88 + 0.016321 * k),
        (0.000164, 251.83 + 26.651886 * k),
        (0.000126, 349.42 + 36.412478 * k),
        (0.000110, 84.66 + 18.206239 * k),
        (0.000062, 141.74 + 53.303771 * k),
        (0.000060, 207.14 + 2.453732 * k),
        (0.000056, 154.84 + 7.306860 * k),
        (0.000047, 34.52 + 27.261239 * k),
        (0.000042, 207.19 + 0.121824 * k),
        (0.000040, 291.34 + 1.844379 * k),
        (0.000037, 161.72 + 24.198154 * k),
        (0.000035, 239.56 + 25.513099 * k),
        (0.000023, 331.55 + 3.592518 * k),
    )
    return jde + sum(coefficient * sin(rad(angle)) for coefficient, angle in planetary)


def new_moon_beijing(k: int) -> dt.datetime:
    """The moment of new moon ``k`` in Beijing time."""
    jde = _new_moon_jde(k)
    year = 2000 + k / 12.3685
    seconds = (jde - _UNIX_EPOCH_JD) * 86400 - _delta_t_seconds(year)
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).astimezone(BEIJING)


def new_moon_on_or_before(day: dt.date) -> dt.date:
    """The Beijing date of the last new moon falling on or before ``day``: the first day of its lunar month."""
    k = math.floor((day.year + (day.timetuple().tm_yday - 1) / 365.25 - 2000) * 12.3685) + 1
    while new_moon_beijing(k).date() > day:
        k -= 1
    while new_moon_beijing(k + 1).date() <= day:
        k += 1
    return new_moon_beijing(k).date()


def lunar_day(day: dt.date) -> int:
    """The day of the lunar month (1–30) of ``day``."""
    return (day - new_moon_on_or_before(day)).days + 1


@lru_cache(maxsize=512)
def solar_term(year: int, name: str) -> dt.date | None:
    """The date of the solar term ``name`` (e.g. "清明") in ``year``, from the library."""
    try:
        terms = chinese_calendar.get_solar_terms(dt.date(year, 1, 1), dt.date(year, 12, 31))
    except (NotImplementedError, ValueError):
        return None
    return next((date for date, term in terms if term == name), None)


@lru_cache(maxsize=512)
def festival_day(festival: str, year: int) -> dt.date | None:
    """The day of a statutory festival in ``year`` (Spring Festival: 正月初一; Qingming: the solar term), or None
    when it cannot be known (a year outside 1901–2099)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if festival in SOLAR_FESTIVALS:
        month, day = SOLAR_FESTIVALS[festival]
        return dt.date(year, month, day)
    if festival == Festival.TOMB_SWEEPING_DAY:
        return solar_term(year, "清明")
    if festival in LUNAR_FESTIVALS:
        term_name, day_of_month = LUNAR_FESTIVALS[festival]
        term = solar_term(year, term_name)
        if term is None:
            return None
        return new_moon_on_or_before(term) + dt.timedelta(days=day_of_month - 1)
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
    found = []
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
