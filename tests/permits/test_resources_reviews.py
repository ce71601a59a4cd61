"""Issue 21 points 3 and 5 (services): the security resources against the ratio table (data), the post-event
review and its weight on the organizer's next application, and copying a past application."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from crowdsafe.errors import DomainError, PermissionDeniedError
from permits import services
from permits.choices import ApplicationState
from permits.models import EventSession, PermitApplication, ResourceRatio
from permits.resources import resource_check
from permits.selectors import previous_review_weight, previous_reviews
from risk.services.assessments import factor_hints
from risk.subjects import ADAPTERS
from tests.permits.conftest import build_application, through_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _line(checks, resource, session_index=0):
    return next(line for line in checks[session_index].lines if line.resource == resource)


def test_security_staff_shortfall_is_computed_from_the_ratio_table(permit_city, complete_application):
    # A performance of 3,000 per session: the seeded city rule for performances is 1 per 50, at least 20.
    services.resource_set(
        application=complete_application, actor=permit_city.users.organizer, resource="security_staff", count=40
    )
    line = _line(resource_check(complete_application), "security_staff")
    assert (line.planned, line.required, line.shortfall) == (40, 60, 20)
    assert "第六条" in line.basis and "本市规定" in line.basis and line.city_rule
    # The ratio is data: the city edits it, the requirement follows.
    ResourceRatio.objects.filter(resource="security_staff", event_kind="performance").update(per_people=30)
    line = _line(resource_check(complete_application), "security_staff")
    assert (line.required, line.shortfall) == (100, 60)


def test_a_kind_without_its_own_row_uses_the_general_one_and_the_minimum(permit_city, stadium):
    application = build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        kind="exhibition",
        attendance=1200,
    )
    checks = resource_check(application)
    assert _line(checks, "security_staff").required == 12  # 1 per 100
    assert _line(checks, "security_gates").required == 2  # ceil(1200 / 1000) = 2, at least 2
    assert _line(checks, "xray_machines").required == 1  # at least 1


def test_resources_by_zone_and_session_add_up_per_session(permit_city, stadium):
    application = build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        attendance=[3000, 1000],
    )
    first, _second = application.sessions.order_by("starts_at")
    organizer = permit_city.users.organizer
    services.resource_set(application=application, actor=organizer, resource="security_staff", count=30)
    services.resource_set(
        application=application, actor=organizer, resource="security_staff", count=25, session=first, zone=stadium.east
    )
    services.resource_set(
        application=application, actor=organizer, resource="security_staff", count=5, session=first, zone=stadium.west
    )
    checks = resource_check(application)
    assert _line(checks, "security_staff", 0).planned == 60 and _line(checks, "security_staff", 0).shortfall == 0
    assert _line(checks, "security_staff", 1).planned == 30 and _line(checks, "security_staff", 1).shortfall == 0
    assert dict(_line(checks, "security_staff", 0).zones) == {"": 30, "东看台": 25, "西看台": 5}
    # Setting the same session, zone and resource replaces; 0 removes.
    services.resource_set(
        application=application, actor=organizer, resource="security_staff", count=0, session=first, zone=stadium.west
    )
    assert _line(resource_check(application), "security_staff", 0).planned == 55
    with pytest.raises(PermissionDeniedError):
        services.resource_set(
            application=application, actor=permit_city.other_organizer, resource="volunteers", count=3
        )
    with pytest.raises(DomainError):
        services.resource_set(application=application, actor=organizer, resource="nonsense", count=3)


def _held(application, permit_city):
    application = through_inspection(application, permit_city)
    services.application_decide(
        application=application, actor=permit_city.users.head, outcome="approve", approved_capacity=2500
    )
    start = timezone.now() - dt.timedelta(days=3)
    session = application.sessions.order_by("starts_at").first()
    EventSession.objects.filter(application=application).exclude(pk=session.pk).delete()
    EventSession.objects.filter(pk=session.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=3))
    PermitApplication.objects.filter(pk=application.pk).update(
        first_session_start=start, last_session_end=start + dt.timedelta(hours=3)
    )
    application.refresh_from_db()
    services.application_mark_held(application=application, actor=permit_city.users.organizer)
    application.refresh_from_db()
    return application


@pytest.fixture
def held(permit_city, complete_application):
    return _held(complete_application, permit_city)


def test_both_sides_record_the_review_of_a_held_event(permit_city, held):
    session = held.sessions.get()
    organizer_review = services.review_record(
        application=held,
        actor=permit_city.users.organizer,
        attendance={session.pk: 2800},
        incidents="东门入场短暂拥堵",
        worked="分区入场",
        did_not_work="东门安检通道不足",
        outcome="good",  # ignored: the outcome is the department's
    )
    assert organizer_review.side == "organizer" and organizer_review.outcome == ""
    assert organizer_review.attendance[0]["actual"] == 2800 and organizer_review.total_attendance == 2800
    with pytest.raises(DomainError) as caught:
        services.review_record(application=held, actor=permit_city.users.staff, incidents="x")
    assert caught.value.field == "outcome"
    review = services.review_record(
        application=held, actor=permit_city.users.staff, attendance={str(session.pk): 2900}, outcome="failed"
    )
    assert review.side == "department" and review.outcome == "failed"
    with pytest.raises(PermissionDeniedError):
        services.review_record(application=held, actor=permit_city.other_organizer, incidents="x")


def test_no_review_before_the_event(permit_city, complete_application):
    with pytest.raises(DomainError) as caught:
        services.review_record(application=complete_application, actor=permit_city.users.organizer, incidents="x")
    assert caught.value.code == "invalid_state"


def test_a_failed_review_raises_the_next_applications_history_factor(permit_city, stadium, held):
    services.review_record(application=held, actor=permit_city.users.staff, outcome="failed", incidents="踩踏险情")
    following = build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        name="洹河之夜音乐会（第二季）",
        days_ahead=60,
    )
    assert [r.side for r in previous_reviews(following)] == ["department"]
    floor, review = previous_review_weight(following)
    assert floor == 2 and review.outcome == "failed"
    info = ADAPTERS["permit_application"].info(following)
    hint = factor_hints(info, expected_attendance=3000, assessed_for=None)["history"]
    assert hint.score >= 2
    assert "洹河之夜音乐会" in hint.reason and "Failed" in hint.reason
    # Another organisation's application carries no weight from it.
    other = build_application(
        organizer=permit_city.other_organizer,
        organisation=permit_city.other_org,
        venue=stadium.venue,
        name="北关车展",
        days_ahead=60,
    )
    assert previous_reviews(other) == []
    assert (
        factor_hints(ADAPTERS["permit_application"].info(other), expected_attendance=3000, assessed_for=None)[
            "history"
        ].score
        == 0
    )


def test_a_good_review_carries_no_weight(permit_city, stadium, held):
    services.review_record(application=held, actor=permit_city.users.staff, outcome="good")
    following = build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        days_ahead=60,
        complete=False,
    )
    assert previous_review_weight(following)[0] == 0


def test_copying_a_past_application_starts_a_draft_without_documents_or_decisions(permit_city, stadium, held):
    services.review_record(application=held, actor=permit_city.users.staff, outcome="good")
    with pytest.raises(PermissionDeniedError):
        services.application_copy(source=held, actor=permit_city.other_organizer)
    with pytest.raises(PermissionDeniedError):
        services.application_copy(source=held, actor=permit_city.users.staff)
    copy = services.application_copy(source=held, actor=permit_city.users.organizer)
    assert copy.state == ApplicationState.DRAFT and copy.copied_from == held and copy.number != held.number
    assert (copy.event_name, copy.event_kind, copy.venue_id) == (held.event_name, held.event_kind, held.venue_id)
    assert copy.safety_person_id_number == held.safety_person_id_number
    assert copy.undertakers.count() == held.undertakers.count()
    assert copy.zone_plans.count() == held.zone_plans.count()
    assert copy.plan_sections.count() == held.plan_sections.count()
    assert not copy.sessions.exists() and not copy.materials.exists()
    assert not copy.conditions.exists() and not copy.reviews.exists() and not copy.inspections.exists()
    assert copy.decided_at is None and copy.approved_capacity is None and copy.ready_at is None
