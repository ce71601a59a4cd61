"""Pages: the notification centre (own notifications only, mark read, open the subject), the bell partial, the
settings form, and the delivery log (a head sees their department's, a leader their territory's, an outsider
nothing; a delivery outside one's scope is a 404) with pinned query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from notifications.choices import Channel, MessageKind
from notifications.models import Delivery, Notification, NotificationPreference
from notifications.services import notify
from tests.factories import UserFactory
from tests.helpers.access import assert_scoped_access

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alert(city, people):
    return notify(
        recipients=[city.wenfeng_police],
        title="红色预警：人民广场人员聚集",
        body="预计人数已超过核定容量。",
        urgent=True,
        kind=MessageKind.ALERT,
        url="/tasks/",
    )


def test_the_notification_centre_lists_ones_own_notifications(alert, people):
    body = client_for(people.staff).get(reverse("notifications:inbox")).content.decode()
    assert "红色预警：人民广场人员聚集" in body
    assert body.count('data-notification="') == 1
    assert 'class="notification unread urgent"' in body
    body = client_for(people.officer).get(reverse("notifications:inbox")).content.decode()
    assert 'data-notification="' not in body
    assert "No notifications yet." in body


def test_filters_unread_and_urgent(alert, people):
    notify(recipients=[people.staff], title="普通通知")
    client = client_for(people.staff)
    assert (
        client.get(reverse("notifications:inbox"), {"show": "urgent"}).content.decode().count("data-notification=") == 1
    )
    Notification.objects.filter(recipient=people.staff).update(read_at="2026-11-20T10:00:00+08:00")
    body = client.get(reverse("notifications:inbox"), {"show": "unread"}).content.decode()
    assert "data-notification=" not in body and "Nothing here." in body


def test_the_inbox_runs_a_fixed_number_of_queries(city, people, django_assert_max_num_queries):
    for i in range(40):
        notify(recipients=[people.staff], title=f"通知{i}")
    client = client_for(people.staff)
    client.get(reverse("notifications:inbox"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:inbox"))
    assert response.content.decode().count("data-notification=") == 30


def test_the_bell_counts_unread_and_is_empty_when_signed_out(alert, people):
    body = client_for(people.staff).get(reverse("notifications:bell")).content.decode()
    assert 'data-unread="1"' in body
    assert 'hx-trigger="every 30s' in body  # no immediate re-load: it polls
    assert Client().get(reverse("notifications:bell")).status_code == 204


def test_every_page_carries_the_bell_which_loads_its_count_without_a_query(people):
    body = client_for(people.staff).get(reverse("home")).content.decode()
    assert 'id="notification-bell"' in body
    assert 'hx-trigger="load, every 30s' in body


def test_opening_a_notification_marks_it_read_and_goes_to_its_subject(alert, people):
    notification = Notification.objects.get(recipient=people.staff)
    response = client_for(people.staff).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/tasks/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    # Someone else's notification does not exist for them.
    assert client_for(people.staff2).get(reverse("notifications:open", args=[notification.pk])).status_code == 404


def test_mark_read_over_htmx_and_mark_all(alert, people):
    notify(recipients=[people.staff], title="普通通知")
    client = client_for(people.staff)
    first = Notification.objects.filter(recipient=people.staff).first()
    response = client.post(reverse("notifications:read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications-changed"
    assert "Mark read" not in response.content.decode()
    assert client.post(reverse("notifications:read", args=[first.pk])).status_code == 302
    other = Notification.objects.filter(recipient=people.staff2).first()
    assert client.post(reverse("notifications:read", args=[other.pk])).status_code == 404
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=people.staff, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=people.staff2, read_at__isnull=True).exists()


def test_settings_are_saved_and_bad_quiet_hours_refused(people):
    client = client_for(people.staff)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    response = client.post(
        reverse("notifications:preferences"),
        {"email_enabled": "on", "quiet_start": "22:00", "quiet_end": "", "digest_time": "08:30"},
    )
    assert response.status_code == 200
    assert "Give both the start and the end of the quiet hours, or neither." in response.content.decode()
    assert not NotificationPreference.objects.exists()
    response = client.post(
        reverse("notifications:preferences"),
        {"sms_enabled": "on", "quiet_start": "22:00", "quiet_end": "07:00", "digest": "on", "digest_time": "17:30"},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=people.staff)
    assert (preference.email_enabled, preference.sms_enabled, preference.digest) == (False, True, True)
    assert str(preference.quiet_start) == "22:00:00" and str(preference.digest_time) == "17:30:00"


def test_the_delivery_log_shows_a_head_their_departments_deliveries(alert, people, city):
    notify(recipients=[people.city_leader], title="市级通知", department=city.city_police)
    body = client_for(people.head).get(reverse("notifications:delivery_list")).content.decode()
    rows = body.count('data-delivery="')
    assert rows == Delivery.objects.filter(department=city.wenfeng_police).count() > 0
    assert "市级通知" not in body
    assert "Email" in body and "In-app" in body


def test_the_delivery_log_is_empty_for_an_outsider_and_a_delivery_is_not_found(alert, people):
    body = client_for(people.outsider).get(reverse("notifications:delivery_list")).content.decode()
    assert 'data-delivery="' not in body
    delivery = Delivery.objects.filter(channel=Channel.EMAIL, recipient=people.staff2).first()
    assert_scoped_access(
        reverse("notifications:delivery_detail", args=[delivery.pk]),
        owner=people.head,
        partner=people.leader,  # the leader of the territory the department is in
        outsider=people.outsider,
    )


def test_staff_see_only_what_was_sent_to_them(alert, people):
    body = client_for(people.staff).get(reverse("notifications:delivery_list")).content.decode()
    assert body.count('data-delivery="') == Delivery.objects.filter(recipient=people.staff).count()


def test_the_delivery_log_runs_a_fixed_number_of_queries(alert, city, people, django_assert_max_num_queries):
    for i in range(20):
        notify(recipients=[city.wenfeng_police], title=f"通知{i}")
    client = client_for(people.head)
    client.get(reverse("notifications:delivery_list"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notifications:delivery_list"), {"channel": "email"})
    assert response.content.decode().count('data-delivery="') == 30


def test_delivery_detail_shows_the_attempts(alert, people, city):
    delivery = Delivery.objects.filter(channel=Channel.SMS, status="pending").first()
    from notifications.services import deliveries_send

    deliveries_send(delivery_ids=[delivery.pk])
    body = client_for(people.head).get(reverse("notifications:delivery_detail", args=[delivery.pk])).content.decode()
    assert 'data-attempt="1"' in body
    assert "Logged only" in body
    assert "nobody received it" in body


def test_nav_items_notifications_for_all_and_the_log_for_heads(people):
    assert 'data-nav="notifications"' in client_for(people.staff).get(reverse("home")).content.decode()
    assert 'data-nav="delivery_log"' not in client_for(people.staff).get(reverse("home")).content.decode()
    assert 'data-nav="delivery_log"' in client_for(people.head).get(reverse("home")).content.decode()


def test_pages_need_a_sign_in(db):
    for name in ("notifications:inbox", "notifications:preferences", "notifications:delivery_list"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_pages_render_in_chinese(alert, people, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = client_for(people.head)
    for name in ("notifications:inbox", "notifications:preferences", "notifications:delivery_list"):
        response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
    assert (
        "发送记录"
        in client.get(reverse("notifications:delivery_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )


def test_a_user_without_memberships_sees_an_empty_centre(db):
    user = UserFactory(username="nobody")
    assert client_for(user).get(reverse("notifications:inbox")).status_code == 200
    assert 'data-delivery="' not in client_for(user).get(reverse("notifications:delivery_list")).content.decode()
