"""The pre-event inspection of a permitted event (issue 21 point 2, with the permits app's temporary structures of
point 3, docs/contracts/structures.md): the checklist lists the application's structures, each accepted (验收) in
the inspection through ``permits.services.temporary_structure_accept``; completing it settles the permits app's
pre-event inspection duty and issues the record; the block on the application's page shows it."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from duties.models import Task
from inspections import services
from inspections.models import Inspection
from permits import services as permit_services
from tests.inspections.conftest import answer_all, client_for, photos_for_required
from tests.permits.conftest import build_application, permit_city, stadium, through_inspection  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(permit_city, stadium):  # noqa: F811
    application = build_application(
        organizer=permit_city.users.organizer, organisation=permit_city.city.organisation, venue=stadium.venue
    )
    stage = permit_services.temporary_structure_add(
        application=application, actor=permit_city.users.organizer, kind="stage", name="主舞台", zone=stadium.infield
    )
    application = through_inspection(application, permit_city)
    permit_services.application_decide(
        application=application, actor=permit_city.users.head, outcome="approve", approved_capacity=2500
    )
    application.refresh_from_db()
    stage.refresh_from_db()
    return application, stage


def test_the_pre_event_inspection_accepts_the_structures_and_settles_the_duty(permit_city, approved):  # noqa: F811
    application, stage = approved
    users = permit_city.users
    duty = Task.objects.get(
        subject_type="permit_application", subject_id=application.pk, rule__key="permits.pre_event_inspection"
    )
    assert duty.status == "open"
    inspection = services.inspection_start(
        actor=users.staff, application=application, departments=[permit_city.wenfeng_housing]
    )
    assert inspection.template.code == "pre_event"
    assert inspection.venue == application.venue and inspection.subject_type == "permit_application"

    # The page lists the structure; the housing department accepts it in the inspection.
    page = client_for(users.staff).get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert "主舞台" in page and f'data-structure="{stage.pk}"' in page
    url = reverse("inspections:structure_accept", args=[inspection.pk, stage.pk])
    assert client_for(users.outsider).post(url).status_code == 404
    assert client_for(permit_city.housing_staff).post(url, {"note": "舞台结构稳固"}).status_code == 302
    stage.refresh_from_db()
    assert stage.is_accepted and stage.accepted_via == "inspection"
    assert stage.inspection_type == ContentType.objects.get_for_model(Inspection)
    assert stage.inspection_id == inspection.pk

    services.answers_submit(
        inspection=inspection,
        actor=users.staff,
        key=uuid.uuid4(),
        answers=answer_all(inspection),
        photos=photos_for_required(inspection),
    )
    for part in inspection.parts.select_related("department"):
        signer = permit_city.housing_staff if part.department == permit_city.wenfeng_housing else users.staff
        services.part_sign(part=part, actor=signer)
    inspection.refresh_from_db()
    assert inspection.state == "completed"
    duty.refresh_from_db()
    assert duty.status == "done"
    from notices.selectors import notices_for

    record = notices_for(inspection).get()
    assert record.kind == "inspection_record" and "合格" in record.context["conclusion"]

    # The block on the application's page.
    detail = client_for(users.staff).get(reverse("permits:application_detail", args=[application.pk]))
    body = detail.content.decode()
    assert 'data-panel="pre_event_inspection"' in body
    assert reverse("inspections:detail", args=[inspection.pk]) in body
