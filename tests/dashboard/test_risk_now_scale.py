"""Risk now in a fixed, small number of statements (issue 17 point 8: ≤ 2× a hand-written SQL floor at a million
tasks and gatherings): the venues', hazards', incidents' and alerts' counts in one statement with drill
compliance's counts, each still read through its own app's scoped selector; the overdue drill tasks counted, not
read one by one. The figures are those each selector gives alone (the plain reading, as risk now read them
before)."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.selectors import risk as risk_module
from dashboard.selectors.risk import risk_now
from drills.compliance import drill_compliance
from monitoring.choices import OPEN_ALERT_STATES
from monitoring.models import MonitoringAlert, Zone
from monitoring.selectors import alert_list
from permits.models import PermitCondition
from response.choices import IncidentStatus
from response.models import Incident, IncidentLevel, ResponseTier
from response.selectors import incident_list
from risk.choices import OPEN_HAZARD_STATES, HazardLevel
from risk.selectors import hazard_visible, register_visible
from tests.dashboard.test_risk_more import _application

pytestmark = pytest.mark.django_db
_zones = itertools.count(1)


def _alert(city, *, level="red", state="raised", place=None):
    place = place or city.grid
    zone = Zone.objects.create(
        name=f"区域{next(_zones)}", jurisdiction=place, jurisdiction_path=place.path, kind="standing", area_m2=100
    )
    return MonitoringAlert.objects.create(
        zone=zone,
        kind="level",
        level=level,
        state=state,
        jurisdiction=place,
        jurisdiction_path=place.path,
        raised_at=timezone.now(),
    )


def _incident(city, users, number, *, place, status="open"):
    return Incident.objects.create(
        number=number,
        title=f"险情{number}",
        source="manual",
        status=status,
        level=IncidentLevel.objects.order_by("pk").first(),
        jurisdiction=place,
        jurisdiction_path=place.path,
        command_jurisdiction=place,
        command_path=place.path,
        tier=ResponseTier.objects.order_by("pk").first(),
        commander=users.township_officer,
    )


@pytest.fixture
def scene(city, users):
    _alert(city)
    _alert(city, level="red", state="acknowledged")
    _alert(city, level="orange", state="acknowledged")
    _alert(city, level="yellow")
    _alert(city, level="red", state="closed")  # over
    _alert(city, place=city.mhk_town)  # another city
    _incident(city, users, "SJ-1", place=city.street)
    _incident(city, users, "SJ-2", place=city.beiguan_street)
    _incident(city, users, "SJ-3", place=city.mhk_town)
    return city


def _plain(user, root, today):
    """Each figure read alone through its app's selector (risk now's reading before it was one statement)."""
    open_q = Q(state__in=OPEN_HAZARD_STATES)
    alerts = alert_list(user=user).filter(
        jurisdiction_path__startswith=root.path, state__in=OPEN_ALERT_STATES, exercise=False
    )
    return {
        "venues": register_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path, subject_type="venue")
        .aggregate(red=Count("pk", filter=Q(level="red")), orange=Count("pk", filter=Q(level="orange"))),
        "hazards": hazard_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path)
        .aggregate(
            major=Count("pk", filter=open_q & Q(level=HazardLevel.MAJOR)),
            overdue=Count("pk", filter=open_q & Q(rectification_deadline__lt=today)),
        ),
        "incidents": incident_list(user=user)
        .filter(status=IncidentStatus.OPEN, jurisdiction__path__startswith=root.path)
        .count(),
        "alerts": alerts.aggregate(
            total=Count("pk"), red=Count("pk", filter=Q(level="red")), orange=Count("pk", filter=Q(level="orange"))
        ),
    }


@pytest.mark.parametrize("who, root", [("admin", "anyang"), ("admin", "beiguan"), ("leader", "wenfeng")])
def test_the_counts_are_those_each_selector_gives_alone(scene, users, who, root):
    user, root = getattr(users, who), getattr(scene, root)
    today = timezone.localdate()
    now = risk_now(user=user, root=root, today=today)
    plain = _plain(user, root, today)
    assert now.venues == plain["venues"] and now.hazards == plain["hazards"]
    assert now.open_incidents == plain["incidents"] and now.alert_counts == plain["alerts"]
    assert now.drills == drill_compliance(user=user, today=today, territory=root).totals
    if root == scene.anyang:
        assert now.alert_counts == {"total": 4, "red": 2, "orange": 1} and now.open_incidents == 2


def test_risk_now_takes_a_fixed_number_of_statements(scene, users):
    user, root, today = users.admin, scene.anyang, timezone.localdate()
    risk_now(user=user, root=root, today=today)  # the user's scope read once
    with CaptureQueriesContext(connection) as few:
        risk_now(user=user, root=root, today=today)
    tables = (
        "risk_subjectrisklevel",
        "risk_hazard",
        "response_incident",
        "monitoring_monitoringalert",
        "duties_task",  # the overdue drills: counted, not read
        "drills_afteractionitem",
    )
    counts = [q["sql"] for q in few.captured_queries if all(f'FROM "{table}"' in q["sql"] for table in tables)]
    assert len(counts) == 1 and counts[0].count("CROSS JOIN") == 5
    assert [q["sql"] for q in few.captured_queries if 'FROM "duties_task"' in q["sql"]] == counts
    for i in range(3):  # more of everything: no more statements
        _alert(scene, level="orange", place=scene.street2)
        _incident(scene, users, f"SJ-{10 + i}", place=scene.street2)
    with CaptureQueriesContext(connection) as more:
        risk_now(user=user, root=root, today=today)
    assert len(more.captured_queries) == len(few.captured_queries) <= 12


def test_large_events_count_their_open_conditions_without_grouping(city, users):
    concert = _application(city, "洹河之夜音乐会", days=10)
    PermitCondition.objects.create(application=concert, text="增设两处医疗点", status="open")
    PermitCondition.objects.create(application=concert, text="安检门八台", status="reported")
    PermitCondition.objects.create(application=concert, text="消防通道", status="verified")
    _application(city, "无条件的活动", days=3)
    with CaptureQueriesContext(connection) as queries:
        found = risk_module.large_events(user=users.admin, root=city.anyang, today=timezone.localdate())
    assert [(a.event_name, a.open_conditions) for a in found] == [("无条件的活动", 0), ("洹河之夜音乐会", 2)]
    assert found[1].venue is None  # joined, not read again
    (sql,) = [q["sql"] for q in queries.captured_queries if 'FROM "permits_permitapplication"' in q["sql"]]
    assert 'GROUP BY "permits_permitapplication"' not in sql  # counted in a subquery per application
    assert "org_organisation" not in sql and "org_department" not in sql  # only the venue is shown
