"""Writes to the working-day calendar: the sync from the holiday library and the administrator's edits.

Who owns what:
- The library (``chinese_calendar``) seeds and updates the years it covers (source=library).
- A year an administrator adds or edits, or whose days they change, becomes theirs (source=admin): the sync
  never touches it again. Otherwise a day the administrator deleted would come back on the next sync, and the
  official notice they entered would be mixed with the library's version of it.
- A single row an administrator entered (source=admin) is never overwritten, even in a library year.

Every write runs in one transaction that locks the year's ``CalendarYear`` row first (the sync, the admin
edits and a second sync started by beat while an admin runs one all take that lock), and writes the action log
on the ``CalendarYear`` it changed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError
from crowdsafe.workdays.cache import calendar_changed
from crowdsafe.workdays.choices import ExceptionKind, Source
from crowdsafe.workdays.models import CalendarDay, CalendarYear

LIBRARY_LABEL = f"chinese-calendar {chinese_calendar.__version__}"

# The library names holidays in English; the platform shows the names the State Council notices use.
LIBRARY_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}

NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length


def chinese_holiday_name(english: str | None) -> str:
    """The Chinese name of a holiday the library names in English (e.g. 'National Day' → 国庆节).

    A special holiday not in the list (like the 2015 anniversary day) takes the library's own Chinese name."""
    if not english:
        return ""
    if english in LIBRARY_HOLIDAY_NAMES:
        return LIBRARY_HOLIDAY_NAMES[english]
    try:
        return chinese_calendar.Holiday(english).chinese[:NAME_MAX_LENGTH]
    except ValueError:
        return english[:NAME_MAX_LENGTH]


def library_schedule() -> dict[int, dict[dt.date, tuple[str, str]]]:
    """The library's exception days by year: {year: {date: (kind, Chinese name)}}, holidays including the
    weekend days inside a holiday block, adjusted working days (调休上班日) named after their holiday."""
    schedule: dict[int, dict[dt.date, tuple[str, str]]] = defaultdict(dict)
    for date in sorted(set(chinese_calendar.holidays) | set(chinese_calendar.workdays)):
        is_holiday, english = chinese_calendar.get_holiday_detail(date)
        kind = ExceptionKind.HOLIDAY if is_holiday else ExceptionKind.ADJUSTED_WORKING
        schedule[date.year][date] = (str(kind), chinese_holiday_name(english))
    return dict(schedule)


@dataclass(frozen=True)
class SyncResult:
    """What one sync from the library did."""

    library: str
    years_created: tuple[int, ...] = ()
    years_changed: tuple[int, ...] = ()  # created, or with days added, changed or removed
    years_admin: tuple[int, ...] = ()  # owned by an administrator, left alone
    years_not_in_library: tuple[int, ...] = ()  # asked for, but the library has no schedule for them
    days_created: int = 0
    days_updated: int = 0
    days_deleted: int = 0
    admin_days_kept: int = 0  # administrator's rows the library disagrees with, left as they are

    @property
    def changed(self) -> bool:
        return bool(self.years_changed)

    def summary(self) -> str:
        text = _(
            "%(library)s: %(years)d years changed, %(created)d days added, %(updated)d changed, %(deleted)d "
            "removed; %(admin_years)d years owned by an administrator left alone."
        ) % {
            "library": self.library,
            "years": len(self.years_changed),
            "created": self.days_created,
            "updated": self.days_updated,
            "deleted": self.days_deleted,
            "admin_years": len(self.years_admin),
        }
        if self.years_not_in_library:
            text += " " + _("Not in the library: %(years)s.") % {
                "years": ", ".join(str(year) for year in self.years_not_in_library)
            }
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "library": self.library,
            "years_created": list(self.years_created),
            "years_changed": list(self.years_changed),
            "years_admin": list(self.years_admin),
            "years_not_in_library": list(self.years_not_in_library),
            "days_created": self.days_created,
            "days_updated": self.days_updated,
            "days_deleted": self.days_deleted,
            "admin_days_kept": self.admin_days_kept,
        }


