"""Assessment services: draft, suggestions, submit, sign-off (current level, history, escalation by rule,
campaign items), return, withdraw, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.models import Task
from risk import services
from risk.choices import AssessmentState
from risk.models import RiskLevelChange, SubjectRiskLevel
from risk.subjects import subject_info
from tests.risk.conftest import FACTORS_RED, assess, signed_off

pytestmark = pytest.mark.django_db


def test_the_platform_suggests_factor_scores_from_the_venue_and_the_calendar(venue):
    info = subject_info("venue", venue)
    # 2026-02-17 is the first day of the Spring Festival holiday; 19:30 is evening.
    moment = timezone.make_aware(dt.datetime(2026, 2, 17, 19, 30))
    hints = services.factor_hints(info, expected_attendance=7000, assessed_for=moment)
    assert hints["attendance"].score == 3  # 7,000 against 5,248
    assert "5248" in hints["attendance"].reason.replace(",", "")
    assert hints["scale"].score == 2
    assert hints["time"].score == 3
    assert hints["venue_features"].score == 0
    assert hints["history"].score == 0


def test_a_draft_takes_the_suggested_ratings_and_the_factors_the_assessor_leaves_out(venue, users):
    assessment = assess(venue, users.township_officer, expected_attendance=7000, factors={"weather": 2})
    assert assessment.factors["attendance"] == 3  # from the data
    assert assessment.factors["weather"] == 2  # the assessor's
    assert assessment.likelihood == assessment.suggested_likelihood
    assert assessment.safe_capacity == 5248
    assert assessment.assessor_kind == "official"
    assert assessment.state == AssessmentState.DRAFT
    assert not SubjectRiskLevel.objects.exists()


def test_ratings_that_differ_from_the_suggestion_need_a_judgement_and_nothing_is_saved(venue, users):
    with pytest.raises(DomainError) as err:
        assess(venue, users.township_officer, likelihood=5, severity=5)
    assert err.value.field == "judgement"
    with pytest.raises(DomainError) as err:
        assess(venue, users.township_officer, likelihood=2, residual_likelihood=3, judgement="x")
    assert err.value.field == "residual_likelihood"
    with pytest.raises(DomainError) as err:
        assess(venue, users.township_officer, factors={"weather": 7})
    assert err.value.field == "factors"
    with pytest.raises(DomainError):
        assess(venue, users.township_officer, factors={"bogus": 1})
    with pytest.raises(DomainError):
        assess(venue, users.township_officer, controls=["bogus"])
    with pytest.raises(DomainError):
        assess(venue, users.township_officer, assessed_on=timezone.localdate() + dt.timedelta(days=1))


def test_the_operator_makes_its_own_assessment_and_an_outsider_none(venue, users, operator):
    own = assess(venue, operator.user)
    assert own.assessor_kind == "self"
    with pytest.raises(PermissionDeniedError):
        assess(venue, users.outsider)
    with pytest.raises(PermissionDeniedError):
        assess(venue, users.organizer)


def test_sign_off_sets_the_current_level_and_its_history(venue, users, reviewer):
    assessment = signed_off(venue, users.township_officer, reviewer, factors={"attendance": 1})
    assert assessment.state == AssessmentState.SIGNED_OFF
    assert assessment.reviewer == reviewer
    current = SubjectRiskLevel.objects.get(subject_type="venue", subject_id=venue.pk)
    assert (current.level, current.assessment_id) == (assessment.level, assessment.pk)
    change = RiskLevelChange.objects.get()
    assert (change.from_level, change.to_level) == ("", assessment.level)
    # The venue's own timeline says so.
    assert ActionLog.objects.filter(subject_id=venue.pk, verb="risk_level_set", to_state=assessment.level).exists()

    red = signed_off(venue, users.township_officer, reviewer, factors=FACTORS_RED, expected_attendance=9000)
    assert red.level == "red"
    assert red.previous_level == assessment.level
    current.refresh_from_db()
    assert (current.level, current.assessment_id) == ("red", red.pk)
    assert list(RiskLevelChange.objects.values_list("to_level", flat=True)) == ["red", assessment.level]


def test_an_older_assessment_signed_off_later_does_not_replace_the_current_level(venue, users, reviewer):
    today = timezone.localdate()
    red = signed_off(venue, users.township_officer, reviewer, factors=FACTORS_RED, expected_attendance=9000)
    old = signed_off(venue, users.township_officer, reviewer, assessed_on=today - dt.timedelta(days=30))
    assert old.state == AssessmentState.SIGNED_OFF
    current = SubjectRiskLevel.objects.get(subject_type="venue", subject_id=venue.pk)
    assert current.assessment_id == red.pk
    assert RiskLevelChange.objects.count() == 1


def test_a_red_level_is_escalated_by_the_rules(venue, scenic, users, reviewer, depts):
    red = signed_off(scenic, users.township_officer, reviewer, factors=FACTORS_RED, expected_attendance=30000)
    tasks = {t.rule.key: t for t in Task.objects.filter(subject_type="risk_assessment", subject_id=red.pk)}
    assert set(tasks) >= {
        "risk.escalation_territorial",
        "risk.escalation_public_security",
        "risk.escalation_emergency",
        "risk.escalation_responsible_unit",
        "risk.escalation_supervision_culture_tourism",
    }
    assert tasks["risk.escalation_territorial"].responsible_department == depts.street_office
    assert tasks["risk.escalation_public_security"].responsible_department == depts.police
    assert tasks["risk.escalation_emergency"].responsible_department == depts.emergency
    assert tasks["risk.escalation_supervision_culture_tourism"].responsible_department == depts.culture
    assert tasks["risk.escalation_responsible_unit"].responsible_organisation == scenic.operator
    # The review task was made on submission and is done.
    review = Task.objects.get(subject_type="risk_assessment", subject_id=red.pk, rule__key="risk.assessment_review")
    assert review.status == "done"
    assert review.responsible_department == depts.street_office  # the township's street office signs off


def test_the_head_of_the_street_office_signs_off_for_the_township(venue, users, depts):
    from crowdsafe.org.choices import Role
    from tests.factories import member

    head = member(role=Role.HEAD, department=depts.street_office).user
    staff = member(role=Role.STAFF, department=depts.street_office).user
    assessment = assess(venue, users.leader)
    services.assessment_submit(assessment=assessment, actor=users.leader)
    with pytest.raises(PermissionDeniedError):
        services.assessment_sign_off(assessment=assessment, actor=staff)
    services.assessment_sign_off(assessment=assessment, actor=head)


def test_a_yellow_level_is_not_escalated(venue, users, reviewer, depts):
    yellow = signed_off(venue, users.township_officer, reviewer, factors={"attendance": 2, "scale": 1})
    assert yellow.level in {"blue", "yellow"}
    keys = set(
        Task.objects.filter(subject_type="risk_assessment", subject_id=yellow.pk).values_list("rule__key", flat=True)
    )
    assert keys == {"risk.assessment_review"}


def test_the_assessor_never_signs_off_their_own_assessment(venue, users):
    assessment = assess(venue, users.township_officer)
    services.assessment_submit(assessment=assessment, actor=users.township_officer)
    with pytest.raises(PermissionDeniedError):
        services.assessment_sign_off(assessment=assessment, actor=users.township_officer)
    with pytest.raises(PermissionDeniedError):
        services.assessment_sign_off(assessment=assessment, actor=users.grid_worker)
    with pytest.raises(PermissionDeniedError):
        services.assessment_sign_off(assessment=assessment, actor=users.outsider)
    services.assessment_sign_off(assessment=assessment, actor=users.leader)


def test_a_department_head_signs_off_the_assessment_of_their_staff(venue, users):
    assessment = assess(venue, users.staff)
    assert assessment.assessor_department == users.staff.memberships.get().department
    services.assessment_submit(assessment=assessment, actor=users.staff)
    assessment.refresh_from_db()
    assert assessment.review_department_id == assessment.assessor_department_id
    services.assessment_sign_off(assessment=assessment, actor=users.head)


def test_a_returned_assessment_is_revised_and_submitted_again(venue, users, operator, reviewer):
    own = assess(venue, operator.user)
    services.assessment_submit(assessment=own, actor=operator.user)
    with pytest.raises(DomainError):
        services.assessment_return(assessment=own, actor=reviewer, reason="")
    services.assessment_return(assessment=own, actor=reviewer, reason="低估了春节客流")
    own.refresh_from_db()
    assert own.state == AssessmentState.RETURNED
    services.assessment_update(assessment=own, actor=operator.user, data={"expected_attendance": 8000})
    services.assessment_submit(assessment=own, actor=operator.user)
    services.assessment_sign_off(assessment=own, actor=reviewer)
    own.refresh_from_db()
    assert own.state == AssessmentState.SIGNED_OFF


def test_transitions_out_of_turn_are_refused(venue, users, reviewer):
    assessment = assess(venue, users.township_officer)
    with pytest.raises(DomainError):
        services.assessment_sign_off(assessment=assessment, actor=reviewer)  # still a draft
    services.assessment_submit(assessment=assessment, actor=users.township_officer)
    with pytest.raises(DomainError):
        services.assessment_update(assessment=assessment, actor=users.township_officer, data={})
    services.assessment_sign_off(assessment=assessment, actor=reviewer)
    with pytest.raises(DomainError):
        services.assessment_sign_off(assessment=assessment, actor=users.leader)
    with pytest.raises(DomainError):
        services.assessment_withdraw(assessment=assessment, actor=users.township_officer)


def test_withdrawing_cancels_the_review_task(venue, users):
    assessment = assess(venue, users.township_officer)
    services.assessment_submit(assessment=assessment, actor=users.township_officer)
    services.assessment_withdraw(assessment=assessment, actor=users.township_officer, reason="重复")
    task = Task.objects.get(subject_type="risk_assessment", subject_id=assessment.pk)
    assert task.status == "cancelled"
    assert not SubjectRiskLevel.objects.exists()
