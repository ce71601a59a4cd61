"""After approval: conditions tracked to done, supervision by the approving department (谁审批谁监管), change
requests and cancellation (Order 505 Art. 15), the event held and closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.models import Task
from permits import services
from permits.choices import ApplicationState, ConditionStatus
from permits.models import ChangeRequest, EventSession, PermitApplication
from tests.permits.conftest import through_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def approved(permit_city, complete_application):
    application = through_inspection(complete_application, permit_city)
    services.application_decide(
        application=application,
        actor=permit_city.users.head,
        outcome="approve",
        approved_capacity=2500,
        conditions=["东门设置安检口"],
    )
    application.refresh_from_db()
    return application


def _keys(subject_type, pk):
    return {
        t.rule.key: t.status
        for t in Task.objects.filter(subject_type=subject_type, subject_id=pk).select_related("rule")
    }


def test_a_condition_is_reported_by_the_organizer_and_checked_by_the_department(permit_city, approved):
    condition = approved.conditions.get()
    with pytest.raises(PermissionDeniedError):
        services.condition_report(condition=condition, actor=permit_city.users.staff, note="done")
    services.condition_report(condition=condition, actor=permit_city.users.organizer, note="安检门已就位")
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.REPORTED
    # Not done after all: back to the organizer with the reason; the tasks stay open.
    services.condition_check(condition=condition, actor=permit_city.users.staff, done=False, note="安检门数量不足")
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.OPEN
    assert set(_keys("permit_condition", condition.pk).values()) == {"open"}
    services.condition_report(condition=condition, actor=permit_city.users.organizer, note="增至4道")
    services.condition_check(condition=condition, actor=permit_city.users.staff, done=True)
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.VERIFIED
    assert _keys("permit_condition", condition.pk) == {
        "permits.condition_fulfil": "done",
        "permits.condition_check": "done",
    }


def test_not_done_needs_a_reason(permit_city, approved):
    condition = approved.conditions.get()
    services.condition_report(condition=condition, actor=permit_city.users.organizer, note="ok")
    with pytest.raises(DomainError) as caught:
        services.condition_check(condition=condition, actor=permit_city.users.staff, done=False, note="")
    assert caught.value.field == "note"


def test_supervision_records_close_the_approving_departments_tasks(permit_city, approved):
    services.supervision_record(
        application=approved, actor=permit_city.users.staff, kind="pre_event", findings="检查无隐患"
    )
    keys = _keys("permit_application", approved.pk)
    assert keys["permits.pre_event_inspection"] == "done"
    assert keys["permits.on_day_supervision"] == "open"
    with pytest.raises(DomainError):
        services.supervision_record(application=approved, actor=permit_city.users.staff, kind="pre_event", findings="x")
    with pytest.raises(PermissionDeniedError):
        services.supervision_record(
            application=approved, actor=permit_city.fire_staff, kind="on_day", findings="现场秩序良好"
        )


def _move_first_session_to(application, starts_at):
    session = application.sessions.order_by("starts_at").first()
    EventSession.objects.filter(pk=session.pk).update(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=3))
    PermitApplication.objects.filter(pk=application.pk).update(
        first_session_start=starts_at, last_session_end=starts_at + dt.timedelta(hours=3)
    )
    application.refresh_from_db()


def test_held_then_closed_after_the_last_session(permit_city, approved):
    with pytest.raises(DomainError):
        services.application_mark_held(application=approved, actor=permit_city.users.organizer)
    _move_first_session_to(approved, timezone.now() - dt.timedelta(hours=4))
    services.application_mark_held(application=approved, actor=permit_city.users.organizer)
    services.application_close(application=approved, actor=permit_city.users.staff, note="活动平稳结束")
    approved.refresh_from_db()
    assert approved.state == ApplicationState.CLOSED


def test_cancellation_before_the_original_date_withdraws_every_task(permit_city, approved):
    services.application_cancel(application=approved, actor=permit_city.users.organizer, reason="天气原因取消")
    approved.refresh_from_db()
    assert approved.state == ApplicationState.CANCELLED
    outstanding = Task.objects.filter(
        subject_type__in=["permit_application", "permit_condition"], status__in=["open", "in_progress", "overdue"]
    )
    assert not outstanding.exists()


def test_no_cancellation_on_or_after_the_original_date(permit_city, approved):
    _move_first_session_to(approved, timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(DomainError) as caught:
        services.application_cancel(application=approved, actor=permit_city.users.organizer, reason="取消")
    assert "Order 505 Art. 15" in str(caught.value.message)


def test_a_time_change_is_applied_for_and_approved_by_a_head(permit_city, approved):
    session = approved.sessions.first()
    new_day = session.starts_at + dt.timedelta(days=7)
    change = services.change_request_submit(
        application=approved,
        actor=permit_city.users.organizer,
        kind="time",
        session=session,
        new_starts_at=new_day,
        new_ends_at=new_day + dt.timedelta(hours=3),
        reason="场馆检修",
    )
    with pytest.raises(DomainError) as caught:
        services.change_request_submit(
            application=approved,
            actor=permit_city.users.organizer,
            kind="time",
            session=session,
            new_starts_at=new_day,
            new_ends_at=new_day + dt.timedelta(hours=3),
            reason="again",
        )
    assert caught.value.code == "change_pending"
    with pytest.raises(PermissionDeniedError):
        services.change_request_decide(change=change, actor=permit_city.users.staff, approve=True)
    services.change_request_decide(change=change, actor=permit_city.users.head, approve=True, note="同意")
    session.refresh_from_db()
    approved.refresh_from_db()
    assert session.starts_at == new_day
    assert approved.first_session_start == new_day
    assert ChangeRequest.objects.get(pk=change.pk).status == "approved"


@pytest.mark.parametrize("kind", ["place", "content", "scale"])
def test_a_change_of_place_content_or_scale_needs_a_new_application(permit_city, approved, kind):
    with pytest.raises(DomainError) as caught:
        services.change_request_submit(
            application=approved, actor=permit_city.users.organizer, kind=kind, reason="换场地"
        )
    assert caught.value.code == "new_application_required"
    assert "new application" in str(caught.value.message)
    assert not ChangeRequest.objects.exists()


def test_a_time_change_must_be_asked_before_the_original_date(permit_city, approved):
    session = approved.sessions.first()
    _move_first_session_to(approved, timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(DomainError) as caught:
        services.change_request_submit(
            application=approved,
            actor=permit_city.users.organizer,
            kind="time",
            session=session,
            new_starts_at=timezone.now() + dt.timedelta(days=30),
            new_ends_at=timezone.now() + dt.timedelta(days=30, hours=2),
            reason="推迟",
        )
    assert "before the original date" in str(caught.value.message)


def test_an_approved_application_cannot_be_edited_to_change_its_venue(permit_city, approved):
    with pytest.raises(DomainError) as caught:
        services.application_update(application=approved, actor=permit_city.users.organizer, data={"venue": None})
    assert "new application" in str(caught.value.message)
