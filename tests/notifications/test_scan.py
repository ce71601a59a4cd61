"""The scan: one pass plans, claims and hands batches to the workers (or sends inline), picks up deliveries whose
time has come, and sends due digests; run again it does nothing more. Digests go once a day at the chosen time."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.choices import DigestState, MessageKind
from notifications.models import Delivery, Message, Notification, NotificationPreference, Reminder
from notifications.services import digests_send, scan
from tests.notifications.conftest import at, make_task

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 10, 8)


def test_a_scan_hands_claimed_batches_to_the_workers(city, people, settings, monkeypatch):
    settings.NOTIFICATIONS_SEND_BATCH_SIZE = 2
    handed = []
    monkeypatch.setattr(
        "notifications.tasks.send_reminders.apply_async",
        lambda args, producer=None, argsrepr=None: handed.append(tuple(args)),
    )
    monkeypatch.setattr(
        "notifications.tasks.deliver.apply_async", lambda args, producer=None, argsrepr=None: handed.append(tuple(args))
    )
    for _ in range(5):
        make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police)
    report = scan(now=at(2026, 9, 30, 9, 1))
    assert (report.planned, report.reminders_claimed, report.reminder_batches) == (5, 5, 3)
    assert [len(ids) for ids, _token in handed] == [2, 2, 1]
    assert len({token for _ids, token in handed}) == 1
    assert set(Reminder.objects.values_list("status", flat=True)) == {"claimed"}
    again = scan(now=at(2026, 9, 30, 9, 2))
    assert (again.planned, again.reminders_claimed) == (0, 0)
    assert "planned 0" in str(again)


def test_a_broker_that_is_down_leaves_the_claim_to_expire(city, people, monkeypatch, settings):
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 60

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr("notifications.tasks.send_reminders.apply_async", down)
    make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police, person=people.staff)
    scan(now=at(2026, 9, 30, 9, 1))
    assert Reminder.objects.get().status == "claimed"
    report = scan(now=at(2026, 9, 30, 9, 3), inline=True)  # the lease has expired: claimed again and sent
    assert report.reminders_claimed == 1
    assert Reminder.objects.get().status == "sent"


def test_an_inline_scan_sends_and_delivers(city, people):
    make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police, person=people.staff)
    scan(now=at(2026, 9, 30, 9, 1), inline=True)
    assert Notification.objects.get().recipient == people.staff
    email = Delivery.objects.get(channel="email")
    assert email.status == "logged"  # the tests' in-memory email backend is not a real channel


def test_a_digest_goes_once_a_day_at_the_chosen_time(city, people):
    NotificationPreference.objects.create(user=people.staff, digest=True, digest_time=dt.time(17, 30))
    for day in (29, 30):
        make_task(
            due=dt.date(2026, 9, day), jurisdiction=city.street, department=city.wenfeng_police, person=people.staff
        )
    scan(now=at(2026, 9, 29, 9, 1), inline=True)
    assert not Delivery.objects.filter(channel="email").exists()  # waiting for the digest
    assert Notification.objects.filter(digest_state=DigestState.PENDING).count() == 2
    assert digests_send(now=at(2026, 9, 29, 17, 29)) == []
    scan(now=at(2026, 9, 29, 17, 30), inline=True)
    digest = Message.objects.get(kind=MessageKind.DIGEST)
    assert digest.title == "Daily digest: 2 reminders"
    assert digest.body.count("· ") == 2
    assert Delivery.objects.get(message=digest, channel="email").status == "logged"
    assert Notification.objects.filter(digest_state=DigestState.SENT, digest_message=digest).count() == 2
    scan(now=at(2026, 9, 29, 18, 0), inline=True)
    assert Message.objects.filter(kind=MessageKind.DIGEST).count() == 1


def test_turning_the_digest_off_sends_what_was_waiting(city, people):
    preference = NotificationPreference.objects.create(user=people.staff, digest=True, digest_time=dt.time(17, 30))
    make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police, person=people.staff)
    scan(now=at(2026, 9, 30, 9, 1), inline=True)
    preference.digest = False
    preference.save()
    scan(now=at(2026, 9, 30, 9, 5), inline=True)
    assert Message.objects.filter(kind=MessageKind.DIGEST).count() == 1