@dataclass
class _Tally:
    years_created: list[int] = field(default_factory=list)
    years_changed: list[int] = field(default_factory=list)
    years_admin: list[int] = field(default_factory=list)
    years_not_in_library: list[int] = field(default_factory=list)
    days_created: int = 0
    days_updated: int = 0
    days_deleted: int = 0
    admin_days_kept: int = 0


def _lock_year(year_model: type[models.Model], year: int, *, source: str, notice: str = "") -> tuple[Any, bool]:
    """The year's row, locked for the rest of the transaction, created with ``source`` if missing."""
    # get_or_create survives a concurrent insert of the same year (it falls back to reading it); the lock then
    # makes a second sync, or an administrator's edit, wait until this transaction is done with the year.
    _, created = year_model.objects.get_or_create(year=year, defaults={"source": source, "notice": notice})
    return year_model.objects.select_for_update().get(year=year), created


def sync_library_years(
    *,
    day_model: type[models.Model],
    year_model: type[models.Model],
    years: Iterable[int] | None,
    log: Callable[[Any, dict[str, Any]], None] | None,
) -> SyncResult:
    """The sync itself, on the given model classes so that the data migration can run it on the historical
    models. ``log(year_row, data)`` records a changed year; ``calendar_sync_from_library`` is the service."""
    schedule = library_schedule()
    wanted = sorted(schedule) if years is None else sorted({int(year) for year in years})
    tally = _Tally()
    for year in wanted:
        library_days = schedule.get(year)
        if library_days is None:
            tally.years_not_in_library.append(year)
            continue
        with transaction.atomic():
            year_row, created = _lock_year(year_model, year, source=Source.LIBRARY, notice=LIBRARY_LABEL)
            if year_row.source == Source.ADMIN:
                tally.years_admin.append(year)
                continue
            existing = {
                row.date: row
                for row in day_model.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
            }
            to_create, to_update, to_delete, admin_kept = [], [], [], []
            for date, (kind, name) in library_days.items():
                row = existing.get(date)
                if row is None:
                    to_create.append(day_model(date=date, kind=kind, name=name, source=Source.LIBRARY))
                elif (row.kind, row.name) == (kind, name):
                    continue
                elif row.source == Source.ADMIN:
                    admin_kept.append(date)
                else:
                    row.kind, row.name, row.updated_at = kind, name, timezone.now()
                    to_update.append(row)
            for date, row in existing.items():
                if date not in library_days:
                    if row.source == Source.ADMIN:
                        admin_kept.append(date)
                    else:
                        to_delete.append(date)
            tally.admin_days_kept += len(admin_kept)
            if not (created or to_create or to_update or to_delete):
                continue
            day_model.objects.bulk_create(to_create)
            day_model.objects.bulk_update(to_update, ["kind", "name", "updated_at"])
            day_model.objects.filter(date__in=to_delete).delete()
            if year_row.notice != LIBRARY_LABEL:
                year_row.notice = LIBRARY_LABEL
                year_row.save(update_fields=["notice", "updated_at"])
            if log is not None:
                log(
                    year_row,
                    {
                        "library": LIBRARY_LABEL,
                        "year_created": created,
                        "created": [row.date.isoformat() for row in to_create],
                        "updated": [row.date.isoformat() for row in to_update],
                        "deleted": [date.isoformat() for date in sorted(to_delete)],
                        "admin_kept": [date.isoformat() for date in sorted(admin_kept)],
                    },
                )
            calendar_changed()  # bulk writes send no model signals
            if created:
                tally.years_created.append(year)
            tally.years_changed.append(year)
            tally.days_created += len(to_create)
            tally.days_updated += len(to_update)
            tally.days_deleted += len(to_delete)
    return SyncResult(
        library=LIBRARY_LABEL,
        years_created=tuple(tally.years_created),
        years_changed=tuple(tally.years_changed),
        years_admin=tuple(tally.years_admin),
        years_not_in_library=tuple(tally.years_not_in_library),
        days_created=tally.days_created,
        days_updated=tally.days_updated,
        days_deleted=tally.days_deleted,
        admin_days_kept=tally.admin_days_kept,
    )


