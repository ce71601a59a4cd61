"""The festival days from the lunar-calendar library (lunar-python), 2000–2100, against a fixed table: the days
the hand-written astronomy that events/occasions.py used before computed (astronomy_dates.json, captured from it
before it was deleted). They agree except where the astronomy was wrong. A new version of the library that moves
a festival fails here."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from lunar_python import Lunar

from events.occasions import festival_day

D = dt.date
YEARS = range(2000, 2101)
ASTRONOMY = {
    festival: {int(year): D.fromisoformat(day) if day else None for year, day in days.items()}
    for festival, days in json.loads((Path(__file__).parent / "astronomy_dates.json").read_text()).items()
}

# Where the astronomy and the library disagree, with the published calendar's day (GB/T 33661-2017, the
# calendar of the Purple Mountain Observatory and the Hong Kong Observatory). The astronomy named month N
# after the N-th principal term it contains, which fails in 2033–2034 (the "2033 problem": the leap month
# is 闰十一月, so the eighth month starts on 25 August 2033 and the year 2034 begins on the third new moon
# after the winter solstice) and in 2053 (a month holding two principal terms): it put Spring Festival on
# 20 January, before the earliest possible day (21 January). It also stopped at 2099.
ASTRONOMY_WRONG = {
    ("mid_autumn_festival", 2033): (D(2033, 10, 7), D(2033, 9, 8)),
    ("spring_festival", 2034): (D(2034, 1, 20), D(2034, 2, 19)),
    ("spring_festival", 2053): (D(2053, 1, 20), D(2053, 2, 19)),
    ("spring_festival", 2100): (None, D(2100, 2, 9)),
    ("dragon_boat_festival", 2100): (None, D(2100, 6, 12)),
    ("mid_autumn_festival", 2100): (None, D(2100, 9, 18)),
    ("tomb_sweeping_day", 2100): (None, D(2100, 4, 5)),
}


@pytest.mark.parametrize("festival", sorted(ASTRONOMY))
def test_the_library_gives_the_astronomys_days_except_where_the_astronomy_was_wrong(festival):
    differences = {}
    for year in YEARS:
        if festival_day(festival, year) != ASTRONOMY[festival][year]:
            differences[(festival, year)] = (ASTRONOMY[festival][year], festival_day(festival, year))
    assert differences == {key: days for key, days in ASTRONOMY_WRONG.items() if key[0] == festival}


@pytest.mark.parametrize("year", YEARS)
def test_spring_festival_falls_between_21_january_and_20_february(year):
    assert D(year, 1, 21) <= festival_day("spring_festival", year) <= D(year, 2, 20)


@pytest.mark.parametrize("year", YEARS)
def test_the_lantern_festival_is_spring_festival_plus_14_days(year):
    """The Lantern Festival key date is Spring Festival + 14 (a lunar month has at least 29 days)."""
    lantern = Lunar.fromYmd(year, 1, 15).getSolar()
    assert D(lantern.getYear(), lantern.getMonth(), lantern.getDay()) == festival_day("spring_festival", year) + (
        dt.timedelta(days=14)
    )
