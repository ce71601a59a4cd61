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
