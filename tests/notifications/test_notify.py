"""``notify`` — how other apps send alerts — and the fan-out it shares with reminders: each person's channels,
quiet hours and digest; urgent items past all of them; departments' robots; clear errors for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError
from notifications.choices import Channel, DeliveryStatus, DigestState, MessageKind, WebhookProvider, WebhookScope
from notifications.models import Delivery, DepartmentWebhook, Message, Notification, NotificationPreference
from notifications.services import notify
from notifications.services.dispatch import quiet_until
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db


def deliveries(**filters) -> dict[tuple[str, str], str]:
    return {
        (d.recipient_label if d.webhook_id else d.recipient.username, d.channel): d.status
        for d in Delivery.objects.filter(**filters).select_related("recipient")
    }


def test_a_department_means_its_staff_and_heads(city, people):
    message = notify(recipients=[city.wenfeng_police], title="汛期安全提示", body="请加强巡查。", actor=people.admin)
    assert message.department == city.wenfeng_police
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"u_staff", "u_staff2", "u_head"}
    assert ActionLog.objects.filter(verb="sent", subject_id=message.pk).exists()


def test_each_person_gets_in_app_and_email_by_default_and_sms_when_turned_on(city, people):
    NotificationPreference.objects.create(user=people.staff, sms_enabled=True)
    NotificationPreference.objects.create(user=people.staff2, email_enabled=False)
    notify(recipients=[people.staff, people.staff2], title="t")
    assert deliveries() == {
        ("u_staff", Channel.IN_APP): DeliveryStatus.DELIVERED,
        ("u_staff", Channel.EMAIL): DeliveryStatus.PENDING,
        ("u_staff", Channel.SMS): DeliveryStatus.PENDING,
        ("u_staff2", Channel.IN_APP): DeliveryStatus.DELIVERED,
    }


def test_a_missing_address_is_logged_as_skipped(city, people):
    people.staff2.email = ""
    people.staff2.save(update_fields=["email"])
    notify(recipients=[people.staff2], title="t")
    skipped = Delivery.objects.get(channel=Channel.EMAIL)
    assert (skipped.status, skipped.last_error) == (DeliveryStatus.SKIPPED, "No email address on record.")


def test_quiet_hours_hold_email_until_they_end_but_not_urgent_items(city, people, monkeypatch):
    NotificationPreference.objects.create(
        user=people.staff, sms_enabled=True, quiet_start=dt.time(22), quiet_end=dt.time(7)
    )
    night = at(2026, 11, 20, 23, 30)
    monkeypatch.setattr("notifications.services.messages.timezone.now", lambda: night)
    notify(recipients=[people.staff], title="普通通知")
    email = Delivery.objects.get(channel=Channel.EMAIL, message__urgent=False)
    assert email.next_attempt_at == at(2026, 11, 21, 7)
    notify(recipients=[people.staff], title="红色预警", urgent=True, kind=MessageKind.ALERT)
    urgent = Delivery.objects.filter(message__urgent=True, channel__in=[Channel.EMAIL, Channel.SMS])
    assert {d.next_attempt_at for d in urgent} == {night}


def test_urgent_items_go_by_email_and_sms_whatever_the_settings(city, people):
    NotificationPreference.objects.create(user=people.leader, email_enabled=False, sms_enabled=False)
    notify(recipients=[people.leader], title="红色预警：人民广场", urgent=True, kind=MessageKind.ALERT)
    assert set(deliveries()) == {("u_leader", Channel.IN_APP), ("u_leader", Channel.EMAIL), ("u_leader", Channel.SMS)}


@pytest.mark.parametrize(
    ("start", "end", "now", "until"),
    [
        (dt.time(22), dt.time(7), at(2026, 11, 20, 23), at(2026, 11, 21, 7)),
        (dt.time(22), dt.time(7), at(2026, 11, 21, 6, 59), at(2026, 11, 21, 7)),
        (dt.time(22), dt.time(7), at(2026, 11, 21, 7), None),
        (dt.time(12), dt.time(14), at(2026, 11, 21, 13), at(2026, 11, 21, 14)),
        (dt.time(12), dt.time(14), at(2026, 11, 21, 15), None),
        (None, None, at(2026, 11, 21, 3), None),
    ],
)
def test_quiet_hours_run_over_midnight(start, end, now, until):
    assert quiet_until(NotificationPreference(quiet_start=start, quiet_end=end), now) == until


def test_digest_readers_get_no_email_per_reminder_but_urgent_items_at_once(city, people):
    NotificationPreference.objects.create(user=people.staff, digest=True)
    from notifications.services.dispatch import Outgoing, fan_out

    with transaction.atomic():
        fan_out(
            [
                Outgoing(
                    message=Message(kind=MessageKind.REMINDER_DUE, title="今日到期"),
                    users=[people.staff],
                    digestible=True,
                )
            ],
            now=at(2026, 11, 20, 9),
            enqueue=False,
        )
    assert deliveries() == {("u_staff", Channel.IN_APP): DeliveryStatus.DELIVERED}
    assert Notification.objects.get().digest_state == DigestState.PENDING
    notify(recipients=[people.staff], title="红色预警", urgent=True)
    assert Delivery.objects.filter(message__urgent=True, channel=Channel.EMAIL).exists()


def test_robots_post_escalations_and_urgent_items_or_everything_by_their_setting(city, people, robot):
    quiet = DepartmentWebhook.objects.create(
        department=city.wenfeng_police, name="值班群", provider=WebhookProvider.WECOM, url=robot.url("/wecom")
    )
    loud = DepartmentWebhook.objects.create(
        department=city.wenfeng_police,
        name="全部消息",
        provider=WebhookProvider.DINGTALK,
        url=robot.url(),
        scope=WebhookScope.ALL,
    )
    DepartmentWebhook.objects.create(
        department=city.wenfeng_police, name="停用", provider=WebhookProvider.WECOM, url=robot.url(), is_active=False
    )
    notify(recipients=[city.wenfeng_police], title="普通通知")
    assert set(Delivery.objects.filter(webhook__isnull=False).values_list("webhook_id", flat=True)) == {loud.pk}
    Delivery.objects.all().delete()
    notify(recipients=[city.wenfeng_police], title="红色预警", urgent=True)
    robots = Delivery.objects.filter(webhook__isnull=False)
    assert {d.webhook_id for d in robots} == {quiet.pk, loud.pk}
    assert {d.channel for d in robots} == {Channel.WECOM, Channel.DINGTALK}
    assert {d.department_id for d in robots} == {city.wenfeng_police.pk}


def test_the_message_links_to_its_subject(city, people):
    message = notify(recipients=[people.staff], subject=people.head, title="t", url="/org/departments/1/")
    assert message.url == "/org/departments/1/"
    assert message.subject_label == str(people.head)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"title": "t", "kind": "bogus"}, "kind"),
        ({"title": "t", "body": "x" * 5001}, "body"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_sent(city, people, kwargs, field):
    with pytest.raises(DomainError) as caught:
        notify(recipients=[people.staff], **kwargs)
    assert caught.value.field == field
    assert not Message.objects.exists()


def test_no_recipient_is_refused(city, people):
    with pytest.raises(DomainError, match="Nobody"):
        notify(recipients=[city.mhk_fire], title="t")
    with pytest.raises(TypeError):
        notify(recipients=["someone"], title="t")
