"""Issue 15 point 1: who watches a zone comes from the alert rules, with the reason shown — on the zone page — and
the venue operator / organizer of a venue or event zone is among them at orange and red."""

from __future__ import annotations

import pytest

from alerts.models import AlertRule
from monitoring import selectors
from tests.monitoring.conftest import make_zone

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.monitoring.board_urls")]


def test_the_zone_page_shows_who_is_alerted_and_why(client, city, users, alerted):
    zone = make_zone(city, users, area="200")
    rule = AlertRule.objects.get(key="monitoring.zone_level")
    client.force_login(users.township_officer)
    html = client.get(f"/monitoring/zones/{zone.pk}/").content.decode()
    assert 'id="mon-watchers"' in html and "谁会收到预警" in html
    assert str(rule.name) in html and str(rule.reason)[:20] in html
    assert alerted.on_duty.display_name in html and alerted.leader.display_name in html
    assert "monitoring.zone_level" not in html and "min_level" not in html  # no internal codes
    # The watchers are the selector's, the one path the alerts take.
    parties = {p["party"] for r in selectors.zone_watchers(zone) for p in r["parties"]}
    assert all(p in html for p in parties)


def _event_zone(city, users):
    """A permitted event's zone in 东大街街道's grid: the applicant (安阳文化演艺有限公司, an organizer) runs it."""
    import datetime as dt

    from django.utils import timezone

    from permits.models import PermitApplication

    start = timezone.now() + dt.timedelta(hours=1)
    application = PermitApplication.objects.create(
        organisation=city.organisation,
        event_name="洹河音乐节",
        state="approved",
        jurisdiction=city.grid,
        jurisdiction_path=city.grid.path,
        expected_attendance=5000,
        first_session_start=start,
        last_session_end=start + dt.timedelta(hours=3),
    )
    return make_zone(city, users, area="200", application=application)


def test_the_organizer_of_an_event_zone_receives_the_urgent_alert_at_red(city, users, alerted):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from alerts.models import Alert
    from monitoring.models import MonitoringAlert
    from monitoring.services import readings_ingest
    from notifications.models import Notification
    from tests.monitoring.conftest import feed

    zone = _event_zone(city, users)
    assert zone.organisation == city.organisation
    source, _token = feed(zone, users)
    readings_ingest(source=source, rows=[{"zone": zone.pk, "observed_at": timezone.now().isoformat(), "count": 1000}])
    episode = MonitoringAlert.objects.get(zone=zone, kind="level")
    assert episode.level == "red"
    alert = Alert.objects.get(subject_type=ContentType.objects.get_for_model(MonitoringAlert), subject_id=episode.pk)
    told = set(alert.targets.values_list("user__username", flat=True))
    assert users.organizer.username in told and alerted.on_duty.username in told
    assert Notification.objects.filter(recipient=users.organizer, message__urgent=True).exists()
    # An outside organisation's people are not told.
    assert users.outsider.username not in told


def test_the_zone_page_names_the_organizer_among_the_watchers(client, city, users, alerted):
    zone = _event_zone(city, users)
    parties = {
        p["party"]: p["people"]
        for r in selectors.zone_watchers(zone)
        if r["rule"] == "monitoring.zone_level"
        for p in r["parties"]
    }
    organizer = next(people for label, people in parties.items() if "主办" in label or "organizer" in label.lower())
    assert users.organizer.display_name in organizer
    client.force_login(users.township_officer)
    assert users.organizer.display_name in client.get(f"/monitoring/zones/{zone.pk}/").content.decode()
