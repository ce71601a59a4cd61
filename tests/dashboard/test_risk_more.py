"""Risk now, the rest of issue 17 point 2: open monitoring alerts, drill compliance, large events in the next 30
days with their permit state and open conditions, key dates coming up; the menu and the leader's home link to the
dashboard; the level table labels every cell with its level (cards at 390 px)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.selectors.risk import risk_now
from drills.compliance import drill_compliance
from events.models import KeyDate, KeyDateOccurrence
from monitoring.models import MonitoringAlert, Zone
from permits.models import PermitApplication, PermitCondition

pytestmark = pytest.mark.django_db


def _alert(city, *, level="red", state="raised", place=None):
    place = place or city.grid
    zone = Zone.objects.create(
        name=f"广场{level}{state}", jurisdiction=place, jurisdiction_path=place.path, kind="standing", area_m2=100
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


def _application(city, name, *, days, state="approved", place=None):
    place = place or city.grid
    start = timezone.now() + dt.timedelta(days=days)
    return PermitApplication.objects.create(
        organisation=city.organisation,
        event_name=name,
        state=state,
        jurisdiction=place,
        jurisdiction_path=place.path,
        expected_attendance=5000,
        first_session_start=start,
        last_session_end=start + dt.timedelta(hours=3),
    )


@pytest.fixture
def scene(city):
    today = timezone.localdate()
    red = _alert(city)
    _alert(city, level="orange", state="acknowledged")
    _alert(city, level="red", state="closed")  # over: not shown
    _alert(city, place=city.mhk_town)  # another city
    concert = _application(city, "洹河之夜音乐会", days=10)
    PermitCondition.objects.create(application=concert, text="增设两处医疗点", status="open")
    PermitCondition.objects.create(application=concert, text="安检门八台", status="reported")
    PermitCondition.objects.create(application=concert, text="消防通道", status="verified")
    _application(city, "远期展会", days=45)  # beyond 30 days
    _application(city, "撤回的活动", days=5, state="withdrawn")
    _application(city, "梅河口灯会", days=5, place=city.mhk_town)
    fair = KeyDate.objects.create(name="测试庙会", rule="explicit", lead_days=7)
    KeyDateOccurrence.objects.create(
        key_date=fair, starts_on=today + dt.timedelta(days=12), ends_on=today + dt.timedelta(days=14)
    )
    late = KeyDate.objects.create(name="远期庙会", rule="explicit", lead_days=7)
    KeyDateOccurrence.objects.create(
        key_date=late, starts_on=today + dt.timedelta(days=40), ends_on=today + dt.timedelta(days=41)
    )
    return red, concert


def test_alerts_events_drills_and_key_dates(city, users, client, scene):
    red, _concert = scene
    today = timezone.localdate()
    now = risk_now(user=users.admin, root=city.anyang, today=today)
    assert now.alert_counts == {"total": 2, "red": 1, "orange": 1}
    assert red in now.alerts
    assert [a.event_name for a in now.large_events] == ["洹河之夜音乐会"]
    assert now.large_events[0].open_conditions == 2
    names = [k.name for k in now.key_dates]
    assert "测试庙会" in names and "远期庙会" not in names
    fair = next(k for k in now.key_dates if k.name == "测试庙会")
    assert fair.days_away == 12
    assert now.drills == drill_compliance(user=users.admin, today=today, territory=city.anyang).totals

    client.force_login(users.admin)
    html = client.get(reverse("dashboard:risk")).content.decode()
    assert 'data-figure="monitoring-alerts">2<' in html
    assert "洹河之夜音乐会" in html and "远期展会" not in html and "梅河口灯会" not in html
    assert 'data-figure="open-conditions">2<' in html
    assert "测试庙会" in html
    assert ">Approved<" in html and ">Raised<" in html  # labels, not internal codes
    assert ">approved<" not in html and ">raised<" not in html

    client.force_login(users.leader)  # 文峰区 leader: only their district
    html = client.get(reverse("dashboard:risk")).content.decode()
    assert "洹河之夜音乐会" in html
    assert client.get(reverse("dashboard:risk"), {"root": city.mhk_town.code}).status_code == 404
    client.force_login(users.outsider)
    assert client.get(reverse("dashboard:risk")).status_code == 404


def test_level_table_labels_each_cell_with_its_level(city, users, client):
    client.force_login(users.admin)
    html = client.get(reverse("dashboard:risk")).content.decode()
    for label in ("Major risk", "Significant risk", "General risk", "Low risk"):
        assert f'data-label="{label}"' in html
    assert 'data-label="1"' not in html


def test_menu_and_home_link_to_the_dashboard(users, client):
    client.force_login(users.leader)
    home = client.get("/").content.decode()
    assert 'data-panel="dashboard_links"' in home or "dashboard_links" in home
    assert reverse("dashboard:matrix") in home and reverse("dashboard:risk") in home
    client.force_login(users.outsider)
    home = client.get("/").content.decode()
    assert reverse("dashboard:risk") not in home
