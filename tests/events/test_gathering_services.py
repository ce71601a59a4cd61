"""Logging a gathering (idempotent), its changes and its life, through the services."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.models import Task
from events import services
from events.choices import DecisionKind, GatheringKind, GatheringSource, GatheringStatus, MeasureKind
from events.models import Gathering, GatheringDecision, Measure
from tests.events.conftest import a_working_afternoon, photo_file, report

pytestmark = pytest.mark.django_db


def tasks_of(gathering, **filters):
    return Task.objects.filter(subject_type="gathering", subject_id=gathering.pk, **filters)


def keys_of(gathering, **filters):
    return sorted(tasks_of(gathering, **filters).values_list("rule__key", flat=True))


# --- logging --------------------------------------------------------------------------------------------


def test_a_grid_worker_logs_a_gathering_at_a_free_location(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    assert gathering.status == GatheringStatus.REPORTED
    assert gathering.jurisdiction_path == city.grid.path
    assert gathering.title == "解放路与东大街路口 · Celebration or entertainment"
    assert gathering.reported_by == users.grid_worker
    assert gathering.risk_level == "blue" and gathering.risk_source == "triage"
    assert ActionLog.objects.filter(subject_id=gathering.pk, verb="created").exists()


def test_the_same_form_key_makes_one_record(city, users):
    key = uuid.uuid4()
    values = {
        "kind": GatheringKind.MALL_PROMOTION,
        "grid": city.grid,
        "location_name": "万达广场门前",
        "starts_at": a_working_afternoon(),
        "estimated_attendance_min": 100,
        "estimated_attendance_max": 200,
        "source": GatheringSource.GRID_PATROL,
    }
    first, created = services.gathering_report(actor=users.grid_worker, idempotency_key=key, **values)
    again, created_again = services.gathering_report(actor=users.grid_worker, idempotency_key=str(key), **values)
    assert created and not created_again
    assert again.pk == first.pk
    assert Gathering.objects.count() == 1


def test_someone_else_cannot_reuse_a_form_key(city, users):
    key = uuid.uuid4()
    report_values = {
        "kind": GatheringKind.OTHER,
        "grid": city.grid,
        "location_name": "路口",
        "starts_at": a_working_afternoon(),
        "estimated_attendance_max": 20,
        "source": GatheringSource.GRID_PATROL,
    }
    services.gathering_report(actor=users.grid_worker, idempotency_key=key, **report_values)
    with pytest.raises(DomainError) as exc:
        services.gathering_report(actor=users.township_officer, idempotency_key=key, **report_values)
    assert exc.value.field == "idempotency_key"


def test_a_venue_gathering_takes_the_venues_grid(city, users, places):
    gathering = report(users.grid_worker, venue=places.square)
    assert gathering.grid == city.grid
    assert gathering.title == "文峰塔广场 · Celebration or entertainment"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"location_name": ""}, "location_name"),
        ({"estimated_attendance_min": 500, "estimated_attendance_max": 100}, "estimated_attendance_min"),
        ({"estimated_attendance_max": None}, "estimated_attendance_max"),
        ({"kind": "parade"}, "kind"),
        ({"source": "rumour"}, "source"),
        ({"latitude": "36.1"}, "longitude"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_is_written(city, users, overrides, field):
    with pytest.raises(DomainError) as exc:
        report(users.grid_worker, grid=city.grid, **overrides)
    assert exc.value.field == field
    assert not Gathering.objects.exists()


def test_the_end_cannot_be_before_the_start(city, users):
    start = a_working_afternoon()
    with pytest.raises(DomainError) as exc:
        report(users.grid_worker, grid=city.grid, starts_at=start, ends_at=start - dt.timedelta(hours=1))
    assert exc.value.field == "ends_at"


def test_a_township_or_district_is_not_a_place(city, users):
    with pytest.raises(DomainError) as exc:
        report(users.township_officer, grid=city.street)
    assert exc.value.field == "grid"


def test_nobody_logs_outside_their_territory(city, users, places):
    with pytest.raises(PermissionDeniedError):
        report(users.grid_worker, grid=places.grid2)
    with pytest.raises(PermissionDeniedError):
        report(users.outsider, grid=city.grid)
    assert not Gathering.objects.exists()


def test_police_staff_log_in_their_department_territory(city, users, places):
    gathering = report(users.staff, grid=places.grid2, source=GatheringSource.HOTLINE, source_reference="110-0427")
    assert gathering.source == "hotline"


def test_photos_are_kept_and_limited(city, users):
    gathering = report(users.grid_worker, grid=city.grid, photos=[photo_file(), photo_file("b.png", fmt="PNG")])
    assert gathering.photos.count() == 2
    with pytest.raises(DomainError) as exc:
        report(users.grid_worker, grid=city.grid, photos=[photo_file(f"{i}.jpg") for i in range(7)])
    assert exc.value.field == "photos"
    assert "At most 6 photos per gathering." in str(exc.value.message)


def test_a_file_that_is_not_a_photo_is_refused_with_a_clear_message(city, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("现场.jpg", b"%PDF-1.7 not an image", content_type="image/jpeg")
    with pytest.raises(DomainError) as exc:
        report(users.grid_worker, grid=city.grid, photos=[fake])
    assert str(exc.value.message) == "“现场.jpg” is not a valid JPG file: its content does not match its name."
    assert not Gathering.objects.exists()


def test_a_photo_over_5_mb_is_refused(city, users, monkeypatch):
    big = photo_file()
    big.size = 6 * 1024 * 1024
    with pytest.raises(DomainError) as exc:
        report(users.grid_worker, grid=city.grid, photos=[big])
    assert "at most 5 MB" in str(exc.value.message)


# --- assignment -----------------------------------------------------------------------------------------


def test_a_reported_gathering_asks_the_township_to_verify_it(city, users, places):
    gathering = report(users.grid_worker, grid=city.grid)
    task = tasks_of(gathering).get()
    assert task.rule.key == "events.territorial_verify"
    assert task.responsible_department == places.township_government


def test_verifying_gives_public_security_the_venue_operator_and_settles_the_verification(city, users, places):
    gathering = report(users.grid_worker, venue=places.square)
    services.gathering_verify(gathering=gathering, actor=users.township_officer)
    assert keys_of(gathering, status__in=["open"]) == ["events.public_order", "events.venue_operator"]
    assert keys_of(gathering, status="done") == ["events.territorial_verify"]
    police = tasks_of(gathering, rule__key="events.public_order").get()
    assert police.responsible_department == city.wenfeng_police
    operator = tasks_of(gathering, rule__key="events.venue_operator").get()
    assert operator.responsible_organisation == places.operator


def test_a_venue_kind_brings_its_departments(city, users):
    from crowdsafe.org.choices import DepartmentKind
    from tests.factories import DepartmentFactory
    from venues.services import venue_create

    fire = DepartmentFactory(name="文峰区消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.wenfeng)
    mall = venue_create(actor=None, name="万达广场", kind="commercial", grid=city.grid)
    gathering = report(users.grid_worker, venue=mall, kind=GatheringKind.MALL_PROMOTION)
    services.gathering_verify(gathering=gathering, actor=users.township_officer)
    task = tasks_of(gathering, rule__key="events.industry_fire_rescue").get()
    assert task.responsible_department == fire


def test_grid_workers_do_not_verify(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    with pytest.raises(PermissionDeniedError):
        services.gathering_verify(gathering=gathering, actor=users.grid_worker)


def test_verifying_twice_is_refused(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    services.gathering_verify(gathering=gathering, actor=users.township_officer)
    with pytest.raises(DomainError) as exc:
        services.gathering_verify(gathering=gathering, actor=users.staff)
    assert exc.value.code == "invalid_state"


# --- risk level (contract events ↔ risk) ---------------------------------------------------------------


def test_set_risk_level_refuses_a_bad_level_or_source(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    with pytest.raises(DomainError) as exc:
        services.gathering_set_risk_level(
            gathering=gathering, level="purple", reasons=["x"], source="override", actor=users.staff
        )
    assert exc.value.field == "level"
    with pytest.raises(DomainError):
        services.gathering_set_risk_level(
            gathering=gathering, level="red", reasons=["x"], source="guess", actor=users.staff
        )


def test_an_override_needs_a_reason_and_a_township_or_police_officer(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    with pytest.raises(DomainError) as exc:
        services.gathering_set_risk_level(
            gathering=gathering, level="orange", reasons=[], source="override", actor=users.township_officer
        )
    assert exc.value.field == "reason"
    with pytest.raises(PermissionDeniedError):
        services.gathering_set_risk_level(
            gathering=gathering, level="orange", reasons=["人多"], source="override", actor=users.grid_worker
        )


def test_an_override_to_orange_escalates_and_the_timeline_keeps_the_reason(city, users, places):
    gathering = report(users.grid_worker, grid=city.grid)
    updated = services.gathering_set_risk_level(
        gathering=gathering,
        level="orange",
        reasons=["网络热度高，预计人数可能翻倍"],
        source="override",
        actor=users.staff,
    )
    assert updated.risk_level == "orange" and updated.risk_source == "override"
    assert updated.risk_reasons == ["网络热度高，预计人数可能翻倍"]
    entry = ActionLog.objects.filter(subject_id=gathering.pk, verb="risk_level_set").latest("pk")
    assert (entry.from_state, entry.to_state, entry.reason) == ("blue", "orange", "网络热度高，预计人数可能翻倍")
    keys = keys_of(gathering, status="open")
    assert "events.on_duty_police" in keys and "events.territorial_control" in keys
    on_duty = tasks_of(gathering, rule__key="events.on_duty_police").get()
    assert on_duty.due_date == timezone.localdate()
    assert on_duty.responsible_department == city.wenfeng_police


def test_lowering_the_level_cancels_the_escalation_tasks(city, users, places):
    gathering = report(users.grid_worker, grid=city.grid)
    services.gathering_set_risk_level(
        gathering=gathering, level="red", reasons=["a"], source="override", actor=users.staff
    )
    services.gathering_set_risk_level(
        gathering=gathering, level="yellow", reasons=["b"], source="override", actor=users.staff
    )
    # Orange's duties and the four that only red calls for (issue 14) are all called off.
    assert set(keys_of(gathering, status="cancelled")) == {
        "events.on_duty_police",
        "events.territorial_control",
        "events.red_emergency_readiness",
        "events.red_flow_control",
        "events.red_fire_standby",
        "events.red_territorial_command",
    }


def test_lowering_from_red_to_orange_cancels_only_the_red_duties(city, users, places):
    gathering = report(users.grid_worker, grid=city.grid)
    services.gathering_set_risk_level(
        gathering=gathering, level="red", reasons=["a"], source="override", actor=users.staff
    )
    services.gathering_set_risk_level(
        gathering=gathering, level="orange", reasons=["b"], source="override", actor=users.staff
    )
    assert set(keys_of(gathering, status="cancelled")) == {
        "events.red_emergency_readiness",
        "events.red_flow_control",
        "events.red_fire_standby",
        "events.red_territorial_command",
    }
    assert {"events.on_duty_police", "events.territorial_control"} <= set(keys_of(gathering, status="open"))


def test_an_assessment_sets_the_level_with_its_id(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    updated = services.gathering_set_risk_level(
        gathering=gathering,
        level="yellow",
        reasons=["评估结论：一般风险"],
        source="assessment",
        actor=users.staff,
        assessment_id=42,
    )
    assert (updated.risk_source, updated.risk_assessment_id) == ("assessment", 42)
    with pytest.raises(DomainError):
        services.gathering_set_risk_level(
            gathering=gathering, level="red", reasons=["x"], source="assessment", actor=None
        )


def test_a_later_triage_never_lowers_a_level_set_by_staff(city, users, places):
    gathering = report(users.grid_worker, venue=places.square, estimated_attendance_max=200)
    services.gathering_set_risk_level(
        gathering=gathering, level="orange", reasons=["人多"], source="override", actor=users.staff
    )
    services.gathering_update(gathering=gathering, actor=users.township_officer, data={"estimated_attendance_max": 300})
    gathering.refresh_from_db()
    assert (gathering.risk_level, gathering.risk_source) == ("orange", "override")
    services.gathering_update(
        gathering=gathering, actor=users.township_officer, data={"estimated_attendance_max": 3000}
    )
    gathering.refresh_from_db()
    assert (gathering.risk_level, gathering.risk_source) == ("red", "triage")


# --- life -----------------------------------------------------------------------------------------------


def test_ending_closes_its_tasks_and_lifts_the_measures(city, users, places):
    gathering = report(
        users.grid_worker,
        venue=places.square,
        estimated_attendance_max=2400,
        starts_at=timezone.now() - dt.timedelta(hours=1),
    )
    services.gathering_verify(gathering=gathering, actor=users.township_officer)
    services.measure_record(gathering=gathering, actor=users.staff, kind=MeasureKind.DIVERSION, description="东口分流")
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.MONITORING
    services.gathering_end(gathering=gathering, actor=users.grid_worker, note="人群已散去")
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.ENDED and gathering.ended_at
    assert not tasks_of(gathering, status__in=["open", "in_progress", "overdue"]).exists()
    assert tasks_of(gathering, status="done").count() >= 3
    assert Measure.objects.get(gathering=gathering).ended_at == gathering.ended_at


def test_a_decision_records_who_why_and_when(city, users, places):
    gathering = report(users.grid_worker, venue=places.square)
    decision = services.gathering_decide(
        gathering=gathering, actor=users.township_officer, kind=DecisionKind.SUSPEND, reason="人数逼近安全容量"
    )
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.SUSPENDED
    assert decision.decided_by == users.township_officer and decision.reason == "人数逼近安全容量"
    assert "东大街街道" in decision.decided_by_label
    assert Measure.objects.filter(gathering=gathering, kind=MeasureKind.SUSPENSION, ended_at__isnull=True).exists()
    services.gathering_decide(gathering=gathering, actor=users.staff, kind=DecisionKind.RESUME, reason="人群已疏导")
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.MONITORING
    assert not Measure.objects.filter(gathering=gathering, ended_at__isnull=True).exists()


def test_a_decision_needs_a_reason_and_a_legal_state(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    with pytest.raises(DomainError) as exc:
        services.gathering_decide(
            gathering=gathering, actor=users.township_officer, kind=DecisionKind.CANCEL, reason=" "
        )
    assert exc.value.field == "reason"
    with pytest.raises(DomainError) as exc:
        services.gathering_decide(
            gathering=gathering, actor=users.township_officer, kind=DecisionKind.RESUME, reason="x"
        )
    assert exc.value.code == "invalid_state"
    assert not GatheringDecision.objects.exists()


def test_cancelling_closes_the_tasks_as_cancelled(city, users, places):
    gathering = report(users.grid_worker, grid=city.grid)
    services.gathering_decide(
        gathering=gathering, actor=users.township_officer, kind=DecisionKind.CANCEL, reason="暴雨"
    )
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.CANCELLED
    assert keys_of(gathering, status="cancelled") == ["events.territorial_verify"]


def test_postponing_and_rescheduling_move_the_dates(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    services.gathering_decide(
        gathering=gathering, actor=users.township_officer, kind=DecisionKind.POSTPONE, reason="天气"
    )
    new_start = a_working_afternoon(days_ahead=10)
    with pytest.raises(DomainError):
        services.gathering_decide(
            gathering=gathering, actor=users.township_officer, kind=DecisionKind.RESCHEDULE, reason="改期"
        )
    services.gathering_decide(
        gathering=gathering,
        actor=users.township_officer,
        kind=DecisionKind.RESCHEDULE,
        reason="改期",
        new_starts_at=new_start,
    )
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.VERIFIED and gathering.starts_at == new_start


def test_merging_a_duplicate(city, users):
    first = report(users.grid_worker, grid=city.grid)
    second = report(users.township_officer, grid=city.grid)
    services.gathering_merge(gathering=second, into=first, actor=users.township_officer, reason="同一活动重复上报")
    second.refresh_from_db()
    assert second.status == GatheringStatus.MERGED and second.merged_into == first
    assert ActionLog.objects.filter(subject_id=first.pk, verb="duplicate_merged").exists()
    with pytest.raises(DomainError):
        services.gathering_merge(gathering=first, into=second, actor=users.township_officer)
    with pytest.raises(DomainError):
        services.gathering_merge(gathering=first, into=first, actor=users.township_officer)


def test_dismissing_a_false_report(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    with pytest.raises(DomainError):
        services.gathering_dismiss(gathering=gathering, actor=users.township_officer, reason="")
    services.gathering_dismiss(gathering=gathering, actor=users.township_officer, reason="现场无聚集")
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.DISMISSED
    with pytest.raises(DomainError):
        services.gathering_update(gathering=gathering, actor=users.township_officer, data={"title": "x"})


def test_the_reporter_edits_until_verified(city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    services.gathering_update(gathering=gathering, actor=users.grid_worker, data={"estimated_attendance_max": 150})
    services.gathering_verify(gathering=gathering, actor=users.township_officer)
    with pytest.raises(PermissionDeniedError):
        services.gathering_update(gathering=gathering, actor=users.grid_worker, data={"estimated_attendance_max": 180})
    services.gathering_update(gathering=gathering, actor=users.township_officer, data={"estimated_attendance_max": 180})
    entry = ActionLog.objects.filter(subject_id=gathering.pk, verb="updated").latest("pk")
    assert entry.data["changes"]["estimated_attendance_max"] == ["150", "180"]


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_form_at_the_same_moment_make_one_record(city, users):
    """The race the unique form key closes: both sends pass the lookup, one INSERT wins, the other returns it."""
    import threading

    from django.db import connection

    key = uuid.uuid4()
    values = {
        "kind": GatheringKind.CELEBRATION,
        "grid": city.grid,
        "location_name": "广场",
        "starts_at": a_working_afternoon(),
        "estimated_attendance_max": 80,
        "source": GatheringSource.GRID_PATROL,
    }
    barrier = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            barrier.wait(timeout=10)
            results.append(services.gathering_report(actor=users.grid_worker, idempotency_key=key, **values))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Gathering.objects.count() == 1
    assert sorted(created for _g, created in results) == [False, True]
    assert {g.pk for g, _c in results} == {Gathering.objects.get().pk}
