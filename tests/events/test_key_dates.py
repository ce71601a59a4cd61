"""Key dates: when each occasion falls (fixed solar dates, statutory festivals from the holiday library with the
lunar ones computed, dates entered per year) and the daily scan that makes expected gatherings, idempotently,
each with a task for the township to confirm or dismiss it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.models import Task
from events import services
from events.choices import DateRule, GatheringKind, GatheringStatus
from events.models import Gathering, KeyDate, KeyDateOccurrence
from events.occasions import festival_day, next_occurrence, previous_occurrence, statutory_holiday_days
from events.services.keydates import expected_gatherings_create
from tests.events.conftest import report

D = dt.date


# --- when occasions fall (no database) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("festival", "year", "expected"),
    [
        ("spring_festival", 2024, D(2024, 2, 10)),
        ("spring_festival", 2025, D(2025, 1, 29)),
        ("spring_festival", 2026, D(2026, 2, 17)),
        ("spring_festival", 2027, D(2027, 2, 6)),  # beyond the library's schedules: computed
        ("spring_festival", 2028, D(2028, 1, 26)),
        ("dragon_boat_festival", 2025, D(2025, 5, 31)),
        ("dragon_boat_festival", 2026, D(2026, 6, 19)),
        ("mid_autumn_festival", 2025, D(2025, 10, 6)),  # inside the National Day holiday that year
        ("mid_autumn_festival", 2024, D(2024, 9, 17)),
        ("tomb_sweeping_day", 2026, D(2026, 4, 5)),
        ("national_day", 2030, D(2030, 10, 1)),
    ],
)
def test_festival_days(festival, year, expected):
    assert festival_day(festival, year) == expected


@pytest.mark.parametrize("year", range(2004, 2027))
@pytest.mark.parametrize(
    "festival", ["spring_festival", "dragon_boat_festival", "mid_autumn_festival", "tomb_sweeping_day", "national_day"]
)
def test_the_computed_day_lies_in_the_libraries_statutory_holiday(festival, year):
    days = statutory_holiday_days(festival, year)
    if not days:  # e.g. no separate Mid-Autumn holiday in a year where it falls in National Day's
        return
    assert days[0] <= festival_day(festival, year) <= days[-1]


def lantern() -> KeyDate:
    return KeyDate(name="元宵节", rule=DateRule.HOLIDAY, festival="spring_festival", offset_days=14, span_days=1)


def test_lantern_festival_is_spring_festival_plus_14():
    assert next_occurrence(lantern(), D(2026, 11, 20)).starts_on == D(2027, 2, 20)
    assert previous_occurrence(lantern(), D(2027, 2, 20)).starts_on == D(2026, 3, 3)


def test_fixed_and_explicit_dates():
    eve = KeyDate(name="跨年夜", rule=DateRule.FIXED, month=12, day=31, span_days=1)
    assert next_occurrence(eve, D(2026, 12, 31)).starts_on == D(2026, 12, 31)
    assert previous_occurrence(eve, D(2026, 12, 31)).starts_on == D(2025, 12, 31)
    fair = KeyDate(name="庙会", rule=DateRule.EXPLICIT)
    dates = [
        KeyDateOccurrence(starts_on=D(2026, 3, 1), ends_on=D(2026, 3, 5)),
        KeyDateOccurrence(starts_on=D(2027, 2, 18), ends_on=D(2027, 2, 22)),
    ]
    upcoming = next_occurrence(fair, D(2026, 11, 20), explicit=dates)
    assert (upcoming.starts_on, upcoming.ends_on) == (D(2027, 2, 18), D(2027, 2, 22))
    assert next_occurrence(fair, D(2027, 3, 1), explicit=dates) is None


# --- the scan -------------------------------------------------------------------------------------------


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def last_eve(db, city, users, places):
    """Last New Year's Eve on the square (verified and ended) and a false report the same night."""
    today = timezone.localdate()
    eve = D(today.year - 1, 12, 31)
    held = report(
        users.grid_worker,
        venue=places.square,
        title="文峰塔广场跨年倒计时",
        kind=GatheringKind.CELEBRATION,
        starts_at=at(eve, 21),
        ends_at=at(eve, 23),
        estimated_attendance_min=2000,
        estimated_attendance_max=2400,
    )
    false = report(users.grid_worker, grid=city.grid, location_name="误报地点", starts_at=at(eve, 20))
    services.gathering_dismiss(gathering=false, actor=users.township_officer, reason="现场无聚集")
    return held


