"""Reading the working-day calendar: what a day is, and when a period counted in working or calendar days ends.

These are pure functions of the calendar tables (the same for every user, so not scoped). Each computation
reads the years it needs through ``crowdsafe.workdays.cache``: no query at all while the calendar is unchanged,
at most two queries otherwise, never one per day.

Rules:
- A day in a covered year (``CalendarYear``) is a statutory holiday or an adjusted working day (调休上班日) if
  the table says so, else a weekend (Saturday, Sunday) or a working day. A year not covered is computed on
  weekends and the statutory holidays of the national holiday rules, which are provisional days off
  (``crowdsafe.workdays.festivals``): every result touching it says so (``covered=False``, ``uncovered_years``),
  and a period that crosses a provisional day off lists it (``provisional_days``).
- Working days: counting starts the day after ``start``; the n-th working day is the due date.
- Calendar days: the period ends ``n`` days after ``start``; if that day is a rest day the period runs to the
  next working day (民法典 Art. 203; ``settings.CALENDAR_PERIOD_EXTENDS_OVER``, see settings.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crowdsafe.errors import DomainError
from crowdsafe.workdays.cache import YearData, years_data
from crowdsafe.workdays.choices import WORKING_DAY_TYPES, DayType, DeadlineUnit, ExceptionKind, PeriodExtension

MAX_DAYS = 3650  # ten years: longer than any period in the regulations the platform encodes
MAX_RANGE_DAYS = 366  # one leap year, the most one request for a list of days may ask for
ONE_DAY = dt.timedelta(days=1)
HOLIDAY_TYPES = frozenset({DayType.HOLIDAY, DayType.PROVISIONAL_HOLIDAY})
# Years read ahead when a computation runs past the ones it loaded, so a long count does not query per year.
_READ_AHEAD_YEARS = 3


@dataclass(frozen=True)
class DayInfo:
    """One day as the calendar sees it. ``name`` is the holiday a holiday or adjusted working day belongs to
    (e.g. 国庆节); ``covered`` is False when the day's year has no holiday schedule in the table."""

    date: dt.date
    type: DayType
    name: str
    covered: bool

    @property
    def is_working(self) -> bool:
        return self.type in WORKING_DAY_TYPES

    @property
    def type_label(self) -> str:
        return str(DayType(self.type).label)


@dataclass(frozen=True)
class Deadline:
    """The end of a period (期限) counted from ``start``: ``n`` working days or ``n`` calendar days.

    ``covered`` is True when every year from ``start`` to ``due`` has its holiday schedule in the table;
    otherwise ``uncovered_years`` lists the years computed on weekends only. For calendar days,
    ``extended_from`` is the raw end day when it was a rest day and the period was carried to ``due``.
    ``provisional_days`` are the provisional days off (date, holiday name) the period crossed: the State
    Council's schedule for their year may still move the due date.
    """

    due: dt.date
    start: dt.date
    n: int
    unit: DeadlineUnit
    covered: bool
    uncovered_years: tuple[int, ...] = ()
    extended_from: dt.date | None = None
    provisional_days: tuple[tuple[dt.date, str], ...] = ()

    def sentence(self) -> str:
        """What was counted and the result, in the active language."""
        values = {
            "n": self.n,
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "end": self.extended_from.isoformat() if self.extended_from else "",
        }
        if self.n == 0 and self.extended_from is None:
            return _("Due on %(start)s itself.") % values
        if self.unit == DeadlineUnit.WORKING_DAYS:
            return (
                ngettext(
                    "%(n)d working day from %(start)s: due %(due)s.",
                    "%(n)d working days from %(start)s: due %(due)s.",
                    self.n,
                )
                % values
            )
        if self.extended_from is not None:
            return (
                ngettext(
                    "%(n)d calendar day from %(start)s ends on %(end)s, a rest day, so the period runs to %(due)s.",
                    "%(n)d calendar days from %(start)s end on %(end)s, a rest day, so the period runs to %(due)s.",
                    self.n,
                )
                % values
            )
        return (
            ngettext(
                "%(n)d calendar day from %(start)s: due %(due)s.",
                "%(n)d calendar days from %(start)s: due %(due)s.",
                self.n,
            )
            % values
        )

    def warning(self) -> str:
        """Empty when covered; else which years were computed without their schedule, and the provisional
        days off the period crossed."""
        if self.covered:
            return ""
        years = ", ".join(str(year) for year in self.uncovered_years)
        text = ngettext(
            "The %(years)s holiday schedule has not been entered yet: weekends and the statutory holidays of the "
            "national holiday rules were counted as rest days.",
            "The %(years)s holiday schedules have not been entered yet: weekends and the statutory holidays of the "
            "national holiday rules were counted as rest days.",
            len(self.uncovered_years),
        ) % {"years": years}
        if self.provisional_days:
            text += ("" if text.endswith("。") else " ") + provisional_days_sentence(self.provisional_days)
        return text

    def explain(self) -> str:
        """One sentence saying how the due date was reached, plus the warning when a year was not covered."""
        sentence, warning = self.sentence(), self.warning()
        if not warning:
            return sentence
        # Chinese sentences follow a full-width stop with no space; English ones take a space.
        return sentence + ("" if sentence.endswith(("。", "！", "？")) else " ") + warning


