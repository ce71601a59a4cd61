"""Owner / partner / outsider on every endpoint of the inspections app, web and API (STYLE.md): the owner is the
police officer leading the inspection (文峰分局), the partner the fire brigade taking part in the joint inspection
(and, read-only, the venue's operator), the outsider a township officer of another city, who gets 404 everywhere —
the same as for an id that does not exist."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from inspections import services
from inspections.models import InspectionAnswer
from tests.helpers.access import assert_scoped_access
from tests.inspections.conftest import client_for, photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint(world):
    inspection = services.inspection_start(actor=world.users.staff, venue=world.ktv, departments=[world.fire])
    item = inspection.template.items.get(key="exits_open")
    services.answers_submit(
        inspection=inspection,
        actor=world.users.staff,
        key=uuid.uuid4(),
        answers=[{"item": item.pk, "answer": "no"}],
        photos={item.pk: [photo_upload()]},
    )
    world.inspection = inspection
    world.answer = InspectionAnswer.objects.get(inspection=inspection, item=item)
    world.parts = {p.department_id: p for p in inspection.parts.all()}
    return world


def batch(item_pk: int, answer: str = "yes") -> dict:
    return {"payload": json.dumps({"key": str(uuid.uuid4()), "answers": [{"item": item_pk, "answer": answer}]})}


def test_read_pages_owner_partner_outsider(joint):
    pk = joint.inspection.pk
    photo = joint.answer.photos.get()
    for url in (
        reverse("inspections:detail", args=[pk]),
        reverse("inspections:photo", args=[pk, photo.pk]),
        reverse("v1:inspection-detail", args=[pk]),
    ):
        assert_scoped_access(url, owner=joint.users.staff, partner=joint.fire_staff, outsider=joint.users.outsider)
        # The responsible unit reads what was found at its venue.
        assert client_for(joint.operator).get(url).status_code == 200
    fill = reverse("inspections:fill", args=[pk])
    assert_scoped_access(fill, owner=joint.users.staff, partner=joint.fire_staff, outsider=joint.users.outsider)
    # The operator may read but not fill: the form sends them back to the inspection page.
    assert client_for(joint.operator).get(fill).status_code == 302


def test_lists_show_only_what_the_user_may_see(joint):
    for name in ("inspections:list", "v1:inspection-list"):
        url = reverse(name)
        for user in (joint.users.staff, joint.fire_staff, joint.operator):
            body = client_for(user).get(url).content.decode()
            assert "星光KTV" in body, (name, user)
        outsider = client_for(joint.users.outsider).get(url)
        assert outsider.status_code == 200 and "星光KTV" not in outsider.content.decode()


def test_the_phone_endpoint_owner_partner_outsider(joint):
    url = reverse("inspections:answers", args=[joint.inspection.pk])
    item = joint.inspection.template.items.get(key="fire_extinguishers")
    assert client_for(joint.users.staff).post(url, batch(item.pk)).status_code == 200
    assert client_for(joint.fire_staff).post(url, batch(item.pk)).status_code == 200
    assert client_for(joint.operator).post(url, batch(item.pk)).status_code == 403
    assert client_for(joint.users.outsider).post(url, batch(item.pk)).status_code == 404
    missing = reverse("inspections:answers", args=[joint.inspection.pk + 1000])
    assert client_for(joint.users.outsider).post(missing, batch(item.pk)).status_code == 404


def test_the_answers_api_owner_partner_outsider(joint):
    item = joint.inspection.template.items.get(key="fire_extinguishers")
    url = reverse("v1:inspection-answers", args=[joint.inspection.pk])
    for user in (joint.users.staff, joint.fire_staff):
        body = {"key": str(uuid.uuid4()), "answers": [{"item": item.pk, "answer": "yes"}]}
        response = client_for(user).post(url, body, content_type="application/json")
        assert response.status_code == 200, response.content
    body = {"key": str(uuid.uuid4()), "answers": [{"item": item.pk, "answer": "yes"}]}
    assert client_for(joint.users.outsider).post(url, body, content_type="application/json").status_code == 404
    assert client_for(joint.operator).post(url, body, content_type="application/json").status_code == 403
    # The same key twice: applied once, the repeat says so.
    again = client_for(joint.users.staff).post(url, body, content_type="application/json").json()
    assert again["repeat"] is False
    assert client_for(joint.users.staff).post(url, body, content_type="application/json").json()["repeat"] is True


def test_hazard_endpoints_owner_partner_outsider(joint):
    web = reverse("inspections:answer_hazard", args=[joint.inspection.pk, joint.answer.pk])
    assert client_for(joint.users.outsider).post(web).status_code == 404
    assert client_for(joint.operator).post(web).status_code == 403
    api = reverse("v1:inspection-hazard", args=[joint.inspection.pk])
    body = {"answer": joint.answer.pk}
    assert client_for(joint.users.outsider).post(api, body, content_type="application/json").status_code == 404
    response = client_for(joint.fire_staff).post(api, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["level"] == "major"
    # The owner's click finds the same hazard (one step, once).
    assert client_for(joint.users.staff).post(web).status_code == 302
    joint.answer.refresh_from_db()
    assert joint.answer.hazard_id == response.json()["id"]


def test_sign_endpoints_owner_partner_outsider(joint):
    fire_part = joint.parts[joint.fire.pk]
    web = reverse("inspections:part_sign", args=[joint.inspection.pk, fire_part.pk])
    api = reverse("v1:inspection-sign", args=[joint.inspection.pk])
    assert client_for(joint.users.outsider).post(web).status_code == 404
    assert (
        client_for(joint.users.outsider).post(api, {"part": fire_part.pk}, content_type="application/json").status_code
        == 404
    )
    # The police may not sign the fire brigade's part; the fire brigade is told what is missing first.
    assert (
        client_for(joint.users.staff).post(api, {"part": fire_part.pk}, content_type="application/json").status_code
        == 403
    )
    response = client_for(joint.fire_staff).post(api, {"part": fire_part.pk}, content_type="application/json")
    assert response.status_code == 400 and "Answer every item" in response.json()["detail"]


def test_complete_and_structure_endpoints_are_404_for_an_outsider(joint):
    complete = reverse("inspections:complete", args=[joint.inspection.pk])
    assert client_for(joint.users.outsider).post(complete).status_code == 404
    assert client_for(joint.users.staff).post(complete).status_code == 302  # refused with a message: parts to sign
    structure = reverse("inspections:structure_accept", args=[joint.inspection.pk, 1])
    assert client_for(joint.users.outsider).post(structure).status_code == 404
    assert client_for(joint.users.staff).post(structure).status_code == 404  # a venue inspection has no structures


def test_start_page_owner_partner_outsider(joint):
    url = reverse("inspections:start") + f"?venue={joint.ktv.pk}"
    assert client_for(joint.users.staff).get(url).status_code == 200
    assert client_for(joint.users.township_officer).get(url).status_code == 200
    assert client_for(joint.users.outsider).get(url).status_code == 404
    assert client_for(joint.operator).get(url).status_code == 404
    response = client_for(joint.users.staff).post(reverse("inspections:start"), {"venue": joint.ktv.pk})
    assert response.status_code == 302


def test_the_due_list_starts_the_inspection_the_rule_asks_for(joint):
    from inspections.models import Inspection

    officer = client_for(joint.users.township_officer)
    page = officer.get(reverse("inspections:list")).content.decode()
    assert 'data-section="due"' in page and "inspections.venue_routine" in page  # the link carries the rule
    response = officer.post(reverse("inspections:start"), {"venue": joint.ktv.pk, "rule": "inspections.venue_routine"})
    assert response.status_code == 302
    started = Inspection.objects.filter(started_by=joint.users.township_officer).get()
    assert started.origin == "scheduled" and started.rule_key == "inspections.venue_routine"
    assert response["Location"] == reverse("inspections:fill", args=[started.pk])
    assert client_for(joint.users.outsider).get(reverse("inspections:list")).content.decode().count("data-task=") == 0


def test_reference_pages_are_for_government_people(joint):
    from inspections.models import ChecklistTemplate

    template = ChecklistTemplate.objects.get(code="pre_event", is_current=True)
    for url in (
        reverse("inspections:templates"),
        reverse("inspections:template", args=[template.pk]),
        reverse("inspections:analytics"),
    ):
        assert client_for(joint.users.staff).get(url).status_code == 200
        assert client_for(joint.users.outsider).get(url).status_code == 200  # reference data; their own figures
        assert client_for(joint.operator).get(url).status_code == 404
