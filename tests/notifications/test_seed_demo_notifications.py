"""``seed_demo_notifications``: demo settings, a switched-off robot, an alert and a notice, through the services;
a second run adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from notifications.models import DepartmentWebhook, Message, Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def test_the_demo_is_seeded_once():
    call_command("seed_demo", no_progress=True, verbosity=0)
    call_command("seed_demo_notifications")
    counts = (Message.objects.count(), Notification.objects.count(), NotificationPreference.objects.count())
    assert counts[0] == 2 and counts[1] > 2 and counts[2] == 3
    assert DepartmentWebhook.objects.get().is_active is False
    alert = Message.objects.get(urgent=True)
    assert set(alert.notifications.values_list("recipient__username", flat=True)) >= {
        "demo_staff",
        "demo_head",
        "demo_leader",
    }
    call_command("seed_demo_notifications")
    assert (Message.objects.count(), Notification.objects.count(), NotificationPreference.objects.count()) == counts


def test_without_the_demo_city_it_does_nothing(db, capsys):
    call_command("seed_demo_notifications")
    assert "nothing to do" in capsys.readouterr().out