def provisional_days_sentence(days: tuple[tuple[dt.date, str], ...] | list) -> str:
    """'The period crosses provisional days off: 2027-02-05 – 2027-02-08 春节; …' for (date, name) pairs (dates
    or ISO strings, as stored in explanation facts)."""
    spans: list[list] = []
    for value, name in days:
        date = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        if spans and spans[-1][2] == name and spans[-1][1] + ONE_DAY == date:
            spans[-1][1] = date
        else:
            spans.append([date, date, name])
    parts = [
        (f"{first.isoformat()} – {last.isoformat()}" if last != first else first.isoformat()) + f" {name}"
        for first, last, name in spans
    ]
    return ngettext(
        "The period crosses a provisional day off, which the State Council's schedule may move: %(days)s.",
        "The period crosses provisional days off, which the State Council's schedule may move: %(days)s.",
        sum(1 for _day in days),
    ) % {"days": _("; ").join(parts)}


class _CalendarWindow:
    """The calendar as one computation sees it: the years it loaded up front, plus any it runs into."""

    def __init__(self, first_year: int, last_year: int) -> None:
        self._years: dict[int, YearData] = years_data(range(first_year, min(last_year, dt.MAXYEAR) + 1))

    def _year(self, year: int) -> YearData:
        data = self._years.get(year)
        if data is None:
            self._years.update(years_data(range(year, min(year + _READ_AHEAD_YEARS, dt.MAXYEAR) + 1)))
            data = self._years[year]
        return data

    def info(self, date: dt.date) -> DayInfo:
        data = self._year(date.year)
        exception = data.days.get(date)
        if exception is not None:
            kind, name = exception
            day_type = DayType.HOLIDAY if kind == ExceptionKind.HOLIDAY else DayType.ADJUSTED_WORKING
            return DayInfo(date=date, type=day_type, name=name, covered=True)
        provisional = data.provisional.get(date)
        if provisional is not None:
            return DayInfo(date=date, type=DayType.PROVISIONAL_HOLIDAY, name=provisional, covered=False)
        day_type = DayType.WEEKEND if date.weekday() >= 5 else DayType.WORKING
        return DayInfo(date=date, type=day_type, name="", covered=data.covered)

    def is_working(self, date: dt.date) -> bool:
        return self.info(date).is_working

    def uncovered_years(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        return tuple(year for year in range(first.year, last.year + 1) if not self._year(year).covered)

    def provisional_days(self, first: dt.date, last: dt.date) -> tuple[tuple[dt.date, str], ...]:
        """The provisional days off after ``first`` up to ``last`` (the days a period from ``first`` crosses)."""
        return tuple(
            (date, name)
            for year in range(first.year, last.year + 1)
            for date, name in sorted(self._year(year).provisional.items())
            if first < date <= last
        )


# Apps that store deadlines register a check "does this user have an outstanding deadline in these years?" (the
# kernel imports no app): the home page shows the "schedule not entered" notice to such users.
_AFFECTED_DEADLINE_CHECKS: list[Callable[[Any, Sequence[int]], bool]] = []


def register_affected_deadlines(check: Callable[[Any, Sequence[int]], bool]) -> None:
    """Register ``check(user, years)``; registering the same function twice keeps one."""
    if check not in _AFFECTED_DEADLINE_CHECKS:
        _AFFECTED_DEADLINE_CHECKS.append(check)


def has_affected_deadlines(user: Any, years: Sequence[int]) -> bool:
    """Whether one of the user's outstanding deadlines falls in a year whose schedule is not entered."""
    return bool(years) and any(check(user, years) for check in _AFFECTED_DEADLINE_CHECKS)


def _check_date(value: object, field: str) -> dt.date:
    # A datetime is a date subclass but would never match a date key, and which local day it means is the
    # caller's decision (timezone.localdate), so it is refused rather than guessed.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{field} must be a datetime.date, not {type(value).__name__}")
    return value


def _check_n(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise DomainError(_("The number of days must be a whole number."), field="n", code="invalid")
    if not 0 <= n <= MAX_DAYS:
        raise DomainError(
            _("The number of days must be between 0 and %(max)d.") % {"max": MAX_DAYS}, field="n", code="out_of_range"
        )
    return n


def _out_of_range() -> DomainError:
    return DomainError(
        _("The period runs past the last date the calendar can count to."), field="start", code="out_of_range"
    )


def _extends_over() -> str:
    mode = getattr(settings, "CALENDAR_PERIOD_EXTENDS_OVER", PeriodExtension.REST_DAYS)
    if mode not in PeriodExtension.values:
        raise ImproperlyConfigured(
            f"CALENDAR_PERIOD_EXTENDS_OVER must be one of {PeriodExtension.values}, not {mode!r}"
        )
    return mode


def day_info(d: dt.date) -> DayInfo:
    """Everything the calendar says about one day."""
    d = _check_date(d, "d")
    return _CalendarWindow(d.year, d.year).info(d)


def day_type(d: dt.date) -> DayType:
    """Working day, weekend, statutory holiday or adjusted working day."""
    return day_info(d).type


def is_working_day(d: dt.date) -> bool:
    """Monday to Friday unless a statutory holiday, plus the adjusted working weekends (调休上班日)."""
    return day_info(d).is_working


def calendar_days(start: dt.date, end: dt.date) -> list[DayInfo]:
    """Every day from ``start`` to ``end`` inclusive (at most ``MAX_RANGE_DAYS``), in order."""
    start, end = _check_date(start, "start"), _check_date(end, "end")
    if end < start:
        raise DomainError(_("The end date must not be before the start date."), field="end")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise DomainError(
            _("A range may cover at most %(max)d days.") % {"max": MAX_RANGE_DAYS}, field="end", code="out_of_range"
        )
    window = _CalendarWindow(start.year, end.year)
    return [window.info(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]


def add_working_days(start: dt.date, n: int) -> Deadline:
    """The n-th working day after ``start`` (``start`` itself is not counted; n=0 gives ``start``)."""
    start, n = _check_date(start, "start"), _check_n(n)
    # About 250 working days in 365: read enough years up front that a normal count needs no second read.
    horizon = math.ceil(n * 1.6) + 30
    try:
        window = _CalendarWindow(start.year, (start + dt.timedelta(days=horizon)).year if n else start.year)
    except OverflowError:
        window = _CalendarWindow(start.year, dt.MAXYEAR)
    due, counted = start, 0
    try:
        while counted < n:
            due += ONE_DAY
            if window.is_working(due):
                counted += 1
    except OverflowError as exc:
        raise _out_of_range() from exc
    uncovered = window.uncovered_years(start, due)
    return Deadline(
        due=due,
        start=start,
        n=n,
        unit=DeadlineUnit.WORKING_DAYS,
        covered=not uncovered,
        uncovered_years=uncovered,
        provisional_days=window.provisional_days(start, due),
    )


def add_calendar_days(start: dt.date, n: int) -> Deadline:
    """``start`` + n days; an end on a rest day (or only on a statutory holiday, by the setting) is carried to
    the next day that is not one (民法典 Art. 203). No days (n = 0) is not a period but the date itself — the
    eve of an event, the day an inspection falls due, an incident's measures the same day — and is never carried:
    a duty due by the eve of a Sunday event must not fall due on the Monday after it."""
    start, n = _check_date(start, "start"), _check_n(n)
    mode = _extends_over()
    try:
        end = start + dt.timedelta(days=n)
        # The longest run of rest days so far is ten (Spring Festival 2020, extended for the epidemic): reading
        # two weeks past the end covers a carried end; a longer run just reads the next year when it gets there.
        window = _CalendarWindow(start.year, (end + dt.timedelta(days=14)).year)
        due = end
        while n:
            info = window.info(due)
            carried = info.type in HOLIDAY_TYPES if mode == PeriodExtension.HOLIDAYS else not info.is_working
            if not carried:
                break
            due += ONE_DAY
    except OverflowError as exc:
        raise _out_of_range() from exc
    uncovered = window.uncovered_years(start, due)
    return Deadline(
        due=due,
        start=start,
        n=n,
        unit=DeadlineUnit.CALENDAR_DAYS,
        covered=not uncovered,
        uncovered_years=uncovered,
        extended_from=end if due != end else None,
        provisional_days=window.provisional_days(start, due),
    )


def compute_deadline(start: dt.date, n: int, unit: str) -> Deadline:
    """``add_working_days`` or ``add_calendar_days`` by ``unit`` (a ``DeadlineUnit`` value, as rules store it)."""
    if unit == DeadlineUnit.WORKING_DAYS:
        return add_working_days(start, n)
    if unit == DeadlineUnit.CALENDAR_DAYS:
        return add_calendar_days(start, n)
    raise DomainError(
        _("Unknown unit %(unit)r: use working or calendar days.") % {"unit": unit}, field="unit", code="invalid"
    )
