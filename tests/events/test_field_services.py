"""Measures and headcounts from the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError, PermissionDeniedError
from events import services
from events.choices import GatheringStatus, MeasureKind
from tests.events.conftest import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_way(users, places):
    gathering = report(
        users.grid_worker,
        venue=places.square,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        estimated_attendance_min=800,
        estimated_attendance_max=1000,
    )
    services.gathering_verify(gathering=gathering, actor=users.township_officer)
    gathering.refresh_from_db()
    return gathering


def test_the_first_measure_starts_monitoring_and_records_who_and_when(under_way, users):
    applied_at = timezone.now() - dt.timedelta(minutes=10)
    measure = services.measure_record(
        gathering=under_way,
        actor=users.staff,
        kind=MeasureKind.UPSTREAM_HOLDING,
        applied_at=applied_at,
        applied_by_unit="文峰分局巡特警大队",
        description="文峰大道口分批放行",
    )
    under_way.refresh_from_db()
    assert under_way.status == GatheringStatus.MONITORING
    assert (measure.applied_by, measure.applied_at, measure.applied_by_unit) == (
        users.staff,
        applied_at,
        "文峰分局巡特警大队",
    )
    assert ActionLog.objects.filter(subject_id=under_way.pk, verb="monitoring_started").exists()
    services.measure_update(measure=measure, actor=users.staff, effect="广场内人数下降", ended_at=timezone.now())
    measure.refresh_from_db()
    assert measure.effect == "广场内人数下降" and measure.ended_at
    with pytest.raises(DomainError):
        services.measure_update(measure=measure, actor=users.staff, ended_at=timezone.now())


def test_every_measure_kind_of_the_notices(under_way, users):
    for kind in MeasureKind:
        services.measure_record(gathering=under_way, actor=users.township_officer, kind=kind)
    assert under_way.measures.count() == len(MeasureKind)


def test_a_measure_in_the_future_or_of_an_unknown_kind_is_refused(under_way, users):
    with pytest.raises(DomainError) as exc:
        services.measure_record(
            gathering=under_way, actor=users.staff, kind="diversion", applied_at=timezone.now() + dt.timedelta(hours=1)
        )
    assert exc.value.field == "applied_at"
    with pytest.raises(DomainError):
        services.measure_record(gathering=under_way, actor=users.staff, kind="teargas")
    assert not under_way.measures.exists()


def test_headcounts_keep_the_latest_and_escalate_past_the_capacity(under_way, users):
    now = timezone.now()
    services.headcount_record(
        gathering=under_way, actor=users.grid_worker, count=1200, observed_at=now - dt.timedelta(minutes=30)
    )
    services.headcount_record(
        gathering=under_way, actor=users.grid_worker, count=2600, observed_at=now - dt.timedelta(minutes=5)
    )
    services.headcount_record(
        gathering=under_way, actor=users.grid_worker, count=900, observed_at=now - dt.timedelta(minutes=50)
    )
    under_way.refresh_from_db()
    assert under_way.latest_headcount == 2600  # the latest observation, not the latest sent
    assert under_way.risk_level == "red"
    assert "The latest headcount (2,600) is above the estimate (1,000) and is used instead." in [
        r for r in __import__("events.triage", fromlist=["display_reasons"]).display_reasons(under_way)
    ]
    assert under_way.headcounts.count() == 3


def test_outsiders_and_closed_gatherings_take_no_field_records(under_way, users):
    with pytest.raises(PermissionDeniedError):
        services.headcount_record(gathering=under_way, actor=users.outsider, count=10)
    services.gathering_end(gathering=under_way, actor=users.grid_worker)
    with pytest.raises(DomainError) as exc:
        services.headcount_record(gathering=under_way, actor=users.grid_worker, count=10)
    assert exc.value.code == "invalid_state"


def test_the_venue_operator_records_at_their_venue(under_way, places):
    services.headcount_record(gathering=under_way, actor=places.operator_user, count=700)
    assert under_way.headcounts.get().reported_by == places.operator_user
