"""The daily digest (每日汇总): people who chose it get their non-urgent reminders in one message a day, at the time
they chose, instead of one email or SMS each (the reminders are in their notification centre at once anyway)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.choices import DigestState, MessageKind
from notifications.models import Message, Notification, NotificationPreference
from notifications.services.dispatch import Outgoing, fan_out

MAX_LINES = 50


def digest_due(preference: NotificationPreference, now: dt.datetime) -> bool:
    """Whether the person's digest is due: today's digest time has passed and no digest went out since. Someone
    who turned the digest off gets what was waiting at once."""
    if not preference.digest:
        return True
    local = timezone.localtime(now)
    at = timezone.make_aware(dt.datetime.combine(local.date(), preference.digest_time))
    return now >= at and (preference.last_digest_at is None or preference.last_digest_at < at)


def digests_send(*, now: dt.datetime | None = None, enqueue: bool = True) -> list[int]:
    """Send the digests that are due; returns the ids of the external deliveries made (for inline runs)."""
    now = now or timezone.now()
    delivery_ids: list[int] = []
    waiting = list(
        Notification.objects.filter(digest_state=DigestState.PENDING)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for user_id in waiting:
        with transaction.atomic():
            NotificationPreference.objects.get_or_create(user_id=user_id)
            # The race: two scans at once. The row lock makes the second wait; it then sees the first's
            # last_digest_at (or no waiting items) and sends nothing.
            preference = NotificationPreference.objects.select_for_update().select_related("user").get(user_id=user_id)
            if not digest_due(preference, now):
                continue
            items = list(
                Notification.objects.filter(recipient_id=user_id, digest_state=DigestState.PENDING, created_at__lte=now)
                .select_related("message")
                .order_by("created_at", "id")
            )
            if not items:
                continue
            lines = [f"· {item.message.title}" for item in items[:MAX_LINES]]
            if len(items) > MAX_LINES:
                lines.append(_("… and %(n)d more in the notification centre.") % {"n": len(items) - MAX_LINES})
            message = Message(
                kind=MessageKind.DIGEST,
                title=ngettext("Daily digest: %(n)d reminder", "Daily digest: %(n)d reminders", len(items))
                % {"n": len(items)},
                body="\n".join(lines),
                url=reverse("notifications:inbox"),
            )
            delivery_ids += fan_out([Outgoing(message=message, users=[preference.user])], now=now, enqueue=enqueue)
            Notification.objects.filter(pk__in=[item.pk for item in items]).update(
                digest_state=DigestState.SENT, digest_message=message
            )
            preference.last_digest_at = now
            preference.save(update_fields=["last_digest_at", "updated_at"])
    return delivery_ids
