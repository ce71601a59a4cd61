"""Working-day arithmetic for many due dates at once, read from the working-day calendar (``crowdsafe.workdays``).

The scan needs "the 3rd working day before", "the 2nd working day after" and "working days between" for every
distinct due date of the outstanding tasks. Calling ``add_working_days`` for each would read the calendar's cache
version once per call; this reads the calendar once per scan (``calendar_days``, a year at a time) into a sorted
list of working days and answers each question with a binary search.
"""

from __future__ import annotations

import bisect
import datetime as dt

from crowdsafe.workdays.selectors import MAX_RANGE_DAYS, calendar_days

ONE_DAY = dt.timedelta(days=1)


class WorkdayIndex:
    """The working days from ``first`` to ``last`` (inclusive), as the State Council schedule and weekends make them
    (adjusted working weekends count; statutory holidays do not)."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        if last < first:
            first, last = last, first
        self.first, self.last = first, last
        working: list[dt.date] = []
        start = first
        while start <= last:
            end = min(last, start + dt.timedelta(days=MAX_RANGE_DAYS - 1))
            working.extend(day.date for day in calendar_days(start, end) if day.is_working)
            start = end + ONE_DAY
        self.working = working
        self._set = frozenset(working)

    def _check(self, date: dt.date) -> None:
        if not (self.first <= date <= self.last):
            raise ValueError(f"{date} lies outside the index ({self.first} to {self.last})")

    def is_working(self, date: dt.date) -> bool:
        self._check(date)
        return date in self._set

    def before(self, date: dt.date, n: int) -> dt.date:
        """The n-th working day strictly before ``date`` (n ≥ 1): 1 is the last working day before it."""
        i = bisect.bisect_left(self.working, date) - n
        if n < 1 or i < 0:
            raise ValueError(f"the index does not reach {n} working days before {date}")
        return self.working[i]

    def after(self, date: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``date`` (n ≥ 1), as ``add_working_days`` counts."""
        i = bisect.bisect_right(self.working, date) + n - 1
        if n < 1 or i >= len(self.working):
            raise ValueError(f"the index does not reach {n} working days after {date}")
        return self.working[i]

    def on_or_before(self, date: dt.date) -> dt.date | None:
        """The latest working day on or before ``date`` (None if the index has none)."""
        i = bisect.bisect_right(self.working, date) - 1
        return self.working[i] if i >= 0 else None

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many working days from ``start`` to ``end``."""
        if end <= start:
            return 0
        return bisect.bisect_right(self.working, end) - bisect.bisect_right(self.working, start)
