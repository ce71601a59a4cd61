"""The automatic risk pre-level: attendance against the venue's safe capacity (or attendance bands at a free
location), raised by risk points, night, a statutory holiday and online hype, with its reasons in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from events.models import TriageSettings
from events.triage import render_reasons, triage
from tests.events.conftest import a_working_afternoon, make_square
from venues.choices import RiskPointKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def square(city):
    return make_square(city.grid)


def level(venue, attendance, starts_at=None, **kwargs):
    return triage(
        venue=venue,
        estimated_attendance_max=attendance,
        starts_at=starts_at or a_working_afternoon(),
        ends_at=None,
        online_hype=kwargs.pop("online_hype", False),
        **kwargs,
    )


def test_the_square_has_a_safe_capacity_of_2500(square):
    assert square.computed_capacity == 2500


@pytest.mark.parametrize(
    ("attendance", "expected"),
    [
        (1000, "blue"),
        (1249, "blue"),
        (1250, "yellow"),
        (1999, "yellow"),
        (2000, "orange"),
        (2499, "orange"),
        (2500, "red"),
    ],
)
def test_at_a_venue_the_level_is_the_share_of_its_safe_capacity(square, attendance, expected):
    assert level(square, attendance).level == expected


def test_the_capacity_reason_names_the_venue_the_share_and_the_threshold(square):
    result = level(square, 3000)
    assert result.level == "red"
    assert result.reasons[0] == (
        "Estimated attendance of up to 3,000 is 120% of the safe capacity of 文峰塔广场 (2,500): "
        "Red (major) (from 100%)."
    )


@pytest.mark.parametrize(
    ("attendance", "expected"), [(299, "blue"), (300, "yellow"), (999, "yellow"), (1000, "orange"), (5000, "red")]
)
def test_a_free_location_has_no_capacity_and_uses_attendance_bands(attendance, expected):
    result = level(None, attendance)
    assert result.level == expected
    assert result.reasons[0] == "A free location has no safe capacity: the attendance bands apply."


def test_a_venue_without_zones_says_so_and_uses_the_bands(city):
    from venues.services import venue_create

    bare = venue_create(actor=None, name="无区域广场", kind="square", grid=city.grid)
    result = level(bare, 1200)
    assert result.level == "orange"
    assert "无区域广场 has no safe capacity recorded" in result.reasons[0]


def test_night_raises_one_step_and_says_so(square):
    evening = a_working_afternoon().replace(hour=20)
    result = level(square, 1000, starts_at=evening)
    assert result.level == "yellow"
    assert "It takes place at night (19:00–06:00)." in result.reasons
    assert result.reasons[-1] == (
        "1 aggravating factor raises the level from Blue (low) to Yellow (moderate) (steps allowed: 1)."
    )


def test_an_afternoon_gathering_running_into_the_evening_is_at_night(square):
    start = a_working_afternoon()
    result = triage(
        venue=square,
        estimated_attendance_max=100,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
        online_hype=False,
    )
    assert any(f["code"] == "night" for f in result.facts)


def test_a_statutory_holiday_is_read_from_the_working_day_calendar(square, holiday_evening):
    noon = holiday_evening.replace(hour=12, minute=0)
    result = level(square, 100, starts_at=noon)
    assert result.level == "yellow"
    assert f"It falls on a statutory holiday (国庆节, {noon.date().isoformat()})." in result.reasons


def test_online_hype_and_risk_points_are_factors(city):
    stepped = make_square(city.grid, name="台阶广场", risk_points=[RiskPointKind.STEPS, RiskPointKind.BRIDGE])
    result = level(stepped, 100, online_hype=True)
    codes = [f["code"] for f in result.facts]
    assert "risk_points" in codes and "online_hype" in codes
    assert "台阶广场 has 2 risk points (Bridge, Steps)." in result.reasons


def test_factors_raise_at_most_the_configured_number_of_steps(square, holiday_evening):
    assert level(square, 100, starts_at=holiday_evening, online_hype=True).level == "yellow"
    TriageSettings.objects.update(max_raise=3)
    assert level(square, 100, starts_at=holiday_evening, online_hype=True).level == "red"


def test_thresholds_are_data(square):
    TriageSettings.objects.update(ratio_red=Decimal("1.50"))
    assert level(square, 3000).level == "orange"
    TriageSettings.objects.update(band_orange=2000, band_red=8000)
    assert level(None, 1500).level == "yellow"


def test_a_headcount_above_the_estimate_is_used(square):
    result = level(square, 1000, latest_headcount=2600)
    assert result.level == "red"
    assert result.reasons[0] == "The latest headcount (2,600) is above the estimate (1,000) and is used instead."


def test_reasons_render_in_the_readers_language(square, holiday_evening):
    result = level(square, 3000, starts_at=holiday_evening)
    with translation.override("zh-hans"):
        chinese = render_reasons(result.facts)
    assert result.level == "red"
    assert chinese != result.reasons
    assert chinese[0].startswith("预计最多3") and "文峰塔广场安全容量" in chinese[0]


def test_red_is_the_ceiling(square, holiday_evening):
    result = level(square, 3000, starts_at=holiday_evening, online_hype=True)
    assert result.level == "red"
    assert result.reasons[-1] == "The aggravating factors cannot raise it further: red is the highest level."
    assert timezone.is_aware(holiday_evening)


# --- single exits (issue 20 point 6) ------------------------------------------------------------------------


def make_hall(grid, *, exits, name="人民会堂", served_by=None):
    """A 1,000 m² standing hall (area figure 2,000) with ``exits`` level exits 2 m wide serving its one zone."""
    from venues import services as venue_services

    venue = venue_services.venue_create(actor=None, name=name, kind="exhibition", grid=grid)
    zone = venue_services.zone_create(venue=venue, actor=None, name="大厅", kind="standing", usable_area_m2="1000")
    for i in range(exits):
        venue_services.exit_create(
            venue=venue, actor=None, name=f"门{i + 1}", kind="level", clear_width_m="2.00", zones=[zone]
        )
    venue.refresh_from_db()
    return venue


def test_2500_people_in_a_1000_m2_hall_with_two_exits_is_red(city):
    hall = make_hall(city.grid, exits=2)
    assert hall.computed_capacity == 1312
    assert level(hall, 2500).level == "red"


def test_the_same_hall_with_a_single_exit_is_red_too_and_says_why(city):
    hall = make_hall(city.grid, exits=1)
    assert hall.computed_capacity == 0
    result = level(hall, 2500)
    assert result.level == "red"
    assert result.reasons[0] == (
        "人民会堂 has a single exit: discounting it in case it is blocked leaves no way out, so its safe capacity "
        "is 0 and any attendance (here up to 2,500) exceeds it: Red (major)."
    )
    assert not any("no zones and exits" in reason for reason in result.reasons)


def test_a_single_exit_hall_is_red_even_for_a_small_gathering(city):
    assert level(make_hall(city.grid, exits=1), 50).level == "red"


def test_the_single_exit_reason_reads_in_chinese(city):
    result = level(make_hall(city.grid, exits=1), 2500)
    with translation.override("zh-hans"):
        reason = render_reasons(result.facts)[0]
    assert "只有一个出口" in reason
    assert "红色" in reason


def test_a_zone_served_by_a_single_exit_makes_the_venue_red(city):
    from venues import services as venue_services

    venue = venue_services.venue_create(actor=None, name="会展中心", kind="exhibition", grid=city.grid)
    main = venue_services.zone_create(venue=venue, actor=None, name="主厅", kind="standing", usable_area_m2="1000")
    annex = venue_services.zone_create(venue=venue, actor=None, name="副厅", kind="standing", usable_area_m2="200")
    for i in range(3):
        venue_services.exit_create(
            venue=venue, actor=None, name=f"主门{i + 1}", kind="level", clear_width_m="4.00", zones=[main]
        )
    venue_services.exit_create(venue=venue, actor=None, name="副门", kind="level", clear_width_m="2.00", zones=[annex])
    venue.refresh_from_db()
    assert venue.computed_capacity == 2400  # the area: 1,200 m² ÷ 0.5
    result = level(venue, 500)
    assert result.level == "red"
    assert result.reasons[0] == (
        "In 会展中心, 副厅 has a single exit: discounting it in case it is blocked leaves no way out, so its safe "
        "capacity is 0 and any attendance there exceeds it: Red (major)."
    )


def test_a_venue_with_zones_but_no_exits_says_the_exits_are_missing(city):
    from venues import services as venue_services

    venue = venue_services.venue_create(actor=None, name="无出口广场", kind="square", grid=city.grid)
    venue_services.zone_create(venue=venue, actor=None, name="主区", kind="standing", usable_area_m2="1000")
    venue.refresh_from_db()
    result = level(venue, 1200)
    assert result.level == "orange"
    assert result.reasons[0] == "无出口广场 has no safe capacity recorded (no exits): the attendance bands apply."
