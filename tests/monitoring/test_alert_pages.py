"""Issue 15 point 4: the alert page (working, state buttons, the plan's measures as a checklist whose ticks are
recorded, "open an incident") and the alerts list, for the owner, a partner (the venue's operator) and an
outsider; the level bands in the admin (point 2), changed only by administrators and logged."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from crowdsafe.audit.models import ActionLog
from drills.services.plans import plan_create
from monitoring.models import Band, MeasureTick, MonitoringAlert
from monitoring.services import count_record, zone_create

pytestmark = pytest.mark.django_db


def page(user, lang="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


@pytest.fixture
def red_alert(city, users, alerted):
    plan_create(
        actor=None,
        title="文峰塔广场大客流现场处置方案",
        kind="on_site",
        owner_kind="venue_operator",
        owner=alerted.operator,
        scope_kind="venue",
        venue=alerted.square,
        measures=[
            {"alert_level": "red", "kind": "upstream_holding", "action": "解放路口远端控制", "responsible": "文峰分局"},
            {"alert_level": "orange", "kind": "flow_limiting", "action": "分流限流", "responsible": "公安"},
        ],
    )
    zone = zone_create(
        actor=users.township_officer,
        jurisdiction=city.grid,
        name="文峰塔广场主区",
        kind="standing",
        area_m2="200",
        venue_zone=alerted.square.zones.first(),
    )
    count_record(zone=zone, count=1000, actor=users.township_officer)  # 5 p/m²
    return MonitoringAlert.objects.get(zone=zone, kind="level")


def test_the_alert_page_shows_the_working_and_the_plan_and_its_buttons_work(users, alerted, red_alert):
    url = f"/monitoring/alerts/{red_alert.pk}/"
    officer = page(users.township_officer)
    shown = officer.get(url)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "data-count>1000<" in html and "5.00" in html  # people and density
    assert "解放路口远端控制" in html and "分流限流" in html  # red and orange measures
    text = re.sub(r"<[^>]+>", " ", html)
    for code in ("red", "orange", "raised", "acknowledged", "density", "utilisation", "upstream_holding"):
        assert not re.search(rf"\b{code}\b", text), code  # no internal codes on the page
    assert "80%" in text  # a share's band as a percentage
    assert "data-open-incident" in html and 'data-to="acknowledged"' in html
    # State: acknowledged, then a backward move is refused with a message and changes nothing.
    assert officer.post(url + "state/", {"to": "acknowledged"}).status_code == 302
    assert MonitoringAlert.objects.get(pk=red_alert.pk).state == "acknowledged"
    officer.post(url + "state/", {"to": "acknowledged"})
    assert MonitoringAlert.objects.get(pk=red_alert.pk).state == "acknowledged"
    # A tick records the measure once and moves the alert to "measures under way".
    from drills.models import PlanMeasure

    measure = PlanMeasure.objects.get(action="解放路口远端控制")
    partner = page(alerted.operator_user)
    assert partner.get(url).status_code == 200
    assert partner.post(url + "tick/", {"measure": measure.pk}).status_code == 302
    assert partner.post(url + "tick/", {"measure": "x"}).status_code == 404
    assert MeasureTick.objects.filter(alert=red_alert, plan_measure=measure).count() == 1
    assert MonitoringAlert.objects.get(pk=red_alert.pk).state == "measures"
    assert "data-ticked" in officer.get(url).content.decode()
    # An incident is opened through the response app, once.
    opened = officer.post(url + "incident/")
    assert opened.status_code == 302
    from response.models import Incident

    assert Incident.objects.filter(monitoring_alert=red_alert).count() == 1
    assert "data-incident" in officer.get(url).content.decode()


def test_outsiders_see_nothing_and_cannot_act(users, red_alert):
    url = f"/monitoring/alerts/{red_alert.pk}/"
    outsider = page(users.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url + "state/", {"to": "closed"}).status_code == 404
    assert outsider.post(url + "incident/").status_code == 404
    assert f"/monitoring/alerts/{red_alert.pk}/" not in outsider.get("/monitoring/alerts/").content.decode()
    listed = page(users.township_officer).get("/monitoring/alerts/?level=red")
    assert listed.status_code == 200 and f"/monitoring/alerts/{red_alert.pk}/" in listed.content.decode()
    assert page(users.township_officer).get("/monitoring/alerts/?level=nonsense").status_code == 200
    assert MonitoringAlert.objects.get(pk=red_alert.pk).state == "raised"


@pytest.fixture
def admin_client(users):
    from django.contrib.auth.models import Permission

    users.admin.is_staff = True
    users.admin.save(update_fields=["is_staff"])
    users.admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="monitoring"))
    return page(users.admin, "en")


def test_an_administrator_changes_a_band_with_its_source_and_it_is_logged(admin_client, users):
    band = Band.objects.get(measure="density", zone_kind="standing")
    url = f"/admin/monitoring/band/{band.pk}/change/"
    shown = admin_client.get(url)
    assert shown.status_code == 200 and band.source[:20] in shown.content.decode()
    refused = admin_client.post(url, {"yellow": "2.5", "orange": "5", "red": "4.7", "source": band.source})
    assert refused.status_code == 200
    assert Band.objects.get(pk=band.pk).orange == band.orange
    saved = admin_client.post(url, {"yellow": "2.5", "orange": "3.4", "red": "4.7", "source": "Green Guide 2018"})
    assert saved.status_code == 302, saved.content.decode()[-2000:]
    assert float(Band.objects.get(pk=band.pk).orange) == 3.4
    log = ActionLog.objects.get(verb="band_updated", subject_id=band.pk)
    assert log.actor == users.admin and "3.4" in log.to_state and log.reason == "Green Guide 2018"
    assert admin_client.get("/admin/monitoring/band/add/").status_code == 403
    assert admin_client.get("/admin/monitoring/zone/add/").status_code == 403


def test_only_administrators_change_bands(users):
    from crowdsafe.errors import PermissionDeniedError
    from monitoring.services import band_update

    band = Band.objects.get(measure="density", zone_kind="standing")
    with pytest.raises(PermissionDeniedError):
        band_update(band=band, actor=users.township_officer, yellow=None, orange=3, red=4, source="x")
