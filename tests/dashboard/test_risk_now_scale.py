"""Risk now in a fixed, small number of statements (issue 17 point 8: ≤ 2× a hand-written SQL floor at a million
tasks and gatherings): the venues', hazards', incidents' and alerts' counts in one statement with drill
compliance's counts, each still read through its own app's scoped selector; the overdue drill tasks counted, not
read one by one. The figures are those each selector gives alone (the plain reading, as risk now read them
before)."""

from __future__ import annotations

import datetime as dt
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
        "events_gathering",  # by child and level (rows_of)
        "drills_emergencyplan",  # the plans' interval and last drill (rows_of)
        "risk_subjectrisklevel",
        "risk_hazard",
        "response_incident",
        "monitoring_monitoringalert",
        "duties_task",  # the overdue drills: counted, not read
        "drills_afteractionitem",
        "events_keydate",  # the key dates and their entered dates (rows_of)
        "permits_permitapplication",  # the large events listed (rows_of)
        "org_jurisdiction",  # the children, for the level table's rows (rows_of)
    )
    counts = [q["sql"] for q in few.captured_queries if all(f'FROM "{table}"' in q["sql"] for table in tables)]
    assert len(counts) == 1 and counts[0].count("CROSS JOIN") == 11
    assert [q["sql"] for q in few.captured_queries if 'FROM "duties_task"' in q["sql"]] == counts
    assert '"duties_task"."rule_id" IN (SELECT' in counts[0]  # the drill rules' ids not read first
    # The figures, lists and children; the alerts listed.
    assert len(few.captured_queries) == 2
    for i in range(3):  # more of everything: no more statements
        _alert(scene, level="orange", place=scene.street2)
        _incident(scene, users, f"SJ-{10 + i}", place=scene.street2)
    with CaptureQueriesContext(connection) as more:
        risk_now(user=user, root=root, today=today)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_no_alert_is_listed_without_reading_them_when_none_is_open(city, users):
    _alert(city, level="red", state="closed")  # over
    risk_now(user=users.admin, root=city.anyang, today=timezone.localdate())
    with CaptureQueriesContext(connection) as queries:
        now = risk_now(user=users.admin, root=city.anyang, today=timezone.localdate())
    assert now.alerts == [] and now.alert_counts == {"total": 0, "red": 0, "orange": 0}
    assert len(queries.captured_queries) == 1  # the figures, lists and children
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "monitoring_monitoringalert"')]
    red = _alert(city, level="red")
    assert risk_now(user=users.admin, root=city.anyang, today=timezone.localdate()).alerts == [red]


def test_large_events_count_their_open_conditions_without_grouping(city, users):
    concert = _application(city, "洹河之夜音乐会", days=10)
    PermitCondition.objects.create(application=concert, text="增设两处医疗点", status="open")
    PermitCondition.objects.create(application=concert, text="安检门八台", status="reported")
    PermitCondition.objects.create(application=concert, text="消防通道", status="verified")
    _application(city, "无条件的活动", days=3)
    with CaptureQueriesContext(connection) as queries:
        found = risk_module.large_events(user=users.admin, root=city.anyang, today=timezone.localdate())
    assert [(a.event_name, a.open_conditions) for a in found] == [("无条件的活动", 0), ("洹河之夜音乐会", 2)]
    assert found[1].venue_name is None  # joined, not read again
    (sql,) = [q["sql"] for q in queries.captured_queries if 'FROM "permits_permitapplication"' in q["sql"]]
    assert 'GROUP BY "permits_permitapplication"' not in sql  # counted in a subquery per application
    assert "org_organisation" not in sql and "org_department" not in sql  # only the venue is shown


def _plain_key_dates(today, root):
    """The key dates ahead as risk now read them before (the KeyDate objects and their prefetched dates)."""
    from events.occasions import next_occurrence
    from events.selectors import key_date_list

    found = []
    for key_date in key_date_list().filter(is_active=True):
        place = key_date.jurisdiction
        if place is not None and not (place.path.startswith(root.path) or root.path.startswith(place.path)):
            continue
        occurrence = next_occurrence(key_date, today)
        if occurrence is not None and occurrence.starts_on <= today + dt.timedelta(days=risk_module.AHEAD_DAYS):
            found.append((key_date.name, occurrence.starts_on, occurrence.ends_on, (occurrence.starts_on - today).days))
    return sorted(found, key=lambda k: (k[1], k[0]))