def calendar_sync_from_library(*, actor=None, years: Iterable[int] | None = None) -> SyncResult:
    """Bring the years the holiday library covers (all of them, or ``years``) into the calendar tables.

    Adds, corrects and removes library rows; never overwrites a row an administrator entered and never touches
    a year an administrator owns. Idempotent: a second run changes nothing and logs nothing. Each changed year
    is one transaction with one action-log entry on its ``CalendarYear``.
    """

    def log(year_row: CalendarYear, data: dict[str, Any]) -> None:
        log_action(actor=actor, subject=year_row, verb="calendar_synced", to_state=Source.LIBRARY, data=data)

    return sync_library_years(day_model=CalendarDay, year_model=CalendarYear, years=years, log=log)


def _full_clean(obj: models.Model) -> None:
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if name == "__all__" else name) from exc


def _claim_year(year: int, *, actor, reason: str) -> CalendarYear:
    """Lock the year and make it the administrator's (adding it if missing), logging the change of owner."""
    year_row, created = _lock_year(CalendarYear, year, source=Source.ADMIN)
    if created:
        log_action(actor=actor, subject=year_row, verb="created", to_state=Source.ADMIN, reason=reason)
    elif year_row.source != Source.ADMIN:
        previous = year_row.source
        year_row.source = Source.ADMIN
        year_row.save(update_fields=["source", "updated_at"])
        log_action(
            actor=actor, subject=year_row, verb="updated", from_state=previous, to_state=Source.ADMIN, reason=reason
        )
    return year_row


def calendar_year_save(*, year: int, notice: str = "", actor) -> CalendarYear:
    """Add or change a covered year as an administrator, e.g. when the State Council publishes next year's
    schedule (each November). From then on the year is the administrator's: the sync leaves it alone, and
    deadlines in it count its holidays (enter the days before or together with the year)."""
    notice = (notice or "").strip()
    _full_clean(CalendarYear(year=year, source=Source.ADMIN, notice=notice))
    with transaction.atomic():
        year_row, created = _lock_year(CalendarYear, year, source=Source.ADMIN, notice=notice)
        if created:
            log_action(actor=actor, subject=year_row, verb="created", to_state=Source.ADMIN, data={"notice": notice})
            return year_row
        if (year_row.source, year_row.notice) == (Source.ADMIN, notice):
            return year_row
        previous = {"source": year_row.source, "notice": year_row.notice}
        year_row.source, year_row.notice = Source.ADMIN, notice
        year_row.save(update_fields=["source", "notice", "updated_at"])
        log_action(
            actor=actor,
            subject=year_row,
            verb="updated",
            from_state=previous["source"],
            to_state=Source.ADMIN,
            data={"notice": notice, "previous": previous},
        )
    return year_row


def calendar_year_delete(*, year: int, actor) -> None:
    """Remove a year and its days: its dates are computed on weekends only again. A year the library covers
    comes back at the next sync."""
    with transaction.atomic():
        year_row = CalendarYear.objects.select_for_update().filter(year=year).first()
        if year_row is None:
            raise DomainError(_("%(year)d is not a covered year.") % {"year": year}, field="year", code="not_found")
        days = CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
        removed = [date.isoformat() for date in days.values_list("date", flat=True)]
        log_action(
            actor=actor, subject=year_row, verb="deleted", from_state=year_row.source, data={"days_removed": removed}
        )
        days.delete()
        year_row.delete()


