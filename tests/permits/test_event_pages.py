"""Issue 21 points 3 and 5 on the pages and the API: resources with their shortfall in the review, temporary
structures accepted before the event and the readiness they block (web + API), the previous event's review on
the next application (organizer and reviewer), copying an application; owner / partner / outsider on every new
endpoint; no internal codes on the pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from permits import services
from permits.models import EventSession, PermitApplication, TemporaryStructure
from tests.helpers.access import assert_scoped_access
from tests.permits.conftest import build_application, through_inspection

pytestmark = pytest.mark.django_db

CODES = re.compile(
    r"\b(security_staff|volunteers|security_gates|xray_machines|medical_staff|stage|lighting_tower|"
    r"structures_not_accepted|invalid_state|department|organizer|failed|concerns|approved|housing|inspection)\b"
)


def web(user, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def approve(application, permit_city):
    application = through_inspection(application, permit_city)
    services.application_decide(
        application=application, actor=permit_city.users.head, outcome="approve", approved_capacity=2500
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def with_stage(permit_city, stadium, complete_application):
    client = web(permit_city.users.organizer)
    response = client.post(
        reverse("permits:structure_add", args=[complete_application.pk]),
        {"kind": "stage", "name": "主舞台", "zone": stadium.infield.pk, "builder": "安阳舞美公司"},
    )
    assert response.status_code == 302
    client.post(
        reverse("permits:resource_set", args=[complete_application.pk]),
        {"resource": "security_staff", "count": "40", "session": "", "zone": ""},
    )
    return complete_application


def test_the_organizer_lists_structures_and_resources_and_the_reviewer_sees_the_shortfall(permit_city, with_stage):
    application = with_stage
    assert application.structures.get().name == "主舞台"
    page = web(permit_city.users.organizer).get(reverse("permits:application_detail", args=[application.pk]))
    text = visible(page.content.decode())
    assert "主舞台" in text and "临时搭建设施" in text
    services.application_submit(application=application, actor=permit_city.users.organizer)
    workspace = web(permit_city.users.staff).get(reverse("permits:workspace", args=[application.pk]))
    html = workspace.content.decode()
    row = re.search(r'data-resource="security_staff" data-shortfall="(\d+)"', html)
    assert row and row.group(1) == "20"  # 3,000 at 1 per 50 = 60 needed, 40 planned
    text = visible(html)
    assert "安保人员" in text and "缺 20" in text and "本市规定" in text
    assert not CODES.search(text), CODES.search(text)


def test_an_unaccepted_stage_blocks_ready_on_the_page_and_the_api(permit_city, with_stage):
    application = approve(with_stage, permit_city)
    staff = web(permit_city.users.staff)
    page = staff.get(reverse("permits:application_detail", args=[application.pk]))
    assert "data-ready-blocked" in page.content.decode()
    response = staff.post(reverse("permits:mark_ready", args=[application.pk]), follow=True)
    assert "尚未验收" in visible(response.content.decode()) and "主舞台" in visible(response.content.decode())
    response = api(permit_city.users.staff).post(reverse("v1:permit-ready", args=[application.pk]))
    assert response.status_code == 400
    assert "主舞台" in str(response.json())
    application.refresh_from_db()
    assert application.ready_at is None
    # The housing department, which the acceptance duty falls on, may open the application and accept the stage.
    stage = application.structures.get()
    housing = web(permit_city.housing_staff)
    assert housing.get(reverse("permits:application_detail", args=[application.pk])).status_code == 200
    housing.post(reverse("permits:structure_accept", args=[application.pk, stage.pk]), {"note": "验收合格"})
    stage.refresh_from_db()
    assert stage.is_accepted
    response = api(permit_city.users.staff).post(reverse("v1:permit-ready", args=[application.pk]))
    assert response.status_code == 200 and response.json()["ready_at"]


def test_the_structures_and_resources_api(permit_city, stadium, complete_application):
    organizer = api(permit_city.users.organizer)
    url = reverse("v1:permit-structures", args=[complete_application.pk])
    created = organizer.post(url, {"kind": "screen", "name": "LED大屏", "zone": stadium.east.pk}, format="json")
    assert created.status_code == 201 and created.json()["accepted"] is False
    bad = organizer.post(url, {"kind": "nonsense", "name": "x"}, format="json")
    assert bad.status_code == 400
    resources = organizer.post(
        reverse("v1:permit-resources", args=[complete_application.pk]),
        {"resource": "medical_staff", "count": 1},
        format="json",
    )
    assert resources.status_code == 200
    line = next(x for x in resources.json()[0]["lines"] if x["resource"] == "medical_staff")
    assert (line["planned"], line["required"], line["shortfall"]) == (1, 3, 2)
    approve(complete_application, permit_city)
    structure = TemporaryStructure.objects.get(application=complete_application)
    accept = reverse("v1:permit-structure-accept", args=[structure.pk])
    assert api(permit_city.users.organizer).post(accept, {}, format="json").status_code == 403
    assert api(permit_city.other_organizer).post(accept, {}, format="json").status_code == 404
    done = api(permit_city.housing_staff).post(accept, {"note": "ok"}, format="json")
    assert done.status_code == 200 and done.json()["accepted_via"] == "housing"


def _held(application, permit_city):
    application = approve(application, permit_city)
    start = timezone.now() - dt.timedelta(days=3)
    EventSession.objects.filter(application=application).update(starts_at=start, ends_at=start + dt.timedelta(hours=3))
    PermitApplication.objects.filter(pk=application.pk).update(
        first_session_start=start, last_session_end=start + dt.timedelta(hours=3)
    )
    application.refresh_from_db()
    services.application_mark_held(application=application, actor=permit_city.users.organizer)
    application.refresh_from_db()
    return application


def test_the_previous_events_review_appears_on_the_next_application(permit_city, stadium, complete_application):
    held = _held(complete_application, permit_city)
    session = held.sessions.first()
    # Both sides record the review on the page.
    web(permit_city.users.organizer).post(
        reverse("permits:review_record", args=[held.pk]),
        {f"attendance_{session.pk}": "2700", "incidents": "", "worked": "分区入场有效", "did_not_work": ""},
    )
    web(permit_city.users.staff).post(
        reverse("permits:review_record", args=[held.pk]),
        {"incidents": "散场时东门拥挤", "worked": "", "did_not_work": "东门疏散引导不足", "outcome": "failed"},
    )
    assert set(held.reviews.values_list("side", "outcome")) == {("organizer", ""), ("department", "failed")}
    # Copy it into the next application from the button on the past one.
    response = web(permit_city.users.organizer).post(reverse("permits:application_copy", args=[held.pk]))
    following = PermitApplication.objects.exclude(pk=held.pk).get(copied_from=held)
    assert response["Location"] == reverse("permits:application_edit", args=[following.pk])
    following = build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        name="洹河之夜音乐会（第二季）",
        days_ahead=50,
    )
    organizer_page = visible(
        web(permit_city.users.organizer)
        .get(reverse("permits:application_detail", args=[following.pk]))
        .content.decode()
    )
    assert "上一次活动的复盘" in organizer_page and "东门疏散引导不足" in organizer_page
    assert "未通过" in organizer_page and "分区入场有效" in organizer_page
    services.application_submit(application=following, actor=permit_city.users.organizer)
    reviewer_html = web(permit_city.users.staff).get(reverse("permits:workspace", args=[following.pk])).content.decode()
    assert 'data-outcome="failed"' in reviewer_html
    reviewer_page = visible(reviewer_html)
    assert "上一次活动的复盘" in reviewer_page and "东门疏散引导不足" in reviewer_page
    assert "风险评估" in reviewer_page  # its weight
    assert not CODES.search(reviewer_page), CODES.search(reviewer_page)
    data = api(permit_city.users.staff).get(reverse("v1:permit-review", args=[following.pk])).json()
    assert [r["outcome"] for r in data["previous"]] == ["failed", ""]


def test_owner_partner_outsider_on_every_new_endpoint(permit_city, stadium, with_stage):
    application = approve(with_stage, permit_city)
    stage = application.structures.get()
    users = permit_city.users
    pk = application.pk
    # Web actions: the owner (organizer) and the partner (the licensing department / the housing department with
    # its grant) are let in (a redirect back to the page), an outsider gets 404.
    for name, args in (
        ("permits:resource_set", [pk]),
        ("permits:structure_add", [pk]),
        ("permits:structure_remove", [pk, stage.pk]),
        ("permits:mark_ready", [pk]),
        ("permits:review_record", [pk]),
    ):
        assert_scoped_access(
            reverse(name, args=args),
            owner=users.organizer,
            partner=users.staff,
            outsider=permit_city.other_organizer,
            method="post",
        )
    # Ready: both may act (400 here: the stage is not accepted), the outsider is told nothing.
    for user, expected in ((users.organizer, 400), (users.staff, 400), (permit_city.other_organizer, 404)):
        assert api(user).post(reverse("v1:permit-ready", args=[pk])).status_code == expected
    assert_scoped_access(
        reverse("permits:structure_accept", args=[pk, stage.pk]),
        owner=permit_city.housing_staff,  # the acceptance duty falls on it (a grant until every structure is accepted)
        partner=users.staff,
        outsider=permit_city.beiguan_staff,
        method="post",
    )
    assert_scoped_access(
        reverse("permits:application_copy", args=[pk]),
        owner=users.organizer,
        outsider=permit_city.beiguan_staff,
        method="post",
    )
    # API
    for name in ("v1:permit-resources", "v1:permit-structures", "v1:permit-review"):
        assert_scoped_access(
            reverse(name, args=[pk]), owner=users.organizer, partner=users.staff, outsider=permit_city.other_organizer
        )
    assert api(permit_city.beiguan_staff).post(reverse("v1:permit-copy", args=[pk])).status_code == 404
    assert api(users.organizer).post(reverse("v1:permit-copy", args=[pk])).status_code == 201
    assert (
        api(permit_city.other_organizer)
        .post(reverse("v1:permit-structure-accept", args=[stage.pk]), {}, format="json")
        .status_code
        == 404
    )
