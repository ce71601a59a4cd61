"""API: the caller's notifications (list, unread count, mark read, mark all), their settings (bad input → 400,
nothing changed), and the delivery log scoped like the page (outsider: empty list, 404 on a delivery)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from notifications.choices import Channel, MessageKind
from notifications.models import Delivery, Notification, NotificationPreference
from notifications.services import notify

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def alert(city, people):
    return notify(recipients=[city.wenfeng_police], title="红色预警", urgent=True, kind=MessageKind.ALERT)


def test_list_count_and_mark_read(alert, people):
    client = api(people.staff)
    listing = client.get("/api/v1/notifications/").json()
    assert listing["count"] == 1
    item = listing["results"][0]
    assert item["message"]["title"] == "红色预警" and item["message"]["urgent"] and not item["is_read"]
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    response = client.post(f"/api/v1/notifications/{item['id']}/read/")
    assert response.status_code == 200 and response.json()["is_read"]
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
    other = Notification.objects.get(recipient=people.staff2)
    assert client.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    assert api(people.staff2).post("/api/v1/notifications/read-all/").json() == {"marked": 1}


def test_settings_read_and_written_and_bad_input_refused(people):
    client = api(people.staff)
    assert client.get("/api/v1/notifications/preferences/").json()["email_enabled"] is True
    response = client.put(
        "/api/v1/notifications/preferences/",
        {"sms_enabled": True, "quiet_start": "22:00", "quiet_end": "07:00", "digest": True, "digest_time": "18:00"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["quiet_start"] == "22:00" and response.json()["digest_time"] == "18:00"
    response = client.put("/api/v1/notifications/preferences/", {"quiet_start": "22:00"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "quiet_end"
    response = client.put("/api/v1/notifications/preferences/", {"quiet_start": "25:99"}, format="json")
    assert response.status_code == 400
    assert NotificationPreference.objects.get(user=people.staff).quiet_start.hour == 22


def test_the_delivery_log_is_scoped(alert, people):
    assert api(people.head).get("/api/v1/notifications/deliveries/").json()["count"] == Delivery.objects.count()
    assert api(people.outsider).get("/api/v1/notifications/deliveries/").json()["count"] == 0
    delivery = Delivery.objects.filter(channel=Channel.EMAIL).first()
    detail = api(people.leader).get(f"/api/v1/notifications/deliveries/{delivery.pk}/")
    assert detail.status_code == 200 and detail.json()["attempt_log"] == []
    assert api(people.outsider).get(f"/api/v1/notifications/deliveries/{delivery.pk}/").status_code == 404
    emails = api(people.head).get("/api/v1/notifications/deliveries/", {"channel": "email"}).json()
    assert {row["channel"] for row in emails["results"]} == {"email"}


def test_the_api_needs_authentication(db):
    assert APIClient().get("/api/v1/notifications/").status_code in (401, 403)
