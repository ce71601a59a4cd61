"""The statutory holidays of the national holiday rules (全国年节及纪念日放假办法), computed for a year whose
State Council schedule (国务院办公厅节假日安排) has not been entered yet.

The rules as amended by State Council Order of 12 November 2024, in force from 1 January 2025 (Art. 2): New
Year's Day 1 day (1 January); Spring Festival 4 days (农历除夕 and 正月初一 to 初三); Qingming 1 day (the solar
term); Labour Day 2 days (1 and 2 May); Dragon Boat 1 day (五月初五); Mid-Autumn 1 day (八月十五); National Day
3 days (1 to 3 October). These days are off whatever the schedule says; the schedule only adds bridging days
(调休) and the weekends worked in exchange, which cannot be computed. So the days below are counted as
*provisional* days off until an administrator enters the year, and every deadline that crosses one says so.

Lunar dates come from lunar-python (GB/T 33661-2017); ``events.occasions`` reads its festival days from here.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from lunar_python import Lunar

# The amended rules apply from 2025; earlier years are all in the holiday library.
RULES_FROM_YEAR = 2025
# lunar-python's tables (and the festival days the project checks) cover these years.
FIRST_YEAR, LAST_YEAR = 1901, 2100


def lunar_date(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of ``day`` of lunar ``month`` in the lunar year that starts in ``year``."""
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def qingming(year: int) -> dt.date:
    """The day of the Qingming solar term (清明) in ``year``."""
    # The table of the lunar year that starts in ``year``: 清明 (early April) always falls inside it.
    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=256)
def _statutory_days(year: int) -> tuple[tuple[dt.date, str], ...]:
    spring = lunar_date(year, 1, 1)
    blocks: list[tuple[str, list[dt.date]]] = [
        ("元旦", [dt.date(year, 1, 1)]),
        ("春节", [spring + dt.timedelta(days=offset) for offset in range(-1, 3)]),  # 除夕, 初一 to 初三
        ("清明节", [qingming(year)]),
        ("劳动节", [dt.date(year, 5, 1), dt.date(year, 5, 2)]),
        ("端午节", [lunar_date(year, 5, 5)]),
        ("中秋节", [lunar_date(year, 8, 15)]),
        ("国庆节", [dt.date(year, 10, day) for day in (1, 2, 3)]),
    ]
    days: dict[dt.date, str] = {}
    for name, dates in blocks:
        for date in dates:
            # Mid-Autumn may fall on 1 to 3 October: one day off, both names.
            days[date] = f"{days[date]}、{name}" if date in days else name
    return tuple(sorted(days.items()))


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The days off the national holiday rules fix for ``year`` (date → Chinese name), without the State
    Council's bridging days. Empty for a year before the amended rules or outside the lunar tables."""
    if not RULES_FROM_YEAR <= year <= LAST_YEAR:
        return {}
    return dict(_statutory_days(year))
