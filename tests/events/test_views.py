"""The gathering pages: the list (filters, map, pagination, pinned queries), the logging form (form key, JSON
answers for the phone script, photo refusals), the detail page and its actions, scoped access."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.choices import GatheringKind, GatheringSource
from events.models import Gathering
from tests.events.conftest import a_working_afternoon, photo_file, report
from tests.helpers.access import assert_scoped_access

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form_data(city, **overrides) -> dict:
    start = timezone.localtime(a_working_afternoon())
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "kind": GatheringKind.MALL_PROMOTION,
        "grid": city.grid.pk,
        "venue": "",
        "location_name": "万达广场正门",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "estimated_attendance_min": "100",
        "estimated_attendance_max": "300",
        "source": GatheringSource.GRID_PATROL,
    }
    data.update(overrides)
    return data


# --- the logging form -----------------------------------------------------------------------------------


def test_the_form_offers_the_grid_workers_own_grid_and_a_form_key(city, users, places):
    page = client_for(users.grid_worker).get(reverse("events:gathering_create"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "data-single-grid" in body and "东大街社区第一网格" in body
    assert 'name="idempotency_key"' in body and 'value="' in body
    assert "文峰塔广场" in body  # a venue in the worker's grid
    assert 'capture="environment"' in body


def test_posting_the_form_logs_the_gathering_and_redirects(city, users):
    response = client_for(users.grid_worker).post(reverse("events:gathering_create"), form_data(city))
    gathering = Gathering.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "events:gathering_detail", args=[gathering.pk]
    )
    assert gathering.reported_by == users.grid_worker and gathering.location_name == "万达广场正门"


def test_the_script_gets_json_and_a_resend_finds_the_same_record(city, users):
    client = client_for(users.grid_worker)
    data = form_data(city)
    first = client.post(reverse("events:gathering_create"), data, HTTP_X_REQUESTED_WITH="fetch")
    again = client.post(reverse("events:gathering_create"), data, HTTP_X_REQUESTED_WITH="fetch")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["created"] is False
    assert Gathering.objects.count() == 1


def test_missing_fields_come_back_as_json_errors_by_field(city, users):
    response = client_for(users.grid_worker).post(
        reverse("events:gathering_create"),
        form_data(city, kind="", estimated_attendance_max="", location_name=""),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) >= {"kind", "estimated_attendance_max"}
    assert not Gathering.objects.exists()


def test_a_place_is_required_without_a_venue(city, users):
    response = client_for(users.grid_worker).post(
        reverse("events:gathering_create"), form_data(city, location_name=""), HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["location_name"] == ["Name the place, or choose a registered venue."]


def test_a_refused_photo_is_said_clearly_and_nothing_is_logged(city, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = form_data(city)
    data["photos"] = [SimpleUploadedFile("现场.gif", b"GIF89a....", content_type="image/gif")]
    response = client_for(users.grid_worker).post(
        reverse("events:gathering_create"), data, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["photos"] == [
        "“现场.gif”: only JPEG, JPG, PNG, WEBP files are accepted (at most 5 MB)."
    ]
    assert not Gathering.objects.exists()


def test_photos_sent_with_the_form_are_kept_and_served_only_in_scope(city, users, other_township_officer):
    data = form_data(city)
    data["photos"] = [photo_file("a.jpg"), photo_file("b.jpg")]
    client_for(users.grid_worker).post(reverse("events:gathering_create"), data)
    gathering = Gathering.objects.get()
    photo = gathering.photos.first()
    assert gathering.photos.count() == 2
    url = reverse("events:gathering_photo", args=[gathering.pk, photo.pk])
    assert_scoped_access(url, owner=users.township_officer, outsider=other_township_officer)


def test_someone_outside_any_territory_cannot_open_the_form(users):
    assert client_for(users.organizer).get(reverse("events:gathering_create")).status_code == 403


def test_a_grid_outside_the_workers_choices_is_refused(city, users, places):
    response = client_for(users.grid_worker).post(
        reverse("events:gathering_create"), form_data(city, grid=places.grid2.pk), HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 400
    assert "grid" in response.json()["errors"]


# --- the list -------------------------------------------------------------------------------------------


def test_the_list_is_scoped_filtered_and_mapped(city, users, places, other_township_officer):
    mine = report(users.grid_worker, grid=city.grid, latitude="36.1", longitude="114.3", title="东大街聚集")
    theirs = report(other_township_officer, grid=places.grid2, title="西大街聚集")
    page = client_for(users.township_officer).get(reverse("events:gathering_list")).content.decode()
    assert "东大街聚集" in page and "西大街聚集" not in page
    data = json.loads(page.split('id="gatherings-map-data" type="application/json">')[1].split("</script>")[0])
    assert [p["title"] for p in data] == ["东大街聚集"]
    leader_page = client_for(users.leader).get(reverse("events:gathering_list")).content.decode()
    assert "东大街聚集" in leader_page and "西大街聚集" in leader_page
    filtered = client_for(users.leader).get(reverse("events:gathering_list"), {"jurisdiction": city.street2.code})
    assert "西大街聚集" in filtered.content.decode() and "东大街聚集" not in filtered.content.decode()
    assert mine.pk != theirs.pk


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"risk_level": "orange"}, {"大"}),
        ({"status": "verified"}, {"核"}),
        ({"source": "hotline"}, {"热"}),
        ({"date_from": "2000-01-01", "date_to": "2000-01-02"}, set()),
    ],
)
def test_the_filters(city, users, params, expected):
    from events import services

    report(users.grid_worker, grid=city.grid, title="大", estimated_attendance_max=1500)
    verified = report(users.grid_worker, grid=city.grid, title="核")
    services.gathering_verify(gathering=verified, actor=users.township_officer)
    report(users.grid_worker, grid=city.grid, title="热", source=GatheringSource.HOTLINE)
    page = client_for(users.leader).get(reverse("events:gathering_list"), params).content.decode()
    found = {t for t in ("大", "核", "热") if f">{t}</a>" in page}
    assert found == expected


def test_the_list_and_the_attention_list_run_a_fixed_number_of_queries(city, users, django_assert_max_num_queries):
    for i in range(3):
        report(users.grid_worker, grid=city.grid, title=f"聚集{i}", estimated_attendance_max=2000)
    client = client_for(users.leader)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("events:gathering_list")).status_code == 200
    for i in range(3, 30):
        report(users.grid_worker, grid=city.grid, title=f"聚集{i}", estimated_attendance_max=2000)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("events:gathering_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("events:attention_list")).status_code == 200


def test_empty_states(users):
    page = client_for(users.township_officer).get(reverse("events:gathering_list")).content.decode()
    assert "No gatherings yet." in page and "data-map-empty" in page
    assert "Nothing needs attention." in client_for(users.leader).get(reverse("events:attention_list")).content.decode()


# --- the detail page and its actions ---------------------------------------------------------------------


def test_the_detail_page_shows_reasons_chart_duties_and_timeline(city, users, places):
    from events import services

    gathering = report(users.grid_worker, venue=places.square, starts_at=timezone.now() - dt.timedelta(hours=1))
    services.headcount_record(gathering=gathering, actor=users.grid_worker, count=900)
    body = (
        client_for(users.township_officer).get(reverse("events:gathering_detail", args=[gathering.pk])).content.decode()
    )
    assert "data-risk-reasons" in body and "safe capacity of 文峰塔广场" in body
    assert "data-headcount-chart" in body and "safe capacity 2,500" in body
    assert "data-subject-tasks" in body and "data-timeline" in body
    assert 'data-action="verify"' in body


def test_the_grid_worker_sees_no_manager_actions(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    body = client_for(users.grid_worker).get(reverse("events:gathering_detail", args=[gathering.pk])).content.decode()
    assert 'data-action="verify"' not in body and 'data-action="override"' not in body


def test_actions_through_the_page(city, users, places):
    gathering = report(users.grid_worker, venue=places.square, starts_at=timezone.now() - dt.timedelta(hours=1))
    officer = client_for(users.township_officer)
    detail = reverse("events:gathering_detail", args=[gathering.pk])
    assert officer.post(reverse("events:gathering_verify", args=[gathering.pk])).status_code == 302
    officer.post(reverse("events:gathering_risk", args=[gathering.pk]), {"level": "orange", "reason": "网络热度上升"})
    officer.post(
        reverse("events:measure_create", args=[gathering.pk]), {"kind": "diversion", "description": "东口分流"}
    )
    officer.post(reverse("events:headcount_create", args=[gathering.pk]), {"count": "1200"})
    gathering.refresh_from_db()
    assert (gathering.status, gathering.risk_level, gathering.latest_headcount) == ("monitoring", "orange", 1200)
    measure = gathering.measures.get()
    officer.post(
        reverse("events:measure_update", args=[gathering.pk, measure.pk]),
        {f"m{measure.pk}-effect": "有效", f"m{measure.pk}-lift": "on"},
    )
    measure.refresh_from_db()
    assert measure.effect == "有效" and measure.ended_at
    response = officer.post(reverse("events:gathering_decide", args=[gathering.pk]), {"kind": "suspend", "reason": ""})
    assert response.status_code == 302
    follow = officer.get(detail).content.decode()
    assert "This field is required." in follow or "Give the reason" in follow
    officer.post(reverse("events:gathering_end", args=[gathering.pk]))
    gathering.refresh_from_db()
    assert gathering.status == "ended"


def test_an_illegal_action_is_a_message_not_an_error(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    client = client_for(users.township_officer)
    response = client.post(reverse("events:gathering_end", args=[gathering.pk]), follow=True)
    assert response.status_code == 200
    assert "Only a verified gathering or one under monitoring can end" in response.content.decode()


def test_outsiders_get_404_for_pages_and_actions(city, users, other_township_officer):
    gathering = report(users.grid_worker, grid=city.grid)
    for name in ("events:gathering_detail", "events:gathering_edit"):
        assert_scoped_access(
            reverse(name, args=[gathering.pk]), owner=users.township_officer, outsider=other_township_officer
        )
    response = client_for(other_township_officer).post(reverse("events:gathering_verify", args=[gathering.pk]))
    assert response.status_code == 404
    gathering.refresh_from_db()
    assert gathering.status == "reported"


def test_departments_see_what_is_assigned_to_them(city, users, places):
    from events import services
    from tests.factories import UserFactory, member

    beiguan_staff = member(UserFactory(username="u_beiguan"), role="staff", department=city.beiguan_police).user
    gathering = report(users.grid_worker, grid=city.grid)
    staff = client_for(users.staff)  # 文峰分局: nothing assigned yet
    url = reverse("events:gathering_detail", args=[gathering.pk])
    assert staff.get(url).status_code == 404
    services.gathering_verify(gathering=gathering, actor=users.township_officer)  # public order → 文峰分局
    assert staff.get(url).status_code == 200
    assert client_for(beiguan_staff).get(url).status_code == 404


def test_a_shared_gathering_is_visible_to_that_department(city, users):
    from crowdsafe.org.services import grant_to_department
    from tests.factories import UserFactory, member

    beiguan_staff = member(UserFactory(username="u_beiguan2"), role="staff", department=city.beiguan_police).user
    gathering = report(users.grid_worker, grid=city.grid)
    url = reverse("events:gathering_detail", args=[gathering.pk])
    assert client_for(beiguan_staff).get(url).status_code == 404
    from django.db import transaction

    with transaction.atomic():
        grant_to_department(obj=gathering, codename="view_gathering", department=city.beiguan_police, actor=None)
    assert_scoped_access(url, owner=users.township_officer, partner=beiguan_staff, outsider=users.outsider)


def test_editing_through_the_page(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    client = client_for(users.township_officer)
    url = reverse("events:gathering_edit", args=[gathering.pk])
    assert client.get(url).status_code == 200
    data = form_data(city, title="更名后的聚集", estimated_attendance_max="400")
    data.pop("idempotency_key")
    assert client.post(url, data).status_code == 302
    gathering.refresh_from_db()
    assert (gathering.title, gathering.estimated_attendance_max) == ("更名后的聚集", 400)


def test_the_key_dates_page_lists_the_occasions_with_their_next_day(users):
    page = client_for(users.township_officer).get(reverse("events:key_date_list")).content.decode()
    for name in ("春节", "元宵节", "清明节", "中秋节", "国庆节", "平安夜（商场）", "地方庙会"):
        assert name in page


def test_home_panels(city, users):
    report(users.grid_worker, grid=city.grid, title="将要开始的聚集", estimated_attendance_max=2000)
    grid_home = client_for(users.grid_worker).get(reverse("home")).content.decode()
    assert 'data-panel="gatherings_territory"' in grid_home and "将要开始的聚集" in grid_home
    assert "data-log-gathering" in grid_home
    leader_home = client_for(users.leader).get(reverse("home")).content.decode()
    assert 'data-panel="gatherings_attention"' in leader_home and "将要开始的聚集" in leader_home
