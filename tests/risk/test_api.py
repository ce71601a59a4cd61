"""The risk API: assessments expose ``score`` and ``level``; sign-off, register and history; hazards with photos
and every step (a major hazard's close is a 400); campaigns with their progress; outsiders get 404; lists run a
fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from risk.models import Hazard, RiskAssessment
from tests.risk.conftest import FACTORS_RED, hazard, photo, signed_off
from tests.venues.conftest import make_venue

pytestmark = pytest.mark.django_db

BASE = "/api/v1/risk"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_an_assessment_through_the_api_exposes_score_and_level(venue, users, reviewer):
    response = api(users.township_officer).post(
        f"{BASE}/assessments/",
        {
            "subject_type": "venue",
            "subject_id": venue.pk,
            "expected_attendance": 9000,
            "factors": FACTORS_RED,
            "controls": ["stewards"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft"
    assert body["level"] in {"blue", "yellow", "orange", "red"}
    assert body["score"] == body["residual_likelihood"] * body["residual_severity"]
    assert body["inherent_score"] == body["likelihood"] * body["severity"]
    pk = body["id"]
    assert api(users.township_officer).post(f"{BASE}/assessments/{pk}/submit/").status_code == 200
    # The assessor may not sign off their own: 403 (they may see it).
    assert api(users.township_officer).post(f"{BASE}/assessments/{pk}/sign-off/", {}).status_code == 403
    response = api(reviewer).post(f"{BASE}/assessments/{pk}/sign-off/", {"note": "同意"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "signed_off"
    register = api(users.leader).get(f"{BASE}/register/").json()
    assert register["results"][0]["subject_id"] == venue.pk
    assert register["results"][0]["level"] == body["level"]
    history = api(users.leader).get(f"{BASE}/register/venue/{venue.pk}/history/").json()
    assert [h["to_level"] for h in history] == [body["level"]]
    assert api(users.outsider).get(f"{BASE}/register/venue/{venue.pk}/history/").status_code == 404


def test_bad_assessment_input_is_a_400_naming_the_field_and_saves_nothing(venue, users):
    client = api(users.township_officer)
    cases = [
        ({"factors": {"weather": 9}}, "factors"),
        ({"controls": ["bogus"]}, "controls"),
        ({"likelihood": 6}, "likelihood"),
        ({"likelihood": 5, "severity": 5}, "judgement"),
    ]
    for extra, field in cases:
        response = client.post(
            f"{BASE}/assessments/", {"subject_type": "venue", "subject_id": venue.pk, **extra}, format="json"
        )
        assert response.status_code == 400, extra
        body = response.json()
        assert field in body or body.get("field") == field, body
    assert not RiskAssessment.objects.exists()


def test_an_outsider_gets_404_on_assessments_and_hazards(venue, users, reviewer):
    assessment = signed_off(venue, users.township_officer, reviewer)
    h = hazard(venue, users.grid_worker)
    outsider = api(users.outsider)
    for url in (f"{BASE}/assessments/{assessment.pk}/", f"{BASE}/hazards/{h.pk}/"):
        assert api(users.township_officer).get(url).status_code == 200
        assert outsider.get(url).status_code == 404
    assert outsider.post(f"{BASE}/hazards/{h.pk}/cancel/", {"reason": "x"}, format="json").status_code == 404
    assert (
        outsider.post(
            f"{BASE}/assessments/", {"subject_type": "venue", "subject_id": venue.pk}, format="json"
        ).status_code
        == 404
    )
    assert outsider.get(f"{BASE}/assessments/").json()["count"] == 0
    assert outsider.get(f"{BASE}/hazards/").json()["count"] == 0


def test_hazards_through_the_api(venue, users, operator):
    client = api(users.grid_worker)
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(
        f"{BASE}/hazards/",
        {
            "subject_type": "venue",
            "subject_id": venue.pk,
            "title": "看台护栏松动",
            "description": "东看台第三排护栏松动",
            "level": "major",
            "location": "东看台",
            "rectification_deadline": deadline,
            "photos": [photo("a.jpg"), photo("b.png", fmt="PNG")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body["photos"]) == 2
    assert body["responsible_unit"] == operator.organisation.name
    pk = body["id"]
    unit = api(operator.user)
    response = unit.post(f"{BASE}/hazards/{pk}/close/", {"note": "修好了", "photos": [photo()]}, format="multipart")
    assert response.status_code == 400
    assert "verification" in response.json()["detail"]
    plan = {
        "goal": "更换护栏",
        "measures": "更换东看台护栏",
        "funds_yuan": "8000",
        "people": "场馆安全主管",
        "deadline": deadline,
        "interim_measures": "封闭东看台第三排",
    }
    assert unit.post(f"{BASE}/hazards/{pk}/plan/", plan, format="json").status_code == 200
    assert unit.post(f"{BASE}/hazards/{pk}/report-fixed/", {"note": "已更换"}, format="multipart").status_code == 200
    verify = {"inspected_on": timezone.localdate().isoformat(), "outcome": "fixed", "findings": "护栏牢固"}
    assert unit.post(f"{BASE}/hazards/{pk}/verify/", verify, format="multipart").status_code == 403
    response = api(users.township_officer).post(f"{BASE}/hazards/{pk}/verify/", verify, format="multipart")
    assert response.status_code == 200
    assert response.json()["state"] == "closed"
    assert response.json()["verifications"][0]["outcome"] == "fixed"


def test_a_photo_that_is_not_an_image_is_a_400(venue, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api(users.grid_worker).post(
        f"{BASE}/hazards/",
        {
            "subject_type": "venue",
            "subject_id": venue.pk,
            "title": "x",
            "description": "y",
            "level": "ordinary",
            "location": "z",
            "rectification_deadline": timezone.localdate().isoformat(),
            "photos": [SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert not Hazard.objects.exists()


def test_campaigns_through_the_api(city, users, depts, venue):
    venue.kind = "commercial"
    venue.save(update_fields=["kind"])
    payload = {
        "name": "春节前风险评估",
        "purpose": "holiday",
        "territory": "410502",
        "venue_kinds": ["commercial"],
        "deadline": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
    }
    response = api(users.leader).post(f"{BASE}/campaigns/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["target_count"] == 1
    assert body["progress"]["total"]["due"] == 1
    assert body["progress"]["by_township"][0]["label"] == "东大街街道"
    again = api(users.leader).post(f"{BASE}/campaigns/{body['id']}/relaunch/")
    assert again.json()["added"] == 0
    assert api(users.leader).post(f"{BASE}/campaigns/", payload, format="json").status_code == 400
    assert api(users.outsider).get(f"{BASE}/campaigns/{body['id']}/").status_code == 404
    assert api(users.outsider).post(f"{BASE}/campaigns/", payload, format="json").status_code == 403


def test_the_bands_are_published(users):
    bands = api(users.staff).get(f"{BASE}/bands/").json()
    assert [(b["level"], b["min_score"], b["max_score"]) for b in bands] == [
        ("blue", 1, 3),
        ("yellow", 4, 8),
        ("orange", 9, 16),
        ("red", 20, 25),
    ]


def test_api_lists_run_a_fixed_number_of_queries(city, users, reviewer, django_assert_max_num_queries):
    def add(n, prefix):
        for i in range(n):
            other = make_venue(city.grid, name=f"{prefix}{i}", kind="commercial")
            signed_off(other, users.township_officer, reviewer)
            hazard(other, users.grid_worker)

    add(2, "商场")
    client = api(users.leader)
    urls = [f"{BASE}/assessments/", f"{BASE}/hazards/", f"{BASE}/register/", f"{BASE}/campaigns/"]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(20) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    add(5, "超市")
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
