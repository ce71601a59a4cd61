"""Fan-out: turn messages and their recipients into inbox rows and deliveries, following each person's settings.

For each recipient of a message:
- an in-app notification, always (the notification centre is the record; it makes no noise), and its delivery
  row, delivered at once;
- unless the message waits for the person's daily digest (a non-urgent reminder, digest chosen): an email
  delivery if email is on, an SMS delivery if SMS is on — both for an urgent message whatever the settings. A
  non-urgent delivery that falls in the person's quiet hours waits until they end. A person without the address
  gets a *skipped* row, so the delivery log shows who could not be reached.
For each group robot of the message's department that posts this kind of message: a robot delivery.

External deliveries due now are handed to a worker after the transaction commits (``robust``: if the broker is
down, the web request still succeeds and the scan picks the rows up).
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.choices import Channel, DeliveryStatus, DigestState, MessageKind, WebhookScope
from notifications.models import Delivery, DepartmentWebhook, Message, Notification, NotificationPreference

logger = logging.getLogger(__name__)

ESCALATION_KINDS = (MessageKind.ESCALATION_HEAD, MessageKind.ESCALATION_LEADER)
# Robots and mail servers are slow (up to the timeout each): small batches, spread over the workers, and a batch
# takes well under the claim lease even if every attempt times out (20 × 10 s < 300 s).
DELIVERY_BATCH = 20


@dataclass
class Outgoing:
    """A message (not saved yet) and whom it goes to."""

    message: Message
    users: list = field(default_factory=list)
    webhooks: list = field(default_factory=list)
    digestible: bool = False


def quiet_until(preference: NotificationPreference, now: dt.datetime) -> dt.datetime | None:
    """When the person's quiet hours end, if ``now`` lies in them (None otherwise). Overnight hours (22:00 to
    07:00) run past midnight."""
    start, end = preference.quiet_start, preference.quiet_end
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    t, day = local.time(), local.date()
    if start < end:
        inside, end_day = start <= t < end, day
    else:
        inside = t >= start or t < end
        end_day = day + dt.timedelta(days=1) if t >= start else day
    if not inside:
        return None
    return timezone.make_aware(dt.datetime.combine(end_day, end))


def robot_posts(webhook: DepartmentWebhook, message: Message) -> bool:
    """Whether a robot posts this message: everything, or escalations and urgent messages only (and a test)."""
    if webhook.scope == WebhookScope.ALL or message.kind == MessageKind.TEST:
        return True
    return message.urgent or message.kind in ESCALATION_KINDS


def department_webhooks(department_ids: Iterable[int]) -> dict[int, list[DepartmentWebhook]]:
    ids = sorted({pk for pk in department_ids if pk})
    result: dict[int, list[DepartmentWebhook]] = {}
    if not ids:
        return result
    for hook in DepartmentWebhook.objects.filter(department_id__in=ids, is_active=True).select_related("department"):
        result.setdefault(hook.department_id, []).append(hook)
    return result


def preferences_for(user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=sorted(set(user_ids)))}


def fan_out(outgoing: list[Outgoing], *, now: dt.datetime, enqueue: bool = True) -> list[int]:
    """Save the messages, their notifications and deliveries (bulk, inside the caller's transaction). Returns the
    ids of the external deliveries due now; with ``enqueue`` they are handed to a worker after the commit."""
    if not outgoing:
        return []
    for item in outgoing:
        item.message.created_at = now
    Message.objects.bulk_create([item.message for item in outgoing])
    preferences = preferences_for(user.pk for item in outgoing for user in item.users)
    notifications: list[Notification] = []
    deliveries: list[Delivery] = []
    for item in outgoing:
        message = item.message
        for user in item.users:
            preference = preferences.get(user.pk) or NotificationPreference(user_id=user.pk)
            in_digest = item.digestible and not message.urgent and preference.digest
            notifications.append(
                Notification(
                    message=message,
                    recipient=user,
                    created_at=now,
                    digest_state=DigestState.PENDING if in_digest else DigestState.NONE,
                )
            )
            common = {
                "message": message,
                "recipient": user,
                "recipient_label": user.display_name[:255],
                "department_id": message.department_id,
                "urgent": message.urgent,
                "created_at": now,
            }
            deliveries.append(
                Delivery(
                    channel=Channel.IN_APP,
                    address=user.get_username(),
                    status=DeliveryStatus.DELIVERED,
                    attempts=1,
                    delivered_at=now,
                    **common,
                )
            )
            if in_digest:
                continue
            for channel, enabled, address, missing in (
                (Channel.EMAIL, preference.email_enabled, user.email, _("No email address on record.")),
                (Channel.SMS, preference.sms_enabled, user.phone, _("No mobile number on record.")),
            ):
                if not (enabled or message.urgent):
                    continue
                if not address:
                    deliveries.append(
                        Delivery(channel=channel, status=DeliveryStatus.SKIPPED, last_error=missing, **common)
                    )
                    continue
                wait = None if message.urgent else quiet_until(preference, now)
                deliveries.append(
                    Delivery(
                        channel=channel,
                        address=address[:255],
                        status=DeliveryStatus.PENDING,
                        next_attempt_at=wait or now,
                        **common,
                    )
                )
        for hook in item.webhooks:
            if not robot_posts(hook, message):
                continue
            deliveries.append(
                Delivery(
                    message=message,
                    channel=hook.provider,
                    webhook=hook,
                    recipient_label=f"{hook.department.name} · {hook.name}"[:255],
                    address=(urllib.parse.urlsplit(hook.url).hostname or "")[:255],
                    department_id=hook.department_id,
                    urgent=message.urgent,
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    Notification.objects.bulk_create(notifications)
    Delivery.objects.bulk_create(deliveries)
    due = [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING and d.next_attempt_at <= now]
    if enqueue and due:
        transaction.on_commit(lambda: enqueue_deliveries(due), robust=True)
    return due


def enqueue_deliveries(delivery_ids: list[int], token: str | None = None) -> None:
    """Hand deliveries to the workers, a batch per task. If the broker is down this raises; the callers run it
    ``robust`` after the commit or catch it: the rows stay pending and the scan claims them."""
    from notifications.conf import batch_size
    from notifications.tasks import deliver

    size = max(1, min(batch_size(), DELIVERY_BATCH))
    for start in range(0, len(delivery_ids), size):
        deliver.delay(delivery_ids[start : start + size], token)