def calendar_day_save(*, date: dt.date, kind: str, name: str = "", actor) -> CalendarDay:
    """Enter or correct one holiday or adjusted working day as an administrator. The day's year becomes the
    administrator's (it is added if it was not covered)."""
    name = (name or "").strip()
    _full_clean(CalendarDay(date=date, kind=kind, name=name, source=Source.ADMIN))
    with transaction.atomic():
        year_row = _claim_year(date.year, actor=actor, reason=_("A holiday or adjusted working day was entered."))
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        previous = None if day is None else {"kind": day.kind, "name": day.name, "source": day.source}
        if previous == {"kind": kind, "name": name, "source": Source.ADMIN}:
            return day
        if day is None:
            day = CalendarDay(date=date, kind=kind, name=name, source=Source.ADMIN)
            day.save(force_insert=True)
        else:
            day.kind, day.name, day.source = kind, name, Source.ADMIN
            day.save(update_fields=["kind", "name", "source", "updated_at"])
        log_action(
            actor=actor,
            subject=year_row,
            verb="calendar_day_set",
            from_state=previous["kind"] if previous else "",
            to_state=kind,
            data={"date": date.isoformat(), "name": name, "previous": previous},
        )
    return day


def calendar_day_delete(*, date: dt.date, actor) -> None:
    """Remove one holiday or adjusted working day as an administrator: the day follows the Monday–Friday rule
    again. The day's year becomes the administrator's, so the sync does not put the day back."""
    with transaction.atomic():
        if not CalendarDay.objects.filter(date=date).exists():
            raise DomainError(
                _("%(date)s is not a holiday or adjusted working day.") % {"date": date.isoformat()},
                field="date",
                code="not_found",
            )
        year_row = _claim_year(date.year, actor=actor, reason=_("A holiday or adjusted working day was removed."))
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:  # removed by a concurrent request while we waited for the year's lock
            return
        log_action(
            actor=actor,
            subject=year_row,
            verb="calendar_day_removed",
            from_state=day.kind,
            data={"date": date.isoformat(), "name": day.name, "source": day.source},
        )
        day.delete()


def calendar_year_schedule_save(
    *, year: int, notice: str, holidays: dict[dt.date, str], adjusted: dict[dt.date, str], actor
) -> CalendarYear:
    """Enter the State Council's schedule for a whole year at once (国务院办公厅关于某年部分节假日安排的通知): its
    days off and its adjusted working days replace every row of the year, and with them the provisional
    holidays of the national holiday rules. The year becomes the administrator's. Validate the input with
    ``crowdsafe.workdays.forms.YearScheduleForm`` first; this checks the essentials again."""
    for date in [*holidays, *adjusted]:
        if date.year != year:
            raise DomainError(_("%(date)s is not in %(year)d.") % {"date": date.isoformat(), "year": year})
    if set(holidays) & set(adjusted):
        raise DomainError(_("A day cannot be both a day off and an adjusted working day."))
    notice = (notice or "").strip()
    _full_clean(CalendarYear(year=year, source=Source.ADMIN, notice=notice))
    with transaction.atomic():
        year_row = _claim_year(year, actor=actor, reason=_("The year's holiday schedule was entered."))
        days = CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
        previous = {row.date.isoformat(): [row.kind, row.name] for row in days}
        days.delete()
        rows = [
            CalendarDay(date=date, kind=ExceptionKind.HOLIDAY, name=name[:NAME_MAX_LENGTH], source=Source.ADMIN)
            for date, name in sorted(holidays.items())
        ] + [
            CalendarDay(
                date=date, kind=ExceptionKind.ADJUSTED_WORKING, name=name[:NAME_MAX_LENGTH], source=Source.ADMIN
            )
            for date, name in sorted(adjusted.items())
        ]
        CalendarDay.objects.bulk_create(rows)
        year_row.source, year_row.notice = Source.ADMIN, notice
        year_row.save(update_fields=["source", "notice", "updated_at"])
        log_action(
            actor=actor,
            subject=year_row,
            verb="calendar_schedule_entered",
            to_state=Source.ADMIN,
            data={
                "notice": notice,
                "holidays": [date.isoformat() for date in sorted(holidays)],
                "adjusted": [date.isoformat() for date in sorted(adjusted)],
                "previous": previous,
            },
        )
        calendar_changed()  # bulk writes send no model signals
    return year_row
