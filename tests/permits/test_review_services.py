"""The licensing department's services: acceptance with its deadlines, correction, non-acceptance, the joint
site inspection picked by the responsibility engine, and the decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation
from guardian.shortcuts import get_groups_with_perms

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.models import Task
from permits import services
from permits.choices import ApplicationState, EventKind, InspectionResult
from permits.models import PermitCondition, PromisedDeadline, SiteInspection
from tests.permits.conftest import build_application, png, through_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _tasks(application):
    return {
        t.rule.key: t
        for t in Task.objects.filter(subject_type="permit_application", subject_id=application.pk).select_related(
            "rule", "responsible_department", "responsible_organisation"
        )
    }


@pytest.fixture
def submitted(permit_city, complete_application):
    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    complete_application.refresh_from_db()
    return complete_application


def test_accepting_on_2026_09_30_stores_both_deadlines(permit_city, submitted, monkeypatch):
    # The clock of the acceptance: the service reads today's date from django.utils.timezone.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 9, 30))
    services.application_accept(application=submitted, actor=permit_city.users.staff)
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.ACCEPTED
    assert submitted.accepted_on == dt.date(2026, 9, 30)
    assert submitted.promised_decision_due == dt.date(2026, 10, 15)  # 7 working days, National Day in between
    # Art. 14's 7 days are working days too (行政许可法 Art. 82): the promise is not later than the law.
    assert submitted.statutory_decision_due == dt.date(2026, 10, 15)
    assert submitted.review_due == dt.date(2026, 10, 15)
    assert submitted.promised_rule == "7:working"


def test_the_promised_deadline_is_set_per_jurisdiction(permit_city, submitted, monkeypatch):
    PromisedDeadline.objects.create(jurisdiction=permit_city.city.wenfeng, days=3, unit="working")
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 9, 30))
    services.application_accept(application=submitted, actor=permit_city.users.staff)
    submitted.refresh_from_db()
    assert submitted.promised_decision_due == dt.date(2026, 10, 10)  # the adjusted working Saturday counts
    # The promise of 3 working days is now the earlier date: the statutory 7 days are working days too.
    assert submitted.review_due == dt.date(2026, 10, 10)


def test_acceptance_closes_the_acceptance_review_and_opens_the_decision(permit_city, submitted):
    services.application_accept(application=submitted, actor=permit_city.users.staff)
    tasks = _tasks(submitted)
    assert tasks["permits.acceptance_review"].status == "done"
    decision = tasks["permits.review_county"]
    assert decision.status == "open"
    assert decision.responsible_department == permit_city.city.wenfeng_police
    assert decision.due_date == submitted.__class__.objects.get(pk=submitted.pk).statutory_decision_due
    assert "permits.review_city" not in tasks


def test_a_5000_event_is_decided_by_the_city_police(permit_city, stadium):
    application = build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        attendance=5000,
    )
    services.application_submit(application=application, actor=permit_city.users.organizer)
    with pytest.raises(PermissionDeniedError):
        services.application_accept(application=application, actor=permit_city.users.staff)
    services.application_accept(application=application, actor=permit_city.city_staff)
    tasks = _tasks(application)
    assert tasks["permits.review_city"].responsible_department == permit_city.city.city_police
    assert "permits.review_county" not in tasks


def test_only_the_licensing_department_accepts(permit_city, submitted):
    for outsider in (permit_city.beiguan_staff, permit_city.fire_staff, permit_city.users.organizer):
        with pytest.raises(PermissionDeniedError):
            services.application_accept(application=submitted, actor=outsider)


def test_return_for_correction_lists_the_items_and_the_clock_waits(permit_city, submitted):
    services.application_return_for_correction(
        application=submitted, actor=permit_city.users.staff, items="补充场地平面图\n补充安保人员名单\n"
    )
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.CORRECTION
    assert submitted.correction_items == ["补充场地平面图", "补充安保人员名单"]
    assert submitted.accepted_on is None and submitted.statutory_decision_due is None
    assert submitted.review_due is None  # nothing owed by the department while the organizer corrects
    tasks = _tasks(submitted)
    assert tasks["permits.acceptance_review"].status == "done"
    correction = tasks["permits.correction"]
    assert correction.responsible_organisation == permit_city.city.organisation
    assert correction.due_date == submitted.correction_due

    # The organizer corrects and submits again: a fresh acceptance review, the original filing date kept.
    filed_on = submitted.filed_on
    services.application_submit(application=submitted, actor=permit_city.users.organizer)
    submitted.refresh_from_db()
    tasks = _tasks(submitted)
    assert submitted.state == ApplicationState.SUBMITTED and submitted.filed_on == filed_on
    assert tasks["permits.correction"].status == "done"
    assert tasks["permits.resubmission_review"].status == "open"
    assert ActionLog.objects.filter(subject_id=submitted.pk, verb="permit_resubmitted").exists()


def test_return_for_correction_needs_the_items(permit_city, submitted):
    with pytest.raises(DomainError) as caught:
        services.application_return_for_correction(application=submitted, actor=permit_city.users.staff, items=" \n")
    assert caught.value.field == "items"
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED


def test_not_accepting_records_the_reasons_and_ends_the_application(permit_city, submitted):
    services.application_not_accept(
        application=submitted, actor=permit_city.users.staff, reasons=["不属于本机关职权范围"]
    )
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.NOT_ACCEPTED
    assert submitted.not_accepted_reasons == ["不属于本机关职权范围"]
    assert all(t.status in ("done", "cancelled") for t in _tasks(submitted).values())


def test_an_illegal_move_is_refused_with_a_message(permit_city, submitted):
    with pytest.raises(DomainError) as caught:
        services.application_start_inspection(application=submitted, actor=permit_city.users.staff)
    assert "“Under review”" in str(caught.value.message) and "“Submitted”" in str(caught.value.message)


def test_the_engine_picks_the_inspecting_departments_and_opens_the_application_to_them(permit_city, submitted):
    users = permit_city.users
    services.application_accept(application=submitted, actor=users.staff)
    services.application_start_review(application=submitted, actor=users.staff)
    inspections = services.application_start_inspection(application=submitted, actor=users.staff)
    departments = {i.department for i in inspections}
    # A performance: public security itself, fire rescue, housing and culture & tourism.
    assert departments == {
        permit_city.city.wenfeng_police,
        permit_city.wenfeng_fire,
        permit_city.wenfeng_housing,
        permit_city.wenfeng_culture,
    }
    tasks = _tasks(submitted)
    assert tasks["permits.inspection_fire_rescue"].responsible_department == permit_city.wenfeng_fire
    assert "permits.inspection_market_regulation" not in tasks  # no special equipment at the stadium
    granted = set(get_groups_with_perms(submitted, attach_perms=True))
    assert {g.department for g in granted} == {
        permit_city.wenfeng_fire,
        permit_city.wenfeng_housing,
        permit_city.wenfeng_culture,
    }

    fire = next(i for i in inspections if i.department == permit_city.wenfeng_fire)
    services.inspection_record(
        inspection=fire, actor=permit_city.fire_staff, passed=False, findings="南侧疏散通道堆放杂物", photos=[png()]
    )
    fire.refresh_from_db()
    assert fire.result == InspectionResult.FAILED and fire.photos.count() == 1
    assert _tasks(submitted)["permits.inspection_fire_rescue"].status == "done"
    granted = {g.department for g in get_groups_with_perms(submitted)}
    assert permit_city.wenfeng_fire not in granted  # access ends when its inspection is recorded
    with pytest.raises(DomainError):
        services.inspection_record(inspection=fire, actor=permit_city.fire_staff, passed=True, findings="again")


def test_a_sports_event_has_no_culture_inspection(permit_city, stadium):
    application = build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        kind=EventKind.SPORTS,
    )
    through_inspection(application, permit_city)
    assert permit_city.wenfeng_culture.pk not in set(application.inspections.values_list("department", flat=True))


def test_only_the_inspecting_department_records_its_inspection(permit_city, submitted):
    users = permit_city.users
    services.application_accept(application=submitted, actor=users.staff)
    services.application_start_review(application=submitted, actor=users.staff)
    services.application_start_inspection(application=submitted, actor=users.staff)
    fire = SiteInspection.objects.get(application=submitted, department=permit_city.wenfeng_fire)
    with pytest.raises(PermissionDeniedError):
        services.inspection_record(inspection=fire, actor=permit_city.housing_staff, passed=True, findings="ok")


def test_the_decision_waits_for_every_inspection(permit_city, submitted):
    users = permit_city.users
    services.application_accept(application=submitted, actor=users.staff)
    services.application_start_review(application=submitted, actor=users.staff)
    services.application_start_inspection(application=submitted, actor=users.staff)
    with pytest.raises(DomainError) as caught:
        services.application_decide(application=submitted, actor=users.head, outcome="approve", approved_capacity=3000)
    assert caught.value.code == "inspection_pending"
    assert "文峰区消防救援大队" in str(caught.value.message)


def test_approval_with_conditions_capacity_and_tickets_per_zone(permit_city, stadium, complete_application):
    application = through_inspection(complete_application, permit_city)
    with pytest.raises(PermissionDeniedError):
        services.application_decide(
            application=application, actor=permit_city.users.staff, outcome="approve", approved_capacity=3000
        )
    plan = application.zone_plans.get()
    services.application_decide(
        application=application,
        actor=permit_city.users.head,
        outcome="approve",
        approved_capacity=2500,
        tickets_by_zone={plan.pk: 2200},
        conditions=["东门设置安检口", "配备医疗救护点"],
    )
    application.refresh_from_db()
    plan.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert application.approved_capacity == 2500 and plan.approved_tickets == 2200
    assert application.decided_by == permit_city.users.head
    tasks = _tasks(application)
    assert tasks["permits.review_county"].status == "done"
    assert tasks["permits.pre_event_inspection"].due_date == application.eve_of_first_session
    assert tasks["permits.on_day_supervision"].due_date == application.first_session_date
    assert tasks["permits.on_day_supervision"].responsible_department == permit_city.city.wenfeng_police
    conditions = list(PermitCondition.objects.filter(application=application))
    assert [c.text for c in conditions] == ["东门设置安检口", "配备医疗救护点"]
    condition_tasks = Task.objects.filter(subject_type="permit_condition", subject_id=conditions[0].pk)
    assert {t.rule.key for t in condition_tasks} == {"permits.condition_fulfil", "permits.condition_check"}


def test_tickets_above_the_approved_capacity_are_refused(permit_city, complete_application):
    application = through_inspection(complete_application, permit_city)
    plan = application.zone_plans.get()
    with pytest.raises(DomainError) as caught:
        services.application_decide(
            application=application,
            actor=permit_city.users.head,
            outcome="approve",
            approved_capacity=1500,
            tickets_by_zone={plan.pk: 1501},
        )
    assert caught.value.code == "over_capacity"
    application.refresh_from_db()
    assert application.state == ApplicationState.INSPECTION and application.approved_capacity is None


def test_the_approved_capacity_may_not_exceed_the_venues(permit_city, complete_application):
    application = through_inspection(complete_application, permit_city)
    with pytest.raises(DomainError) as caught:
        services.application_decide(
            application=application, actor=permit_city.users.head, outcome="approve", approved_capacity=6001
        )
    assert caught.value.field == "approved_capacity"


def test_refusal_states_the_reasons_and_cancels_what_remains(permit_city, complete_application):
    application = through_inspection(complete_application, permit_city)
    with pytest.raises(DomainError):
        services.application_decide(application=application, actor=permit_city.users.head, outcome="refuse")
    services.application_decide(
        application=application, actor=permit_city.users.head, outcome="refuse", reasons="消防通道不符合要求"
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.REFUSED
    assert application.refusal_reasons == ["消防通道不符合要求"]
    assert not Task.objects.filter(
        subject_type="permit_application", subject_id=application.pk, status__in=["open", "in_progress", "overdue"]
    ).exists()


def test_comments_by_reviewers_are_internal_unless_marked(permit_city, submitted):
    from permits.selectors import comments_for

    services.comment_add(application=submitted, actor=permit_city.users.staff, section="ticketing", body="票数偏多")
    services.comment_add(
        application=submitted,
        actor=permit_city.users.staff,
        section="security_plan",
        body="请补充疏散示意图",
        visible_to_organizer=True,
    )
    reply = services.comment_add(
        application=submitted, actor=permit_city.users.organizer, section="security_plan", body="已补充"
    )
    assert reply.by_organizer and reply.visible_to_organizer
    organizer_sees = [c.body for c in comments_for(user=permit_city.users.organizer, application=submitted)]
    reviewer_sees = [c.body for c in comments_for(user=permit_city.users.staff, application=submitted)]
    assert organizer_sees == ["请补充疏散示意图", "已补充"]
    assert sorted(reviewer_sees) == sorted(["票数偏多", "请补充疏散示意图", "已补充"])
    with pytest.raises(PermissionDeniedError):
        services.comment_add(application=submitted, actor=permit_city.beiguan_staff, section="general", body="?")
