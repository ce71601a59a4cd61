"""The legal checks of Order 505 as pure functions (permits/rules.py), each with its article."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from permits import rules
from permits.choices import MaterialKind, PlanMode, PlanSection

D = dt.date


@pytest.mark.parametrize(
    ("attendance", "level"),
    [(999, None), (1000, "county"), (4999, "county"), (5000, "city"), (20000, "city")],
)
def test_the_licensing_level_follows_the_attendance_per_session(attendance, level):
    assert rules.permit_required(attendance) is (level is not None)
    assert rules.licensing_level(attendance) == level


def test_exactly_5000_goes_to_the_county_when_the_boundary_is_moved_up():
    assert rules.licensing_level(5000, city_level_from=5001) == "county"
    assert rules.licensing_level(5001, city_level_from=5001) == "city"


def test_an_event_across_provinces_is_the_ministrys():
    assert rules.licensing_level(3000, across_provinces=True) == "ministry"


def test_no_permit_for_a_government_event_or_a_venues_regular_business():
    assert not rules.permit_required(30000, organized_by_government=True)
    assert not rules.permit_required(30000, regular_business=True)
    assert rules.licensing_level(30000, regular_business=True) is None


def test_the_last_filing_date_is_20_calendar_days_before_the_first_session():
    assert rules.latest_filing_date(D(2026, 12, 21)) == D(2026, 12, 1)
    assert rules.filed_in_time(D(2026, 12, 1), D(2026, 12, 21))
    assert not rules.filed_in_time(D(2026, 12, 2), D(2026, 12, 21))


def test_tickets_may_not_exceed_the_approved_capacity_or_the_computed_one_where_none_is_approved():
    assert rules.capacity_limit(6000, 13120) == 6000
    assert rules.capacity_limit(None, 13120) == 13120
    assert rules.capacity_limit(None, None) is None
    assert rules.tickets_within(6000, 6000)
    assert not rules.tickets_within(6001, 6000)
    assert not rules.tickets_within(10, None)


@pytest.mark.django_db
def test_accepted_on_2026_09_30_with_7_promised_working_days_is_due_2026_10_15():
    # 国庆节 2026: 1–7 October off, Saturday 10 October worked (调休).
    assert rules.promised_decision_due(D(2026, 9, 30), 7, "working").due == D(2026, 10, 15)


@pytest.mark.django_db
def test_the_statutory_7_days_are_working_days_by_the_administrative_licensing_law_art_82():
    # 行政许可法 Art. 82: 实施行政许可的期限以工作日计算，不含法定节假日. From 30 September 2026: National Day
    # 1–7 October off, Saturday 10 October worked: 10-08, 10-09, 10-10, 10-12, 10-13, 10-14, 10-15.
    deadline = rules.statutory_decision_due(D(2026, 9, 30))
    assert deadline.unit == "working"
    assert deadline.due == D(2026, 10, 15)


@pytest.mark.django_db
def test_the_usual_promise_of_7_working_days_is_never_later_than_the_statutory_deadline():
    for accepted in (D(2026, 9, 30), D(2026, 12, 7), D(2027, 2, 4)):
        promised = rules.promised_decision_due(accepted, 7, "working").due
        assert promised <= rules.statutory_decision_due(accepted).due


@pytest.mark.parametrize(
    ("days", "unit", "allowed"),
    [(7, "working", True), (5, "working", True), (7, "calendar", True), (8, "working", False), (10, "calendar", False)],
)
def test_a_promise_may_not_be_later_than_the_statutory_7_working_days(days, unit, allowed):
    assert rules.promise_within_statutory(days, unit) is allowed
    with translation.override("en"):
        assert bool(rules.promise_error(days, unit)) is not allowed


@pytest.mark.django_db
def test_a_latest_filing_date_on_a_day_off_is_flagged():
    # The first session on Thursday 2026-10-22: 20 days before is Friday 2 October, in the National Day holiday.
    day_off = rules.latest_filing_day_off(D(2026, 10, 22))
    assert day_off is not None and day_off.date == D(2026, 10, 2) and day_off.name == "国庆节"
    assert rules.latest_filing_day_off(D(2026, 12, 31)) is None  # Friday 2026-12-11: a working day
    with translation.override("en"):
        checks = rules.evaluate(
            facts(first_session_date=D(2026, 10, 22), today=D(2026, 9, 1), latest_filing_day_off=day_off)
        )
    [check] = [c for c in checks.items if c.key == "filing_day_off"]
    assert check.status == "warn" and check.article == "Order 505 Art. 13"
    assert "2026-10-02" in check.message and "day off" in check.message


def test_an_event_organized_by_a_government_or_a_state_organ_is_outside_the_regulation_by_art_25():
    # Art. 25: 县级以上各级人民政府、国家机关组织的大型群众性活动的安全保卫工作，不适用本条例的规定.
    with translation.override("en"):
        checks = rules.evaluate(facts(organized_by_government=True))
    [check] = [c for c in checks.items if c.key == "permit_required"]
    assert check.article == "Order 505 Art. 25"
    assert "state organ" in check.message
    assert checks.permit_required is False and checks.licensing_level is None


@pytest.mark.django_db
def test_the_acceptance_decision_is_due_within_5_working_days():
    assert rules.acceptance_due(D(2026, 9, 30)).due == D(2026, 10, 13)


def facts(**kwargs):
    values = {
        "max_attendance": 3000,
        "first_session_date": D(2026, 12, 31),
        "today": D(2026, 11, 20),
        "has_venue": True,
        "tickets_total": 2500,
        "venue_approved_capacity": 6000,
        "licensing_department": "安阳市公安局文峰分局",
    }
    values.update(kwargs)
    return rules.ApplicationFacts(**values)


def test_every_check_cites_its_article():
    with translation.override("en"):
        checks = rules.evaluate(facts())
    articles = {c.key: c.article for c in checks.items}
    assert articles["permit_required"] == "Order 505 Art. 2"
    assert articles["licensing_level"] == "Order 505 Art. 12"
    assert articles["filing_deadline"] == "Order 505 Art. 13"
    assert articles["capacity"] == "Order 505 Art. 7"
    assert articles["statutory_deadline"] == "Order 505 Art. 14"
    assert checks.permit_required and checks.licensing_level == "county" and checks.capacity_ok
    assert not checks.blocking_failures


def test_the_articles_are_shown_in_chinese():
    with translation.override("zh-hans"):
        checks = rules.evaluate(facts())
    assert "第二条" in checks.items[0].article


def test_a_late_filing_names_the_last_valid_date():
    with translation.override("en"):
        checks = rules.evaluate(facts(first_session_date=D(2026, 12, 9)))
    assert checks.filed_in_time is False
    assert checks.latest_filing_date == D(2026, 11, 19)
    failure = checks.blocking_failures[0]
    assert failure.key == "filing_deadline" and "2026-11-19" in failure.message


def test_tickets_over_capacity_fail_and_attendance_over_capacity_is_flagged():
    checks = rules.evaluate(facts(tickets_total=7000, max_attendance=8000))
    by_key = {c.key: c for c in checks.items}
    assert checks.capacity_ok is False and by_key["capacity"].status == "fail"
    assert checks.attendance_ok is False and by_key["attendance"].status == "warn"


def test_a_zone_over_its_own_safe_capacity_is_flagged():
    checks = rules.evaluate(facts(zones=(rules.ZoneTickets("东看台", 3500, 3000),)))
    assert {c.key: c.status for c in checks.items}["zone_capacity"] == "warn"


def test_completeness_names_every_missing_item_with_its_article():
    with translation.override("en"):
        missing = rules.completeness(rules.CompletenessFacts())
    texts = [m.text for m in missing]
    assert "The kind of event" in texts
    assert "At least one session with its time and expected attendance" in texts
    assert "The venue" in texts
    assert "At least one undertaker" in texts
    assert "Emergency rescue plan" in texts
    # all nine sections of the security plan, each citing its item of Art. 6
    plan = [m for m in missing if m.section == "security_plan"]
    assert len(plan) == 9
    assert plan[2].article == "Order 505 Art. 6 (3)"


def test_two_undertakers_need_their_joint_agreement_and_an_uploaded_plan_needs_its_pages():
    complete_kinds = frozenset(
        {
            MaterialKind.UNDERTAKER_LICENCE,
            MaterialKind.SAFETY_PERSON_ID,
            MaterialKind.EVENT_PLAN,
            MaterialKind.VENUE_CONSENT,
            MaterialKind.EMERGENCY_PLAN,
            MaterialKind.SECURITY_PLAN,
        }
    )
    base = {
        "event_kind": "sports",
        "event_name": "马拉松",
        "description": "城市马拉松",
        "session_count": 1,
        "has_venue": True,
        "zone_count": 1,
        "safety_person_name": "王",
        "safety_person_phone": "13800000000",
        "safety_person_id_number": "41050219800101001X",
        "material_kinds": complete_kinds,
        "plan_mode": PlanMode.UPLOADED,
        "plan_pages": {s.value: 1 for s in PlanSection},
    }
    assert rules.completeness(rules.CompletenessFacts(undertaker_count=1, **base)) == []
    with translation.override("en"):
        missing = rules.completeness(rules.CompletenessFacts(undertaker_count=2, **base))
    assert [m.text for m in missing] == ["The joint undertaking agreement (there are 2 undertakers)"]
    pages = dict(base["plan_pages"], traffic=None)
    with translation.override("en"):
        missing = rules.completeness(rules.CompletenessFacts(undertaker_count=1, **{**base, "plan_pages": pages}))
    assert [m.article for m in missing] == ["Order 505 Art. 6 (7)"]
