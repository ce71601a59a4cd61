"""Issue 15 point 6: the exercise pages — a series uploaded (or a shipped sample), the real zone, participants and
speed chosen; the exercise's page with its progress, its alerts marked 演练 and the drill it is recorded as.
Owner (the township officer of the zone's territory), partner (the zone's organisation), outsider (another city)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from drills import services as drill_services
from drills.choices import OwnerKind, PlanKind, ScopeKind
from monitoring import exercise as ex
from monitoring.exercise_models import Exercise, ExerciseState
from monitoring.models import Zone
from tests.monitoring.conftest import make_zone

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.monitoring.board_urls")]

SERIES = "time,count\n" + "".join(f"{60 * i},{200 + 150 * i}\n" for i in range(8))


@pytest.fixture(autouse=True)
def dispatcher():
    ex.connect()


@pytest.fixture
def zone(city, users):
    return make_zone(city, users, area="200", kind="moving", organisation=city.organisation)


def _csv(text: str = SERIES, name: str = "rise.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), "inline script"
    assert " style=" not in html, "inline style"


def test_the_owner_uploads_a_series_chooses_zone_participants_speed_and_sees_the_exercise(client, users, zone):
    client.force_login(users.township_officer)
    page = client.get("/monitoring/exercises/new/")
    html = page.content.decode()
    assert page.status_code == 200 and zone.name in html and "×60" in html
    assert users.grid_worker.display_name in html  # a person of the territory
    assert users.outsider.display_name not in html
    _no_inline_code(html)
    response = client.post(
        "/monitoring/exercises/new/",
        {
            "title": "东大街拥挤演练",
            "zone": zone.pk,
            "series_file": _csv(),
            "speed": 30,
            "participants": [users.grid_worker.pk, users.township_officer.pk],
        },
    )
    exercise = Exercise.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/monitoring/exercises/{exercise.pk}/"
    assert exercise.original == zone and exercise.speed == 30 and exercise.series_name == "rise.csv"
    assert exercise.zone.exercise and len(exercise.series) == 8
    assert set(exercise.participants.all()) == {users.grid_worker, users.township_officer}
    detail = client.get(response["Location"]).content.decode()
    assert "东大街拥挤演练" in detail and "演练" in detail and "待开始" in detail
    assert "参演人员" in detail and "参演人数" not in detail  # the people, not a number
    assert "prepared" not in re.sub(r"<[^>]+>", "", detail)  # no internal state code in the text
    _no_inline_code(detail)
    listed = client.get("/monitoring/exercises/").content.decode()
    assert "东大街拥挤演练" in listed


def test_a_shipped_sample_can_be_chosen_instead_of_an_upload(client, users, zone):
    client.force_login(users.township_officer)
    response = client.post(
        "/monitoring/exercises/new/",
        {"zone": zone.pk, "sample": "boundary_hover.csv", "speed": 60, "participants": [users.township_officer.pk]},
    )
    assert response.status_code == 302
    assert Exercise.objects.get().series_name == "boundary_hover.csv"


@pytest.mark.parametrize(
    "data, file, message",
    [
        ({}, _csv("time,count\n0,5\n60,-1\n"), "第3行：人数为负数"),
        ({}, _csv("time,count\n0,5\n"), None),
        ({}, SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad", content_type="text/csv"), None),
        ({"speed": 120}, _csv(), None),
        ({"participants": []}, _csv(), None),
        ({}, None, None),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_made(client, users, zone, data, file, message):
    client.force_login(users.township_officer)
    post = {"zone": zone.pk, "speed": 10, "participants": [users.township_officer.pk], **data}
    if file is not None:
        file.seek(0)
        post["series_file"] = file
    response = client.post("/monitoring/exercises/new/", post)
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html or "form-errors" in html
    if message:
        assert message in html
    assert not Exercise.objects.exists() and not Zone.objects.filter(exercise=True).exists()


def test_the_replay_shows_its_progress_its_exercise_alerts_and_is_recorded_as_a_drill(
    client, users, zone, city, alerted
):
    plan = drill_services.plan_create(
        actor=None,
        title="东大街大客流专项预案",
        kind=PlanKind.SPECIAL,
        owner_kind=OwnerKind.DEPARTMENT,
        owner=alerted.township_office,
        scope_kind=ScopeKind.GATHERING_KIND,
        gathering_kind="festival",
        territory=city.street,
    )
    client.force_login(users.township_officer)
    client.post(
        "/monitoring/exercises/new/",
        {"zone": zone.pk, "series_file": _csv(), "speed": 60, "participants": [users.township_officer.pk]},
    )
    exercise = Exercise.objects.get()
    assert client.post(f"/monitoring/exercises/{exercise.pk}/start/").status_code == 302
    exercise.refresh_from_db()
    assert exercise.state == ExerciseState.RUNNING
    # A second tap is refused with a message, nothing changes.
    again = client.post(f"/monitoring/exercises/{exercise.pk}/start/", follow=True).content.decode()
    assert "已经开始" in again or "already" in again
    running = client.get(f"/monitoring/exercises/{exercise.pk}/").content.decode()
    assert f'hx-get="/monitoring/exercises/{exercise.pk}/progress/"' in running  # polled while replaying
    # The worker's steps, the replay over (7 minutes at ×60 = 7 s).
    start = timezone.now() - dt.timedelta(seconds=10)
    Exercise.objects.filter(pk=exercise.pk).update(started_at=start)
    ex.exercise_step(exercise_id=exercise.pk, now=start + dt.timedelta(seconds=10))
    progress = client.get(f"/monitoring/exercises/{exercise.pk}/progress/").content.decode()
    assert "8" in progress and "回放结束" in progress and "hx-get" not in progress
    assert "data-alert-row" in progress and "红" in progress  # 1,250 in 200 m² moving: red, marked 演练
    assert "演练" in progress
    response = client.post(
        f"/monitoring/exercises/{exercise.pk}/record/",
        {"plan": plan.pk, "narrative": "分流用时过长", "problems": "广播不到巷尾"},
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.drill is not None and exercise.drill.plan == plan and "分流用时过长" in exercise.drill.narrative
    detail = client.get(f"/monitoring/exercises/{exercise.pk}/").content.decode()
    assert f"/drills/{exercise.drill_id}/" in detail or str(exercise.drill_id) in detail


def test_partner_and_outsider(client, users, zone):
    exercise = ex.exercise_create(
        zone=zone,
        series=[[0, 10], [60, 20]],
        series_name="s.csv",
        speed=10,
        participants=[users.township_officer],
        actor=users.township_officer,
    )
    # The outsider: sees no exercise, 404 on its pages and actions, may not create one.
    client.force_login(users.outsider)
    assert exercise.title not in client.get("/monitoring/exercises/").content.decode()
    for url in (f"/monitoring/exercises/{exercise.pk}/", f"/monitoring/exercises/{exercise.pk}/progress/"):
        assert client.get(url).status_code == 404
    for action in ("start", "cancel", "record"):
        assert client.post(f"/monitoring/exercises/{exercise.pk}/{action}/").status_code == 404
    assert client.get("/monitoring/exercises/new/").status_code == 403
    # The partner (the zone's organizer) does not run exercises on the zone and does not see this one.
    client.force_login(users.organizer)
    assert client.get("/monitoring/exercises/new/").status_code == 403
    assert client.get(f"/monitoring/exercises/{exercise.pk}/").status_code == 404
    # A participant outside the managers sees it but may not start it.
    client.force_login(users.grid_worker)
    exercise.participants.add(users.grid_worker)
    page = client.get(f"/monitoring/exercises/{exercise.pk}/").content.decode()
    assert exercise.title in page and "/start/" not in page
    assert client.post(f"/monitoring/exercises/{exercise.pk}/start/").status_code == 403
    exercise.refresh_from_db()
    assert exercise.state == ExerciseState.PREPARED
