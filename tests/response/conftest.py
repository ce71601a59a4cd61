"""Fixtures of the response tests: the 东大街街道 people of the alerts tests, a fire brigade and a health
department, a square with its plan (red measures for the police, fire rescue and 120), and a zone of the square
with a red monitoring alert."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crowdsafe.org.choices import DepartmentKind, Role
from drills.services.plans import plan_create
from monitoring.models import MonitoringAlert, Zone
from tests.alerts.conftest import _english, alerted, person  # noqa: F401  (fixtures)
from tests.factories import DepartmentFactory

__all__ = ["person"]


@pytest.fixture
def response_city(city, users, alerted):  # noqa: F811  (the alerts tests' fixture)
    fire = DepartmentFactory(name="文峰区消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.wenfeng)
    health = DepartmentFactory(name="文峰区卫生健康委员会", kind=DepartmentKind.HEALTH, jurisdiction=city.wenfeng)
    alerted.fire = fire
    alerted.health = health
    alerted.fire_duty = person("r_fire_duty", Role.STAFF, department=fire).user
    alerted.fire_duty.memberships.update(on_duty=True)
    alerted.health_staff = person("r_health", Role.STAFF, department=health).user
    alerted.county_emergency_head = person("r_em_head", Role.HEAD, department=alerted.emergency).user
    alerted.county_emergency_head.memberships.update(on_duty=True)
    alerted.plan = plan_create(
        actor=None,
        title="文峰塔广场大客流现场处置方案",
        kind="on_site",
        owner_kind="venue_operator",
        owner=alerted.operator,
        scope_kind="venue",
        venue=alerted.square,
        measures=[
            {
                "alert_level": "red",
                "kind": "upstream_holding",
                "action": "在解放路口远端控制，暂停人员进入",
                "responsible": "文峰分局",
            },
            {"alert_level": "red", "kind": "other", "action": "消防车前置备勤", "responsible": "消防救援大队"},
            {"alert_level": "red", "kind": "medical_point", "action": "设置120医疗点", "responsible": "120急救"},
            {"alert_level": "orange", "kind": "flow_limiting", "action": "分流限流", "responsible": "公安"},
        ],
    )
    zone = Zone.objects.create(
        name="广场主区",
        jurisdiction=city.grid,
        jurisdiction_path=city.grid.path,
        kind="standing",
        area_m2=1250,
        venue_zone=alerted.square.zones.first(),
    )
    alerted.zone = zone
    alerted.monitoring_alert = MonitoringAlert.objects.create(
        zone=zone,
        kind="level",
        level="red",
        jurisdiction=city.grid,
        jurisdiction_path=city.grid.path,
        raised_at=timezone.now(),
        reason="密度 5.2 人/㎡，超过红色阈值",
    )
    return alerted
