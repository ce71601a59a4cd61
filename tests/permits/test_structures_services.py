"""Issue 21 point 3: temporary structures listed on the application, accepted (验收) before the event by the
inspection or the housing department, the housing department's duty, and the event-day readiness they block."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.models import Task
from permits import services
from permits.choices import AcceptanceVia
from permits.duties import application_attributes
from tests.permits.conftest import build_application, through_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def with_stage(permit_city, stadium):
    application = build_application(
        organizer=permit_city.users.organizer, organisation=permit_city.city.organisation, venue=stadium.venue
    )
    stage = services.temporary_structure_add(
        application=application, actor=permit_city.users.organizer, kind="stage", name="主舞台", zone=stadium.infield
    )
    return application, stage


def approve(application, permit_city):
    application = through_inspection(application, permit_city)
    services.application_decide(
        application=application, actor=permit_city.users.head, outcome="approve", approved_capacity=2500
    )
    application.refresh_from_db()
    return application


def _task(application, key="permits.structure_acceptance"):
    return Task.objects.filter(subject_type="permit_application", subject_id=application.pk, rule__key=key).first()


def test_has_temporary_structures_is_the_applications_own_list(permit_city, stadium, with_stage):
    application, stage = with_stage
    assert application_attributes(application)["has_temporary_structures"] is True
    services.temporary_structure_remove(structure=stage, actor=permit_city.users.organizer)
    assert application_attributes(application)["has_temporary_structures"] is False


def test_approval_puts_the_acceptance_on_the_housing_department(permit_city, with_stage):
    application = approve(with_stage[0], permit_city)
    task = _task(application)
    assert task is not None and task.status == "open"
    assert task.responsible_department == permit_city.wenfeng_housing
    assert task.due_date == application.eve_of_first_session


def test_no_housing_duty_without_structures(permit_city, complete_application):
    application = approve(complete_application, permit_city)
    assert _task(application) is None


def test_an_unaccepted_stage_blocks_the_ready_state(permit_city, with_stage):
    application = approve(with_stage[0], permit_city)
    with pytest.raises(DomainError) as caught:
        services.application_mark_ready(application=application, actor=permit_city.users.staff)
    assert caught.value.code == "structures_not_accepted"
    assert "主舞台" in str(caught.value.message)
    application.refresh_from_db()
    assert application.ready_at is None


def test_the_housing_departments_acceptance_closes_its_task_and_allows_ready(permit_city, with_stage):
    application = approve(with_stage[0], permit_city)
    stage = with_stage[1]
    services.temporary_structure_accept(structure=stage, actor=permit_city.housing_staff, note="结构稳固")
    stage.refresh_from_db()
    assert stage.is_accepted and stage.accepted_via == AcceptanceVia.HOUSING
    assert "文峰区住房和城乡建设局" in stage.accepted_by_label
    assert _task(application).status == "done"
    services.application_mark_ready(application=application, actor=permit_city.users.organizer)
    application.refresh_from_db()
    assert application.ready_at is not None


def test_an_inspection_is_kept_as_a_generic_reference_and_a_second_call_changes_nothing(permit_city, with_stage):
    application = approve(with_stage[0], permit_city)
    inspection = application.inspections.first()  # any model instance stands for the inspections app's record
    stage = services.temporary_structure_accept(
        structure=with_stage[1], actor=permit_city.fire_staff, inspection=inspection, note="验收合格"
    )
    assert stage.accepted_via == AcceptanceVia.INSPECTION
    assert stage.inspection_type == ContentType.objects.get_for_model(inspection)
    assert stage.inspection_id == inspection.pk and stage.inspection_label == str(inspection)
    first = stage.accepted_at
    again = services.temporary_structure_accept(structure=stage, actor=permit_city.housing_staff)
    assert again.accepted_at == first and again.accepted_via == AcceptanceVia.INSPECTION


def test_outsiders_and_the_organizer_cannot_accept(permit_city, with_stage):
    approve(with_stage[0], permit_city)
    for actor in (permit_city.users.organizer, permit_city.other_organizer, permit_city.beiguan_staff):
        with pytest.raises(PermissionDeniedError):
            services.temporary_structure_accept(structure=with_stage[1], actor=actor)


def test_a_draft_structure_is_not_accepted(permit_city, with_stage):
    with pytest.raises(DomainError) as caught:
        services.temporary_structure_accept(structure=with_stage[1], actor=permit_city.housing_staff)
    assert caught.value.code == "invalid_state"


def test_ready_only_for_an_approved_event_and_its_own_people(permit_city, complete_application):
    with pytest.raises(DomainError):
        services.application_mark_ready(application=complete_application, actor=permit_city.users.organizer)
    application = approve(complete_application, permit_city)
    with pytest.raises(PermissionDeniedError):
        services.application_mark_ready(application=application, actor=permit_city.other_organizer)
    services.application_mark_ready(application=application, actor=permit_city.users.staff)