def scan_day() -> dt.date:
    today = timezone.localdate()
    return D(today.year, 12, 31) - dt.timedelta(days=7)


def test_the_scan_expects_last_years_places_with_a_task_for_the_township(last_eve, places):
    result = expected_gatherings_create(today=scan_day())
    assert len(result.created) == 1
    expected = result.created[0]
    assert expected.status == GatheringStatus.EXPECTED
    assert expected.venue == places.square and expected.expected_from == last_eve
    assert expected.key_date.name == "跨年夜"
    assert timezone.localtime(expected.starts_at) == at(D(timezone.localdate().year, 12, 31), 21)
    task = Task.objects.get(subject_type="gathering", subject_id=expected.pk, rule__key="events.confirm_expected")
    assert task.responsible_department == places.township_government
    assert task.due_date == D(timezone.localdate().year, 12, 30)


def test_the_scan_is_idempotent_and_waits_for_the_lead_time(last_eve):
    assert expected_gatherings_create(today=scan_day() - dt.timedelta(days=1)).created == []
    assert len(expected_gatherings_create(today=scan_day()).created) == 1
    assert expected_gatherings_create(today=scan_day()).created == []
    assert expected_gatherings_create(today=scan_day() + dt.timedelta(days=1)).created == []
    assert Gathering.objects.filter(status=GatheringStatus.EXPECTED).count() == 1


def test_confirming_or_dismissing_settles_the_task(last_eve, users):
    expected = expected_gatherings_create(today=scan_day()).created[0]
    services.gathering_confirm(gathering=expected, actor=users.township_officer)
    task = Task.objects.get(subject_type="gathering", subject_id=expected.pk, rule__key="events.confirm_expected")
    assert task.status == "done"
    expected.refresh_from_db()
    assert expected.status == GatheringStatus.VERIFIED


def test_a_dismissed_prediction_is_not_made_again(last_eve, users):
    expected = expected_gatherings_create(today=scan_day()).created[0]
    services.gathering_dismiss(gathering=expected, actor=users.township_officer, reason="今年不举办")
    assert expected_gatherings_create(today=scan_day()).created == []
    task = Task.objects.get(subject_type="gathering", subject_id=expected.pk, rule__key="events.confirm_expected")
    assert task.status == "cancelled"


def test_the_key_dates_filters_apply(last_eve):
    KeyDate.objects.filter(name="跨年夜").update(venue_kinds=["commercial"])
    assert expected_gatherings_create(today=scan_day()).created == []


def test_the_celery_task_body(last_eve):
    from events.tasks import create_expected_gatherings

    KeyDate.objects.filter(name="跨年夜").update(lead_days=90)
    assert create_expected_gatherings.run() in (0, 1)


def test_admins_edit_key_dates_through_the_service(users):
    key_date = KeyDate(name="浚县正月古庙会", rule=DateRule.EXPLICIT, gathering_kinds=["festival_religious"])
    with pytest.raises(PermissionDeniedError):
        services.key_date_save(key_date=key_date, actor=users.township_officer)
    services.key_date_save(key_date=key_date, actor=users.admin)
    occurrence = KeyDateOccurrence(key_date=key_date, starts_on=D(2027, 2, 6), ends_on=D(2027, 3, 8))
    services.key_date_occurrence_save(occurrence=occurrence, actor=users.admin)
    assert next_occurrence(key_date, D(2027, 1, 1)).ends_on == D(2027, 3, 8)
    with pytest.raises(DomainError):
        services.key_date_save(key_date=KeyDate(name="坏日期", rule=DateRule.FIXED, month=2, day=30), actor=users.admin)
    with pytest.raises(DomainError):
        services.key_date_save(
            key_date=KeyDate(name="坏类型", rule=DateRule.EXPLICIT, gathering_kinds=["parade"]), actor=users.admin
        )
