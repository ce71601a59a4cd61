"""The permit pages: the portal form with its checks, each part's form with its errors, the reviewer queue and
workspace, and pinned query counts for the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from permits.choices import ApplicationState
from permits.models import PermitApplication
from permits.panels import register_application_panel, unregister_application_panel
from tests.permits.conftest import build_application, local, through_inspection

pytestmark = pytest.mark.django_db


def client_for(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def draft(permit_city, stadium):
    return build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        complete=False,
    )


def test_the_portal_form_shows_what_is_missing_and_each_check_with_its_article(permit_city, draft):
    response = client_for(permit_city.users.organizer).get(reverse("permits:application_edit", args=[draft.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-missing-section="undertakers"' in html
    assert "At least one undertaker" in html
    assert 'data-check="licensing_level"' in html and "Order 505 Art. 12" in html
    assert 'data-check="filing_deadline"' in html and "Order 505 Art. 13" in html
    assert "安阳市公安局文峰分局" in html
    # the nine sections of Art. 6
    assert html.count("data-plan-section=") == 9


def test_the_portal_form_speaks_chinese(permit_city, draft):
    response = client_for(permit_city.users.organizer, "zh-hans").get(
        reverse("permits:application_edit", args=[draft.pk])
    )
    html = response.content.decode()
    assert "《大型群众性活动安全管理条例》第十二条" in html
    assert "安全工作方案" in html


def test_creating_a_draft_from_the_form(permit_city, stadium):
    client = client_for(permit_city.users.organizer)
    assert client.get(reverse("permits:application_create")).status_code == 200
    response = client.post(
        reverse("permits:application_create"),
        {
            "organisation": permit_city.city.organisation.pk,
            "event_name": "新春灯会",
            "event_kind": "garden_fair",
            "venue": stadium.venue.pk,
            "safety_person_name": "王建国",
        },
    )
    application = PermitApplication.objects.get(event_name="新春灯会")
    assert response.status_code == 302 and response.url == reverse("permits:application_edit", args=[application.pk])
    assert application.venue == stadium.venue and application.state == ApplicationState.DRAFT


def test_only_organizers_may_apply(permit_city):
    assert client_for(permit_city.users.staff).get(reverse("permits:application_create")).status_code == 403


def test_adding_a_session_and_a_bad_one(permit_city, draft):
    client = client_for(permit_city.users.organizer)
    day = timezone.localdate() + dt.timedelta(days=60)
    response = client.post(
        reverse("permits:edit_session_add", args=[draft.pk]),
        {"starts_at": f"{day}T19:00", "ends_at": f"{day}T22:00", "expected_attendance": "2500"},
    )
    assert response.status_code == 302
    assert draft.sessions.count() == 2
    response = client.post(
        reverse("permits:edit_session_add", args=[draft.pk]),
        {"starts_at": f"{day}T19:00", "ends_at": f"{day}T18:00", "expected_attendance": "2500"},
    )
    assert response.status_code == 400
    assert "A session must end after it starts." in response.content.decode()
    assert draft.sessions.count() == 2


def test_tickets_over_capacity_are_refused_on_the_form(permit_city, draft, stadium):
    response = client_for(permit_city.users.organizer).post(
        reverse("permits:edit_tickets", args=[draft.pk]),
        {f"zone_{stadium.east.pk}": "3000", f"zone_{stadium.infield.pk}": "3500"},
    )
    assert response.status_code == 400
    assert "tickets may only be issued up to the approved capacity (Order 505 Art. 7)" in response.content.decode()
    assert not draft.zone_plans.exists()


def test_a_wrong_file_is_refused_on_the_form_in_chinese(permit_city, draft):
    response = client_for(permit_city.users.organizer, "zh-hans").post(
        reverse("permits:edit_material_add", args=[draft.pk]),
        {"kind": "event_plan", "file": SimpleUploadedFile("方案.pdf", b"GIF89a not a pdf")},
    )
    assert response.status_code == 400
    assert "方案.pdf" in response.content.decode()
    assert not draft.materials.exists()


def test_submitting_an_incomplete_application_names_what_is_missing(permit_city, draft):
    client = client_for(permit_city.users.organizer)
    response = client.post(reverse("permits:application_submit", args=[draft.pk]), follow=True)
    html = response.content.decode()
    assert "The application is not complete. Still missing:" in html
    assert "At least one undertaker" in html
    draft.refresh_from_db()
    assert draft.state == ApplicationState.DRAFT


def test_the_whole_review_from_the_pages(permit_city, complete_application):
    users = permit_city.users
    organizer, staff, head = client_for(users.organizer), client_for(users.staff), client_for(users.head)
    pk = complete_application.pk
    assert organizer.post(reverse("permits:application_submit", args=[pk])).status_code == 302
    assert staff.post(reverse("permits:accept", args=[pk])).status_code == 302
    assert staff.post(reverse("permits:start_review", args=[pk])).status_code == 302
    assert staff.post(reverse("permits:start_inspection", args=[pk])).status_code == 302
    application = PermitApplication.objects.get(pk=pk)
    people = {
        permit_city.city.wenfeng_police.pk: users.staff,
        permit_city.wenfeng_fire.pk: permit_city.fire_staff,
        permit_city.wenfeng_housing.pk: permit_city.housing_staff,
        permit_city.wenfeng_culture.pk: permit_city.culture_staff,
    }
    for inspection in application.inspections.all():
        response = client_for(people[inspection.department_id]).post(
            reverse("permits:inspection", args=[inspection.pk]),
            {"passed": "1", "findings": "符合要求", "inspected_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    plan = application.zone_plans.get()
    # Staff may not sign; the head may.
    form = {
        "outcome": "approve",
        "approved_capacity": "2000",
        f"tickets_{plan.pk}": "2500",
        "conditions": "设置隔离护栏",
    }
    response = head.post(reverse("permits:decide", args=[pk]), form)
    assert response.status_code == 400  # 2,500 tickets for an approved 2,000
    assert "Order 505 Art. 7" in response.content.decode()
    form[f"tickets_{plan.pk}"] = "1800"
    assert head.post(reverse("permits:decide", args=[pk]), form).status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    page = organizer.get(reverse("permits:application_detail", args=[pk])).content.decode()
    assert "data-condition=" in page and "设置隔离护栏" in page


def test_return_for_correction_needs_items_on_the_form(permit_city, complete_application):
    from permits import services

    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    response = client_for(permit_city.users.staff).post(
        reverse("permits:return_for_correction", args=[complete_application.pk]), {"items": ""}
    )
    assert response.status_code == 400
    complete_application.refresh_from_db()
    assert complete_application.state == ApplicationState.SUBMITTED


def _bulk(permit_city, stadium, n, *, state=ApplicationState.SUBMITTED, due_offsets=None, organisation=None):
    today = timezone.localdate()
    rows = []
    for i in range(n):
        offset = (due_offsets or [i])[i % len(due_offsets or [i])] if due_offsets else i
        rows.append(
            PermitApplication(
                organisation=organisation or permit_city.city.organisation,
                event_name=f"活动{i}",
                event_kind="sports",
                state=state,
                venue=stadium.venue,
                jurisdiction=stadium.venue.grid,
                jurisdiction_path=stadium.venue.jurisdiction_path,
                expected_attendance=2000,
                first_session_start=local(today + dt.timedelta(days=30)),
                licensing_level="county",
                licensing_department=permit_city.city.wenfeng_police,
                review_due=today + dt.timedelta(days=offset),
            )
        )
    PermitApplication.objects.bulk_create(rows)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_queue_is_ordered_by_deadline_with_overdue_in_red(permit_city, stadium):
    _bulk(permit_city, stadium, 3, due_offsets=[3, -2, 0])
    response = client_for(permit_city.users.staff).get(reverse("permits:review_queue"))
    html = response.content.decode()
    days = [int(x) for x in __import__("re").findall(r'data-days-left="(-?\d+)"', html)]
    assert days == [-2, 0, 3]
    assert html.count('class="permits-overdue"') == 1
    assert "2 days overdue" in html


@pytest.mark.parametrize(
    ("user", "url_name"),
    [
        ("staff", "permits:review_queue"),
        ("staff", "permits:application_list"),
        ("organizer", "permits:application_list"),
    ],
)
def test_list_pages_make_a_fixed_number_of_queries(permit_city, stadium, user, url_name, django_assert_max_num_queries):
    client = client_for(getattr(permit_city.users, user))
    url = reverse(url_name)
    _bulk(permit_city, stadium, 2)
    few = _queries(client, url)
    _bulk(permit_city, stadium, 20)
    many = _queries(client, url)
    assert many == few
    with django_assert_max_num_queries(12):
        client.get(url)


def test_an_application_panel_from_another_app_shows_on_the_page_and_in_the_workspace(
    permit_city, complete_application
):
    from permits import services

    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    register_application_panel(
        "test_drill",
        template="permits/tests/_panel.html",
        context_func=lambda request, application: {"note": f"drill for {application.number}"},
        order=5,
    )
    register_application_panel("test_hidden", template="permits/tests/_panel.html", context_func=lambda r, a: None)
    try:
        for url in (
            reverse("permits:application_detail", args=[complete_application.pk]),
            reverse("permits:workspace", args=[complete_application.pk]),
        ):
            html = client_for(permit_city.users.staff).get(url).content.decode()
            assert 'data-panel="test_drill"' in html and f"drill for {complete_application.number}" in html
            assert 'data-panel="test_hidden"' not in html
    finally:
        unregister_application_panel("test_drill")
        unregister_application_panel("test_hidden")


def test_the_workspace_shows_materials_checks_and_days_left(permit_city, complete_application):
    from permits import services

    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    html = client_for(permit_city.users.staff).get(reverse("permits:workspace", args=[complete_application.pk]))
    html = html.content.decode()
    assert 'data-section="materials"' in html and 'data-section="checks"' in html
    assert 'data-action="accept"' in html
    assert "data-days-left=" in html


def test_the_inspection_page_for_the_fire_brigade(permit_city, complete_application):
    application = through_inspection(complete_application, permit_city)
    inspection = application.inspections.get(department=permit_city.wenfeng_fire)
    html = client_for(permit_city.fire_staff).get(reverse("permits:inspection", args=[inspection.pk])).content.decode()
    assert "data-recorded" in html
