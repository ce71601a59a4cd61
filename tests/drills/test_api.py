"""The plans and drills API: scoped (owner, partner, outsider 404), writes through the services with clear 400s,
pinned query counts on the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from drills import services
from drills.models import Drill, EmergencyPlan
from duties.models import Task
from tests.drills.conftest import make_plan, pdf_upload, photo_upload
from tests.helpers.access import assert_scoped_access

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def plan(world):
    return make_plan(world)


def test_plans_and_drills_are_404_to_an_outsider_in_the_api(world, plan):
    drill = services.drill_record(actor=None, plan=plan, held_on=TODAY, scenario="s", narrative="n")
    for url in (reverse("v1:plan-detail", args=[plan.pk]), reverse("v1:drill-detail", args=[drill.pk])):
        assert_scoped_access(url, owner=world.operator, outsider=world.users.outsider)
    data = api(world.users.outsider).get(reverse("v1:plan-list")).json()
    assert data["count"] == 0


def test_creating_a_plan_through_the_api(world):
    response = api(world.operator).post(
        reverse("v1:plan-list"),
        {
            "title": "万达广场现场处置方案",
            "kind": "on_site",
            "owner": {"type": "organisation", "id": world.operator_org.pk},
            "scope_kind": "venue",
            "venue": world.mall.pk,
            "evacuation_target_minutes": "6.0",
            "measures": [
                {"alert_level": "orange", "kind": "one_way", "action": "单向通行", "responsible": "安保部"},
            ],
            "contacts": [{"name": "刘志强", "role": "总指挥", "phone": "13800000102"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == {"type": "organisation", "id": world.operator_org.pk, "name": world.operator_org.name}
    assert body["drill_interval_months"] == 6 and body["measures"][0]["kind"] == "one_way"


def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(world):
    client = api(world.operator)
    response = client.post(
        reverse("v1:plan-list"),
        {
            "title": "x",
            "kind": "on_site",
            "owner": {"type": "organisation", "id": world.operator_org.pk},
            "scope_kind": "venue",
            "venue": world.mall.pk,
            "contacts": [{"name": "a", "role": "b", "phone": "not-a-phone"}],
        },
        format="json",
    )
    # The contact's phone is refused by the API's phone field (crowdsafe/common/validators.py), under its contact.
    assert response.status_code == 400 and "phone" in str(response.json()["contacts"])
    response = client.post(reverse("v1:plan-list"), {"title": "x"}, format="json")
    assert response.status_code == 400
    assert not EmergencyPlan.objects.exists()


def test_uploading_a_version_and_recording_a_drill_with_items_through_the_api(world, plan):
    client = api(world.operator)
    response = client.post(
        reverse("v1:plan-version-list", args=[plan.pk]),
        {"file": pdf_upload(body=b"v2"), "summary_of_changes": "增加北门"},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["number"] == 2
    response = client.post(
        reverse("v1:plan-record", args=[plan.pk]),
        {
            "held_on": TODAY.isoformat(),
            "scenario": "中庭踩踏险情",
            "narrative": "按预案疏散",
            "evacuation_minutes": "10.0",
            "departments": [world.fire.pk],
            "items": [
                {
                    "description": "北门指示",
                    "owner": {"type": "organisation", "id": world.operator_org.pk},
                    "due_date": (TODAY + dt.timedelta(days=5)).isoformat(),
                },
                {
                    "description": "修订预案",
                    "owner": {"type": "organisation", "id": world.operator_org.pk},
                    "due_date": (TODAY + dt.timedelta(days=5)).isoformat(),
                    "requires_plan_revision": True,
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["evacuation_met"] is False and len(body["items"]) == 2
    assert Task.objects.filter(subject_type="after_action_item").count() == 2
    revision = next(i for i in body["items"] if i["requires_plan_revision"])
    close = reverse("v1:after-action-item-close", args=[revision["id"]])
    response = client.post(close, {"note": "已修订"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "revision_required"
    response = client.post(
        close,
        {"note": "已修订", "file": pdf_upload(body=b"v3"), "summary_of_changes": "远端控制点"},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["resolved_by_version"] == 3

    drill_id = body["id"]
    response = client.post(
        reverse("v1:drill-photos", args=[drill_id]), {"photos": [photo_upload()]}, format="multipart"
    )
    assert response.status_code == 201 and len(response.json()["photos"]) == 1


def test_planning_and_cancelling_a_drill_through_the_api(world, plan):
    client = api(world.operator)
    response = client.post(
        reverse("v1:drill-list"),
        {
            "plan": plan.pk,
            "scheduled_for": (timezone.now() + dt.timedelta(days=3)).isoformat(),
            "scenario": "夜间大客流",
            "units": [world.operator_org.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    drill_id = response.json()["id"]
    assert response.json()["status"] == "planned"
    assert client.post(reverse("v1:drill-cancel", args=[drill_id]), {}, format="json").status_code == 400
    response = client.post(reverse("v1:drill-cancel", args=[drill_id]), {"reason": "天气"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_a_viewer_who_may_not_manage_gets_403_on_writes(world, plan):
    response = api(world.users.staff).patch(reverse("v1:plan-detail", args=[plan.pk]), {"title": "x"}, format="json")
    assert response.status_code == 403


def test_the_api_lists_keep_a_fixed_number_of_queries(world, plan, django_assert_max_num_queries):
    client = api(world.operator)

    def grow():
        for i in range(15):
            make_plan(world, file=False, title=f"预案{i}")
            services.drill_record(
                actor=None,
                plan=plan,
                held_on=TODAY,
                scenario=f"s{i}",
                narrative="n",
                items=[services.ItemSpec(description="x", owner=world.fire, due_date=TODAY + dt.timedelta(days=3))],
            )

    services.drill_record(
        actor=None,
        plan=plan,
        held_on=TODAY,
        scenario="s",
        narrative="n",
        items=[services.ItemSpec(description="x", owner=world.fire, due_date=TODAY + dt.timedelta(days=3))],
    )
    urls = [reverse("v1:plan-list"), reverse("v1:drill-list"), reverse("v1:after-action-item-list")]
    counts = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    grow()
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_compliance_and_gaps_endpoints(world, plan):
    services.drill_record(actor=None, plan=plan, held_on=TODAY, scenario="s", narrative="n")
    body = api(world.users.leader).get(reverse("v1:drill-compliance")).json()
    assert body["totals"]["plans"] == 1 and body["totals"]["drilled"] == 1
    assert api(world.users.leader).get(reverse("v1:drill-compliance"), {"jurisdiction": "999"}).status_code == 400
    assert api(world.users.leader).get(reverse("v1:drill-pre-event-gaps")).status_code == 200
    assert Drill.objects.count() == 1