def test_the_key_dates_read_with_the_figures_are_those_of_the_key_date_objects(city, users):
    from events.models import KeyDate, KeyDateOccurrence

    today = timezone.localdate()
    KeyDate.objects.create(name="测试元旦", rule="holiday", festival="new_years_day", span_days=3, lead_days=7)
    KeyDate.objects.create(name="测试固定", rule="fixed", month=today.month, day=min(today.day, 28), lead_days=7)
    KeyDate.objects.create(name="测试中秋", rule="holiday", festival="mid_autumn_festival", offset_days=-1)
    KeyDate.objects.create(name="停用", rule="fixed", month=today.month, day=min(today.day, 28), is_active=False)
    fair = KeyDate.objects.create(name="测试庙会", rule="explicit", lead_days=7, jurisdiction=city.street)
    other = KeyDate.objects.create(name="外市庙会", rule="explicit", lead_days=7, jurisdiction=city.mhk_town)
    for key_date, days in ((fair, -3), (fair, 5), (fair, 20), (other, 6)):
        KeyDateOccurrence.objects.create(
            key_date=key_date, starts_on=today + dt.timedelta(days=days), ends_on=today + dt.timedelta(days=days + 1)
        )
    for day in (today, today + dt.timedelta(days=11), dt.date(today.year, 12, 15), dt.date(today.year, 9, 1)):
        for root in (city.anyang, city.street, city.beiguan):
            found = risk_module.key_dates_ahead(today=day, root=root)
            assert [(k.name, k.starts_on, k.ends_on, k.days_away) for k in found] == _plain_key_dates(day, root)
    names = {k.name for k in risk_now(user=users.admin, root=city.anyang, today=today).key_dates}
    assert "测试庙会" in names and "外市庙会" not in names and "停用" not in names


def test_the_gatherings_of_a_leaders_own_territory_are_counted_without_the_scopes_or(city, users):
    from events.choices import TERMINAL_STATUSES
    from events.models import Gathering
    from events.selectors import gathering_visible
    from tests.events.conftest import report

    first, *_others = [report(users.grid_worker, grid=city.grid) for _ in range(3)]
    Gathering.objects.filter(pk=first.pk).update(risk_level="red")
    today = timezone.localdate()
    cases = [("leader", "wenfeng"), ("leader", "street"), ("township_officer", "wenfeng"), ("admin", "anyang")]
    cases += [("grid_worker", "street"), ("township_officer", "street")]
    for who, root in cases:
        user, place = getattr(users, who), getattr(city, root)
        plain = dict(
            gathering_visible(user=user)
            .filter(jurisdiction_path__startswith=place.path)
            .exclude(status__in=[s.value for s in TERMINAL_STATUSES])
            .order_by()
            .values_list("risk_level")
            .annotate(n=Count("pk"))
        )
        now = risk_now(user=user, root=place, today=today)
        assert {k: v for k, v in now.gathering_totals.items() if v} == plain, (who, root)
        for row in now.rows:  # counted by place, added up by child: each child's row is its subtree's count
            by_child = (
                gathering_visible(user=user)
                .filter(jurisdiction_path__startswith=row.jurisdiction.path)
                .exclude(status__in=[s.value for s in TERMINAL_STATUSES])
                .order_by()
                .values_list("risk_level")
                .annotate(n=Count("pk"))
            )
            assert {k: v for k, v in row.counts.items() if v} == dict(by_child), (who, root, row.label)
    with CaptureQueriesContext(connection) as queries:
        risk_now(user=users.leader, root=city.wenfeng, today=today)
    (figures,) = [q["sql"] for q in queries.captured_queries if '"events_gathering"' in q["sql"]]
    assert '"events_gathering"."reported_by_id"' not in figures  # the leader's own district: no OR of the scope
    assert "CASE WHEN" not in figures  # by place, not by a CASE of one LIKE per child
