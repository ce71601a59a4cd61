"""The risk pages: scoped (owner, partner with a grant, outsider 404), lists with a fixed number of queries,
forms that call the services, and the register's export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crowdsafe.org.choices import DepartmentKind, Role
from crowdsafe.org.services import grant_to_department
from risk import services
from risk.models import Hazard, RiskAssessment
from tests.factories import DepartmentFactory, member
from tests.helpers.access import assert_scoped_access
from tests.risk.conftest import FACTORS_RED, hazard, photo, signed_off
from tests.venues.conftest import make_venue

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def fire(city):
    fire = DepartmentFactory(name="梅河口市消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.meihekou)
    return member(role=Role.STAFF, department=fire).user, fire


def test_an_outsider_gets_404_on_assessments_and_hazards_outside_their_scope(venue, users, reviewer, fire):
    partner, department = fire
    assessment = signed_off(venue, users.township_officer, reviewer)
    h = hazard(venue, users.grid_worker, photos=[photo()])
    grant_to_department(obj=assessment, codename="view_riskassessment", department=department, actor=None)
    grant_to_department(obj=h, codename="view_hazard", department=department, actor=None)
    for url in (
        reverse("risk:assessment_detail", args=[assessment.pk]),
        reverse("risk:hazard_detail", args=[h.pk]),
        reverse("risk:hazard_photo", args=[h.pk, h.photos.get().pk]),
    ):
        assert_scoped_access(url, owner=users.township_officer, partner=partner, outsider=users.outsider)
    # The operator of the venue sees them too; the subject's own page is scoped by the venue's app.
    assert (
        client_for(venue.operator.memberships.first().user).get(reverse("risk:hazard_detail", args=[h.pk])).status_code
        == 200
    )
    assert_scoped_access(reverse("risk:subject", args=["venue", venue.pk]), owner=users.leader, outsider=users.outsider)
    # Actions are 404 too, and change nothing.
    assert (
        client_for(users.outsider)
        .post(reverse("risk:assessment_return", args=[assessment.pk]), {"reason": "x"})
        .status_code
        == 404
    )
    assert (
        client_for(users.outsider).post(reverse("risk:hazard_cancel", args=[h.pk]), {"reason": "x"}).status_code == 404
    )
    h.refresh_from_db()
    assert h.state == "open"
    # Lists leave them out.
    body = client_for(users.outsider).get(reverse("risk:hazard_list")).content.decode()
    assert h.title not in body


def test_the_lists_run_a_fixed_number_of_queries(city, venue, users, reviewer, django_assert_max_num_queries):
    for i in range(3):
        other = make_venue(city.grid, name=f"商场{i}", kind="commercial")
        signed_off(other, users.township_officer, reviewer)
        hazard(other, users.grid_worker)
    client = client_for(users.leader)
    urls = [
        reverse("risk:register"),
        reverse("risk:assessment_list"),
        reverse("risk:hazard_list"),
        reverse("risk:campaign_list"),
        reverse("risk:map"),
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(30) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    for i in range(6):
        other = make_venue(city.grid, name=f"超市{i}", kind="commercial")
        signed_off(other, users.township_officer, reviewer)
        hazard(other, users.grid_worker)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_assessing_a_venue_through_the_form(venue, users, reviewer):
    client = client_for(users.township_officer)
    url = reverse("risk:assessment_create") + f"?subject_type=venue&subject_id={venue.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert "safe capacity is 5248" in page.content.decode().replace(",", "")
    data = {
        "subject_type": "venue",
        "subject_id": venue.pk,
        "assessed_on": timezone.localdate().isoformat(),
        "expected_attendance": "9000",
        **{f"factor_{k}": str(v) for k, v in FACTORS_RED.items()},
        "controls": ["stewards", "barriers"],
        "likelihood": "",
        "severity": "",
        "residual_likelihood": "",
        "residual_severity": "",
    }
    response = client.post(reverse("risk:assessment_create"), data)
    assessment = RiskAssessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("risk:assessment_detail", args=[assessment.pk])
    # A rating that differs without a judgement: the message is next to the field, nothing else is saved.
    bad = client.post(reverse("risk:assessment_create"), {**data, "residual_likelihood": "1"})
    assert bad.status_code == 200
    assert "say why in the judgement" in bad.content.decode()
    assert RiskAssessment.objects.count() == 1
    detail = client.get(reverse("risk:assessment_detail", args=[assessment.pk])).content.decode()
    assert "Submit for sign-off" in detail
    client.post(reverse("risk:assessment_submit", args=[assessment.pk]))
    page = client_for(reviewer).get(reverse("risk:assessment_detail", args=[assessment.pk])).content.decode()
    assert "data-sign-off" in page
    client_for(reviewer).post(reverse("risk:assessment_sign_off", args=[assessment.pk]), {"note": "同意"})
    assessment.refresh_from_db()
    assert assessment.state == "signed_off"
    register = client_for(users.leader).get(reverse("risk:register")).content.decode()
    assert venue.name in register
    assert f'data-level-row="{assessment.level}"' in register


def test_a_major_hazard_page_refuses_closing_and_offers_the_plan(venue, users, operator):
    h = hazard(venue, users.grid_worker, level="major")
    client = client_for(operator.user)
    page = client.get(reverse("risk:hazard_detail", args=[h.pk])).content.decode()
    assert 'data-step="plan"' in page
    assert 'data-step="close"' not in page
    response = client.post(reverse("risk:hazard_close", args=[h.pk]), {"note": "已整改", "photos": [photo()]})
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.state == "open"
    messages = client.get(reverse("risk:hazard_detail", args=[h.pk])).content.decode()
    assert "closed only by a verification inspection" in messages


def test_an_ordinary_hazard_is_closed_from_its_page_with_a_photo(venue, users, operator):
    h = hazard(venue, users.grid_worker)
    client = client_for(operator.user)
    client.post(reverse("risk:hazard_fix", args=[h.pk]), {"note": "已清理"})
    h.refresh_from_db()
    assert h.state == "open"
    client.post(reverse("risk:hazard_fix", args=[h.pk]), {"note": "已清理", "photos": [photo("after.jpg")]})
    h.refresh_from_db()
    assert h.state == "closed"


def test_reporting_a_hazard_through_the_form_with_photos(venue, users):
    client = client_for(users.grid_worker)
    url = reverse("risk:hazard_create") + f"?subject_type=venue&subject_id={venue.pk}"
    assert client.get(url).status_code == 200
    data = {
        "subject_type": "venue",
        "subject_id": venue.pk,
        "title": "安全出口上锁",
        "description": "西侧安全出口被铁链锁闭",
        "level": "ordinary",
        "source": "patrol",
        "found_on": timezone.localdate().isoformat(),
        "location": "西侧安全出口",
        "rectification_deadline": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "photos": [photo("a.jpg"), photo("b.jpg")],
    }
    response = client.post(reverse("risk:hazard_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    h = Hazard.objects.get()
    assert h.photos.count() == 2
    bad = client.post(
        reverse("risk:hazard_create"),
        {**data, "photos": [io.BytesIO(b"not an image")], "title": "另一个"},
        format="multipart",
    )
    assert bad.status_code == 200
    assert Hazard.objects.count() == 1


def test_the_register_exports_levels_and_history_to_excel(venue, users, reviewer):
    signed_off(venue, users.township_officer, reviewer)
    signed_off(venue, users.township_officer, reviewer, factors=FACTORS_RED, expected_attendance=9000)
    response = client_for(users.leader).get(reverse("risk:export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    levels = list(workbook["风险底数"].iter_rows(values_only=True))
    assert levels[0][0] == "名称"
    assert levels[1][0] == venue.name
    assert levels[1][4] == "重大风险"
    history = list(workbook["等级变化"].iter_rows(values_only=True))
    assert len(history) == 3
    assert history[1][3] == "重大风险"
    # The outsider's export is empty.
    response = client_for(users.outsider).get(reverse("risk:export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(list(workbook["风险底数"].iter_rows(values_only=True))) == 1


def test_the_campaign_page_shows_progress_per_township_and_department(city, users, depts, venue):
    venue.kind = "commercial"
    venue.save(update_fields=["kind"])
    client = client_for(users.leader)
    response = client.post(
        reverse("risk:campaign_create"),
        {
            "name": "春节前风险评估",
            "purpose": "holiday",
            "territory": "410502",
            "venue_kinds": ["commercial"],
            "deadline": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
            "assignment": "territorial",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "东大街街道" in page
    assert "data-total>1<" in page
    assert "data-due>1<" in page
    assert_scoped_access(response["Location"], owner=users.township_officer, outsider=users.outsider)


def test_the_home_page_shows_open_major_hazards(venue, users):
    hazard(venue, users.grid_worker, level="major", title="看台护栏松动")
    page = client_for(users.township_officer).get(reverse("home")).content.decode()
    assert 'data-panel="risk_hazards"' in page
    assert "看台护栏松动" in page


def test_every_risk_page_renders_in_chinese(venue, users, reviewer, operator):
    assessment = signed_off(venue, users.township_officer, reviewer)
    h = hazard(venue, users.grid_worker, level="major")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(users.leader)
    for url in (
        reverse("risk:register"),
        reverse("risk:map"),
        reverse("risk:assessment_list"),
        reverse("risk:assessment_detail", args=[assessment.pk]),
        reverse("risk:hazard_list"),
        reverse("risk:hazard_detail", args=[h.pk]),
        reverse("risk:campaign_list"),
        reverse("risk:campaign_create"),
        reverse("risk:subject", args=["venue", venue.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    services.hazard_cancel(hazard=h, actor=users.township_officer, reason="重复")
